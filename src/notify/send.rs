//! Delivery over the wire: HTTP POSTs (webhook, Alertmanager, WeCom and DingTalk robots,
//! DingTalk's 加签 signing) and SMTP mail. Blocking, on the notifier's threads. Errors are
//! described without the URL (a robot's URL carries its key) or any secret.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::config::{Channel, Receiver, Secret, Tls};

/// What an attempt came to.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Sent,
    /// Not delivered; `rate_limited` when the receiver said to slow down, with how long
    /// when it said.
    Failed {
        why: String,
        rate_limited: bool,
        retry_after: Option<Duration>,
    },
}

fn failed(why: impl Into<String>) -> Outcome {
    Outcome::Failed { why: why.into(), rate_limited: false, retry_after: None }
}

pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    pub fn new(timeout: Duration) -> anyhow::Result<Http> {
        let tls = native_tls::TlsConnector::new()?;
        let agent = ureq::AgentBuilder::new()
            .timeout(timeout)
            .tls_connector(Arc::new(tls))
            .user_agent(concat!("rxsentinel/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Http { agent })
    }

    /// POSTs `body` as JSON; `idempotency` names the alerts so a receiver can drop repeats.
    pub fn post(&self, r: &Receiver, body: &Value, idempotency: &str) -> Outcome {
        let Some(Secret(base)) = &r.url else { return failed("no url") };
        let url = match r.channel {
            Channel::Alertmanager => format!("{}/api/v2/alerts", base.trim_end_matches('/')),
            Channel::Dingtalk => match &r.secret {
                Some(s) => dingtalk_signed(base, &s.0, now_ms()),
                None => base.clone(),
            },
            _ => base.clone(),
        };
        let mut req = self.agent.post(&url).set("Content-Type", "application/json; charset=utf-8");
        req = req.set("Idempotency-Key", idempotency);
        if let Some(t) = &r.token {
            req = req.set("Authorization", &format!("Bearer {}", t.0));
        }
        match req.send_string(&body.to_string()) {
            Ok(resp) => {
                let text = resp.into_string().unwrap_or_default();
                match r.channel {
                    Channel::Wecom | Channel::Dingtalk => robot_answer(r.channel, &text),
                    _ => Outcome::Sent,
                }
            }
            Err(ureq::Error::Status(code, resp)) => {
                let retry_after =
                    resp.header("Retry-After").and_then(|s| s.trim().parse::<u64>().ok()).map(Duration::from_secs);
                Outcome::Failed { why: format!("HTTP {code}"), rate_limited: code == 429, retry_after }
            }
            Err(ureq::Error::Transport(t)) => failed(format!("transport: {}", t.kind())),
        }
    }
}

/// WeCom and DingTalk answer 200 with `{"errcode": …}`; 0 is success.
fn robot_answer(channel: Channel, text: &str) -> Outcome {
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => return failed("robot answer is not JSON"),
    };
    let code = v.get("errcode").and_then(Value::as_i64).unwrap_or(-1);
    if code == 0 {
        return Outcome::Sent;
    }
    let msg: String = v.get("errmsg").and_then(Value::as_str).unwrap_or("").chars().take(120).collect();
    // WeCom 45009: API frequency out of limit. DingTalk 130101: sending too fast (the robot
    // is throttled for ten minutes).
    let (rate_limited, retry_after) = match (channel, code) {
        (Channel::Wecom, 45009) => (true, Some(Duration::from_secs(60))),
        (Channel::Dingtalk, 130101) => (true, Some(Duration::from_secs(600))),
        _ => (false, None),
    };
    Outcome::Failed { why: format!("errcode {code} {msg}"), rate_limited, retry_after }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// DingTalk 加签: `sign = urlencode(base64(HMAC-SHA256(secret, "{timestamp}\n{secret}")))`,
/// appended with the timestamp (ms) to the robot's URL.
pub fn dingtalk_signed(url: &str, secret: &str, ts_ms: i64) -> String {
    format!("{url}{}timestamp={ts_ms}&sign={}", if url.contains('?') { '&' } else { '?' }, dingtalk_sign(secret, ts_ms))
}

pub fn dingtalk_sign(secret: &str, ts_ms: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{ts_ms}\n{secret}").as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut out = String::with_capacity(b64.len() + 8);
    for c in b64.chars() {
        match c {
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            '=' => out.push_str("%3D"),
            c => out.push(c),
        }
    }
    out
}

/// Sends one mail to the receiver's addresses.
pub fn mail(r: &Receiver, subject: &str, body: String, message_id: &str) -> Outcome {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Certificate, Tls as LTls, TlsParameters};
    use lettre::{Message, SmtpTransport, Transport};

    let Some(s) = &r.smtp else { return failed("no smtp settings") };
    let mut m = Message::builder().subject(subject).message_id(Some(format!("<{message_id}@rxsentinel>")));
    match s.from.parse() {
        Ok(f) => m = m.from(f),
        Err(e) => return failed(format!("from: {e}")),
    }
    for to in &s.to {
        match to.parse() {
            Ok(t) => m = m.to(t),
            Err(e) => return failed(format!("to: {e}")),
        }
    }
    let email = match m.header(ContentType::TEXT_PLAIN).body(body) {
        Ok(e) => e,
        Err(e) => return failed(format!("message: {e}")),
    };
    let tls = if s.tls == Tls::None {
        LTls::None
    } else {
        let mut p = TlsParameters::builder(s.host.clone());
        if let Some(ca) = &s.ca_file {
            let cert = std::fs::read(ca)
                .map_err(|e| e.to_string())
                .and_then(|pem| Certificate::from_pem(&pem).map_err(|e| e.to_string()));
            match cert {
                Ok(c) => p = p.add_root_certificate(c),
                Err(e) => return failed(format!("ca_file: {e}")),
            }
        }
        match p.build_native() {
            Ok(p) if s.tls == Tls::Starttls => LTls::Required(p),
            Ok(p) => LTls::Wrapper(p),
            Err(e) => return failed(format!("tls: {e}")),
        }
    };
    let mut b = SmtpTransport::builder_dangerous(&s.host).port(s.port).tls(tls).timeout(Some(r.timeout));
    if let (Some(u), Some(p)) = (&s.username, &s.password) {
        b = b.credentials(Credentials::new(u.clone(), p.0.clone()));
    }
    match b.build().send(&email) {
        Ok(_) => Outcome::Sent,
        Err(e) => Outcome::Failed {
            why: format!("smtp: {e}"),
            rate_limited: e.status().is_some_and(|c| c.to_string() == "421" || c.to_string() == "451"),
            retry_after: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dingtalk_signature_matches_the_documented_algorithm() {
        // Computed independently: python3 -c 'import hmac,hashlib,base64,urllib.parse;
        // s="SECabc";t=1700000000000;print(urllib.parse.quote_plus(base64.b64encode(
        // hmac.new(s.encode(),f"{t}\n{s}".encode(),hashlib.sha256).digest())))'
        assert_eq!(dingtalk_sign("SECabc", 1_700_000_000_000), "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D");
        let u = dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc", 1_700_000_000_000);
        assert!(u.starts_with("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign="));
    }

    #[test]
    fn robot_answers_are_read() {
        assert_eq!(robot_answer(Channel::Wecom, r#"{"errcode":0,"errmsg":"ok"}"#), Outcome::Sent);
        match robot_answer(Channel::Wecom, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#) {
            Outcome::Failed { rate_limited: true, .. } => {}
            o => panic!("{o:?}"),
        }
        match robot_answer(Channel::Dingtalk, r#"{"errcode":310000,"errmsg":"sign not match"}"#) {
            Outcome::Failed { rate_limited: false, why, .. } => assert!(why.contains("310000")),
            o => panic!("{o:?}"),
        }
    }
}
