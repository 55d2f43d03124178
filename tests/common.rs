//! Helpers for the integration tests: run the real binary, read its alerts, check every
//! alert against CONTRACT §3.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rxsentinel"))
}

/// Runs `rxsentinel` with `args`, panicking with its stderr unless it exits 0.
pub fn run_ok(args: &[&str]) -> Output {
    let out = bin().args(args).env("RUST_LOG", "warn").output().expect("run rxsentinel");
    assert!(out.status.success(), "rxsentinel {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Generates a hospital under `out` with rxgen (the defaults, changed by `set`).
pub fn generate(out: &Path, set: impl FnOnce(&mut rxgen::gen::GenArgs)) -> rxgen::gen::GenSummary {
    let mut g = rxgen::gen::GenArgs::with_out(out);
    set(&mut g);
    rxgen::gen::run(&g).expect("generate a hospital")
}

/// Replays `inputs` with `rules` (and an optional catalog) and returns the alerts.
pub fn replay(inputs: &[&Path], rules: &Path, catalog: Option<&Path>, dir: &Path) -> (Vec<Value>, String) {
    let alerts = dir.join(format!(
        "alerts-{}.ndjson",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    ));
    let mut args: Vec<String> = vec!["replay".into(), "--input".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--rules".into(), rules.display().to_string(), "--alerts".into(), alerts.display().to_string()]);
    if let Some(c) = catalog {
        args.extend(["--catalog".into(), c.display().to_string()]);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_ok(&argv);
    let text = std::fs::read_to_string(&alerts).expect("alerts file");
    let parsed = text.lines().map(|l| serde_json::from_str(l).expect("alert is JSON")).collect();
    (parsed, String::from_utf8_lossy(&out.stderr).into_owned())
}

pub const KINDS: &[&str] = &[
    "suspended_drug",
    "restricted_drug",
    "antibiotic_privilege",
    "controlled_privilege",
    "large_rx",
    "drug_share",
    "material_share",
    "surge",
    "peer_outlier",
    "concentration",
    "overuse_warning",
    "rep_visit_lift",
    "tongfang_query",
    "bulk_export",
];

/// Panics unless `a` is a valid CONTRACT §3 alert.
pub fn check_contract(a: &Value) {
    let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_else(|| panic!("alert lacks string `{k}`: {a}"));
    assert_eq!(s("alert_id").len(), 32, "{a}");
    assert!(!s("rule").is_empty());
    let kind = s("kind");
    assert!(KINDS.contains(&kind), "unknown kind {kind}");
    assert!(["info", "low", "medium", "high", "critical"].contains(&s("severity")), "{a}");
    assert!(chrono::DateTime::parse_from_rfc3339(s("ts")).is_ok(), "ts not RFC 3339: {a}");
    assert!(!s("hospital").is_empty());
    let title = s("title");
    assert!(title.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) && !title.contains('\n'), "title: {title}");
    let ev = a.get("evidence").and_then(Value::as_object).unwrap_or_else(|| panic!("evidence not an object: {a}"));
    if let Some(samples) = ev.get("sample_event_ids") {
        assert!(samples.as_array().is_some_and(|v| v.len() <= 10 && !v.is_empty()), "{a}");
    }
    let need: &[&str] = match kind {
        "suspended_drug" | "restricted_drug" | "antibiotic_privilege" | "controlled_privilege" => &["doctor", "drug"],
        "large_rx" => &["doctor"],
        "tongfang_query" | "bulk_export" => &["user"],
        "drug_share" | "material_share" => &[],
        _ => &[],
    };
    for k in need {
        s(k);
    }
    if kind.ends_with("_share") {
        assert!(a.get("dept").is_some() || a.get("doctor").is_some(), "{a}");
        assert!(ev.contains_key("observed") && ev.contains_key("window_start") && ev.contains_key("window_end"), "{a}");
    }
}

/// `kind<TAB>subject` of an alert, as in the `.expected` files.
pub fn subject_line(a: &Value) -> String {
    let g = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let kind = g("kind");
    match kind.as_str() {
        "tongfang_query" | "bulk_export" => format!("{kind}\t{}", g("user")),
        "drug_share" | "material_share" => {
            format!("{kind}\t{}", if g("doctor").is_empty() { g("dept") } else { g("doctor") })
        }
        _ => format!("{kind}\t{}\t{}", g("doctor"), g("drug")),
    }
}

/// Two generated hospitals whose doctor, drug and department codes and event ids collide,
/// each with its own roster under `catalog/<hospital>/`.
pub struct Two {
    pub dir: tempfile::TempDir,
    pub a: Vec<String>,
    pub b: Vec<String>,
    pub catalog: PathBuf,
}

pub fn two_hospitals(days: &str) -> Two {
    let dir = tempfile::tempdir().unwrap();
    let gen = |name: &str, seed: &str, doctors: &str| {
        let out = dir.path().join(name);
        generate(&out, |g| {
            g.seed = seed.parse().unwrap();
            g.doctors = doctors.parse().unwrap();
            g.days = days.parse().unwrap();
            g.hospital = name.to_string();
        });
        let text = std::fs::read_to_string(out.join("events.ndjson")).unwrap();
        text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect::<Vec<_>>()
    };
    let a = gen("H01", "1", "12");
    // The second hospital reuses the first one's event ids.
    let b: Vec<String> = gen("H02", "2", "15").into_iter().map(|l| l.replace("\"H02-", "\"H01-")).collect();
    let catalog = dir.path().join("catalog");
    std::fs::create_dir_all(catalog.join("H02")).unwrap();
    for f in ["drugs.csv", "suspended_drugs.csv"] {
        std::fs::copy(root().join("rules/catalog").join(f), catalog.join(f)).unwrap();
    }
    std::fs::copy(dir.path().join("H01/rules/catalog/doctors.csv"), catalog.join("doctors.csv")).unwrap();
    std::fs::copy(dir.path().join("H02/rules/catalog/doctors.csv"), catalog.join("H02/doctors.csv")).unwrap();
    Two { dir, a, b, catalog }
}

/// Merges by event time (stable: ties keep `a` first).
pub fn merge(a: &[String], b: &[String]) -> Vec<String> {
    let ts = |l: &String| {
        let e: serde_json::Value = serde_json::from_str(l).unwrap();
        chrono::DateTime::parse_from_rfc3339(e["ts"].as_str().unwrap()).unwrap().timestamp()
    };
    let mut v: Vec<(i64, usize, &String)> = a.iter().chain(b).enumerate().map(|(i, l)| (ts(l), i, l)).collect();
    v.sort();
    v.into_iter().map(|(_, _, l)| l.clone()).collect()
}

/// Copies a directory tree (rules directories to change in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}
