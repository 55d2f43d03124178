//! Loading a rules directory: `engine.toml`, every other `*.toml` as rule files, and the
//! catalog CSVs. Problems are collected across all files, each with file and line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use toml::Spanned;

use super::catalog::Catalog;
use super::duration::Span;
use super::engine::{Engine, EngineFile};
use super::model::*;
use super::problem::{line_of, Problem, Problems};
use super::RuleSet;
use crate::state::usage::WEEKS;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    kind: Kind,
    severity: Severity,
    #[serde(default)]
    cooldown: Span,
    #[serde(default = "yes")]
    enabled: bool,
    #[allow(dead_code)]
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    thresholds: Option<toml::Table>,
}

fn yes() -> bool {
    true
}

/// Loads and validates `dir`; the catalog comes from `catalog_dir` (default `dir/catalog`).
pub fn load(dir: &Path, catalog_dir: Option<&Path>) -> Result<RuleSet, Problems> {
    let mut problems = Vec::new();
    let files = match toml_files(dir) {
        Ok(f) => f,
        Err(e) => {
            return Err(Problems(vec![Problem::new(dir, None, None, format!("cannot read rules directory: {e}"))]))
        }
    };
    let mut engine = Engine::default();
    let mut rules = Vec::new();
    let mut ids = HashSet::new();
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem::new(path, None, None, format!("cannot read: {e}")));
                continue;
            }
        };
        if path.file_name().is_some_and(|n| n == "engine.toml") {
            if let Some(e) = load_engine(path, &text, &mut problems) {
                engine = e;
            }
            continue;
        }
        let file: RuleFile = match toml::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                problems.push(toml_problem(path, &text, &e));
                continue;
            }
        };
        for spanned in file.rule {
            let line = line_of(&text, spanned.span().start);
            // Each rule on its own, so one bad rule does not hide the problems of the next.
            let raw: RawRule = match toml::Value::Table(spanned.into_inner()).try_into() {
                Ok(r) => r,
                Err(e) => {
                    let msg = e.message().to_string();
                    let at = culprit_line(&text, line, &msg).unwrap_or(line);
                    problems.push(Problem::new(path, Some(at), None, msg));
                    continue;
                }
            };
            if !raw.enabled {
                continue;
            }
            let at = |field: &str, msg: String| {
                Problem::new(path, Some(line), Some(field), format!("rule {}: {msg}", raw.id))
            };
            if raw.id.is_empty() || !raw.id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                problems.push(at("id", "use letters, digits, '-', '_' or '.'".into()));
                continue;
            }
            if !ids.insert(raw.id.clone()) {
                problems.push(at("id", "duplicate rule id".into()));
                continue;
            }
            match params(raw.kind, raw.thresholds.as_ref(), path, &text, line) {
                Ok(params) => {
                    if let Err((field, msg)) = check(&params) {
                        problems.push(at(&format!("thresholds.{field}"), msg));
                        continue;
                    }
                    rules.push(Rule {
                        id: raw.id,
                        kind: raw.kind,
                        severity: raw.severity,
                        cooldown: raw.cooldown,
                        params,
                    });
                }
                Err(p) => problems.push(Problem { message: format!("rule {}: {}", raw.id, p.message), ..p }),
            }
        }
    }
    let catalog_dir = catalog_dir.map(Path::to_path_buf).unwrap_or_else(|| dir.join("catalog"));
    let catalog = Catalog::load(&catalog_dir, &mut problems);
    if problems.is_empty() {
        Ok(RuleSet { engine, rules, catalog })
    } else {
        Err(Problems(problems))
    }
}

fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

fn load_engine(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Option<Engine> {
    let file: EngineFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            problems.push(toml_problem(path, text, &e));
            return None;
        }
    };
    match file.validate() {
        Ok(e) => Some(e),
        Err((key, msg)) => {
            let leaf = key.rsplit('.').next().unwrap_or(&key);
            problems.push(Problem::new(path, find_key_line(text, 0, leaf), Some(&key), msg));
            None
        }
    }
}

fn toml_problem(path: &Path, text: &str, e: &toml::de::Error) -> Problem {
    let line = e.span().map(|s| line_of(text, s.start));
    Problem::new(path, line, None, e.message().to_string())
}

/// The line, within the rule starting at `rule_line`, that holds the key or value a serde
/// message names (in backticks or double quotes).
fn culprit_line(text: &str, rule_line: usize, msg: &str) -> Option<usize> {
    let token = msg.split('`').nth(1).or_else(|| msg.split('"').nth(1)).filter(|t| !t.is_empty())?;
    text.lines()
        .enumerate()
        .skip(rule_line)
        .take_while(|(_, l)| !l.trim_start().starts_with("[[rule]]"))
        .find(|(_, l)| l.contains(token))
        .map(|(i, _)| i + 1)
}

/// Line of the first `key =` at or after byte `from`.
fn find_key_line(text: &str, from: usize, key: &str) -> Option<usize> {
    let mut offset = from.min(text.len());
    for l in text[offset..].split_inclusive('\n') {
        let t = l.trim_start();
        if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
            return Some(line_of(text, offset));
        }
        offset += l.len();
    }
    None
}

