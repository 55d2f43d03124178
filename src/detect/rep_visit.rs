//! `rep_visit_lift` (REP-01): after a representative of a manufacturer visits a doctor, the
//! doctor's share of that manufacturer's drugs (the visit's `products`, else the catalog's
//! `manufacturer`) rises against the doctor's own before-window and against the unvisited
//! peers of the department over the same days: a difference in differences.
//!
//! The before-window is fixed when the visit is registered (weekly rings); after the visit
//! every prescription line of the department is counted into the visit as it arrives, so
//! the after-window is exact to the day without keeping longer daily history.

use serde_json::json;

use crate::alert::Candidate;
use crate::event::Day;
use crate::rules::model::RepLiftParams;
use crate::rules::{Kind, Params};
use crate::state::usage::UsageStore;
use crate::state::{DeptId, DoctorId, DrugId, ManufacturerId, Refs};

use super::calib::{Calibrator, Threshold};
use super::stat::{normal_sf, round};
use super::Ctx;

#[derive(Debug, Default, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Counts {
    doc_m: f64,
    doc_all: f64,
    peer_m: f64,
    peer_all: f64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Visit {
    doctor: DoctorId,
    dept: DeptId,
    manufacturer: ManufacturerId,
    products: Vec<DrugId>,
    day0: Day,
    event_id: String,
    hospital: String,
    rep: String,
    company: String,
    visits: u32,
    before: Counts,
    after: Counts,
    fired: bool,
    /// Highest calibration score the visit has reached (see `detect::calib`).
    peak: f64,
}

impl Visit {
    fn covers(&self, manufacturer: Option<ManufacturerId>, drug: DrugId) -> bool {
        if self.products.is_empty() {
            manufacturer == Some(self.manufacturer)
        } else {
            self.products.contains(&drug)
        }
    }
}

/// A registered visit, as handles.
pub struct NewVisit<'a> {
    pub doctor: DoctorId,
    pub dept: DeptId,
    pub manufacturer: ManufacturerId,
    pub products: Vec<DrugId>,
    pub day: Day,
    pub event_id: &'a str,
    pub hospital: &'a str,
    pub rep: &'a str,
    pub company: &'a str,
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct RepVisits {
    /// Open visits by department: every line of a department is counted into its visits.
    open: std::collections::BTreeMap<DeptId, Vec<Visit>>,
    /// Manufacturers named on prescription lines (they override the catalog), by drug.
    learned: rustc_hash::FxHashMap<DrugId, ManufacturerId>,
    /// Peaks of the visits that passed the hard floors: most visits are benign, so the
    /// hospital's own visits are the null the z threshold is calibrated on.
    calib: Calibrator,
}

impl RepVisits {
    pub fn visit(&mut self, ctx: &Ctx, u: &UsageStore, v: NewVisit) {
        let Some(&rule) = ctx.by_kind.get(Kind::RepVisitLift).first() else { return };
        let Params::RepLift(p) = &ctx.rules[rule].params else { return };
        // A repeat call of the same representative's products within the first days is the
        // same visit; a later one, or one naming other products, is judged on its own
        // (merging it into an older visit would dilute the lift it starts).
        let dept = self.open.entry(v.dept).or_default();
        if let Some(o) = dept.iter_mut().find(|o| {
            o.doctor == v.doctor
                && o.manufacturer == v.manufacturer
                && o.products == v.products
                && v.day - o.day0 < p.after_min_days
        }) {
            o.visits += 1;
            return;
        }
        let mut visit = Visit {
            doctor: v.doctor,
            dept: v.dept,
            manufacturer: v.manufacturer,
            products: v.products,
            day0: v.day,
            event_id: v.event_id.to_owned(),
            hospital: v.hospital.to_owned(),
            rep: v.rep.to_owned(),
            company: v.company.to_owned(),
            visits: 1,
            before: Counts::default(),
            after: Counts::default(),
            fired: false,
            peak: 0.0,
        };
        visit.before = self.before(ctx.refs, u, &visit, p);
        self.open.entry(visit.dept).or_default().push(visit);
    }

    /// Manufacturer of a drug: the one a line named, else the catalog's.
    fn manufacturer(&self, refs: &Refs, drug: DrugId) -> Option<ManufacturerId> {
        self.learned.get(&drug).copied().or_else(|| refs.manufacturer(drug))
    }

