//! deploy/ checked by the tools that read it: promtool (rules, their unit tests, the
//! Prometheus config), systemd-analyze and systemd-sysusers (the unit), the service's own
//! config loader and `notify check` (the configs the compose file and the manifests ship),
//! and structural checks of what has no tool here: the compose file (as `docker compose
//! config` would check it), the Kubernetes manifests, the Grafana dashboard and provisioning,
//! the Dockerfile. A real Prometheus scraping a running service: tests/prometheus_scrape.rs.

mod common;
mod common_deploy;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bin, root};
use common_deploy::*;
use rxsentinel::settings::{Overrides, Settings};

fn output(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// (alert name, expression) of every rule in the shipped rule file.
fn alert_rules() -> Vec<(String, String)> {
    let rules = yaml(&deploy("prometheus/rxsentinel.rules.yml"));
    seq_at(&rules, &["groups"])
        .iter()
        .flat_map(|g| seq_at(g, &["rules"]))
        .map(|r| {
            (str_at(r, &["alert"]).expect("alert rules only").to_owned(), str_at(r, &["expr"]).unwrap().to_owned())
        })
        .collect()
}

#[test]
fn prometheus_rules_and_config_pass_promtool_and_every_alert_is_tested_firing_and_silent() {
    let promtool = tool("promtool", "prometheus");
    let dir = deploy("prometheus");
    for args in [
        ["check", "rules", "rxsentinel.rules.yml"],
        ["test", "rules", "rxsentinel.rules.test.yml"],
        ["check", "config", "prometheus.yml"],
    ] {
        let (ok, text) = output(Command::new(&promtool).args(args).current_dir(&dir));
        assert!(ok, "promtool {}: {text}", args.join(" "));
    }
    let config = yaml(&dir.join("prometheus.yml"));
    let files: Vec<&str> = seq_at(&config, &["rule_files"]).iter().filter_map(Yaml::as_str).collect();
    assert_eq!(files, ["rxsentinel.rules.yml"], "prometheus.yml loads the shipped rules");

    // Each alert has a test where it fires and one where it must stay silent.
    let tests = yaml(&dir.join("rxsentinel.rules.test.yml"));
    let (mut fired, mut silent) = (BTreeSet::new(), BTreeSet::new());
    for t in seq_at(&tests, &["tests"]).iter().flat_map(|t| seq_at(t, &["alert_rule_test"])) {
        let name = str_at(t, &["alertname"]).unwrap().to_owned();
        if seq_at(t, &["exp_alerts"]).is_empty() {
            silent.insert(name);
        } else {
            fired.insert(name);
        }
    }
    let alerts = alert_rules();
    let required = [
        "RxsentinelDown",
        "RxsentinelNoEvents",
        "RxsentinelConsumerLagGrowing",
        "RxsentinelRejectionRateHigh",
        "RxsentinelNotificationsFailing",
        "RxsentinelNotificationQueueGrowing",
        "RxsentinelNotificationPendingTooOld",
        "RxsentinelRulesReloadFailed",
        "RxsentinelCheckpointTooOld",
    ];
    for r in required {
        assert!(alerts.iter().any(|(a, _)| a == r), "the rules lost {r}");
    }
    let exported = exported();
    for (name, expr) in &alerts {
        assert!(fired.contains(name), "no promtool test where {name} fires");
        assert!(silent.contains(name), "no promtool test where {name} stays silent");
        for m in metric_names(expr) {
            assert!(exported.contains(&m), "{name} queries {m}, which rxsentinel does not export");
        }
    }
}

#[test]
fn the_systemd_unit_verifies_is_hardened_and_its_user_is_made_by_sysusers() {
    let analyze = tool("systemd-analyze", "systemd");
    let unit = read(&deploy("systemd/rxsentinel.service"));
    let shipped = "ExecStart=/usr/local/bin/rxsentinel ";
    let exec = unit.lines().find(|l| l.starts_with("ExecStart=")).expect("an ExecStart");
    assert!(exec.starts_with(shipped), "{exec}");
    // verify needs the ExecStart binary to exist: the one just built takes its place.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("rxsentinel.service");
    let built = format!("ExecStart={} ", env!("CARGO_BIN_EXE_rxsentinel"));
    std::fs::write(&copy, unit.replace(shipped, &built)).unwrap();

    // systemd is not PID 1 here: no manual pages and no generators to run, the unit alone.
    // Unknown keys and bad values are warnings with exit 0: the output must be empty too.
    let (ok, text) = output(Command::new(&analyze).args(["verify", "--man=no", "--generators=no"]).arg(&copy));
    assert!(ok && text.trim().is_empty(), "systemd-analyze verify: {text}");
    let (ok, text) =
        output(Command::new(&analyze).args(["security", "--offline=true", "--threshold=20", "--no-pager"]).arg(&copy));
    assert!(ok, "exposure above 2.0 (systemd-analyze security): {text}");
    let exposure = text.lines().find(|l| l.contains("Overall exposure level")).unwrap_or_default();
    eprintln!("{}", exposure.trim());

    // The arguments are ones `run` takes (clap refuses an unknown one before --help).
    let args: Vec<&str> = exec.split_whitespace().skip(1).collect();
    let (ok, text) = output(bin().args(&args).arg("--help"));
    assert!(ok, "{exec}: {text}");

    // The User= exists once the shipped sysusers file is applied (to an empty root).
    let sysusers = tool("systemd-sysusers", "systemd");
    let root_dir = dir.path().join("root");
    std::fs::create_dir_all(root_dir.join("etc")).unwrap();
    let (ok, text) = output(
        Command::new(sysusers)
            .arg(format!("--root={}", root_dir.display()))
            .arg(deploy("systemd/rxsentinel.sysusers.conf")),
    );
    assert!(ok, "systemd-sysusers: {text}");
    let user = unit.lines().find_map(|l| l.strip_prefix("User=")).expect("a User=");
    let passwd = read(&root_dir.join("etc/passwd"));
    assert!(passwd.lines().any(|l| l.starts_with(&format!("{user}:"))), "{user} not in {passwd}");
}

/// `src:target[:mode]` volume entries (short form) as (source, target).
fn mounts(service: &Yaml) -> Vec<(String, String)> {
    seq_at(service, &["volumes"])
        .iter()
        .map(|v| match v.as_str() {
            Some(s) => {
                let mut parts = s.split(':');
                (parts.next().unwrap().to_owned(), parts.next().unwrap_or_else(|| panic!("{s}: no target")).to_owned())
            }
            None => (str_at(v, &["source"]).unwrap().to_owned(), str_at(v, &["target"]).unwrap().to_owned()),
        })
        .collect()
}

/// The host path (under deploy/) that a container path of `service` comes from.
fn host_path(service: &Yaml, container: &str) -> PathBuf {
    mounts(service)
        .into_iter()
        .filter(|(src, _)| src.starts_with('.'))
        .find_map(|(src, target)| match container.strip_prefix(&target)? {
            "" => Some(deploy(&src)),
            rest => rest.strip_prefix('/').map(|r| deploy(&src).join(r)),
        })
        .unwrap_or_else(|| panic!("{container} is not mounted from deploy/"))
}

#[test]
fn the_compose_file_holds_together() {
    let c = yaml(&deploy("compose.yaml"));
    let services = c.get("services").and_then(Yaml::as_mapping).expect("services");
    let names: BTreeSet<&str> = services.keys().filter_map(Yaml::as_str).collect();
    let declared = |section: &str| -> BTreeSet<String> {
        c.get(section)
            .and_then(Yaml::as_mapping)
            .map_or_else(BTreeSet::new, |m| m.keys().filter_map(Yaml::as_str).map(str::to_owned).collect())
    };
    let (volumes, mut networks) = (declared("volumes"), declared("networks"));
    networks.insert("default".into());
    for (name, s) in services {
        let name = name.as_str().unwrap();
        assert!(s.get("image").is_some() || s.get("build").is_some(), "{name}: neither image nor build");
        if let Some(b) = s.get("build") {
            let context = deploy(b.as_str().or_else(|| str_at(b, &["context"])).unwrap());
            let dockerfile = str_at(b, &["dockerfile"]).unwrap_or("Dockerfile");
            assert!(context.join(dockerfile).is_file(), "{name}: no {dockerfile} in {}", context.display());
        }
        for (src, target) in mounts(s) {
            assert!(target.starts_with('/'), "{name}: {target} is not an absolute container path");
            if src.starts_with('.') || src.starts_with('/') {
                assert!(deploy(&src).exists(), "{name}: bind source {src} does not exist");
            } else {
                assert!(volumes.contains(&src), "{name}: volume {src} is not declared");
            }
        }
        let deps: Vec<&str> = match s.get("depends_on") {
            Some(Yaml::Sequence(v)) => v.iter().filter_map(Yaml::as_str).collect(),
            Some(Yaml::Mapping(m)) => m.keys().filter_map(Yaml::as_str).collect(),
            _ => Vec::new(),
        };
        for d in deps {
            assert!(names.contains(d), "{name} depends on {d}, which is not a service");
        }
        for n in seq_at(s, &["networks"]).iter().filter_map(Yaml::as_str) {
            assert!(networks.contains(n), "{name}: network {n} is not declared");
        }
    }
    for required in ["kafka", "rxsentinel", "prometheus", "grafana"] {
        assert!(names.contains(required), "no {required} service");
    }
    let svc = |n: &str| &c["services"][n];

    // Kafka in KRaft mode, and rxsentinel's config (loaded by the service's own loader)
    // names its advertised listener and topics the topics service creates.
    let kafka = svc("kafka");
    assert!(str_at(kafka, &["image"]).unwrap().starts_with("apache/kafka:"));
    assert!(str_at(kafka, &["environment", "KAFKA_PROCESS_ROLES"]).unwrap().contains("controller"), "KRaft");
    let rx = svc("rxsentinel");
    let run_toml = host_path(rx, "/etc/rxsentinel/run.toml");
    let settings = Settings::load(Some(&run_toml), &Overrides::default()).unwrap();
    let advertised = str_at(kafka, &["environment", "KAFKA_ADVERTISED_LISTENERS"]).unwrap();
    assert!(advertised.split(',').any(|l| l.ends_with(&format!("//{}", settings.kafka.brokers))), "{advertised}");
    let create = seq_at(svc("topics"), &["command"]).iter().filter_map(Yaml::as_str).collect::<String>();
    let topics = settings.topics.iter().map(|t| t.name.clone()).chain(settings.alert_topic.clone());
    for t in topics.chain(settings.dead_letter_topic.clone()) {
        assert!(create.contains(&format!("{t}:")), "the topics service does not create {t}");
    }
    assert!(host_path(rx, &settings.rules.display().to_string()).join("engine.toml").is_file(), "rules mount");

    // Prometheus scrapes rxsentinel's http address and loads the rule file beside its config.
    let prom = svc("prometheus");
    let prom_yml = host_path(prom, "/etc/prometheus/prometheus.yml");
    assert_eq!(prom_yml, deploy("./prometheus/prometheus.yml"));
    let config = yaml(&prom_yml);
    let port = settings.http.as_deref().unwrap().rsplit(':').next().unwrap().to_owned();
    let job =
        seq_at(&config, &["scrape_configs"]).iter().find(|j| str_at(j, &["job_name"]) == Some("rxsentinel")).unwrap();
    let targets: Vec<&str> = seq_at(job, &["static_configs"])
        .iter()
        .flat_map(|s| seq_at(s, &["targets"]))
        .filter_map(Yaml::as_str)
        .collect();
    assert_eq!(targets, [format!("rxsentinel:{port}")]);
    for f in seq_at(&config, &["rule_files"]).iter().filter_map(Yaml::as_str) {
        assert!(host_path(prom, &format!("/etc/prometheus/{f}")).is_file(), "{f} is not mounted beside prometheus.yml");
    }

    // Grafana: provisioning mounted, the data source is the prometheus service, the
    // dashboard provider's path holds the dashboard, whose uid the home setting points at.
    let grafana = svc("grafana");
    let prov = host_path(grafana, "/etc/grafana/provisioning");
    let ds = yaml(&prov.join("datasources/prometheus.yaml"));
    let url = str_at(&seq_at(&ds, &["datasources"])[0], &["url"]).unwrap();
    assert_eq!(url, "http://prometheus:9090");
    let providers = yaml(&prov.join("dashboards/rxsentinel.yaml"));
    let path = str_at(&seq_at(&providers, &["providers"])[0], &["options", "path"]).unwrap();
    let json = host_path(grafana, path).join("rxsentinel.json");
    assert_eq!(json, deploy("./grafana/dashboards/rxsentinel.json"));
    assert_eq!(dashboard()["uid"], "rxsentinel");
    let home = str_at(grafana, &["environment", "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]).unwrap();
    assert_eq!(host_path(grafana, home), json);
}

/// Objects of the kustomization by (kind, name).
fn k8s_objects() -> BTreeMap<(String, String), Yaml> {
    let kust = yaml(&deploy("k8s/kustomization.yaml"));
    let mut out = BTreeMap::new();
    for file in seq_at(&kust, &["resources"]).iter().filter_map(Yaml::as_str) {
        for doc in yaml_docs(&deploy("k8s").join(file)) {
            assert!(str_at(&doc, &["apiVersion"]).is_some(), "{file}: no apiVersion");
            let kind = str_at(&doc, &["kind"]).unwrap_or_else(|| panic!("{file}: no kind")).to_owned();
            let name = str_at(&doc, &["metadata", "name"]).unwrap_or_else(|| panic!("{file}: no name")).to_owned();
            out.insert((kind, name), doc);
        }
    }
    out
}

#[test]
fn kubernetes_manifests_have_probes_resources_and_the_config_and_secrets_they_mount() {
    let objects = k8s_objects();
    let get = |kind: &str, name: &str| {
        objects.get(&(kind.to_owned(), name.to_owned())).unwrap_or_else(|| panic!("no {kind} {name}"))
    };
    let sts = get("StatefulSet", "rxsentinel");
    let pod = &sts["spec"]["template"]["spec"];
    let c = seq_at(pod, &["containers"]).iter().find(|c| str_at(c, &["name"]) == Some("rxsentinel")).unwrap();
    let ports: BTreeMap<&str, u64> = seq_at(c, &["ports"])
        .iter()
        .map(|p| (str_at(p, &["name"]).unwrap(), p["containerPort"].as_u64().unwrap()))
        .collect();
    for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
        assert_eq!(str_at(c, &[probe, "httpGet", "path"]), Some(path), "{probe}");
        let port = str_at(c, &[probe, "httpGet", "port"]).unwrap();
        assert!(ports.contains_key(port), "{probe} port {port} is not a named container port");
    }
    for side in ["requests", "limits"] {
        for r in ["cpu", "memory"] {
            assert!(c["resources"][side].get(r).is_some(), "resources.{side}.{r}");
        }
    }
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"].as_bool(), Some(true));
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"].as_bool(), Some(false));
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    let labels = &sts["spec"]["template"]["metadata"]["labels"];
    for (k, v) in sts["spec"]["selector"]["matchLabels"].as_mapping().unwrap() {
        assert_eq!(&labels[k.as_str().unwrap()], v, "the selector does not match the pod");
    }
    let svc = get("Service", str_at(sts, &["spec", "serviceName"]).unwrap());
    for (k, v) in svc["spec"]["selector"].as_mapping().unwrap() {
        assert_eq!(&labels[k.as_str().unwrap()], v, "the service does not select the pods");
    }

    // Volumes: every mount has one; ConfigMaps are in the manifests or made by a command in
    // deploy/README.md; subPath keys exist.
    let readme = read(&deploy("README.md"));
    let mut volumes: BTreeMap<&str, &Yaml> =
        seq_at(pod, &["volumes"]).iter().map(|v| (str_at(v, &["name"]).unwrap(), v)).collect();
    let claims = seq_at(&sts["spec"], &["volumeClaimTemplates"]);
    let claim_names: BTreeSet<&str> = claims.iter().filter_map(|v| str_at(v, &["metadata", "name"])).collect();
    let mut mounted: BTreeMap<String, (&str, Option<&str>)> = BTreeMap::new();
    for m in seq_at(c, &["volumeMounts"]) {
        let name = str_at(m, &["name"]).unwrap();
        assert!(volumes.contains_key(name) || claim_names.contains(name), "mount {name} has no volume");
        mounted.insert(str_at(m, &["mountPath"]).unwrap().to_owned(), (name, str_at(m, &["subPath"])));
    }
    assert!(claim_names.contains("data") && mounted.get("/var/lib/rxsentinel").is_some_and(|m| m.0 == "data"));
    let secret = get("Secret", "rxsentinel-secrets");
    let secret_keys: BTreeSet<&str> =
        secret["stringData"].as_mapping().unwrap().keys().filter_map(Yaml::as_str).collect();
    for (path, (name, sub)) in &mounted {
        let Some(v) = volumes.remove(name) else { continue };
        if let Some(cm) = str_at(v, &["configMap", "name"]) {
            let made = objects.get(&("ConfigMap".into(), cm.into()));
            assert!(
                made.is_some() || readme.contains(&format!("create configmap {cm} ")),
                "{path}: ConfigMap {cm} is neither in the manifests nor made in deploy/README.md"
            );
            if let (Some(made), Some(key)) = (made, sub) {
                assert!(made["data"].get(*key).is_some(), "{path}: {cm} has no key {key}");
            }
        }
        if let Some(s) = str_at(v, &["secret", "secretName"]) {
            assert_eq!(s, "rxsentinel-secrets", "{path}");
        }
    }

    // The config the ConfigMap carries loads, and its paths are where the pod mounts things.
    let cm = get("ConfigMap", "rxsentinel-config");
    let dir = tempfile::tempdir().unwrap();
    let run_toml = dir.path().join("run.toml");
    std::fs::write(&run_toml, str_at(cm, &["data", "run.toml"]).unwrap()).unwrap();
    let s = Settings::load(Some(&run_toml), &Overrides::default()).unwrap();
    let port = s.http.as_deref().unwrap().rsplit(':').next().unwrap().parse::<u64>().unwrap();
    assert_eq!(ports.get("http"), Some(&port), "the container port is run.toml's http port");
    for p in [Some(&s.rules), s.catalog.as_ref()].into_iter().flatten() {
        assert!(mounted.contains_key(&p.display().to_string()), "{} is not mounted", p.display());
    }
    let notify = s.notify.as_ref().expect("notify in run.toml").display().to_string();
    assert_eq!(mounted.get(&notify).and_then(|m| m.1), Some("notify.toml"));
    let secrets_dir = mounted.iter().find(|(_, (n, _))| *n == "secrets").map(|(p, _)| p.clone()).unwrap();
    let token = s.reload_token_file.as_ref().unwrap().display().to_string();
    assert!(secret_keys.contains(token.strip_prefix(&format!("{secrets_dir}/")).unwrap_or("?")), "{token}");

    // notify.toml's *_file secrets are keys of the Secret: `notify check` with the Secret
    // written where the pod would have it (moved to a temp dir).
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    for k in &secret_keys {
        std::fs::write(secrets.join(k), str_at(secret, &["stringData", k]).unwrap()).unwrap();
    }
    let notify_toml = str_at(cm, &["data", "notify.toml"])
        .unwrap()
        .replace(&format!("{secrets_dir}/"), &format!("{}/", secrets.display()))
        .replace("/var/lib/rxsentinel/notify", &dir.path().join("queue").display().to_string());
    let file = dir.path().join("notify.toml");
    std::fs::write(&file, notify_toml).unwrap();
    let (ok, text) = output(bin().args(["notify", "check"]).arg(&file));
    assert!(ok, "notify check of the ConfigMap's notify.toml: {text}");
}

#[test]
fn the_dashboard_has_a_fixed_uid_a_datasource_variable_and_queries_only_exported_metrics() {
    let d = dashboard();
    assert_eq!(d["uid"], "rxsentinel");
    let vars = d["templating"]["list"].as_array().unwrap();
    assert!(vars.iter().any(|v| v["type"] == "datasource" && v["name"] == "datasource" && v["query"] == "prometheus"));
    let exported = exported();
    let mut used = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for p in panels(&d) {
        let title = p["title"].as_str().unwrap();
        assert!(ids.insert(p["id"].as_u64().unwrap()), "{title}: duplicate panel id");
        assert_eq!(p["datasource"]["uid"], "${datasource}", "{title}: not on the datasource variable");
        assert!(p["targets"].as_array().is_some_and(|t| !t.is_empty()), "{title}: no query");
    }
    for (title, expr) in dashboard_queries(&d) {
        let names = metric_names(&expr);
        assert!(!names.is_empty() || expr.contains("up{"), "{title}: {expr} names no rxsentinel metric");
        for m in names {
            assert!(exported.contains(&m), "{title}: {m} is not exported by rxsentinel");
            used.insert(m);
        }
    }
    // What the issue asks the dashboard to show.
    for m in [
        "rxsentinel_events_consumed_total",
        "rxsentinel_kafka_consumer_lag",
        "rxsentinel_events_rejected_total",
        "rxsentinel_events_late_total",
        "rxsentinel_events_future_total",
        "rxsentinel_alerts_total",
        "rxsentinel_notifications_total",
        "rxsentinel_rules_reloads_total",
        "rxsentinel_checkpoint_last_success_timestamp_seconds",
        "process_resident_memory_bytes",
    ] {
        assert!(used.contains(m), "no panel shows {m}");
    }
}

/// The newest `rust_version` among the packages `rxsentinel` builds with (normal and build
/// dependencies, every platform's: an upper bound).
fn locked_rust_version() -> (u64, u64) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--manifest-path"])
        .arg(root().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let version = |s: &str| {
        let mut it = s.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    };
    let rust: BTreeMap<&str, (u64, u64)> = m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["rust_version"].as_str().map_or((0, 0), version)))
        .collect();
    let nodes: BTreeMap<&str, &serde_json::Value> =
        m["resolve"]["nodes"].as_array().unwrap().iter().map(|n| (n["id"].as_str().unwrap(), n)).collect();
    let start =
        m["packages"].as_array().unwrap().iter().find(|p| p["name"] == "rxsentinel").unwrap()["id"].as_str().unwrap();
    let (mut seen, mut todo) = (BTreeSet::new(), vec![start]);
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        for d in nodes[id]["deps"].as_array().unwrap() {
            if d["dep_kinds"].as_array().unwrap().iter().any(|k| k["kind"] != "dev") {
                todo.push(d["pkg"].as_str().unwrap());
            }
        }
    }
    seen.iter().map(|id| rust[id]).max().unwrap()
}

