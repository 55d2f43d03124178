//! The footprint detectors on a small simulated department, through the real pipeline:
//! each scheme must be found within a week, and each innocent change must stay silent.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Poisson};
use rand_pcg::Pcg64;
use serde_json::json;

use rxsentinel::event::decode;
use rxsentinel::pipeline::Pipeline;
use rxsentinel::rules::RuleSet;

const DOCTORS: usize = 10;
const DRUGS: usize = 40;
const DAYS: i32 = 140;
const CHANGE_DAY: i32 = 100;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scenario {
    Quiet,
    /// D01's use of Y001 triples.
    Surge,
    /// D02's whole workload doubles.
    Workload,
    /// Every doctor's use of Y002 doubles (a season).
    Season,
    /// D03 is visited by the rep of M1 and then doubles M1's drugs.
    RepLift,
    /// The rep of M1 names one product (Y011) on the visit; D03's use of M1's other drugs
    /// rises 2.5×, the named one's does not.
    RepLiftBeyondNamed,
    /// D04 had a strong preference for Y003 from the start.
    Preference,
    /// D05 also sees TCM patients (three 饮片 lines each, twice the western lines) until the
    /// TCM clinic moves: the western drugs' share of all lines triples, their use does not.
    HerbalClinicEnds,
    /// 集采: on the change day every doctor's brand 阿托伐他汀钙片 (Y9308, drug 5 here) is
    /// replaced by the VBP product of the same name (Y9301); D06 always wrote 8× more of it.
    FormularySwitch,
    /// Everyone writes 阿托伐他汀钙片 as the 集采 product (Y9301) with one line in ten as the
    /// brand (Y9308); from the change day D07 writes it all as the brand: a kickback shift
    /// within the group, which the substitution logic must not excuse.
    BrandShift,
}

fn weights(doctor: usize, rng: &mut Pcg64) -> Vec<f64> {
    let mut w: Vec<f64> = (0..DRUGS).map(|g| 1.0 / (g as f64 + 2.0) * rng.gen_range(0.7..1.3)).collect();
    if doctor == 4 {
        w[3] *= 6.0;
    }
    if doctor == 6 {
        w[5] *= 8.0;
    }
    w
}

