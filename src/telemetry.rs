//! Logging setup and every Prometheus metric, declared once. Logs go to stderr; `RUST_LOG`
//! (or `--log`) picks the level. Info-level messages never carry a doctor, patient, drug or
//! user id (those are 统方 data), and no metric label ever does: every label below takes
//! values from a small fixed set (event types, reject reasons, alert kinds and severities,
//! configured topics, partition numbers).

use std::sync::OnceLock;

use prometheus::{
    exponential_buckets, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry,
};
use tracing_subscriber::EnvFilter;

use crate::event::{EventType, RejectReason};
use crate::rules::Kind;
use crate::stats::Stats;

pub fn init(default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    // Colours only on a terminal: logs redirected to files and journals stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

/// The service's metrics. One process-wide instance: [`metrics`].
pub struct Metrics {
    pub registry: Registry,
    /// Accepted events by `type`.
    pub events: IntCounterVec,
    /// Records that did not decode, by `reason` (RejectReason).
    pub rejected: IntCounterVec,
    /// Redelivered `event_id`s, skipped.
    pub duplicates: IntCounter,
    /// Events older than the allowed lateness (per-event rules only).
    pub late: IntCounter,
    /// Valid events set aside for good: stamped ahead of their hospital's trusted time (or
    /// of this machine's clock) and never confirmed by the stream.
    pub future: IntCounter,
    /// Events held ahead of their hospital's clock, waiting for the stream to confirm them.
    pub held: IntGauge,
    /// Data-access accounts whose norms are learned, over all hospitals …
    pub access_accounts: IntGauge,
    /// … and accesses not learned because their account or role was new beyond the cap.
    pub access_over_cap: IntGauge,
    /// Records an HIS adapter skipped on purpose (tombstones, plain updates), by `reason`.
    pub skipped: IntCounterVec,
    /// Alerts by `kind` and `severity`.
    pub alerts: IntCounterVec,
    /// Alerts not emitted because an approved exception of their rule covers them, by `kind`.
    pub alerts_excepted: IntCounterVec,
    /// Records sent to the dead-letter topic, by `reason`.
    pub dead_letters: IntCounterVec,
    /// Messages behind the partition's high watermark, by `topic` and `partition`.
    pub consumer_lag: IntGaugeVec,
    /// Offset commits by `result` (ok, error).
    pub commits: IntCounterVec,
    pub commit_seconds: Histogram,
    /// Sink acceptance latency: produce → broker ack for `kafka`, write+flush for `ndjson`.
    pub delivery_seconds: HistogramVec,
    /// Rebalance callbacks by `kind` (assign, revoke, lost).
    pub rebalances: IntCounterVec,
    /// Partitions currently assigned to this member.
    pub assigned_partitions: IntGauge,
    /// 1 once assigned and caught up (as /readyz).
    pub ready: IntGauge,
    pub build_info: IntGaugeVec,
    /// Checkpoints written, by `result` (ok, error).
    pub checkpoints: IntCounterVec,
    pub checkpoint_seconds: Histogram,
    /// Size of the last checkpoint written.
    pub checkpoint_bytes: IntGauge,
    /// When the last checkpoint was made durable (its age: `time() - this`).
    pub checkpoint_last_success: IntGauge,
    /// State restores by `outcome` (restored, fresh, discarded, failed).
    pub restores: IntCounterVec,
    /// Rules reloads by `result` (ok, failed).
    pub rules_reloads: IntCounterVec,
    /// 1 when the last rules load succeeded (the start counts), 0 after a refused reload.
    pub rules_last_reload_success: IntGauge,
    /// When the rules in force were loaded.
    pub rules_last_reload_time: IntGauge,
    /// Alerts queued for a notification receiver (new `alert_id`s only), by `receiver`.
    pub notifications_queued: IntCounterVec,
    /// Notification messages by `receiver` and `outcome` (sent; retry: sent after failures;
    /// failed; rate_limited: the receiver said to slow down).
    pub notifications: IntCounterVec,
    /// Alerts waiting in a receiver's durable queue.
    pub notification_queue_depth: IntGaugeVec,
    /// When the oldest alert waiting for a receiver was queued (0: none waiting).
    pub notification_oldest: IntGaugeVec,
    /// Time to deliver one message, by `channel`.
    pub notification_seconds: HistogramVec,
}

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric")
}