#[test]
fn the_dockerfile_copies_what_exists_and_builds_on_a_new_enough_rust() {
    let text = read(&deploy("Dockerfile"));
    let ignore = read(&deploy("Dockerfile.dockerignore"));
    let kept: Vec<&str> = ignore.lines().filter_map(|l| l.trim().strip_prefix('!')).collect();
    assert!(ignore.lines().any(|l| l.trim() == "*"), "the ignore file lists what is kept");
    let mut binary = None;
    for line in text.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("COPY ") else { continue };
        let words: Vec<&str> = rest.split_whitespace().collect();
        if words[0].starts_with("--from=") {
            binary = words.last().map(|s| s.to_string());
            continue;
        }
        for src in &words[..words.len() - 1] {
            let src = src.trim_end_matches('/');
            assert!(root().join(src).exists(), "COPY {src}: not in the repository");
            assert!(
                kept.iter().any(|k| src == *k || src.starts_with(&format!("{k}/"))),
                "COPY {src}: excluded from the build context by Dockerfile.dockerignore"
            );
        }
    }
    let entry = text.lines().find_map(|l| l.strip_prefix("ENTRYPOINT ")).expect("an ENTRYPOINT");
    let entry: Vec<String> = serde_json::from_str(entry).unwrap();
    assert_eq!(Some(&entry[0]), binary.as_ref(), "ENTRYPOINT runs the binary copied from the build stage");

    let arg = text.lines().find_map(|l| l.strip_prefix("ARG RUST_VERSION=")).expect("ARG RUST_VERSION");
    let mut it = arg.trim().split('.').map(|p| p.parse::<u64>().unwrap());
    let image = (it.next().unwrap(), it.next().unwrap());
    let needed = locked_rust_version();
    assert!(image >= needed, "rust:{arg} is older than the locked dependencies need ({needed:?})");
}

/// The deploy files name no path that would be wrong in every installation.
#[test]
fn deploy_paths_agree_between_the_unit_the_image_and_the_example_configs() {
    let unit = read(&deploy("systemd/rxsentinel.service"));
    let notify = read(&deploy("config/notify.toml"));
    let queue = notify.lines().find_map(|l| l.strip_prefix("queue_dir = ")).unwrap().trim_matches('"');
    let state_dir = unit.lines().find_map(|l| l.strip_prefix("StateDirectory=")).unwrap();
    assert!(Path::new(queue).starts_with(format!("/var/lib/{state_dir}")), "notify journals outside StateDirectory");
    let run = read(&deploy("config/run.toml"));
    let alerts = run.lines().skip_while(|l| !l.starts_with("[sinks.ndjson]")).find_map(|l| l.strip_prefix("path = "));
    let logs = unit.lines().find_map(|l| l.strip_prefix("LogsDirectory=")).unwrap();
    let alerts = alerts.and_then(|v| v.split_whitespace().next()).unwrap().trim_matches('"');
    assert!(alerts.starts_with(&format!("/var/log/{logs}/")), "the alert file is outside LogsDirectory: {alerts}");
}
