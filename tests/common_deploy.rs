//! Helpers for the tests of deploy/: its files, YAML, the dashboard's queries, the Debian
//! tools that check them (promtool, prometheus, systemd-analyze), and the series names the
//! service exports.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
pub use serde_norway::Value as Yaml;

/// A path under deploy/.
pub fn deploy(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy").join(rel)
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

pub fn yaml(p: &Path) -> Yaml {
    serde_norway::from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every document of a multi-document YAML file.
pub fn yaml_docs(p: &Path) -> Vec<Yaml> {
    let text = read(p);
    serde_norway::Deserializer::from_str(&text)
        .map(|d| Yaml::deserialize(d).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .filter(|v| !v.is_null())
        .collect()
}

/// The string at `path` (mapping keys) under `v`.
pub fn str_at<'a>(v: &'a Yaml, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

/// A sequence at `path`, empty when absent.
pub fn seq_at<'a>(v: &'a Yaml, path: &[&str]) -> &'a [Yaml] {
    path.iter().try_fold(v, |v, k| v.get(*k)).and_then(Yaml::as_sequence).map_or(&[], Vec::as_slice)
}

/// A Debian tool, or a failure saying how to install it.
pub fn tool(name: &str, package: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    dirs.extend(["/usr/bin", "/usr/sbin", "/bin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not installed: apt-get install {package} (scripts/test.sh does)"))
}

/// Every series name the service's /metrics can show (its registry, `process_*` included).
pub fn exported() -> BTreeSet<String> {
    rxsentinel::telemetry::metrics().series_names().into_iter().collect()
}

/// The rxsentinel_* and process_* series a PromQL expression names (label values skipped).
pub fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut bare = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in expr.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            _ if !quoted => bare.push(c),
            _ => {}
        }
    }
    bare.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.starts_with("rxsentinel_") || w.starts_with("process_"))
        .map(str::to_owned)
        .collect()
}

/// The shipped Grafana dashboard.
pub fn dashboard() -> serde_json::Value {
    let p = deploy("grafana/dashboards/rxsentinel.json");
    serde_json::from_str(&read(&p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every panel of a dashboard, those inside collapsed rows too (rows themselves left out).
pub fn panels(d: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut out = Vec::new();
    for p in d["panels"].as_array().expect("dashboard panels") {
        if p["type"] == "row" {
            out.extend(p["panels"].as_array().into_iter().flatten());
        } else {
            out.push(p);
        }
    }
    out
}

/// (panel title, PromQL) of every query of the dashboard.
pub fn dashboard_queries(d: &serde_json::Value) -> Vec<(String, String)> {
    panels(d)
        .into_iter()
        .flat_map(|p| {
            let title = p["title"].as_str().unwrap_or("?").to_owned();
            p["targets"].as_array().into_iter().flatten().map(move |t| {
                (
                    title.clone(),
                    t["expr"].as_str().unwrap_or_else(|| panic!("{title}: a target without expr")).to_owned(),
                )
            })
        })
        .collect()
}

/// A dashboard query as Grafana sends it with every member selected.
pub fn as_grafana_sends(expr: &str) -> String {
    expr.replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$instance", ".*")
}
