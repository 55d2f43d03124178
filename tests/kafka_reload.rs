//! Hot reload on a real broker (tansu): the demo hospital's five months arrive in three
//! parts; between them the rules directory is broken, then fails one of its examples (both
//! reloads refused, the running rules stay), is fixed with an approved exception added (a
//! file change), reloaded by SIGHUP
//! and by an authenticated `POST /-/reload`. The alerts equal one replay of the whole
//! stream under the final rules — the footprint alerts of April need the months of state
//! before the reloads — and the state sizes equal that replay's.

mod common;
mod common_kafka;

use std::path::Path;
use std::time::Duration;

use common::copy_dir;
use common_kafka::*;

const TOKEN: &str = "reload-token-0123456789abcdef";

/// The index of the first line stamped on or after `day`.
fn first_from(lines: &[String], day: &str) -> usize {
    lines.iter().position(|l| l.split("\"ts\":\"").nth(1).is_some_and(|t| &t[..10] >= day)).unwrap()
}

/// Replays everything under `rules`: the alerts and the summary's state line.
fn replay_all(dir: &Path, input: &Path, rules: &Path) -> (Vec<serde_json::Value>, String) {
    let (alerts, log) = common::replay(&[input], rules, None, dir);
    (alerts, state_line(&log))
}

fn ids(alerts: &[serde_json::Value]) -> Vec<String> {
    alerts.iter().map(|a| a["alert_id"].as_str().unwrap().to_owned()).collect()
}

/// The state sizes from a replay's or a run's summary (`hospitals=1 dedup ids=…`).
fn state_line(log: &str) -> String {
    let from = log.find("summary").unwrap_or_else(|| panic!("no summary: {log}"));
    let l = log[from..].lines().find(|l| l.contains("hospitals=")).unwrap_or_else(|| panic!("no state: {log}"));
    l[l.find("hospitals=").unwrap()..].trim().to_owned()
}

fn wait_records(run: &Run, n: usize) {
    wait_for(Duration::from_secs(120), &format!("{n} records processed"), || run.records() >= n as f64);
}

fn wait_reloads(run: &Run, result: &str, n: f64) {
    let metric = format!("rxsentinel_rules_reloads_total{{result=\"{result}\"}}");
    wait_for(Duration::from_secs(30), &format!("{n} {result} reloads"), || run.metric(&metric) >= n);
}

