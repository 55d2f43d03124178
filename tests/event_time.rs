//! Event time that one event cannot drag, and per-hospital state: wrongly stamped events
//! change no alert and no statistic; hospitals sharing a stream, with colliding codes and
//! event ids, give exactly the alerts each gives alone; a hospital's outage and backlog
//! makes none of its events late.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn demo_lines() -> Vec<String> {
    let p = root().join("fixtures/hospital/events.ndjson.gz");
    let gz = flate2::read::MultiGzDecoder::new(std::fs::File::open(p).unwrap());
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::BufReader::new(gz), &mut text).unwrap();
    text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect()
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn ids(alerts: &[Value]) -> BTreeSet<String> {
    alerts.iter().map(|a| a["alert_id"].as_str().unwrap().to_owned()).collect()
}

/// A number from the replay summary, e.g. `late` or `future`.
fn summary_count(log: &str, key: &str) -> u64 {
    let line = log.lines().find(|l| l.trim_start().starts_with(&format!("{key} "))).unwrap_or_else(|| panic!("{log}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The summary's state sizes, without the dedup ids (wrongly stamped events are still
/// remembered, so their redeliveries are skipped).
fn state_line(log: &str) -> String {
    let line = log.lines().find(|l| l.trim_start().starts_with("state ")).unwrap_or_else(|| panic!("{log}"));
    line.split_whitespace().filter(|w| !w.starts_with("ids=") && *w != "dedup").collect::<Vec<_>>().join(" ")
}

fn shift(line: &str, hours: i64, id: &str) -> String {
    let mut e: Value = serde_json::from_str(line).unwrap();
    let ts = chrono::DateTime::parse_from_rfc3339(e["ts"].as_str().unwrap()).unwrap();
    e["ts"] = (ts + chrono::Duration::hours(hours)).to_rfc3339().into();
    e["event_id"] = id.into();
    e.to_string()
}

#[test]
fn wrongly_stamped_events_change_no_alert_and_no_state() {
    let dir = tempfile::tempdir().unwrap();
    let lines = demo_lines();
    let rules = root().join("rules");
    let clean = write(dir.path(), "clean.ndjson", &lines);
    let (want, clean_log) = replay(&[&clean], &rules, None, dir.path());
    assert!(want.len() >= 30, "the demo hospital raises its alerts: {}", want.len());

    // Copies of charges and returns with new ids, stamped hours to 14 months ahead or behind
    // (beyond the skew and the lateness, where no clock can tell them from honest events).
    let offsets = [9, 30, 48, 240, 1_080, 4_800, 8_760, 10_200, -9, -30, -48, -720, -8_760, -10_200];
    let mut wrong = lines.clone();
    let picks: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("\"type\":\"charge\"") || lines[i].contains("\"type\":\"return\""))
        .step_by(997)
        .take(42)
        .collect();
    assert_eq!(picks.len(), 42);
    for (k, &i) in picks.iter().enumerate().rev() {
        wrong.insert(i + 1, shift(&lines[i], offsets[k % offsets.len()], &format!("wrong-{k}")));
    }
    let path = write(dir.path(), "wrong.ndjson", &wrong);
    let (got, log) = replay(&[&path], &rules, None, dir.path());
    assert_eq!(ids(&got), ids(&want), "wrongly stamped events changed the alerts\n{log}");
    assert_eq!(ids(&got).len(), got.len(), "an alert id emitted twice\n{log}");
    assert_eq!(summary_count(&log, "duplicates"), summary_count(&clean_log, "duplicates"), "redeliveries let through");
    assert_eq!(state_line(&log), state_line(&clean_log), "wrongly stamped events changed the state");
    let set_aside = summary_count(&log, "late") + summary_count(&log, "future");
    assert_eq!(set_aside, 42 + summary_count(&clean_log, "late") + summary_count(&clean_log, "future"), "{log}");
    assert!(summary_count(&log, "future") >= 20, "{log}");
    assert!(log.contains("set aside"), "future events are logged: {log}");
}

#[test]
fn a_typed_year_or_an_ancient_first_line_changes_no_alert() {
    let dir = tempfile::tempdir().unwrap();
    let lines = demo_lines();
    let rules = root().join("rules");
    let (want, _) = replay(&[&write(dir.path(), "clean.ndjson", &lines)], &rules, None, dir.path());
    let mut typo = lines.clone();
    typo.insert(5_001, shift(&lines[5_000], 365 * 24, "typo"));
    let mut ancient = vec![shift(&lines[0], -25 * 365 * 24, "ancient")];
    ancient.extend(lines.iter().cloned());
    let mut first_ahead = vec![shift(&lines[0], 365 * 24, "ahead")];
    first_ahead.extend(lines.iter().cloned());
    for (name, v) in [("typo", typo), ("ancient", ancient), ("first_ahead", first_ahead)] {
        let (got, log) = replay(&[&write(dir.path(), &format!("{name}.ndjson"), &v)], &rules, None, dir.path());
        assert_eq!(ids(&got), ids(&want), "{name}: alerts changed\n{log}");
        assert_eq!(summary_count(&log, "late") + summary_count(&log, "future"), 1, "{name}: {log}");
    }
}

#[test]
fn one_prescription_stamped_wrong_or_a_day_ahead_at_night_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lines = demo_lines();
    let rules = root().join("rules");
    let (want, clean_log) = replay(&[&write(dir.path(), "clean.ndjson", &lines)], &rules, None, dir.path());
    let charges: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains("\"type\":\"charge\"")).collect();
    // A copy a day ahead after every 3,001st charge (nights, weekends, mornings among them),
    // and ten bursts of 17 lines stamped alike a year ahead (one 饮片 prescription's worth).
    let mut wrong = lines.clone();
    let picks: Vec<usize> = charges.iter().copied().step_by(3_001).collect();
    for (k, &i) in picks.iter().enumerate().rev() {
        if k % 4 == 0 {
            for j in 0..17 {
                wrong.insert(i + 1, shift(&lines[i], 365 * 24, &format!("burst-{k}-{j}")));
            }
        } else {
            wrong.insert(i + 1, shift(&lines[i], 24, &format!("day-{k}")));
        }
    }
    let n = wrong.len() - lines.len();
    let (got, log) = replay(&[&write(dir.path(), "wrong.ndjson", &wrong)], &rules, None, dir.path());
    assert_eq!(ids(&got), ids(&want), "alerts changed\n{log}");
    assert_eq!(summary_count(&log, "late"), summary_count(&clean_log, "late"), "honest events made late: {log}");
    assert_eq!(summary_count(&log, "future"), n as u64, "{log}");
}

