//! A real Prometheus (Debian's `prometheus`) with the shipped prometheus.yml and alerting
//! rules scrapes a running `rxsentinel run` (on a tansu broker; `replay` serves no HTTP):
//! the service's series and the process_* ones appear with plausible values, every series
//! Prometheus stored is one the service declares, every rule evaluates without error, and
//! every query of the shipped Grafana dashboard runs.

mod common_deploy;
mod common_kafka;

use std::collections::BTreeSet;
use std::time::Duration;

use common_deploy::*;
use common_kafka::*;
use serde_json::Value;

/// `GET /api/v1/{path}` with `params`; the `data` of a successful answer.
fn api(base: &str, path: &str, params: &[(&str, &str)]) -> Result<Value, String> {
    let mut req = ureq::get(&format!("{base}/api/v1/{path}"));
    for (k, v) in params {
        req = req.query(k, v);
    }
    let body = match req.call() {
        Ok(r) => r.into_string().map_err(|e| e.to_string())?,
        Err(ureq::Error::Status(code, r)) => return Err(format!("{code}: {}", r.into_string().unwrap_or_default())),
        Err(e) => return Err(e.to_string()),
    };
    let v: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    if v["status"] != "success" {
        return Err(body);
    }
    Ok(v["data"].clone())
}

/// The value of a query answering one sample (None: no sample or an error).
fn scalar(base: &str, query: &str) -> Option<f64> {
    let data = api(base, "query", &[("query", query)]).ok()?;
    data["result"].as_array()?.first()?["value"][1].as_str()?.parse().ok()
}

