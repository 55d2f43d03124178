//! `surge` (DP-02): one doctor's use of one drug far above that doctor's own baseline,
//! beyond what the department's trend for the drug and the doctor's own workload explain.
//!
//! Each day, for every pair written that day or still under suspicion, the expected lines
//! are `μ = T · r · trend`:
//! - `T`, the doctor's lines that day (of drugs of the same kind: 中药饮片, or the others):
//!   a doubled clinic, a day off or a return from leave scale the expectation, not the alarm;
//! - `r`, the doctor's baseline share of the drug (up to 18 weeks ending two weeks back, at
//!   least 10: a hospital's first weeks are judged on the shorter one), shrunk
//!   toward peers' share by an empirical-Bayes prior, so a preference held from the start is
//!   expected, and two lines of history are not a rate;
//! - `trend`, peers' share of the drug that day over their baseline share (smoothed with
//!   pseudo-lines): a season, an epidemic or a formulary switch raises everyone's expectation.
//!
//! Two other expectations can be larger and are then used (see [`expect`]): peers' share that
//! day times the doctor's baseline preference relative to them (a drug new to the doctor's
//! baseline), and the doctor's share of the drug's substitution group carried over to this
//! product as peers split the group that day (a formulary switch).
//!
//! A Poisson CUSUM tuned to a `shift`-fold rise, scaled by the quasi-Poisson dispersion φ
//! (measured weekly from the hospital's own weekly pair counts, floored by the rule),
//! accumulates `(x·ln k − (k−1)·μ)/φ`; it alarms above `h` when the run's count is also
//! large (`min_count`), well above expectation (`min_ratio`) and improbable (`max_p`). The
//! run's tail is negative binomial, not Poisson: the expectation is itself estimated from
//! the baseline's lines, so a pair with few of them (a short baseline in a hospital's first
//! weeks, a rarely written drug) needs a larger excess for the same p.

use std::ops::Range;

use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::json;

use crate::alert::Candidate;
use crate::event::{Day, Week};
use crate::rules::model::SurgeParams;
use crate::rules::{Kind, Params};
use crate::state::usage::{unpair, UsageStore};
use crate::state::{DeptId, DoctorId, DrugId, Refs};

use super::calib::{Calibrator, Threshold};
use super::stat::{negbin_sf, round};
use super::Ctx;

/// Pairs whose CUSUM is above zero are judged daily even without new lines; the
/// dispersion is re-estimated from the data every week.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Surge {
    hot: FxHashSet<u64>,
    /// Quasi-Poisson dispersion measured on weekly pair counts (0 = not yet measured).
    measured_phi: f64,
    /// Peaks of the CUSUM runs that passed the hard floors, for the budget's threshold.
    calib: Calibrator,
    /// Pairs that have alerted: no longer part of the null (their later runs are not
    /// recorded), so a sustained scheme does not raise the threshold it is judged by.
    alerted: FxHashSet<u64>,
    /// The rows of the last [`DayExpect`], kept for the next day's.
    #[serde(skip)]
    spare: Rows,
}

/// One closed day's expectations (see [`Surge::expect_day`]).
pub struct DayExpect {
    rule: usize,
    day: Day,
    first_week: Week,
    phi: f64,
    thr: Threshold,
    rows: Rows,
}

/// Pairs (by key, in key order) with their lines that day and expectation (`None`: no
/// baseline).
pub type Rows = Vec<(u64, Option<(f64, Expect)>)>;

/// The pairs a closed day judges (see [`Surge::plan_day`]).
pub struct DayJob {
    rule: usize,
    day: Day,
    first_week: Week,
    phi: f64,
    thr: Threshold,
    /// In key order.
    keys: Vec<u64>,
}

impl DayJob {
    /// Pairs to judge.
    pub fn pairs(&self) -> usize {
        self.keys.len()
    }

