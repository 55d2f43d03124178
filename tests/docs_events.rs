//! docs/events.md is what a hospital maps its HIS onto: its examples run here exactly as
//! printed (the blocks after `<!-- test: NAME -->`), through `rxsentinel replay` and the
//! mapping, and its lists of kinds and reject reasons are the code's.

use std::path::{Path, PathBuf};
use std::process::Command;

use rxsentinel::event::mapping::Mapped;
use rxsentinel::event::RejectReason;
use rxsentinel::rules::Kind;
use rxsentinel::settings::{Overrides, Settings, Topic};
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/events.md")).expect("docs/events.md")
}

/// The body of the fenced block that follows `<!-- test: NAME -->` (indentation removed).
fn block(doc: &str, name: &str) -> String {
    let marker = format!("<!-- test: {name} -->");
    let at = doc.find(&marker).unwrap_or_else(|| panic!("docs/events.md has no {marker}"));
    let rest = &doc[at + marker.len()..];
    let fence = rest.find("```").expect("a fenced block after the marker");
    let indent = rest[..fence].rsplit('\n').next().unwrap_or("").len();
    let body = &rest[fence..];
    let body = &body[body.find('\n').expect("fence line") + 1..];
    let end = body.find("```").expect("closing fence");
    body[..end].lines().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect::<Vec<_>>().join("\n")
}

/// Every JSON value in a text, one per line or pretty-printed.
fn values(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text).into_iter::<Value>().map(|v| v.expect("JSON in the doc")).collect()
}

fn ndjson(values: &[Value]) -> String {
    values.iter().map(|v| format!("{v}\n")).collect()
}

/// `rxsentinel replay` with the shipped rules: the alerts and the log.
fn replay(dir: &Path, input: &str, extra: &[&str]) -> (Vec<Value>, String) {
    let path = dir.join("MS_CF02.ndjson");
    std::fs::write(&path, input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rxsentinel"))
        .args(["replay", "--input", path.to_str().unwrap(), "--rules", root().join("rules").to_str().unwrap()])
        .args(["--alerts", "-", "--no-progress"])
        .args(extra)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "replay failed: {log}");
    (values(&String::from_utf8(out.stdout).unwrap()), log)
}

