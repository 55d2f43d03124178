//! The notification file (`run --notify FILE`, see deploy/config/notify.toml): receivers,
//! routes and where the queues live. Unknown keys are errors and every error names
//! `file:line`. Secrets (robot URLs, signing secrets, passwords, tokens) come from a file
//! or an environment variable; they are never logged and `Debug` shows them redacted.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use serde::Deserialize;
use toml::Spanned;

use super::schedule::Timing;
use crate::rules::problem::line_of;
use crate::rules::{Kind, Severity, Span};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    queue_dir: PathBuf,
    dedup_retention: Option<Span>,
    #[serde(default)]
    receiver: Vec<Spanned<ReceiverModel>>,
    #[serde(default)]
    route: Vec<Spanned<RouteModel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiverModel {
    name: String,
    #[serde(rename = "type")]
    channel: Channel,
    url: Option<String>,
    url_file: Option<PathBuf>,
    url_env: Option<String>,
    secret_file: Option<PathBuf>,
    secret_env: Option<String>,
    token_file: Option<PathBuf>,
    token_env: Option<String>,
    // SMTP
    smarthost: Option<String>,
    from: Option<String>,
    #[serde(default)]
    to: Vec<String>,
    username: Option<String>,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
    tls: Option<Tls>,
    ca_file: Option<PathBuf>,
    // content and timing
    doctor: Option<DoctorShown>,
    link: Option<String>,
    evidence: Option<bool>,
    group_by: Option<Vec<GroupField>>,
    group_wait: Option<Span>,
    group_interval: Option<Span>,
    max_alerts: Option<usize>,
    rate_limit: Option<String>,
    retry_max: Option<Span>,
    timeout: Option<Span>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteModel {
    receivers: Vec<String>,
    #[serde(default)]
    kinds: Vec<Kind>,
    #[serde(default)]
    rules: Vec<String>,
    min_severity: Option<Severity>,
    #[serde(default)]
    depts: Vec<String>,
    #[serde(default)]
    hospitals: Vec<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Webhook,
    Alertmanager,
    Wecom,
    Dingtalk,
    Smtp,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Alertmanager => "alertmanager",
            Channel::Wecom => "wecom",
            Channel::Dingtalk => "dingtalk",
            Channel::Smtp => "smtp",
        }
    }

    /// Defaults that suit the channel: machines take alerts one by one at once; people's
    /// group robots get digests within their 20 messages a minute; mail fewer, larger ones.
    fn timing(self) -> Timing {
        let s = Duration::from_secs;
        let (wait, interval, max, rate) = match self {
            Channel::Webhook => (s(0), s(0), 1, None),
            Channel::Alertmanager => (s(0), s(0), 64, None),
            Channel::Wecom | Channel::Dingtalk => (s(30), s(300), 10, Some((20, s(60)))),
            Channel::Smtp => (s(60), s(600), 50, Some((30, s(3600)))),
        };
        Timing { group_wait: wait, group_interval: interval, max_alerts: max, rate, retry_min: s(1), retry_max: s(300) }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    /// Plain connection upgraded with STARTTLS (submission port 587); refused without it.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host.
    None,
}

/// How a message names the doctor of an alert.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DoctorShown {
    /// Not at all (department and alert id only).
    None,
    /// The staff id (工号).
    #[default]
    Id,
    /// The roster's name beside the staff id.
    Name,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupField {
    Rule,
    Kind,
    Severity,
    Hospital,
    Dept,
}

/// A secret's value; `Debug` never shows it.
#[derive(Clone, PartialEq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Clone, Debug)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub to: Vec<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub tls: Tls,
    pub ca_file: Option<PathBuf>,
}

#[derive(Clone, Debug)]
pub struct Receiver {
    pub name: String,
    pub channel: Channel,
    /// The endpoint (HTTP channels); for robots it carries the key, so it is a secret.
    pub url: Option<Secret>,
    /// DingTalk 加签 secret (`SEC…`).
    pub secret: Option<Secret>,
    /// Webhook: sent as `Authorization: Bearer …`.
    pub token: Option<Secret>,
    pub smtp: Option<Smtp>,
    pub doctor: DoctorShown,
    /// "Where to look": a URL with `{alert_id}`, e.g. the office's case page.
    pub link: Option<String>,
    /// Mail only: the alert's evidence as JSON below the summary.
    pub evidence: bool,
    pub group_by: Vec<GroupField>,
    pub timing: Timing,
    pub timeout: Duration,
}

