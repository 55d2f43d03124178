//! The footprint of kickbacks and the innocent changes that look like it.
//!
//! Schemes (truth `kind` `scheme:*`, which the statistical detectors should find): surges of
//! one doctor × one drug, rings of doctors adopting a drug new to the hospital, lifts of a
//! manufacturer's drugs after its rep's visit. Confounders (`confounder:*`, which they must
//! not alert on): a department's season, a formulary switch to a VBP generic, a new doctor,
//! a leave, a doubled workload, a personal preference held from the start, small counts.
//!
//! Both families are always planned (each planner from its own random stream, on doctors and
//! drugs no other case uses), then applied only when asked for: turning one family off
//! leaves the other's cases exactly as they were. Everything starts after a warm-up of
//! [`WARM_UP`] days, the baseline the detectors need, and runs at least [`MIN_RUN`] days;
//! a period too short for that gets no footprint cases at all.

mod lift;
mod newdrug;
mod people;
mod pick;
mod quirks;
mod ring;
mod season;
mod surge;

use std::collections::BTreeSet;

use rand_pcg::Pcg64;

use super::super::catalog::Drug;
use super::super::hospital::Hospital;
use super::super::rng;
use super::effects::{Absence, Swap, Workload};
use super::habit::{self, HabitMod};
use super::{Plan, PlannedRepVisit, Truth};

/// First day a scheme or confounder may start: 10 full weeks of baseline, and then some.
pub const WARM_UP: u32 = 75;
/// Days a case runs at least.
pub const MIN_RUN: u32 = 21;
/// Stands for the case's own new catalog entry until it gets its index.
pub const NEW: usize = usize::MAX;
/// Stands for the new entry's code in the truth line.
const NEW_CODE: &str = "<new>";

/// Which footprint families to plant.
#[derive(Copy, Clone, Debug)]
pub struct Families {
    pub schemes: bool,
    pub confounders: bool,
}

/// One planned scheme or confounder, before it is applied to the plan.
#[derive(Clone, Debug, Default)]
pub struct Case {
    pub truth: Truth,
    pub mods: Vec<HabitMod>,
    /// A catalog entry of the case's own, referred to as [`NEW`] (and [`NEW_CODE`]); listed
    /// in the catalog whenever plants are on, prescribed only when the case is applied.
    pub new_drug: Option<Drug>,
    pub rep_visit: Option<PlannedRepVisit>,
    pub absences: Vec<Absence>,
    pub workloads: Vec<Workload>,
    pub swaps: Vec<Swap>,
}

/// What the cases planned so far use, so that the next one picks something else.
#[derive(Default)]
pub struct Taken {
    pub doctors: BTreeSet<usize>,
    pub drugs: BTreeSet<usize>,
    /// Cases per department.
    pub depts: Vec<usize>,
    /// New drug names given out.
    pub names: BTreeSet<&'static str>,
    /// Reps registered for lifts where no rep of the manufacturer covers the department.
    pub new_reps: usize,
    /// Doctors in the per-prescription plants (they must be at work on their days).
    pub busy: BTreeSet<usize>,
    /// Drugs on the per-prescription plants' lines.
    pub forced: BTreeSet<usize>,
}

pub type Planner = fn(&mut Ctx);

const SCHEMES: &[(&str, Planner)] =
    &[("scheme:surge", surge::plant), ("scheme:ring", ring::plant), ("scheme:rep_visit_lift", lift::plant)];

const CONFOUNDERS: &[(&str, Planner)] = &[
    ("confounder:season", season::season),
    ("confounder:formulary_switch", season::switch),
    ("confounder:new_doctor", people::new_doctor),
    ("confounder:leave", people::leave),
    ("confounder:workload", people::workload),
    ("confounder:preference", quirks::preference),
    ("confounder:small_counts", quirks::small_counts),
];

/// What a planner works with.
pub struct Ctx<'a> {
    pub h: &'a Hospital,
    pub rng: Pcg64,
    pub taken: &'a mut Taken,
    pub cases: &'a mut Vec<Case>,
}

pub fn plan(h: &Hospital, plan: &mut Plan, families: Families) {
    if h.period.days < WARM_UP + MIN_RUN {
        return;
    }
    let mut taken = Taken { depts: vec![0; h.depts.len()], ..Taken::default() };
    for v in &plan.visits {
        taken.busy.insert(v.doctor);
        taken.forced.extend(v.forced.iter().map(|l| l.drug));
    }
    let mut run = |list: &[(&str, Planner)]| {
        let mut cases = Vec::new();
        for (name, planner) in list {
            let mut cx = Ctx { h, rng: rng::stream(h.seed, name, 0), taken: &mut taken, cases: &mut cases };
            planner(&mut cx);
        }
        cases
    };
    let mut schemes = run(SCHEMES);
    let mut confounders = run(CONFOUNDERS);
    // New catalog entries are listed whichever families are on, so codes do not shift.
    for c in schemes.iter_mut().chain(confounders.iter_mut()) {
        list_new_drug(h, plan, c);
    }
    let mut mods = Vec::new();
    for (on, cases) in [(families.schemes, schemes), (families.confounders, confounders)] {
        if on {
            for c in cases {
                apply(plan, c, &mut mods);
            }
        }
    }
    plan.effects.habits = habit::compile(h, &mods);
}

/// Gives the case's new catalog entry (if any) the next index and code.
fn list_new_drug(h: &Hospital, plan: &mut Plan, case: &mut Case) {
    if let Some(mut d) = case.new_drug.take() {
        let idx = h.drugs.len() + plan.new_drugs.len();
        d.code = format!("Y{:04}", idx + 1);
        for x in case.mods.iter_mut().flat_map(|m| m.drugs.iter_mut()) {
            if *x == NEW {
                *x = idx;
            }
        }
        for s in case.swaps.iter_mut().filter(|s| s.generic == NEW) {
            s.generic = idx;
        }
        for f in [&mut case.truth.drug, &mut case.truth.replacement] {
            if f.as_deref() == Some(NEW_CODE) {
                *f = Some(d.code.clone());
            }
        }
        plan.new_drugs.push(d);
    }
}

/// Adds a case to the plan.
fn apply(plan: &mut Plan, case: Case, mods: &mut Vec<HabitMod>) {
    plan.truth.push(case.truth);
    if let Some(v) = case.rep_visit {
        plan.rep_visits.push(PlannedRepVisit { truth: plan.truth.len() - 1, ..v });
    }
    mods.extend(case.mods);
    plan.effects.absences.extend(case.absences);
    plan.effects.workloads.extend(case.workloads);
    plan.effects.swaps.extend(case.swaps);
}
