//! Notification receivers through the CLI (`rxsentinel notify check|test`), against local
//! receivers: a webhook, Alertmanager, WeCom and DingTalk robots (shapes, the DingTalk
//! signature, the WeCom size limit) and an SMTP server requiring STARTTLS and AUTH.
//! The service's own delivery path (queues, grouping, outages, restarts) is in
//! tests/kafka_notify.rs.

mod common;
mod common_notify;

use common::{bin, root};
use common_notify::*;

#[test]
fn a_test_message_reaches_every_kind_of_receiver_in_its_own_shape() {
    let dir = tempfile::tempdir().unwrap();
    let hooks = Receivers::start();
    let smtp = Smtp::start(dir.path());
    let file = notify_file(dir.path(), &hooks, Some(&smtp), "");
    let out = bin().args(["notify", "test"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    for r in ["hook", "am", "wecom", "ding", "mail"] {
        assert!(stdout.contains(&format!("{r}: sent")), "{stdout}");
    }

    // Webhook: the CONTRACT §3 alert as JSON, its id as the idempotency key.
    let w = &hooks.webhook.accepted()[0];
    assert_eq!((w.method.as_str(), w.target.as_str()), ("POST", "/alerts"));
    let a = w.json();
    for f in ["alert_id", "rule", "kind", "severity", "ts", "hospital", "title", "evidence"] {
        assert!(a.get(f).is_some(), "{f} missing: {a}");
    }
    assert_eq!(w.header("Idempotency-Key"), a["alert_id"].as_str());

    // Alertmanager: POST /api/v2/alerts, a list of postable alerts.
    let am = &hooks.am.accepted()[0];
    assert_eq!(am.target, "/api/v2/alerts");
    let list = am.json();
    let x = &list[0];
    assert_eq!(x["labels"]["alertname"], "tongfang_query");
    assert!(x["labels"]["alert_id"].is_string() && x["annotations"]["summary"].is_string());
    assert!(x["startsAt"].is_string() && x["endsAt"].is_string());

    // WeCom: markdown within 4096 bytes; the key stays in the URL.
    let wc = &hooks.wecom.accepted()[0];
    assert_eq!(wc.target, "/cgi-bin/webhook/send?key=TESTKEY");
    let body = wc.json();
    assert_eq!(body["msgtype"], "markdown");
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(content.len() <= 4096 && content.contains("测试"), "{content}");

    // DingTalk: signed (timestamp + HMAC-SHA256), markdown with a title.
    let d = &hooks.ding.accepted()[0];
    assert!(d.target.starts_with("/robot/send?access_token=TESTTOKEN&timestamp="), "{}", d.target);
    assert!(dingtalk_signature_ok(d), "bad signature: {}", d.target);
    let body = d.json();
    assert_eq!(body["msgtype"], "markdown");
    assert!(body["markdown"]["title"].is_string() && body["markdown"]["text"].as_str().unwrap().contains("测试"));

    // Mail: over STARTTLS with AUTH (the server refuses anything else), UTF-8 subject.
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("To: jijian@his.local") && mails[0].contains("Subject:"), "{}", mails[0]);
    assert!(
        mails[0].contains("【测试】rxsentinel 通知通道测试") && mails[0].contains("内容不含患者信息"),
        "{}",
        mails[0]
    );
}

#[test]
fn a_receiver_that_fails_is_named_without_its_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let hooks = Receivers::start();
    hooks.wecom.set(Mode::RateLimited);
    hooks.webhook.set(Mode::Down);
    let file = notify_file(dir.path(), &hooks, None, "");
    let out = bin().args(["notify", "test"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("wecom: FAILED — errcode 45009"), "{stdout}");
    assert!(stdout.contains("hook: FAILED — HTTP 503"), "{stdout}");
    assert!(stdout.contains("ding: sent"), "{stdout}");
    assert!(!stdout.contains("TESTKEY"), "the robot's key is a secret: {stdout}");

    // Only the one named.
    let out = bin().args(["notify", "test", "--receiver", "ding"]).arg(&file).output().unwrap();
    assert!(out.status.success());
    assert_eq!(hooks.ding.accepted().len(), 2);
}

#[test]
fn the_shipped_example_checks_and_a_bad_file_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let example = root().join("deploy/config/notify.toml");
    let secret = dir.path().join("s");
    std::fs::write(&secret, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x").unwrap();
    let out = bin()
        .args(["notify", "check"])
        .arg(&example)
        .env("RXSENTINEL_WECOM_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
        .env("RXSENTINEL_DINGTALK_URL", "https://oapi.dingtalk.com/robot/send?access_token=x")
        .env("RXSENTINEL_DINGTALK_SECRET", "SECx")
        .env("RXSENTINEL_SMTP_PASSWORD", "pw")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("receiver(s)"));

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "queue_dir = \"q\"\n\n[[receiver]]\nname = \"w\"\ntype = \"wecom\"\nurl_file = \"missing\"\n")
        .unwrap();
    let out = bin().args(["notify", "check"]).arg(&bad).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("bad.toml:3: receiver w: url_file") && err.contains("cannot read"), "{err}");
}

/// A real Alertmanager (Debian's prometheus-alertmanager) takes what the `alertmanager`
/// receiver posts: the alert shows in its own API with our labels and annotations.
#[test]
fn a_real_alertmanager_accepts_the_alerts() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let bin_am = ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("Alertmanager is not installed: apt-get install prometheus-alertmanager (scripts/test.sh does)");
    let cfg = dir.path().join("am.yml");
    std::fs::write(&cfg, "route:\n  receiver: office\nreceivers:\n  - name: office\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut am = Command::new(bin_am)
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill<'a>(&'a mut std::process::Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(&mut am);
    let file = dir.path().join("notify.toml");
    std::fs::write(
        &file,
        format!(
            "queue_dir = \"q\"\n[[receiver]]\nname = \"am\"\ntype = \"alertmanager\"\nurl = \"http://127.0.0.1:{port}\"\n[[route]]\nreceivers = [\"am\"]\n"
        ),
    )
    .unwrap();
    let get = || http_body(port, "/api/v2/alerts");
    let start = std::time::Instant::now();
    while get().is_none() {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "Alertmanager did not start");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let out = bin().args(["notify", "test"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let alerts: serde_json::Value = serde_json::from_str(&get().unwrap()).unwrap();
    let a =
        alerts.as_array().unwrap().iter().find(|a| a["labels"]["rule"] == "TEST").expect("our alert in Alertmanager");
    assert_eq!(a["labels"]["alertname"], "tongfang_query");
    assert_eq!(a["status"]["state"], "active");
    assert!(a["annotations"]["summary"].as_str().unwrap().contains("测试"));
}

fn http_body(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    if !buf.starts_with("HTTP/1.1 200") {
        return None;
    }
    let body = buf.split_once("\r\n\r\n")?.1;
    // Chunked or not: the JSON array is between the first '[' and the last ']'.
    Some(body[body.find('[')?..=body.rfind(']')?].to_owned())
}
