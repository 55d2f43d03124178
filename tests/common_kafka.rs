//! Helpers for the Kafka tests: background processes killed on drop (a tansu broker on a
//! free loopback port, a Prometheus), a producer, `rxsentinel run` as a child process with
//! SIGTERM, a tiny HTTP client, and a corpus of contract events for several hospitals.

#![allow(dead_code)]

use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers as _, Message};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port").local_addr().unwrap().port()
}

/// The tansu binary: `$TANSU_BIN`, then PATH, then `~/.cargo/bin`. Absent → the test fails.
fn tansu_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TANSU_BIN") {
        return PathBuf::from(p);
    }
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    if let Some(h) = std::env::var_os("HOME") {
        dirs.push(Path::new(&h).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join("tansu")).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "the Kafka tests need the tansu broker and it is not installed: run `bash scripts/test.sh` \
             (or `cargo install tansu --version 0.6.0 --features dynostore`), or set TANSU_BIN"
        )
    })
}

/// A background process (a broker, a Prometheus) killed when dropped. scripts/test.sh stops,
/// by pid, any that a killed test could not stop itself.
pub struct Daemon {
    child: Child,
    pid_file: Option<PathBuf>,
}

impl Daemon {
    /// Starts `cmd` with its output in `log`.
    pub fn spawn(name: &str, cmd: &mut Command, log: &Path) -> Daemon {
        let log = std::fs::File::create(log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        let pid_file =
            std::env::var_os("RXSENTINEL_TEST_PIDS").map(|dir| Path::new(&dir).join(format!("{name}-{}", child.id())));
        if let Some(f) = &pid_file {
            let _ = std::fs::write(f, child.id().to_string());
        }
        Daemon { child, pid_file }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(f) = &self.pid_file {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// A tansu broker with in-memory storage, stopped when dropped.
pub struct Tansu {
    _daemon: Daemon,
    pub brokers: String,
}

impl Tansu {
    pub fn start() -> Tansu {
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let log = std::env::temp_dir().join(format!("tansu-{port}.log"));
        let daemon = Daemon::spawn(
            "tansu",
            Command::new(tansu_bin())
                .args(["broker", "--storage-engine", "memory://tansu/", "--listener-url", &url])
                .args(["--advertised-listener-url", &url]),
            &log,
        );
        let t = Tansu { _daemon: daemon, brokers: format!("127.0.0.1:{port}") };
        wait_for(Duration::from_secs(20), "tansu to listen", || TcpStream::connect(("127.0.0.1", port)).is_ok());
        t
    }
}

pub fn wait_for(limit: Duration, what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn create_topic(brokers: &str, name: &str, partitions: i32) {
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", brokers).create().expect("admin client");
    let topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let rt = futures_block_on(admin.create_topics([&topic], &opts));
    for r in rt.expect("create topics") {
        r.unwrap_or_else(|(t, e)| panic!("create topic {t}: {e}"));
    }
}

/// A minimal executor for the admin API's futures (the tests need no runtime otherwise).
fn futures_block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

pub fn producer(brokers: &str) -> ThreadedProducer<DefaultProducerContext> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .create()
        .expect("producer")
}

/// Produces `records` (key, value) in order and waits until all are acknowledged.
pub fn produce(brokers: &str, topic: &str, records: &[(String, Vec<u8>)]) {
    let with_partition: Vec<_> = records.iter().map(|(k, v)| (None, k.clone(), v.clone())).collect();
    produce_to(brokers, topic, &with_partition);
}

/// Produces (partition or None for the key's hash, key, value) records in order.
pub fn produce_to(brokers: &str, topic: &str, records: &[(Option<i32>, String, Vec<u8>)]) {
    send_all(&producer(brokers), topic, records);
}

/// As [`produce_to`], one record per batch. Tests that restart consumers at offsets in the
/// middle of the stream need it: tansu 0.6.0 answers a fetch at an offset inside a batch
/// with the batch after it (measured: a fetch at 106188 returned 109717 first), skipping
/// the rest of the batch; Kafka returns the batch holding the offset.
pub fn produce_unbatched(brokers: &str, topic: &str, records: &[(Option<i32>, String, Vec<u8>)]) {
    send_all(&unbatched_producer(brokers), topic, records);
}

/// A producer that sends one record per batch (see [`produce_unbatched`]).
pub fn unbatched_producer(brokers: &str) -> ThreadedProducer<DefaultProducerContext> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("batch.num.messages", "1")
        .create()
        .expect("producer")
}

fn send_all(p: &ThreadedProducer<DefaultProducerContext>, topic: &str, records: &[(Option<i32>, String, Vec<u8>)]) {
    for (part, k, v) in records {
        let mut rec = BaseRecord::to(topic).key(k.as_bytes()).payload(&v[..]);
        if let Some(n) = part {
            rec = rec.partition(*n);
        }
        send(p, rec);
    }
    p.flush(Duration::from_secs(300)).expect("all records acknowledged");
}

/// Sends one record, waiting while the producer's queue is full.
pub fn send(p: &ThreadedProducer<DefaultProducerContext>, mut rec: BaseRecord<'_, [u8], [u8]>) {
    loop {
        match p.send(rec) {
            Ok(()) => return,
            Err((_, back)) => {
                rec = back;
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
}

/// Events as (key = hospital, value) from NDJSON lines.
pub fn keyed(lines: &[String]) -> Vec<(String, Vec<u8>)> {
    lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or(serde_json::Value::Null);
            let h = v.get("hospital").and_then(|h| h.as_str()).unwrap_or("none").to_owned();
            (h, l.as_bytes().to_vec())
        })
        .collect()
}

/// The hand-written cases, concatenated and copied for `hospitals` hospitals (H01, H02, …),
/// with event ids made unique per hospital: a corpus with per-event and windowed alerts.
pub fn cases_corpus(hospitals: usize) -> Vec<String> {
    let dir = root().join("fixtures/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ndjson") && !p.ends_with("bad_input.ndjson"))
        .collect();
    files.sort();
    let mut base = Vec::new();
    for f in files {
        for line in std::io::BufReader::new(std::fs::File::open(f).unwrap()).lines() {
            let line = line.unwrap();
            if !line.trim().is_empty() {
                base.push(line);
            }
        }
    }
    let mut out = Vec::new();
    for h in 1..=hospitals {
        for line in &base {
            let mut v: serde_json::Value = serde_json::from_str(line).expect("cases are JSON");
            let id = v["event_id"].as_str().unwrap_or("").to_owned();
            v["event_id"] = format!("H{h:02}-{id}").into();
            v["hospital"] = format!("H{h:02}").into();
            out.push(v.to_string());
        }
    }
    out
}

/// The demo hospital's events (fixtures/hospital), one line each.
pub fn demo_hospital_lines() -> Vec<String> {
    let gz = std::fs::File::open(root().join("fixtures/hospital/events.ndjson.gz")).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(gz), &mut text).unwrap();
    text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect()
}

/// `rxsentinel run` as a child process.
pub struct Run {
    pub child: Child,
    pub http: String,
    pub stderr: PathBuf,
}

impl Run {
    /// Starts `run` with `args` and an HTTP endpoint on a free port.
    pub fn start(args: &[&str], dir: &Path) -> Run {
        let http = format!("127.0.0.1:{}", free_port());
        let stderr = dir.join(format!("run-{}.log", free_port()));
        let child = Command::new(env!("CARGO_BIN_EXE_rxsentinel"))
            .arg("run")
            .args(args)
            .args(["--http", &http])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("start rxsentinel run");
        Run { child, http, stderr }
    }

    pub fn get(&self, path: &str) -> Option<(u16, String)> {
        http_get(&self.http, path)
    }

    pub fn ready(&self) -> bool {
        self.get("/readyz").is_some_and(|(s, _)| s == 200)
    }

    pub fn wait_ready(&mut self, limit: Duration) {
        let start = Instant::now();
        while !self.ready() {
            if let Some(st) = self.child.try_wait().unwrap() {
                panic!("run exited early ({st}): {}", self.log());
            }
            assert!(start.elapsed() < limit, "run not ready after {limit:?}: {}", self.log());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Sum of a metric's series, from /metrics.
    pub fn metric(&self, name: &str) -> f64 {
        let Some((_, body)) = self.get("/metrics") else { return -1.0 };
        body.lines()
            .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    /// Records the loop has finished with: accepted, rejected, duplicates, skipped.
    pub fn records(&self) -> f64 {
        [
            "rxsentinel_events_consumed_total",
            "rxsentinel_events_rejected_total",
            "rxsentinel_events_duplicate_total",
            "rxsentinel_records_skipped_total",
        ]
        .iter()
        .map(|m| self.metric(m).max(0.0))
        .sum()
    }

    pub fn sigterm(&self) {
        let ok = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success());
    }

    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                panic!("run did not exit within {limit:?}: {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM, then expect exit 0; returns the log.
    pub fn stop(&mut self) -> String {
        self.sigterm();
        let st = self.wait(Duration::from_secs(30));
        let log = self.log();
        assert!(st.success(), "run exited with {st}: {log}");
        log
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The "N records" figure from a run summary: accepted, rejected and duplicates.
pub fn summary_records(log: &str) -> u64 {
    log.lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix("elapsed")?;
            rest.split(", ").nth(1)?.strip_suffix(" records")?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no summary in log: {log}"))
}

pub fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    http_request(addr, "GET", path, &[])
}

/// One HTTP/1.1 request with extra header lines (`Authorization: Bearer …`); status and body.
pub fn http_request(addr: &str, method: &str, path: &str, headers: &[&str]) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    let length = if method == "POST" { "Content-Length: 0\r\n" } else { "" };
    write!(s, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}{length}Connection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.split_whitespace().nth(1)?.parse().ok()?;
    let body = buf.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    Some((status, body))
}

/// Alert ids from an NDJSON alert file.
pub fn alert_ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("alert JSON");
            v["alert_id"].as_str().expect("alert_id").to_owned()
        })
        .collect()
}

/// Reads every record of `topic` (from the start) until `n` arrived or `limit` passed.
/// A record read back: value and headers.
pub type Received = (Vec<u8>, Headers);
pub type Headers = Vec<(String, String)>;

pub fn consume_all(brokers: &str, topic: &str, n: usize, limit: Duration) -> Vec<Received> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("reader-{}", free_port()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("reader");
    c.subscribe(&[topic]).unwrap();
    let start = Instant::now();
    let mut out = Vec::new();
    while out.len() < n && start.elapsed() < limit {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(200)) {
            let headers = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|x| (x.key.to_owned(), String::from_utf8_lossy(x.value.unwrap_or_default()).into_owned()))
                        .collect()
                })
                .unwrap_or_default();
            out.push((m.payload().unwrap_or_default().to_vec(), headers));
        }
    }
    out
}

