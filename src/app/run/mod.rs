//! `run`: consume Kafka until SIGINT/SIGTERM (CONTRACT §4). The consumer loop owns the
//! main thread ([`worker`]); a one-thread tokio runtime beside it serves HTTP and waits for
//! signals. On the first SIGINT/SIGTERM the loop stops fetching, delivers, commits and
//! closes, and the process exits 0; a second exits at once. SIGHUP, a change to the rules
//! directory, or `POST /-/reload` loads the rules again ([`reload`]).

mod inflight;
mod member;
mod outbox;
mod partitions;
mod reload;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use crate::http::Health;
use crate::settings::{Overrides, Settings};
use crate::sink::kafka::{DeadLetter, KafkaOut, KafkaSink};
use crate::sink::NdjsonSink;

use member::Member;
use outbox::{Outbox, Sinks};
use partitions::{Partitions, StateConfig};
use worker::Worker;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Config file (TOML); see deploy/config/run.toml. Flags below override it.
    #[arg(long, env = "RXSENTINEL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Bootstrap brokers, HOST:PORT[,HOST:PORT…].
    #[arg(long, env = "RXSENTINEL_BROKERS")]
    pub brokers: Option<String>,
    /// Consumer group id.
    #[arg(long, env = "RXSENTINEL_GROUP")]
    pub group: Option<String>,
    /// Topic to consume (repeatable); replaces the config's [[topics]]. Records carry `type`.
    #[arg(long = "topic", env = "RXSENTINEL_TOPICS", value_delimiter = ',')]
    pub topics: Vec<String>,
    /// Rules directory.
    #[arg(long, env = "RXSENTINEL_RULES")]
    pub rules: Option<PathBuf>,
    /// Catalog directory, when not RULES/catalog.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// NDJSON alert sink: a file, or `-` for stdout.
    #[arg(long, env = "RXSENTINEL_ALERTS")]
    pub alerts: Option<String>,
    /// Serve /metrics, /healthz and /readyz on HOST:PORT.
    #[arg(long, env = "RXSENTINEL_HTTP")]
    pub http: Option<String>,
    /// Notification file: receivers (WeCom, DingTalk, mail, webhook, Alertmanager) and
    /// routes; see deploy/config/notify.toml. Alerts wait in a durable queue per receiver.
    #[arg(long, env = "RXSENTINEL_NOTIFY")]
    pub notify: Option<PathBuf>,
    /// How often the rules directory is checked for changes, which are then loaded and
    /// swapped in (`0s`: never; SIGHUP still reloads). Default 2s.
    #[arg(long, env = "RXSENTINEL_RULES_POLL", value_parser = super::span)]
    pub rules_poll: Option<crate::rules::Span>,
    /// File holding the bearer token that `POST /-/reload` on the HTTP endpoint must carry;
    /// without it that endpoint is off.
    #[arg(long, env = "RXSENTINEL_RELOAD_TOKEN_FILE")]
    pub reload_token_file: Option<PathBuf>,
    /// Keep state across restarts and rebalances: a directory (one machine, or a shared
    /// volume), or `kafka:TOPIC` (members on machines with no shared disk; the topic is
    /// created compacted when missing). Each assigned partition is restored from its latest
    /// checkpoint; a replay's checkpoint in a directory (`replay --state DIR`) seeds
    /// partitions that have none.
    #[arg(long, env = "RXSENTINEL_STATE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub checkpointing: super::Checkpointing,
}

