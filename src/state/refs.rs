//! Reference data indexed by interned ids: the catalog, roster and 停用/限用 list turned
//! into tables the scoring loop reads by handle instead of by string.

use crate::rules::catalog::{AbxLevel, Controlled, DoctorInfo, DrugInfo, Suspension};
use crate::rules::Catalog;

use super::intern::{DoctorId, DrugId, Handle, ManufacturerId};
use super::Ids;

#[derive(Debug, Default, Clone)]
pub struct Refs {
    drugs: Vec<Option<DrugInfo>>,
    /// What every prescription line asks of its drug, a byte per drug: the
    /// scoring loop reads these (`KNOWN`, `HERBAL`, …) instead of the catalog rows, a cache
    /// miss each.
    flags: Vec<u8>,
    /// Interned catalog manufacturer of each drug.
    drug_manufacturer: Vec<Option<ManufacturerId>>,
    /// Drugs of each interned manufacturer.
    manufacturer_drugs: Vec<Vec<DrugId>>,
    doctors: Vec<Option<DoctorInfo>>,
    suspensions: Vec<Vec<Suspension>>,
    /// Substitutes: the products of each catalog name (通用名 + 剂型) that more than one
    /// manufacturer makes, and each drug's group among them.
    groups: Vec<Vec<DrugId>>,
    /// Index into `groups`.
    group_of: Vec<Option<u32>>,
    /// Median catalog unit price of the drugs other than 饮片 (0 without prices).
    median_price: f64,
}

const KNOWN: u8 = 1;
const HERBAL: u8 = 2;
const ANTIBIOTIC: u8 = 4;
const CONTROLLED: u8 = 8;
const SUSPENDED: u8 = 16;

/// A drug's class in the footprint budget (engine `[footprint]`): kickbacks are paid from a
/// margin, which a 集采中选 or 基本药物 price leaves little of.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RiskClass {
    Vbp,
    Essential,
    /// Outside both lists, priced at least at the catalog's median.
    HighPrice,
    /// Outside both lists, cheaper, or not in the catalog.
    Other,
}

impl RiskClass {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::Vbp => "vbp",
            RiskClass::Essential => "essential",
            RiskClass::HighPrice => "high_price",
            RiskClass::Other => "other",
        }
    }
}

impl Refs {
    /// Interns every catalog id into `ids` and indexes the catalog by handle.
    pub fn build(c: &Catalog, ids: &mut Ids) -> Refs {
        let mut r = Refs::default();
        let mut codes: Vec<&String> = c.drugs.keys().chain(c.suspensions.keys()).collect();
        codes.sort();
        for code in codes {
            let drug = ids.drug.intern(code);
            let id = drug.index();
            grow(&mut r.drugs, id);
            grow(&mut r.suspensions, id);
            r.drugs[id] = c.drugs.get(code).cloned();
            grow(&mut r.drug_manufacturer, id);
            if let Some(m) = c.drugs.get(code).map(|d| d.manufacturer.as_str()).filter(|m| !m.is_empty()) {
                let mid = ids.manufacturer.intern(m);
                r.drug_manufacturer[id] = Some(mid);
                grow(&mut r.manufacturer_drugs, mid.index());
                r.manufacturer_drugs[mid.index()].push(drug);
            }
            r.suspensions[id] = c.suspensions.get(code).cloned().unwrap_or_default();
        }
        r.flags = vec![0; r.drugs.len().max(r.suspensions.len())];
        for (id, f) in r.flags.iter_mut().enumerate() {
            if let Some(Some(d)) = r.drugs.get(id) {
                *f |= KNOWN
                    | if d.herbal { HERBAL } else { 0 }
                    | if d.antibiotic.is_some() { ANTIBIOTIC } else { 0 }
                    | if d.controlled.is_some() { CONTROLLED } else { 0 };
            }
            if r.suspensions.get(id).is_some_and(|s| !s.is_empty()) {
                *f |= SUSPENDED;
            }
        }
        let mut by_name: std::collections::BTreeMap<&str, Vec<DrugId>> = Default::default();
        for (id, d) in r.drugs.iter().enumerate() {
            if let Some(d) = d.as_ref().filter(|d| !d.name.is_empty()) {
                by_name.entry(d.name.as_str()).or_default().push(DrugId::from_raw(id as u32));
            }
        }
        let makers = |g: &Vec<DrugId>| {
            let mut m: Vec<&str> =
                g.iter().filter_map(|&d| r.drugs[d.index()].as_ref()).map(|d| d.manufacturer.as_str()).collect();
            m.sort_unstable();
            m.dedup();
            m.len()
        };
        let groups: Vec<Vec<DrugId>> = by_name.into_values().filter(|g| makers(g) > 1).collect();
        for group in groups {
            for &id in &group {
                grow(&mut r.group_of, id.index());
                r.group_of[id.index()] = Some(r.groups.len() as u32);
            }
            r.groups.push(group);
        }
        let mut prices: Vec<f64> =
            r.drugs.iter().flatten().filter(|d| !d.herbal).filter_map(|d| d.unit_price).filter(|p| *p > 0.0).collect();
        prices.sort_by(f64::total_cmp);
        r.median_price = prices.get(prices.len() / 2).copied().unwrap_or(0.0);
        let mut doctors: Vec<&String> = c.doctors.keys().collect();
        doctors.sort();
        for code in doctors {
            let id = ids.doctor.intern(code).index();
            grow(&mut r.doctors, id);
            r.doctors[id] = c.doctors.get(code).cloned();
        }
        r
    }

