//! What goes on a prescription: which drugs a doctor picks, for how many days, in what
//! quantity. The normal generator stays inside every rule the detectors check (停用/限用
//! dates, antibiotic tiers, 麻精 privilege, ≤5 drugs, ≤7/3 days unless long-term or
//! reasoned); only plants step outside.

use rand::Rng;
use rand_pcg::Pcg64;

use super::catalog::{AbxLevel, Drug};
use super::hospital::{Doctor, Hospital};
use super::names::{Class, LONG_SUPPLY_REASONS};
use super::rng::Pool;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum VisitType {
    Outpatient,
    Emergency,
    Inpatient,
}

impl VisitType {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitType::Outpatient => "outpatient",
            VisitType::Emergency => "emergency",
            VisitType::Inpatient => "inpatient",
        }
    }

    pub const ALL: [VisitType; 3] = [VisitType::Outpatient, VisitType::Emergency, VisitType::Inpatient];

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One line before it becomes an `rx` event.
#[derive(Clone, Debug)]
pub struct LineDraft {
    pub drug: usize,
    pub qty: u32,
    pub days: u32,
    pub long_term: bool,
    pub reason: Option<&'static str>,
}

/// Whether the normal generator may put `drug` on a `vt` prescription on `day`: not
/// suspended or restricted then, 特殊使用级 only for inpatients, injections mostly on wards
/// and in emergency.
fn fits(h: &Hospital, drug: usize, vt: VisitType, day: u32, rng: &mut Pcg64) -> bool {
    let d = &h.drugs[drug];
    if h.suspension(drug, day).is_some() {
        return false;
    }
    if d.abx == Some(AbxLevel::Special) && vt != VisitType::Inpatient {
        return false;
    }
    if d.injection {
        let keep = match vt {
            VisitType::Inpatient => 1.0,
            VisitType::Emergency => 0.6,
            VisitType::Outpatient => 0.08,
        };
        return rng.gen::<f64>() < keep;
    }
    true
}

/// What a doctor prescribes from on a given day: the habit pool in force (the roster's, or
/// one a plant bent) and the hospital's brand → generic switches in force (a line that
/// would have been the brand is the generic).
#[derive(Copy, Clone)]
pub struct Habit<'a> {
    pub pool: &'a Pool,
    pub swaps: &'a [(usize, usize)],
}

impl<'a> Habit<'a> {
    /// The doctor's own habits, untouched by any plant.
    pub fn base(doc: &'a Doctor) -> Habit<'a> {
        Habit { pool: &doc.pool, swaps: &[] }
    }

    fn sample(&self, rng: &mut Pcg64) -> Option<usize> {
        let d = self.pool.sample(rng)?;
        Some(self.swaps.iter().find(|s| s.0 == d).map_or(d, |s| s.1))
    }
}

/// Up to `n` distinct drugs from the doctor's habits that fit the visit, none of `exclude`.
pub fn draw_drugs(
    h: &Hospital,
    habit: Habit,
    vt: VisitType,
    day: u32,
    n: usize,
    exclude: &[usize],
    rng: &mut Pcg64,
) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(n);
    for _ in 0..n * 12 {
        if out.len() == n {
            break;
        }
        let Some(d) = habit.sample(rng) else { break };
        if !out.contains(&d) && !exclude.contains(&d) && fits(h, d, vt, day, rng) {
            out.push(d);
        }
    }
    out
}

/// Days of supply for a normal line, with the long-term flag and stated reason when the
/// line legitimately runs past the 7-day outpatient limit.
pub fn supply(d: &Drug, vt: VisitType, long_term_visit: bool, rng: &mut Pcg64) -> (u32, bool, Option<&'static str>) {
    match vt {
        VisitType::Emergency => (rng.gen_range(1..=3), false, None),
        VisitType::Inpatient => {
            let x: f64 = rng.gen();
            let days = if x < 0.7 {
                rng.gen_range(1..=3)
            } else if x < 0.95 {
                rng.gen_range(4..=7)
            } else {
                rng.gen_range(8..=14)
            };
            (days, false, None)
        }
        VisitType::Outpatient => {
            if d.controlled.is_some() {
                return (rng.gen_range(1..=3), false, None);
            }
            if long_term_visit && d.class.chronic() && !d.injection {
                return ([28, 56, 84][rng.gen_range(0..3)], true, None);
            }
            if !d.injection && rng.gen::<f64>() < 0.006 {
                let reason = LONG_SUPPLY_REASONS[rng.gen_range(0..LONG_SUPPLY_REASONS.len())];
                return ([10, 14, 21, 30][rng.gen_range(0..4)], false, Some(reason));
            }
            ([3, 5, 7, 7][rng.gen_range(0..4)], false, None)
        }
    }
}

