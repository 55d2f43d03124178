//! The hospital: departments with their formularies and revenue targets, the doctor roster
//! with titles, grants and personal prescribing habits, the drug dictionary and the
//! 停用/限用 list. Built once from the seed; everything after reads it.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_pcg::Pcg64;

use super::calendar::Period;
use super::catalog::{build_drugs, build_suspensions, AbxLevel, Drug, Suspension};
use super::charges::Calibration;
use super::names::{DeptKind, DeptSpec, DEPTS};
use super::people::{self, Rep, Staff};
use super::rng::{self, Pool};

pub use crate::event::Title;

pub struct Dept {
    pub spec: &'static DeptSpec,
    /// Target 药占比 (西药+中成药 over all revenue).
    pub drug_share: f64,
    /// Target 百元医疗收入卫生材料, yuan per 100 yuan of non-drug revenue.
    pub material: f64,
    /// Share of prescriptions that are inpatient orders.
    pub inpatient_rate: f64,
    /// Non-herbal drugs the department uses, with their popularity.
    pub formulary: Vec<(usize, f64)>,
    pub doctors: Vec<usize>,
}

pub struct Doctor {
    pub id: String,
    pub name: String,
    pub dept: usize,
    pub title: Title,
    /// Highest antibiotic tier granted; `None` = no antibiotic prescribing right.
    pub abx: Option<AbxLevel>,
    /// 麻精药品处方权.
    pub controlled: bool,
    /// Workload relative to the department norm.
    pub activity: f64,
    /// Personal habits over the drugs the doctor may prescribe (non-herbal).
    pub pool: Pool,
    /// 中药饮片 habits (empty outside departments that write herbal prescriptions).
    pub herbal: Pool,
}

impl Doctor {
    /// Whether the roster lets this doctor prescribe `d` at all.
    pub fn may_prescribe(&self, d: &Drug) -> bool {
        d.abx.is_none_or(|lvl| self.abx.is_some_and(|g| lvl <= g)) && (d.controlled.is_none() || self.controlled)
    }
}

pub struct Hospital {
    pub code: String,
    pub seed: u64,
    pub period: Period,
    pub visits_per_doctor_day: f64,
    pub depts: Vec<Dept>,
    pub doctors: Vec<Doctor>,
    pub drugs: Vec<Drug>,
    pub suspensions: Vec<Suspension>,
    pub staff: Vec<Staff>,
    pub reps: Vec<Rep>,
    pub cal: Calibration,
}

impl Hospital {
    pub fn build(code: &str, seed: u64, n_doctors: usize, period: Period, visits_per_doctor_day: f64) -> Hospital {
        let mut rng = rng::stream(seed, "hospital", 0);
        let drugs = build_drugs(&mut rng);
        let mut depts: Vec<Dept> = DEPTS.iter().map(|spec| dept(&mut rng, spec, &drugs)).collect();
        let doctors = build_doctors(&mut rng, n_doctors, &mut depts, &drugs);
        let suspensions = build_suspensions(&mut rng, &drugs, &suspension_candidates(&depts, &drugs), period.days);
        let staff = people::staff(&mut rng, &doctors);
        let reps = people::reps(&mut rng, &depts, &drugs);
        let mut h = Hospital {
            code: code.to_string(),
            seed,
            period,
            visits_per_doctor_day,
            depts,
            doctors,
            drugs,
            suspensions,
            staff,
            reps,
            cal: Calibration::default(),
        };
        h.cal = Calibration::measure(&h);
        h
    }

    /// The 停用/限用 decision in force for `drug` on `day`, if any.
    pub fn suspension(&self, drug: usize, day: u32) -> Option<&Suspension> {
        self.suspensions.iter().find(|s| s.drug == drug && s.covers(day))
    }
}

fn dept(rng: &mut Pcg64, spec: &'static DeptSpec, drugs: &[Drug]) -> Dept {
    let (share, material, inpatient) = match spec.kind {
        DeptKind::Internal => (rng.gen_range(0.32..0.42), rng.gen_range(8.0..12.0), 0.06),
        DeptKind::Surgical => (rng.gen_range(0.25..0.32), rng.gen_range(13.0..17.0), 0.15),
        DeptKind::Pediatric => (rng.gen_range(0.28..0.36), rng.gen_range(8.0..11.0), 0.04),
        DeptKind::Emergency => (rng.gen_range(0.26..0.33), rng.gen_range(10.0..14.0), 0.0),
        DeptKind::Tcm => (rng.gen_range(0.25..0.30), rng.gen_range(8.0..10.0), 0.0),
        DeptKind::Oncology => (rng.gen_range(0.36..0.42), rng.gen_range(9.0..13.0), 0.2),
    };
    Dept {
        spec,
        drug_share: share,
        material,
        inpatient_rate: inpatient,
        formulary: formulary(rng, spec, drugs),
        doctors: Vec::new(),
    }
}

