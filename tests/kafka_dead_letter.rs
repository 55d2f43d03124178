//! Poison records land in the dead-letter topic byte for byte, with reason and origin in
//! headers, and the stream goes on; a Debezium-mapped topic beside it becomes contract
//! events (insert → rx, void update and delete → return, plain update and tombstone skipped).

mod common_kafka;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::NaiveDate;
use common_kafka::*;

const CONFIG: &str = r#"
[kafka]
ready_lag = 0

[[topics]]
name = "events"

[[topics]]
name = "cdc"
type = "rx"
envelope = "debezium"

[topics.mapping]
time_format = "epoch_millis"
time_zone = "+08:00"
event_id = ["SBXH"]
void = { field = "ZFPB", value = "1" }
constants = { hospital = "H09" }

[topics.mapping.fields]
SBXH = ""
ZFPB = ""
CFSB = "rx_id"
YSDM = "doctor"
KSDM = "dept"
YPXH = "drug"
YPSL = "qty"
HJJE = "amount"
KFRQ = "ts"

[dead_letter]
topic = "dlq"
"#;

fn row(sbxh: u32, void: &str, millis: i64) -> serde_json::Value {
    serde_json::json!({
        "SBXH": sbxh, "CFSB": format!("CF{sbxh}"), "YSDM": 777, "KSDM": "0301", "YPXH": "Y9001",
        "YPSL": "2", "HJJE": "77.00", "KFRQ": millis, "ZFPB": void
    })
}

fn cdc(op: &str, before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> Vec<u8> {
    serde_json::json!({"schema": {}, "payload": {"op": op, "before": before, "after": after, "source": {}}})
        .to_string()
        .into_bytes()
}

#[test]
fn poison_records_go_to_the_dead_letter_topic_and_cdc_maps() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::start();
    for t in ["events", "cdc", "dlq"] {
        create_topic(&broker.brokers, t, 1);
    }
    let input = root().join("fixtures/cases/bad_input.ndjson");
    let lines: Vec<String> =
        std::fs::read_to_string(&input).unwrap().lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect();
    let mut records = keyed(&lines);
    records.push(("H01".into(), b"\xff\xfe not utf-8".to_vec()));
    // A valid event stamped ahead of this machine's clock: set aside as future.
    let future = r#"{"type":"charge","event_id":"f1","ts":"2099-01-01T10:00:00+08:00","hospital":"H05","dept":"0301","category":"lab","amount":10.0}"#;
    records.push(("H05".into(), future.as_bytes().to_vec()));
    produce(&broker.brokers, "events", &records);

    // Local wall-clock 2026-03-12 11:00, written as Debezium writes zone-less DATETIMEs.
    let ms = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap().and_hms_opt(11, 0, 0).unwrap().and_utc().timestamp_millis();
    let cdc_records = vec![
        ("1".to_owned(), cdc("c", None, Some(row(1, "0", ms)))),
        ("1".to_owned(), cdc("u", Some(row(1, "0", ms)), Some(row(1, "0", ms)))),
        ("1".to_owned(), cdc("u", Some(row(1, "0", ms)), Some(row(1, "1", ms)))),
        ("2".to_owned(), cdc("r", None, Some(row(2, "0", ms)))),
        ("2".to_owned(), cdc("d", Some(row(2, "0", ms)), None)),
        ("2".to_owned(), Vec::new()),
    ];
    produce(&broker.brokers, "cdc", &cdc_records);

    // The reference for the contract topic: a file replay of the same records.
    let rules = root().join("rules").display().to_string();
    let catalog = root().join("fixtures/cases/catalog").display().to_string();
    let replayed = dir.path().join("replay.ndjson");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rxsentinel"))
        .args(["replay", "--input", &input.display().to_string(), "--rules", &rules, "--catalog", &catalog])
        .args(["--alerts", &replayed.display().to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let replay_log = String::from_utf8_lossy(&out.stderr).into_owned();
    let rejected: usize = replay_log
        .lines()
        .find_map(|l| l.trim().strip_prefix("rejected")?.split_whitespace().next()?.parse().ok())
        .expect("replay summary");

    let config = dir.path().join("run.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let alerts = dir.path().join("run.ndjson");
    let mut run = Run::start(
        &[
            "--config",
            &config.display().to_string(),
            "--brokers",
            &broker.brokers,
            "--rules",
            &rules,
            "--catalog",
            &catalog,
            "--alerts",
            &alerts.display().to_string(),
        ],
        dir.path(),
    );
    run.wait_ready(Duration::from_secs(60));
    assert_eq!(run.metric("rxsentinel_records_skipped_total{reason=\"update\"}"), 1.0);
    assert_eq!(run.metric("rxsentinel_records_skipped_total{reason=\"tombstone\"}"), 1.0);
    assert_eq!(run.metric("rxsentinel_events_consumed_total{type=\"return\"}"), 2.0);
    assert_eq!(run.metric("rxsentinel_events_future_total"), 1.0);
    run.stop();

    let dead = consume_all(&broker.brokers, "dlq", rejected + 2, Duration::from_secs(20));
    assert_eq!(
        dead.len(),
        rejected + 2,
        "one dead letter per rejected record (the file's, the non-UTF-8 one, the future one)"
    );
    let reason = |hs: &Vec<(String, String)>| hs.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.clone());
    let futures: Vec<_> = dead.iter().filter(|(_, hs)| reason(hs).as_deref() == Some("future")).collect();
    assert_eq!(futures.len(), 1, "the future event is dead-lettered with reason future");
    assert_eq!(&futures[0].0[..], future.as_bytes());
    let originals: BTreeSet<&[u8]> = records.iter().map(|r| &r.1[..]).collect();
    for (payload, headers) in &dead {
        assert!(originals.contains(&payload[..]), "dead letter is not an original record");
        let h = |k: &str| headers.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        assert!(h("reason").is_some_and(|r| !r.is_empty()), "{headers:?}");
        assert!(h("detail").is_some());
        assert_eq!(h("source_topic").as_deref(), Some("events"));
        assert_eq!(h("source_partition").as_deref(), Some("0"));
        assert!(h("source_offset").is_some_and(|o| o.parse::<i64>().is_ok()));
    }

    // The good records of the contract topic raised what the replay raised, and the mapped
    // insert of a suspended drug raised its own alert.
    let text = std::fs::read_to_string(&alerts).unwrap();
    let got: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let from_events: BTreeSet<String> =
        got.iter().filter(|a| a["hospital"] == "H01").map(|a| a["alert_id"].as_str().unwrap().to_owned()).collect();
    let expected: BTreeSet<String> = alert_ids(&replayed).into_iter().collect();
    assert_eq!(from_events, expected);
    let cdc_alerts: Vec<_> = got.iter().filter(|a| a["hospital"] == "H09").collect();
    assert!(
        cdc_alerts.iter().any(|a| a["kind"] == "suspended_drug" && a["doctor"] == "777" && a["drug"] == "Y9001"),
        "{cdc_alerts:?}"
    );
}
