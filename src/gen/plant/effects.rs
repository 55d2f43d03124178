//! Changes to normal traffic that plants ask for, consulted by the day generator: a
//! department's 药占比 moved, a doctor's habits bent from a date (a surge, a ring's new
//! drug, a rep-visit lift, a season, a personal preference), a doctor away (leave, not yet
//! joined), a doctor's workload changed, a brand replaced by a generic for everyone.

use super::super::rng::Pool;

/// A department's 药占比 moved by `delta` from `from` on.
#[derive(Clone, Debug)]
pub struct ShareShift {
    pub dept: usize,
    pub from: u32,
    pub delta: f64,
}

/// A doctor with no events on days `[from, until)`.
#[derive(Clone, Debug)]
pub struct Absence {
    pub doctor: usize,
    pub from: u32,
    pub until: u32,
}

/// A doctor's visits multiplied by `factor` from `from` on.
#[derive(Clone, Debug)]
pub struct Workload {
    pub doctor: usize,
    pub from: u32,
    pub factor: f64,
}

/// From `from` on, every line that would have been `brand` is `generic`.
#[derive(Clone, Debug)]
pub struct Swap {
    pub from: u32,
    pub brand: usize,
    pub generic: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Effects {
    pub share_shifts: Vec<ShareShift>,
    /// By doctor: the habit pools in force from each day on, ascending (empty: the roster's
    /// pool all period).
    pub habits: Vec<Vec<(u32, Pool)>>,
    pub absences: Vec<Absence>,
    pub workloads: Vec<Workload>,
    pub swaps: Vec<Swap>,
}

impl Effects {
    /// Total 药占比 shift of `dept` on `day`.
    pub fn share_delta(&self, dept: usize, day: u32) -> f64 {
        self.share_shifts.iter().filter(|s| s.dept == dept && day >= s.from).map(|s| s.delta).sum()
    }

    /// The habit pool of `doctor` on `day`; `base` is the roster's.
    pub fn pool<'a>(&'a self, base: &'a Pool, doctor: usize, day: u32) -> &'a Pool {
        self.habits.get(doctor).and_then(|t| t.iter().rev().find(|(from, _)| *from <= day)).map_or(base, |(_, p)| p)
    }

    /// Whether `doctor` is away (on leave, or not yet on the staff) on `day`.
    pub fn absent(&self, doctor: usize, day: u32) -> bool {
        self.absences.iter().any(|a| a.doctor == doctor && (a.from..a.until).contains(&day))
    }

    /// Workload factor of `doctor` on `day`.
    pub fn workload(&self, doctor: usize, day: u32) -> f64 {
        self.workloads.iter().filter(|w| w.doctor == doctor && day >= w.from).map(|w| w.factor).product()
    }

    /// `(brand, generic)` switches in force on `day`.
    pub fn swaps_on(&self, day: u32) -> Vec<(usize, usize)> {
        self.swaps.iter().filter(|s| day >= s.from).map(|s| (s.brand, s.generic)).collect()
    }
}
