//! People other than prescribers: the accounts that show up in the data-access audit log
//! and the registered pharmaceutical representatives (医药代表备案).

use rand::seq::SliceRandom;
use rand::Rng;
use rand_pcg::Pcg64;

use super::catalog::Drug;
use super::hospital::{Dept, Doctor};
use super::names::{DeptKind, AGENT_COMPANIES, GIVEN, SURNAMES, SURNAMES_PINYIN};
use super::rng;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Role {
    Pharmacist,
    Doctor,
    It,
    Finance,
    MedicalAffairs,
    Discipline,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Pharmacist => "pharmacist",
            Role::Doctor => "doctor",
            Role::It => "it",
            Role::Finance => "finance",
            Role::MedicalAffairs => "medical_affairs",
            Role::Discipline => "discipline",
        }
    }
}

/// An account in the audit log.
#[derive(Clone, Debug)]
pub struct Staff {
    pub user: String,
    pub role: Role,
    pub ip: String,
    /// The roster index of a doctor's own account.
    pub doctor: Option<usize>,
}

/// A registered representative: one agent company promoting one manufacturer's products
/// to one department.
#[derive(Clone, Debug)]
pub struct Rep {
    pub id: String,
    pub company: &'static str,
    pub manufacturer: &'static str,
    pub dept: usize,
    pub products: Vec<usize>,
}

pub fn person_name(rng: &mut Pcg64) -> String {
    let s = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let g = GIVEN[rng.gen_range(0..GIVEN.len())];
    format!("{s}{g}")
}

/// Fixed back-office accounts (信息科, 药剂科, 财务科, 医务科, 纪检) plus a dozen doctors'
/// own HIS accounts. Account names are `surname.dept`, the usual hospital convention.
pub fn staff(rng: &mut Pcg64, doctors: &[Doctor]) -> Vec<Staff> {
    let mut surnames: Vec<&str> = SURNAMES_PINYIN.to_vec();
    surnames.shuffle(rng);
    let plan: &[(Role, &str, &str, usize)] = &[
        (Role::It, "it", "10.1.8", 3),
        (Role::Pharmacist, "yj", "10.1.5", 5),
        (Role::Finance, "cw", "10.1.3", 2),
        (Role::MedicalAffairs, "yw", "10.1.2", 2),
        (Role::Discipline, "jj", "10.1.1", 1),
    ];
    let mut names = surnames.into_iter();
    let mut out = Vec::new();
    for &(role, suffix, net, n) in plan {
        for _ in 0..n {
            let surname = names.next().unwrap_or("user");
            out.push(Staff {
                user: format!("{surname}.{suffix}"),
                role,
                ip: format!("{net}.{}", rng.gen_range(10..250)),
                doctor: None,
            });
        }
    }
    for (i, d) in doctors.iter().enumerate().take(12) {
        out.push(Staff {
            user: d.id.to_lowercase(),
            role: Role::Doctor,
            ip: format!("10.2.{}.{}", d.dept + 1, rng.gen_range(10..250)),
            doctor: Some(i),
        });
    }
    out
}

/// About ten representatives, each assigned to a department where their manufacturer's
/// products are in use. Departments without doctors get none.
pub fn reps(rng: &mut Pcg64, depts: &[Dept], drugs: &[Drug]) -> Vec<Rep> {
    let weights: Vec<f64> = depts
        .iter()
        .map(|d| match d.spec.kind {
            DeptKind::Tcm | DeptKind::Emergency => 0.0,
            _ if d.doctors.is_empty() => 0.0,
            _ => d.spec.size,
        })
        .collect();
    if weights.iter().all(|w| *w == 0.0) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in 0..10 {
        let dept = rng::weighted(rng, &weights);
        let form = &depts[dept].formulary;
        let pick = rng::weighted(rng, &form.iter().map(|(_, w)| *w).collect::<Vec<_>>());
        let manufacturer = drugs[form[pick].0].manufacturer;
        let products = form.iter().map(|(d, _)| *d).filter(|&d| drugs[d].manufacturer == manufacturer).collect();
        out.push(Rep {
            id: format!("R{}", 101 + i),
            company: AGENT_COMPANIES[rng.gen_range(0..AGENT_COMPANIES.len())],
            manufacturer,
            dept,
            products,
        });
    }
    out
}