#[derive(Clone, Debug)]
pub struct Route {
    /// Indices into the receiver list.
    pub receivers: Vec<usize>,
    pub kinds: Vec<Kind>,
    pub rules: Vec<String>,
    pub min_severity: Option<Severity>,
    pub depts: Vec<String>,
    pub hospitals: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct NotifyConfig {
    pub queue_dir: PathBuf,
    pub retention: Duration,
    pub receivers: Vec<Receiver>,
    pub routes: Vec<Route>,
}

impl NotifyConfig {
    pub fn load(path: &Path) -> anyhow::Result<NotifyConfig> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text, &path.display().to_string(), path.parent().unwrap_or(Path::new(".")))
    }

    /// `name` is the file's name in errors; relative secret files are relative to `base`.
    pub fn parse(text: &str, name: &str, base: &Path) -> anyhow::Result<NotifyConfig> {
        let file: FileModel = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            anyhow!("{name}:{line}: {}", e.message())
        })?;
        let at = |span: std::ops::Range<usize>| format!("{name}:{}", line_of(text, span.start));
        let mut receivers: Vec<Receiver> = Vec::new();
        for r in file.receiver {
            let span = r.span();
            let r = r.into_inner();
            let label = r.name.clone();
            if receivers.iter().any(|x| x.name == r.name) {
                bail!("{}: receiver {label}: a second receiver of that name", at(span));
            }
            receivers.push(receiver(r, base).map_err(|e| anyhow!("{}: receiver {label}: {e:#}", at(span)))?);
        }
        let mut routes = Vec::new();
        for r in file.route {
            let span = r.span();
            let r = r.into_inner();
            let mut idx = Vec::new();
            for n in &r.receivers {
                match receivers.iter().position(|x| &x.name == n) {
                    Some(i) => idx.push(i),
                    None => bail!("{}: route: no receiver named {n:?}", at(span)),
                }
            }
            if idx.is_empty() {
                bail!("{}: route: `receivers` is empty", at(span));
            }
            routes.push(Route {
                receivers: idx,
                kinds: r.kinds,
                rules: r.rules,
                min_severity: r.min_severity,
                depts: r.depts,
                hospitals: r.hospitals,
            });
        }
        if !receivers.is_empty() && routes.is_empty() {
            bail!("{name}: receivers but no [[route]]: no alert would reach them");
        }
        let retention = file.dedup_retention.unwrap_or(Span::days_n(30));
        if retention.secs() < 86_400 {
            bail!("{name}: dedup_retention = {retention}: must be at least 1d (a restart re-reads what was not committed)");
        }
        let queue_dir = if file.queue_dir.is_relative() { base.join(file.queue_dir) } else { file.queue_dir };
        Ok(NotifyConfig { queue_dir, retention: Duration::from_secs(retention.secs() as u64), receivers, routes })
    }
}