#[test]
fn a_real_prometheus_scrapes_the_service_and_runs_the_shipped_rules_and_dashboard_queries() {
    let prometheus = tool("prometheus", "prometheus");
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::start();
    create_topic(&broker.brokers, "events", 2);
    let mut records = keyed(&cases_corpus(2));
    records.push(("H01".into(), b"{not json".to_vec()));
    produce(&broker.brokers, "events", &records);

    let config = dir.path().join("run.toml");
    std::fs::write(&config, "[kafka]\nready_lag = 0\ncommit_interval = \"1s\"\n").unwrap();
    let (rules, catalog) = (root().join("rules"), root().join("fixtures/cases/catalog"));
    let (alerts, state) = (dir.path().join("alerts.ndjson"), dir.path().join("state"));
    let args = [
        "--config",
        config.to_str().unwrap(),
        "--brokers",
        &broker.brokers,
        "--group",
        "scrape",
        "--topic",
        "events",
        "--rules",
        rules.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
        "--alerts",
        alerts.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
        "--checkpoint-interval",
        "1s",
    ];
    let mut run = Run::start(&args, dir.path());
    run.wait_ready(Duration::from_secs(60));
    wait_for(Duration::from_secs(60), "every record consumed", || run.records() >= records.len() as f64);

    // The shipped prometheus.yml, its targets this run and this Prometheus, every second.
    let port = free_port();
    let mut prom: Yaml = yaml(&deploy("prometheus/prometheus.yml"));
    prom["global"]["scrape_interval"] = "1s".into();
    prom["global"]["evaluation_interval"] = "1s".into();
    prom["rule_files"] = vec![Yaml::from(deploy("prometheus/rxsentinel.rules.yml").to_str().unwrap())].into();
    for job in prom["scrape_configs"].as_sequence_mut().unwrap() {
        let target = if job["job_name"] == "rxsentinel" { run.http.clone() } else { format!("127.0.0.1:{port}") };
        job["static_configs"] = serde_norway::from_str(&format!("[{{targets: [\"{target}\"]}}]")).unwrap();
    }
    let prom_yml = dir.path().join("prometheus.yml");
    std::fs::write(&prom_yml, serde_norway::to_string(&prom).unwrap()).unwrap();
    let _prometheus = Daemon::spawn(
        "prometheus",
        std::process::Command::new(prometheus)
            .arg(format!("--config.file={}", prom_yml.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}")),
        &dir.path().join("prometheus.log"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let log = || std::fs::read_to_string(dir.path().join("prometheus.log")).unwrap_or_default();
    let started = std::time::Instant::now();
    while scalar(&base, "up{job=\"rxsentinel\"}") != Some(1.0) {
        assert!(started.elapsed() < Duration::from_secs(60), "rxsentinel not scraped as up: {}", log());
        std::thread::sleep(Duration::from_millis(250));
    }

    // The series the dashboard and the alerts stand on, with plausible values (the
    // prometheus crate counts CPU in whole seconds: a short debug run may show 0).
    type Check = (&'static str, fn(f64) -> bool);
    let checks: [Check; 10] = [
        ("sum(rxsentinel_events_consumed_total{job=\"rxsentinel\"})", |v| v > 0.0),
        ("sum(rxsentinel_events_rejected_total{job=\"rxsentinel\"})", |v| v >= 1.0),
        ("sum(rxsentinel_kafka_consumer_lag{job=\"rxsentinel\"})", |v| v == 0.0),
        ("sum(rxsentinel_alerts_total{job=\"rxsentinel\"})", |v| v > 0.0),
        ("rxsentinel_checkpoint_last_success_timestamp_seconds{job=\"rxsentinel\"}", |v| v > 1.6e9),
        ("rxsentinel_rules_last_reload_success{job=\"rxsentinel\"}", |v| v == 1.0),
        ("process_resident_memory_bytes{job=\"rxsentinel\"}", |v| v > 1e6 && v < 2e9),
        ("process_cpu_seconds_total{job=\"rxsentinel\"}", |v| v >= 0.0),
        ("process_open_fds{job=\"rxsentinel\"}", |v| v > 3.0),
        ("process_max_fds{job=\"rxsentinel\"}", |v| v >= 1024.0),
    ];
    for (query, ok) in checks {
        let started = std::time::Instant::now();
        loop {
            let v = scalar(&base, query);
            if v.is_some_and(ok) {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "{query} = {v:?}\n{}", run.log());
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    // Every series Prometheus stored from the service is one the service declares.
    let series = api(&base, "series", &[("match[]", "{job=\"rxsentinel\"}")]).unwrap();
    let scraped: BTreeSet<String> =
        series.as_array().unwrap().iter().map(|s| s["__name__"].as_str().unwrap().to_owned()).collect();
    let exported = exported();
    let own: Vec<&String> =
        scraped.iter().filter(|n| n.starts_with("rxsentinel_") || n.starts_with("process_")).collect();
    assert!(own.len() > 30, "only {own:?}");
    for n in own {
        assert!(exported.contains(n), "Prometheus stored {n}, which series_names() does not list");
    }

    // The shipped rules load and evaluate without error.
    let started = std::time::Instant::now();
    loop {
        let groups = api(&base, "rules", &[]).unwrap();
        let rules: Vec<Value> =
            groups["groups"].as_array().unwrap().iter().flat_map(|g| g["rules"].as_array().unwrap().clone()).collect();
        assert_eq!(rules.len(), 13, "{groups}");
        let bad: Vec<&Value> = rules.iter().filter(|r| r["health"] != "ok").collect();
        if bad.is_empty() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "rules not evaluated cleanly: {bad:?}");
        std::thread::sleep(Duration::from_millis(250));
    }

    // Every dashboard query runs, and the main panels have data (rates need two scrapes).
    wait_for(Duration::from_secs(20), "three scrapes", || {
        scalar(&base, "count_over_time(rxsentinel_build_info{job=\"rxsentinel\"}[1m])").is_some_and(|n| n >= 3.0)
    });
    let d = dashboard();
    for (title, expr) in dashboard_queries(&d) {
        let q = as_grafana_sends(&expr);
        let data = api(&base, "query", &[("query", &q)]).unwrap_or_else(|e| panic!("{title}: {q}: {e}"));
        let has_data = data["result"].as_array().is_some_and(|r| !r.is_empty());
        let main =
            ["rxsentinel_events_consumed_total", "process_resident_memory_bytes", "rxsentinel_kafka_consumer_lag"];
        if main.iter().any(|m| expr.contains(m)) {
            assert!(has_data, "{title}: {q} returned nothing");
        }
    }
    run.stop();
}