/// The number after a summary line's label (`rejected     0  none` → 0).
fn summary(log: &str, label: &str) -> u64 {
    log.lines()
        .find_map(|l| l.trim().strip_prefix(label)?.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no `{label}` in the summary:\n{log}"))
}

#[test]
fn event_examples_are_accepted_and_give_the_documented_alert() {
    let doc = doc();
    let dir = tempfile::tempdir().unwrap();
    let events = values(&block(&doc, "events"));
    assert_eq!(events.len(), 5, "one example per event type");
    let (alerts, log) = replay(dir.path(), &ndjson(&events), &[]);
    assert_eq!(summary(&log, "events accepted"), 5, "{log}");
    assert_eq!(summary(&log, "rejected"), 0, "{log}");
    assert_eq!(alerts, values(&block(&doc, "alert")), "the doc's alert is what replay writes");
}

/// The worked example's records: the first in full, the others with its schema.
fn worked_records(doc: &str) -> Vec<Value> {
    let first = values(&block(doc, "worked-cdc")).remove(0);
    let mut records = vec![first.clone()];
    for p in values(&block(doc, "worked-payloads")) {
        records.push(json!({"schema": first["schema"], "payload": p}));
    }
    records
}

fn topic(config: &Path) -> Topic {
    let mut s = Settings::load(Some(config), &Overrides::default()).expect("the doc's config loads");
    assert_eq!(s.topics.len(), 1);
    s.topics.remove(0)
}

fn mapped(t: &Topic, records: &[Value]) -> Vec<Value> {
    let a = t.adapter.as_ref().expect("a mapped topic");
    records
        .iter()
        .filter_map(|r| match a.apply(r.to_string().as_bytes()).expect("maps") {
            Mapped::Event(b) => Some(serde_json::from_slice(&b).unwrap()),
            Mapped::Skip(_) => None,
        })
        .collect()
}

#[test]
fn worked_example_maps_to_the_documented_events_and_alert() {
    let doc = doc();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("run.toml");
    std::fs::write(&config, block(&doc, "worked-config")).unwrap();
    let records = worked_records(&doc);
    assert_eq!(records.len(), 4);

    let events = values(&block(&doc, "worked-events"));
    assert_eq!(mapped(&topic(&config), &records), events, "the doc's events are what the mapping makes");

    let (alerts, log) = replay(dir.path(), &ndjson(&records), &["--mapping", config.to_str().unwrap()]);
    assert_eq!(alerts, values(&block(&doc, "worked-alert")), "the doc's alert is what replay writes");
    assert_eq!(summary(&log, "events accepted"), 2, "{log}");
    assert_eq!(summary(&log, "rejected"), 0, "{log}");
    assert!(log.contains("skipped                   2  delete_of_void=1 update=1"), "{log}");

    // A VariableScaleDecimal amount reads as the same amount.
    let vsd = values(&block(&doc, "vsd")).remove(0);
    let mut first = records[0].clone();
    first["payload"]["after"]["HJJE"] = vsd["HJJE"].clone();
    assert_eq!(mapped(&topic(&config), &[first]), events[..1], "VariableScaleDecimal");
}

#[test]
fn without_schemas_the_documented_scale_gives_the_same_events() {
    let doc = doc();
    let dir = tempfile::tempdir().unwrap();
    let payloads: Vec<Value> = worked_records(&doc).iter().map(|r| r["payload"].clone()).collect();
    let config = dir.path().join("run.toml");
    std::fs::write(&config, block(&doc, "worked-config")).unwrap();

    // Without the scale: every record is rejected, naming file, line, field and column.
    let (alerts, log) = replay(dir.path(), &ndjson(&payloads), &["--mapping", config.to_str().unwrap()]);
    assert!(alerts.is_empty());
    assert_eq!(summary(&log, "rejected"), 4, "{log}");
    let message = block(&doc, "no-scale-error");
    assert!(log.contains(message.trim()), "the doc's message is the log's:\n{message}\n{log}");

    std::fs::write(&config, format!("{}\n\n{}\n", block(&doc, "worked-config"), block(&doc, "worked-scale"))).unwrap();
    assert_eq!(mapped(&topic(&config), &payloads), values(&block(&doc, "worked-events")));
    let (alerts, log) = replay(dir.path(), &ndjson(&payloads), &["--mapping", config.to_str().unwrap()]);
    assert_eq!(alerts, values(&block(&doc, "worked-alert")));
    assert_eq!(summary(&log, "rejected"), 0, "{log}");
}

#[test]
fn the_mapping_keys_example_loads() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("run.toml");
    std::fs::write(&config, block(&doc(), "mapping-keys")).unwrap();
    let t = topic(&config);
    assert!(t.adapter.is_some() && t.default_type == Some(rxsentinel::event::EventType::Rx));
}

/// The first cell of each row of the table that follows `heading`.
fn table_column(doc: &str, heading: &str) -> Vec<String> {
    let at = doc.find(heading).unwrap_or_else(|| panic!("no {heading}"));
    doc[at..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .filter_map(|l| l.split('|').nth(1).map(|c| c.trim().trim_matches('`').to_owned()))
        .collect()
}

#[test]
fn every_kind_and_reject_reason_is_documented() {
    let doc = doc();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(table_column(&doc, "### Kinds"), kinds);
    let evidence: Vec<String> = table_column(&doc, "### Evidence");
    for k in &kinds {
        assert!(evidence.iter().any(|row| row.split("`, `").any(|x| x == *k)), "no evidence row for {k}");
    }
    let reasons: Vec<&str> = RejectReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(table_column(&doc, "## 9. Bad records"), reasons);
    for skip in ["tombstone", "update", "delete_of_void", "delete", "op"] {
        assert!(doc.contains(&format!("(`{skip}`")), "skip reason {skip} undocumented");
    }
}