impl RunArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            brokers: self.brokers.clone(),
            group: self.group.clone(),
            topics: self.topics.clone(),
            rules: self.rules.clone(),
            catalog: self.catalog.clone(),
            alerts: self.alerts.clone(),
            http: self.http.clone(),
            notify: self.notify.clone(),
            rules_poll: self.rules_poll,
            reload_token_file: self.reload_token_file.clone(),
        }
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(args.config.as_deref(), &args.overrides())?;
    let rules = super::replay::load_rules(&settings.rules, settings.catalog.as_deref())?;
    let started = Instant::now();
    let health = Arc::new(Health::new(settings.kafka.delivery_timeout + Duration::from_secs(30)));
    let stop = Arc::new(AtomicBool::new(false));
    let http = match &settings.http {
        Some(addr) => Some(std::net::TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?),
        None => None,
    };
    let token = settings.reload_token_file.as_deref().map(read_token).transpose()?;
    if token.is_some() && http.is_none() {
        tracing::warn!("reload_token_file is set but no http endpoint: POST /-/reload is not served");
    }
    // The endpoint and the signals first, so probes answer during a slow start (a restore);
    // reloads are taken once the partitions exist.
    let reloads: Arc<OnceLock<Arc<reload::Reloader>>> = Arc::new(OnceLock::new());
    spawn_edges(http, health.clone(), stop.clone(), token, reloads.clone())?;

    let out = match (&settings.alert_topic, &settings.dead_letter_topic) {
        (None, None) => None,
        _ => Some(KafkaOut::new(&settings.kafka)?),
    };
    let notifier = match &settings.notify {
        Some(path) => {
            let cfg = crate::notify::config::NotifyConfig::load(path)?;
            let names = crate::notify::message::Names::from_rules(&rules);
            Some(Arc::new(crate::notify::Notifier::start(cfg, names)?))
        }
        None => None,
    };
    let sinks = Sinks {
        notifier: notifier.clone(),
        ndjson: settings.ndjson.as_deref().map(NdjsonSink::open).transpose()?,
        kafka: settings.alert_topic.as_deref().zip(out.clone()).map(|(t, o)| KafkaSink::new(o, t)),
        dead_letter: settings.dead_letter_topic.as_deref().zip(out).map(|(t, o)| DeadLetter::new(o, t)),
    };
    let topics: Vec<String> = settings.topics.iter().map(|t| t.name.clone()).collect();
    let outbox = Arc::new(Outbox::new(topics.clone(), sinks));
    let state = match &args.state {
        None => None,
        Some(spec) => Some(StateConfig {
            store: match spec.to_str().and_then(|s| s.strip_prefix("kafka:")) {
                Some(topic) => Box::new(crate::checkpoint::kafka::TopicStore::open(&settings.kafka, topic)?),
                None => Box::new(crate::checkpoint::dir::DirStore::open(spec)?),
            },
            every: args.checkpointing.checkpoint_interval,
            discard_bad: args.checkpointing.discard_bad_checkpoint,
            group: settings.kafka.group.clone(),
        }),
    };
    let n_rules = rules.rules.len();
    let parts = Arc::new(Mutex::new(Partitions::new(rules, state)?));
    let reloader =
        Arc::new(reload::Reloader::new(&settings.rules, settings.catalog.as_deref(), parts.clone(), notifier.clone()));
    if !settings.rules_poll.is_zero() {
        reloader.clone().watch(settings.rules_poll, stop.clone()).context("cannot start the rules watcher")?;
    }
    let _ = reloads.set(reloader);
    let epoch = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let member = Arc::new(Member {
        outbox: outbox.clone(),
        parts: parts.clone(),
        topics: settings.topics.clone(),
        epoch: epoch.clone(),
    });
    let consumer = crate::source::kafka::consumer(&settings, member)?;
    tracing::info!(
        brokers = %settings.kafka.brokers,
        group = %settings.kafka.group,
        topics = ?topics,
        rules = n_rules,
        state = args.state.as_ref().map(|d| d.display().to_string()),
        "run starting"
    );
    let worker = Worker { settings, outbox, parts, health, stop, epoch };
    let report = worker.run(consumer);
    if let Some(n) = &notifier {
        n.shutdown(Duration::from_secs(5));
    }
    let report = report?;
    let n = report.stats.accepted() + report.stats.rejected_total() + report.stats.duplicates;
    let secs = started.elapsed().as_secs_f64();
    eprintln!("run summary\n{}", report.stats);
    for (p, s) in &report.states {
        eprintln!("  partition {p:<4}   {s}");
    }
    eprintln!("  elapsed          {secs:.2} s, {n} records");
    Ok(ExitCode::SUCCESS)
}

/// The reload token: the file's first line, at least 16 characters.
fn read_token(path: &std::path::Path) -> anyhow::Result<Arc<str>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read reload_token_file {}", path.display()))?;
    let token = text.lines().next().unwrap_or("").trim();
    if token.len() < 16 {
        anyhow::bail!(
            "{}: the reload token is shorter than 16 characters: write a random one, e.g. `openssl rand -hex 32`",
            path.display()
        );
    }
    Ok(Arc::from(token))
}

/// Starts the HTTP endpoint and the signal watcher on a one-thread runtime of their own.
/// Reloads (SIGHUP, `POST /-/reload`) go to `reloads` once it is set.
fn spawn_edges(
    http: Option<std::net::TcpListener>,
    health: Arc<Health>,
    stop: Arc<AtomicBool>,
    token: Option<Arc<str>>,
    reloads: Arc<OnceLock<Arc<reload::Reloader>>>,
) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start tokio")?;
    std::thread::Builder::new()
        .name("rxsentinel-edges".into())
        .spawn(move || {
            rt.block_on(async move {
                if let Some(l) = http {
                    let r = reloads.clone();
                    let run = move || match r.get() {
                        Some(r) => r.reload("http"),
                        None => Err("starting: the rules are not loaded yet".to_owned()),
                    };
                    let endpoint = crate::http::Reload { token, run: Arc::new(run) };
                    tokio::spawn(crate::http::serve(l, health, Some(endpoint)));
                }
                watch_signals(stop, reloads).await;
            })
        })
        .context("cannot start the signal thread")?;
    Ok(())
}

async fn watch_signals(stop: Arc<AtomicBool>, reloads: Arc<OnceLock<Arc<reload::Reloader>>>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) =
        (signal(SignalKind::terminate()), signal(SignalKind::interrupt()), signal(SignalKind::hangup()))
    else {
        tracing::error!("cannot install signal handlers");
        return;
    };
    let mut first = true;
    loop {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
            _ = hup.recv() => {
                match reloads.get() {
                    // Not awaited: a slow reload never delays a SIGTERM. Its result is
                    // logged and counted by the reload itself.
                    Some(r) => drop(tokio::task::spawn_blocking({
                        let r = r.clone();
                        move || r.reload("sighup")
                    })),
                    None => tracing::warn!("SIGHUP while starting: the rules being loaded are the current ones"),
                }
                continue;
            }
        }
        if !first {
            tracing::warn!("second signal: exiting without draining");
            std::process::exit(130);
        }
        tracing::info!("signal received: draining, committing and closing");
        stop.store(true, Ordering::Relaxed);
        first = false;
    }
}
