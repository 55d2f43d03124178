//! Confounders that move a drug for many doctors at once: a season or epidemic doubling one
//! drug in a whole department for five to seven weeks, and a formulary switch replacing a
//! brand with a new VBP generic for everyone on one day.

use rand::Rng;

use super::super::super::names::{Class, DeptKind};
use super::super::effects::Swap;
use super::super::habit::{HabitMod, Target};
use super::{newdrug, Case, Ctx, MIN_RUN, NEW, NEW_CODE};

/// Classes that follow the seasons (respiratory infections, gastroenteritis).
const SEASONAL: &[Class] = &[Class::Resp, Class::Abx, Class::Peds, Class::Patent, Class::Gi];

/// `confounder:season`: one per 150 doctors, at least one.
pub fn season(cx: &mut Ctx) {
    let h = cx.h;
    for _ in 0..(h.doctors.len() / 150).max(1) {
        let Some(start) = cx.start(28) else { return };
        let end = start + cx.rng.gen_range(35..=49);
        let Some((dept, drug)) = seasonal_drug(cx) else { return };
        let until = if end < h.period.days { end } else { u32::MAX };
        let mods: Vec<HabitMod> = h.depts[dept]
            .doctors
            .iter()
            .filter(|&&doc| h.doctors[doc].pool.contains(drug))
            .map(|&doc| HabitMod { doctor: doc, from: start, until, drugs: vec![drug], target: Target::Times(2.0) })
            .collect();
        let note = format!(
            "季节/流行：{}全科{}用量自{}起翻倍，持续至{}",
            h.depts[dept].spec.name,
            h.drugs[drug].name,
            h.period.date(start),
            if until == u32::MAX { "期末".to_string() } else { h.period.date(until).to_string() }
        );
        let mut truth = cx.truth("confounder:season", None, Some(dept), start, note);
        truth.drug = Some(h.drugs[drug].code.clone());
        truth.end = (until != u32::MAX).then(|| cx.midnight(until));
        cx.take(&[], &[drug], Some(dept));
        cx.add(Case { truth, mods, ..Case::default() });
    }
}

/// A department (of at least 5 doctors, the least used first) and a free drug making 2–6%
/// of its lines: a seasonal class in a clinical department if there is one, else any.
fn seasonal_drug(cx: &mut Ctx) -> Option<(usize, usize)> {
    let h = cx.h;
    let depts = cx.depts(5);
    for strict in [true, false] {
        for &dept in &depts {
            if strict && matches!(h.depts[dept].spec.kind, DeptKind::Tcm | DeptKind::Emergency) {
                continue;
            }
            let c: Vec<usize> = cx
                .dept_norms(dept)
                .into_iter()
                .filter(|&(d, s)| (0.02..=0.06).contains(&s) && cx.free_drug(d))
                .filter(|&(d, _)| !strict || SEASONAL.contains(&h.drugs[d].class))
                .map(|(d, _)| d)
                .collect();
            if !c.is_empty() {
                return Some((dept, c[cx.rng.gen_range(0..c.len())]));
            }
        }
    }
    None
}

/// `confounder:formulary_switch`: one of the most widely used original brands (with a
/// tendered twin) that no other plant touches becomes a new VBP generic for everyone.
pub fn switch(cx: &mut Ctx) {
    let h = cx.h;
    let Some(start) = cx.start(MIN_RUN) else { return };
    let users = |d: usize| h.doctors.iter().filter(|doc| doc.pool.contains(d)).count();
    let mut brands: Vec<(usize, usize, usize)> = (0..h.drugs.len())
        .filter(|&b| !h.drugs[b].vbp && cx.free_drug(b) && h.drugs[b].abx.is_none() && !cx.taken.forced.contains(&b))
        .filter_map(|b| {
            let twin = (0..h.drugs.len()).find(|&w| w != b && h.drugs[w].vbp && h.drugs[w].name == h.drugs[b].name)?;
            Some((b, twin, users(b)))
        })
        .filter(|c| c.2 > 0)
        .collect();
    brands.sort_by_key(|c| std::cmp::Reverse(c.2));
    brands.truncate(3);
    if brands.is_empty() {
        return;
    }
    let (brand, twin, n) = brands[cx.rng.gen_range(0..brands.len())];
    let generic = newdrug::generic_of(cx, brand, twin);
    let note = format!(
        "集采：自{}起全院{}（{}，原研）由{}中选产品替代（{}名医生在用）",
        h.period.date(start),
        h.drugs[brand].name,
        h.drugs[brand].manufacturer,
        generic.manufacturer,
        n
    );
    let mut truth = cx.truth("confounder:formulary_switch", None, None, start, note);
    truth.drug = Some(h.drugs[brand].code.clone());
    truth.replacement = Some(NEW_CODE.to_string());
    cx.take(&[], &[brand], None);
    let swaps = vec![Swap { from: start, brand, generic: NEW }];
    cx.add(Case { truth, new_drug: Some(generic), swaps, ..Case::default() });
}
