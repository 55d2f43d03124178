//! `eval`: the measured false-alert budget of the footprint detectors. Generates hospitals
//! with planted kickback schemes and innocent confounders (several seeds and sizes),
//! replays each through the real pipeline with the given rules, and scores the statistical
//! alerts against the truth: recall per scheme kind, detection delay, and false subjects
//! (alerts naming no planted scheme) per 100 doctors per judged month.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::alert::Alert;
use crate::gen::{self, GenArgs};
use crate::rules::{Params, RuleSet};
use crate::sink::Sink;

use super::replay::{load_rules, replay};

/// Kinds whose false alerts count against the budget.
pub const STATISTICAL: &[&str] = &["surge", "peer_outlier", "concentration", "rep_visit_lift"];

/// Days before the footprint detectors judge anything: the surge rule's baseline and gap
/// (10 + 2 weeks at the defaults), the longest warm-up of the statistical rules; without a
/// surge rule, the 8-week baselines and 2-week windows of the others.
fn warm_up_days(rules: &RuleSet) -> f64 {
    let weeks = rules
        .rules
        .iter()
        .filter_map(|r| match &r.params {
            Params::Surge(p) => Some(p.min_weeks() + p.gap_weeks),
            _ => None,
        })
        .max()
        .unwrap_or(10);
    f64::from(weeks * 7)
}

