//! Through a real Kafka-protocol broker (tansu): a corpus produced to a topic keyed by
//! hospital gives exactly the alert ids a file replay gives; SIGTERM exits 0 after
//! committing, so a restart of the same group re-reads nothing.

mod common_kafka;

use std::collections::BTreeSet;
use std::time::Duration;

use common_kafka::*;

/// The shipped demo hospital (generated against the shipped rules and catalog) when it is
/// there, else the hand-written cases for 4 hospitals.
fn corpus() -> (Vec<String>, Vec<String>) {
    let root = root();
    let p = root.join("fixtures/hospital/events.ndjson.gz");
    if !p.is_file() {
        return (cases_corpus(4), cases_rules());
    }
    let mut text = String::new();
    let gz = flate2::read::MultiGzDecoder::new(std::fs::File::open(&p).unwrap());
    std::io::Read::read_to_string(&mut std::io::BufReader::new(gz), &mut text).unwrap();
    let lines = text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect();
    (lines, vec!["--rules".into(), root.join("rules").display().to_string()])
}

#[test]
fn kafka_alerts_equal_replay_and_shutdown_commits() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::start();
    let (lines, rule_args) = corpus();
    eprintln!("corpus: {} events", lines.len());
    // Hospital Hnn goes to partition nn % 3, so the reference is known exactly: one replay
    // per partition's sub-stream (each partition has its own pipeline, as each hospital
    // would have in a replay of its own file).
    const PARTS: i32 = 3;
    create_topic(&broker.brokers, "events", PARTS);
    let records = partitioned(&lines, PARTS);
    produce_to(&broker.brokers, "events", &records);

    let expected = reference_alerts(dir.path(), &records, PARTS, &rule_args);
    assert!(!expected.is_empty(), "the corpus should raise alerts");

    let alerts = dir.path().join("run.ndjson");
    let config = dir.path().join("run.toml");
    std::fs::write(&config, "[kafka]\nready_lag = 0\ncommit_interval = \"1s\"\n").unwrap();
    let mut run_args: Vec<String> = vec!["--config".into(), config.display().to_string()];
    run_args.extend(["--brokers".into(), broker.brokers.clone(), "--group".into(), "g1".into()]);
    run_args.extend(["--topic".into(), "events".into(), "--alerts".into(), alerts.display().to_string()]);
    run_args.extend(rule_args.iter().cloned());
    let argv: Vec<&str> = run_args.iter().map(String::as_str).collect();

    let mut run = Run::start(&argv, dir.path());
    run.wait_ready(Duration::from_secs(60));
    assert_eq!(run.get("/healthz").map(|r| r.0), Some(200));
    let (_, metrics) = run.get("/metrics").expect("metrics");
    for want in ["rxsentinel_kafka_consumer_lag{partition=\"0\",topic=\"events\"} 0", "rxsentinel_alerts_total{"] {
        assert!(metrics.contains(want), "no {want} in /metrics");
    }
    for label in ["doctor=", "drug=", "patient=", "user=", "dept="] {
        assert!(!metrics.contains(label), "an id label {label} in /metrics");
    }
    let log = run.stop();
    eprintln!("{log}\nexpected alerts: {}", expected.len());
    assert_eq!(summary_records(&log) as usize, lines.len(), "every event consumed once: {log}");
    let got = alert_ids(&alerts);
    assert_eq!(got.len(), got.iter().collect::<BTreeSet<_>>().len(), "no alert twice");
    assert_eq!(
        got.iter().collect::<BTreeSet<_>>(),
        expected.iter().collect::<BTreeSet<_>>(),
        "Kafka alerts differ from the replay's"
    );

    // Restart: the group's committed offsets are at the end, so nothing is read again.
    let alerts2 = dir.path().join("run2.ndjson");
    let pos = run_args.iter().position(|a| a == "--alerts").unwrap();
    run_args[pos + 1] = alerts2.display().to_string();
    let argv: Vec<&str> = run_args.iter().map(String::as_str).collect();
    let mut run = Run::start(&argv, dir.path());
    run.wait_ready(Duration::from_secs(60));
    let log = run.stop();
    assert_eq!(summary_records(&log), 0, "a restart re-read records: {log}");
    assert!(alert_ids(&alerts2).is_empty());
}
