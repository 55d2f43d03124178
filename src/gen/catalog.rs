//! The drug dictionary (药品字典) and the committee's 停用/限用 list.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_pcg::Pcg64;

use super::names::{self, Class, ANTIBIOTICS, BRANDED_TWINS, CONTROLLED, DRUGS, E, HERBS, HERB_MAKERS, I, K, V};
use super::record::Fen;

pub use crate::rules::catalog::{AbxLevel, Controlled};

/// Catalog tier number (1/2/3, as HIS dictionaries store 抗生素等级) to level.
fn abx_from_tier(t: u8) -> AbxLevel {
    match t {
        1 => AbxLevel::Unrestricted,
        2 => AbxLevel::Restricted,
        _ => AbxLevel::Special,
    }
}

/// Which revenue category a drug is billed under (western, 中成药, 中药饮片).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DrugKind {
    Western,
    Patent,
    Herbal,
}

#[derive(Clone, Debug)]
pub struct Drug {
    pub code: String,
    pub name: String,
    pub manufacturer: &'static str,
    /// Per dispensing unit: a box, an ampoule, or a gram of 饮片.
    pub price: Fen,
    pub essential: bool,
    pub vbp: bool,
    pub key_monitored: bool,
    pub abx: Option<AbxLevel>,
    pub controlled: Option<Controlled>,
    pub class: Class,
    pub kind: DrugKind,
    pub injection: bool,
    /// Days one unit lasts at the usual dose (oral forms).
    pub pack_days: u32,
}

impl Drug {
    pub fn herbal(&self) -> bool {
        self.kind == DrugKind::Herbal
    }
}

/// Builds the dictionary from the vocabulary: every name once, a few popular generics
/// twice (the tender winner and the dearer original brand), 饮片 last.
pub fn build_drugs(rng: &mut Pcg64) -> Vec<Drug> {
    let mut makers: Vec<&'static str> = names::MANUFACTURERS.to_vec();
    makers.shuffle(rng);
    let mut out = Vec::new();
    let mut push = |rng: &mut Pcg64, class, name: &str, flags: u8, abx, controlled| {
        let maker = makers[rng.gen_range(0..makers.len())];
        out.push(drug(rng, class, name, flags, abx, controlled, maker));
        if BRANDED_TWINS.contains(&name) {
            let other = makers.iter().copied().find(|m| *m != maker).unwrap_or(maker);
            let mut brand = drug(rng, class, name, flags & !(V | E), abx, controlled, other);
            brand.price = Fen(brand.price.0 * rng.gen_range(2..=5));
            out.push(brand);
        }
    };
    for &(class, name, flags) in DRUGS {
        push(rng, class, name, flags, None, None);
    }
    for &(name, flags, tier) in ANTIBIOTICS {
        push(rng, Class::Abx, name, flags, Some(abx_from_tier(tier)), None);
    }
    for &(class, name, flags, kind) in CONTROLLED {
        let c = [Controlled::Narcotic, Controlled::Psychotropic1, Controlled::Psychotropic2][kind as usize];
        push(rng, class, name, flags, None, Some(c));
    }
    for name in HERBS {
        let maker = HERB_MAKERS[rng.gen_range(0..HERB_MAKERS.len())];
        out.push(drug(rng, Class::Herbal, name, 0, None, None, maker));
    }
    for (i, d) in out.iter_mut().enumerate() {
        d.code = format!("Y{:04}", i + 1);
    }
    out
}

pub fn drug(
    rng: &mut Pcg64,
    class: Class,
    name: &str,
    flags: u8,
    abx: Option<AbxLevel>,
    controlled: Option<Controlled>,
    manufacturer: &'static str,
) -> Drug {
    let injection = flags & I != 0;
    let kind = match class {
        Class::Herbal => DrugKind::Herbal,
        Class::Patent => DrugKind::Patent,
        // Pediatric granules and oral liquids that are 中成药.
        Class::Peds if name.contains("颗粒") && !name.contains("氨酚") || name.contains("口服液") => {
            DrugKind::Patent
        }
        _ => DrugKind::Western,
    };
    let (lo, hi) = price_range(class, injection, flags & V != 0, abx);
    // Log-uniform: prices in a class span an order of magnitude.
    let yuan = (lo.ln() + rng.gen::<f64>() * (hi.ln() - lo.ln())).exp();
    let pack_days =
        if injection || class == Class::Herbal { 1 } else { *[7, 7, 10, 14, 14, 28].choose(rng).unwrap_or(&7) };
    Drug {
        code: String::new(),
        name: name.to_string(),
        manufacturer,
        price: Fen::from_yuan(yuan),
        essential: flags & E != 0,
        vbp: flags & V != 0,
        key_monitored: flags & K != 0,
        abx,
        controlled,
        class,
        kind,
        injection,
        pack_days,
    }
}