    /// Appends the rows of the pairs `part` of [`DayJob::pairs`] to `rows`. A pure function of
    /// the state: parts computed on any threads, concatenated in order, are the rows of
    /// the whole.
    pub fn expect(&self, ctx: &Ctx, usage: &UsageStore, part: Range<usize>, rows: &mut Rows) {
        let Params::Surge(p) = &ctx.rules[self.rule].params else { return };
        let mut memo = Memo::default();
        rows.extend(
            self.keys[part]
                .iter()
                .map(|&k| (k, expect(usage, ctx.refs, p, &mut memo, unpair(k), self.day, self.first_week))),
        );
    }

    /// The day's expectations, from the rows of all its pairs in order.
    pub fn finish(self, rows: Rows) -> DayExpect {
        let DayJob { rule, day, first_week, phi, thr, keys } = self;
        debug_assert_eq!(rows.len(), keys.len());
        DayExpect { rule, day, first_week, phi, thr, rows }
    }
}

/// Pearson dispersion of weekly pair counts around the doctor's own share: how much more
/// variable than Poisson prescribing is in this hospital (refills, clustered patients,
/// changing habits). Measured over the baseline weeks of every pair with enough lines.
fn measure_dispersion(u: &UsageStore, refs: &Refs, p: &SurgeParams, day: Day, first_week: Week) -> Option<f64> {
    let wk = day.week();
    let (b0, b1) = baseline_weeks(p, wk, first_week);
    let (mut chi2, mut df) = (0.0, 0.0);
    // Each doctor's weekly lines of each kind, once for all the doctor's pairs.
    let mut doctor_weeks: FxHashMap<(DoctorId, bool), Vec<f64>> = FxHashMap::default();
    let mut weeks: Vec<(f64, f64)> = Vec::new();
    for (&k, pair) in &u.pairs {
        let (doctor, drug) = unpair(k);
        let Some(doc) = u.doctors.get(&doctor) else { continue };
        let herbal = refs.herbal(drug);
        let t = doctor_weeks
            .entry((doctor, herbal))
            .or_insert_with(|| b0.through(b1).map(|w| doc.lines_weeks(herbal, w, w).max(0) as f64).collect());
        weeks.clear();
        weeks.extend(b0.through(b1).zip(t.iter()).map(|(w, &tw)| (pair.series.lines_weeks(w, w).max(0) as f64, tw)));
        let (x, t): (f64, f64) = weeks.iter().fold((0.0, 0.0), |a, w| (a.0 + w.0, a.1 + w.1));
        if x < 20.0 || t <= 0.0 {
            continue;
        }
        let share = x / t;
        let mut used = 0.0;
        for &(xw, tw) in &weeks {
            let mu = tw * share;
            if mu > 0.5 {
                chi2 += (xw - mu).powi(2) / mu;
                used += 1.0;
            }
        }
        df += (used - 1.0f64).max(0.0);
    }
    (df >= 50.0).then(|| chi2 / df)
}

/// Expectation of one pair on one day, with its parts for the evidence.
#[derive(Copy, Clone, Debug)]
pub struct Expect {
    mu: f64,
    rate: f64,
    trend: f64,
    base_lines: f64,
    doctor_base: f64,
    /// Which expectation was the largest: the doctor's own rate with peers' trend, peers'
    /// share with the doctor's preference, or the drug's substitutes.
    basis: &'static str,
}

impl Surge {
    /// The first half of a day's close: each pair's lines and expectation for local `day`,
    /// read from the state without changing it, so other detectors can read the same state
    /// meanwhile; [`Surge::apply_day`] then moves the CUSUMs and alerts. Nothing is judged
    /// until the baseline lies wholly inside the stream (`first_day` is its first local day).
    pub fn expect_day(&mut self, ctx: &Ctx, usage: &UsageStore, day: Day, first_day: Day) -> Option<DayExpect> {
        let job = self.plan_day(ctx, usage, day, first_day)?;
        let mut rows = std::mem::take(&mut self.spare);
        job.expect(ctx, usage, 0..job.pairs(), &mut rows);
        Some(job.finish(rows))
    }

