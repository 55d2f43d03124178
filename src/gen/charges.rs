//! Revenue lines (费用明细) of a visit. Drug charges follow the prescription; the non-drug
//! charges (exam, lab, treatment, material, bed, …) are sized so that each department's
//! 药占比 and 百元医疗收入卫生材料 sit near their targets. Calibration measures the mean drug
//! spend per visit by simulating prescriptions, so the targets hold whatever the catalog
//! prices turn out to be.

use rand::Rng;
use rand_pcg::Pcg64;

use super::hospital::Hospital;
use super::names::DeptKind;
use super::prescribe::{normal_lines, Habit, VisitType};
use super::record::Fen;
use super::rng;

/// Mean drug spend per visit, by department and visit type, in yuan.
#[derive(Clone, Debug, Default)]
pub struct Calibration {
    by: Vec<[Means; 3]>,
}

#[derive(Copy, Clone, Debug, Default)]
struct Means {
    /// 西药 + 中成药.
    drug: f64,
    herbal: f64,
}

/// Drug spend per visit is heavy-tailed (long-term prescriptions, brand drugs), so the
/// mean needs thousands of simulated visits to land within a few percent.
const CALIBRATION_VISITS: usize = 6000;

impl Calibration {
    pub fn measure(h: &Hospital) -> Calibration {
        let mut rng = rng::stream(h.seed, "calibration", 0);
        let by = h
            .depts
            .iter()
            .map(|dept| {
                VisitType::ALL.map(|vt| {
                    if dept.doctors.is_empty() {
                        return Means::default();
                    }
                    let mut m = Means::default();
                    for _ in 0..CALIBRATION_VISITS {
                        let doc = dept.doctors[rng.gen_range(0..dept.doctors.len())];
                        // Day 0: before any suspension starts.
                        for l in normal_lines(h, doc, Habit::base(&h.doctors[doc]), vt, 0, &mut rng) {
                            let d = &h.drugs[l.drug];
                            let yuan = d.price.yuan() * f64::from(l.qty);
                            if d.herbal() {
                                m.herbal += yuan;
                            } else {
                                m.drug += yuan;
                            }
                        }
                    }
                    Means { drug: m.drug / CALIBRATION_VISITS as f64, herbal: m.herbal / CALIBRATION_VISITS as f64 }
                })
            })
            .collect();
        Calibration { by }
    }

    /// Mean non-drug revenue per visit that puts the department's 药占比 at `share`:
    /// drug / (drug + herbal + non-drug) = share. Floored so a herbal-heavy department still
    /// bills consultations and treatment.
    pub fn nondrug_mean(&self, dept: usize, vt: VisitType, share: f64) -> f64 {
        let m = self.by.get(dept).map(|b| b[vt.index()]).unwrap_or_default();
        let share = share.clamp(0.05, 0.95);
        (m.drug * (1.0 - share) / share - m.herbal).max(m.drug * 0.5).max(30.0)
    }
}

/// What a visit's prescription costs, by billing category.
#[derive(Copy, Clone, Debug, Default)]
pub struct DrugMoney {
    pub western: Fen,
    pub patent: Fen,
    pub herbal: Fen,
}

/// The visit's charge lines: its drugs by category, then non-drug revenue of mean
/// `nondrug_mean` (log-normal spread) split over the categories the visit type bills.
pub fn visit_charges(
    h: &Hospital,
    dept: usize,
    vt: VisitType,
    money: DrugMoney,
    nondrug_mean: f64,
    rng: &mut Pcg64,
) -> Vec<(&'static str, Fen)> {
    let d = &h.depts[dept];
    let mut out = Vec::with_capacity(6);
    for (cat, f) in [("drug_western", money.western), ("drug_patent", money.patent), ("drug_herbal", money.herbal)] {
        if f.0 > 0 {
            out.push((cat, f));
        }
    }
    let nondrug = nondrug_mean * rng::noise(rng, 0.45);
    // 百元医疗收入卫生材料 = 100 × material / (revenue − 西药 − 中成药); 饮片 is in the base.
    let mut material = d.material / 100.0 * (nondrug + money.herbal.yuan()) * rng.gen_range(0.7..1.3);
    if vt == VisitType::Outpatient {
        // Outpatients are billed materials (dressings, syringes) on about half the visits.
        material = if rng.gen::<f64>() < 0.5 { material * 2.0 } else { 0.0 };
    }
    material = material.min(0.8 * nondrug);
    if material >= 0.5 {
        out.push(("material", Fen::from_yuan(material)));
    }
    let rest = nondrug - material.max(0.0);
    let split: Vec<(&'static str, f64)> = match vt {
        VisitType::Outpatient => {
            let cats = ["exam", "lab", "treatment", "other"];
            let w = [0.3, 0.4, 0.2, 0.1];
            let first = cats[rng::weighted(rng, &w)];
            if rng.gen::<f64>() < 0.7 {
                vec![(first, 1.0)]
            } else {
                let second = cats[rng::weighted(rng, &w)];
                if second == first {
                    vec![(first, 1.0)]
                } else {
                    vec![(first, rng.gen_range(0.4..0.8)), (second, 0.0)]
                }
            }
        }
        VisitType::Emergency => {
            let second = if rng.gen::<bool>() { "exam" } else { "treatment" };
            vec![("lab", rng.gen_range(0.3..0.6)), (second, 0.0)]
        }
        VisitType::Inpatient => {
            let procedure = if d.spec.kind == DeptKind::Surgical { "surgery" } else { "treatment" };
            vec![("bed", 0.12), ("nursing", 0.08), ("lab", rng.gen_range(0.2..0.35)), (procedure, 0.0)]
        }
    };
    // Fractions listed; the last category takes what is left.
    let mut left = rest;
    let n = split.len();
    for (i, (cat, frac)) in split.into_iter().enumerate() {
        let amount = if i + 1 == n { left } else { rest * frac };
        left -= amount;
        let f = Fen::from_yuan(amount);
        if f.0 > 0 {
            out.push((cat, f));
        }
    }
    out
}