#[test]
fn a_wrong_line_in_one_of_several_inputs_holds_no_file_back() {
    let dir = tempfile::tempdir().unwrap();
    let lines = demo_lines();
    let rules = root().join("rules");
    let (mut charges, rest): (Vec<String>, Vec<String>) =
        lines.iter().cloned().partition(|l| l.contains("\"type\":\"charge\""));
    let b = write(dir.path(), "rest.ndjson", &rest);
    let (want, _) = replay(&[&write(dir.path(), "clean-charges.ndjson", &charges), &b], &rules, None, dir.path());
    assert!(want.len() >= 30);
    // One line a year ahead, and further on a run of 15 stamped alike (a prescription's worth).
    let typo = shift(&charges[100], 365 * 24, "typo");
    let run: Vec<String> = (0..15).map(|j| shift(&charges[5_000], 365 * 24, &format!("run-{j}"))).collect();
    charges.splice(5_001..5_001, run);
    charges.insert(101, typo);
    let a = write(dir.path(), "charges.ndjson", &charges);
    let (got, log) = replay(&[&a, &b], &rules, None, dir.path());
    assert_eq!(ids(&got), ids(&want), "alerts changed\n{log}");
    assert_eq!(summary_count(&log, "late"), 0, "a held-back file came late: {log}");
    assert_eq!(summary_count(&log, "future"), 16, "{log}");
}

