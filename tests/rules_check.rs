//! `rules check` through the real CLI: the shipped rules pass; every kind of mistake is
//! reported with file and line, all at once, and the exit code is non-zero.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A copy of the shipped rules with the test catalog, to break on purpose; the directory
/// lives as long as the returned guard.
fn shipped_rules_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(&root().join("rules"), &rules);
    copy_dir(&root().join("fixtures/cases/catalog"), &rules.join("catalog"));
    (dir, rules)
}

#[test]
fn shipped_rules_are_valid() {
    let out = run_ok(&["rules", "check", "rules"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
    let cases = root().join("fixtures/cases/catalog");
    run_ok(&["rules", "check", "rules", "--catalog", cases.to_str().unwrap()]);
}

#[test]
fn every_problem_is_named_with_file_and_line() {
    let (_dir, rules) = shipped_rules_copy();
    // An unknown threshold key, a bad severity, a duplicate id, a bad duration.
    let access = fs::read_to_string(rules.join("access.toml")).unwrap();
    fs::write(rules.join("access.toml"), access.replace("max_rows = 500", "max_rows = 500\nmax_rowz = 3")).unwrap();
    fs::write(
        rules.join("extra.toml"),
        "[[rule]]\nid = \"X-1\"\nkind = \"large_rx\"\nseverity = \"urgent\"\n\n[[rule]]\nid = \"BAN-01\"\nkind = \"suspended_drug\"\nseverity = \"high\"\n",
    )
    .unwrap();
    fs::write(
        rules.join("more.toml"),
        "[[rule]]\nid = \"Y-1\"\nkind = \"drug_share\"\nseverity = \"low\"\ncooldown = \"soon\"\n",
    )
    .unwrap();
    let drugs = fs::read_to_string(rules.join("catalog/drugs.csv")).unwrap();
    fs::write(rules.join("catalog/drugs.csv"), drugs.replacen(",restricted,", ",tier9,", 1)).unwrap();

    let out = bin().args(["rules", "check", rules.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let max_rowz_line =
        fs::read_to_string(rules.join("access.toml")).unwrap().lines().position(|l| l.starts_with("max_rowz")).unwrap()
            + 1;
    assert!(err.contains(&format!("access.toml:{max_rowz_line}: thresholds:")), "{err}");
    assert!(err.contains("unknown field `max_rowz`"), "{err}");
    assert!(err.contains("extra.toml:4") && err.contains("urgent"), "{err}");
    assert!(err.contains(": id: rule BAN-01: duplicate rule id"), "{err}");
    assert!(err.contains("duplicate rule id"), "{err}");
    assert!(err.contains("more.toml:5") && err.contains("invalid duration"), "{err}");
    assert!(
        err.contains("drugs.csv:5: antibiotic_level: expected unrestricted, restricted or special, got \"tier9\""),
        "{err}"
    );
}

#[test]
fn surge_baselines_older_rules_files_keep_working_and_the_ring_bounds_them() {
    let (_dir, rules) = shipped_rules_copy();
    let footprint = fs::read_to_string(rules.join("footprint.toml")).unwrap();
    let min_line = footprint.lines().find(|l| l.starts_with("min_baseline_weeks")).unwrap().to_string() + "\n";
    let base_line = footprint.lines().find(|l| l.starts_with("baseline_weeks")).unwrap().to_string();

    // A file from before min_baseline_weeks, with an 8-week baseline: still valid.
    let old = footprint.replace(&min_line, "").replace(&base_line, "baseline_weeks = 8");
    fs::write(rules.join("footprint.toml"), &old).unwrap();
    run_ok(&["rules", "check", rules.to_str().unwrap()]);

    // More weeks than the state keeps: refused, naming the key.
    fs::write(rules.join("footprint.toml"), footprint.replace(&base_line, "baseline_weeks = 19")).unwrap();
    let out = bin().args(["rules", "check", rules.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("footprint.toml") && err.contains("baseline_weeks"), "{err}");
}