    fn before(&self, refs: &Refs, u: &UsageStore, v: &Visit, p: &RepLiftParams) -> Counts {
        let wk = v.day0.week();
        let (b0, b1) = (wk - p.before_weeks, wk - 1);
        let mut c = Counts::default();
        // Lines of drugs other than 饮片, as `line` counts them.
        if let Some(doc) = u.doctors.get(&v.doctor) {
            c.doc_all = doc.lines_weeks(false, b0, b1) as f64;
            for &g in doc.drugs.iter().filter(|&&g| !refs.herbal(g) && v.covers(self.manufacturer(refs, g), g)) {
                c.doc_m += u.pair(v.doctor, g).map_or(0, |pr| pr.series.lines_weeks(b0, b1)) as f64;
            }
        }
        let dept_all = u.dept_lines(v.dept, false, |s| s.lines_weeks(b0, b1)).unwrap_or(0) as f64;
        c.peer_all = (dept_all - c.doc_all).max(0.0);
        let drugs: Vec<DrugId> = if v.products.is_empty() {
            let mut d: Vec<DrugId> = refs.manufacturer_drugs(v.manufacturer).to_vec();
            d.extend(self.learned.iter().filter(|(_, &m)| m == v.manufacturer).map(|(&g, _)| g));
            d.sort_unstable();
            d.dedup();
            d.retain(|&g| self.manufacturer(refs, g) == Some(v.manufacturer));
            d
        } else {
            v.products.clone()
        };
        let dept_m: f64 = drugs
            .iter()
            .filter(|&&g| !refs.herbal(g))
            .map(|&g| u.dept_drug(v.dept, g).map_or(0, |s| s.lines_weeks(b0, b1)) as f64)
            .sum();
        c.peer_m = (dept_m - c.doc_m).max(0.0);
        c
    }

    /// Counts a prescription line (`sign` 1) or a return (−1) into the open visits of its
    /// department. 饮片 lines (`herbal`) are not counted: written eight to fifteen to a TCM
    /// prescription, they would make a lift of the visited manufacturer's drugs follow the
    /// doctor's herbal visits (see `usage::Doctor`).
    #[allow(clippy::too_many_arguments)]
    pub fn line(
        &mut self,
        refs: &Refs,
        dept: DeptId,
        doctor: DoctorId,
        (drug, herbal): (DrugId, bool),
        manufacturer: Option<ManufacturerId>,
        day: Day,
        sign: f64,
    ) {
        if let Some(m) = manufacturer {
            if self.learned.get(&drug) != Some(&m) {
                self.learned.insert(drug, m);
            }
        }
        if herbal || !self.open.contains_key(&dept) {
            return;
        }
        let mfr = self.manufacturer(refs, drug);
        let Some(open) = self.open.get_mut(&dept) else { return };
        for v in open.iter_mut().filter(|v| day >= v.day0) {
            let m = if v.covers(mfr, drug) { sign } else { 0.0 };
            if doctor == v.doctor {
                v.after.doc_all += sign;
                v.after.doc_m += m;
            } else {
                v.after.peer_all += sign;
                v.after.peer_m += m;
            }
        }
    }

    /// Judges open visits; a visit whose before-window reaches before the stream's first
    /// day (`first_day`) has no baseline and is not judged. `doctors`: doctors in the
    /// hospital's state, the exposure of the calibration.
    pub fn close_day(&mut self, ctx: &Ctx, day: Day, first_day: Day, doctors: usize, out: &mut Vec<Candidate>) {
        let Some(&rule) = ctx.by_kind.get(Kind::RepVisitLift).first() else {
            self.open.clear();
            return;
        };
        let Params::RepLift(p) = &ctx.rules[rule].params else { return };
        for open in self.open.values_mut() {
            open.retain(|v| day - v.day0 <= p.after_max_days);
        }
        self.open.retain(|_, v| !v.is_empty());
        let warm = |v: &Visit| (v.day0.week() - p.before_weeks).start() >= first_day;
        if (day.week() - p.before_weeks).start() >= first_day {
            self.calib.expose(doctors);
        }
        let thr = threshold(&self.calib, ctx, p);
        let calib = &mut self.calib;
        let due = self.open.values_mut().flatten();
        for v in due.filter(|v| !v.fired && day - v.day0 >= p.after_min_days && warm(v)) {
            let Some(z) = lift_z(p, v) else { continue };
            let score = z_score(z);
            if score > v.peak {
                calib.raise(v.peak, score);
                v.peak = score;
            }
            if score < thr.score {
                continue;
            }
            let c = judge(ctx, rule, p, v, day, &thr);
            v.fired = true;
            out.push(c);
        }
    }

