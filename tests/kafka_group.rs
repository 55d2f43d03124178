//! A second member joining the group mid-stream takes some partitions; nothing is lost and
//! nothing is processed twice (offsets are committed before partitions move).

mod common_kafka;

use std::time::{Duration, Instant};

use common_kafka::*;

#[test]
fn second_member_splits_partitions_without_loss_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::start();
    create_topic(&broker.brokers, "events", 4);
    let records = keyed(&cases_corpus(8));
    let (first, second) = records.split_at(records.len() / 2);

    let rules = root().join("rules").display().to_string();
    let catalog = root().join("fixtures/cases/catalog").display().to_string();
    let config = dir.path().join("run.toml");
    std::fs::write(&config, "[kafka]\nready_lag = 0\ncommit_interval = \"1s\"\n").unwrap();
    let args = |alerts: &str| -> Vec<String> {
        [
            "--config",
            &config.display().to_string(),
            "--brokers",
            &broker.brokers,
            "--group",
            "split",
            "--topic",
            "events",
            "--rules",
            &rules,
            "--catalog",
            &catalog,
            "--alerts",
            &dir.path().join(alerts).display().to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let a_args = args("a.ndjson");
    let mut a = Run::start(&a_args.iter().map(String::as_str).collect::<Vec<_>>(), dir.path());
    produce(&broker.brokers, "events", first);
    a.wait_ready(Duration::from_secs(60));
    assert_eq!(a.metric("rxsentinel_kafka_assigned_partitions"), 4.0);

    let b_args = args("b.ndjson");
    let mut b = Run::start(&b_args.iter().map(String::as_str).collect::<Vec<_>>(), dir.path());
    b.wait_ready(Duration::from_secs(60));
    wait_for(Duration::from_secs(30), "A to give up partitions", || {
        a.metric("rxsentinel_kafka_assigned_partitions") < 4.0
    });
    let (na, nb) = (a.metric("rxsentinel_kafka_assigned_partitions"), b.metric("rxsentinel_kafka_assigned_partitions"));
    assert_eq!(na + nb, 4.0, "A has {na}, B has {nb}");
    assert!(nb >= 1.0);

    produce(&broker.brokers, "events", second);
    let total = records.len() as f64;
    let start = Instant::now();
    while a.records() + b.records() < total {
        assert!(start.elapsed() < Duration::from_secs(60), "consumed {} + {} of {total}", a.records(), b.records());
        std::thread::sleep(Duration::from_millis(200));
    }
    let (la, lb) = (a.stop(), b.stop());
    let (sa, sb) = (summary_records(&la), summary_records(&lb));
    assert_eq!(sa + sb, records.len() as u64, "A accepted {sa}, B {sb}: lost or doubled\n{la}\n{lb}");
    assert!(sb > 0, "B processed nothing");
}