fn receiver(r: ReceiverModel, base: &Path) -> anyhow::Result<Receiver> {
    if r.name.is_empty() || !r.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        bail!("name: letters, digits, - _ . only (it names the queue file and a metric label)");
    }
    let secret = |value: Option<String>, file: Option<PathBuf>, env: Option<String>, key: &str| {
        read_secret(value, file.map(|f| if f.is_relative() { base.join(f) } else { f }), env, key)
    };
    let channel = r.channel;
    let url = secret(r.url, r.url_file, r.url_env, "url")?;
    let is_http = channel != Channel::Smtp;
    if is_http {
        let Some(u) = &url else { bail!("`url`, `url_file` or `url_env` is required for type {}", channel.as_str()) };
        if !(u.0.starts_with("http://") || u.0.starts_with("https://")) {
            bail!("the url must start with http:// or https://");
        }
    } else if url.is_some() {
        bail!("an smtp receiver takes `smarthost`, not a url");
    }
    let signing = secret(None, r.secret_file, r.secret_env, "secret")?;
    if signing.is_some() && channel != Channel::Dingtalk {
        bail!("`secret_*` (加签) is for type dingtalk only");
    }
    let token = secret(None, r.token_file, r.token_env, "token")?;
    if token.is_some() && !matches!(channel, Channel::Webhook | Channel::Alertmanager) {
        bail!("`token_*` is for types webhook and alertmanager");
    }
    let smtp = if channel == Channel::Smtp {
        let host = r.smarthost.ok_or_else(|| anyhow!("`smarthost` (HOST:PORT) is required"))?;
        let (h, p) = host.rsplit_once(':').ok_or_else(|| anyhow!("smarthost {host:?}: expected HOST:PORT"))?;
        let port: u16 = p.parse().map_err(|_| anyhow!("smarthost {host:?}: bad port"))?;
        let from = r.from.ok_or_else(|| anyhow!("`from` is required"))?;
        if r.to.is_empty() {
            bail!("`to` needs at least one address");
        }
        for a in std::iter::once(&from).chain(&r.to) {
            if a.parse::<lettre::Address>().is_err() && a.parse::<lettre::message::Mailbox>().is_err() {
                bail!("{a:?} is not a mail address");
            }
        }
        let password = secret(None, r.password_file, r.password_env, "password")?;
        if password.is_some() != r.username.is_some() {
            bail!("`username` and a password (`password_file` / `password_env`) go together");
        }
        let tls = r.tls.unwrap_or(Tls::Starttls);
        if tls == Tls::None && password.is_some() {
            bail!("tls = \"none\" with a password would send it in clear: use starttls or tls");
        }
        Some(Smtp {
            host: h.to_owned(),
            port,
            from,
            to: r.to,
            username: r.username,
            password,
            tls,
            ca_file: r.ca_file.map(|f| if f.is_relative() { base.join(f) } else { f }),
        })
    } else {
        if r.smarthost.is_some() || r.from.is_some() || !r.to.is_empty() || r.username.is_some() || r.tls.is_some() {
            bail!("smarthost, from, to, username, tls are for type smtp");
        }
        None
    };
    if let Some(ca) = smtp.as_ref().and_then(|s| s.ca_file.as_ref()) {
        std::fs::metadata(ca).with_context(|| format!("ca_file {}", ca.display()))?;
    }
    if let Some(l) = &r.link {
        if !l.contains("{alert_id}") {
            bail!("link {l:?}: must contain {{alert_id}}");
        }
    }
    let mut timing = channel.timing();
    if let Some(w) = r.group_wait {
        timing.group_wait = dur(w, "group_wait", 0, 86_400)?;
    }
    if let Some(w) = r.group_interval {
        timing.group_interval = dur(w, "group_interval", 0, 7 * 86_400)?;
    }
    if let Some(m) = r.max_alerts {
        if !(1..=100).contains(&m) {
            bail!("max_alerts = {m}: must be in 1..=100");
        }
        if channel == Channel::Webhook && m != 1 {
            bail!("max_alerts: a webhook takes one alert per request");
        }
        timing.max_alerts = m;
    }
    if let Some(s) = &r.rate_limit {
        timing.rate = rate(s)?;
    }
    if let Some(m) = r.retry_max {
        timing.retry_max = dur(m, "retry_max", 1, 86_400)?;
    }
    let timeout = match r.timeout {
        Some(t) => dur(t, "timeout", 1, 300)?,
        None => Duration::from_secs(10),
    };
    Ok(Receiver {
        name: r.name,
        channel,
        url,
        secret: signing,
        token,
        smtp,
        doctor: r.doctor.unwrap_or_default(),
        link: r.link,
        evidence: r.evidence.unwrap_or(channel == Channel::Smtp),
        group_by: r.group_by.unwrap_or_else(|| vec![GroupField::Rule, GroupField::Dept]),
        timing,
        timeout,
    })
}

fn dur(s: Span, key: &str, min: i64, max: i64) -> anyhow::Result<Duration> {
    if s.secs() < min || s.secs() > max {
        bail!("{key} = {s}: must be in {}..={}", Span(min), Span(max));
    }
    Ok(Duration::from_secs(s.secs() as u64))
}

/// `"20/1m"`: at most 20 messages a minute; `"none"`: unlimited.
fn rate(s: &str) -> anyhow::Result<Option<(u32, Duration)>> {
    if s == "none" {
        return Ok(None);
    }
    let err = || anyhow!("rate_limit {s:?}: expected N/DURATION (e.g. \"20/1m\") or \"none\"");
    let (n, per) = s.split_once('/').ok_or_else(err)?;
    let n: u32 = n.trim().parse().map_err(|_| err())?;
    let per = Span::parse(per).ok_or_else(err)?;
    if n == 0 || per.secs() <= 0 {
        return Err(err());
    }
    Ok(Some((n, Duration::from_secs(per.secs() as u64))))
}