/// Dispensing units for `days` of supply: boxes for oral forms, ampoules per day for
/// injections, grams for 饮片 (`days` is then the number of 帖).
pub fn quantity(d: &Drug, days: u32, rng: &mut Pcg64) -> u32 {
    if d.herbal() {
        rng.gen_range(2..=10) * 3 * days
    } else if d.injection {
        days * rng.gen_range(1..=2)
    } else {
        let boxes = days.div_ceil(d.pack_days.max(1)).max(1);
        if rng.gen::<f64>() < 0.15 {
            boxes * 2
        } else {
            boxes
        }
    }
}

pub fn line(d: &Drug, drug: usize, vt: VisitType, long_term_visit: bool, rng: &mut Pcg64) -> LineDraft {
    let (days, long_term, reason) = supply(d, vt, long_term_visit, rng);
    LineDraft { drug, qty: quantity(d, days, rng), days, long_term, reason }
}

/// Number of drugs on a normal western/中成药 prescription: 1–4 (2–5 on the ward).
pub fn line_count(vt: VisitType, rng: &mut Pcg64) -> usize {
    let base = match rng.gen::<f64>() {
        x if x < 0.35 => 1,
        x if x < 0.65 => 2,
        x if x < 0.87 => 3,
        _ => 4,
    };
    if vt == VisitType::Inpatient {
        base + 1
    } else {
        base
    }
}

/// The lines of a normal visit.
pub fn normal_lines(
    h: &Hospital,
    doc_idx: usize,
    habit: Habit,
    vt: VisitType,
    day: u32,
    rng: &mut Pcg64,
) -> Vec<LineDraft> {
    let doc = &h.doctors[doc_idx];
    let dept = &h.depts[doc.dept];
    if vt == VisitType::Outpatient && !doc.herbal.is_empty() && rng.gen::<f64>() < dept.spec.herbal_rate {
        return herbal_lines(h, doc, habit, day, rng);
    }
    // Stable chronic patients on 长期处方 (up to 12 weeks) in departments that treat them.
    let long_term_visit = vt == VisitType::Outpatient
        && dept.spec.classes.iter().any(|&(c, w)| c.chronic() && w > 0.3)
        && rng.gen::<f64>() < 0.06;
    let n = line_count(vt, rng);
    draw_drugs(h, habit, vt, day, n, &[], rng)
        .into_iter()
        .map(|d| line(&h.drugs[d], d, vt, long_term_visit, rng))
        .collect()
}

/// A 中药饮片 prescription: 8–15 herbs for 5 or 7 帖, with a 中成药 or two. Herbs
/// do not count towards the 5-drug limit.
fn herbal_lines(h: &Hospital, doc: &Doctor, habit: Habit, day: u32, rng: &mut Pcg64) -> Vec<LineDraft> {
    let n = rng.gen_range(8..=15);
    let tie = [5, 7][rng.gen_range(0..2)];
    let mut herbs: Vec<usize> = Vec::with_capacity(n);
    for _ in 0..n * 12 {
        if herbs.len() == n {
            break;
        }
        if let Some(d) = doc.herbal.sample(rng) {
            if !herbs.contains(&d) && h.suspension(d, day).is_none() {
                herbs.push(d);
            }
        }
    }
    let mut lines: Vec<LineDraft> = herbs
        .into_iter()
        .map(|d| LineDraft { drug: d, qty: quantity(&h.drugs[d], tie, rng), days: tie, long_term: false, reason: None })
        .collect();
    let extra = rng.gen_range(1..=2);
    for d in draw_drugs(h, habit, VisitType::Outpatient, day, extra, &[], rng) {
        lines.push(line(&h.drugs[d], d, VisitType::Outpatient, false, rng));
    }
    lines
}

/// Whether a drug of this class is one the doctor's department would write for a
/// long-term patient (plants use it to pick a plausible 长期处方 drug).
pub fn chronic_drug(h: &Hospital, drug: usize) -> bool {
    let d = &h.drugs[drug];
    d.class.chronic() && !d.injection && d.controlled.is_none() && d.class != Class::Abx
}
