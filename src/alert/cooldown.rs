//! Cooldown per rule and subject, in event time. A subject re-fires only in a new window
//! and only once the rule's cooldown has passed since its last alert. Entries older than
//! the longest cooldown are forgotten, so memory follows the active subjects.

use rustc_hash::FxHashMap;

use crate::event::Ts;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Cooldown {
    last: FxHashMap<u64, Last>,
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Last {
    ts: i64,
    window: u64,
}

/// Keyed by the rule's id, not its position in the rule list: a reordered or reloaded
/// rule set keeps its cooldowns.
fn key(rule: &str, subject: &[&str]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&(rule.len() as u64).to_le_bytes());
    h.update(rule.as_bytes());
    for part in subject {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.digest()
}

impl Cooldown {
    /// Whether a candidate may fire now; records it when it may.
    pub fn admit(&mut self, rule: &str, subject: &[&str], window: &str, ts: Ts, cooldown_secs: i64) -> bool {
        let k = key(rule, subject);
        let w = xxhash_rust::xxh3::xxh3_64(window.as_bytes());
        let mut latest = ts.0;
        if let Some(last) = self.last.get(&k) {
            // Events may arrive out of order: the gap is measured either way, and a zero
            // cooldown never holds anything back but the same window.
            if last.window == w || (cooldown_secs > 0 && (ts.0 - last.ts).abs() < cooldown_secs) {
                return false;
            }
            latest = latest.max(last.ts);
        }
        self.last.insert(k, Last { ts: latest, window: w });
        true
    }

    /// Forgets subjects whose last alert is older than `horizon_secs` before `now`.
    pub fn evict(&mut self, now: Ts, horizon_secs: i64) {
        self.last.retain(|_, l| now.0 - l.ts <= horizon_secs);
    }

    pub fn len(&self) -> usize {
        self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cooldown_and_window() {
        let mut c = Cooldown::default();
        assert!(c.admit("R0", &["D1"], "w1", Ts(0), 100));
        assert!(!c.admit("R0", &["D1"], "w1", Ts(500), 100), "same window never twice");
        assert!(!c.admit("R0", &["D1"], "w2", Ts(50), 100), "inside cooldown");
        assert!(c.admit("R0", &["D1"], "w2", Ts(150), 100));
        assert!(c.admit("R0", &["D2"], "w2", Ts(150), 100), "other subject");
        assert!(c.admit("R1", &["D1"], "w3", Ts(150), 100), "other rule");
        assert!(c.admit("R2", &["D1"], "late", Ts(100), 0), "an older event still alerts with no cooldown");
        assert!(c.admit("R2", &["D1"], "later", Ts(50), 0));
        assert!(
            !c.admit("R3", &["D1"], "a", Ts(500), 100) || !c.admit("R3", &["D1"], "b", Ts(450), 100),
            "cooldown holds either way"
        );
        c.evict(Ts(1000), 100);
        assert!(c.is_empty());
    }
}