fn read_secret(
    value: Option<String>,
    file: Option<PathBuf>,
    env: Option<String>,
    key: &str,
) -> anyhow::Result<Option<Secret>> {
    let given = [value.is_some(), file.is_some(), env.is_some()].iter().filter(|b| **b).count();
    if given > 1 {
        bail!("give one of `{key}`, `{key}_file`, `{key}_env`");
    }
    let v = if let Some(v) = value {
        v
    } else if let Some(f) = file {
        std::fs::read_to_string(&f)
            .with_context(|| format!("{key}_file {}: cannot read", f.display()))?
            .trim()
            .to_owned()
    } else if let Some(e) = env {
        std::env::var(&e).map_err(|_| anyhow!("{key}_env: ${e} is not set"))?.trim().to_owned()
    } else {
        return Ok(None);
    };
    if v.is_empty() {
        bail!("{key} is empty");
    }
    Ok(Some(Secret(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> anyhow::Result<NotifyConfig> {
        NotifyConfig::parse(s, "notify.toml", Path::new("/tmp"))
    }

    #[test]
    fn a_full_file_parses_with_channel_defaults() {
        std::env::set_var("RXS_TEST_WECOM_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc");
        let c = parse(
            r#"
queue_dir = "/var/lib/rxsentinel/notify"
[[receiver]]
name = "office"
type = "wecom"
url_env = "RXS_TEST_WECOM_URL"
[[receiver]]
name = "mail"
type = "smtp"
smarthost = "mail.his.local:587"
from = "rxsentinel@his.local"
to = ["jijian@his.local"]
[[route]]
receivers = ["office", "mail"]
min_severity = "high"
kinds = ["tongfang_query"]
"#,
        )
        .unwrap();
        assert_eq!(c.receivers[0].timing.rate, Some((20, Duration::from_secs(60))));
        assert_eq!(c.receivers[0].timing.group_wait, Duration::from_secs(30));
        assert!(format!("{:?}", c.receivers[0]).contains("Secret(…)"));
        assert!(!format!("{:?}", c.receivers[0]).contains("key=abc"), "secrets are not in Debug");
        assert_eq!(c.receivers[1].smtp.as_ref().unwrap().tls, Tls::Starttls);
        assert!(c.receivers[1].evidence);
        assert_eq!(c.routes[0].receivers, [0, 1]);
        assert_eq!(c.retention, Duration::from_secs(30 * 86_400));
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let e =
            parse("queue_dir = \"q\"\n[[receiver]]\nname = \"a\"\ntype = \"wecom\"\nurl = \"https://x\"\ncolour = 1\n")
                .unwrap_err()
                .to_string();
        assert!(e.starts_with("notify.toml:") && e.contains("colour"), "{e}");
        let e =
            parse("queue_dir = \"q\"\n\n[[receiver]]\nname = \"a\"\ntype = \"dingtalk\"\n").unwrap_err().to_string();
        assert!(e.starts_with("notify.toml:3: receiver a:") && e.contains("url"), "{e}");
        let e = parse("queue_dir = \"q\"\n[[receiver]]\nname = \"a\"\ntype = \"webhook\"\nurl = \"https://x\"\n[[route]]\nreceivers = [\"b\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("notify.toml:6: route: no receiver named \"b\""), "{e}");
        let e = parse("queue_dir = \"q\"\n[[receiver]]\nname = \"a\"\ntype = \"wecom\"\nurl = \"https://x\"\nrate_limit = \"20 a minute\"\n[[route]]\nreceivers = [\"a\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rate_limit"), "{e}");
        let e = parse("queue_dir = \"q\"\n[[receiver]]\nname = \"m\"\ntype = \"smtp\"\nsmarthost = \"h:25\"\nfrom = \"a@b\"\nto = [\"c@d\"]\ntls = \"none\"\nusername = \"u\"\npassword_env = \"HOME\"\n[[route]]\nreceivers = [\"m\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("in clear"), "{e}");
    }
}
