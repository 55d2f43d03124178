//! End-to-end checks of the generator on small hospitals: determinism, file order, contract
//! fields, and — with an independent re-check of the per-prescription rules — that the
//! normal traffic is clean and the truth file names exactly what was planted.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::{run, GenArgs, GenSummary};

fn tiny(dir: &Path) -> GenArgs {
    GenArgs { doctors: 14, days: 28, visits_per_doctor_day: 6.0, dup_rate: 0.01, ..GenArgs::with_out(dir) }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).expect("events readable").lines().map(str::to_string).collect()
}

fn events(s: &GenSummary) -> Vec<Value> {
    lines(&s.events_path).iter().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("csv readable");
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("row");
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

#[test]
fn same_seed_same_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sa = run(&tiny(a.path())).unwrap();
    let sb = run(&tiny(b.path())).unwrap();
    for rel in [
        "events.ndjson",
        "truth.ndjson",
        "rules/catalog/drugs.csv",
        "rules/catalog/doctors.csv",
        "rules/catalog/suspended_drugs.csv",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(rel)).unwrap(),
            std::fs::read(b.path().join(rel)).unwrap(),
            "{rel} differs"
        );
    }
    assert_eq!(sa.events, sb.events);
    let c = tempfile::tempdir().unwrap();
    run(&GenArgs { seed: 2, ..tiny(c.path()) }).unwrap();
    assert_ne!(
        std::fs::read(a.path().join("events.ndjson")).unwrap(),
        std::fs::read(c.path().join("events.ndjson")).unwrap()
    );
}

#[test]
fn events_are_in_time_order_and_ids_unique_except_redeliveries() {
    let dir = tempfile::tempdir().unwrap();
    let s = run(&tiny(dir.path())).unwrap();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut last = String::new();
    let mut dups = 0;
    for line in lines(&s.events_path) {
        let v: Value = serde_json::from_str(&line).unwrap();
        let id = str_of(&v, "event_id").to_string();
        if let Some(first) = seen.get(&id) {
            // A redelivery is the very same line, later in the file.
            assert_eq!(first, &line);
            dups += 1;
            continue;
        }
        let ts = str_of(&v, "ts").to_string();
        assert!(ts >= last, "{ts} after {last}");
        last = ts;
        seen.insert(id, line);
    }
    assert_eq!(dups, s.duplicates);
    assert!(s.duplicates > 0);
    assert_eq!(seen.len() as u64, s.events);
}

#[test]
fn every_line_has_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let s = run(&tiny(dir.path())).unwrap();
    let required: HashMap<&str, &[&str]> = HashMap::from([
        ("rx", &["rx_id", "dept", "doctor", "drug", "qty", "amount"][..]),
        ("return", &["rx_id", "drug", "doctor", "dept", "qty", "amount"][..]),
        ("charge", &["dept", "category", "amount"][..]),
        ("access", &["user", "action"][..]),
        ("rep_visit", &["rep", "company", "manufacturer", "doctor", "dept"][..]),
    ]);
    let mut types = HashSet::new();
    for v in events(&s) {
        let ty = str_of(&v, "type");
        types.insert(ty.to_string());
        for f in ["event_id", "ts", "hospital"] {
            assert!(!str_of(&v, f).is_empty(), "{f} missing in {v}");
        }
        assert!(str_of(&v, "ts").ends_with("+08:00"));
        assert!(chrono::DateTime::parse_from_rfc3339(str_of(&v, "ts")).is_ok());
        for f in required[ty] {
            assert!(v.get(*f).is_some(), "{ty} without {f}: {v}");
        }
        if ty == "rx" || ty == "return" {
            assert!(v["qty"].as_f64().unwrap() > 0.0);
            assert!(v["amount"].as_f64().unwrap() >= 0.0);
        }
        // Money has at most two decimals.
        if let Some(a) = v.get("amount").and_then(Value::as_f64) {
            assert!(((a * 100.0).round() - a * 100.0).abs() < 1e-6, "{a}");
        }
    }
    assert_eq!(types.len(), 5, "{types:?}");
}

#[test]
fn malformed_lines_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let s = run(&GenArgs { bad_lines: 7, ..tiny(dir.path()) }).unwrap();
    assert_eq!(s.bad_lines, 7);
    assert_eq!(lines(&s.events_path).len() as u64, s.events + s.duplicates + 7);
}

#[test]
fn gzip_output_decompresses_to_the_same_stream() {
    use std::io::Read;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let plain = run(&tiny(a.path())).unwrap();
    let gz = run(&GenArgs { gzip: true, ..tiny(b.path()) }).unwrap();
    assert!(gz.events_path.ends_with("events.ndjson.gz"));
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&gz.events_path).unwrap()).read_to_end(&mut text).unwrap();
    assert_eq!(text, std::fs::read(&plain.events_path).unwrap());
}

