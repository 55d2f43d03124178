//! `scheme:surge`: from its start to the end of the period, one doctor's share of one drug
//! the doctor already uses (a mid-popularity drug, 1–6% of their lines) is multiplied by a
//! strength of 2.5, 3, 4 or 6 — strengths taken in turn so every run has a spread. About
//! one surge per 25 doctors, at least 3.

use rand::Rng;

use super::super::habit::{HabitMod, Target};
use super::{Case, Ctx, MIN_RUN};

const STRENGTHS: [f64; 4] = [2.5, 3.0, 4.0, 6.0];

/// The boosted share stays below this, so the drug still fits beside the others on a
/// prescription of a few lines.
const MAX_BOOSTED: f64 = 0.2;

pub fn plant(cx: &mut Ctx) {
    let h = cx.h;
    let n = ((h.doctors.len() as f64 / 25.0).round() as usize).max(3);
    let first = cx.rng.gen_range(0..STRENGTHS.len());
    for i in 0..n {
        let k = STRENGTHS[(first + i) % STRENGTHS.len()];
        let Some(start) = cx.start(MIN_RUN) else { return };
        let hi = (MAX_BOOSTED / k).min(0.06);
        // Peers to compare with: a department of at least 4 doctors, else any.
        let Some((doc, drug, share)) = cx.doctor_drug(4, 0.01, hi).or_else(|| cx.doctor_drug(1, 0.01, hi)) else {
            continue;
        };
        let dept = h.doctors[doc].dept;
        let note = format!(
            "{}自{}起{}用量增至原来的{k}倍（原占其处方行约{:.1}%）",
            h.doctors[doc].name,
            h.period.date(start),
            h.drugs[drug].name,
            share * 100.0
        );
        let mut truth = cx.truth("scheme:surge", Some(doc), Some(dept), start, note);
        truth.drug = Some(h.drugs[drug].code.clone());
        truth.strength = Some(k);
        let m = HabitMod { doctor: doc, from: start, until: u32::MAX, drugs: vec![drug], target: Target::Times(k) };
        cx.take(&[doc], &[drug], Some(dept));
        cx.add(Case { truth, mods: vec![m], ..Case::default() });
    }
}
