//! `run --state DIR` against a real Kafka-protocol broker (tansu):
//! - SIGKILL at random points while it consumes a multi-week, three-hospital stream, then a
//!   restart each time: the alert ids delivered (deduplicated) and the final statistics and
//!   state sizes equal an uninterrupted run's, and those alerts equal a file replay's;
//! - a corrupted checkpoint stops the start with an error naming it;
//! - a backfill from a file (`replay --state`), then `run` on the same directory over a topic
//!   holding the stream from before the backfill's end: it asks for the offsets of the
//!   backfill's time, absorbs the overlap, and the alerts of both are the alerts of one
//!   replay of the whole.

mod common_kafka;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseRecord, Producer};

use common_kafka::*;

/// The demo hospital (H01) as hospitals H00, H01, …: one per partition (`partition_of`).
fn hospitals(n: usize) -> Vec<String> {
    let base = demo_hospital_lines();
    let mut out = Vec::new();
    for h in 0..n {
        for l in &base {
            let l = l.replacen("\"hospital\":\"H01\"", &format!("\"hospital\":\"H{h:02}\""), 1);
            out.push(l.replacen("\"event_id\":\"", &format!("\"event_id\":\"H{h:02}-"), 1));
        }
    }
    out
}

/// The test's directory, kept when `RXS_KEEP` is set (to read the members' logs).
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().disable_cleanup(std::env::var_os("RXS_KEEP").is_some()).tempdir().unwrap();
    eprintln!("in {}", dir.path().display());
    dir
}

fn run_args(broker: &str, group: &str, dir: &Path, alerts: &str, state: &str) -> Vec<String> {
    let config = dir.join("run.toml");
    // A killed member leaves the group after the session timeout: short, so restarts take
    // their partitions back in seconds.
    let conf =
        "[kafka]\nready_lag = 0\n[kafka.consumer]\n\"session.timeout.ms\" = 6000\n\"heartbeat.interval.ms\" = 500\n";
    std::fs::write(&config, conf).unwrap();
    let mut a: Vec<String> = vec!["--config".into(), config.display().to_string()];
    a.extend(["--brokers", broker, "--group", group, "--topic", "events"].map(String::from));
    a.extend(["--rules".into(), root().join("rules").display().to_string()]);
    a.extend(["--alerts".into(), dir.join(alerts).display().to_string()]);
    a.extend(["--state".into(), dir.join(state).display().to_string(), "--checkpoint-interval".into(), "1s".into()]);
    a
}

fn start(args: &[String], dir: &Path) -> Run {
    Run::start(&args.iter().map(String::as_str).collect::<Vec<_>>(), dir)
}

/// The summary lines that must not depend on restarts: the counters and each partition's
/// state sizes (everything but the elapsed time).
fn final_figures(log: &str) -> Vec<String> {
    let from = log.find("run summary").unwrap_or_else(|| panic!("no summary: {log}"));
    log[from..].lines().filter(|l| !l.trim_start().starts_with("elapsed")).map(str::to_owned).collect()
}

