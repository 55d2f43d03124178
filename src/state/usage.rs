//! Weekly prescribing volume, net of returns, per doctor × drug, per doctor and per
//! department × drug: the base of the footprint detectors (surge, peer, concentration,
//! rep-visit lift). Per-pair state is a fixed inline ring, ≤ 256 bytes with its key.

use rustc_hash::FxHashMap;

use super::ring::Ring;

/// Weeks of history kept per key.
pub const WEEKS: usize = 16;

#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Use {
    /// Net quantity in dispensing units.
    pub qty: f32,
    /// Net amount in fen.
    pub fen: i32,
    /// Net prescription lines.
    pub lines: i16,
}

impl Use {
    fn apply(&mut self, sign: i8, qty: f64, fen: i64) {
        let s = f64::from(sign);
        self.qty += (s * qty) as f32;
        self.fen = self.fen.saturating_add((i64::from(sign) * fen).clamp(i32::MIN as i64, i32::MAX as i64) as i32);
        self.lines = self.lines.saturating_add(i16::from(sign));
    }
}

pub type Weeks = Ring<[Use; WEEKS]>;

fn new_weeks(week: i32) -> Weeks {
    Ring::new(week, [Use::default(); WEEKS])
}

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

#[derive(Debug, Default, Clone)]
pub struct UsageStore {
    pairs: FxHashMap<u64, Weeks>,
    doctors: FxHashMap<u32, Weeks>,
    dept_drugs: FxHashMap<u64, Weeks>,
}

/// One volume change: a prescription line (`sign` = 1) or a return (`sign` = −1).
#[derive(Copy, Clone, Debug)]
pub struct Delta {
    pub doctor: u32,
    pub dept: u32,
    pub drug: u32,
    pub week: i32,
    pub sign: i8,
    pub qty: f64,
    pub fen: i64,
}

impl UsageStore {
    /// Applies a change; false when its week is older than the rings hold.
    pub fn apply(&mut self, d: Delta) -> bool {
        let mut ok = true;
        for ring in [
            self.pairs.entry(pair(d.doctor, d.drug)).or_insert_with(|| new_weeks(d.week)),
            self.doctors.entry(d.doctor).or_insert_with(|| new_weeks(d.week)),
            self.dept_drugs.entry(pair(d.dept, d.drug)).or_insert_with(|| new_weeks(d.week)),
        ] {
            match ring.bucket_mut(d.week) {
                Some(b) => b.apply(d.sign, d.qty, d.fen),
                None => ok = false,
            }
        }
        ok
    }

    pub fn pair(&self, doctor: u32, drug: u32) -> Option<&Weeks> {
        self.pairs.get(&pair(doctor, drug))
    }

    pub fn doctor(&self, doctor: u32) -> Option<&Weeks> {
        self.doctors.get(&doctor)
    }

    pub fn dept_drug(&self, dept: u32, drug: u32) -> Option<&Weeks> {
        self.dept_drugs.get(&pair(dept, drug))
    }

    /// Forgets keys with no activity in the rings' span before `week`.
    pub fn evict_idle(&mut self, week: i32) {
        let cutoff = week - WEEKS as i32;
        self.pairs.retain(|_, r| r.head() > cutoff);
        self.doctors.retain(|_, r| r.head() > cutoff);
        self.dept_drugs.retain(|_, r| r.head() > cutoff);
    }

    /// (pairs, doctors, dept × drug) keys held.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.pairs.len(), self.doctors.len(), self.dept_drugs.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_net_out_and_state_is_compact() {
        let mut s = UsageStore::default();
        let d = Delta { doctor: 1, dept: 2, drug: 3, week: 100, sign: 1, qty: 4.0, fen: 1000 };
        assert!(s.apply(d));
        assert!(s.apply(Delta { sign: -1, qty: 1.0, fen: 250, ..d }));
        let w = s.pair(1, 3).unwrap().range(100, 100).next().unwrap().1;
        assert_eq!((w.qty, w.fen, w.lines), (3.0, 750, 0));
        assert!(std::mem::size_of::<Weeks>() + 8 <= 256, "per-pair state {} bytes", std::mem::size_of::<Weeks>());
        s.evict_idle(100 + WEEKS as i32);
        assert_eq!(s.sizes(), (0, 0, 0));
    }
}