/// `H07` → 7 % parts; anything else → 0.
pub fn partition_of(hospital: &str, parts: i32) -> i32 {
    hospital.trim_start_matches(|c: char| !c.is_ascii_digit()).parse::<i32>().map_or(0, |n| n % parts)
}

/// Records keyed by hospital, each sent to partition `partition_of(hospital)`.
pub fn partitioned(lines: &[String], parts: i32) -> Vec<(Option<i32>, String, Vec<u8>)> {
    keyed(lines).into_iter().map(|(h, v)| (Some(partition_of(&h, parts)), h, v)).collect()
}

/// The alert ids a file replay gives for the same records: one replay per partition's
/// sub-stream, since each partition has a pipeline of its own.
pub fn reference_alerts(
    dir: &Path,
    records: &[(Option<i32>, String, Vec<u8>)],
    parts: i32,
    rule_args: &[String],
) -> Vec<String> {
    let mut expected = Vec::new();
    for part in 0..parts {
        let sub: Vec<&str> =
            records.iter().filter(|r| r.0 == Some(part)).map(|r| std::str::from_utf8(&r.2).unwrap()).collect();
        if sub.is_empty() {
            continue;
        }
        let input = dir.join(format!("events-{part}.ndjson"));
        std::fs::write(&input, sub.join("\n") + "\n").unwrap();
        let out_file = dir.join(format!("replay-{part}.ndjson"));
        let mut args = vec!["replay".to_owned(), "--input".into(), input.display().to_string()];
        args.extend(rule_args.iter().cloned());
        args.extend(["--alerts".into(), out_file.display().to_string()]);
        let out = Command::new(env!("CARGO_BIN_EXE_rxsentinel")).args(&args).output().unwrap();
        assert!(out.status.success(), "replay failed: {}", String::from_utf8_lossy(&out.stderr));
        expected.extend(alert_ids(&out_file));
    }
    expected
}

/// Rule arguments for the hand-written cases: the default rules with the cases' catalog.
pub fn cases_rules() -> Vec<String> {
    let rules = root().join("rules").display().to_string();
    let catalog = root().join("fixtures/cases/catalog").display().to_string();
    vec!["--rules".into(), rules, "--catalog".into(), catalog]
}
