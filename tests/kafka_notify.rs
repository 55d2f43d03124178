//! Alerts reach people exactly once through outages and restarts: the service consumes a
//! stream on a real broker (tansu) and notifies a webhook, Alertmanager, a WeCom and a
//! DingTalk robot and a mail server. The webhook is down and the DingTalk robot answers
//! "too fast" while the first run is killed (SIGKILL) after its alerts; the second run
//! starts and re-reads the stream (nothing was committed), the receivers come back, and every
//! receiver has every alert of the stream once. A sixth receiver, routed only urgent kinds at
//! high severity and above and rate-limited, gets exactly those, spaced by its limit.

mod common;
mod common_kafka;
mod common_notify;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common_kafka::*;
use common_notify::*;

/// How often each alert id appears in what a receiver accepted.
fn counts(texts: impl IntoIterator<Item = String>, ids: &[String]) -> BTreeMap<String, usize> {
    let texts: Vec<String> = texts.into_iter().collect();
    ids.iter().map(|id| (id.clone(), texts.iter().map(|t| t.matches(id.as_str()).count()).sum())).collect()
}

fn all_once(what: &str, c: &BTreeMap<String, usize>) -> Result<(), String> {
    let missing = c.values().filter(|n| **n == 0).count();
    let twice: Vec<_> = c.iter().filter(|(_, n)| **n > 1).collect();
    if missing == 0 && twice.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: {missing} of {} missing, repeated: {twice:?}", c.len()))
    }
}

