//! Confounders in one doctor's habits: a personal preference held from the first day (one
//! drug at four times the department's norm), and small counts (a rarely used drug going
//! from about 2 to about 6 lines a month). One of each per 75 doctors, at least one.

use super::super::habit::{HabitMod, Target};
use super::{Case, Ctx};

fn count(cx: &Ctx) -> usize {
    ((cx.h.doctors.len() as f64 / 75.0).round() as usize).max(1)
}

/// `confounder:preference`: the drug's share is 4× the department's mean all period.
pub fn preference(cx: &mut Ctx) {
    let h = cx.h;
    for _ in 0..count(cx) {
        let Some(doc) = cx.doctor(4, false) else { return };
        let dept = h.doctors[doc].dept;
        let pool = &h.doctors[doc].pool;
        let c: Vec<(usize, f64)> = cx
            .dept_norms(dept)
            .into_iter()
            .filter(|&(d, s)| (0.01..=0.03).contains(&s) && pool.contains(d) && cx.free_drug(d))
            .collect();
        if c.is_empty() {
            cx.take(&[doc], &[], None);
            continue;
        }
        let (drug, norm) = c[rand::Rng::gen_range(&mut cx.rng, 0..c.len())];
        let note = format!(
            "{}一贯偏好{}（约为科室常规的4倍，{:.1}%对{:.1}%），全期不变",
            h.doctors[doc].name,
            h.drugs[drug].name,
            norm * 400.0,
            norm * 100.0
        );
        let mut truth = cx.truth("confounder:preference", Some(doc), Some(dept), 0, note);
        truth.drug = Some(h.drugs[drug].code.clone());
        let m =
            HabitMod { doctor: doc, from: 0, until: u32::MAX, drugs: vec![drug], target: Target::Share(4.0 * norm) };
        cx.take(&[doc], &[drug], Some(dept));
        cx.add(Case { truth, mods: vec![m], ..Case::default() });
    }
}

/// `confounder:small_counts`: about 2 lines a month, about 6 from `start`.
pub fn small_counts(cx: &mut Ctx) {
    let h = cx.h;
    for _ in 0..count(cx) {
        let Some(start) = cx.start(super::MIN_RUN) else { return };
        let Some(doc) = cx.doctor(3, false) else { return };
        let dept = h.doctors[doc].dept;
        let base = 2.0 / cx.lines_per_month(doc);
        let c: Vec<usize> = super::super::habit::line_shares(h, doc)
            .into_iter()
            .filter(|&(d, s)| s < 0.01 && cx.free_drug(d))
            .map(|(d, _)| d)
            .collect();
        // A doctor too idle for 2 lines a month to be rare.
        if c.is_empty() || base > 0.01 {
            cx.take(&[doc], &[], None);
            continue;
        }
        let drug = c[rand::Rng::gen_range(&mut cx.rng, 0..c.len())];
        let note = format!(
            "{}的少用药{}自{}起由每月约2行增至约6行",
            h.doctors[doc].name,
            h.drugs[drug].name,
            h.period.date(start)
        );
        let mut truth = cx.truth("confounder:small_counts", Some(doc), Some(dept), start, note);
        truth.drug = Some(h.drugs[drug].code.clone());
        let mods = vec![
            HabitMod { doctor: doc, from: 0, until: u32::MAX, drugs: vec![drug], target: Target::Share(base) },
            HabitMod { doctor: doc, from: start, until: u32::MAX, drugs: vec![drug], target: Target::Times(3.0) },
        ];
        cx.take(&[doc], &[drug], Some(dept));
        cx.add(Case { truth, mods, ..Case::default() });
    }
}