    pub fn drug(&self, id: DrugId) -> Option<&DrugInfo> {
        self.drugs.get(id.index()).and_then(Option::as_ref)
    }

    fn flag(&self, drug: DrugId, f: u8) -> bool {
        self.flags.get(drug.index()).is_some_and(|&x| x & f != 0)
    }

    /// Whether the catalog lists the drug.
    pub fn known_drug(&self, drug: DrugId) -> bool {
        self.flag(drug, KNOWN)
    }

    /// Whether the drug is a 中药饮片 in the catalog (an unknown drug is not).
    pub fn herbal(&self, drug: DrugId) -> bool {
        self.flag(drug, HERBAL)
    }

    /// The drug's antibiotic level (抗菌药物分级), when it is one; the catalog row is read
    /// only then.
    pub fn antibiotic(&self, drug: DrugId) -> Option<AbxLevel> {
        self.flag(drug, ANTIBIOTIC).then(|| self.drug(drug).and_then(|d| d.antibiotic)).flatten()
    }

    /// The drug's controlled class (麻醉/精神药品), when it is one.
    pub fn controlled(&self, drug: DrugId) -> Option<Controlled> {
        self.flag(drug, CONTROLLED).then(|| self.drug(drug).and_then(|d| d.controlled)).flatten()
    }

    /// The drug's class in the footprint budget.
    pub fn risk_class(&self, drug: DrugId) -> RiskClass {
        match self.drug(drug) {
            Some(d) if d.vbp => RiskClass::Vbp,
            Some(d) if d.essential => RiskClass::Essential,
            Some(d) if self.median_price > 0.0 && d.unit_price.is_some_and(|p| p >= self.median_price) => {
                RiskClass::HighPrice
            }
            _ => RiskClass::Other,
        }
    }

    pub fn doctor(&self, id: DoctorId) -> Option<&DoctorInfo> {
        self.doctors.get(id.index()).and_then(Option::as_ref)
    }

    pub fn manufacturer(&self, drug: DrugId) -> Option<ManufacturerId> {
        self.drug_manufacturer.get(drug.index()).copied().flatten()
    }

    pub fn manufacturer_drugs(&self, manufacturer: ManufacturerId) -> &[DrugId] {
        self.manufacturer_drugs.get(manufacturer.index()).map_or(&[], Vec::as_slice)
    }

    /// The products sharing `drug`'s catalog name, itself included; empty when no other
    /// manufacturer's product does. A formulary switch moves volume within such a group.
    pub fn substitutes(&self, drug: DrugId) -> &[DrugId] {
        match self.group_of.get(drug.index()) {
            Some(&Some(g)) => &self.groups[g as usize],
            _ => &[],
        }
    }

    pub fn suspensions(&self, drug: DrugId) -> &[Suspension] {
        if !self.flag(drug, SUSPENDED) {
            return &[];
        }
        self.suspensions.get(drug.index()).map_or(&[], Vec::as_slice)
    }
}

fn grow<T: Default>(v: &mut Vec<T>, id: usize) {
    if v.len() <= id {
        v.resize_with(id + 1, T::default);
    }
}
