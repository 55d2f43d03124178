//! A generated hospital, replayed through the CLI and scored against its planted truth, as
//! an outside test suite would: every planted per-prescription and access violation found,
//! nothing else of those kinds, no near miss, the 药占比 drift found, every alert valid, and
//! the same alert ids on a second run. Also the shipped demo hospital in fixtures/hospital.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

const EVENT_KINDS: &[&str] = &[
    "suspended_drug",
    "restricted_drug",
    "antibiotic_privilege",
    "controlled_privilege",
    "large_rx",
    "tongfang_query",
    "bulk_export",
];

fn read(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Whether alert `a` is the detection of truth entry `t` (same kind).
fn matches(a: &Value, t: &Value, kind: &str) -> bool {
    if s(a, "kind") != kind {
        return false;
    }
    match kind {
        "tongfang_query" | "bulk_export" => s(a, "user") == s(t, "user") && s(a, "ts") == s(t, "start"),
        "drug_share" => s(a, "dept") == s(t, "dept"),
        _ => s(a, "doctor") == s(t, "doctor") && s(&a["evidence"], "rx_id") == s(t, "rx_id"),
    }
}

/// Scores alerts against truth; panics with the differences.
fn score(alerts: &[Value], truth: &[Value]) {
    let mut missed = Vec::new();
    for t in truth {
        let kind = s(t, "kind");
        if let Some(k) = kind.strip_prefix("near_miss:") {
            let fired: Vec<&Value> = alerts.iter().filter(|a| matches(a, t, k)).collect();
            assert!(fired.is_empty(), "near miss fired: {t}\n{fired:#?}");
        } else if (EVENT_KINDS.contains(&kind) || kind == "drug_share") && !alerts.iter().any(|a| matches(a, t, kind)) {
            missed.push(t.to_string());
        }
    }
    assert!(missed.is_empty(), "planted violations not found:\n{}", missed.join("\n"));
    let unplanted: Vec<&Value> = alerts
        .iter()
        .filter(|a| EVENT_KINDS.contains(&s(a, "kind")))
        .filter(|a| !truth.iter().any(|t| matches(a, t, s(t, "kind"))))
        .collect();
    assert!(unplanted.is_empty(), "alerts with no planted cause:\n{unplanted:#?}");
}

fn check_run(events: &Path, rules: &Path, catalog: &Path, truth: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let (alerts, _) = replay(&[events], rules, Some(catalog), dir.path());
    for a in &alerts {
        check_contract(a);
    }
    let truth = read(truth);
    assert!(truth.iter().any(|t| s(t, "kind") == "drug_share"), "the generator plants a drift");
    score(&alerts, &truth);
    let ids: BTreeSet<&str> = alerts.iter().map(|a| s(a, "alert_id")).collect();
    assert_eq!(ids.len(), alerts.len(), "alert ids unique");
    let (again, _) = replay(&[events], rules, Some(catalog), dir.path());
    let again: Vec<&str> = again.iter().map(|a| s(a, "alert_id")).collect();
    assert_eq!(alerts.iter().map(|a| s(a, "alert_id")).collect::<Vec<_>>(), again, "same ids on a second run");
}

#[test]
fn generated_hospital_alerts_match_its_truth() {
    for seed in [7, 8] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("h");
        generate(&out, |g| {
            g.seed = seed;
            g.doctors = 40;
            g.days = 100;
            g.gzip = true;
            g.visits_per_doctor_day = 8.0;
            g.bad_lines = 5;
        });
        check_run(
            &out.join("events.ndjson.gz"),
            &root().join("rules"),
            &out.join("rules/catalog"),
            &out.join("truth.ndjson"),
        );
    }
}

#[test]
fn shipped_demo_hospital_alerts_match_its_truth() {
    let h = root().join("fixtures/hospital");
    check_run(
        &h.join("events.ndjson.gz"),
        &root().join("rules"),
        &root().join("rules/catalog"),
        &h.join("truth.ndjson"),
    );
}
