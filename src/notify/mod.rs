//! Alerts to people: receivers (webhook, Alertmanager, WeCom and DingTalk group robots,
//! SMTP mail), routes by kind, rule, severity, hospital and department, Alertmanager's
//! grouping timers, per-receiver rate limits and retries with backoff — behind a durable
//! queue per receiver, so no alert is lost on a receiver's outage or a restart, and none is
//! sent twice (`alert_id`).
//!
//! ```text
//! consumer loop ─ offer ─▶ route ─▶ queue (journal, fsync on settle) ─▶ worker thread
//!                                                                   (schedule → render → send)
//! ```
//!
//! The consumer loop hands each record's alerts to [`Notifier::offer`] and, before the
//! record's offset is stored, [`Notifier::sync`] makes them durable. Each receiver's own
//! thread takes what is due and sends it; a delivery is journalled before the next. A
//! receiver that is down only delays its own queue.

pub mod config;
pub mod message;
pub mod queue;
pub mod schedule;
pub mod send;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::alert::Alert;
use crate::rules::Severity;
use crate::telemetry::metrics;
use config::{Channel, GroupField, NotifyConfig, Receiver, Route};
use message::Names;
use queue::{Queue, Queued};
use schedule::{Batch, Scheduler};
use send::Outcome;

struct Lane {
    cfg: Receiver,
    queue: Mutex<Queue>,
    wake: Condvar,
}

impl Lane {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().expect("notification queue mutex not poisoned")
    }
}

pub struct Notifier {
    /// Doctor names for messages; a rules reload replaces them (a new roster).
    names: Arc<RwLock<Arc<Names>>>,
    routes: Vec<Route>,
    lanes: Vec<Arc<Lane>>,
    stop: Arc<AtomicBool>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Notifier {
    /// Opens every receiver's queue and starts its thread; what a previous run left pending
    /// is sent as soon as the receiver takes it.
    pub fn start(cfg: NotifyConfig, names: Names) -> anyhow::Result<Notifier> {
        let names = Arc::new(RwLock::new(Arc::new(names)));
        let stop = Arc::new(AtomicBool::new(false));
        let mut lanes = Vec::new();
        let mut threads = Vec::new();
        for r in cfg.receivers {
            let queue = Queue::open(&cfg.queue_dir, &r.name, cfg.retention.as_millis() as i64)?;
            if queue.depth() > 0 {
                tracing::info!(receiver = %r.name, pending = queue.depth(), "notifications left pending by the last run");
            }
            let lane = Arc::new(Lane { cfg: r, queue: Mutex::new(queue), wake: Condvar::new() });
            let (l, n, s) = (lane.clone(), names.clone(), stop.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("notify-{}", lane.cfg.name))
                    .spawn(move || deliver(&l, &n, &s))
                    .context("cannot start a notification thread")?,
            );
            lanes.push(lane);
        }
        Ok(Notifier { names, routes: cfg.routes, lanes, stop, threads: Mutex::new(threads) })
    }

    /// The doctor names of reloaded rules, for the messages sent from now on.
    pub fn set_names(&self, names: Names) {
        *self.names.write().expect("names lock not poisoned") = Arc::new(names);
    }

    /// Queues each alert for every receiver a route sends it to (buffered; see [`Self::sync`]).
    pub fn offer(&self, alerts: &[Alert]) -> anyhow::Result<()> {
        let now = now_ms();
        let mut to = Vec::new();
        for a in alerts {
            to.clear();
            for r in self.routes.iter().filter(|r| matches(r, a)) {
                to.extend(r.receivers.iter().copied());
            }
            to.sort_unstable();
            to.dedup();
            if to.is_empty() {
                continue;
            }
            let q = Queued::from(a);
            for &i in &to {
                let lane = &self.lanes[i];
                let added =
                    lane.lock().add(&q, now).with_context(|| format!("notification queue {}", lane.cfg.name))?;
                if added {
                    metrics().notifications_queued.with_label_values(&[&lane.cfg.name]).inc();
                }
            }
        }
        Ok(())
    }

    /// Makes every queued alert durable and wakes the receivers' threads.
    pub fn sync(&self) -> anyhow::Result<()> {
        for lane in &self.lanes {
            lane.lock().sync().with_context(|| format!("notification queue {}", lane.cfg.name))?;
            lane.wake.notify_one();
        }
        Ok(())
    }

