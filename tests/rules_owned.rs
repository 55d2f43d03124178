//! Rules that pharmacists own, through the real CLI: approved exceptions (who, why, until
//! when) silence exactly what they cover and are counted; expired ones stop applying and
//! `rules check` lists them; a rule file's examples run with `rules test` (the shipped
//! ones here, in `cargo test`), and a failing example names its rule and its name.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

fn rules_copy(dir: &Path) -> PathBuf {
    let rules = dir.join("rules");
    copy_dir(&root().join("rules"), &rules);
    rules
}

/// `text` with `insert` written just before the example whose name starts with `name`
/// (inside that example's rule), and the line `insert` starts on.
fn before_example(text: &str, name: &str, insert: &str) -> (String, usize) {
    let at = text.find(&format!("[[rule.example]]\nname = \"{name}")).unwrap();
    (format!("{}{insert}{}", &text[..at], &text[at..]), text[..at].lines().count() + 1)
}

fn rx(id: &str, day: &str, doctor: &str, drug: &str) -> String {
    format!(
        r#"{{"type":"rx","event_id":"{id}","ts":"{day}T10:00:00+08:00","hospital":"H01","rx_id":"RX{id}","dept":"0302","doctor":"{doctor}","drug":"{drug}","qty":1,"amount":7.15}}"#
    )
}

#[test]
fn the_shipped_examples_pass() {
    let out = run_ok(&["rules", "test", "rules", "--verbose"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(", 0 failed"), "{text}");
    // Every rule file but the footprint one (weeks of history) carries examples.
    for file in ["prescription.toml", "access.toml", "revenue.toml"] {
        assert!(text.contains(&format!("rules/{file}:")), "no example ran from {file}: {text}");
    }
}

#[test]
fn a_failing_example_names_its_rule_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_copy(dir.path());
    let p = rules.join("prescription.toml");
    let text = fs::read_to_string(&p).unwrap();
    // The restricted drug's example now says the alert is "low".
    let broken = text.replacen(
        "expect = { drug = \"Y0028\", severity = \"high\" }",
        "expect = { drug = \"Y0028\", severity = \"low\" }",
        1,
    );
    assert_ne!(broken, text);
    fs::write(&p, broken).unwrap();
    let out = bin().args(["rules", "test"]).arg(&rules).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().position(|l| l.contains("a restricted drug inside its restriction")).unwrap();
    let want = format!(
        "prescription.toml:{line}: rule BAN-02, example \"a restricted drug inside its restriction, with no allow entry\": alert 1: severity = \"high\", expected \"low\""
    );
    assert!(stdout.contains(&want), "{stdout}");
    assert!(stdout.contains("1 failed"), "{stdout}");

    // An example whose event is not a valid event is a rules problem, with its line.
    let bad = text.replacen("\"qty\":2,\"amount\":111.98", "\"qty\":-2,\"amount\":111.98", 1);
    fs::write(&p, bad).unwrap();
    let out = bin().args(["rules", "check"]).arg(&rules).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().position(|l| l.contains("\"qty\":2,\"amount\":111.98")).unwrap() + 1;
    assert!(stderr.contains(&format!("prescription.toml:{line}: example.events.qty")), "{stderr}");
    assert!(stderr.contains("rule BAN-01"), "{stderr}");
}