#[test]
fn killed_at_random_points_it_resumes_from_its_checkpoints_exactly() {
    let dir = workdir();
    let broker = Tansu::start();
    const PARTS: i32 = 2;
    create_topic(&broker.brokers, "events", PARTS);
    let lines = hospitals(PARTS as usize);
    let records = partitioned(&lines, PARTS);
    let t = Instant::now();
    produce_unbatched(&broker.brokers, "events", &records);
    eprintln!("produced {} records in {:.1} s", records.len(), t.elapsed().as_secs_f64());
    let total = records.len() as f64;
    let rule_args = vec!["--rules".to_owned(), root().join("rules").display().to_string()];
    let expected: BTreeSet<String> = reference_alerts(dir.path(), &records, PARTS, &rule_args).into_iter().collect();
    assert!(expected.len() > 50, "the corpus raises alerts: {}", expected.len());

    // Uninterrupted, with the same checkpointing.
    let mut once = start(&run_args(&broker.brokers, "once", dir.path(), "once.ndjson", "once-state"), dir.path());
    once.wait_ready(Duration::from_secs(180));
    let once_log = once.stop();
    let once_ids: BTreeSet<String> = alert_ids(&dir.path().join("once.ndjson")).into_iter().collect();
    assert_eq!(once_ids, expected, "an uninterrupted run alerts as a replay does");

    // Killed (SIGKILL) at pseudo-random points, restarted each time.
    let args = run_args(&broker.brokers, "killed", dir.path(), "killed.ndjson", "killed-state");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut kills = 0;
    let mut done_at_kill = Vec::new();
    while kills < 6 {
        let mut r = start(&args, dir.path());
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Kill after this process consumed 2–12 % of the stream (a few seconds of it), at a
        // pseudo-random point; each restart goes on from the last checkpoint.
        let want = (0.02 + (seed % 100) as f64 / 1000.0) * total;
        let t = Instant::now();
        loop {
            if let Some(st) = r.child.try_wait().unwrap() {
                panic!("run exited ({st}): {}", r.log());
            }
            if r.records() >= want || t.elapsed() > Duration::from_secs(60) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        done_at_kill.push(r.records());
        r.child.kill().unwrap();
        r.child.wait().unwrap();
        kills += 1;
    }
    let mut last = start(&args, dir.path());
    last.wait_ready(Duration::from_secs(180));
    let last_log = last.stop();
    let delivered: Vec<String> = alert_ids(&dir.path().join("killed.ndjson"));
    let ids: BTreeSet<String> = delivered.iter().cloned().collect();
    eprintln!(
        "killed {kills} times after {done_at_kill:?} records; {} alerts delivered, {} distinct",
        delivered.len(),
        ids.len()
    );
    assert_eq!(ids, once_ids, "the alert ids delivered across the kills equal an uninterrupted run's");
    assert_eq!(
        final_figures(&last_log),
        final_figures(&once_log),
        "the final statistics and state sizes equal an uninterrupted run's (nothing counted twice or lost)"
    );
    assert!(last_log.contains("state restored"), "the last start restored its state: {last_log}");

    // A corrupted checkpoint stops the start, naming it.
    let state = dir.path().join("killed-state");
    let mut cps: Vec<_> = std::fs::read_dir(&state).unwrap().map(|e| e.unwrap().path()).collect();
    cps.sort();
    let victim = cps.iter().rfind(|p| p.file_name().unwrap().to_string_lossy().starts_with("killed.p1.")).unwrap();
    let mut bytes = std::fs::read(victim).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(victim, bytes).unwrap();
    let mut bad = start(&args, dir.path());
    let st = bad.wait(Duration::from_secs(60));
    let log = bad.log();
    assert!(!st.success(), "a corrupted checkpoint must stop the start: {log}");
    let name = victim.file_name().unwrap().to_string_lossy().into_owned();
    assert!(log.contains(&name) && log.contains("checksum mismatch"), "{log}");
}

/// Produces lines keyed by hospital with the record timestamp set to the event time, as a
/// CDC pipeline that stamps records with the source's commit time does.
fn produce_stamped(brokers: &str, topic: &str, lines: &[String]) {
    let p = unbatched_producer(brokers);
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let ts = chrono::DateTime::parse_from_rfc3339(v["ts"].as_str().unwrap()).unwrap().timestamp_millis();
        let key = v["hospital"].as_str().unwrap().as_bytes();
        send(&p, BaseRecord::to(topic).key(key).payload(l.as_bytes()).partition(0).timestamp(ts));
    }
    p.flush(Duration::from_secs(300)).unwrap();
}