#[test]
fn rules_reload_between_records_and_state_survives() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(&root().join("rules"), &rules);
    let all = demo_hospital_lines();
    let input = dir.path().join("events.ndjson");
    std::fs::write(&input, all.join("\n") + "\n").unwrap();

    // An April alert of a doctor and a drug, for the exception to cover.
    let (before, _) = replay_all(dir.path(), &input, &rules);
    let target = before
        .iter()
        .find(|a| a["ts"].as_str().unwrap() >= "2026-04" && a["kind"] == "antibiotic_privilege")
        .expect("an April antibiotic alert in the demo hospital");
    let (rule, doctor, drug) =
        (target["rule"].as_str().unwrap(), target["doctor"].as_str().unwrap(), target["drug"].as_str().unwrap());
    let exception = format!(
        "\n[[rule.exception]]\ndoctor = \"{doctor}\"\ndrug = \"{drug}\"\nreason = \"感染科会诊\"\napprover = \"药事会\"\nfrom = 2026-04-01\nexpires = 2027-06-30\n"
    );
    let file = rules.join("prescription.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text.find(&format!("id = \"{rule}\"")).unwrap();
    let end = text[at..].find("\n[[rule]]").map_or(text.len(), |i| at + i);
    let final_text = format!("{}{exception}{}", &text[..end], &text[end..]);

    // The reference: one replay of everything under the final rules (a copy).
    let final_rules = dir.path().join("final-rules");
    copy_dir(&rules, &final_rules);
    std::fs::write(final_rules.join("prescription.toml"), &final_text).unwrap();
    let (expected, expected_state) = replay_all(dir.path(), &input, &final_rules);
    let expected = ids(&expected);
    assert!(expected.len() < before.len(), "the exception covers an alert");

    let broker = Tansu::start();
    create_topic(&broker.brokers, "events", 1);
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let config = dir.path().join("run.toml");
    std::fs::write(
        &config,
        format!("rules_poll = \"1s\"\nreload_token_file = {:?}\n[kafka]\nready_lag = 0\n", token.display().to_string()),
    )
    .unwrap();
    let alerts = dir.path().join("alerts.ndjson");
    let args: Vec<String> = ["--config", &config.display().to_string(), "--brokers", &broker.brokers]
        .into_iter()
        .chain(["--group", "reload", "--topic", "events", "--rules", &rules.display().to_string()])
        .chain(["--alerts", &alerts.display().to_string()])
        .map(String::from)
        .collect();
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let records: Vec<(Option<i32>, String, Vec<u8>)> =
        all.iter().map(|l| (Some(0), "H01".to_owned(), l.as_bytes().to_vec())).collect();
    let (a, b) = (first_from(&all, "2026-02-15"), first_from(&all, "2026-03-25"));

    let run = Run::start(&argv, dir.path());
    produce_to(&broker.brokers, "events", &records[..a]);
    wait_records(&run, a);
    assert_eq!(run.metric("rxsentinel_rules_last_reload_success"), 1.0, "the start counts as a load");
    assert!(run.metric("rxsentinel_rules_last_reload_success_timestamp_seconds") > 1.7e9);

    // A broken rules file: refused, the running rules stay and the stream goes on.
    std::fs::write(&file, text.replacen("severity = \"high\"", "severity = \"urgent\"", 1)).unwrap();
    wait_reloads(&run, "failed", 1.0);
    assert_eq!(run.metric("rxsentinel_rules_last_reload_success"), 0.0);
    assert!(run.log().contains("rules reload refused, the running rules stay"), "{}", run.log());
    assert!(run.log().contains("prescription.toml:"), "the problem is named with its file: {}", run.log());
    produce_to(&broker.brokers, "events", &records[a..b]);
    wait_records(&run, b);

    // Rules that load but fail their own examples: refused too, naming the example.
    let failing = text.replacen(
        "expect = { drug = \"Y0028\", severity = \"high\" }",
        "expect = { drug = \"Y0028\", severity = \"low\" }",
        1,
    );
    assert_ne!(failing, text);
    std::fs::write(&file, failing).unwrap();
    wait_reloads(&run, "failed", 2.0);
    assert!(run.log().contains("failing example(s)") && run.log().contains("rule BAN-02"), "{}", run.log());

    // Fixed, with the exception: a file change.
    std::fs::write(&file, &final_text).unwrap();
    wait_reloads(&run, "ok", 1.0);
    assert_eq!(run.metric("rxsentinel_rules_last_reload_success"), 1.0);

    // SIGHUP.
    let hup = std::process::Command::new("kill").args(["-HUP", &run.child.id().to_string()]).status().unwrap();
    assert!(hup.success());
    wait_reloads(&run, "ok", 2.0);

    // POST /-/reload: only with the token, only POST.
    let post = |headers: &[&str]| http_request(&run.http, "POST", "/-/reload", headers).unwrap();
    assert_eq!(post(&[]).0, 401);
    assert_eq!(post(&["Authorization: Bearer wrong-token-0123456789abcdef"]).0, 401);
    assert_eq!(http_request(&run.http, "GET", "/-/reload", &[]).unwrap().0, 405);
    let bearer = format!("Authorization: Bearer {TOKEN}");
    let (status, body) = post(&[&bearer]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("reloaded: 16 rules") && body.contains("1 exceptions"), "{body}");
    assert_eq!(run.metric("rxsentinel_rules_reloads_total{result=\"ok\"}"), 3.0);

    produce_to(&broker.brokers, "events", &records[b..]);
    wait_records(&run, records.len());
    assert!(run.metric("rxsentinel_alerts_excepted_total") >= 1.0, "the exception covered an alert");
    let mut run = run;
    let log = run.stop();
    let log_tail = &log[log.find("run summary").unwrap()..];

    let mut got = alert_ids(&alerts);
    let mut want = expected;
    got.sort();
    want.sort();
    assert_eq!(got, want, "the alerts of one replay under the final rules\n{log_tail}");
    assert_eq!(state_line(&log), expected_state, "the state of one replay: nothing lost at a reload");
}