#[derive(clap::Args, Debug, Clone)]
pub struct EvalArgs {
    /// Seeds, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    pub seeds: Vec<u64>,
    /// Hospital sizes as DOCTORSxDAYS, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "150x150")]
    pub sizes: Vec<String>,
    /// Visits per doctor per working day.
    #[arg(long, default_value_t = 20.0)]
    pub visits_per_doctor_day: f64,
    /// Rules directory (its rule files; each hospital brings its own catalog).
    #[arg(long, default_value = "rules")]
    pub rules: PathBuf,
    /// Keep the generated hospitals and alerts here instead of a temporary directory.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

struct Collect(Vec<Alert>);

impl Sink for Collect {
    fn send(&mut self, alerts: &[Alert]) -> anyhow::Result<()> {
        self.0.extend_from_slice(alerts);
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Totals over all runs.
#[derive(Default)]
pub struct Score {
    /// scheme kind → (planted, detected, delays in days)
    pub schemes: BTreeMap<String, (usize, usize, Vec<i64>)>,
    /// alert kind → (alerts, alerts naming a scheme, distinct false subjects)
    pub kinds: BTreeMap<String, (usize, usize, usize)>,
    /// confounder kind → (planted, hit by a statistical alert)
    pub confounders: BTreeMap<String, (usize, usize)>,
    pub false_subjects: usize,
    pub doctor_months: f64,
    pub runs: Vec<String>,
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn list(v: &Value, k: &str) -> Vec<String> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn day(ts: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(ts).map(|t| t.timestamp().div_euclid(86_400)).unwrap_or(0)
}

/// Whether alert `a` names truth entry `t` (a scheme or a confounder).
fn names(a: &Value, t: &Value) -> bool {
    let (doc, drug, kind) = (s(a, "doctor"), s(a, "drug"), s(a, "kind"));
    let t_kind = s(t, "kind");
    let t_kind = t_kind.split(':').nth(1).unwrap_or(t_kind);
    match t_kind {
        "surge" | "preference" | "small_counts" | "season" => {
            let same_drug = drug == s(t, "drug");
            let doctor_ok = s(t, "doctor").is_empty() || doc == s(t, "doctor");
            (same_drug && (doctor_ok || kind == "concentration"))
                && (t_kind != "season" || s(a, "dept") == s(t, "dept"))
        }
        "ring" => drug == s(t, "drug") && (kind == "concentration" || list(t, "doctors").iter().any(|d| d == doc)),
        "rep_visit_lift" => {
            doc == s(t, "doctor")
                && (s(a, "manufacturer") == s(t, "manufacturer") || list(t, "drugs").iter().any(|g| g == drug))
        }
        "formulary_switch" => drug == s(t, "drug") || drug == s(t, "replacement"),
        "new_doctor" | "leave" | "workload" => doc == s(t, "doctor"),
        "drug_share" => kind == "drug_share" && s(a, "dept") == s(t, "dept"),
        _ => false,
    }
}

fn subject(a: &Value) -> String {
    format!("{}|{}|{}|{}|{}", s(a, "kind"), s(a, "dept"), s(a, "doctor"), s(a, "drug"), s(a, "manufacturer"))
}

pub fn run(args: &EvalArgs) -> anyhow::Result<Score> {
    let tmp = tempfile_dir(args.keep.as_deref())?;
    let mut score = Score::default();
    for size in &args.sizes {
        let (doctors, days) = size
            .split_once('x')
            .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<u32>().ok()?)))
            .ok_or_else(|| anyhow::anyhow!("size {size:?}: expected DOCTORSxDAYS, e.g. 150x150"))?;
        for &seed in &args.seeds {
            let out = tmp.join(format!("h-{doctors}x{days}-s{seed}"));
            let mut g = GenArgs::with_out(&out);
            g.seed = seed;
            g.doctors = doctors;
            g.days = days;
            g.visits_per_doctor_day = args.visits_per_doctor_day;
            let summary = gen::run(&g)?;
            let rules = load_rules(&args.rules, Some(&summary.catalog_dir))?;
            let warm_up = warm_up_days(&rules);
            let mut sink = Collect(Vec::new());
            let r = replay(std::slice::from_ref(&summary.events_path), rules, &mut sink, false)?;
            let alerts: Vec<Value> = sink.0.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
            let truth: Vec<Value> = std::fs::read_to_string(&summary.truth_path)?
                .lines()
                .map(serde_json::from_str)
                .collect::<Result<_, _>>()?;
            let judged_months = ((f64::from(days) - warm_up) / 30.4).max(0.1);
            let false_here = score_run(&mut score, &alerts, &truth);
            score.doctor_months += doctors as f64 * judged_months;
            score.runs.push(format!(
                "{doctors} doctors × {days} days, seed {seed}: {} events, {:.0} events/s, {} statistical alerts, {} false subjects",
                r.stats.accepted(),
                r.events_per_sec(),
                alerts.iter().filter(|a| STATISTICAL.contains(&s(a, "kind"))).count(),
                false_here
            ));
            if args.keep.is_none() {
                let _ = std::fs::remove_dir_all(&out);
            } else {
                let lines: Vec<String> = alerts.iter().map(Value::to_string).collect();
                std::fs::write(out.join("alerts.ndjson"), lines.join("\n"))?;
            }
        }
    }
    Ok(score)
}

fn tempfile_dir(keep: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match keep {
        Some(k) => k.to_path_buf(),
        None => std::env::temp_dir().join(format!("rxsentinel-eval-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Adds one run to `score`; returns its number of false statistical subjects.
fn score_run(score: &mut Score, alerts: &[Value], truth: &[Value]) -> usize {
    let schemes: Vec<&Value> =
        truth.iter().filter(|t| s(t, "kind").starts_with("scheme:") || s(t, "kind") == "drug_share").collect();
    for t in &schemes {
        let start = day(s(t, "start"));
        let first = alerts
            .iter()
            .filter(|a| (STATISTICAL.contains(&s(a, "kind")) || s(a, "kind") == "drug_share") && names(a, t))
            .map(|a| day(s(a, "ts")) - start)
            .filter(|&d| d >= 0)
            .min();
        let e = score.schemes.entry(s(t, "kind").trim_start_matches("scheme:").to_owned()).or_default();
        e.0 += 1;
        if let Some(d) = first {
            e.1 += 1;
            e.2.push(d);
        }
    }
    let mut false_subjects = BTreeSet::new();
    for a in alerts {
        let kind = s(a, "kind");
        if !STATISTICAL.contains(&kind) && kind != "overuse_warning" && kind != "drug_share" {
            continue;
        }
        let e = score.kinds.entry(kind.to_owned()).or_default();
        e.0 += 1;
        if schemes.iter().any(|t| names(a, t)) {
            e.1 += 1;
        } else if STATISTICAL.contains(&kind) && false_subjects.insert(subject(a)) {
            e.2 += 1;
        }
    }
    for t in truth.iter().filter(|t| s(t, "kind").starts_with("confounder:")) {
        let e = score.confounders.entry(s(t, "kind").trim_start_matches("confounder:").to_owned()).or_default();
        e.0 += 1;
        if alerts
            .iter()
            .any(|a| STATISTICAL.contains(&s(a, "kind")) && names(a, t) && !schemes.iter().any(|sc| names(a, sc)))
        {
            e.1 += 1;
        }
    }
    score.false_subjects += false_subjects.len();
    false_subjects.len()
}

fn median(v: &[i64]) -> Option<i64> {
    let mut v = v.to_vec();
    v.sort_unstable();
    (!v.is_empty()).then(|| v[v.len() / 2])
}

impl Score {
    /// False statistical subjects per 100 doctors per judged month.
    pub fn false_rate(&self) -> f64 {
        self.false_subjects as f64 / (self.doctor_months / 100.0).max(1e-9)
    }

    pub fn recall(&self) -> f64 {
        let (p, d) = self.schemes.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
        d as f64 / p.max(1) as f64
    }

    pub fn median_delay(&self) -> Option<i64> {
        median(&self.schemes.values().flat_map(|v| v.2.iter().copied()).collect::<Vec<_>>())
    }

    /// Markdown tables for docs/detection.md.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "| scheme | planted | detected | recall | median delay (days) | max delay |\n|---|---|---|---|---|---|"
        );
        for (k, (p, d, delays)) in &self.schemes {
            let _ = writeln!(
                o,
                "| {k} | {p} | {d} | {:.0}% | {} | {} |",
                100.0 * *d as f64 / (*p).max(1) as f64,
                median(delays).map_or("—".into(), |m| m.to_string()),
                delays.iter().max().map_or("—".into(), |m| m.to_string())
            );
        }
        let _ = writeln!(
            o,
            "| **all** | | | **{:.0}%** | **{}** | |\n",
            100.0 * self.recall(),
            self.median_delay().map_or("—".into(), |m| m.to_string())
        );
        let _ = writeln!(o, "| alert kind | alerts | naming a planted scheme | false subjects |\n|---|---|---|---|");
        for (k, (n, t, f)) in &self.kinds {
            let _ = writeln!(o, "| {k} | {n} | {t} | {f} |");
        }
        let _ = writeln!(o, "\n| confounder | planted | fired on |\n|---|---|---|");
        for (k, (n, h)) in &self.confounders {
            let _ = writeln!(o, "| {k} | {n} | {h} |");
        }
        let _ = writeln!(
            o,
            "\nFalse statistical subjects: {} over {:.0} doctor-months judged = **{:.2} per 100 doctors per month** (target ≤ 1).",
            self.false_subjects,
            self.doctor_months,
            self.false_rate()
        );
        let _ = writeln!(o, "\nRuns:");
        for r in &self.runs {
            let _ = writeln!(o, "- {r}");
        }
        o
    }
}