fn simulate(s: Scenario, seed: u64) -> Vec<String> {
    let mut rng = Pcg64::seed_from_u64(seed);
    let prefs: Vec<Vec<f64>> = (0..DOCTORS).map(|d| weights(d, &mut rng)).collect();
    let mut lines = Vec::new();
    let mut id = 0u64;
    for day in 0..DAYS {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Duration::days(i64::from(day));
        if s == Scenario::RepLift && day == CHANGE_DAY {
            lines.push(json!({"type":"rep_visit","event_id":"v1","ts":format!("{date}T08:00:00+08:00"),"hospital":"H01","rep":"R1","company":"某医药公司","manufacturer":"M1","doctor":"D03","dept":"0301"}).to_string());
        }
        if s == Scenario::RepLiftBeyondNamed && day == CHANGE_DAY {
            lines.push(json!({"type":"rep_visit","event_id":"v1","ts":format!("{date}T08:00:00+08:00"),"hospital":"H01","rep":"R1","company":"某医药公司","manufacturer":"M1","doctor":"D03","dept":"0301","products":["Y011"]}).to_string());
        }
        let weekday = (day % 7) < 5;
        for (d, pref) in prefs.iter().enumerate() {
            let mut w = pref.clone();
            let mut load = if weekday { 30.0 } else { 10.0 };
            let after = day >= CHANGE_DAY;
            match s {
                Scenario::Surge if after && d == 1 => w[1] *= 3.0,
                Scenario::Workload if after && d == 2 => load *= 2.0,
                Scenario::Season if after => w[2] *= 2.0,
                Scenario::RepLift if after && d == 3 => (0..DRUGS).filter(|g| g % 10 == 1).for_each(|g| w[g] *= 2.5),
                Scenario::RepLiftBeyondNamed if after && d == 3 => {
                    (0..DRUGS).filter(|g| g % 10 == 1 && *g != 11).for_each(|g| w[g] *= 2.5)
                }
                _ => {}
            }
            if s == Scenario::HerbalClinicEnds && d == 5 && !after {
                let visits = Poisson::new(load / 1.5).unwrap().sample(&mut rng) as usize;
                for k in 0..visits {
                    id += 1;
                    let minute = 8 * 60 + (k * 480 / visits.max(1));
                    for herb in ["Y9401", "Y9402", "Y9403"] {
                        lines.push(
                            json!({"type":"rx","event_id":format!("e{id}-{herb}"),"ts":format!("{date}T{:02}:{:02}:00+08:00", minute / 60, minute % 60),
                                "hospital":"H01","rx_id":format!("RX{id}"),"dept":"0301","doctor":"D05",
                                "drug":herb,"qty":30,"amount":3.0,"days":7})
                            .to_string(),
                        );
                    }
                }
            }
            let total: f64 = w.iter().sum();
            let n = Poisson::new(load).unwrap().sample(&mut rng) as usize;
            for k in 0..n {
                let mut x = rng.gen_range(0.0..total);
                let g = w.iter().position(|&wi| {
                    x -= wi;
                    x <= 0.0
                });
                let g = g.unwrap_or(DRUGS - 1);
                let drug = match (s, g == 5, after) {
                    (Scenario::FormularySwitch, true, false) => "Y9308".to_string(),
                    (Scenario::FormularySwitch, true, true) => "Y9301".to_string(),
                    (Scenario::BrandShift, true, _) if (after && d == 7) || rng.gen::<f64>() < 0.1 => {
                        "Y9308".to_string()
                    }
                    (Scenario::BrandShift, true, _) => "Y9301".to_string(),
                    _ => format!("Y{g:03}"),
                };
                id += 1;
                let minute = 8 * 60 + (k * 480 / n.max(1));
                lines.push(
                    json!({"type":"rx","event_id":format!("e{id}"),"ts":format!("{date}T{:02}:{:02}:00+08:00", minute / 60, minute % 60),
                        "hospital":"H01","rx_id":format!("RX{id}"),"dept":"0301","doctor":format!("D{d:02}"),
                        "drug":drug,"manufacturer":format!("M{}", g % 10),"qty":1,"amount":10.0,"days":3})
                    .to_string(),
                );
            }
        }
    }
    lines.sort_by(|a, b| a[a.find("\"ts\"").unwrap()..].cmp(&b[b.find("\"ts\"").unwrap()..]));
    lines
}

/// One access event of another hospital at 23:59 every day, so the last event before each
/// day closes comes from H02.
fn with_other_hospital(mut lines: Vec<String>) -> Vec<String> {
    for day in 0..DAYS {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Duration::days(i64::from(day));
        lines.push(json!({"type":"access","event_id":format!("h2-{day}"),"ts":format!("{date}T23:59:00+08:00"),"hospital":"H02","user":"u","role":"it","action":"query"}).to_string());
    }
    lines.sort_by(|a, b| a[a.find("\"ts\"").unwrap()..].cmp(&b[b.find("\"ts\"").unwrap()..]));
    lines
}

fn alerts(s: Scenario, seed: u64) -> Vec<serde_json::Value> {
    score(simulate(s, seed))
}

fn score(lines: Vec<String>) -> Vec<serde_json::Value> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = RuleSet::load(&root.join("rules"), Some(&root.join("fixtures/cases/catalog"))).unwrap();
    let mut p = Pipeline::new(rules);
    let mut out = Vec::new();
    for l in lines {
        p.process(&decode(l.as_bytes(), None).unwrap(), &mut out);
    }
    out.iter()
        .filter(|a| ["surge", "peer_outlier", "concentration", "rep_visit_lift"].contains(&a.kind))
        .map(|a| serde_json::to_value(a).unwrap())
        .collect()
}

fn day_of(a: &serde_json::Value) -> i64 {
    let ts = chrono::DateTime::parse_from_rfc3339(a["ts"].as_str().unwrap()).unwrap();
    (ts.date_naive() - chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()).num_days()
}

fn subjects(v: &[serde_json::Value]) -> Vec<String> {
    v.iter().map(|a| format!("{} {} {} {}", a["kind"], a["doctor"], a["drug"], a["manufacturer"])).collect()
}

#[test]
fn quiet_and_innocent_changes_stay_silent() {
    for seed in 1..=3 {
        for s in [
            Scenario::Quiet,
            Scenario::Workload,
            Scenario::Season,
            Scenario::Preference,
            Scenario::HerbalClinicEnds,
            Scenario::FormularySwitch,
        ] {
            let a = alerts(s, seed);
            assert!(a.is_empty(), "seed {seed}: innocent scenario {s:?} fired: {:?}\n{a:#?}", subjects(&a));
        }
    }
}