/// Per-prescription rules re-checked independently of the detectors, with the default
/// thresholds: the set of (kind, rx_id) that should alert.
fn rx_violations(s: &GenSummary) -> HashSet<(String, String)> {
    let dir = &s.catalog_dir;
    let drugs: HashMap<String, HashMap<String, String>> =
        csv_rows(&dir.join("drugs.csv")).into_iter().map(|r| (r["drug"].clone(), r)).collect();
    let doctors: HashMap<String, HashMap<String, String>> =
        csv_rows(&dir.join("doctors.csv")).into_iter().map(|r| (r["doctor"].clone(), r)).collect();
    let susp = csv_rows(&dir.join("suspended_drugs.csv"));
    let level = |s: &str| ["", "unrestricted", "restricted", "special"].iter().position(|x| *x == s).unwrap();
    let mut out = HashSet::new();
    let mut distinct: HashMap<String, HashSet<String>> = HashMap::new();
    let mut seen = HashSet::new();
    for v in events(s) {
        if str_of(&v, "type") != "rx" || !seen.insert(str_of(&v, "event_id").to_string()) {
            continue;
        }
        let rx = str_of(&v, "rx_id").to_string();
        let drug = &drugs[str_of(&v, "drug")];
        let doctor = &doctors[str_of(&v, "doctor")];
        let day = &str_of(&v, "ts")[..10];
        for sd in susp.iter().filter(|r| r["drug"] == drug["drug"]) {
            if day >= sd["from"].as_str() && (sd["until"].is_empty() || day <= sd["until"].as_str()) {
                let kind = if sd["action"] == "suspend" { "suspended_drug" } else { "restricted_drug" };
                out.insert((kind.to_string(), rx.clone()));
            }
        }
        if !drug["antibiotic_level"].is_empty()
            && level(&drug["antibiotic_level"]) > level(&doctor["antibiotic_privilege"])
        {
            out.insert(("antibiotic_privilege".to_string(), rx.clone()));
        }
        if !drug["controlled"].is_empty() && doctor["controlled_privilege"] != "true" {
            out.insert(("controlled_privilege".to_string(), rx.clone()));
        }
        let vt = v.get("visit_type").and_then(Value::as_str).unwrap_or("outpatient");
        if vt == "inpatient" {
            continue;
        }
        if drug["herbal"] != "true" {
            distinct.entry(rx.clone()).or_default().insert(drug["drug"].clone());
        }
        let days = v.get("days").and_then(Value::as_i64).unwrap_or(0);
        let long_term = v.get("long_term").and_then(Value::as_bool).unwrap_or(false);
        let limit = if long_term {
            84
        } else if vt == "emergency" {
            3
        } else {
            7
        };
        if v.get("reason").is_none() && days > limit {
            out.insert(("large_rx".to_string(), rx.clone()));
        }
    }
    for (rx, d) in distinct {
        if d.len() > 5 {
            out.insert(("large_rx".to_string(), rx));
        }
    }
    out
}

fn truth(s: &GenSummary) -> Vec<Value> {
    lines(&s.truth_path).iter().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn clean_hospital_breaks_no_prescription_rule() {
    let dir = tempfile::tempdir().unwrap();
    let s = run(&GenArgs { no_plants: true, doctors: 30, days: 60, ..tiny(dir.path()) }).unwrap();
    assert!(truth(&s).is_empty());
    assert_eq!((s.planted, s.near_misses), (0, 0));
    let v = rx_violations(&s);
    assert!(v.is_empty(), "{v:?}");
}

/// Whether a truth line is a footprint case (a kickback scheme or an innocent confounder)
/// rather than a planted prescription or access.
fn footprint(t: &Value) -> bool {
    let k = str_of(t, "kind");
    k.starts_with("scheme:") || k.starts_with("confounder:")
}

#[test]
fn truth_names_exactly_the_planted_prescriptions() {
    let dir = tempfile::tempdir().unwrap();
    // Long enough for the footprint cases too: their bent habits, absences and switches must
    // not break a prescription rule either.
    let s = run(&GenArgs { doctors: 30, days: 105, ..tiny(dir.path()) }).unwrap();
    let all = truth(&s);
    assert!(all.iter().any(footprint), "{s}");
    let t: Vec<Value> = all.into_iter().filter(|x| !footprint(x)).collect();
    assert!(s.planted - s.schemes > 10 && s.near_misses > 10, "{s}");
    let planted: HashSet<(String, String)> = t
        .iter()
        .filter_map(|x| Some((str_of(x, "kind").to_string(), x.get("rx_id")?.as_str()?.to_string())))
        .filter(|(k, _)| !k.starts_with("near_miss:"))
        .collect();
    let near: HashSet<String> = t
        .iter()
        .filter(|x| str_of(x, "kind").starts_with("near_miss:"))
        .filter_map(|x| Some(x.get("rx_id")?.as_str()?.to_string()))
        .collect();
    let found = rx_violations(&s);
    assert_eq!(found, planted);
    assert!(found.iter().all(|(_, rx)| !near.contains(rx)));
    let kinds: HashSet<&str> = t.iter().map(|x| str_of(x, "kind")).collect();
    for k in [
        "suspended_drug",
        "restricted_drug",
        "antibiotic_privilege",
        "controlled_privilege",
        "large_rx",
        "tongfang_query",
        "bulk_export",
        "drug_share",
    ] {
        assert!(kinds.contains(k), "no {k} planted");
    }
}

#[test]
fn department_drug_shares_sit_near_their_targets() {
    let dir = tempfile::tempdir().unwrap();
    let s = run(&GenArgs { no_plants: true, doctors: 22, days: 21, visits_per_doctor_day: 25.0, ..tiny(dir.path()) })
        .unwrap();
    let mut by: HashMap<String, (f64, f64, f64)> = HashMap::new();
    for v in events(&s).iter().filter(|v| str_of(v, "type") == "charge") {
        let e = by.entry(str_of(v, "dept").to_string()).or_default();
        let a = v["amount"].as_f64().unwrap();
        match str_of(v, "category") {
            "drug_western" | "drug_patent" => e.0 += a,
            "material" => e.1 += a,
            _ => {}
        }
        e.2 += a;
    }
    for (dept, (drug, material, total)) in by {
        let share = drug / total;
        let per100 = 100.0 * material / (total - drug);
        eprintln!("{dept}: 药占比 {share:.3}, 百元材料 {per100:.1}");
        assert!((0.22..0.46).contains(&share), "{dept}: 药占比 {share}");
        assert!((5.0..19.0).contains(&per100), "{dept}: 百元材料 {per100}");
    }
}