    /// What [`Surge::expect_day`] changes in the detector (the dispersion, the budget's
    /// exposure) and the pairs it judges, so that their expectations can be computed in
    /// parts, on several threads ([`DayJob::expect`]).
    pub fn plan_day(&mut self, ctx: &Ctx, usage: &UsageStore, day: Day, first_day: Day) -> Option<DayJob> {
        let rules = ctx.by_kind.get(Kind::Surge);
        let &rule = rules.first()?;
        let Params::Surge(p) = &ctx.rules[rule].params else { return None };
        // The first week wholly inside the stream.
        let first_week = (first_day + 6).week();
        let (b0, b1) = baseline_weeks(p, day.week(), first_week);
        if b1 - b0 + 1 < p.min_weeks() {
            return None;
        }
        if self.measured_phi == 0.0 || day.weekday() == 6 {
            if let Some(phi) = measure_dispersion(usage, ctx.refs, p, day, first_week) {
                self.measured_phi = phi;
            }
        }
        let phi = self.measured_phi.clamp(p.dispersion, p.max_dispersion);
        let thr = self.threshold(ctx, p);
        self.calib.expose(usage.doctors.len());
        let mut keys: Vec<u64> = usage.touched(day);
        keys.extend(self.hot.iter().copied());
        keys.sort_unstable();
        keys.dedup();
        Some(DayJob { rule, day, first_week, phi, thr, keys })
    }

    /// The second half of a day's close (see [`Surge::expect_day`]).
    pub fn apply_day(&mut self, ctx: &Ctx, usage: &mut UsageStore, j: DayExpect, out: &mut Vec<Candidate>) {
        let DayExpect { rule, day, first_week, phi, thr, mut rows } = j;
        let Params::Surge(p) = &ctx.rules[rule].params else { return };
        for &(k, ref judged) in &rows {
            let (doctor, drug) = unpair(k);
            let Some((x, e)) = *judged else {
                self.hot.remove(&k);
                continue;
            };
            let Some(pair) = usage.pairs.get_mut(&k) else { continue };
            let c = &mut pair.cusum;
            let inc = (x * p.shift.ln() - (p.shift - 1.0) * e.mu) / phi;
            let s = (f64::from(c.s) + inc).max(0.0);
            if s <= 0.0 {
                *c = Default::default();
                self.hot.remove(&k);
                continue;
            }
            if c.s <= 0.0 {
                *c = Default::default();
                c.start = day;
            }
            c.s = s as f32;
            c.obs += x as f32;
            c.exp += e.mu as f32;
            self.hot.insert(k);
            let (obs, exp) = (f64::from(c.obs), f64::from(c.exp).max(1e-9));
            if s < p.h || obs < p.min_count || obs / exp < p.min_ratio {
                continue;
            }
            // The run's tail, with the expectation's own error: the doctor's rate is known
            // from the baseline's lines (and the prior's pseudo-lines), not exactly, so the
            // count is negative binomial around it — a short or thin baseline asks for more
            // (see `stat::negbin_sf`).
            let shape = (e.base_lines + p.prior_lines) / phi;
            let pv = negbin_sf(obs / phi, exp / phi, shape);
            // The run's score: its tail, weighted by the drug's class (a VBP drug needs a
            // smaller p, a high-margin one a larger p may do).
            let (w, class) = ctx.drug_weight(drug);
            let score = -pv.max(1e-300).log10() + w.log10();
            if score > f64::from(pair.peak) {
                if !self.alerted.contains(&k) {
                    self.calib.raise(f64::from(pair.peak), score);
                }
                pair.peak = score as f32;
            }
            if score < thr.score {
                continue;
            }
            let start = c.start;
            *c = Default::default();
            self.hot.remove(&k);
            self.alerted.insert(k);
            let c = candidate(ctx, rule, p, doctor, drug, usage, (day, start, first_week), (obs, exp, s, pv), &e);
            let cal = calibration(ctx, p, &thr, w, class);
            let tail = json!({"model": "negative_binomial", "shape": round(shape, 2)});
            out.push(c.evidence("dispersion", round(phi, 3)).evidence("tail", tail).evidence("calibration", cal));
        }
        rows.clear();
        self.spare = rows;
    }