/// Yuan per unit, low and high.
fn price_range(class: Class, injection: bool, vbp: bool, abx: Option<AbxLevel>) -> (f64, f64) {
    let base = match (class, injection) {
        (Class::Herbal, _) => (0.02, 0.5),
        (Class::Onco, false) => (150.0, 1800.0),
        (Class::Onco, true) => (60.0, 600.0),
        (Class::Abx, true) => match abx {
            Some(AbxLevel::Special) => (80.0, 400.0),
            _ => (12.0, 90.0),
        },
        (Class::Abx, false) => (6.0, 60.0),
        (Class::Patent, false) => (15.0, 65.0),
        (_, true) => (8.0, 160.0),
        (Class::Narcotic, false) => (20.0, 120.0),
        _ => (6.0, 90.0),
    };
    if vbp {
        // 集采中选: prices cut by half or more.
        (base.0 * 0.3, base.1 * 0.4)
    } else {
        base
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SuspendAction {
    Suspend,
    Restrict,
}

impl SuspendAction {
    pub fn as_str(self) -> &'static str {
        match self {
            SuspendAction::Suspend => "suspend",
            SuspendAction::Restrict => "restrict",
        }
    }
}

/// A 停用/限用 decision; days are indices into the generated period.
#[derive(Clone, Debug)]
pub struct Suspension {
    pub drug: usize,
    pub from: u32,
    /// Inclusive; `None` = open-ended.
    pub until: Option<u32>,
    pub action: SuspendAction,
    pub reason: &'static str,
}

impl Suspension {
    pub fn covers(&self, day: u32) -> bool {
        day >= self.from && self.until.is_none_or(|u| day <= u)
    }
}

const SUSPEND_REASONS: &[&str] =
    &["重点监控品种超常使用，药事会决定暂停", "用量连续三月排名前十且无合理解释", "供货企业违规营销，暂停采购"];
const RESTRICT_REASONS: &[&str] = &["限住院重症患者使用", "限副主任医师以上处方，需注明理由"];

/// Two or three suspensions and one or two restrictions, on widely used non-herbal drugs
/// (`candidates`, most used first), starting between 30% and 55% into the period so that
/// the same drug is prescribed normally before and, for the bounded ones, after.
pub fn build_suspensions(rng: &mut Pcg64, drugs: &[Drug], candidates: &[usize], days: u32) -> Vec<Suspension> {
    let n_suspend = rng.gen_range(2..=3usize);
    let n_restrict = rng.gen_range(1..=2usize);
    // One decision per generic name: the tender winner and the brand are not both stopped.
    let mut names: Vec<&str> = Vec::new();
    let mut picks: Vec<usize> = Vec::new();
    for &c in candidates {
        if !names.contains(&drugs[c].name.as_str()) {
            names.push(&drugs[c].name);
            picks.push(c);
        }
        if picks.len() == n_suspend + n_restrict + 6 {
            break;
        }
    }
    picks.shuffle(rng);
    let mut out = Vec::new();
    for (i, &drug) in picks.iter().take(n_suspend + n_restrict).enumerate() {
        let action = if i < n_suspend { SuspendAction::Suspend } else { SuspendAction::Restrict };
        let from = ((days as f64 * rng.gen_range(0.30..0.55)) as u32).max(8);
        // Every other decision is lifted after a while; the rest stay in force.
        let until = (i % 2 == 0).then(|| from + (days / 8).max(3) + rng.gen_range(0..=3)).filter(|u| u + 1 < days);
        let reasons = if action == SuspendAction::Suspend { SUSPEND_REASONS } else { RESTRICT_REASONS };
        out.push(Suspension { drug, from, until, action, reason: reasons[rng.gen_range(0..reasons.len())] });
    }
    out
}