#[test]
fn a_backfill_from_files_goes_live_from_kafka_with_the_alerts_of_one_replay() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::start();
    create_topic(&broker.brokers, "events", 1);
    let lines = demo_hospital_lines();
    let cut = lines.len() * 3 / 5;
    let write = |name: &str, ls: &[String]| {
        let p = dir.path().join(name);
        std::fs::write(&p, ls.join("\n") + "\n").unwrap();
        p
    };
    let (whole, history) = (write("whole.ndjson", &lines), write("history.ndjson", &lines[..cut]));
    let rules = root().join("rules").display().to_string();
    let replay = |input: &Path, alerts: &str, extra: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_rxsentinel"))
            .args(["replay", "--no-progress", "--rules", &rules, "--alerts"])
            .arg(dir.path().join(alerts))
            .arg("--input")
            .arg(input)
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    replay(&whole, "reference.ndjson", &[]);
    let state = dir.path().join("state").display().to_string();
    replay(&history, "backfill.ndjson", &["--state", &state]);
    // The topic holds the stream from well before the backfill's end (a CDC topic kept
    // for weeks): the history's last fifth overlaps.
    produce_stamped(&broker.brokers, "events", &lines[cut * 4 / 5..]);

    let mut r = start(&run_args(&broker.brokers, "live", dir.path(), "live.ndjson", "state"), dir.path());
    r.wait_ready(Duration::from_secs(180));
    let log = r.stop();
    // It asked the broker for the offsets of the backfill's time. (tansu 0.6.0 answers every
    // time query with the first offset, so here it reads the whole topic and dedup and the
    // allowed lateness absorb the overlap; Kafka's time index starts it near the end.)
    assert!(log.contains("starting at the backfill's time"), "{log}");
    let mut got: BTreeSet<String> = alert_ids(&dir.path().join("backfill.ndjson")).into_iter().collect();
    got.extend(alert_ids(&dir.path().join("live.ndjson")));
    let want: BTreeSet<String> = alert_ids(&dir.path().join("reference.ndjson")).into_iter().collect();
    assert_eq!(got, want, "backfill + live = one replay of the whole");
}

