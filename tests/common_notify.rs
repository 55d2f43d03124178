//! Local receivers for the notification tests: an HTTP server standing in for a webhook,
//! Alertmanager, a WeCom or a DingTalk robot (it records every request and can be switched
//! down or to answering "rate limited"), and a local SMTP server with STARTTLS and AUTH
//! (aiosmtpd, tests/support/smtp_sink.py).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When it arrived.
    pub at: std::time::Instant,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn query(&self, key: &str) -> Option<&str> {
        let q = self.target.split_once('?')?.1;
        q.split('&').find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
    }
}

/// How the receiver answers.
#[derive(Copy, Clone, Debug, PartialEq)]
#[repr(u8)]
pub enum Mode {
    Up = 0,
    /// 503 to everything (the receiver is down).
    Down = 1,
    /// A robot's "too fast" (`errcode` given at start), an HTTP 429 for the others.
    RateLimited = 2,
}

/// Answers like a plain HTTP endpoint, or like a WeCom / DingTalk robot (`{"errcode":0}`).
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Style {
    Plain,
    Robot { limited_code: i64 },
}

pub struct Hook {
    pub url: String,
    reqs: Arc<Mutex<Vec<Req>>>,
    mode: Arc<AtomicU8>,
}

impl Hook {
    pub fn start(style: Style) -> Hook {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let reqs: Arc<Mutex<Vec<Req>>> = Arc::default();
        let mode = Arc::new(AtomicU8::new(Mode::Up as u8));
        let (r, m) = (reqs.clone(), mode.clone());
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let (r, m) = (r.clone(), m.clone());
                std::thread::spawn(move || serve(s, style, &r, &m));
            }
        });
        Hook { url, reqs, mode }
    }

    pub fn set(&self, m: Mode) {
        self.mode.store(m as u8, Ordering::SeqCst);
    }

    /// Requests answered with success.
    pub fn accepted(&self) -> Vec<Req> {
        self.reqs.lock().unwrap().iter().filter(|r| r.method != "REFUSED").cloned().collect()
    }

    /// Requests refused (down or rate limited).
    pub fn refused(&self) -> usize {
        self.reqs.lock().unwrap().iter().filter(|r| r.method == "REFUSED").count()
    }
}

