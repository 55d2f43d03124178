//! A doctor's expected share of prescription lines per drug, from the habit weights.
//!
//! A prescription draws a few distinct drugs from the habit pool (`prescribe::draw_drugs`),
//! skipping those that do not fit the visit: injections mostly on the ward and in
//! emergency, 特殊使用级 antibiotics only on the ward. So a drug's share of lines is not its
//! share of the pool: heavy drugs saturate (a drug is on a prescription at most once) and
//! the visit mix of the department matters. For `n` successive draws without replacement,
//! the inclusion probability of item i is about 1 − e^(−λ wᵢ), with λ such that the
//! probabilities sum to n (Rosén's approximation); averaged over line counts and visit types.

use super::super::catalog::{AbxLevel, Drug};
use super::super::hospital::Hospital;
use super::super::names::DeptKind;

#[derive(Copy, Clone, PartialEq, Eq)]
enum Part {
    Outpatient,
    Emergency,
    Inpatient,
    /// The western/中成药 lines beside a 中药饮片 prescription.
    Herbal,
}

/// Distinct drugs on a normal prescription and how often (`prescribe::line_count`).
const LINES: [(f64, f64); 4] = [(1.0, 0.35), (2.0, 0.30), (3.0, 0.22), (4.0, 0.13)];
const HERBAL_LINES: [(f64, f64); 2] = [(1.0, 0.5), (2.0, 0.5)];

/// How often a draw of `d` fits a visit of this part.
fn accept(d: &Drug, part: Part) -> f64 {
    let special = d.abx == Some(AbxLevel::Special);
    match part {
        Part::Inpatient => 1.0,
        _ if special => 0.0,
        Part::Emergency if d.injection => 0.6,
        _ if d.injection => 0.08,
        _ => 1.0,
    }
}

/// The department's prescriptions by part (`day::visit_type`, `prescribe::normal_lines`).
fn mix(h: &Hospital, dept: usize) -> Vec<(f64, Part)> {
    let d = &h.depts[dept];
    match d.spec.kind {
        DeptKind::Emergency => vec![(1.0, Part::Emergency)],
        DeptKind::Pediatric => vec![(0.1, Part::Emergency), (0.9, Part::Outpatient)],
        _ => {
            let out = 1.0 - d.inpatient_rate;
            let herbal = out * d.spec.herbal_rate;
            vec![(d.inpatient_rate, Part::Inpatient), (out - herbal, Part::Outpatient), (herbal, Part::Herbal)]
        }
    }
}

/// λ with Σ (1 − e^(−λ wᵢ)) = n (Newton from below: the sum is concave in λ).
fn lambda(w: &[f64], n: f64) -> f64 {
    let n = n.min(w.iter().filter(|x| **x > 0.0).count() as f64 - 0.01);
    if n <= 0.0 {
        return 0.0;
    }
    let mut l = 0.0;
    for _ in 0..60 {
        let (mut f, mut df) = (-n, 0.0);
        for &x in w {
            let e = (-l * x).exp();
            f += 1.0 - e;
            df += x * e;
        }
        if f >= -1e-9 || df <= 0.0 {
            break;
        }
        l -= f / df;
    }
    l
}

/// Expected share of lines of each drug of a doctor of `dept` with habit weights `pairs`
/// (drugs past the catalog — plants' new drugs — are oral).
pub fn shares(h: &Hospital, dept: usize, pairs: &[(usize, f64)]) -> Vec<f64> {
    let mut out = vec![0.0; pairs.len()];
    let mut lines = 0.0;
    let mut w = vec![0.0; pairs.len()];
    for (pv, part) in mix(h, dept) {
        if pv <= 0.0 {
            continue;
        }
        for (x, &(d, wt)) in w.iter_mut().zip(pairs) {
            *x = wt * h.drugs.get(d).map_or(1.0, |d| accept(d, part));
        }
        let (dist, extra): (&[(f64, f64)], f64) = match part {
            Part::Herbal => (&HERBAL_LINES, 0.0),
            Part::Inpatient => (&LINES, 1.0),
            _ => (&LINES, 0.0),
        };
        let avail = w.iter().filter(|x| **x > 0.0).count() as f64;
        for &(n, pn) in dist {
            let n = (n + extra).min(avail);
            let l = lambda(&w, n);
            for (o, x) in out.iter_mut().zip(&w) {
                *o += pv * pn * (1.0 - (-l * x).exp());
            }
            lines += pv * pn * n;
        }
    }
    out.iter_mut().for_each(|o| *o /= lines.max(f64::MIN_POSITIVE));
    out
}
