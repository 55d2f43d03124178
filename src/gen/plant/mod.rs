//! Planted violations and near misses. Each plant is an independent function that looks at
//! the hospital and adds to a [`Plan`]: visits or accesses to inject on given days, effects
//! that bend normal traffic from a date (a department's drug share, later a doctor's habits),
//! and one ground-truth line per case. The generator then produces planted events through the
//! same code as normal ones, so they look like regular traffic.
//!
//! To add a scheme (surge, peer outlier, rep-visit lift), write a function
//! `fn(&mut PlantCtx)` and list it in [`PLANTS`]; it gets its own random stream, so the
//! other plants' output does not change.

mod access;
mod drift;
mod rx;

use rand::Rng;
use rand_pcg::Pcg64;
use serde::Serialize;

use super::calendar::HOUR;
use super::hospital::Hospital;
use super::prescribe::{LineDraft, VisitType};
use super::record::AccessBody;
use super::rng;

/// One ground-truth line of `truth.ndjson`.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Truth {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dept: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rx_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// RFC 3339; for planted visits filled in when the visit is generated.
    pub start: String,
    pub note: String,
}

impl Truth {
    pub fn near_miss(&self) -> bool {
        self.kind.starts_with("near_miss:")
    }
}

/// A visit to inject: `forced` lines as given, plus `filler` normal drugs from the doctor's
/// habits.
#[derive(Clone, Debug)]
pub struct PlantedVisit {
    pub day: u32,
    pub time: u32,
    pub doctor: usize,
    pub vt: VisitType,
    pub forced: Vec<LineDraft>,
    pub filler: usize,
    pub truth: usize,
}

#[derive(Clone, Debug)]
pub struct PlantedAccess {
    pub day: u32,
    pub time: u32,
    pub body: AccessBody,
}

/// A department's 药占比 moved by `delta` from `from` on.
#[derive(Clone, Debug)]
pub struct ShareShift {
    pub dept: usize,
    pub from: u32,
    pub delta: f64,
}

/// Changes to normal traffic that plants ask for, consulted by the day generator. A
/// doctor-level scheme (surge, rep-visit lift) would add a variant such as "from day D,
/// doctor X weights drugs G ×k": a boosted copy of the doctor's habit pool, built here at
/// plan time and swapped in by `day::normal_visits` from that day on.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    pub share_shifts: Vec<ShareShift>,
}

impl Effects {
    /// Total 药占比 shift of `dept` on `day`.
    pub fn share_delta(&self, dept: usize, day: u32) -> f64 {
        self.share_shifts.iter().filter(|s| s.dept == dept && day >= s.from).map(|s| s.delta).sum()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub visits: Vec<PlantedVisit>,
    pub accesses: Vec<PlantedAccess>,
    pub effects: Effects,
    pub truth: Vec<Truth>,
}

impl Plan {
    pub fn visits_on(&self, day: u32) -> impl Iterator<Item = &PlantedVisit> {
        self.visits.iter().filter(move |v| v.day == day)
    }

    pub fn accesses_on(&self, day: u32) -> impl Iterator<Item = &PlantedAccess> {
        self.accesses.iter().filter(move |a| a.day == day)
    }

    pub fn violations(&self) -> usize {
        self.truth.iter().filter(|t| !t.near_miss()).count()
    }

    pub fn near_misses(&self) -> usize {
        self.truth.iter().filter(|t| t.near_miss()).count()
    }
}

pub type PlantFn = fn(&mut PlantCtx);

/// Every scheme the generator plants, by name (the name also seeds its random stream).
pub const PLANTS: &[(&str, PlantFn)] = &[
    ("suspended_drug", rx::suspended),
    ("restricted_drug", rx::restricted),
    ("antibiotic_privilege", rx::antibiotic),
    ("controlled_privilege", rx::controlled),
    ("large_rx_lines", rx::large_lines),
    ("large_rx_days", rx::large_days),
    ("tongfang_query", access::tongfang),
    ("bulk_export", access::bulk_export),
    ("drug_share", drift::drug_share),
];

/// First day a plant may use: the first week is left clean so windowed detectors have a
/// little history.
pub const FIRST_DAY: u32 = 7;

/// The days planting needs: a clean first week and room for before/after near misses.
pub const MIN_DAYS: u32 = 14;

pub fn plan(h: &Hospital) -> Plan {
    let mut plan = Plan::default();
    for (name, plant) in PLANTS {
        let mut cx = PlantCtx { h, rng: rng::stream(h.seed, name, 0), plan: &mut plan };
        plant(&mut cx);
    }
    plan
}

/// What a plant function works with.
pub struct PlantCtx<'a> {
    pub h: &'a Hospital,
    pub rng: Pcg64,
    pub plan: &'a mut Plan,
}

impl PlantCtx<'_> {
    /// A day in `[FIRST_DAY, days)`, a workday when `workday`.
    pub fn day(&mut self, workday: bool) -> u32 {
        let days = self.h.period.days;
        for _ in 0..200 {
            let d = self.rng.gen_range(FIRST_DAY..days);
            if !workday || self.h.period.is_workday(d) {
                return d;
            }
        }
        FIRST_DAY
    }

    /// A time in `[from, to)` hours, to the second.
    pub fn time(&mut self, from: f64, to: f64) -> u32 {
        self.rng.gen_range((from * f64::from(HOUR)) as u32..(to * f64::from(HOUR)) as u32)
    }

    /// A clinic time (08:00–11:30 or 14:00–17:00).
    pub fn clinic_time(&mut self) -> u32 {
        if self.rng.gen::<bool>() {
            self.time(8.0, 11.5)
        } else {
            self.time(14.0, 17.0)
        }
    }

    /// A truth line; returns its index.
    pub fn truth(&mut self, t: Truth) -> usize {
        self.plan.truth.push(t);
        self.plan.truth.len() - 1
    }

    /// Injects a visit and its truth line (rx_id and start filled in at generation).
    pub fn visit(&mut self, v: PlantedVisit, t: Truth) {
        let idx = self.truth(t);
        self.plan.visits.push(PlantedVisit { truth: idx, ..v });
    }

    /// Injects an access and its truth line.
    pub fn access(&mut self, day: u32, time: u32, body: AccessBody, mut t: Truth) {
        t.start = super::calendar::ts_string(self.h.period.day_start(day) + i64::from(time));
        t.user = Some(body.user.clone());
        self.truth(t);
        self.plan.accesses.push(PlantedAccess { day, time, body });
    }

    /// A random pick among `items` (None when empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.rng.gen_range(0..items.len())])
    }
}