#[test]
fn an_exception_covers_its_doctor_and_drug_until_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_copy(dir.path());
    let p = rules.join("prescription.toml");
    let text = fs::read_to_string(&p).unwrap();
    let exception = "[[rule.exception]]\ndoctor = \"D0009\"\ndrug = \"Y0028\"\nreason = \"哮喘专病门诊\"\napprover = \"药事会 2026-03-01\"\nexpires = 2026-03-15\n\n";
    fs::write(&p, before_example(&text, "a restricted drug", exception).0).unwrap();

    // The restriction runs 2026-03-05..=03-20: D0009 is covered up to the 15th only, and
    // another doctor not at all.
    let events = [
        rx("e1", "2026-03-10", "D0009", "Y0028"),
        rx("e2", "2026-03-15", "D0009", "Y0028"),
        rx("e3", "2026-03-18", "D0009", "Y0028"),
        rx("e4", "2026-03-10", "D0010", "Y0028"),
    ];
    let input = dir.path().join("e.ndjson");
    fs::write(&input, events.join("\n") + "\n").unwrap();
    let (alerts, log) = replay(&[&input], &rules, None, dir.path());
    let restricted: Vec<String> = alerts
        .iter()
        .filter(|a| a["kind"] == "restricted_drug")
        .map(|a| format!("{} {}", a["doctor"].as_str().unwrap(), a["evidence"]["window"].as_str().unwrap()))
        .collect();
    assert_eq!(restricted, ["D0009 RXe3", "D0010 RXe4"], "{log}");
    assert!(log.contains("excepted                  2"), "{log}");

    // The exception expired (2026-03-15 is past): `rules check` says so, and still passes.
    let out = run_ok(&["rules", "check", rules.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = fs::read_to_string(&p).unwrap().lines().position(|l| l.starts_with("doctor = \"D0009\"")).unwrap();
    assert!(
        stdout.contains(&format!(
            "prescription.toml:{line}: rule BAN-02: exception doctor = D0009, drug = Y0028 expired 2026-03-15: no longer applies — approved by 药事会 2026-03-01: 哮喘专病门诊"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("1 exceptions"), "{stdout}");
}

#[test]
fn an_exception_that_could_never_apply_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_copy(dir.path());
    let p = rules.join("prescription.toml");
    let text = fs::read_to_string(&p).unwrap();
    // The third lacks its approver: the shipped comment `# approver = …` above is no culprit.
    let exception = "[[rule.exception]]\nuser = \"li.yj\"\nreason = \"r\"\napprover = \"a\"\nexpires = 2027-01-01\n\n[[rule.exception]]\ndoctor = \"D0009\"\nreason = \"r\"\napprover = \"\"\nexpires = 2027-01-01\n\n[[rule.exception]]\ndoctor = \"D0010\"\nreason = \"r\"\nexpires = 2027-01-01\n\n";
    let (changed, first) = before_example(&text, "a restricted drug", exception);
    fs::write(&p, changed).unwrap();
    let out = bin().args(["rules", "check"]).arg(&rules).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "prescription.toml:{first}: exception.user: `restricted_drug` alerts of this rule carry no user"
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("prescription.toml:{}: exception.approver: required", first + 6)), "{stderr}");
    assert!(
        stderr.contains(&format!("prescription.toml:{}: exception: missing field `approver`", first + 12)),
        "{stderr}"
    );
}

#[test]
fn an_exception_of_a_window_rule_covers_the_windows_ending_on_its_days() {
    // The drug_share example judges the 30 days ending 2026-03-10 (one alert): an exception
    // for the department that expires that day covers it; one that expired the day before
    // does not.
    for (expires, alerts, code) in [("2026-03-10", 0, 0), ("2026-03-09", 0, 1)] {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules_copy(dir.path());
        let p = rules.join("revenue.toml");
        let text = fs::read_to_string(&p).unwrap();
        let exception = format!(
            "[[rule.exception]]\ndept = \"0301\"\nreason = \"肿瘤科\"\napprover = \"院长办公会\"\nexpires = {expires}\n\n"
        );
        let (text, _) = before_example(&text, "a department's day", &exception);
        let text = text.replacen("alerts = 1\nexpect = { dept = \"0301\" }", &format!("alerts = {alerts}"), 1);
        fs::write(&p, text).unwrap();
        let out = bin().args(["rules", "test"]).arg(&rules).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "expires {expires}: {}", String::from_utf8_lossy(&out.stdout));
    }
}
