//! `rep_visit_lift` (REP-01): after a representative of a manufacturer visits a doctor, the
//! doctor's share of that manufacturer's drugs (the visit's `products`, else the catalog's
//! `manufacturer`) rises against the doctor's own before-window and against the unvisited
//! peers of the department over the same days: a difference in differences.
//!
//! The before-window is fixed when the visit is registered (weekly rings); after the visit
//! every prescription line of the department is counted into the visit as it arrives, so
//! the after-window is exact to the day without keeping longer daily history. It reaches
//! back up to `before_weeks` (16) — a share of a few percent is known to ±20 % from 8 weeks of
//! a doctor's lines, to ±14 % from 16 — and at least `min_before_weeks` inside the stream.
//!
//! The statistic is the upper tail of the doctor's lines of the set after the visit, against
//! the before-share moved by peers' change over the same days, as a normal z: negative
//! binomial (the before-share is known from its own lines only), scaled by the dispersion
//! `surge` measures. A Wald z of the difference in differences, as before, takes its error
//! from the risen share itself and so grows with the rise it tests.
//!
//! A visit that names products is judged twice: on the named products, and on the
//! manufacturer's whole line (its drugs by the lines' `manufacturer`, else the catalog's,
//! with the named products). A rep registers one or two products for the day's call, while
//! the kickback may be paid on whatever of the maker's line the doctor writes; a lift of the
//! named products alone is diluted in the whole line, one of other products is missed by the
//! named ones. The better of the two z's is scored with a Bonferroni factor of two (only
//! when the two sets differ in the lines counted before the visit), so both tests together
//! spend the rule's one part of the budget.

use serde_json::json;

use crate::alert::Candidate;
use crate::event::{Day, Week};
use crate::rules::model::RepLiftParams;
use crate::rules::{Kind, Params};
use crate::state::usage::UsageStore;
use crate::state::{DeptId, DoctorId, DrugId, ManufacturerId, Refs};

use super::calib::{Calibrator, Threshold};
use super::stat::{negbin_sf, normal_sf, round};
use super::Ctx;

#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// First week of the before-window (which ends the week before the visit's), and
    /// whether it holds the rule's minimum of full weeks inside the stream.
    from: Week,
    warm: bool,
    event_id: String,
    hospital: String,
    rep: String,
    company: String,
    visits: u32,
    before: Counts,
    after: Counts,
    /// The manufacturer's whole line, when the visit names products (else `before`/`after`
    /// already count the whole line).
    line_before: Counts,
    line_after: Counts,
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

    /// Whether the visit also tests the manufacturer's whole line: it names products, and
    /// the line held lines beyond them before the visit.
    fn tests_line(&self) -> bool {
        !self.products.is_empty() && self.line_before != self.before
    }

    /// The test sets a drug of `manufacturer` counts in: (named set, whole line).
    fn sets(&self, manufacturer: Option<ManufacturerId>, drug: DrugId) -> (bool, bool) {
        let line = manufacturer == Some(self.manufacturer) || self.products.contains(&drug);
        (self.covers(manufacturer, drug), line)
    }
}