    pub fn len(&self) -> usize {
        self.open.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

/// −log10 of the normal tail of `z`: the calibration's score.
fn z_score(z: f64) -> f64 {
    -normal_sf(z).max(1e-300).log10()
}

/// The z whose score is `score` (bisection: deterministic, for the evidence).
fn z_of_score(score: f64) -> f64 {
    let (mut lo, mut hi) = (-10.0, 40.0);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if z_score(mid) < score {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// The score a visit must reach today: calibrated to the rule's part of the budget on the
/// hospital's visits, within [`min_z`, `max_z`]; `z` without a budget share.
fn threshold(calib: &Calibrator, ctx: &Ctx, p: &RepLiftParams) -> Threshold {
    let prior = z_score(p.z);
    if p.budget_share <= 0.0 {
        let t = Calibrator::default().threshold(0.0, prior, prior, prior);
        return Threshold { source: "fixed", ..t };
    }
    calib.threshold(ctx.engine.footprint.budget * p.budget_share, prior, z_score(p.min_z), z_score(p.max_z))
}

/// The shares of a visit: the doctor's after and before, peers' after and before.
fn shares(v: &Visit) -> (f64, f64, f64, f64) {
    let (a, b) = (v.after, v.before);
    let s_a = a.doc_m / a.doc_all;
    let s_b = b.doc_m.max(0.5) / b.doc_all;
    let p_a = if a.peer_all > 0.0 { a.peer_m / a.peer_all } else { 0.0 };
    let p_b = if b.peer_all > 0.0 { b.peer_m / b.peer_all } else { 0.0 };
    (s_a, s_b, p_a, p_b)
}

/// z of the visit's difference in differences when it passes the hard floors.
fn lift_z(p: &RepLiftParams, v: &Visit) -> Option<f64> {
    let (a, b) = (v.after, v.before);
    if a.doc_all < p.min_after_lines || a.doc_m < p.min_count || b.doc_all < p.min_after_lines {
        return None;
    }
    let (s_a, s_b, p_a, p_b) = shares(v);
    let did = (s_a - s_b) - (p_a - p_b);
    let var = |s: f64, n: f64| if n > 0.0 { s * (1.0 - s) / n } else { 0.0 };
    let se = (var(s_a, a.doc_all) + var(s_b, b.doc_all) + var(p_a, a.peer_all) + var(p_b, b.peer_all)).sqrt().max(1e-3);
    let relative = s_a / s_b - 1.0;
    if relative < p.min_relative || did < p.min_points {
        return None;
    }
    Some(did / se)
}

fn judge(ctx: &Ctx, rule: usize, p: &RepLiftParams, v: &Visit, day: Day, thr: &Threshold) -> Candidate {
    let (a, b) = (v.after, v.before);
    let (s_a, s_b, p_a, p_b) = shares(v);
    let did = (s_a - s_b) - (p_a - p_b);
    let z = lift_z(p, v).unwrap_or(0.0);
    let budget = ctx.engine.footprint.budget * p.budget_share;
    let calibration = json!({
        "z": round(z_of_score(thr.score), 2),
        "source": thr.source,
        "budget_per_100_doctor_months": round(budget, 4),
        "null": {"visits": thr.excursions, "doctor_months": round(thr.doctor_months, 1), "tail_slope": round(thr.slope, 3)},
    });
    let r = &ctx.rules[rule];
    let mut c = Candidate::new(rule, Kind::RepVisitLift, r.severity, &v.hospital, v.day0.to_string());
    let manufacturer = ctx.ids.manufacturer.name(v.manufacturer).to_owned();
    c.doctor = Some(ctx.ids.doctor.name(v.doctor).to_owned());
    c.dept = Some(ctx.ids.dept.name(v.dept).to_owned());
    c.manufacturer = Some(manufacturer.clone());
    let wk = v.day0.week();
    c = c
        .evidence("observed", round(s_a, 4))
        .evidence("expected", round(s_b + (p_a - p_b), 4))
        .evidence("baseline", round(s_b, 4))
        .evidence("ratio", round(s_a / s_b, 2))
        .evidence("difference_in_differences", round(did, 4))
        .evidence("score", round(z, 2))
        .evidence(
            "threshold",
            json!({"relative": p.min_relative, "points": p.min_points, "z": round(z_of_score(thr.score), 2)}),
        )
        .evidence("calibration", calibration)
        .evidence("doctor", json!({"after": {"lines": a.doc_all, "manufacturer_lines": a.doc_m}, "before": {"lines": b.doc_all, "manufacturer_lines": b.doc_m}}))
        .evidence("peers", json!({"after_share": round(p_a, 4), "before_share": round(p_b, 4), "after_lines": a.peer_all, "before_lines": b.peer_all}))
        .evidence("visit", json!({"event_id": v.event_id, "rep": v.rep, "company": v.company, "date": v.day0.to_string(), "visits": v.visits}))
        .evidence("products", json!(v.products.iter().map(|&g| ctx.ids.drug.name(g)).collect::<Vec<_>>()))
        .evidence("window_start", v.day0.to_string())
        .evidence("window_end", day.to_string())
        .evidence("baseline_start", (wk - p.before_weeks).start().to_string())
        .evidence("baseline_end", (wk - 1).end().to_string())
        .evidence("sample_event_ids", json!([v.event_id]));
    c.title = format!(
        "医药代表来访后用药上升（疑点）：{} 于 {} 接待 {}（{}）代表后，该厂药品占其处方由 {:.1}% 升至 {:.1}%，同科室同期 {:.1}%→{:.1}%",
        ctx.doctor_label(v.doctor),
        v.day0,
        manufacturer,
        v.company,
        s_b * 100.0,
        s_a * 100.0,
        p_b * 100.0,
        p_a * 100.0
    );
    c
}
