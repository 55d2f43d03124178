//! The footprint plants measured in the generated events: surges and lifts multiply the
//! doctor's share by their strength, a ring's drug is new and the ring's alone, leave and
//! new doctors are silent while away, workload doubles, a season doubles a department's
//! drug, a formulary switch moves every line; and the flags that turn the families off.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value;

use super::{run, GenArgs};

/// The events of one mid-sized hospital with every footprint family, and its truth.
struct Run {
    /// De-duplicated events.
    events: Vec<Value>,
    truth: Vec<Value>,
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn day(ts: &str) -> &str {
    &ts[..10.min(ts.len())]
}

fn hospital() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let args =
            GenArgs { doctors: 90, days: 105, visits_per_doctor_day: 10.0, seed: 5, ..GenArgs::with_out(dir.path()) };
        let sum = run(&args).unwrap();
        let mut seen = BTreeSet::new();
        let events = std::fs::read_to_string(&sum.events_path)
            .unwrap()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| seen.insert(s(v, "event_id").to_string()))
            .collect();
        let truth = std::fs::read_to_string(&sum.truth_path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        Run { events, truth }
    })
}

fn cases<'a>(r: &'a Run, kind: &'a str) -> impl Iterator<Item = &'a Value> {
    r.truth.iter().filter(move |t| s(t, "kind") == kind)
}

fn rx(r: &Run) -> impl Iterator<Item = &Value> {
    r.events.iter().filter(|e| s(e, "type") == "rx")
}

/// A doctor's lines of `drugs` and all lines, before and from `start`.
fn counts(r: &Run, doctor: &str, drugs: &[&str], start: &str) -> [f64; 4] {
    let mut c = [0.0; 4];
    for e in rx(r).filter(|e| s(e, "doctor") == doctor) {
        let after = usize::from(day(s(e, "ts")) >= start);
        c[2 + after] += 1.0;
        if drugs.contains(&s(e, "drug")) {
            c[after] += 1.0;
        }
    }
    c
}

