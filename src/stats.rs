//! Plain counters of what the pipeline did. Kept in the synchronous core (no globals);
//! the edges print them as the replay summary or export them as metrics. Every dimension
//! is a small fixed enum: no id of any doctor, drug, patient or user ever appears here.

use std::fmt;

use crate::event::{EventType, RejectReason};
use crate::rules::Kind;

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    pub events: [u64; EventType::ALL.len()],
    pub rejected: [u64; RejectReason::ALL.len()],
    pub duplicates: u64,
    /// Too late for windowed state (still checked by per-event rules).
    pub late: u64,
    /// Set aside for good: stamped ahead of the hospital's trusted time (or, live, of the
    /// machine's clock) and never confirmed; applied to no window (per-event rules ran).
    pub future: u64,
    pub unknown_drug: u64,
    pub unknown_doctor: u64,
    pub alerts: [u64; Kind::ALL.len()],
    /// Candidates held back by cooldown.
    pub suppressed: u64,
    /// Candidates an approved exception covered, by kind. Not in checkpoints (the format
    /// predates it): a restored pipeline counts from zero.
    #[serde(skip)]
    pub excepted: [u64; Kind::ALL.len()],
}

impl Stats {
    pub fn accepted(&self) -> u64 {
        self.events.iter().sum()
    }

    pub fn rejected_total(&self) -> u64 {
        self.rejected.iter().sum()
    }

    pub fn alerts_total(&self) -> u64 {
        self.alerts.iter().sum()
    }

    pub fn reject(&mut self, r: RejectReason) {
        self.rejected[r as usize] += 1;
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, items: Vec<(&str, u64)>| -> fmt::Result {
            let shown: Vec<String> =
                items.into_iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{k}={n}")).collect();
            if shown.is_empty() {
                writeln!(f, "none")
            } else {
                writeln!(f, "{}", shown.join(" "))
            }
        };
        write!(f, "  events accepted  {:>10}  ", self.accepted())?;
        list(f, EventType::ALL.iter().map(|t| (t.as_str(), self.events[*t as usize])).collect())?;
        write!(f, "  rejected         {:>10}  ", self.rejected_total())?;
        list(f, RejectReason::ALL.iter().map(|r| (r.as_str(), self.rejected[*r as usize])).collect())?;
        writeln!(f, "  duplicates       {:>10}  (redelivered event_id, skipped)", self.duplicates)?;
        writeln!(f, "  late             {:>10}  (beyond allowed lateness: per-event rules only)", self.late)?;
        writeln!(
            f,
            "  future           {:>10}  (stamped ahead of the stream, never confirmed: per-event rules only)",
            self.future
        )?;
        writeln!(
            f,
            "  unknown          {:>10}  drugs, {} doctors (not in catalog/roster)",
            self.unknown_drug, self.unknown_doctor
        )?;
        write!(f, "  alerts           {:>10}  ", self.alerts_total())?;
        list(f, Kind::ALL.iter().map(|k| (k.as_str(), self.alerts[*k as usize])).collect())?;
        write!(f, "  suppressed       {:>10}  (cooldown)", self.suppressed)?;
        let excepted: u64 = self.excepted.iter().sum();
        if excepted > 0 {
            write!(f, "\n  excepted         {excepted:>10}  (covered by an approved exception)")?;
        }
        Ok(())
    }
}
