//! `rules check` through the real CLI: the shipped rules pass; every kind of mistake is
//! reported with file and line, all at once, and the exit code is non-zero.

mod common;

use std::fs;
use std::path::Path;

use common::*;

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
    fs::write(rules.join("access.toml"), access.replace("max_rows = 50000", "max_rows = 50000\nmax_rowz = 3")).unwrap();
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

/// Runs `rules check` on `rules`, which must fail with exit code 1; returns stderr.
fn check_fails(rules: &Path) -> String {
    let out = bin().args(["rules", "check", rules.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "expected exit 1: {err}");
    err
}

/// Replaces the first `from` in `rules/file` (which must hold it) by `to`.
fn edit(rules: &Path, file: &str, from: &str, to: &str) {
    let path = rules.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks {from:?}");
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// 1-based line of the first line of `rules/file` starting with `prefix`.
fn line_starting(rules: &Path, file: &str, prefix: &str) -> usize {
    let text = fs::read_to_string(rules.join(file)).unwrap();
    text.lines().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{file}: no {prefix:?}")) + 1
}

#[test]
fn a_negative_limit_names_file_line_key_and_range() {
    let (_dir, rules) = shipped_rules_copy();
    edit(&rules, "prescription.toml", "max_days_outpatient = 7", "max_days_outpatient = -1");
    edit(&rules, "access.toml", "max_rows = 50000", "max_rows = 0");
    let err = check_fails(&rules);
    let line = line_starting(&rules, "prescription.toml", "max_days_outpatient");
    let want = format!("prescription.toml:{line}: large_rx.max_days_outpatient = -1: must be in 1..=365 (rule RX-01)");
    assert!(err.contains(&want), "{err}");
    let line = line_starting(&rules, "access.toml", "max_rows");
    assert!(err.contains(&format!("access.toml:{line}: bulk_export.max_rows = 0: must be in 1..=1000000000")), "{err}");
}

#[test]
fn nan_infinity_and_out_of_range_reals_are_refused() {
    let (_dir, rules) = shipped_rules_copy();
    edit(&rules, "footprint.toml", "h = 8.0", "h = nan");
    edit(&rules, "footprint.toml", "min_ratio = 3.0", "min_ratio = 0.5");
    edit(&rules, "footprint.toml", "max_p = 1e-7", "max_p = 1.5");
    edit(&rules, "revenue.toml", "min_revenue = 20000", "min_revenue = inf");
    edit(&rules, "revenue.toml", "limit = 0.50", "limit = 1.5");
    let err = check_fails(&rules);
    let at = |file: &str, prefix: &str| format!("{file}:{}: ", line_starting(&rules, file, prefix));
    for want in [
        format!("{}surge.h = nan: must be in (0, 1000] (rule DP-02)", at("footprint.toml", "h =")),
        format!(
            "{}peer_outlier.min_ratio = 0.5: must be in [1, 1000] (rule DP-01)",
            at("footprint.toml", "min_ratio = 0.5")
        ),
        format!("{}peer_outlier.max_p = 1.5: must be in (0, 1) (rule DP-01)", at("footprint.toml", "max_p = 1.5")),
        format!(
            "{}drug_share.min_revenue = inf: must be in [0, 10000000000] (rule YZ-01)",
            at("revenue.toml", "min_revenue")
        ),
        format!("{}drug_share.limit = 1.5: must be in (0, 1) (rule YZ-01)", at("revenue.toml", "limit")),
    ] {
        assert!(err.contains(&want), "{want}\n{err}");
    }
}

#[test]
fn durations_out_of_range_are_errors_not_aborts() {
    let (_dir, rules) = shipped_rules_copy();
    edit(&rules, "engine.toml", "allowed_lateness = \"6h\"", "allowed_lateness = \"9999999999d\"");
    edit(&rules, "engine.toml", "dedup_horizon = \"7d\"", "dedup_horizon = \"1000d\"");
    edit(&rules, "revenue.toml", "cooldown = \"30d\"", "cooldown = \"400d\"");
    edit(&rules, "footprint.toml", "window = \"14d\"", "window = \"60d\"");
    let err = check_fails(&rules);
    let at = |file: &str, prefix: &str| format!("{file}:{}: ", line_starting(&rules, file, prefix));
    for want in [
        format!(
            "{}stream.allowed_lateness = \"9999999999d\": must be in 1m..=7d",
            at("engine.toml", "allowed_lateness")
        ),
        format!("{}stream.dedup_horizon = \"1000d\": must be in 1h..=90d", at("engine.toml", "dedup_horizon")),
        format!("{}cooldown = \"400d\": must be in 0s..=365d (rule YZ-01)", at("revenue.toml", "cooldown")),
        format!(
            "{}peer_outlier.window = \"60d\": must be in 1d..=30d (rule DP-01)",
            at("footprint.toml", "window = \"60d\"")
        ),
    ] {
        assert!(err.contains(&want), "{want}\n{err}");
    }
}

#[test]
fn replay_refuses_an_absurd_lateness_cleanly() {
    let (dir, rules) = shipped_rules_copy();
    edit(&rules, "engine.toml", "allowed_lateness = \"6h\"", "allowed_lateness = \"9999999999d\"");
    let input = root().join("fixtures/cases/large_rx_days.ndjson");
    let alerts = dir.path().join("alerts.ndjson");
    let args = ["replay", "--input", input.to_str().unwrap(), "--rules", rules.to_str().unwrap()];
    let out = bin().args(args).args(["--alerts", alerts.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a clean error exit, not an abort: {err}");
    assert!(err.contains("stream.allowed_lateness = \"9999999999d\": must be in 1m..=7d"), "{err}");
}

#[test]
fn future_skew_beyond_the_lateness_is_refused() {
    let (_dir, rules) = shipped_rules_copy();
    edit(&rules, "engine.toml", "allowed_lateness = \"6h\"", "allowed_lateness = \"1h\"");
    let err = check_fails(&rules);
    let line = line_starting(&rules, "engine.toml", "max_future_skew");
    let want = format!("engine.toml:{line}: stream.max_future_skew = \"3h\": must be at most allowed_lateness (1h)");
    assert!(err.contains(&want), "{err}");
}

#[test]
fn a_rules_directory_without_rule_files_is_refused() {
    let (_dir, rules) = shipped_rules_copy();
    for f in ["access.toml", "footprint.toml", "prescription.toml", "revenue.toml"] {
        fs::remove_file(rules.join(f)).unwrap();
    }
    let err = check_fails(&rules);
    assert!(err.contains("no rule files"), "{err}");
}

#[test]
fn rule_files_without_an_enabled_rule_are_refused() {
    let (_dir, rules) = shipped_rules_copy();
    for f in ["access.toml", "footprint.toml", "prescription.toml"] {
        fs::remove_file(rules.join(f)).unwrap();
    }
    let text = fs::read_to_string(rules.join("revenue.toml")).unwrap();
    fs::write(rules.join("revenue.toml"), text.replace("[[rule]]", "[[rule]]\nenabled = false")).unwrap();
    let err = check_fails(&rules);
    assert!(err.contains("no enabled rule"), "{err}");
}

#[test]
fn unknown_files_and_backups_in_the_rules_directory_are_named() {
    let (_dir, rules) = shipped_rules_copy();
    fs::copy(rules.join("prescription.toml"), rules.join("prescription.toml.txt")).unwrap();
    fs::write(rules.join("x.yaml"), "rule: []\n").unwrap();
    fs::copy(rules.join("access.toml"), rules.join("access.toml~")).unwrap();
    fs::create_dir(rules.join("old")).unwrap();
    // Hidden files and documentation are fine.
    fs::write(rules.join(".prescription.toml.swp"), [0u8, 1, 2]).unwrap();
    fs::write(rules.join("NOTES.md"), "# notes\n").unwrap();
    let err = check_fails(&rules);
    for name in ["prescription.toml.txt: unexpected file", "x.yaml: unexpected file", "access.toml~: an editor backup"]
    {
        assert!(err.contains(name), "{name}\n{err}");
    }
    assert!(err.contains("old: unexpected directory"), "{err}");
    assert!(!err.contains("swp") && !err.contains("NOTES"), "{err}");
    assert!(err.contains("4 problem(s)"), "{err}");
}

#[test]
fn a_second_rule_of_a_one_rule_kind_is_refused_naming_both() {
    let (_dir, rules) = shipped_rules_copy();
    let second = "[[rule]]\nid = \"DP-09\"\nkind = \"surge\"\nseverity = \"low\"\n[rule.thresholds]\nh = 20.0\n";
    fs::write(rules.join("zz_more.toml"), second).unwrap();
    let err = check_fails(&rules);
    let first = line_starting(&rules, "footprint.toml", "[[rule]]");
    assert!(err.contains("zz_more.toml:1: kind: rule DP-09: a second `surge` rule"), "{err}");
    let named = format!("reads only the first, DP-02 ({}:{first})", rules.join("footprint.toml").display());
    assert!(err.contains(&named), "{err}");
    // Disabled, it is no second rule; other kinds may have several.
    let disabled = second.replace("severity", "enabled = false\nseverity");
    fs::write(rules.join("zz_more.toml"), &disabled).unwrap();
    run_ok(&["rules", "check", rules.to_str().unwrap()]);
    // Disabled, its thresholds are still checked.
    fs::write(rules.join("zz_more.toml"), disabled.replace("h = 20.0", "h = -1.0")).unwrap();
    assert!(check_fails(&rules).contains("zz_more.toml:7: surge.h = -1.0: must be in (0, 1000] (rule DP-09)"));
}

#[test]
fn a_header_only_drug_dictionary_or_roster_is_refused_but_no_suspensions_is_fine() {
    let (_dir, rules) = shipped_rules_copy();
    let header =
        |f: &str| fs::read_to_string(rules.join("catalog").join(f)).unwrap().lines().next().unwrap().to_owned();
    for f in ["drugs.csv", "doctors.csv", "suspended_drugs.csv"] {
        fs::write(rules.join("catalog").join(f), header(f) + "\n").unwrap();
    }
    let err = check_fails(&rules);
    assert!(err.contains("drugs.csv:1: no rows: the drug dictionary must not be empty"), "{err}");
    assert!(err.contains("doctors.csv:1: no rows: the roster must not be empty"), "{err}");
    assert!(err.contains("2 problem(s)"), "suspended_drugs.csv may be empty: {err}");
}

#[test]
fn a_row_with_fewer_or_more_fields_than_the_header_names_its_line() {
    let (_dir, rules) = shipped_rules_copy();
    let path = rules.join("catalog/doctors.csv");
    let mut lines: Vec<String> = fs::read_to_string(&path).unwrap().lines().map(str::to_owned).collect();
    lines[2] = "D002,王芳,0301".into();
    lines[3] += ",extra";
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let err = check_fails(&rules);
    assert!(err.contains("doctors.csv:3: 3 fields, the header has 6"), "{err}");
    assert!(err.contains("doctors.csv:4: 7 fields, the header has 6"), "{err}");
}

#[test]
fn excel_csv_with_bom_and_crlf_reports_the_right_lines() {
    let (_dir, rules) = shipped_rules_copy();
    let path = rules.join("catalog/drugs.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let bad = lines[1].replacen(",false,", ",maybe,", 1);
    lines[1] = &bad;
    fs::write(&path, format!("\u{feff}{}\r\n", lines.join("\r\n"))).unwrap();
    let bad3 = fs::read_to_string(rules.join("catalog/suspended_drugs.csv")).unwrap().replace('\n', "\r\n");
    fs::write(rules.join("catalog/suspended_drugs.csv"), bad3.replacen("suspend", "ban", 1)).unwrap();
    let err = check_fails(&rules);
    assert!(err.contains("drugs.csv:2: essential: expected true or false, got \"maybe\""), "{err}");
    let line = fs::read_to_string(rules.join("catalog/suspended_drugs.csv"))
        .unwrap()
        .lines()
        .position(|l| l.contains(",ban,"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("suspended_drugs.csv:{line}: action")), "{err}");
    assert!(err.contains("2 problem(s)"), "the BOM header is read: {err}");
}

/// A hospital's own catalog files are validated like the shared ones, and misplaced files
/// in its directory are named.
#[test]
fn per_hospital_catalog_files_are_checked_and_named() {
    let (_dir, rules) = shipped_rules_copy();
    let cat = rules.join("catalog");
    fs::create_dir_all(cat.join("H02")).unwrap();
    let roster = fs::read_to_string(cat.join("doctors.csv")).unwrap();
    fs::write(cat.join("H02/doctors.csv"), roster.replacen(",resident,", ",intern,", 1)).unwrap();
    fs::create_dir_all(cat.join("H03")).unwrap();
    fs::copy(cat.join("drugs.csv"), cat.join("H03/drug.csv")).unwrap();
    fs::create_dir_all(cat.join("H04")).unwrap();
    let err = check_fails(&rules);
    let line = roster.lines().position(|l| l.contains(",resident,")).unwrap() + 1;
    assert!(err.contains(&format!("H02/doctors.csv:{line}: title: expected resident")), "{err}");
    assert!(err.contains("H03/drug.csv: unexpected entry in a catalog directory"), "{err}");
    assert!(err.contains("H03: a hospital's catalog directory holds none of"), "{err}");
    assert!(err.contains("H04: a hospital's catalog directory holds none of"), "{err}");
}

#[test]
fn valid_per_hospital_catalogs_pass_also_with_catalog_dir() {
    let (dir, rules) = shipped_rules_copy();
    let cat = rules.join("catalog");
    fs::create_dir_all(cat.join("H02")).unwrap();
    fs::copy(cat.join("doctors.csv"), cat.join("H02/doctors.csv")).unwrap();
    run_ok(&["rules", "check", rules.to_str().unwrap()]);
    let elsewhere = dir.path().join("elsewhere");
    copy_dir(&cat, &elsewhere);
    fs::write(elsewhere.join("H02/drugs.csv"), "drug,name\n").unwrap();
    let args = ["rules", "check", rules.to_str().unwrap(), "--catalog", elsewhere.to_str().unwrap()];
    let out = bin().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("elsewhere/H02/drugs.csv:1: manufacturer: header lacks column"), "{err}");
    assert!(err.contains("elsewhere/H02/drugs.csv:1: no rows"), "{err}");
}

/// The site data dictionary of the 统方 analyser is validated with file and line, and so is
/// a hospital's own; a stray file in `dictionary/` is named.
#[test]
fn the_data_dictionary_is_checked_and_named() {
    let (_dir, rules) = shipped_rules_copy();
    fs::write(rules.join("dictionary.csv"), "table,column,meaning\nt_rx,c1,doctor\nt_rx,c2,nurse\nt_rx,c1,drug\n")
        .unwrap();
    fs::create_dir_all(rules.join("dictionary")).unwrap();
    fs::write(rules.join("dictionary/H02.csv"), "table,column\nt,c\n").unwrap();
    fs::write(rules.join("dictionary/notes.txt"), "").unwrap();
    let err = check_fails(&rules);
    assert!(err.contains("dictionary.csv:3: meaning: expected doctor, drug, dept, patient or other"), "{err}");
    assert!(err.contains("dictionary.csv:4: column: t_rx.c1 is already given a meaning on line 2"), "{err}");
    assert!(err.contains("H02.csv:1: meaning: header lacks column `meaning`"), "{err}");
    assert!(err.contains("notes.txt: unexpected entry in the dictionary directory"), "{err}");
    fs::write(rules.join("dictionary.csv"), "table,column,meaning\nt_rx,c1,doctor\n").unwrap();
    fs::write(rules.join("dictionary/H02.csv"), "table,column,meaning\n*,czr,doctor\n").unwrap();
    fs::remove_file(rules.join("dictionary/notes.txt")).unwrap();
    let out = run_ok(&["rules", "check", rules.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("data dictionary: 1 entries, 1 hospital dictionaries"), "{text}");
}