#[test]
fn every_alert_reaches_every_receiver_once_through_an_outage_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::start();
    create_topic(&broker.brokers, "events", 1);
    let records = partitioned(&cases_corpus(1), 1);
    let expected = reference_alerts(dir.path(), &records, 1, &cases_rules());
    assert!(expected.len() >= 20, "the cases give {} alerts", expected.len());

    let hooks = Receivers::start();
    let smtp = Smtp::start(dir.path());
    hooks.webhook.set(Mode::Down);
    hooks.ding.set(Mode::RateLimited);
    let timing = "group_wait = \"1s\"\ngroup_interval = \"2s\"\nrate_limit = \"120/1m\"\n";
    let notify = notify_file(dir.path(), &hooks, Some(&smtp), timing);
    // A receiver for the office's urgent cases only — a route by kind and severity — that
    // takes one message a second after a burst of three.
    let urgent = Hook::start(Style::Plain);
    let kinds = ["suspended_drug", "controlled_privilege", "tongfang_query", "bulk_export"];
    let extra = format!(
        "\n[[receiver]]\nname = \"urgent\"\ntype = \"webhook\"\nurl = \"{}/urgent\"\nrate_limit = \"3/3s\"\n\n[[route]]\nreceivers = [\"urgent\"]\nkinds = {kinds:?}\nmin_severity = \"high\"\n",
        urgent.url
    );
    std::fs::write(&notify, std::fs::read_to_string(&notify).unwrap() + &extra).unwrap();
    let rank = |s: &str| ["info", "low", "medium", "high", "critical"].iter().position(|x| *x == s).unwrap();
    let replayed = std::fs::read_to_string(dir.path().join("replay-0.ndjson")).unwrap();
    let mut urgent_ids: Vec<String> = replayed
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|a| kinds.contains(&a["kind"].as_str().unwrap()) && rank(a["severity"].as_str().unwrap()) >= 3)
        .map(|a| a["alert_id"].as_str().unwrap().to_owned())
        .collect();
    urgent_ids.sort();
    assert!(urgent_ids.len() >= 6 && urgent_ids.len() < expected.len(), "{} urgent alerts", urgent_ids.len());
    let config = dir.path().join("run.toml");
    // A killed member leaves the group after the session timeout: short, so the restart is quick.
    let run_toml = "[kafka]\nready_lag = 0\ncommit_interval = \"1s\"\n[kafka.consumer]\n\"session.timeout.ms\" = 6000\n\"heartbeat.interval.ms\" = 500\n";
    std::fs::write(&config, run_toml).unwrap();
    let state = dir.path().join("state");
    let mut args: Vec<String> = ["--config", &config.display().to_string(), "--brokers", &broker.brokers]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(["--group", "notify", "--topic", "events"].map(String::from));
    args.extend(cases_rules());
    args.extend(["--notify".into(), notify.display().to_string(), "--state".into(), state.display().to_string()]);
    args.extend([
        "--checkpoint-interval".into(),
        "1h".into(),
        "--alerts".into(),
        dir.path().join("a.ndjson").display().to_string(),
    ]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();

    produce_unbatched(&broker.brokers, "events", &records);
    let mut first = Run::start(&argv, dir.path());
    first.wait_ready(Duration::from_secs(60));
    wait_for(Duration::from_secs(60), "the first run's alerts", || {
        first.metric("rxsentinel_notifications_queued_total{receiver=\"hook\"}") >= expected.len() as f64
    });
    // The receivers that are up take everything; the webhook and DingTalk nothing. The kill
    // comes when no delivery is in flight: one killed between the receiver's "ok" and the
    // journal's record of it is sent again after the restart (docs/notify.md).
    wait_for(Duration::from_secs(30), "the receivers that are up to drain", || {
        ["am", "wecom", "mail", "urgent"].iter().all(|r| {
            first.metric(&format!("rxsentinel_notifications_total{{outcome=\"sent\",receiver=\"{r}\"}}")) > 0.0
                && first.metric(&format!("rxsentinel_notification_queue_depth{{receiver=\"{r}\"}}")) == 0.0
        })
    });
    assert!(hooks.webhook.refused() > 0 && hooks.webhook.accepted().is_empty());
    assert!(hooks.ding.refused() > 0 && hooks.ding.accepted().is_empty());
    let _ = first.child.kill();
    let _ = first.child.wait();

    let mut second = Run::start(&argv, dir.path());
    second.wait_ready(Duration::from_secs(60));
    hooks.webhook.set(Mode::Up);
    hooks.ding.set(Mode::Up);

    wait_for(Duration::from_secs(60), "the second run to re-read the stream", || {
        second.records() >= records.len() as f64
    });
    assert!(
        second.metric("rxsentinel_alerts_total") >= expected.len() as f64,
        "the second run re-made {} alerts",
        second.metric("rxsentinel_alerts_total")
    );
    assert_eq!(second.metric("rxsentinel_notifications_queued_total"), 0.0, "re-read alerts are not queued again");
    let check = || -> Result<(), String> {
        all_once(
            "webhook",
            &counts(hooks.webhook.accepted().into_iter().map(|r| r.json()["alert_id"].to_string()), &expected),
        )?;
        all_once("alertmanager", &counts(hooks.am.accepted().into_iter().map(|r| r.body), &expected))?;
        all_once("wecom", &counts(hooks.wecom.accepted().into_iter().map(|r| r.body), &expected))?;
        all_once("dingtalk", &counts(hooks.ding.accepted().into_iter().map(|r| r.body), &expected))?;
        // The body: a single alert's id is also its mail's Message-ID.
        let bodies = smtp.messages().into_iter().map(|m| m.split_once("\n\n").map(|(_, b)| b.to_owned()).unwrap_or(m));
        all_once("mail", &counts(bodies, &expected))?;
        Ok(())
    };
    let start = Instant::now();
    let mut last = check();
    while last.is_err() && start.elapsed() < Duration::from_secs(90) {
        std::thread::sleep(Duration::from_millis(500));
        last = check();
    }
    // Give a duplicate the chance to show before judging.
    std::thread::sleep(Duration::from_secs(3));
    if let Err(e) = check() {
        let keep = dir.keep();
        eprintln!("kept {}", keep.display());
        panic!("{e}\nfirst run: {}\nsecond run: {}", first.log(), second.log());
    }
    assert_eq!(second.metric("rxsentinel_notification_queue_depth"), 0.0);

    // Routing: the urgent receiver got exactly its kinds at high severity and above, each
    // once; rate limit: k + 1 messages in a row span at least k - 2 seconds (a burst of
    // three, then one a second; 0.3 s for the network).
    let got = urgent.accepted();
    let mut got_ids: Vec<String> = got.iter().map(|r| r.json()["alert_id"].as_str().unwrap().to_owned()).collect();
    got_ids.sort();
    assert_eq!(got_ids, urgent_ids, "the urgent route");
    let at: Vec<Instant> = got.iter().map(|r| r.at).collect();
    for i in 0..at.len() {
        for j in i + 3..at.len() {
            let span = at[j].duration_since(at[i]).as_secs_f64();
            assert!(
                span >= (j - i) as f64 - 2.0 - 0.3,
                "messages {i}..={j} within {span:.2} s: the rate limit was not kept"
            );
        }
    }
    for d in hooks.ding.accepted() {
        assert!(dingtalk_signature_ok(&d), "unsigned or badly signed: {}", d.target);
    }
    for w in hooks.wecom.accepted() {
        assert!(w.json()["markdown"]["content"].as_str().unwrap().len() <= 4096);
    }
    // Grouping: the robots got digests, not one message per alert.
    assert!(
        hooks.wecom.accepted().len() < expected.len(),
        "{} messages for {} alerts",
        hooks.wecom.accepted().len(),
        expected.len()
    );
    let log = second.stop();
    assert!(
        !log.contains("TESTKEY") && !log.contains("TESTTOKEN") && !log.contains(DINGTALK_SECRET),
        "secrets in the log"
    );
}
