//! Loading a rules directory: `engine.toml`, every other `*.toml` as rule files, and the
//! catalog CSVs with their per-hospital directories. Problems are collected across all
//! files, each with file and line.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use toml::{Spanned, Table};

use super::dir::rule_files;
use super::duration::Span;
use super::engine::{Engine, EngineFile};
use super::example::RawExample;
use super::exception::RawException;
use super::model::*;
use super::problem::{line_of, Problem, Problems};
use super::ranges::{across, check_table, thresholds, Invalid, FOOTPRINT, RULE, STREAM};
use super::{dictionary, hospitals, RuleSet};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Spanned<Table>>,
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
    thresholds: Option<Table>,
    /// `[[rule.exception]]` tables, read one by one so that a problem names its own line.
    #[serde(default)]
    exception: Vec<Table>,
    #[serde(default)]
    example: Vec<Table>,
}

fn yes() -> bool {
    true
}

/// Loads and validates `dir`; the catalog comes from `catalog_dir` (default `dir/catalog`).
pub fn load(dir: &Path, catalog_dir: Option<&Path>) -> Result<RuleSet, Problems> {
    let mut problems = Vec::new();
    let files = rule_files(dir, &mut problems)
        .map_err(|e| Problems(vec![Problem::new(dir, None, None, format!("cannot read rules directory: {e}"))]))?;
    let mut engine = Engine::default();
    let mut rules = Collect::default();
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem::new(path, None, None, format!("cannot read: {e}")));
                continue;
            }
        };
        if path.file_name().is_some_and(|n| n == "engine.toml") {
            engine = load_engine(path, &text, &mut problems).unwrap_or(engine);
        } else {
            rules.file(path, &text, &mut problems);
        }
    }
    if problems.is_empty() && rules.rules.is_empty() {
        // Rule files that hold no enabled rule (empty, cut short, all disabled): the service
        // would run and never alert.
        let msg = "no enabled rule in any rule file: the service would never alert; enable at least one [[rule]]";
        problems.push(Problem::new(dir, None, None, msg));
    }
    let catalog_dir = catalog_dir.map(Path::to_path_buf).unwrap_or_else(|| dir.join("catalog"));
    let (catalog, hospital_catalogs) = hospitals::load(&catalog_dir, &mut problems);
    let (dictionary, hospital_dictionaries) = dictionary::load(dir, &mut problems);
    if problems.is_empty() {
        Ok(RuleSet { engine, rules: rules.rules, catalog, hospital_catalogs, dictionary, hospital_dictionaries })
    } else {
        Err(Problems(problems))
    }
}

/// Where a rule is: its file, the file's text, and the line the rule starts on.
struct At<'a> {
    path: &'a Path,
    text: &'a str,
    line: usize,
}

impl At<'_> {
    /// A value out of range, on the line of its key, as `prefix.key = value: why (rule id)`.
    fn invalid(&self, id: &str, prefix: &str, bad: &Invalid) -> Problem {
        let line = key_line(self.text, self.line, bad.leaf()).unwrap_or(self.line);
        Problem::new(self.path, Some(line), Some(&bad.field(prefix)), format!("{} (rule {id})", bad.message))
    }
}

/// The rules read so far, their ids, and the first rule of each kind.
#[derive(Default)]
struct Collect {
    rules: Vec<Rule>,
    ids: HashSet<String>,
    first: HashMap<Kind, String>,
}