fn serve(mut s: TcpStream, style: Style, reqs: &Mutex<Vec<Req>>, mode: &AtomicU8) {
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    if r.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
            headers.push((k.to_owned(), v.trim().to_owned()));
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok();
    let body = String::from_utf8_lossy(&body).into_owned();
    let m = mode.load(Ordering::SeqCst);
    let (status, answer) = match (m, style) {
        (0, Style::Plain) => (200, "{}".to_owned()),
        (0, Style::Robot { .. }) => (200, r#"{"errcode":0,"errmsg":"ok"}"#.to_owned()),
        (2, Style::Plain) => (429, "{}".to_owned()),
        (2, Style::Robot { limited_code }) => (200, format!(r#"{{"errcode":{limited_code},"errmsg":"too fast"}}"#)),
        _ => (503, "down".to_owned()),
    };
    let method = if m == 0 { method } else { "REFUSED".to_owned() };
    reqs.lock().unwrap().push(Req { method, target, headers, body, at: std::time::Instant::now() });
    let reason = if status == 200 { "OK" } else { "Not OK" };
    let _ = write!(
        s,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

/// aiosmtpd on a free port with a self-signed certificate for `localhost`; messages land in
/// `dir/mail`.
pub struct Smtp {
    child: Child,
    pub port: u16,
    pub ca: PathBuf,
    pub mail: PathBuf,
}

pub const SMTP_USER: &str = "rxsentinel";
pub const SMTP_PASSWORD: &str = "s3cret-pw";

impl Smtp {
    pub fn start(dir: &Path) -> Smtp {
        let cert = dir.join("smtp-cert.pem");
        let key = dir.join("smtp-key.pem");
        let ok = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl (Debian's openssl package)");
        assert!(ok.success(), "openssl could not make a certificate");
        let mail = dir.join("mail");
        std::fs::create_dir_all(&mail).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(&cert)
            .arg(&key)
            .arg(&mail)
            .args([SMTP_USER, SMTP_PASSWORD])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert_eq!(
            first.trim(),
            "ready",
            "the SMTP test server did not start: it needs aiosmtpd (`pip install aiosmtpd`; scripts/test.sh installs it)"
        );
        Smtp { child, port, ca: cert, mail }
    }

    /// The messages received so far: headers, then the body decoded from its transfer
    /// encoding (base64 or quoted-printable).
    pub fn messages(&self) -> Vec<String> {
        self.raw().iter().map(|m| decode_mail(m)).collect()
    }

    fn raw(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.mail)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect()
    }
}

fn decode_mail(raw: &str) -> String {
    use base64::Engine as _;
    let (head, body) = raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")).unwrap_or((raw, ""));
    let enc = head.to_ascii_lowercase();
    let text = if enc.contains("content-transfer-encoding: base64") {
        let b64: String = body.split_whitespace().collect();
        String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(b64).expect("base64 body"))
            .into_owned()
    } else if enc.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let b = joined.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                if let Ok(x) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                    out.push(x);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    } else {
        body.to_owned()
    };
    format!("{head}\n\n{text}")
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A notification file for the local receivers. `timing` is appended to every robot.
pub fn notify_file(dir: &Path, hooks: &Receivers, smtp: Option<&Smtp>, timing: &str) -> PathBuf {
    let secret = dir.join("dingtalk.secret");
    std::fs::write(&secret, format!("{DINGTALK_SECRET}\n")).unwrap();
    let pw = dir.join("smtp.password");
    std::fs::write(&pw, SMTP_PASSWORD).unwrap();
    let mut t = format!(
        r#"queue_dir = "{q}"

[[receiver]]
name = "hook"
type = "webhook"
url = "{webhook}/alerts"
retry_max = "2s"

[[receiver]]
name = "am"
type = "alertmanager"
url = "{am}"
retry_max = "2s"

[[receiver]]
name = "wecom"
type = "wecom"
url = "{wecom}/cgi-bin/webhook/send?key=TESTKEY"
retry_max = "2s"
{timing}

[[receiver]]
name = "ding"
type = "dingtalk"
url = "{ding}/robot/send?access_token=TESTTOKEN"
secret_file = "{secret}"
doctor = "none"
retry_max = "2s"
{timing}

[[route]]
receivers = ["hook", "am", "wecom", "ding"]
"#,
        q = dir.join("queues").display(),
        webhook = hooks.webhook.url,
        am = hooks.am.url,
        wecom = hooks.wecom.url,
        ding = hooks.ding.url,
        secret = secret.display(),
    );
    if let Some(s) = smtp {
        t.push_str(&format!(
            r#"
[[receiver]]
name = "mail"
type = "smtp"
smarthost = "localhost:{port}"
from = "rxsentinel@his.local"
to = ["jijian@his.local"]
username = "{SMTP_USER}"
password_file = "{pw}"
ca_file = "{ca}"
retry_max = "2s"
{timing}

[[route]]
receivers = ["mail"]
"#,
            port = s.port,
            pw = pw.display(),
            ca = s.ca.display(),
        ));
    }
    let p = dir.join("notify.toml");
    std::fs::write(&p, t).unwrap();
    p
}

pub const DINGTALK_SECRET: &str = "SECtest0123456789";

pub struct Receivers {
    pub webhook: Hook,
    pub am: Hook,
    pub wecom: Hook,
    pub ding: Hook,
}

impl Receivers {
    pub fn start() -> Receivers {
        Receivers {
            webhook: Hook::start(Style::Plain),
            am: Hook::start(Style::Plain),
            wecom: Hook::start(Style::Robot { limited_code: 45009 }),
            ding: Hook::start(Style::Robot { limited_code: 130101 }),
        }
    }
}

/// Checks a DingTalk request's signature as DingTalk does: timestamp within an hour and
/// `sign` = urlencode(base64(HMAC-SHA256(secret, "{timestamp}\n{secret}"))).
pub fn dingtalk_signature_ok(r: &Req) -> bool {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let (Some(ts), Some(sign)) = (r.query("timestamp"), r.query("sign")) else { return false };
    let Ok(t) = ts.parse::<i64>() else { return false };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    if (now - t).abs() > 3_600_000 {
        return false;
    }
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(DINGTALK_SECRET.as_bytes()).unwrap();
    mac.update(format!("{ts}\n{DINGTALK_SECRET}").as_bytes());
    let want = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let got = sign.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=");
    got == want
}
