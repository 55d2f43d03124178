//! `scheme:rep_visit_lift`: a representative of manufacturer M calls on a doctor (an
//! ordinary `rep_visit` event, listing M's drugs the department uses — or, now and then,
//! none) and from that day the doctor's share of M's drugs is multiplied by 2.5–3. M has at
//! least two drugs in the doctor's habits, together 5–12% of their lines. Two lifts, one
//! more per 60 doctors past 120.

use std::collections::BTreeMap;

use rand::Rng;

use super::super::super::calendar::HOUR;
use super::super::super::names::{DeptKind, AGENT_COMPANIES};
use super::super::habit::{line_shares, HabitMod, Target};
use super::super::PlannedRepVisit;
use super::{Case, Ctx, MIN_RUN};

/// A doctor, a manufacturer and its drugs in the doctor's habits, with their joint share.
type Candidate = (usize, &'static str, Vec<usize>, f64);

pub fn plant(cx: &mut Ctx) {
    let h = cx.h;
    let n = if h.doctors.len() >= 40 { (h.doctors.len() / 60).max(2) } else { 1 };
    for _ in 0..n {
        let Some(start) = cx.workday_start(MIN_RUN) else { return };
        let Some((doc, maker, drugs, share)) = candidate(cx) else { return };
        let dept = h.doctors[doc].dept;
        let k = (cx.rng.gen_range(2.5..=3.0_f64) * 10.0).round() / 10.0;
        let (rep, company) = match h.reps.iter().find(|r| r.manufacturer == maker && r.dept == dept) {
            Some(r) => (r.id.clone(), r.company),
            None => {
                cx.taken.new_reps += 1;
                let company = AGENT_COMPANIES[cx.rng.gen_range(0..AGENT_COMPANIES.len())];
                (format!("R{}", 200 + cx.taken.new_reps), company)
            }
        };
        // The department's products of M, as a rep lists them; a quarter of the register
        // entries leave the products out.
        let form: Vec<usize> =
            h.depts[dept].formulary.iter().map(|p| p.0).filter(|&d| h.drugs[d].manufacturer == maker).collect();
        let products = if cx.rng.gen::<f64>() < 0.75 { form.clone() } else { Vec::new() };
        let time = if cx.rng.gen::<bool>() {
            cx.rng.gen_range(9 * HOUR..11 * HOUR + HOUR / 2)
        } else {
            cx.rng.gen_range(14 * HOUR..16 * HOUR + HOUR / 2)
        };
        let visit =
            PlannedRepVisit { day: start, time, rep, company, manufacturer: maker, doctor: doc, products, truth: 0 };
        let note = format!(
            "{}代表{}来访后，{}使用该厂药品增至原来的{k}倍（原占其处方行约{:.1}%）",
            maker,
            h.period.date(start),
            h.doctors[doc].name,
            share * 100.0
        );
        let mut truth = cx.truth("scheme:rep_visit_lift", Some(doc), Some(dept), start, note);
        truth.manufacturer = Some(maker.to_string());
        truth.drugs = Some(drugs.iter().map(|&d| h.drugs[d].code.clone()).collect());
        truth.strength = Some(k);
        let m = HabitMod { doctor: doc, from: start, until: u32::MAX, drugs: drugs.clone(), target: Target::Times(k) };
        cx.take(&[doc], &form, Some(dept));
        cx.add(Case { truth, mods: vec![m], rep_visit: Some(visit), ..Case::default() });
    }
}

/// From the least used department where a rep would call, a free doctor and a manufacturer
/// all of whose drugs in the doctor's habits are free, at least two of them, together 5–12%
/// of the doctor's lines.
fn candidate(cx: &mut Ctx) -> Option<Candidate> {
    let h = cx.h;
    for dept in cx.depts(3) {
        if matches!(h.depts[dept].spec.kind, DeptKind::Emergency | DeptKind::Tcm) {
            continue;
        }
        let mut found: Vec<Candidate> = Vec::new();
        for doc in cx.free_doctors(dept) {
            let mut by: BTreeMap<&'static str, (Vec<usize>, f64, bool)> = BTreeMap::new();
            for (drug, s) in line_shares(h, doc) {
                let e = by.entry(h.drugs[drug].manufacturer).or_default();
                e.0.push(drug);
                e.1 += s;
                // Injections count here (the ward writes them); nothing another case uses,
                // stopped by the committee or controlled.
                let ok = !cx.taken.drugs.contains(&drug)
                    && h.drugs[drug].controlled.is_none()
                    && h.suspensions.iter().all(|s| s.drug != drug);
                e.2 |= !ok;
            }
            for (maker, (drugs, s, blocked)) in by {
                if !blocked && drugs.len() >= 2 && (0.05..=0.12).contains(&s) {
                    found.push((doc, maker, drugs, s));
                }
            }
        }
        if !found.is_empty() {
            let i = cx.rng.gen_range(0..found.len());
            return Some(found.swap_remove(i));
        }
    }
    None
}