    /// Pairs under suspicion, judged every day.
    pub fn hot_len(&self) -> usize {
        self.hot.len()
    }

    /// The quasi-Poisson dispersion of weekly pair counts last measured (0 = not yet).
    pub fn dispersion(&self) -> f64 {
        self.measured_phi
    }

    /// The score a run must reach today: calibrated to the rule's part of the budget on the
    /// hospital's history, within the rule's hard limits; `max_p` without a budget share.
    fn threshold(&self, ctx: &Ctx, p: &SurgeParams) -> Threshold {
        let prior = -p.max_p.log10();
        let (lo, hi) = (-p.loosest_p.log10(), -p.strictest_p.log10());
        if p.budget_share <= 0.0 {
            let t = Calibrator::default().threshold(0.0, prior, prior, prior);
            return Threshold { source: "fixed", ..t };
        }
        self.calib.threshold(ctx.engine.footprint.budget * p.budget_share, prior, lo, hi)
    }
}

/// Evidence of the threshold a run met and the null it came from.
fn calibration(
    ctx: &Ctx,
    p: &SurgeParams,
    t: &Threshold,
    w: f64,
    class: crate::state::refs::RiskClass,
) -> serde_json::Value {
    let budget = ctx.engine.footprint.budget * p.budget_share;
    json!({
        "max_p": sig(10f64.powf(-t.score) * w),
        "source": t.source,
        "budget_per_100_doctor_months": round(budget, 4),
        "drug_class": class.as_str(),
        "drug_weight": w,
        "null": {"runs": t.excursions, "doctor_months": round(t.doctor_months, 1), "tail_slope": round(t.slope, 3)},
    })
}

/// `v` to three significant digits.
fn sig(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    let d = 2 - v.log10().floor() as i32;
    round(v, d)
}

/// First and last week of the baseline for a day in week `wk`: up to `baseline_weeks` weeks
/// ending `gap_weeks` before (so a slow rise takes that long to start entering its own
/// baseline), none before `first_week`, the first week wholly inside the stream.
fn baseline_weeks(p: &SurgeParams, wk: Week, first_week: Week) -> (Week, Week) {
    ((wk - p.gap_weeks - p.baseline_weeks + 1).max(first_week), wk - p.gap_weeks)
}

/// Pseudo-lines pulling peers' split of a substitution group today toward their baseline
/// split: few enough that a switch on one day shows at once (the expected part of the group
/// is capped at all of it, so a noisy day cannot expect more than the doctor's group).
const SPLIT_PSEUDO_LINES: f64 = 2.0;

/// A doctor's figures for the day judged, for the lines of one kind (饮片 or not), shared
/// by the doctor's pairs judged that day: their baseline lines, their lines that day and
/// their department's.
#[derive(Copy, Clone)]
struct DoctorDay {
    base: f64,
    today: f64,
    /// The department's lines in the baseline and that day, when it has a series.
    dept: Option<(i64, i64)>,
}

/// What the pairs judged on one day share: each doctor's [`DoctorDay`] (`None`: no baseline)
/// and each department × drug's lines in the baseline and that day.
#[derive(Default)]
struct Memo {
    doctors: FxHashMap<(DoctorId, bool), Option<DoctorDay>>,
    dept_drugs: FxHashMap<(DeptId, DrugId), Option<(i64, i64)>>,
}

