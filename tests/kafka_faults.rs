//! Fault injection with librdkafka's mock cluster (in this process; `run` connects to it
//! over loopback): a 10 s broker outage mid-stream, request errors on produce and commit,
//! and a produce failure that outlasts the retries (the service must stop without
//! committing, and a restart must deliver the alerts).

mod common_kafka;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common_kafka::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseRecord, Producer};
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use rdkafka::{Offset, TopicPartitionList};

const PARTS: i32 = 2;

struct Setup {
    dir: tempfile::TempDir,
    records: Vec<(Option<i32>, String, Vec<u8>)>,
    expected: BTreeSet<String>,
    config: String,
}

fn setup(mock: &MockCluster<'_, rdkafka::producer::DefaultProducerContext>, delivery_timeout: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    mock.create_topic("events", PARTS, 1).unwrap();
    mock.create_topic("alerts", 1, 1).unwrap();
    let records = partitioned(&cases_corpus(2), PARTS);
    let expected = reference_alerts(dir.path(), &records, PARTS, &cases_rules()).into_iter().collect();
    let config = dir.path().join("run.toml");
    let text = format!(
        "[kafka]\nready_lag = 0\ncommit_interval = \"1s\"\ndelivery_timeout = \"{delivery_timeout}\"\n\
         [kafka.consumer]\n\"session.timeout.ms\" = 6000\n\
         [[topics]]\nname = \"events\"\n[sinks.kafka]\ntopic = \"alerts\"\n"
    );
    std::fs::write(&config, text).unwrap();
    Setup { dir, records, expected, config: config.display().to_string() }
}

fn start(s: &Setup, brokers: &str, group: &str) -> Run {
    let mut args = vec!["--config", &s.config, "--brokers", brokers, "--group", group];
    let rules = cases_rules();
    args.extend(rules.iter().map(String::as_str));
    Run::start(&args, s.dir.path())
}

fn alert_topic_ids(brokers: &str, at_least: usize) -> Vec<String> {
    consume_all(brokers, "alerts", at_least, Duration::from_secs(20))
        .into_iter()
        .map(|(v, _)| serde_json::from_slice::<serde_json::Value>(&v).unwrap()["alert_id"].as_str().unwrap().to_owned())
        .collect()
}

fn wait_records(run: &Run, n: usize, limit: Duration) {
    let start = Instant::now();
    while run.records() < n as f64 {
        assert!(start.elapsed() < limit, "processed {} of {n}: {}", run.records(), run.log());
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The group's committed offsets for the events topic.
fn committed(brokers: &str, group: &str) -> Vec<Offset> {
    let c: BaseConsumer =
        ClientConfig::new().set("bootstrap.servers", brokers).set("group.id", group).create().unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..PARTS {
        tpl.add_partition("events", p);
    }
    let committed = c.committed_offsets(tpl, Duration::from_secs(10)).unwrap();
    committed.elements().iter().map(|e| e.offset()).collect()
}

#[test]
fn broker_outage_mid_stream_loses_nothing() {
    let mock = MockCluster::new(1).unwrap();
    let brokers = mock.bootstrap_servers();
    let s = setup(&mock, "120s");
    let (first, second) = s.records.split_at(s.records.len() / 2);
    produce_to(&brokers, "events", first);
    let mut run = start(&s, &brokers, "outage");
    run.wait_ready(Duration::from_secs(30));

    // The broker goes away for 10 s while the second half is being produced.
    mock.broker_down(1).unwrap();
    let p = producer(&brokers);
    for (part, k, v) in second {
        let rec = BaseRecord::to("events").partition(part.unwrap()).key(k.as_bytes()).payload(&v[..]);
        p.send(rec).map_err(|(e, _)| e).expect("queued while the broker is down");
    }
    std::thread::sleep(Duration::from_secs(10));
    mock.broker_up(1).unwrap();
    p.flush(Duration::from_secs(60)).expect("second half delivered after the outage");

    wait_records(&run, s.records.len(), Duration::from_secs(90));
    let log = run.stop();
    assert_eq!(summary_records(&log) as usize, s.records.len(), "{log}");
    let got: BTreeSet<String> = alert_topic_ids(&brokers, s.expected.len()).into_iter().collect();
    assert_eq!(got, s.expected, "alerts on the topic differ from the replay's");
}

#[test]
fn produce_and_commit_errors_are_retried() {
    let mock = MockCluster::new(1).unwrap();
    let brokers = mock.bootstrap_servers();
    let s = setup(&mock, "60s");
    produce_to(&brokers, "events", &s.records);
    use RDKafkaRespErr::*;
    mock.request_errors(RDKafkaApiKey::Produce, &[RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS; 3]);
    mock.request_errors(RDKafkaApiKey::OffsetCommit, &[RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT; 2]);
    let mut run = start(&s, &brokers, "errors");
    run.wait_ready(Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(3)); // a few periodic commits, failing ones first
    run.stop();
    let ids = alert_topic_ids(&brokers, s.expected.len());
    let offsets = committed(&brokers, "errors");
    assert!(offsets.iter().all(|o| matches!(o, Offset::Offset(n) if *n > 0)), "not committed: {offsets:?}");
    assert_eq!(ids.len(), s.expected.len(), "idempotent retries must not duplicate alerts");
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), s.expected);

    let mut again = start(&s, &brokers, "errors");
    again.wait_ready(Duration::from_secs(30));
    assert_eq!(summary_records(&again.stop()), 0, "offsets were committed despite the commit errors");
}

#[test]
fn lasting_produce_failure_stops_without_committing() {
    let mock = MockCluster::new(1).unwrap();
    let brokers = mock.bootstrap_servers();
    let s = setup(&mock, "3s");
    produce_to(&brokers, "events", &s.records);
    mock.request_errors(RDKafkaApiKey::Produce, &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED; 200]);
    let mut run = start(&s, &brokers, "fatal");
    let status = run.wait(Duration::from_secs(60));
    let log = run.log();
    assert!(!status.success(), "run should fail when alerts cannot be delivered: {log}");
    assert!(log.contains("delivery failed"), "{log}");

    for o in committed(&brokers, "fatal") {
        assert!(!matches!(o, Offset::Offset(n) if n > 0), "committed {o:?} after a failed delivery");
    }

    // With the topic writable again, a restart re-reads and delivers every alert.
    mock.clear_request_errors(RDKafkaApiKey::Produce);
    let mut again = start(&s, &brokers, "fatal");
    again.wait_ready(Duration::from_secs(30));
    again.stop();
    let ids: BTreeSet<String> = alert_topic_ids(&brokers, s.expected.len()).into_iter().collect();
    assert_eq!(ids, s.expected);
}