fn list(t: &Value, k: &str) -> Vec<String> {
    t[k].as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[test]
fn surges_and_lifts_multiply_the_doctors_share_by_their_strength() {
    let r = hospital();
    let mut planted = Vec::new();
    for t in cases(r, "scheme:surge").chain(cases(r, "scheme:rep_visit_lift")) {
        let drugs = if s(t, "kind") == "scheme:surge" { vec![s(t, "drug").to_string()] } else { list(t, "drugs") };
        let drugs: Vec<&str> = drugs.iter().map(String::as_str).collect();
        let [before, after, tb, ta] = counts(r, s(t, "doctor"), &drugs, day(s(t, "start")));
        let k = t["strength"].as_f64().unwrap();
        let ratio = (after / ta) / (before / tb);
        eprintln!("{} {} k={k}: {before}/{tb} → {after}/{ta}, ratio {ratio:.2}", s(t, "kind"), s(t, "doctor"));
        assert!(before >= 5.0, "{t}: the doctor already used it");
        assert!(ratio > k / 2.0 && ratio < k * 2.0, "{t}: ratio {ratio:.2}");
        planted.push((after, k * before / tb * ta));
    }
    assert!(cases(r, "scheme:surge").count() >= 3);
    assert!(cases(r, "scheme:rep_visit_lift").count() >= 2);
    let strengths: BTreeSet<String> = cases(r, "scheme:surge").map(|t| t["strength"].to_string()).collect();
    assert!(strengths.len() >= 3, "{strengths:?}");
    // All together: observed after the start against strength × the doctor's own before.
    let (obs, exp) = planted.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    assert!((0.8..1.25).contains(&(obs / exp)), "observed {obs} vs expected {exp}");
}

#[test]
fn a_lift_starts_with_a_rep_visit_of_its_manufacturer() {
    let r = hospital();
    for t in cases(r, "scheme:rep_visit_lift") {
        let id = s(t, "visit_event_id");
        let v = r.events.iter().find(|e| s(e, "event_id") == id).unwrap_or_else(|| panic!("{t}: no {id}"));
        assert_eq!(s(v, "type"), "rep_visit");
        assert_eq!(s(v, "doctor"), s(t, "doctor"));
        assert_eq!(s(v, "manufacturer"), s(t, "manufacturer"));
        assert_eq!(day(s(v, "ts")), day(s(t, "start")));
        assert!(list(t, "drugs").len() >= 2);
    }
}

#[test]
fn a_ring_drug_is_new_and_only_the_rings() {
    let r = hospital();
    let rings: Vec<&Value> = cases(r, "scheme:ring").collect();
    assert!(!rings.is_empty());
    for t in rings {
        let ring = list(t, "doctors");
        assert!((3..=4).contains(&ring.len()));
        let start = day(s(t, "start"));
        let mut by: BTreeMap<&str, f64> = BTreeMap::new();
        for e in rx(r).filter(|e| s(e, "drug") == s(t, "drug")) {
            assert!(day(s(e, "ts")) >= start, "{t}: used before the start: {e}");
            assert!(ring.iter().any(|d| d == s(e, "doctor")), "{t}: used outside the ring: {e}");
            *by.entry(s(e, "doctor")).or_default() += 1.0;
        }
        for d in &ring {
            let [_, after, _, ta] = counts(r, d, &[s(t, "drug")], start);
            eprintln!("ring {d}: {after}/{ta}");
            assert!((0.025..0.12).contains(&(after / ta)), "{t}: {d} share {}", after / ta);
        }
    }
}

/// Whether event `e` is by or about `doctor` (a doctor's own HIS account included).
fn involves(e: &Value, doctor: &str) -> bool {
    s(e, "doctor") == doctor || s(e, "user") == doctor.to_lowercase()
}

#[test]
fn absent_doctors_leave_no_events() {
    let r = hospital();
    for t in cases(r, "confounder:leave") {
        let (from, to) = (day(s(t, "start")), day(s(t, "end")));
        let away = r.events.iter().filter(|e| involves(e, s(t, "doctor")) && (from..to).contains(&day(s(e, "ts"))));
        assert_eq!(away.count(), 0, "{t}");
        let [_, _, tb, ta] = counts(r, s(t, "doctor"), &[], from);
        assert!(tb > 0.0 && ta > 0.0, "{t}: back at work");
    }
    for t in cases(r, "confounder:new_doctor") {
        let start = day(s(t, "start"));
        assert!(!r.events.iter().any(|e| involves(e, s(t, "doctor")) && day(s(e, "ts")) < start), "{t}");
        assert!(counts(r, s(t, "doctor"), &[], start)[3] > 0.0, "{t}: prescribes from the start");
    }
    assert!(cases(r, "confounder:leave").count() >= 1 && cases(r, "confounder:new_doctor").count() >= 1);
}

#[test]
fn workload_doubles_and_a_season_doubles_its_drug() {
    let r = hospital();
    for t in cases(r, "confounder:workload") {
        let start = day(s(t, "start"));
        let days = |after: bool| {
            rx(r)
                .filter(|e| s(e, "doctor") == s(t, "doctor") && (day(s(e, "ts")) >= start) == after)
                .map(|e| day(s(e, "ts")))
                .collect::<BTreeSet<_>>()
                .len() as f64
        };
        let [_, _, tb, ta] = counts(r, s(t, "doctor"), &[], start);
        let ratio = (ta / days(true)) / (tb / days(false));
        assert!((1.6..2.5).contains(&ratio), "{t}: {ratio}");
    }
    for t in cases(r, "confounder:season") {
        let (start, end) = (day(s(t, "start")), t.get("end").map_or("9999", |e| day(e.as_str().unwrap_or("9999"))));
        let mut c = [0.0; 4];
        for e in rx(r).filter(|e| s(e, "dept") == s(t, "dept") && day(s(e, "ts")) < end) {
            let during = usize::from(day(s(e, "ts")) >= start);
            c[2 + during] += 1.0;
            if s(e, "drug") == s(t, "drug") {
                c[during] += 1.0;
            }
        }
        let ratio = (c[1] / c[3]) / (c[0] / c[2]);
        assert!((1.5..2.6).contains(&ratio), "{t}: {ratio}");
    }
}

#[test]
fn a_formulary_switch_moves_every_line_to_the_generic() {
    let r = hospital();
    let t = cases(r, "confounder:formulary_switch").next().expect("a switch");
    let start = day(s(t, "start"));
    let (mut brand_after, mut generic_before, mut generic_after) = (0, 0, 0);
    for e in rx(r) {
        let after = day(s(e, "ts")) >= start;
        match s(e, "drug") {
            d if d == s(t, "drug") && after => brand_after += 1,
            d if d == s(t, "replacement") && !after => generic_before += 1,
            d if d == s(t, "replacement") => generic_after += 1,
            _ => {}
        }
    }
    assert_eq!((brand_after, generic_before), (0, 0), "{t}");
    assert!(generic_after > 20, "{t}");
}

#[test]
fn footprint_cases_do_not_share_doctors_or_drugs() {
    let r = hospital();
    let mut doctors = BTreeSet::new();
    let mut drugs = BTreeSet::new();
    for t in r.truth.iter().filter(|t| s(t, "kind").starts_with("scheme:") || s(t, "kind").starts_with("confounder:")) {
        for d in list(t, "doctors").into_iter().chain(t.get("doctor").and_then(Value::as_str).map(str::to_string)) {
            assert!(doctors.insert(d.clone()), "{d} in two cases");
        }
        let mine: Vec<String> = if s(t, "kind") == "scheme:rep_visit_lift" {
            list(t, "drugs")
        } else {
            t.get("drug").and_then(Value::as_str).map(str::to_string).into_iter().collect()
        };
        for d in mine {
            assert!(drugs.insert(d.clone()), "{d} in two cases");
        }
        if let Some(start) = t.get("start").and_then(Value::as_str).filter(|_| s(t, "kind") != "confounder:preference")
        {
            assert!(start >= "2026-03-21", "{t}: starts before day 75");
        }
    }
}

fn kinds(dir: &std::path::Path, f: impl Fn(&mut GenArgs)) -> Vec<String> {
    let mut args = GenArgs { doctors: 60, days: 100, visits_per_doctor_day: 1.0, ..GenArgs::with_out(dir) };
    f(&mut args);
    let sum = run(&args).unwrap();
    std::fs::read_to_string(sum.truth_path).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn flags_turn_the_families_off_and_leave_the_rest_alone() {
    let dir = tempfile::tempdir().unwrap();
    let has = |lines: &[String], prefix: &str| lines.iter().any(|l| l.contains(&format!("\"kind\":\"{prefix}")));
    let all = kinds(dir.path(), |_| {});
    assert!(has(&all, "scheme:") && has(&all, "confounder:") && has(&all, "drug_share"));
    let no_schemes = kinds(dir.path(), |a| a.no_schemes = true);
    assert!(!has(&no_schemes, "scheme:") && has(&no_schemes, "confounder:") && has(&no_schemes, "suspended_drug"));
    let no_conf = kinds(dir.path(), |a| a.no_confounders = true);
    assert!(has(&no_conf, "scheme:") && !has(&no_conf, "confounder:") && has(&no_conf, "large_rx"));
    // Turning one family off leaves the other's truth as it was (event ids aside).
    let strip = |lines: &[String], prefix: &str| -> Vec<String> {
        lines.iter().filter(|l| l.contains(&format!("\"kind\":\"{prefix}"))).map(|l| l.to_string()).collect()
    };
    assert_eq!(strip(&all, "confounder:"), strip(&no_schemes, "confounder:"));
    let no_id = |v: Vec<String>| -> Vec<String> {
        v.into_iter().map(|l| l.split(",\"visit_event_id\"").next().unwrap_or("").to_string()).collect()
    };
    assert_eq!(no_id(strip(&all, "scheme:")), no_id(strip(&no_conf, "scheme:")));
    let none = kinds(dir.path(), |a| a.no_plants = true);
    assert!(none.is_empty());
    // Too short for a warm-up and three weeks: no footprint cases at all.
    let short = kinds(dir.path(), |a| a.days = 95);
    assert!(!has(&short, "scheme:") && !has(&short, "confounder:") && has(&short, "drug_share"));
}