fn parse_table<T: DeserializeOwned + Default>(
    table: Option<&toml::Table>,
    path: &Path,
    text: &str,
    rule_line: usize,
) -> Result<T, Problem> {
    let Some(t) = table else { return Ok(T::default()) };
    toml::Value::Table(t.clone()).try_into::<T>().map_err(|e| {
        let msg = e.message().to_string();
        let line = culprit_line(text, rule_line, &msg).unwrap_or(rule_line);
        Problem::new(path, Some(line), Some("thresholds"), msg)
    })
}

fn params(kind: Kind, t: Option<&toml::Table>, path: &Path, text: &str, line: usize) -> Result<Params, Problem> {
    Ok(match kind {
        Kind::SuspendedDrug => {
            parse_table::<NoParams>(t, path, text, line)?;
            Params::Suspended
        }
        Kind::RestrictedDrug => Params::Restricted(parse_table(t, path, text, line)?),
        Kind::AntibioticPrivilege => Params::Antibiotic(parse_table(t, path, text, line)?),
        Kind::ControlledPrivilege => Params::Controlled(parse_table(t, path, text, line)?),
        Kind::LargeRx => Params::LargeRx(parse_table(t, path, text, line)?),
        Kind::DrugShare | Kind::MaterialShare => Params::Share(parse_table(t, path, text, line)?),
        Kind::TongfangQuery => Params::Tongfang(parse_table(t, path, text, line)?),
        Kind::BulkExport => Params::BulkExport(parse_table(t, path, text, line)?),
        Kind::Surge => Params::Surge(parse_table(t, path, text, line)?),
        Kind::PeerOutlier => Params::Peer(parse_table(t, path, text, line)?),
        Kind::Concentration => Params::Concentration(parse_table(t, path, text, line)?),
        Kind::RepVisitLift => Params::RepLift(parse_table(t, path, text, line)?),
        Kind::OveruseWarning => Params::Overuse(parse_table(t, path, text, line)?),
    })
}

/// Cross-field checks serde cannot express. Returns (field, message).
fn check(p: &Params) -> Result<(), (String, String)> {
    let bad = |f: &str, m: &str| Err((f.to_string(), m.to_string()));
    match p {
        Params::Share(s) => {
            if s.window.secs() < 86_400 {
                return bad("window", "must be at least 1d");
            }
            if s.limit.is_none() && s.min_increase.is_none() && s.dept_limits.is_empty() {
                return bad("limit", "set `limit`, `dept_limits` or `min_increase`, or the rule can never fire");
            }
            if s.window.days() + s.baseline.days() > super::MAX_SHARE_DAYS {
                return bad("baseline", &format!("window + baseline must not exceed {} days", super::MAX_SHARE_DAYS));
            }
            if s.min_ratio < 1.0 {
                return bad("min_ratio", "must be >= 1");
            }
        }
        Params::LargeRx(l) => {
            if l.max_lines == 0 {
                return bad("max_lines", "must be at least 1");
            }
        }
        Params::Tongfang(t) => {
            if t.doctor_columns.is_empty() || t.drug_columns.is_empty() {
                return bad("doctor_columns", "doctor_columns and drug_columns must not be empty");
            }
        }
        Params::BulkExport(b) => {
            if b.max_rows < 1 {
                return bad("max_rows", "must be at least 1");
            }
        }
        Params::Surge(p) => {
            if p.min_baseline_weeks < 1
                || p.baseline_weeks < 1
                || p.gap_weeks < 1
                || p.baseline_weeks + p.gap_weeks > WEEKS as i32 - 1
            {
                return bad(
                    "baseline_weeks",
                    &format!(
                        "need baseline_weeks, min_baseline_weeks, gap_weeks >= 1 and baseline_weeks + gap_weeks <= {} (weeks kept)",
                        WEEKS - 1
                    ),
                );
            }
            if !(p.prior_lines > 0.0 && p.peer_smoothing > 0.0) {
                return bad("prior_lines", "prior_lines and peer_smoothing must be > 0 (pseudo-lines)");
            }
            if p.shift <= 1.0 || p.h <= 0.0 || p.dispersion < 1.0 {
                return bad("shift", "shift must be > 1, h > 0 and dispersion >= 1");
            }
        }
        Params::Peer(p) => {
            if p.window.days() > 30 || p.window.days() < 1 {
                return bad("window", "must be 1d..30d (32 days are kept)");
            }
            if p.baseline_weeks < 1 || p.baseline_weeks > 8 {
                return bad("baseline_weeks", "must be 1..=8");
            }
        }
        Params::Concentration(p) => {
            if p.window.days() > 30 || p.window.days() < 1 {
                return bad("window", "must be 1d..30d (32 days are kept)");
            }
            if p.baseline_weeks < 1 || p.baseline_weeks > 7 || p.top_k == 0 {
                return bad("baseline_weeks", "baseline_weeks must be 1..=7 and top_k >= 1");
            }
        }
        Params::RepLift(p) => {
            if p.after_min_days < 1 || p.after_max_days < p.after_min_days || p.after_max_days > 60 {
                return bad("after_max_days", "need 1 <= after_min_days <= after_max_days <= 60");
            }
            if p.before_weeks < 1 || p.before_weeks > 10 {
                return bad("before_weeks", "must be 1..=10");
            }
        }
        Params::Overuse(p) => {
            if p.top_drugs == 0 || p.top_doctors == 0 {
                return bad("top_drugs", "top_drugs and top_doctors must be at least 1");
            }
        }
        Params::Suspended | Params::Restricted(_) | Params::Antibiotic(_) | Params::Controlled(_) => {}
    }
    Ok(())
}