#[test]
fn two_members_on_the_kafka_store_one_killed_the_survivor_restores_from_the_topic() {
    let dir = workdir();
    let broker = Tansu::start();
    const PARTS: i32 = 2;
    create_topic(&broker.brokers, "events", PARTS);
    // Two hospitals of five weeks each, one per partition.
    let base: Vec<String> = demo_hospital_lines().into_iter().take(60_000).collect();
    let mut lines = Vec::new();
    for h in 0..PARTS {
        for l in &base {
            let l = l.replacen("\"hospital\":\"H01\"", &format!("\"hospital\":\"H{h:02}\""), 1);
            lines.push(l.replacen("\"event_id\":\"", &format!("\"event_id\":\"H{h:02}-"), 1));
        }
    }
    let records = partitioned(&lines, PARTS);
    let rule_args = vec!["--rules".to_owned(), root().join("rules").display().to_string()];
    let expected: BTreeSet<String> = reference_alerts(dir.path(), &records, PARTS, &rule_args).into_iter().collect();
    // The first half of each partition now, the rest after A is gone.
    let half = |first: bool| -> Vec<_> {
        let n = base.len();
        records.iter().enumerate().filter(|(i, _)| (i % n < n / 2) == first).map(|(_, r)| r.clone()).collect()
    };
    produce_unbatched(&broker.brokers, "events", &half(true));

    let args = |alerts: &str| {
        let mut a = run_args(&broker.brokers, "pair", dir.path(), alerts, "unused");
        let at = a.iter().position(|x| x == "--state").unwrap();
        a[at + 1] = "kafka:rxsentinel-state".into();
        a
    };
    let mut a = start(&args("a.ndjson"), dir.path());
    let mut b = start(&args("b.ndjson"), dir.path());
    wait_for(Duration::from_secs(120), "each member to own a partition, catch up and checkpoint", || {
        a.metric("rxsentinel_kafka_assigned_partitions") == 1.0
            && b.metric("rxsentinel_kafka_assigned_partitions") == 1.0
            && a.ready()
            && b.ready()
            && a.metric("rxsentinel_checkpoints_total{result=\"ok\"}") >= 1.0
    });
    // A checkpoint interval more, so that A's checkpoint covers all it consumed.
    std::thread::sleep(Duration::from_millis(2500));
    let metrics = a.get("/metrics").expect("A's metrics").1;
    let owned = metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix("rxsentinel_kafka_consumer_lag{partition=\"")?.split('"').next().map(str::to_owned)
        })
        .expect("A's partition in its lag metric");
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    produce_unbatched(&broker.brokers, "events", &half(false));
    // With Kafka, B takes A's partition once A's session expires. tansu 0.6.0 does not
    // hand a dead member's partitions to the members left (measured: the survivor is
    // reassigned only its own), so a replacement member starts, as an orchestrator would
    // restart the pod, on another "machine" (nothing shared but the state topic).
    let mut c = start(&args("c.ndjson"), dir.path());
    wait_for(Duration::from_secs(120), "B and C to share the partitions", || {
        b.metric("rxsentinel_kafka_assigned_partitions") == 1.0
            && c.metric("rxsentinel_kafka_assigned_partitions") == 1.0
    });
    b.wait_ready(Duration::from_secs(120));
    c.wait_ready(Duration::from_secs(120));
    let logs = [b.stop(), c.stop()].join("\n");
    assert!(
        logs.contains(&format!("state restored checkpoint=kafka:rxsentinel-state/pair.p{owned}@")),
        "A's partition was restored from the state topic by the member that took it: {logs}"
    );
    let mut got: BTreeSet<String> = alert_ids(&dir.path().join("a.ndjson")).into_iter().collect();
    got.extend(alert_ids(&dir.path().join("b.ndjson")));
    got.extend(alert_ids(&dir.path().join("c.ndjson")));
    assert_eq!(got, expected, "the alerts of A, B and C are the alerts of the whole stream");

    // A bit flipped in the state topic: the latest chunk of a partition's checkpoint is
    // rewritten with one byte changed; the next member to restore it stops, naming it.
    let state = read_topic(&broker.brokers, "rxsentinel-state");
    let manifest: serde_json::Value = serde_json::from_slice(&state["pair.p0"]).unwrap();
    let seq = manifest["versions"][0]["seq"].as_u64().unwrap();
    let writer = manifest["versions"][0]["writer"].as_str().unwrap();
    let chunk_key = format!("pair.p0/{seq:010}-{writer}/00000");
    let mut chunk = state[&chunk_key].clone();
    let mid = chunk.len() / 2;
    chunk[mid] ^= 0x40;
    produce_to(&broker.brokers, "rxsentinel-state", &[(Some(0), chunk_key, chunk)]);
    let mut d = start(&args("d.ndjson"), dir.path());
    // D joins a group whose members just left: tansu may hold the rebalance until their
    // sessions expire (45 s each by default); under load that took more than 120 s twice.
    let st = d.wait(Duration::from_secs(300));
    let log = d.log();
    assert!(!st.success(), "a corrupted checkpoint in the topic stops the start: {log}");
    assert!(
        log.contains(&format!("kafka:rxsentinel-state/pair.p0@{seq}")) && log.contains("checksum mismatch"),
        "{log}"
    );
}

/// Each key's latest value in partition 0 of `topic`.
fn read_topic(brokers: &str, topic: &str) -> std::collections::HashMap<String, Vec<u8>> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::message::Message;
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "state-reader-test")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let (lo, hi) = c.fetch_watermarks(topic, 0, Duration::from_secs(10)).unwrap();
    let mut tpl = rdkafka::TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, rdkafka::Offset::Offset(lo)).unwrap();
    c.assign(&tpl).unwrap();
    let mut out = std::collections::HashMap::new();
    let (mut next, t) = (lo, Instant::now());
    while next < hi && t.elapsed() < Duration::from_secs(60) {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(200)) {
            next = m.offset() + 1;
            let key = String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned();
            match m.payload() {
                Some(v) => out.insert(key, v.to_vec()),
                None => out.remove(&key),
            };
        }
    }
    out
}
