//! Detectors. Each family reads the event, the state and the reference data through
//! [`Ctx`] and proposes [`Candidate`]s; cooldown and ids are applied later, in one place.
//! Per-event families: `prescription` (停用/限用, 抗菌/麻精 privileges), `large_rx`
//! (大处方), `access` (统方 queries, bulk export; `sql` reads the audited SQL). Windowed, judged at day close: `share`
//! (药占比, 百元材料) and the footprint of kickbacks: `surge`, `peer`, `concentration`,
//! `rep_visit`; at month close: `overuse` (超常预警, 双排序).

pub mod access;
pub mod bulk;
pub mod calib;
pub mod concentration;
pub mod large_rx;
pub mod overuse;
pub mod peer;
pub mod prescription;
pub mod rep_visit;
pub mod share;
pub mod span;
pub mod sql;
pub mod stat;
pub mod surge;

use crate::rules::{Engine, Kind, Rule};
use crate::state::{DoctorId, DrugId, Ids, Refs};

/// Read-only view the detectors share.
pub struct Ctx<'a> {
    pub rules: &'a [Rule],
    pub by_kind: &'a ByKind,
    pub engine: &'a Engine,
    pub refs: &'a Refs,
    pub ids: &'a Ids,
    /// The hospital whose state the detectors are reading.
    pub hospital: &'a str,
}

/// Rule indices grouped by kind, computed once.
#[derive(Debug, Default, Clone)]
pub struct ByKind(Vec<Vec<usize>>);

impl ByKind {
    pub fn new(rules: &[Rule]) -> ByKind {
        let mut v = vec![Vec::new(); Kind::ALL.len()];
        for (i, r) in rules.iter().enumerate() {
            v[r.kind as usize].push(i);
        }
        ByKind(v)
    }

    pub fn get(&self, kind: Kind) -> &[usize] {
        &self.0[kind as usize]
    }
}

impl Ctx<'_> {
    /// The prior weight of a drug in the footprint budget (engine `[footprint]`) and its
    /// class: a p-value is compared with the calibrated threshold times the weight.
    pub fn drug_weight(&self, drug: DrugId) -> (f64, crate::state::refs::RiskClass) {
        use crate::state::refs::RiskClass;
        let f = &self.engine.footprint;
        let class = self.refs.risk_class(drug);
        let w = match class {
            RiskClass::Vbp => f.vbp_weight,
            RiskClass::Essential => f.essential_weight,
            RiskClass::HighPrice => f.high_price_weight,
            RiskClass::Other => 1.0,
        };
        (w, class)
    }

    /// `姓名(工号)` when the roster knows the doctor, else the id.
    pub fn doctor_label(&self, doctor: DoctorId) -> String {
        let code = self.ids.doctor.name(doctor);
        match self.refs.doctor(doctor) {
            Some(d) if !d.name.is_empty() => format!("{}({code})", d.name),
            _ => code.to_owned(),
        }
    }

    /// `通用名(编码)` when the catalog or the event names the drug, else the code.
    pub fn drug_label(&self, drug: DrugId, event_name: Option<&str>) -> String {
        let code = self.ids.drug.name(drug);
        let name = self.refs.drug(drug).map(|d| d.name.as_str()).filter(|n| !n.is_empty()).or(event_name);
        match name {
            Some(n) => format!("{n}({code})"),
            None => code.to_owned(),
        }
    }
}
