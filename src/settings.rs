//! The `run` config file (TOML) → validated [`Settings`]. Unknown keys are errors, and
//! every error names `file:line`. Command-line flags (and their `RXSENTINEL_*` variables)
//! override the file; with no file the defaults serve. See deploy/config/run.toml.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;
use toml::Spanned;

use crate::event::mapping::{Adapter, Envelope, MappingSpec};
use crate::event::EventType;
use crate::rules::duration::Span;

pub const DEFAULT_BROKERS: &str = "localhost:9092";
pub const DEFAULT_GROUP: &str = "rxsentinel";
pub const DEFAULT_TOPIC: &str = "rxsentinel.events";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileModel {
    rules: Option<PathBuf>,
    catalog: Option<PathBuf>,
    http: Option<String>,
    /// The notification file (receivers and routes; see deploy/config/notify.toml).
    notify: Option<PathBuf>,
    /// How often the rules directory is checked for changes (`0s`: never; SIGHUP and
    /// `POST /-/reload` still reload).
    rules_poll: Option<Span>,
    /// A file holding the bearer token that `POST /-/reload` must carry (absent: the
    /// endpoint is off).
    reload_token_file: Option<PathBuf>,
    #[serde(default)]
    kafka: KafkaModel,
    #[serde(default)]
    topics: Vec<Spanned<TopicModel>>,
    #[serde(default)]
    sinks: SinksModel,
    dead_letter: Option<TopicRef>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct KafkaModel {
    brokers: Option<String>,
    group: Option<String>,
    client_id: Option<String>,
    commit_interval: Option<Span>,
    delivery_timeout: Option<Span>,
    ready_lag: Option<u64>,
    /// librdkafka properties for consumer and producer alike (security.protocol, sasl.*, ssl.*).
    #[serde(default)]
    options: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    consumer: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    producer: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicModel {
    name: String,
    #[serde(rename = "type")]
    ty: Option<String>,
    #[serde(default)]
    envelope: Envelope,
    mapping: Option<MappingSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SinksModel {
    ndjson: Option<NdjsonModel>,
    kafka: Option<TopicRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NdjsonModel {
    path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicRef {
    topic: String,
}

/// Flag values that override the file (None / empty: not given).
#[derive(Default, Debug, Clone)]
pub struct Overrides {
    pub brokers: Option<String>,
    pub group: Option<String>,
    pub topics: Vec<String>,
    pub rules: Option<PathBuf>,
    pub catalog: Option<PathBuf>,
    pub alerts: Option<String>,
    pub http: Option<String>,
    pub notify: Option<PathBuf>,
    pub rules_poll: Option<Span>,
    pub reload_token_file: Option<PathBuf>,
}

/// One subscribed topic.
#[derive(Clone, Debug)]
pub struct Topic {
    pub name: String,
    /// Event type of records that carry no `type`.
    pub default_type: Option<EventType>,
    /// Vendor mapping / CDC envelope; None: records are contract JSON already.
    pub adapter: Option<Adapter>,
}

#[derive(Clone, Debug)]
pub struct KafkaSettings {
    pub brokers: String,
    pub group: String,
    pub client_id: String,
    /// Shared librdkafka properties, then consumer-only and producer-only ones.
    pub options: Vec<(String, String)>,
    pub consumer: Vec<(String, String)>,
    pub producer: Vec<(String, String)>,
    pub commit_interval: Duration,
    /// How long the producer retries an alert or dead letter before the service gives up.
    pub delivery_timeout: Duration,
    /// A partition within this many messages of its high watermark counts as caught up.
    pub ready_lag: i64,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub kafka: KafkaSettings,
    pub topics: Vec<Topic>,
    pub rules: PathBuf,
    pub catalog: Option<PathBuf>,
    pub http: Option<String>,
    /// The notification file: alerts to people (WeCom, DingTalk, mail, webhooks).
    pub notify: Option<PathBuf>,
    /// How often the rules directory is checked for changes (zero: never).
    pub rules_poll: Duration,
    /// The bearer token file of `POST /-/reload` (None: the endpoint is off).
    pub reload_token_file: Option<PathBuf>,
    /// NDJSON alert sink: a file or `-` (stdout).
    pub ndjson: Option<String>,
    /// Kafka alert sink topic.
    pub alert_topic: Option<String>,
    pub dead_letter_topic: Option<String>,
}

/// Properties rxsentinel sets itself: at-least-once depends on them.
const RESERVED: &[&str] = &[
    "bootstrap.servers",
    "group.id",
    "enable.auto.commit",
    "enable.auto.offset.store",
    "enable.idempotence",
    "acks",
    "message.timeout.ms",
    "delivery.timeout.ms",
];

impl Settings {
    /// Reads `config` (if any) and applies `o` over it.
    pub fn load(config: Option<&Path>, o: &Overrides) -> anyhow::Result<Settings> {
        let (file, name, text) = match config {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("cannot read config {}", p.display()))?;
                let file: FileModel = toml::from_str(&text).map_err(|e| {
                    let line = e.span().map_or(1, |s| line_of(&text, s.start));
                    anyhow::anyhow!("{}:{}: {}", p.display(), line, e.message())
                })?;
                (file, p.display().to_string(), text)
            }
            None => (FileModel::default(), "(defaults)".to_owned(), String::new()),
        };
        let at = |span: std::ops::Range<usize>| format!("{}:{}", name, line_of(&text, span.start));
        let k = file.kafka;
        let mut topics = Vec::new();
        if o.topics.is_empty() {
            for t in file.topics {
                let span = t.span();
                topics.push(topic(t.into_inner()).map_err(|e| anyhow::anyhow!("{}: [[topics]] {e}", at(span)))?);
            }
        } else {
            topics.extend(o.topics.iter().map(|n| Topic { name: n.clone(), default_type: None, adapter: None }));
        }
        if topics.is_empty() {
            topics.push(Topic { name: DEFAULT_TOPIC.into(), default_type: None, adapter: None });
        }
        let props = |m: BTreeMap<String, Spanned<toml::Value>>, table: &str| -> anyhow::Result<Vec<(String, String)>> {
            let mut out = Vec::new();
            for (key, v) in m {
                let span = v.span();
                if RESERVED.contains(&key.as_str()) {
                    bail!("{}: kafka.{table}.\"{key}\" is set by rxsentinel and cannot be overridden", at(span));
                }
                let value = match v.into_inner() {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    _ => bail!("{}: kafka.{table}.\"{key}\": expected a string, number or boolean", at(span)),
                };
                out.push((key, value));
            }
            Ok(out)
        };
        let kafka = KafkaSettings {
            brokers: o.brokers.clone().or(k.brokers).unwrap_or_else(|| DEFAULT_BROKERS.into()),
            group: o.group.clone().or(k.group).unwrap_or_else(|| DEFAULT_GROUP.into()),
            client_id: k.client_id.unwrap_or_else(|| "rxsentinel".into()),
            options: props(k.options, "options")?,
            consumer: props(k.consumer, "consumer")?,
            producer: props(k.producer, "producer")?,
            commit_interval: secs(k.commit_interval.unwrap_or(Span(5))),
            delivery_timeout: secs(k.delivery_timeout.unwrap_or(Span(120))),
            ready_lag: k.ready_lag.unwrap_or(1000) as i64,
        };
        if let Some((_, v)) = kafka
            .options
            .iter()
            .chain(&kafka.consumer)
            .find(|(k, v)| k == "partition.assignment.strategy" && v.contains("cooperative"))
        {
            bail!(
                "{name}: partition.assignment.strategy = \"{v}\": rxsentinel needs an eager assignor (range, the \
                 default): it keeps partition N of co-partitioned topics on one member, and each assignment \
                 is taken whole (a pipeline and its checkpoint per partition number)"
            );
        }
        if kafka.delivery_timeout.is_zero() || kafka.commit_interval.is_zero() {
            bail!("{name}: kafka.commit_interval and kafka.delivery_timeout must be > 0");
        }
        let mut ndjson = file.sinks.ndjson.map(|n| n.path);
        if let Some(a) = &o.alerts {
            ndjson = Some(a.clone());
        }
        let alert_topic = file.sinks.kafka.map(|t| t.topic);
        if ndjson.is_none() && alert_topic.is_none() {
            ndjson = Some("-".into());
        }
        Ok(Settings {
            kafka,
            topics,
            rules: o.rules.clone().or(file.rules).unwrap_or_else(|| PathBuf::from("rules")),
            catalog: o.catalog.clone().or(file.catalog),
            http: o.http.clone().or(file.http),
            notify: o.notify.clone().or(file.notify),
            rules_poll: Duration::from_secs(o.rules_poll.or(file.rules_poll).unwrap_or(Span(2)).secs() as u64),
            reload_token_file: o.reload_token_file.clone().or(file.reload_token_file),
            ndjson,
            alert_topic,
            dead_letter_topic: file.dead_letter.map(|t| t.topic),
        })
    }
}

fn topic(t: TopicModel) -> Result<Topic, String> {
    let name = t.name;
    let default_type = match t.ty.as_deref() {
        None => None,
        Some(s) => Some(EventType::parse(s).ok_or_else(|| format!("{name}: unknown type `{s}`"))?),
    };
    let adapter = match (t.envelope, t.mapping) {
        (Envelope::None, None) => None,
        (env, spec) => Some(
            Adapter::new(env, default_type, spec.unwrap_or_default()).map_err(|e| format!("{name}: mapping: {e}"))?,
        ),
    };
    Ok(Topic { name, default_type, adapter })
}

fn secs(s: Span) -> Duration {
    Duration::from_secs(s.secs().max(0) as u64)
}

/// 1-based line of byte offset `pos`.
fn line_of(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cooperative_assignor_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("run.toml");
        std::fs::write(&p, "[kafka.consumer]\n\"partition.assignment.strategy\" = \"cooperative-sticky\"\n").unwrap();
        let e = Settings::load(Some(&p), &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("eager assignor"), "{e}");
        std::fs::write(&p, "[kafka.consumer]\n\"partition.assignment.strategy\" = \"range\"\n").unwrap();
        assert!(Settings::load(Some(&p), &Overrides::default()).is_ok());
    }
}
