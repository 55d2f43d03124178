//! Deterministic alert ids: the same rule, subject and window give the same id on any
//! replay, on any machine, after any restart. SHA-256 over length-prefixed parts, so no
//! choice of ids can make two different subjects collide by concatenation.

use sha2::{Digest, Sha256};

pub fn alert_id(rule: &str, subject: &[&str], window: &str) -> String {
    let mut h = Sha256::new();
    for part in std::iter::once(rule).chain(subject.iter().copied()).chain(std::iter::once(window)) {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut s = String::with_capacity(32);
    for b in &digest[..16] {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_unambiguous() {
        let a = alert_id("R1", &["H01", "D1"], "RX1");
        assert_eq!(a, alert_id("R1", &["H01", "D1"], "RX1"));
        assert_eq!(a.len(), 32);
        assert_ne!(alert_id("R1", &["H01", "D1"], "RX1"), alert_id("R1", &["H01", "D"], "1RX1"));
        assert_ne!(a, alert_id("R2", &["H01", "D1"], "RX1"));
    }
}