    /// Stops the threads: each sends what is due within `grace`, the rest stays queued.
    pub fn shutdown(&self, grace: Duration) {
        if let Err(e) = self.sync() {
            tracing::error!("notification queues: {e:#}");
        }
        self.stop.store(true, Ordering::Relaxed);
        let deadline = Instant::now() + grace;
        for lane in &self.lanes {
            lane.wake.notify_one();
        }
        let threads = std::mem::take(&mut *self.threads.lock().expect("not poisoned"));
        for t in threads {
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
        for lane in &self.lanes {
            let q = lane.lock();
            if q.depth() > 0 {
                tracing::info!(receiver = %lane.cfg.name, pending = q.depth(), "notifications kept for the next start");
            }
        }
    }
}

fn severity_rank(s: &str) -> Option<Severity> {
    [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
        .into_iter()
        .find(|x| x.as_str() == s)
}

fn matches(r: &Route, a: &Alert) -> bool {
    let any = |list: &[String], v: Option<&str>| list.is_empty() || v.is_some_and(|v| list.iter().any(|x| x == v));
    (r.kinds.is_empty() || r.kinds.iter().any(|k| k.as_str() == a.kind))
        && any(&r.rules, Some(&a.rule))
        && any(&r.depts, a.dept.as_deref())
        && any(&r.hospitals, Some(&a.hospital))
        && r.min_severity.is_none_or(|m| severity_rank(a.severity).is_some_and(|s| s >= m))
}

fn group_key(a: &Queued, by: &[GroupField]) -> String {
    let mut k = String::new();
    for f in by {
        k.push_str(match f {
            GroupField::Rule => &a.rule,
            GroupField::Kind => &a.kind,
            GroupField::Severity => &a.severity,
            GroupField::Hospital => &a.hospital,
            GroupField::Dept => a.dept.as_deref().unwrap_or(""),
        });
        k.push('|');
    }
    k
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// A receiver's thread: offer new queue entries to the scheduler, send what is due, record
/// deliveries, back off on failures; on stop, send what is due now and leave.
fn deliver(lane: &Lane, names: &RwLock<Arc<Names>>, stop: &AtomicBool) {
    let r = &lane.cfg;
    let name = r.name.as_str();
    let http = match r.channel {
        Channel::Smtp => None,
        _ => match send::Http::new(r.timeout) {
            Ok(h) => Some(h),
            Err(e) => {
                tracing::error!(receiver = name, "cannot set up TLS for notifications: {e}");
                return;
            }
        },
    };
    let m = metrics();
    let mut sched = Scheduler::new(r.timing.clone(), Instant::now());
    let mut offered = 0u64;
    loop {
        let (batch, alerts) = {
            let q = lane.lock();
            let now = Instant::now();
            for p in q.pending_from(offered) {
                sched.offer(&group_key(&p.alert, &r.group_by), p.alert.alert_id.clone(), now);
                offered = p.seq + 1;
            }
            m.notification_queue_depth.with_label_values(&[name]).set(q.depth() as i64);
            m.notification_oldest.with_label_values(&[name]).set(q.oldest_ms().map_or(0, |ms| ms / 1000));
            match sched.next(now) {
                Some(b) => {
                    let alerts: Vec<Queued> =
                        b.ids.iter().filter_map(|id| q.get(id)).map(|p| p.alert.clone()).collect();
                    (b, alerts)
                }
                None if stop.load(Ordering::Relaxed) => return,
                None => {
                    let wait = sched.wake_at(now).map_or(Duration::from_secs(1), |t| t.saturating_duration_since(now));
                    let wait = wait.clamp(Duration::from_millis(5), Duration::from_secs(1));
                    drop(lane.wake.wait_timeout(q, wait).expect("not poisoned"));
                    continue;
                }
            }
        };
        let started = Instant::now();
        let names = names.read().expect("names lock not poisoned").clone();
        let (outcome, carried) = send_batch(r, http.as_ref(), &names, &alerts);
        m.notification_seconds.with_label_values(&[r.channel.as_str()]).observe(started.elapsed().as_secs_f64());
        let now = Instant::now();
        match outcome {
            Outcome::Sent => {
                let ids: Vec<String> = batch.ids[..carried].to_vec();
                let unsent = batch.ids[carried..].to_vec();
                let outcome = if sched.failures() > 0 { "retry" } else { "sent" };
                m.notifications.with_label_values(&[name, outcome]).inc();
                if sched.failures() > 0 {
                    tracing::info!(receiver = name, failures = sched.failures(), "notifications delivered again");
                }
                if let Err(e) = lane.lock().done(&ids, now_ms()) {
                    // The message went out; if the record of it is lost, a restart may send it again.
                    tracing::error!(receiver = name, "cannot record a delivery: {e:#}");
                }
                sched.sent(Batch { group: batch.group, ids }, unsent, now);
            }
            Outcome::Failed { why, rate_limited, retry_after } => {
                let outcome = if rate_limited { "rate_limited" } else { "failed" };
                m.notifications.with_label_values(&[name, outcome]).inc();
                let wait = sched.failed(batch, retry_after, now);
                tracing::warn!(receiver = name, channel = r.channel.as_str(), retry_in = ?wait, "notification not delivered: {why}");
            }
        }
    }
}

/// Renders and sends one message of `alerts`; how many of them it carried.
fn send_batch(r: &Receiver, http: Option<&send::Http>, names: &Names, alerts: &[Queued]) -> (Outcome, usize) {
    if alerts.is_empty() {
        return (Outcome::Sent, 0);
    }
    let refs: Vec<&Queued> = alerts.iter().collect();
    let key = idempotency(&refs);
    match (r.channel, http) {
        (Channel::Smtp, _) => {
            let (subject, body) = message::mail(&refs, r, names);
            (send::mail(r, &subject, body, &key), refs.len())
        }
        (Channel::Webhook, Some(h)) => {
            let body = serde_json::to_value(refs[0]).expect("an alert serializes");
            (h.post(r, &body, &refs[0].alert_id), 1)
        }
        (Channel::Alertmanager, Some(h)) => {
            let body = message::alertmanager(&refs, r, names, chrono::Utc::now());
            (h.post(r, &body, &key), refs.len())
        }
        (Channel::Wecom, Some(h)) => {
            let (text, n) = message::markdown(&refs, r, names, 4096, false);
            let body = serde_json::json!({"msgtype": "markdown", "markdown": {"content": text}});
            (h.post(r, &body, &idempotency(&refs[..n])), n)
        }
        (Channel::Dingtalk, Some(h)) => {
            let (text, n) = message::markdown(&refs, r, names, 18_000, true);
            let title = format!("纪检预警：{}", message::kind_zh(&refs[0].kind));
            let body = serde_json::json!({"msgtype": "markdown", "markdown": {"title": title, "text": text}});
            (h.post(r, &body, &idempotency(&refs[..n])), n)
        }
        (_, None) => (Outcome::Failed { why: "no HTTP client".into(), rate_limited: false, retry_after: None }, 0),
    }
}

/// Sends a test alert, marked as such, straight to each receiver (or the one named),
/// bypassing queues and timers: `rxsentinel notify test FILE`.
pub fn send_test(cfg: &NotifyConfig, names: &Names, only: Option<&str>) -> anyhow::Result<Vec<(String, Outcome)>> {
    let mut evidence = serde_json::Map::new();
    evidence.insert("observed".into(), 1.into());
    evidence.insert("threshold".into(), 0.into());
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let test = Queued {
        alert_id: format!("test-{}", now_ms()),
        rule: "TEST".into(),
        kind: "tongfang_query".into(),
        severity: "info".into(),
        ts: at,
        hospital: "TEST".into(),
        dept: None,
        doctor: None,
        drug: None,
        user: None,
        manufacturer: None,
        title: "【测试】rxsentinel 通知通道测试，无需处理".into(),
        evidence,
    };
    let mut out = Vec::new();
    for r in cfg.receivers.iter().filter(|r| only.is_none_or(|n| n == r.name)) {
        let http = match r.channel {
            Channel::Smtp => None,
            _ => Some(send::Http::new(r.timeout)?),
        };
        out.push((r.name.clone(), send_batch(r, http.as_ref(), names, std::slice::from_ref(&test)).0));
    }
    if let (Some(n), true) = (only, out.is_empty()) {
        anyhow::bail!("no receiver named {n:?}");
    }
    Ok(out)
}

/// One key for a message: the alert id of a single alert, else a hash of the ids.
fn idempotency(alerts: &[&Queued]) -> String {
    if alerts.len() == 1 {
        return alerts[0].alert_id.clone();
    }
    let mut h = Sha256::new();
    for a in alerts {
        h.update(a.alert_id.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(kind: &'static str, severity: &'static str, dept: Option<&str>) -> Alert {
        Alert {
            alert_id: "x".into(),
            rule: "R".into(),
            kind,
            severity,
            ts: String::new(),
            hospital: "H01".into(),
            dept: dept.map(str::to_owned),
            doctor: None,
            drug: None,
            user: None,
            manufacturer: None,
            title: String::new(),
            evidence: Default::default(),
        }
    }

    #[test]
    fn routes_match_on_kind_severity_and_department() {
        let text = "queue_dir = \"q\"\n[[receiver]]\nname = \"a\"\ntype = \"webhook\"\nurl = \"http://x\"\n\
                    [[route]]\nreceivers = [\"a\"]\nkinds = [\"surge\", \"tongfang_query\"]\nmin_severity = \"high\"\ndepts = [\"0301\"]\n";
        let c = NotifyConfig::parse(text, "n", std::path::Path::new(".")).unwrap();
        let r = &c.routes[0];
        assert!(matches(r, &alert("surge", "high", Some("0301"))));
        assert!(matches(r, &alert("surge", "critical", Some("0301"))));
        assert!(!matches(r, &alert("surge", "medium", Some("0301"))), "below min_severity");
        assert!(!matches(r, &alert("bulk_export", "high", Some("0301"))), "other kind");
        assert!(!matches(r, &alert("surge", "high", Some("0402"))), "other department");
        assert!(!matches(r, &alert("surge", "high", None)), "no department when departments are listed");
    }
}