#[test]
fn a_tripled_drug_is_a_surge_found_within_a_week() {
    let mut delays = Vec::new();
    for seed in 1..=5 {
        let a = alerts(Scenario::Surge, seed);
        let hit = a.iter().find(|a| a["kind"] == "surge" && a["doctor"] == "D01" && a["drug"] == "Y001");
        let hit = hit.unwrap_or_else(|| panic!("seed {seed}: surge not found: {:?}", subjects(&a)));
        let delay = day_of(hit) - i64::from(CHANGE_DAY);
        assert!((0..=10).contains(&delay), "seed {seed}: delay {delay} days");
        delays.push(delay);
        assert!(hit["evidence"]["ratio"].as_f64().unwrap() > 2.0);
        for other in &a {
            assert_eq!(other["doctor"], "D01", "seed {seed}: only the surging doctor: {other}");
        }
    }
    delays.sort();
    assert!(delays[delays.len() / 2] <= 7, "median delay over 7 days: {delays:?}");
}

#[test]
fn a_doctor_moving_a_medicine_to_the_brand_is_found_despite_its_substitutes() {
    for seed in 1..=3 {
        let a = alerts(Scenario::BrandShift, seed);
        let hit = a.iter().find(|a| a["kind"] == "surge" && a["doctor"] == "D07" && a["drug"] == "Y9308");
        let hit = hit.unwrap_or_else(|| panic!("seed {seed}: brand shift not found: {:?}", subjects(&a)));
        // About one line a day of the brand where one in ten days was expected: the CUSUM
        // needs two to three weeks of it.
        assert!(day_of(hit) - i64::from(CHANGE_DAY) <= 21, "seed {seed}: late: {hit}");
        assert_ne!(hit["evidence"]["expected_from"], "substitutes", "{hit}");
    }
}

#[test]
fn a_lift_after_a_rep_visit_names_the_visit() {
    for seed in 1..=3 {
        let a = alerts(Scenario::RepLift, seed);
        let hit = a.iter().find(|a| a["kind"] == "rep_visit_lift" && a["doctor"] == "D03" && a["manufacturer"] == "M1");
        let hit = hit.unwrap_or_else(|| panic!("seed {seed}: lift not found: {:?}", subjects(&a)));
        assert_eq!(hit["evidence"]["visit"]["event_id"], "v1");
        assert_eq!(hit["evidence"]["tested"], "manufacturer_line", "{hit}");
        assert!(day_of(hit) - i64::from(CHANGE_DAY) <= 14, "seed {seed}: late: {hit}");
    }
}

/// A rep names one product for the day's call; the rise is in the maker's other drugs. The
/// named product alone shows nothing: only the whole line's test (one of two, at half the
/// p) finds it. The before-window is as long as the stream allows (14 of 16 weeks here).
#[test]
fn a_lift_of_the_makers_other_drugs_is_found_on_its_whole_line() {
    for seed in 1..=3 {
        let a = alerts(Scenario::RepLiftBeyondNamed, seed);
        let hit = a.iter().find(|a| a["kind"] == "rep_visit_lift" && a["doctor"] == "D03" && a["manufacturer"] == "M1");
        let hit = hit.unwrap_or_else(|| panic!("seed {seed}: lift not found: {:?}", subjects(&a)));
        assert_eq!(hit["evidence"]["tested"], "manufacturer_line_beyond_named_products", "{hit}");
        assert_eq!(hit["evidence"]["tests"], 2, "{hit}");
        assert_eq!(hit["evidence"]["products"], json!(["Y011"]));
        assert_eq!(hit["evidence"]["baseline_start"], "2026-01-05", "{hit}");
        assert!(day_of(hit) - i64::from(CHANGE_DAY) <= 14, "seed {seed}: late: {hit}");
    }
}

#[test]
fn windowed_alerts_name_the_hospital_of_their_subject() {
    let a = score(with_other_hospital(simulate(Scenario::Surge, 1)));
    let hit = a.iter().find(|a| a["kind"] == "surge" && a["doctor"] == "D01").expect("surge found");
    assert_eq!(hit["hospital"], "H01", "not the hospital of the last event before the day closed");
}
