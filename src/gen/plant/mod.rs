//! Planted violations, near misses, kickback schemes and confounders. Each plant is an
//! independent function that looks at the hospital and adds to a [`Plan`]: visits, accesses
//! or rep visits to inject on given days, [`Effects`] that bend normal traffic from a date (a
//! department's drug share, a doctor's habits, presence or workload, a formulary switch),
//! and one ground-truth line per case. The generator then produces planted events through the
//! same code as normal ones, so they look like regular traffic.
//!
//! To add a per-prescription or access plant, write a function `fn(&mut PlantCtx)` and list
//! it in [`PLANTS`]; it gets its own random stream, so the other plants' output does not
//! change. The footprint of kickbacks (schemes that bend a doctor's habits over weeks) and
//! the innocent changes that look like it (confounders) are planned in [`footprint`].

mod access;
mod drift;
pub mod effects;
mod footprint;
pub mod habit;
mod lines;
mod rx;

pub use effects::{Effects, ShareShift};
pub use footprint::Families;

use rand::Rng;
use rand_pcg::Pcg64;
use serde::Serialize;

use super::calendar::HOUR;
use super::catalog::Drug;
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
    /// A ring's doctors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctors: Option<Vec<String>>,
    /// The drugs a rep-visit lift raises.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drugs: Option<Vec<String>>,
    /// The generic that replaces a brand in a formulary switch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// RFC 3339; for planted visits filled in when the visit is generated; a footprint
    /// case's first day (local midnight).
    pub start: String,
    /// The first day after a leave or a season (local midnight).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// The factor a surge or a lift multiplies the doctor's share by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strength: Option<f64>,
    /// The `rep_visit` event that starts a lift; filled in when it is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_event_id: Option<String>,
    pub note: String,
}

impl Truth {
    pub fn near_miss(&self) -> bool {
        self.kind.starts_with("near_miss:")
    }

    pub fn scheme(&self) -> bool {
        self.kind.starts_with("scheme:")
    }

    pub fn confounder(&self) -> bool {
        self.kind.starts_with("confounder:")
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

/// A registered rep's visit that starts a lift: a normal `rep_visit` event whose
/// `event_id` goes into truth line `truth`.
#[derive(Clone, Debug)]
pub struct PlannedRepVisit {
    pub day: u32,
    pub time: u32,
    pub rep: String,
    pub company: &'static str,
    pub manufacturer: &'static str,
    pub doctor: usize,
    pub products: Vec<usize>,
    pub truth: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub visits: Vec<PlantedVisit>,
    pub accesses: Vec<PlantedAccess>,
    pub rep_visits: Vec<PlannedRepVisit>,
    pub effects: Effects,
    pub truth: Vec<Truth>,
    /// Catalog entries the plants add (a ring's new drug, a switch's generic), to append to
    /// the hospital's drugs in order.
    pub new_drugs: Vec<Drug>,
}

impl Plan {
    pub fn visits_on(&self, day: u32) -> impl Iterator<Item = &PlantedVisit> {
        self.visits.iter().filter(move |v| v.day == day)
    }

    pub fn accesses_on(&self, day: u32) -> impl Iterator<Item = &PlantedAccess> {
        self.accesses.iter().filter(move |a| a.day == day)
    }

    pub fn rep_visits_on(&self, day: u32) -> impl Iterator<Item = &PlannedRepVisit> {
        self.rep_visits.iter().filter(move |v| v.day == day)
    }

    /// Truth lines that must alert (planted violations and schemes).
    pub fn violations(&self) -> usize {
        self.truth.iter().filter(|t| !t.near_miss() && !t.confounder()).count()
    }

    pub fn schemes(&self) -> usize {
        self.truth.iter().filter(|t| t.scheme()).count()
    }

    pub fn confounders(&self) -> usize {
        self.truth.iter().filter(|t| t.confounder()).count()
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

/// Everything planted in `h`: the [`PLANTS`], then the footprint families asked for.
pub fn plan(h: &Hospital, families: Families) -> Plan {
    let mut plan = Plan::default();
    for (name, plant) in PLANTS {
        let mut cx = PlantCtx { h, rng: rng::stream(h.seed, name, 0), plan: &mut plan };
        plant(&mut cx);
    }
    footprint::plan(h, &mut plan, families);
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
