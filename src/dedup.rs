//! Redelivery filter. An `event_id` seen within the horizon (event time) is a redelivery
//! and is skipped before it touches any statistic. Memory is bounded by two generations of
//! 64-bit id hashes: when the newest event time passes the end of the current generation,
//! the older one is dropped, so ids are remembered for between one and two horizons.

use rustc_hash::FxHashSet;

use crate::event::Ts;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Dedup {
    horizon: i64,
    gen_start: i64,
    current: FxHashSet<u64>,
    previous: FxHashSet<u64>,
}

impl Dedup {
    pub fn new(horizon_secs: i64) -> Self {
        Dedup {
            horizon: horizon_secs.max(1),
            gen_start: i64::MIN,
            current: FxHashSet::default(),
            previous: FxHashSet::default(),
        }
    }

    /// A new horizon (reloaded rules); the ids remembered stay.
    pub fn set_horizon(&mut self, horizon_secs: i64) {
        self.horizon = horizon_secs.max(1);
    }

    /// Hash of an id; stable across runs and versions (xxh3), so it can go in snapshots.
    pub fn key(event_id: &str) -> u64 {
        xxhash_rust::xxh3::xxh3_64(event_id.as_bytes())
    }

    /// True the first time an id is offered; false for a redelivery. `watermark` is the
    /// hospital's trusted event time (none before its clock starts): no wrongly stamped
    /// event can age the remembered ids out.
    pub fn first_time(&mut self, event_id: &str, watermark: Option<Ts>) -> bool {
        if let Some(w) = watermark {
            self.rotate(w);
        }
        let k = Dedup::key(event_id);
        if self.previous.contains(&k) {
            return false;
        }
        self.current.insert(k)
    }

    fn rotate(&mut self, watermark: Ts) {
        if self.gen_start == i64::MIN {
            self.gen_start = watermark.0;
            return;
        }
        if watermark.0 - self.gen_start < self.horizon {
            return;
        }
        // The current generation becomes the previous; the older one's table, cleared,
        // is reused for the next (no regrowth every horizon). A jump of more than two
        // horizons forgets both generations.
        std::mem::swap(&mut self.previous, &mut self.current);
        self.current.clear();
        if watermark.0 - self.gen_start >= 2 * self.horizon {
            self.previous.clear();
        }
        self.gen_start = watermark.0;
    }

    pub fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_redeliveries_within_horizon_and_forgets_after() {
        let mut d = Dedup::new(100);
        assert!(d.first_time("a", Some(Ts(0))));
        assert!(!d.first_time("a", Some(Ts(50))));
        assert!(d.first_time("b", Some(Ts(120))), "rotation");
        assert!(!d.first_time("a", Some(Ts(150))), "still in the previous generation");
        assert!(d.first_time("c", Some(Ts(230))));
        assert!(d.first_time("a", Some(Ts(231))), "forgotten after two generations");
        assert!(d.len() <= 3);
    }
}
