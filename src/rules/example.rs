//! `[[rule.example]]`: events in, and how many alerts of the rule come out (with fields
//! every one of them has). `rxsentinel rules test DIR` runs them (`pipeline::examples`);
//! the events are checked here, at load, so a broken example is a rules problem.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::event::decode;

/// One validated example.
#[derive(Clone, Debug)]
pub struct Example {
    pub name: String,
    /// The events, one CONTRACT §1 JSON object per line, with their lines in the file.
    pub events: Vec<(usize, String)>,
    /// How many alerts of the rule the events give.
    pub alerts: usize,
    /// Fields (`doctor`, `severity`, `evidence.check`, …) and the value every alert has.
    pub expect: Vec<(String, serde_json::Value)>,
    pub file: PathBuf,
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExample {
    name: String,
    events: String,
    alerts: u32,
    #[serde(default)]
    expect: BTreeMap<String, toml::Value>,
}

impl RawExample {
    /// Checks it; `text` is the rule file and `line` the example's header line. An error is
    /// `(line, field, message)`.
    pub(super) fn validate(self, text: &str, file: &Path, line: usize) -> Result<Example, (usize, String, String)> {
        if self.name.trim().is_empty() {
            return Err((line, "example.name".into(), "required: failures are reported by name".into()));
        }
        let first = events_line(text, line).unwrap_or(line);
        let mut events = Vec::new();
        for (i, l) in self.events.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let at = first + i;
            if let Err(r) = decode(l.as_bytes(), None) {
                let field = format!("example.events{}", r.field.map(|f| format!(".{f}")).unwrap_or_default());
                return Err((at, field, format!("example \"{}\": {r}", self.name)));
            }
            events.push((at, l.to_owned()));
        }
        if events.is_empty() {
            return Err((line, "example.events".into(), format!("example \"{}\": no event", self.name)));
        }
        let mut expect = Vec::new();
        for (k, v) in self.expect {
            let v = match v {
                toml::Value::String(s) => serde_json::Value::String(s),
                toml::Value::Integer(n) => n.into(),
                toml::Value::Float(x) => x.into(),
                toml::Value::Boolean(b) => b.into(),
                _ => {
                    let msg = format!("example \"{}\": a string, number or boolean", self.name);
                    return Err((line, format!("example.expect.{k}"), msg));
                }
            };
            expect.push((k, v));
        }
        let (name, alerts) = (self.name, self.alerts as usize);
        Ok(Example { name, events, alerts, expect, file: file.to_owned(), line })
    }
}

/// The first line of the `events` string of the example whose header is on `header_line`:
/// the line after `events = '''` (a multi-line string), or that line itself.
fn events_line(text: &str, header_line: usize) -> Option<usize> {
    for (i, l) in text.lines().enumerate().skip(header_line) {
        let t = l.trim_start();
        if t.starts_with('[') {
            return None;
        }
        if let Some(rest) = t.strip_prefix("events").map(str::trim_start).and_then(|r| r.strip_prefix('=')) {
            let rest = rest.trim();
            let multi = rest == "'''" || rest == "\"\"\"";
            return Some(i + 1 + usize::from(multi));
        }
    }
    None
}

/// The value at `path` (`evidence.check`) of an alert as JSON.
pub fn field<'a>(alert: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(alert, |v, k| v.get(k))
}

/// Whether `got` is `want`: numbers by value (`1` is `1.0`), everything else exactly.
pub fn same(got: &serde_json::Value, want: &serde_json::Value) -> bool {
    match (got.as_f64(), want.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => got == want,
    }
}