impl Metrics {
    fn new() -> Metrics {
        let latency = || exponential_buckets(0.0005, 2.5, 14).expect("valid buckets");
        let m = Metrics {
            registry: Registry::new(),
            events: counter("rxsentinel_events_consumed_total", "Events accepted, by event type.", &["type"]),
            rejected: counter(
                "rxsentinel_events_rejected_total",
                "Records rejected by decode, by reason.",
                &["reason"],
            ),
            duplicates: IntCounter::new("rxsentinel_events_duplicate_total", "Redelivered event_ids, skipped.")
                .expect("valid metric"),
            late: IntCounter::new("rxsentinel_events_late_total", "Events beyond the allowed lateness.")
                .expect("valid metric"),
            future: IntCounter::new(
                "rxsentinel_events_future_total",
                "Events stamped ahead of their hospital's trusted time and set aside.",
            )
            .expect("valid metric"),
            held: IntGauge::new(
                "rxsentinel_events_held",
                "Events held ahead of their hospital's clock, waiting for the stream to confirm them.",
            )
            .expect("valid metric"),
            access_accounts: IntGauge::new(
                "rxsentinel_access_accounts",
                "Data-access accounts whose norms are learned, over all hospitals.",
            )
            .expect("valid metric"),
            access_over_cap: IntGauge::new(
                "rxsentinel_access_over_cap",
                "Accesses not learned: their account or role was new beyond the per-hospital cap.",
            )
            .expect("valid metric"),
            skipped: counter(
                "rxsentinel_records_skipped_total",
                "Records an HIS adapter skipped, by reason.",
                &["reason"],
            ),
            alerts: counter("rxsentinel_alerts_total", "Alerts emitted, by kind and severity.", &["kind", "severity"]),
            alerts_excepted: counter(
                "rxsentinel_alerts_excepted_total",
                "Alerts not emitted: an approved exception of their rule ([[rule.exception]]) covers them.",
                &["kind"],
            ),
            dead_letters: counter(
                "rxsentinel_dead_letters_total",
                "Records sent to the dead-letter topic.",
                &["reason"],
            ),
            consumer_lag: IntGaugeVec::new(
                Opts::new(
                    "rxsentinel_kafka_consumer_lag",
                    "Messages between the processed position and the high watermark.",
                ),
                &["topic", "partition"],
            )
            .expect("valid metric"),
            commits: counter("rxsentinel_kafka_commits_total", "Offset commits, by result.", &["result"]),
            commit_seconds: Histogram::with_opts(
                HistogramOpts::new("rxsentinel_kafka_commit_duration_seconds", "Offset commit latency.")
                    .buckets(latency()),
            )
            .expect("valid metric"),
            delivery_seconds: HistogramVec::new(
                HistogramOpts::new("rxsentinel_sink_delivery_duration_seconds", "Time for a sink to accept an alert.")
                    .buckets(latency()),
                &["sink"],
            )
            .expect("valid metric"),
            rebalances: counter("rxsentinel_kafka_rebalances_total", "Rebalance callbacks, by kind.", &["kind"]),
            assigned_partitions: IntGauge::new("rxsentinel_kafka_assigned_partitions", "Partitions assigned.")
                .expect("valid metric"),
            ready: IntGauge::new("rxsentinel_ready", "1 once partitions are assigned and caught up.")
                .expect("valid metric"),
            checkpoints: counter("rxsentinel_checkpoints_total", "State checkpoints written, by result.", &["result"]),
            checkpoint_seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "rxsentinel_checkpoint_duration_seconds",
                    "Time to encode and durably write a state checkpoint.",
                )
                .buckets(exponential_buckets(0.001, 2.5, 14).expect("valid buckets")),
            )
            .expect("valid metric"),
            checkpoint_bytes: IntGauge::new("rxsentinel_checkpoint_size_bytes", "Size of the last checkpoint written.")
                .expect("valid metric"),
            checkpoint_last_success: IntGauge::new(
                "rxsentinel_checkpoint_last_success_timestamp_seconds",
                "Unix time the last checkpoint was made durable (0: none yet).",
            )
            .expect("valid metric"),
            restores: counter(
                "rxsentinel_state_restores_total",
                "State restores from checkpoints, by outcome (restored, fresh, discarded, failed).",
                &["outcome"],
            ),
            rules_reloads: counter(
                "rxsentinel_rules_reloads_total",
                "Rules reloads (file change, SIGHUP, POST /-/reload), by result (ok, failed).",
                &["result"],
            ),
            rules_last_reload_success: IntGauge::new(
                "rxsentinel_rules_last_reload_success",
                "1 if the last rules load succeeded (the start counts), 0 if the last reload was refused.",
            )
            .expect("valid metric"),
            rules_last_reload_time: IntGauge::new(
                "rxsentinel_rules_last_reload_success_timestamp_seconds",
                "Unix time the rules in force were loaded (0: not a run).",
            )
            .expect("valid metric"),
            notifications_queued: counter(
                "rxsentinel_notifications_queued_total",
                "Alerts queued for a notification receiver, by receiver.",
                &["receiver"],
            ),
            notifications: counter(
                "rxsentinel_notifications_total",
                "Notification messages, by receiver and outcome (sent, retry, failed, rate_limited).",
                &["receiver", "outcome"],
            ),
            notification_queue_depth: IntGaugeVec::new(
                Opts::new("rxsentinel_notification_queue_depth", "Alerts waiting in a receiver's durable queue."),
                &["receiver"],
            )
            .expect("valid metric"),
            notification_oldest: IntGaugeVec::new(
                Opts::new(
                    "rxsentinel_notification_oldest_pending_timestamp_seconds",
                    "Unix time the oldest alert waiting for a receiver was queued (0: none waiting).",
                ),
                &["receiver"],
            )
            .expect("valid metric"),
            notification_seconds: HistogramVec::new(
                HistogramOpts::new("rxsentinel_notification_duration_seconds", "Time to deliver one notification.")
                    .buckets(vec![0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
                &["channel"],
            )
            .expect("valid metric"),
            build_info: IntGaugeVec::new(Opts::new("rxsentinel_build_info", "Build version."), &["version"])
                .expect("valid metric"),
        };
        m.register_all();
        m.prefill();
        m
    }

