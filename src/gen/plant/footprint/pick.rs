//! Choosing days, departments, doctors and drugs for footprint cases: spread over
//! departments (the least used first), never a doctor or drug another case uses.

use rand::seq::SliceRandom;
use rand::Rng;

use super::super::super::calendar::ts_string;
use super::super::super::names::DeptKind;
use super::super::habit::line_shares;
use super::super::Truth;
use super::{Case, Ctx, WARM_UP};

impl Ctx<'_> {
    /// A start day in `[WARM_UP, days - len]`, or None when the period is too short.
    pub fn start(&mut self, len: u32) -> Option<u32> {
        let days = self.h.period.days;
        (days >= WARM_UP + len).then(|| self.rng.gen_range(WARM_UP..=days - len))
    }

    /// A workday start (a rep visits on workdays).
    pub fn workday_start(&mut self, len: u32) -> Option<u32> {
        for _ in 0..100 {
            let d = self.start(len)?;
            if self.h.period.is_workday(d) {
                return Some(d);
            }
        }
        None
    }

    /// Local midnight of `day`, RFC 3339.
    pub fn midnight(&self, day: u32) -> String {
        ts_string(self.h.period.day_start(day))
    }

    /// A truth line for `kind` about `doctor` (None: a department or the hospital).
    pub fn truth(&self, kind: &str, doctor: Option<usize>, dept: Option<usize>, start: u32, note: String) -> Truth {
        Truth {
            kind: kind.to_string(),
            doctor: doctor.map(|d| self.h.doctors[d].id.clone()),
            dept: dept.map(|d| self.h.depts[d].spec.code.to_string()),
            start: self.midnight(start),
            note,
            ..Truth::default()
        }
    }

    pub fn add(&mut self, case: Case) {
        self.cases.push(case);
    }

    /// Whether a case may bend `drug`: an ordinary oral drug the committee never stops,
    /// that no other case uses.
    pub fn free_drug(&self, drug: usize) -> bool {
        let d = &self.h.drugs[drug];
        !self.taken.drugs.contains(&drug)
            && !d.herbal()
            && !d.injection
            && d.controlled.is_none()
            && d.abx.is_none_or(|a| a < super::super::super::catalog::AbxLevel::Special)
            && self.h.suspensions.iter().all(|s| s.drug != drug)
    }

    /// Departments with at least `min` doctors, the least used by cases first (ties in
    /// random order), Emergency last (no reps call there and its week has no rhythm).
    pub fn depts(&mut self, min: usize) -> Vec<usize> {
        let h = self.h;
        let mut v: Vec<usize> = (0..h.depts.len()).filter(|&i| h.depts[i].doctors.len() >= min).collect();
        v.shuffle(&mut self.rng);
        v.sort_by_key(|&i| (h.depts[i].spec.kind == DeptKind::Emergency, self.taken.depts[i]));
        v
    }

    /// The department's doctors no case uses yet.
    pub fn free_doctors(&self, dept: usize) -> Vec<usize> {
        self.h.depts[dept].doctors.iter().copied().filter(|d| !self.taken.doctors.contains(d)).collect()
    }

    /// A free doctor of the least used department with at least `min` doctors; `idle`:
    /// none of the per-prescription plants' doctors.
    pub fn doctor(&mut self, min: usize, idle: bool) -> Option<usize> {
        for dept in self.depts(min) {
            let c: Vec<usize> =
                self.free_doctors(dept).into_iter().filter(|d| !idle || !self.taken.busy.contains(d)).collect();
            if !c.is_empty() {
                return Some(c[self.rng.gen_range(0..c.len())]);
            }
        }
        None
    }

    /// A free doctor and a free drug of theirs with a share of lines in `[lo, hi]`, from
    /// the least used department with at least `min` doctors that has one.
    pub fn doctor_drug(&mut self, min: usize, lo: f64, hi: f64) -> Option<(usize, usize, f64)> {
        for dept in self.depts(min) {
            let mut c = Vec::new();
            for doc in self.free_doctors(dept) {
                for (drug, s) in line_shares(self.h, doc) {
                    if (lo..=hi).contains(&s) && self.free_drug(drug) {
                        c.push((doc, drug, s));
                    }
                }
            }
            if !c.is_empty() {
                return Some(c[self.rng.gen_range(0..c.len())]);
            }
        }
        None
    }

    /// The department's mean share of lines of each drug its doctors use (their habits,
    /// averaged), in formulary order.
    pub fn dept_norms(&self, dept: usize) -> Vec<(usize, f64)> {
        let docs = &self.h.depts[dept].doctors;
        let mut sum: Vec<(usize, f64)> = self.h.depts[dept].formulary.iter().map(|&(d, _)| (d, 0.0)).collect();
        for &doc in docs {
            for (drug, s) in line_shares(self.h, doc) {
                if let Some(p) = sum.iter_mut().find(|p| p.0 == drug) {
                    p.1 += s;
                }
            }
        }
        sum.into_iter().map(|(d, s)| (d, s / docs.len().max(1) as f64)).collect()
    }

    /// About how many non-herbal lines the doctor writes in a month.
    pub fn lines_per_month(&self, doc: usize) -> f64 {
        let d = &self.h.doctors[doc];
        let emergency = self.h.depts[d.dept].spec.kind == DeptKind::Emergency;
        // Weekly rhythm: five workdays, a quiet Saturday and Sunday; 5% days off; ~2.1 lines.
        let rhythm = if emergency { 1.0 } else { (5.0 * 1.024 + 0.4 + 0.25) / 7.0 };
        self.h.visits_per_doctor_day * d.activity * 0.95 * rhythm * 30.44 * 2.1
    }

    pub fn take(&mut self, doctors: &[usize], drugs: &[usize], dept: Option<usize>) {
        self.taken.doctors.extend(doctors);
        self.taken.drugs.extend(drugs);
        if let Some(d) = dept {
            self.taken.depts[d] += 1;
        }
    }
}