/// Lines of the pair on `day` and their expectation; `None` when the doctor has too
/// little history to have a baseline.
fn expect(
    u: &UsageStore,
    refs: &Refs,
    p: &SurgeParams,
    memo: &mut Memo,
    (doctor, drug): (DoctorId, DrugId),
    day: Day,
    first_week: Week,
) -> Option<(f64, Expect)> {
    let pair = u.pair(doctor, drug)?;
    let doc = u.doctors.get(&doctor)?;
    let (b0, b1) = baseline_weeks(p, day.week(), first_week);
    // Shares are of the lines of the drug's own kind (饮片 or not): see `usage::Doctor`.
    let herbal = refs.herbal(drug);
    let dd = (*memo.doctors.entry((doctor, herbal)).or_insert_with(|| {
        let base = doc.lines_weeks(herbal, b0, b1) as f64;
        if base < p.min_doctor_baseline || !doc.present(herbal, b0, b1) {
            return None;
        }
        let today = (doc.lines_days(herbal, day, day) as f64).max(0.0);
        let dept = u
            .dept_lines(doc.dept, herbal, |s| s.lines_weeks(b0, b1))
            .zip(u.dept_lines(doc.dept, herbal, |s| s.lines_days(day, day)));
        Some(DoctorDay { base, today, dept })
    }))?;
    let (doctor_base, t) = (dd.base, dd.today);
    let x = (pair.series.lines_days(day, day) as f64).max(0.0);
    // The department's other doctors, in the baseline and on the same day: a season or a
    // formulary switch moves the expectation at once, not after a trailing window.
    let all_b = dd.dept.map_or(0.0, |(n, _)| (n as f64 - doctor_base).max(0.0));
    let all_r = dd.dept.map_or(0.0, |(_, n)| (n as f64 - t).max(0.0));
    // (the doctor's baseline lines, peers' baseline lines, peers' lines today) of a product
    let mut product = |g: DrugId| -> (f64, f64, f64) {
        let own = if g == drug { Some(pair) } else { u.pair(doctor, g) };
        let own_b = own.map_or(0, |pr| pr.series.lines_weeks(b0, b1)).max(0) as f64;
        let own_r = own.map_or(0, |pr| pr.series.lines_days(day, day)).max(0) as f64;
        let dept = *memo
            .dept_drugs
            .entry((doc.dept, g))
            .or_insert_with(|| u.dept_drug(doc.dept, g).map(|s| (s.lines_weeks(b0, b1), s.lines_days(day, day))));
        dept.map_or((own_b, 0.0, 0.0), |(b, r)| (own_b, (b as f64 - own_b).max(0.0), (r as f64 - own_r).max(0.0)))
    };
    let (base_lines, peer_b, peer_r) = product(drug);
    let q_b = if all_b > 0.0 { peer_b / all_b } else { 0.0 };
    let rate = (base_lines + p.prior_lines * q_b) / (doctor_base + p.prior_lines);
    // Peers' lines now against what their baseline share predicts, with pseudo-lines so a
    // drug peers barely use does not swing the trend.
    let trend = (peer_r + p.peer_smoothing) / (all_r * q_b + p.peer_smoothing);
    // The same expectation from the other side: peers' share today times the doctor's
    // baseline preference relative to peers. The two agree in the ordinary case and differ
    // when a share was zero: a drug back from suspension or new to everyone (peers use it
    // now, the doctor's baseline is empty) is expected from peers; a drug only this doctor
    // uses is expected from the doctor's own rate.
    let q_now = (peer_r + p.peer_smoothing * q_b) / (all_r + p.peer_smoothing);
    let preference = (base_lines + p.prior_lines) / (q_b * doctor_base + p.prior_lines);
    // And from the drug's substitutes (other manufacturers' products of the same catalog
    // name): the doctor's baseline share of the whole group, moved by peers' trend for the
    // group, times the part of it peers write as this product today, times the doctor's
    // baseline preference for this product within the group against peers'. A formulary
    // switch (everyone moves the group to the 集采 product on one day) expects the doctor's
    // whole group on the new product, however much of the old brand the doctor wrote; a
    // doctor who moves the group to a product peers do not favour is not excused.
    let group = refs.substitutes(drug);
    let mut by_group = 0.0;
    if group.len() > 1 && all_b > 0.0 {
        let (mut own_g, mut peer_bg, mut peer_rg) = (0.0, 0.0, 0.0);
        for &g in group {
            let (o, pb, pr) = product(g);
            own_g += o;
            peer_bg += pb;
            peer_rg += pr;
        }
        let q_gb = peer_bg / all_b;
        let rate_g = (own_g + p.prior_lines * q_gb) / (doctor_base + p.prior_lines);
        let trend_g = (peer_rg + p.peer_smoothing) / (all_r * q_gb + p.peer_smoothing);
        let split_b = if peer_bg > 0.0 { peer_b / peer_bg } else { 0.0 };
        let split = (peer_r + SPLIT_PSEUDO_LINES * split_b) / (peer_rg + SPLIT_PSEUDO_LINES);
        let within = (base_lines + p.prior_lines) / (split_b * own_g + p.prior_lines);
        // The doctor's expected part of the group as this product is at most all of it.
        by_group = rate_g * trend_g * (split * within).min(1.0);
    }
    let (share, basis) = [(rate * trend, "own_rate"), (q_now * preference, "peers_share"), (by_group, "substitutes")]
        .into_iter()
        .fold((0.0, "own_rate"), |best, c| if c.0 > best.0 { c } else { best });
    if !(share.is_finite() && (rate * trend).is_finite()) {
        return None;
    }
    Some((x, Expect { mu: t * share, rate, trend, base_lines, doctor_base, basis }))
}

