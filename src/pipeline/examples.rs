//! Runs the rules' `[[rule.example]]`s: each example's events through a pipeline holding
//! only its rule (exceptions included) with the directory's engine and catalog, and
//! compares the alerts of that rule with what the example expects. The events are trusted
//! (a hand-written example has too few for the hospital clock's vote): the clock starts at
//! the earliest and every event is applied in time order, so the last one closes the days
//! before it by `allowed_lateness`.

use crate::alert::Alert;
use crate::event::{decode, Ts};
use crate::rules::example::{field, same, Example};
use crate::rules::{Rule, RuleSet};

use super::{Arrival, Origin, Pipeline};

/// One example's result: `Err` says what differed.
pub struct Outcome<'r> {
    pub rule: &'r Rule,
    pub example: &'r Example,
    pub result: Result<(), String>,
}

impl Outcome<'_> {
    /// `rules/access.toml:88: rule AC-01, example "a pharmacist's report": …`
    pub fn describe(&self) -> String {
        let head = format!(
            "{}:{}: rule {}, example \"{}\"",
            self.example.file.display(),
            self.example.line,
            self.rule.id,
            self.example.name
        );
        match &self.result {
            Ok(()) => format!("{head}: ok"),
            Err(e) => format!("{head}: {e}"),
        }
    }
}

/// Every example of every enabled rule, in file order.
pub fn run_all(set: &RuleSet) -> Vec<Outcome<'_>> {
    let mut out = Vec::new();
    for rule in &set.rules {
        for example in &rule.examples {
            out.push(Outcome { rule, example, result: run(set, rule, example) });
        }
    }
    out
}

fn run(set: &RuleSet, rule: &Rule, example: &Example) -> Result<(), String> {
    let mut only = set.clone();
    only.rules = vec![rule.clone()];
    let mut pipeline = Pipeline::new(only);
    let mut alerts: Vec<Alert> = Vec::new();
    let mut events = Vec::new();
    for (line, text) in &example.events {
        // Checked when the rules were loaded; a failure here is a bug, named all the same.
        events.push(decode(text.as_bytes(), None).map_err(|r| format!("event on line {line}: {r}"))?);
    }
    let mut starts: Vec<(&str, Ts)> = Vec::new();
    for ev in &events {
        match starts.iter_mut().find(|(h, _)| *h == ev.hospital.as_ref()) {
            Some((_, t)) => *t = (*t).min(ev.ts),
            None => starts.push((&ev.hospital, ev.ts)),
        }
    }
    for (h, t) in starts {
        pipeline.start_clock_at(h, t);
    }
    for (ev, (line, _)) in events.iter().zip(&example.events) {
        let at = Arrival { origin: Origin { input: 0, pos: *line as u64 }, ..Arrival::default() };
        pipeline.process_from(ev, at, &mut alerts);
    }
    pipeline.finish_trusted(&mut alerts);
    // A trusted clock sets nothing aside; an event that was is an example the rule never saw.
    if let Some(s) = pipeline.take_set_aside().first() {
        return Err(format!("the event on line {} was set aside by the hospital's clock ({:?})", s.origin.pos, s.why));
    }
    let got: Vec<serde_json::Value> = alerts
        .iter()
        .filter(|a| a.rule == rule.id)
        .map(|a| serde_json::to_value(a).expect("an alert serialises"))
        .collect();
    let show = |v: &[serde_json::Value]| -> String {
        v.iter().map(|a| format!("\n    {}", a["title"].as_str().unwrap_or(""))).collect()
    };
    if got.len() != example.alerts {
        let plural = if example.alerts == 1 { "" } else { "s" };
        return Err(format!("expected {} alert{plural}, got {}{}", example.alerts, got.len(), show(&got)));
    }
    for (i, a) in got.iter().enumerate() {
        for (path, want) in &example.expect {
            match field(a, path) {
                Some(v) if same(v, want) => {}
                Some(v) => return Err(format!("alert {}: {path} = {v}, expected {want}{}", i + 1, show(&got[i..=i]))),
                None => return Err(format!("alert {}: no {path}, expected {want}{}", i + 1, show(&got[i..=i]))),
            }
        }
    }
    Ok(())
}