#[test]
fn hospitals_sharing_a_stream_give_the_union_of_their_alerts() {
    let t = two_hospitals("100");
    let (d, rules) = (t.dir.path(), root().join("rules"));
    let alone = |name: &str, lines: &[String]| replay(&[&write(d, name, lines)], &rules, Some(&t.catalog), d).0;
    let (a, b) = (alone("a.ndjson", &t.a), alone("b.ndjson", &t.b));
    assert!(a.len() > 10 && b.len() > 10, "each hospital raises alerts: {} {}", a.len(), b.len());
    assert!(a.iter().all(|x| x["hospital"] == "H01") && b.iter().all(|x| x["hospital"] == "H02"));
    let mut want = ids(&a);
    want.extend(ids(&b));
    assert_eq!(want.len(), a.len() + b.len(), "alert ids are scoped by hospital");

    let merged = write(d, "merged.ndjson", &merge(&t.a, &t.b));
    let (got, log) = replay(&[&merged], &rules, Some(&t.catalog), d);
    assert_eq!(ids(&got), want, "a merged stream is not the union of its hospitals\n{log}");
    assert_eq!(summary_count(&log, "duplicates"), dup_count(&t.a) + dup_count(&t.b), "{log}");

    // The same two files given as two inputs, merged by the replay itself.
    let (got2, _) = replay(&[&d.join("a.ndjson"), &d.join("b.ndjson")], &rules, Some(&t.catalog), d);
    assert_eq!(ids(&got2), want);
}

/// Redeliveries the generator planted (the same line again).
fn dup_count(lines: &[String]) -> u64 {
    let mut seen = BTreeSet::new();
    lines.iter().filter(|l| !seen.insert(event_id(l))).count() as u64
}

fn event_id(l: &str) -> String {
    let e: Value = serde_json::from_str(l).unwrap();
    e["event_id"].as_str().unwrap().to_owned()
}

#[test]
fn a_hospital_silent_for_a_week_resumes_without_late_events() {
    let t = two_hospitals("100");
    let (d, rules) = (t.dir.path(), root().join("rules"));
    let day = |l: &String| l.split("\"ts\":\"").nth(1).unwrap()[..10].to_owned();
    // H02's feed is down from day 60 to 67: its week arrives after H01 has moved on.
    let days: Vec<String> = t.b.iter().map(day).collect();
    let mut cut: Vec<String> = days.clone();
    cut.sort();
    cut.dedup();
    let (from, to) = (cut[60].clone(), cut[67].clone());
    let down = |i: usize| days[i] >= from && days[i] < to;
    let live: Vec<String> = t.b.iter().enumerate().filter(|(i, _)| !down(*i)).map(|(_, l)| l.clone()).collect();
    let backlog: Vec<String> = t.b.iter().enumerate().filter(|(i, _)| down(*i)).map(|(_, l)| l.clone()).collect();
    let mut stream = merge(&t.a, &live.iter().filter(|l| day(l) < from).cloned().collect::<Vec<_>>());
    // H01 streams on alone for the week, then H02's backlog, then both again.
    let split = stream.iter().position(|l| day(l) >= to).unwrap_or(stream.len());
    let tail = stream.split_off(split);
    stream.extend(backlog);
    stream.extend(merge(&tail, &live.iter().filter(|l| day(l) >= to).cloned().collect::<Vec<_>>()));
    let path = write(d, "outage.ndjson", &stream);
    let (got, log) = replay(&[&path], &rules, Some(&t.catalog), d);
    assert_eq!(summary_count(&log, "late"), 0, "H02's backlog counted late: {log}");
    assert_eq!(summary_count(&log, "future"), 0, "{log}");
    let (a, _) = replay(&[&write(d, "a.ndjson", &t.a)], &rules, Some(&t.catalog), d);
    let (b, _) = replay(&[&write(d, "b.ndjson", &t.b)], &rules, Some(&t.catalog), d);
    let mut want = ids(&a);
    want.extend(ids(&b));
    assert_eq!(ids(&got), want, "the outage changed the alerts\n{log}");
}
