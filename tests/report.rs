//! `report`: the monthly 双排序 table through the CLI, on the shipped demo hospital.

mod common;

use common::*;

#[test]
fn monthly_double_ranking() {
    let input = root().join("fixtures/hospital/events.ndjson.gz");
    let input = input.to_str().unwrap();
    let out = run_ok(&["report", "--input", input, "--month", "2026-03"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("双排序") && table.contains("2026-03（已结账）"), "{table}");
    assert!(table.contains("按金额排序") && table.contains("按数量排序") && table.contains("处方医生"), "{table}");

    let out = run_ok(&["report", "--input", input, "--month", "2026-03", "--json"]);
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(m["hospital"], "H01");
    let by_amount = m["by_amount"].as_array().unwrap();
    assert_eq!(by_amount.len(), 10);
    let amounts: Vec<f64> = by_amount.iter().map(|r| r["amount"].as_f64().unwrap()).collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "ranked by amount: {amounts:?}");
    for r in by_amount {
        let docs = r["prescribers"].as_array().unwrap();
        assert!(!docs.is_empty() && docs.len() <= 10);
        let sum: f64 = docs.iter().map(|d| d["amount"].as_f64().unwrap()).sum();
        assert!(sum <= r["amount"].as_f64().unwrap() + 0.01, "prescribers within the drug's total");
    }
    let qty: Vec<f64> = m["by_qty"].as_array().unwrap().iter().map(|r| r["qty"].as_f64().unwrap()).collect();
    assert!(qty.windows(2).all(|w| w[0] >= w[1]), "ranked by quantity: {qty:?}");

    let bad = bin().args(["report", "--input", input, "--month", "1999-01"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("months in the input"));
}