/// Zipf-like popularity inside each class the department uses, scaled by the class weight:
/// a few workhorse drugs per class and a long tail.
fn formulary(rng: &mut Pcg64, spec: &DeptSpec, drugs: &[Drug]) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    for &(class, w) in spec.classes {
        let mut members: Vec<usize> = (0..drugs.len()).filter(|&i| drugs[i].class == class).collect();
        members.shuffle(rng);
        let norm: f64 = (1..=members.len()).map(|r| 1.0 / r as f64).sum();
        for (rank, &d) in members.iter().enumerate() {
            out.push((d, w / (rank as f64 + 1.0) / norm));
        }
    }
    out
}

/// Head counts by department size (each department staffed first while doctors last),
/// then titles, grants and habits.
fn build_doctors(rng: &mut Pcg64, n: usize, depts: &mut [Dept], drugs: &[Drug]) -> Vec<Doctor> {
    let mut counts = vec![0usize; depts.len()];
    for c in counts.iter_mut().take(n) {
        *c = 1;
    }
    let sizes: Vec<f64> = depts.iter().map(|d| d.spec.size).collect();
    for _ in counts.iter().sum::<usize>()..n {
        counts[rng::weighted(rng, &sizes)] += 1;
    }
    let herbs: Vec<usize> = (0..drugs.len()).filter(|&i| drugs[i].herbal()).collect();
    let herb_base = {
        let mut order = herbs.clone();
        order.shuffle(rng);
        order.into_iter().enumerate().map(|(r, d)| (d, 1.0 / (r as f64 + 1.0).sqrt())).collect::<Vec<_>>()
    };
    let mut doctors = Vec::with_capacity(n);
    for (di, &count) in counts.iter().enumerate() {
        for _ in 0..count {
            let idx = doctors.len();
            let title = match rng.gen::<f64>() {
                x if x < 0.35 => Title::Resident,
                x if x < 0.70 => Title::Attending,
                x if x < 0.90 => Title::AssociateChief,
                _ => Title::Chief,
            };
            let abx = grant(rng, title);
            let controlled = rng.gen::<f64>()
                < match title {
                    Title::Resident => 0.15,
                    Title::Attending => 0.35,
                    Title::AssociateChief => 0.7,
                    Title::Chief => 0.8,
                };
            let mut doc = Doctor {
                id: format!("D{:04}", idx + 1),
                name: people::person_name(rng),
                dept: di,
                title,
                abx,
                controlled,
                activity: rng.gen_range(0.7..1.3),
                pool: Pool::default(),
                herbal: Pool::default(),
            };
            // Habits: the department's popularity perturbed per doctor (σ 0.3 keeps peers
            // alike enough that a planted outlier would stand out).
            let form = &depts[di].formulary;
            doc.pool = Pool::new(
                form.iter()
                    .filter(|(d, _)| doc.may_prescribe(&drugs[*d]))
                    .map(|&(d, w)| (d, w * rng::noise(rng, 0.3)))
                    .collect::<Vec<_>>(),
            );
            if depts[di].spec.herbal_rate > 0.0 {
                doc.herbal =
                    Pool::new(herb_base.iter().map(|&(d, w)| (d, w * rng::noise(rng, 0.3))).collect::<Vec<_>>());
            }
            depts[di].doctors.push(idx);
            doctors.push(doc);
        }
    }
    doctors
}

/// The title's usual tier, one tier lower for about one doctor in ten (not yet trained or
/// examined for it, or the right suspended).
fn grant(rng: &mut Pcg64, title: Title) -> Option<AbxLevel> {
    let usual = AbxLevel::of_title(title);
    if rng.gen::<f64>() >= 0.1 {
        return Some(usual);
    }
    match usual {
        AbxLevel::Special => Some(AbxLevel::Restricted),
        AbxLevel::Restricted => Some(AbxLevel::Unrestricted),
        AbxLevel::Unrestricted => None,
    }
}

/// Oral non-antibiotic, non-controlled drugs in use, 重点监控 first, then by use: what a
/// pharmacy committee would stop or restrict.
fn suspension_candidates(depts: &[Dept], drugs: &[Drug]) -> Vec<usize> {
    let mut use_weight = vec![0.0; drugs.len()];
    for d in depts {
        for &(drug, w) in &d.formulary {
            use_weight[drug] += w;
        }
    }
    let mut c: Vec<usize> = (0..drugs.len())
        .filter(|&i| {
            let d = &drugs[i];
            use_weight[i] > 0.01 && !d.herbal() && !d.injection && d.abx.is_none() && d.controlled.is_none()
        })
        .collect();
    c.sort_by(|&a, &b| {
        (drugs[b].key_monitored, use_weight[b])
            .partial_cmp(&(drugs[a].key_monitored, use_weight[a]))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    c
}