#[allow(clippy::too_many_arguments)]
fn candidate(
    ctx: &Ctx,
    rule: usize,
    p: &SurgeParams,
    doctor: DoctorId,
    drug: DrugId,
    u: &UsageStore,
    (day, start, first_week): (Day, Day, Week),
    (obs, exp, s, pv): (f64, f64, f64, f64),
    e: &Expect,
) -> Candidate {
    let r = &ctx.rules[rule];
    let mut c = Candidate::new(rule, Kind::Surge, r.severity, ctx.hospital, start.to_string());
    c.doctor = Some(ctx.ids.doctor.name(doctor).to_owned());
    c.drug = Some(ctx.ids.drug.name(drug).to_owned());
    c.dept = u.doctors.get(&doctor).map(|d| ctx.ids.dept.name(d.dept).to_owned());
    let (b0, b1) = baseline_weeks(p, day.week(), first_week);
    c = c
        .evidence("observed", obs)
        .evidence("expected", round(exp, 2))
        .evidence("ratio", round(obs / exp.max(1e-9), 2))
        .evidence("p_value", pv)
        .evidence("score", round(s, 2))
        .evidence("threshold", p.h)
        .evidence("unit", "prescription_lines")
        .evidence("window_start", start.to_string())
        .evidence("window_end", day.to_string())
        .evidence("baseline_start", b0.start().to_string())
        .evidence("baseline_end", b1.end().to_string())
        .evidence(
            "baseline",
            json!({"pair_lines": e.base_lines, "doctor_lines": e.doctor_base, "doctor_share": round(e.rate, 5)}),
        )
        .evidence("dept_trend", round(e.trend, 3))
        .evidence("expected_from", e.basis);
    c.title = format!(
        "处方量异常激增（疑点）：{} 自 {} 起开具 {} {} 条，按本人工作量与科室趋势预期 {:.1} 条（{:.1} 倍）",
        ctx.doctor_label(doctor),
        start,
        ctx.drug_label(drug, None),
        obs,
        exp,
        obs / exp.max(1e-9)
    );
    c
}