impl Collect {
    fn file(&mut self, path: &Path, text: &str, problems: &mut Vec<Problem>) {
        let file: RuleFile = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => return problems.push(toml_problem(path, text, &e)),
        };
        for spanned in file.rule {
            let at = At { path, text, line: line_of(text, spanned.span().start) };
            // Each rule on its own, so one bad rule does not hide the problems of the next.
            match self.rule(&at, spanned.into_inner()) {
                Ok(Some(rule)) => self.rules.push(rule),
                Ok(None) => {}
                Err(mut p) => problems.append(&mut p),
            }
        }
    }

    /// One rule: `None` when disabled. A disabled rule is checked all the same, so that
    /// enabling it later holds no surprise; it reserves no id and no one-rule kind.
    fn rule(&mut self, at: &At, table: Table) -> Result<Option<Rule>, Vec<Problem>> {
        let raw: RawRule = toml::Value::Table(table.clone()).try_into().map_err(|e: toml::de::Error| {
            let msg = e.message().to_string();
            let line = culprit_line(at.text, at.line, &msg).unwrap_or(at.line);
            vec![Problem::new(at.path, Some(line), None, msg)]
        })?;
        if raw.enabled {
            self.identity(at, &raw)?;
        }
        let kind = raw.kind.as_str();
        let mut bad: Vec<Problem> = check_table(&table, RULE).iter().map(|b| at.invalid(&raw.id, "", b)).collect();
        if let Some(t) = &raw.thresholds {
            let prefix = format!("{kind}.");
            bad.extend(check_table(t, &thresholds(raw.kind)).iter().map(|b| at.invalid(&raw.id, &prefix, b)));
        }
        if !bad.is_empty() {
            return Err(bad);
        }
        let params = params(raw.kind, raw.thresholds.as_ref(), at)
            .map_err(|p| vec![Problem { message: format!("rule {}: {}", raw.id, p.message), ..p }])?;
        if let Some(b) = across(&params) {
            return Err(vec![at.invalid(&raw.id, &format!("{kind}."), &b)]);
        }
        let exceptions = self.exceptions(at, &raw.id, raw.kind, &params, raw.exception)?;
        let examples = examples(at, &raw.id, raw.example)?;
        if !raw.enabled {
            return Ok(None);
        }
        let (id, kind, severity, cooldown) = (raw.id, raw.kind, raw.severity, raw.cooldown);
        Ok(Some(Rule { id, kind, severity, cooldown, params, exceptions, examples }))
    }

    /// A rule's `[[rule.exception]]` tables, each checked against the rule's kind.
    fn exceptions(
        &self,
        at: &At,
        id: &str,
        kind: Kind,
        params: &Params,
        raw: Vec<Table>,
    ) -> Result<Vec<super::exception::Exception>, Vec<Problem>> {
        sub_tables(at, id, "exception", raw, |e: RawException, line| {
            e.validate(kind, params, at.path, line).map_err(|(field, msg)| (line, format!("exception.{field}"), msg))
        })
    }

    /// A well-formed, unique id, and no second rule of a kind whose detector reads only one.
    fn identity(&mut self, at: &At, raw: &RawRule) -> Result<(), Vec<Problem>> {
        let problem = |field: &str, msg: String| vec![Problem::new(at.path, Some(at.line), Some(field), msg)];
        if raw.id.is_empty() || !raw.id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(problem("id", format!("rule {}: use letters, digits, '-', '_' or '.'", raw.id)));
        }
        if !self.ids.insert(raw.id.clone()) {
            return Err(problem("id", format!("rule {}: duplicate rule id", raw.id)));
        }
        if !raw.kind.one_rule_only() {
            return Ok(());
        }
        if let Some(first) = self.first.get(&raw.kind) {
            let msg = format!(
                "rule {}: a second `{}` rule; its detector reads only the first, {first}: merge them, or set enabled = false on one",
                raw.id,
                raw.kind.as_str()
            );
            return Err(problem("kind", msg));
        }
        self.first.insert(raw.kind, format!("{} ({}:{})", raw.id, at.path.display(), at.line));
        Ok(())
    }
}

/// A rule's `[[rule.example]]` tables, their events decoded as the pipeline would.
fn examples(at: &At, id: &str, raw: Vec<Table>) -> Result<Vec<super::example::Example>, Vec<Problem>> {
    let mut names = HashSet::new();
    sub_tables(at, id, "example", raw, |e: RawExample, line| {
        let e = e.validate(at.text, at.path, line)?;
        if !names.insert(e.name.clone()) {
            return Err((
                line,
                "example.name".into(),
                format!("example \"{}\": a second example of that name", e.name),
            ));
        }
        Ok(e)
    })
}

/// The rule's `[[rule.NAME]]` tables, each read and checked by `check` (given its header's
/// line; an error is `(line, field, message)`). A table that does not read names its own
/// line, searched within that table only.
fn sub_tables<R: DeserializeOwned, T>(
    at: &At,
    id: &str,
    name: &str,
    raw: Vec<Table>,
    mut check: impl FnMut(R, usize) -> Result<T, (usize, String, String)>,
) -> Result<Vec<T>, Vec<Problem>> {
    let headers = sub_table_lines(at.text, at.line, &format!("rule.{name}"));
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, table) in raw.into_iter().enumerate() {
        let line = headers.get(i).copied().unwrap_or(at.line);
        let checked = toml::Value::Table(table).try_into::<R>().map_err(|e| {
            let msg = e.message().to_string();
            let culprit = culprit_line(at.text, line, &msg).unwrap_or(line);
            (culprit, name.to_owned(), format!("{msg} (keys after [[rule.{name}]] belong to it)"))
        });
        match checked.and_then(|r| check(r, line)) {
            Ok(t) => out.push(t),
            Err((line, field, msg)) => {
                bad.push(Problem::new(at.path, Some(line), Some(&field), format!("{msg} (rule {id})")))
            }
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(bad)
    }
}

