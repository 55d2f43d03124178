//! Golden tests over the hand-written cases in fixtures/cases: each file holds cases that
//! must fire and near misses that must not; `NAME.expected` lists exactly the alerts
//! (kind and subject, one line per alert; windowed kinds once per subject).

mod common;

use std::collections::BTreeSet;

use common::*;

fn case(name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let cases = root().join("fixtures/cases");
    let input = cases.join(format!("{name}.ndjson"));
    let (alerts, _) = replay(&[&input], &root().join("rules"), Some(&cases.join("catalog")), dir.path());
    let mut got: Vec<String> = Vec::new();
    let mut windowed = BTreeSet::new();
    for a in &alerts {
        check_contract(a);
        let line = subject_line(a);
        if line.starts_with("drug_share") || line.starts_with("material_share") {
            if windowed.insert(line.clone()) {
                got.push(line);
            }
        } else {
            got.push(line);
        }
    }
    got.sort();
    let text = std::fs::read_to_string(cases.join(format!("{name}.expected"))).unwrap();
    let mut want: Vec<String> = text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect();
    want.sort();
    assert_eq!(got, want, "{name}: alerts differ from {name}.expected; all alerts:\n{alerts:#?}");
    let ids: BTreeSet<&str> = alerts.iter().map(|a| a["alert_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), alerts.len(), "alert ids are unique within a run");
    let (again, _) = replay(&[&input], &root().join("rules"), Some(&cases.join("catalog")), dir.path());
    assert_eq!(alerts, again, "a second replay gives identical alerts");
}

#[test]
fn suspended_drug() {
    case("suspended_drug");
}

#[test]
fn restricted_drug() {
    case("restricted_drug");
}

#[test]
fn antibiotic_privilege() {
    case("antibiotic_privilege");
}

#[test]
fn controlled_privilege() {
    case("controlled_privilege");
}

#[test]
fn large_rx_lines() {
    case("large_rx_lines");
}

#[test]
fn large_rx_days() {
    case("large_rx_days");
}

#[test]
fn tongfang_query() {
    case("tongfang_query");
}

#[test]
fn bulk_export() {
    case("bulk_export");
}

#[test]
fn revenue_share() {
    case("revenue_share");
}
