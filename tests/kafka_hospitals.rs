//! Through a real Kafka-protocol broker (tansu): two hospitals whose codes and event ids
//! collide, keyed to one partition or spread over three, give exactly the union of the
//! alerts each hospital's file replay gives alone.

mod common;
mod common_kafka;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{merge, two_hospitals};
use common_kafka::{alert_ids, create_topic, keyed, partitioned, produce_to, Run, Tansu};

fn replay_ids(dir: &std::path::Path, name: &str, lines: &[String], rule_args: &[String]) -> Vec<String> {
    let input = dir.join(format!("{name}.ndjson"));
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.join(format!("{name}-alerts.ndjson"));
    let mut args = vec!["replay".to_owned(), "--input".into(), input.display().to_string()];
    args.extend(rule_args.iter().cloned());
    args.extend(["--alerts".into(), out.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    common::run_ok(&argv);
    alert_ids(&out)
}

#[test]
fn hospitals_sharing_partitions_give_the_union_of_their_alerts() {
    let t = two_hospitals("70");
    let d = t.dir.path();
    let rule_args: Vec<String> = vec![
        "--rules".into(),
        common::root().join("rules").display().to_string(),
        "--catalog".into(),
        t.catalog.display().to_string(),
    ];
    let mut want: BTreeSet<String> = replay_ids(d, "a", &t.a, &rule_args).into_iter().collect();
    let b = replay_ids(d, "b", &t.b, &rule_args);
    assert!(!want.is_empty() && !b.is_empty());
    want.extend(b);
    let merged = merge(&t.a, &t.b);

    let broker = Tansu::start();
    let one: Vec<_> = keyed(&merged).into_iter().map(|(k, v)| (Some(0), k, v)).collect();
    let spread = partitioned(&merged, 3);
    for (topic, parts, records) in [("one", 1, one), ("three", 3, spread)] {
        create_topic(&broker.brokers, topic, parts);
        produce_to(&broker.brokers, topic, &records);
        let alerts = d.join(format!("run-{topic}.ndjson"));
        let config = d.join("run.toml");
        std::fs::write(&config, "[kafka]\nready_lag = 0\ncommit_interval = \"1s\"\n").unwrap();
        let mut args: Vec<String> = vec!["--config".into(), config.display().to_string()];
        args.extend(["--brokers".into(), broker.brokers.clone(), "--group".into(), format!("g-{topic}")]);
        args.extend(["--topic".into(), topic.into(), "--alerts".into(), alerts.display().to_string()]);
        args.extend(rule_args.iter().cloned());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut run = Run::start(&argv, d);
        run.wait_ready(Duration::from_secs(90));
        let log = run.stop();
        let got = alert_ids(&alerts);
        assert_eq!(got.len(), got.iter().collect::<BTreeSet<_>>().len(), "{topic}: an alert twice");
        assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), want, "{topic}: not the union of the hospitals\n{log}");
    }
}