/// A registered visit, as handles.
pub struct NewVisit<'a> {
    pub doctor: DoctorId,
    pub dept: DeptId,
    pub manufacturer: ManufacturerId,
    pub products: Vec<DrugId>,
    pub day: Day,
    /// The stream's first local day: the before-window starts no earlier than the first
    /// full week after it.
    pub first_day: Day,
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
        let wk = v.day.week();
        let from = (wk - p.before_weeks).max((v.first_day + 6).week());
        let mut visit = Visit {
            doctor: v.doctor,
            dept: v.dept,
            manufacturer: v.manufacturer,
            products: v.products,
            day0: v.day,
            from,
            warm: wk - from >= p.min_weeks(),
            event_id: v.event_id.to_owned(),
            hospital: v.hospital.to_owned(),
            rep: v.rep.to_owned(),
            company: v.company.to_owned(),
            visits: 1,
            before: Counts::default(),
            after: Counts::default(),
            line_before: Counts::default(),
            line_after: Counts::default(),
            fired: false,
            peak: 0.0,
        };
        visit.before = self.before(ctx.refs, u, &visit, false);
        if !visit.products.is_empty() {
            visit.line_before = self.before(ctx.refs, u, &visit, true);
        }
        self.open.entry(visit.dept).or_default().push(visit);
    }

    /// Manufacturer of a drug: the one a line named, else the catalog's.
    fn manufacturer(&self, refs: &Refs, drug: DrugId) -> Option<ManufacturerId> {
        self.learned.get(&drug).copied().or_else(|| refs.manufacturer(drug))
    }

    /// Before-window counts of the named set (`line` false) or the whole line (true).
    fn before(&self, refs: &Refs, u: &UsageStore, v: &Visit, line: bool) -> Counts {
        let (b0, b1) = (v.from, v.day0.week() - 1);
        let mut c = Counts::default();
        let counts = |g: DrugId| {
            let (named, whole) = v.sets(self.manufacturer(refs, g), g);
            if line {
                whole
            } else {
                named
            }
        };
        // Lines of drugs other than 饮片, as `line` counts them.
        if let Some(doc) = u.doctors.get(&v.doctor) {
            c.doc_all = doc.lines_weeks(false, b0, b1) as f64;
            for &g in doc.drugs.iter().filter(|&&g| !refs.herbal(g) && counts(g)) {
                c.doc_m += u.pair(v.doctor, g).map_or(0, |pr| pr.series.lines_weeks(b0, b1)) as f64;
            }
        }
        let dept_all = u.dept_lines(v.dept, false, |s| s.lines_weeks(b0, b1)).unwrap_or(0) as f64;
        c.peer_all = (dept_all - c.doc_all).max(0.0);
        let drugs: Vec<DrugId> = if v.products.is_empty() || line {
            let mut d: Vec<DrugId> = refs.manufacturer_drugs(v.manufacturer).to_vec();
            d.extend(self.learned.iter().filter(|(_, &m)| m == v.manufacturer).map(|(&g, _)| g));
            d.sort_unstable();
            d.dedup();
            d.retain(|&g| self.manufacturer(refs, g) == Some(v.manufacturer));
            d.extend(v.products.iter().copied());
            d.sort_unstable();
            d.dedup();
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
            let (named, whole) = v.sets(mfr, drug);
            let line = !v.products.is_empty();
            for (c, counted) in [(&mut v.after, named), (&mut v.line_after, whole && line)] {
                let m = if counted { sign } else { 0.0 };
                if doctor == v.doctor {
                    c.doc_all += sign;
                    c.doc_m += m;
                } else {
                    c.peer_all += sign;
                    c.peer_m += m;
                }
            }
        }
    }

    /// Judges open visits; a visit whose before-window holds fewer than `min_before_weeks`
    /// full weeks after the stream's first day (`first_day`) is not judged. `doctors`:
    /// doctors in the hospital's state, the exposure of the calibration; `phi`: the
    /// quasi-Poisson dispersion of prescribing measured by `surge` (0 = not yet).
    pub fn close_day(
        &mut self,
        ctx: &Ctx,
        day: Day,
        first_day: Day,
        doctors: usize,
        phi: f64,
        out: &mut Vec<Candidate>,
    ) {
        let Some(&rule) = ctx.by_kind.get(Kind::RepVisitLift).first() else {
            self.open.clear();
            return;
        };
        let Params::RepLift(p) = &ctx.rules[rule].params else { return };
        for open in self.open.values_mut() {
            open.retain(|v| day - v.day0 <= p.after_max_days);
        }
        self.open.retain(|_, v| !v.is_empty());
        if (day.week() - p.min_weeks()).start() >= first_day {
            self.calib.expose(doctors);
        }
        let thr = threshold(&self.calib, ctx, p);
        let calib = &mut self.calib;
        let due = self.open.values_mut().flatten();
        for v in due.filter(|v| !v.fired && day - v.day0 >= p.after_min_days && v.warm) {
            let Some((z, _)) = best_z(p, v, phi) else { continue };
            let score = z_score(z) - if v.tests_line() { 2f64.log10() } else { 0.0 };
            if score > v.peak {
                calib.raise(v.peak, score);
                v.peak = score;
            }
            if score < thr.score {
                continue;
            }
            let c = judge(ctx, rule, p, v, day, &thr, phi);
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

/// The better of the visit's tests (named products; the whole line when it differs): its z
/// and whether it is the whole line's.
fn best_z(p: &RepLiftParams, v: &Visit, phi: f64) -> Option<(f64, bool)> {
    let named = lift_z(p, v.after, v.before, phi).map(|z| (z, false));
    let line = if v.tests_line() { lift_z(p, v.line_after, v.line_before, phi).map(|z| (z, true)) } else { None };
    match (named, line) {
        (Some(n), Some(l)) => Some(if l.0 > n.0 { l } else { n }),
        (n, l) => n.or(l),
    }
}

/// The shares of a visit's test: the doctor's after and before, peers' after and before.
fn shares(a: Counts, b: Counts) -> (f64, f64, f64, f64) {
    let s_a = a.doc_m / a.doc_all;
    let s_b = b.doc_m.max(0.5) / b.doc_all;
    let p_a = if a.peer_all > 0.0 { a.peer_m / a.peer_all } else { 0.0 };
    let p_b = if b.peer_all > 0.0 { b.peer_m / b.peer_all } else { 0.0 };
    (s_a, s_b, p_a, p_b)
}

/// z of a test's difference in differences when it passes the hard floors: the upper tail
/// of the doctor's manufacturer lines after the visit against what the doctor's before-share
/// moved by peers' change predicts, as a normal z. The tail is of the count under that null
/// (negative binomial: the before-share is known from its own lines only; quasi-Poisson:
/// scaled by the measured dispersion), not a Wald z, whose error, taken from the risen share
/// itself, grows with the very rise it tests (a 3.8× rise on 19 lines five days after the
/// visit gave z 3.4 where the count's tail is 1e-6).
fn lift_z(p: &RepLiftParams, a: Counts, b: Counts, phi: f64) -> Option<f64> {
    if a.doc_all < p.min_after_lines || a.doc_m < p.min_count || b.doc_all < p.min_after_lines {
        return None;
    }
    let (s_a, s_b, p_a, p_b) = shares(a, b);
    let did = (s_a - s_b) - (p_a - p_b);
    let relative = s_a / s_b - 1.0;
    if relative < p.min_relative || did < p.min_points {
        return None;
    }
    let phi = phi.max(1.0);
    let expected = a.doc_all * (s_b + (p_a - p_b)).max(0.5 / b.doc_all);
    let pv = negbin_sf(a.doc_m / phi, expected / phi, (b.doc_m.max(0.5) + 0.5) / phi);
    Some(z_of_score(-pv.max(1e-300).log10()))
}

fn judge(ctx: &Ctx, rule: usize, p: &RepLiftParams, v: &Visit, day: Day, thr: &Threshold, phi: f64) -> Candidate {
    let (z, whole) = best_z(p, v, phi).unwrap_or((0.0, false));
    let (a, b) = if whole { (v.line_after, v.line_before) } else { (v.after, v.before) };
    let (s_a, s_b, p_a, p_b) = shares(a, b);
    let did = (s_a - s_b) - (p_a - p_b);
    let tested = match (v.products.is_empty(), whole) {
        (true, _) => "manufacturer_line",
        (false, true) => "manufacturer_line_beyond_named_products",
        (false, false) => "named_products",
    };
    let budget = ctx.engine.footprint.budget * p.budget_share;
    // The z the better of two tests must reach is that of half the p.
    let need = z_of_score(thr.score + if v.tests_line() { 2f64.log10() } else { 0.0 });
    let calibration = json!({
        "z": round(need, 2),
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
    c = c
        .evidence("observed", round(s_a, 4))
        .evidence("expected", round(s_b + (p_a - p_b), 4))
        .evidence("baseline", round(s_b, 4))
        .evidence("ratio", round(s_a / s_b, 2))
        .evidence("difference_in_differences", round(did, 4))
        .evidence("score", round(z, 2))
        .evidence("tested", tested)
        .evidence("tests", if v.tests_line() { 2 } else { 1 })
        .evidence(
            "threshold",
            json!({"relative": p.min_relative, "points": p.min_points, "z": round(need, 2)}),
        )
        .evidence("calibration", calibration)
        .evidence("dispersion", round(phi.max(1.0), 3))
        .evidence("doctor", json!({"after": {"lines": a.doc_all, "manufacturer_lines": a.doc_m}, "before": {"lines": b.doc_all, "manufacturer_lines": b.doc_m}}))
        .evidence("peers", json!({"after_share": round(p_a, 4), "before_share": round(p_b, 4), "after_lines": a.peer_all, "before_lines": b.peer_all}))
        .evidence("visit", json!({"event_id": v.event_id, "rep": v.rep, "company": v.company, "date": v.day0.to_string(), "visits": v.visits}))
        .evidence("products", json!(v.products.iter().map(|&g| ctx.ids.drug.name(g)).collect::<Vec<_>>()))
        .evidence("window_start", v.day0.to_string())
        .evidence("window_end", day.to_string())
        .evidence("baseline_start", v.from.start().to_string())
        .evidence("baseline_end", (v.day0.week() - 1).end().to_string())
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