    /// Every collector the registry holds (the service's metrics, and `process_*` on Linux).
    fn collectors(&self) -> Vec<Box<dyn prometheus::core::Collector>> {
        #[allow(unused_mut)]
        let mut all: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(self.events.clone()),
            Box::new(self.rejected.clone()),
            Box::new(self.duplicates.clone()),
            Box::new(self.late.clone()),
            Box::new(self.future.clone()),
            Box::new(self.held.clone()),
            Box::new(self.access_accounts.clone()),
            Box::new(self.access_over_cap.clone()),
            Box::new(self.skipped.clone()),
            Box::new(self.alerts.clone()),
            Box::new(self.dead_letters.clone()),
            Box::new(self.consumer_lag.clone()),
            Box::new(self.commits.clone()),
            Box::new(self.commit_seconds.clone()),
            Box::new(self.delivery_seconds.clone()),
            Box::new(self.rebalances.clone()),
            Box::new(self.assigned_partitions.clone()),
            Box::new(self.ready.clone()),
            Box::new(self.build_info.clone()),
            Box::new(self.checkpoints.clone()),
            Box::new(self.checkpoint_seconds.clone()),
            Box::new(self.checkpoint_bytes.clone()),
            Box::new(self.checkpoint_last_success.clone()),
            Box::new(self.restores.clone()),
            Box::new(self.alerts_excepted.clone()),
            Box::new(self.rules_reloads.clone()),
            Box::new(self.rules_last_reload_success.clone()),
            Box::new(self.rules_last_reload_time.clone()),
            Box::new(self.notifications_queued.clone()),
            Box::new(self.notifications.clone()),
            Box::new(self.notification_queue_depth.clone()),
            Box::new(self.notification_oldest.clone()),
            Box::new(self.notification_seconds.clone()),
        ];
        // RSS, CPU seconds, open and max fds, threads, start time: `process_*`, read from
        // /proc/self at each scrape (the dashboard's RSS panel and the fd alert use them).
        #[cfg(target_os = "linux")]
        all.push(Box::new(prometheus::process_collector::ProcessCollector::for_self()));
        all
    }

    fn register_all(&self) {
        for c in self.collectors() {
            self.registry.register(c).expect("metric names are unique");
        }
    }

    /// Every series name /metrics can show, labelled series not yet seen included: a
    /// histogram's `_bucket`, `_sum` and `_count`, every other metric's own name. What the
    /// shipped dashboard and alerting rules may query (tests/deploy.rs checks them).
    pub fn series_names(&self) -> Vec<String> {
        use prometheus::proto::MetricType;
        let mut names = Vec::new();
        for f in self.collectors().iter().flat_map(|c| c.collect()) {
            let name = f.name();
            match f.get_field_type() {
                MetricType::HISTOGRAM => names.extend(["_bucket", "_sum", "_count"].map(|s| format!("{name}{s}"))),
                _ => names.push(name.to_owned()),
            }
        }
        names.sort();
        names
    }

    /// Series that exist from the start read 0 rather than absent, so rates work at once.
    fn prefill(&self) {
        for t in EventType::ALL {
            self.events.with_label_values(&[t.as_str()]);
        }
        for r in RejectReason::ALL {
            self.rejected.with_label_values(&[r.as_str()]);
        }
        for r in ["ok", "error"] {
            self.commits.with_label_values(&[r]);
            self.checkpoints.with_label_values(&[r]);
        }
        for o in ["restored", "fresh", "discarded", "failed"] {
            self.restores.with_label_values(&[o]);
        }
        for r in ["ok", "failed"] {
            self.rules_reloads.with_label_values(&[r]);
        }
        self.build_info.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
    }

    /// Adds what `now` counted since `last` (a pipeline's [`Stats`]) and remembers `now`.
    pub fn add_stats(&self, now: &Stats, last: &mut Stats) {
        for t in EventType::ALL {
            let i = t as usize;
            self.events.with_label_values(&[t.as_str()]).inc_by(now.events[i] - last.events[i]);
        }
        for r in RejectReason::ALL {
            let i = r as usize;
            self.rejected.with_label_values(&[r.as_str()]).inc_by(now.rejected[i] - last.rejected[i]);
        }
        for k in Kind::ALL {
            let i = k as usize;
            let n = now.excepted[i].saturating_sub(last.excepted[i]);
            if n > 0 {
                self.alerts_excepted.with_label_values(&[k.as_str()]).inc_by(n);
            }
        }
        self.duplicates.inc_by(now.duplicates - last.duplicates);
        self.late.inc_by(now.late - last.late);
        self.future.inc_by(now.future - last.future);
        last.clone_from(now);
    }

    /// The text exposition format, for `/metrics`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus::TextEncoder::new().encode_utf8(&self.registry.gather(), &mut out) {
            tracing::warn!("cannot encode metrics: {e}");
        }
        out
    }
}

/// The process-wide metrics, created on first use.
pub fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(Metrics::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_names_list_untouched_labelled_metrics_histogram_series_and_process_metrics() {
        let m = Metrics::new();
        let names = m.series_names();
        for n in [
            "rxsentinel_kafka_consumer_lag",
            "rxsentinel_notification_queue_depth",
            "rxsentinel_checkpoint_duration_seconds_bucket",
            "rxsentinel_checkpoint_duration_seconds_count",
        ] {
            assert!(names.iter().any(|x| x == n), "{n} missing from {names:?}");
        }
        assert!(!names.iter().any(|x| x == "rxsentinel_checkpoint_duration_seconds"));
        // The registry's own text shows the process metrics (Linux).
        #[cfg(target_os = "linux")]
        for n in ["process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds"] {
            assert!(names.iter().any(|x| x == n), "{n} missing");
            assert!(m.render().lines().any(|l| l.starts_with(&format!("{n} "))), "{n} not rendered");
        }
    }
}
