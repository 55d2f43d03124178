//! Alerts (CONTRACT §3): the record, its deterministic id and the cooldown that keeps a
//! persisting condition from re-firing faster than its rule allows.

pub mod cooldown;
pub mod id;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::rules::{Kind, Severity};

pub use cooldown::Cooldown;

/// One alert as written to every sink.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Alert {
    pub alert_id: String,
    pub rule: String,
    pub kind: &'static str,
    pub severity: &'static str,
    pub ts: String,
    pub hospital: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dept: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    pub title: String,
    pub evidence: Map<String, Value>,
}

/// What a detector proposes; the alert stage applies cooldown and ids.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub rule: usize,
    pub kind: Kind,
    pub severity: Severity,
    pub hospital: String,
    pub dept: Option<String>,
    pub doctor: Option<String>,
    pub drug: Option<String>,
    pub user: Option<String>,
    pub manufacturer: Option<String>,
    /// Distinguishes firings for one subject: an rx id, an event id, a window end.
    pub window: String,
    pub title: String,
    pub evidence: Map<String, Value>,
}

impl Candidate {
    pub fn new(rule: usize, kind: Kind, severity: Severity, hospital: &str, window: String) -> Candidate {
        Candidate {
            rule,
            kind,
            severity,
            hospital: hospital.to_owned(),
            dept: None,
            doctor: None,
            drug: None,
            user: None,
            manufacturer: None,
            window,
            title: String::new(),
            evidence: Map::new(),
        }
    }

    /// The subject: who or what the alert is about, without the window.
    pub fn subject(&self) -> [&str; 6] {
        fn o(v: &Option<String>) -> &str {
            v.as_deref().unwrap_or("")
        }
        [&self.hospital, o(&self.dept), o(&self.doctor), o(&self.drug), o(&self.user), o(&self.manufacturer)]
    }

    pub fn evidence(mut self, key: &str, v: impl Into<Value>) -> Candidate {
        self.evidence.insert(key.to_owned(), v.into());
        self
    }
}
