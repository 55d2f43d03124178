//! Load driver for the Kafka figures in docs/performance.md (not a test: timings never go in
//! a timed test).
//!
//! ```text
//! kafka_load create BROKERS TOPIC PARTITIONS
//! kafka_load produce BROKERS TOPIC EVENTS.ndjson
//!     produce every line, keyed by hospital, as fast as the broker takes them
//! kafka_load drain BROKERS TOPIC N
//!     read N records with a bare consumer (no processing): the broker/client ceiling
//! kafka_load latency BROKERS TOPIC ALERT_TOPIC EVENTS.ndjson RATE SECONDS
//!     produce lines at RATE events/s for SECONDS, with a probe every 50 ms: an `access`
//!     event that is a 统方 query by a unique user, so it raises exactly one alert at once;
//!     read ALERT_TOPIC and report produce → alert latency percentiles over the probes
//! ```

use std::collections::HashMap;
use std::io::BufRead;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};

fn producer(brokers: &str) -> ThreadedProducer<DefaultProducerContext> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .expect("producer")
}

/// The `hospital` value of a contract line, without parsing the whole record.
fn hospital(line: &str) -> &str {
    line.split_once("\"hospital\":\"").and_then(|(_, r)| r.split_once('"')).map_or("", |(h, _)| h)
}

fn send(p: &ThreadedProducer<DefaultProducerContext>, topic: &str, key: &str, value: &[u8]) {
    let mut rec = BaseRecord::to(topic).key(key).payload(value);
    loop {
        match p.send(rec) {
            Ok(()) => return,
            Err((_, back)) => {
                rec = back;
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
}

fn lines(path: &str) -> impl Iterator<Item = String> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    std::io::BufReader::with_capacity(1 << 20, f).lines().map_while(Result::ok).filter(|l| !l.trim().is_empty())
}

fn produce(brokers: &str, topic: &str, path: &str) {
    let p = producer(brokers);
    let start = Instant::now();
    let mut n = 0u64;
    for l in lines(path) {
        send(&p, topic, hospital(&l), l.as_bytes());
        n += 1;
    }
    p.flush(Duration::from_secs(300)).expect("flush");
    let s = start.elapsed().as_secs_f64();
    println!("produced {n} events in {s:.1} s: {:.0} events/s", n as f64 / s);
}

fn latency(brokers: &str, topic: &str, alert_topic: &str, path: &str, rate: u64, seconds: u64) {
    let (tx, rx) = mpsc::channel::<(String, Instant)>();
    let reader = {
        let brokers = brokers.to_owned();
        let alert_topic = alert_topic.to_owned();
        std::thread::spawn(move || read_alerts(&brokers, &alert_topic, rx, seconds))
    };
    std::thread::sleep(Duration::from_secs(3)); // the reader joins and is assigned
    let p = producer(brokers);
    let mut src = lines(path);
    let first = src.next().expect("events");
    let day = first.split_once("\"ts\":\"").map(|(_, r)| &r[..10]).expect("ts").to_owned();
    let per_tick = rate / 100; // every 10 ms
    let start = Instant::now();
    let (mut sent, mut probes, mut tick) = (0u64, 0u64, 0u64);
    while start.elapsed() < Duration::from_secs(seconds) {
        for _ in 0..per_tick {
            let l = src.next().expect("enough events for the run");
            send(&p, topic, hospital(&l), l.as_bytes());
            sent += 1;
        }
        if tick % 5 == 0 {
            let user = format!("probe{probes}");
            let probe = format!(
                r#"{{"type":"access","event_id":"{user}","ts":"{day}T23:40:00+08:00","hospital":"H01","user":"{user}","role":"it","action":"query","object":"门诊处方明细","rows":80,"group_by":["doctor","drug"]}}"#
            );
            tx.send((user, Instant::now())).unwrap();
            send(&p, topic, "H01", probe.as_bytes());
            probes += 1;
        }
        tick += 1;
        let next = start + Duration::from_millis(10 * tick);
        if let Some(d) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
    }
    drop(tx);
    p.flush(Duration::from_secs(30)).expect("flush");
    let secs = start.elapsed().as_secs_f64();
    println!("sent {sent} events + {probes} probes in {secs:.1} s: {:.0} events/s", sent as f64 / secs);
    reader.join().unwrap();
}

fn read_alerts(brokers: &str, topic: &str, probes: mpsc::Receiver<(String, Instant)>, seconds: u64) {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("latency-{}", std::process::id()))
        .set("auto.offset.reset", "latest")
        .set("fetch.wait.max.ms", "10")
        .create()
        .expect("consumer");
    c.subscribe(&[topic]).expect("subscribe");
    let mut sent: HashMap<String, Instant> = HashMap::new();
    let mut lat = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(seconds + 15);
    while Instant::now() < deadline {
        let m = c.poll(Duration::from_millis(5));
        let now = Instant::now();
        sent.extend(probes.try_iter());
        let Some(Ok(m)) = m else { continue };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(m.payload().unwrap_or_default()) else { continue };
        if let Some(t) = v["user"].as_str().and_then(|u| sent.remove(u)) {
            lat.push(now.duration_since(t).as_secs_f64() * 1000.0);
        }
    }
    lat.sort_by(f64::total_cmp);
    let pct = |q: f64| lat.get(((lat.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    println!(
        "probe alerts {} (missing {}): latency ms p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
        lat.len(),
        sent.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
}

fn create(brokers: &str, topic: &str, partitions: i32) {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    let admin: AdminClient<rdkafka::client::DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", brokers).create().expect("admin");
    let t = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    for r in rt.block_on(admin.create_topics([&t], &AdminOptions::new())).expect("create topics") {
        r.unwrap_or_else(|(t, e)| panic!("{t}: {e}"));
    }
}

/// Reads `n` records with a plain group consumer and no processing: the broker's ceiling.
/// `KAFKA_LOAD_OPTS="key=value,…"` adds librdkafka properties.
fn drain(brokers: &str, topic: &str, n: u64) {
    let mut cfg = ClientConfig::new();
    cfg.set("bootstrap.servers", brokers)
        .set("group.id", format!("drain-{}", std::process::id()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false");
    for kv in std::env::var("KAFKA_LOAD_OPTS").unwrap_or_default().split(',').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').expect("key=value");
        cfg.set(k, v);
    }
    let c: BaseConsumer = cfg.create().expect("consumer");
    c.subscribe(&[topic]).expect("subscribe");
    let start = Instant::now();
    let (mut got, mut bytes) = (0u64, 0usize);
    while got < n {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(100)) {
            got += 1;
            bytes += m.payload().map_or(0, <[u8]>::len);
        }
    }
    let s = start.elapsed().as_secs_f64();
    println!("drained {got} records ({} MB) in {s:.1} s: {:.0} records/s", bytes >> 20, got as f64 / s);
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    match a.get(1..) {
        Some(["create", brokers, topic, n]) => create(brokers, topic, n.parse().expect("partitions")),
        Some(["produce", brokers, topic, path]) => produce(brokers, topic, path),
        Some(["drain", brokers, topic, n]) => drain(brokers, topic, n.parse().expect("count")),
        Some(["latency", brokers, topic, alerts, path, rate, secs]) => {
            latency(brokers, topic, alerts, path, rate.parse().expect("rate"), secs.parse().expect("seconds"))
        }
        _ => {
            eprintln!(
                "usage: kafka_load create BROKERS TOPIC PARTITIONS | drain BROKERS TOPIC N | produce BROKERS TOPIC FILE | latency BROKERS TOPIC ALERT_TOPIC FILE RATE SECONDS"
            );
            std::process::exit(2);
        }
    }
}