fn load_engine(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Option<Engine> {
    let parsed = toml::from_str::<Table>(text).and_then(|t| Ok((t, toml::from_str::<EngineFile>(text)?)));
    let (table, file) = match parsed {
        Ok(x) => x,
        Err(e) => {
            problems.push(toml_problem(path, text, &e));
            return None;
        }
    };
    let problem = |b: &Invalid, prefix: &str| {
        let leaf = b.key.rsplit('.').next().unwrap_or(&b.key);
        Problem::new(path, key_line(text, 1, leaf), Some(&b.field(prefix)), b.message.as_str())
    };
    for (section, keys) in [("stream", STREAM), ("footprint", FOOTPRINT)] {
        let bad = table.get(section).and_then(toml::Value::as_table).map(|t| check_table(t, keys)).unwrap_or_default();
        if !bad.is_empty() {
            problems.extend(bad.iter().map(|b| problem(b, &format!("{section}."))));
            return None;
        }
    }
    match file.validate() {
        Ok(e) => Some(e),
        Err(b) => {
            problems.push(problem(&b, ""));
            None
        }
    }
}

fn toml_problem(path: &Path, text: &str, e: &toml::de::Error) -> Problem {
    let line = e.span().map(|s| line_of(text, s.start));
    Problem::new(path, line, None, e.message().to_string())
}

/// The name of the array-of-tables header on `line` (`[[rule.exception]]` → `rule.exception`).
fn header(line: &str) -> Option<String> {
    let l = line.trim();
    let inner = l.strip_prefix("[[")?.split("]]").next()?;
    Some(inner.chars().filter(|c| !c.is_whitespace()).collect())
}

/// The lines of the rule starting on `rule_line`: up to the next `[[rule]]` (its
/// `[[rule.exception]]` and `[[rule.example]]` tables are the rule's own).
fn rule_lines(text: &str, rule_line: usize) -> impl Iterator<Item = (usize, &str)> {
    let start = rule_line.max(1);
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .skip(start - 1)
        .take_while(move |(n, l)| *n == start || header(l).is_none_or(|h| h.starts_with("rule.")))
}

/// The lines of the rule's `[[name]]` headers, in order.
fn sub_table_lines(text: &str, rule_line: usize, name: &str) -> Vec<usize> {
    rule_lines(text, rule_line).filter(|(_, l)| header(l).is_some_and(|h| h == name)).map(|(n, _)| n).collect()
}

/// The line, within the table starting at `table_line` (a rule up to its first sub-table, or
/// one `[[rule.exception]]`), that holds the key or value a serde message names (in
/// backticks or double quotes), comments aside.
fn culprit_line(text: &str, table_line: usize, msg: &str) -> Option<usize> {
    let token = msg.split('`').nth(1).or_else(|| msg.split('"').nth(1)).filter(|t| !t.is_empty())?;
    rule_lines(text, table_line)
        .skip(1)
        .take_while(|(_, l)| header(l).is_none())
        .find(|(_, l)| !l.trim_start().starts_with('#') && l.contains(token))
        .map(|(n, _)| n)
}

/// The line of `key = …` within the rule (or file, from line 1) starting on `from_line`.
fn key_line(text: &str, from_line: usize, key: &str) -> Option<usize> {
    let is_key = |l: &str| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('='));
    rule_lines(text, from_line).find(|(_, l)| is_key(l)).map(|(n, _)| n)
}

fn parse_table<T: DeserializeOwned + Default>(table: Option<&Table>, at: &At) -> Result<T, Problem> {
    let Some(t) = table else { return Ok(T::default()) };
    toml::Value::Table(t.clone()).try_into::<T>().map_err(|e| {
        let msg = e.message().to_string();
        let line = culprit_line(at.text, at.line, &msg).unwrap_or(at.line);
        Problem::new(at.path, Some(line), Some("thresholds"), msg)
    })
}

fn params(kind: Kind, t: Option<&Table>, at: &At) -> Result<Params, Problem> {
    Ok(match kind {
        Kind::SuspendedDrug => {
            parse_table::<NoParams>(t, at)?;
            Params::Suspended
        }
        Kind::RestrictedDrug => Params::Restricted(parse_table(t, at)?),
        Kind::AntibioticPrivilege => Params::Antibiotic(parse_table(t, at)?),
        Kind::ControlledPrivilege => Params::Controlled(parse_table(t, at)?),
        Kind::LargeRx => Params::LargeRx(parse_table(t, at)?),
        Kind::DrugShare | Kind::MaterialShare => Params::Share(parse_table(t, at)?),
        Kind::TongfangQuery => Params::Tongfang(parse_table(t, at)?),
        Kind::BulkExport => Params::BulkExport(parse_table(t, at)?),
        Kind::Surge => Params::Surge(parse_table(t, at)?),
        Kind::PeerOutlier => Params::Peer(parse_table(t, at)?),
        Kind::Concentration => Params::Concentration(parse_table(t, at)?),
        Kind::RepVisitLift => Params::RepLift(parse_table(t, at)?),
        Kind::OveruseWarning => Params::Overuse(parse_table(t, at)?),
    })
}
