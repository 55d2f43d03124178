//! Prescription plants: 停用/限用 drugs in their period, antibiotics above the grant, 麻精
//! without the privilege, and 大处方 by drug count and by days — each with near misses that
//! sit exactly on the legal side of the rule.

use rand::Rng;

use super::super::catalog::{AbxLevel, SuspendAction};
use super::super::hospital::Doctor;
use super::super::names::DeptKind;
use super::super::prescribe::{draw_drugs, line, quantity, Habit, LineDraft, VisitType};
use super::{PlantCtx, PlantedVisit, Truth, FIRST_DAY};
use crate::gen::names::LONG_SUPPLY_REASONS;

fn truth(cx: &PlantCtx, kind: &str, doctor: usize, drug: Option<usize>, note: String) -> Truth {
    let doc = &cx.h.doctors[doctor];
    Truth {
        kind: kind.to_string(),
        doctor: Some(doc.id.clone()),
        drug: drug.map(|d| cx.h.drugs[d].code.clone()),
        dept: Some(cx.h.depts[doc.dept].spec.code.to_string()),
        note,
        ..Truth::default()
    }
}

/// A random doctor satisfying `pred`.
fn doctor_where(cx: &mut PlantCtx, pred: impl Fn(&Doctor) -> bool) -> Option<usize> {
    let c: Vec<usize> = (0..cx.h.doctors.len()).filter(|&i| pred(&cx.h.doctors[i])).collect();
    cx.pick(&c)
}

/// A random doctor satisfying `pred` who would see a `vt` patient: emergency visits by the
/// emergency department, clinics and wards by the others (any department as a fallback).
fn doctor_for(cx: &mut PlantCtx, vt: VisitType, pred: impl Fn(&Doctor) -> bool) -> Option<usize> {
    let h = cx.h;
    let suits = |d: &Doctor| (h.depts[d.dept].spec.kind == DeptKind::Emergency) == (vt == VisitType::Emergency);
    doctor_where(cx, |d| pred(d) && suits(d)).or_else(|| doctor_where(cx, &pred))
}

/// Injects a visit with `forced` lines and 0–2 ordinary ones besides.
fn inject(cx: &mut PlantCtx, day: u32, doctor: usize, vt: VisitType, forced: Vec<LineDraft>, t: Truth) {
    let filler = cx.rng.gen_range(0..=2);
    inject_exact(cx, day, doctor, vt, forced, filler, t);
}

fn inject_exact(
    cx: &mut PlantCtx,
    day: u32,
    doctor: usize,
    vt: VisitType,
    forced: Vec<LineDraft>,
    filler: usize,
    t: Truth,
) {
    let time = cx.clinic_time();
    cx.visit(PlantedVisit { day, time, doctor, vt, forced, filler, truth: 0 }, t);
}

/// A line of `drug` with ordinary days for the visit type.
fn normal_line(cx: &mut PlantCtx, drug: usize, vt: VisitType) -> LineDraft {
    line(&cx.h.drugs[drug], drug, vt, false, &mut cx.rng)
}

/// A line of `drug` with exactly `days` of supply.
fn days_line(cx: &mut PlantCtx, drug: usize, days: u32, long_term: bool, reason: Option<&'static str>) -> LineDraft {
    LineDraft { drug, qty: quantity(&cx.h.drugs[drug], days, &mut cx.rng), days, long_term, reason }
}

/// An outpatient doctor who normally uses `drug`, or failing that anyone allowed to.
fn prescriber_of(cx: &mut PlantCtx, drug: usize) -> Option<usize> {
    let d = &cx.h.drugs[drug];
    doctor_for(cx, VisitType::Outpatient, |doc| doc.pool.contains(drug))
        .or_else(|| doctor_for(cx, VisitType::Outpatient, |doc| doc.may_prescribe(d)))
}

pub fn suspended(cx: &mut PlantCtx) {
    by_action(cx, SuspendAction::Suspend, "suspended_drug", "停用");
}

pub fn restricted(cx: &mut PlantCtx) {
    by_action(cx, SuspendAction::Restrict, "restricted_drug", "限用");
}

/// For each decision: uses inside the period, and near misses the day before it starts and
/// the day after it ends.
fn by_action(cx: &mut PlantCtx, action: SuspendAction, kind: &str, zh: &str) {
    let days = cx.h.period.days;
    let decisions: Vec<_> = cx.h.suspensions.iter().filter(|s| s.action == action).cloned().collect();
    for s in decisions {
        let first = s.from.max(FIRST_DAY);
        let last = s.until.unwrap_or(days - 1).min(days - 1);
        let name = cx.h.drugs[s.drug].name.clone();
        let period = format!(
            "{}至{}",
            cx.h.period.date(s.from),
            s.until.map_or("今".to_string(), |u| cx.h.period.date(u).to_string())
        );
        let Some(doctor) = prescriber_of(cx, s.drug) else { continue };
        if first <= last {
            for _ in 0..cx.rng.gen_range(1..=2) {
                let day = cx.rng.gen_range(first..=last);
                let l = normal_line(cx, s.drug, VisitType::Outpatient);
                let t = truth(cx, kind, doctor, Some(s.drug), format!("{zh}期间（{period}）开具{name}"));
                inject(cx, day, doctor, VisitType::Outpatient, vec![l], t);
            }
        }
        let near = format!("near_miss:{kind}");
        let mut edges = Vec::new();
        if s.from > FIRST_DAY {
            edges.push((s.from - 1, "前一天"));
        }
        if let Some(u) = s.until.filter(|u| u + 1 < days) {
            edges.push((u + 1, "后一天"));
        }
        for (day, when) in edges {
            let l = normal_line(cx, s.drug, VisitType::Outpatient);
            let t = truth(cx, &near, doctor, Some(s.drug), format!("{name}在{zh}期（{period}）{when}开具，不违规"));
            inject(cx, day, doctor, VisitType::Outpatient, vec![l], t);
        }
    }
}

/// Visit type that suits a drug: 特殊使用级 and injections on the ward.
fn vt_for(cx: &PlantCtx, drug: usize) -> VisitType {
    let d = &cx.h.drugs[drug];
    if d.injection || d.abx == Some(AbxLevel::Special) {
        VisitType::Inpatient
    } else {
        VisitType::Outpatient
    }
}

pub fn antibiotic(cx: &mut PlantCtx) {
    let abx: Vec<usize> = (0..cx.h.drugs.len()).filter(|&i| cx.h.drugs[i].abx.is_some()).collect();
    for i in 0..4 {
        // Half the cases by doctors granted less than their title suggests — the realistic
        // slip: a senior's habits, a junior's grant.
        let lowered = |d: &Doctor| d.abx < Some(crate::rules::catalog::AbxLevel::of_title(d.title));
        let outpatient = VisitType::Outpatient;
        let doctor = if i % 2 == 0 { doctor_for(cx, outpatient, lowered) } else { None }
            .or_else(|| doctor_for(cx, outpatient, |d| d.abx < Some(AbxLevel::Special)));
        let Some(doctor) = doctor else { return };
        let grant = cx.h.doctors[doctor].abx;
        let above: Vec<usize> = abx.iter().copied().filter(|&d| cx.h.drugs[d].abx > grant).collect();
        let Some(drug) = cx.pick(&above) else { continue };
        let vt = vt_for(cx, drug);
        let day = cx.day(true);
        let d = &cx.h.drugs[drug];
        let note = format!(
            "抗菌药物授权{}，开具{}抗菌药物{}",
            grant.map_or("无", AbxLevel::zh),
            d.abx.map_or("", AbxLevel::zh),
            d.name
        );
        let l = normal_line(cx, drug, vt);
        let t = truth(cx, "antibiotic_privilege", doctor, Some(drug), note);
        inject(cx, day, doctor, vt, vec![l], t);
    }
    // Near misses: the level exactly equal to the grant.
    for level in [AbxLevel::Unrestricted, AbxLevel::Restricted] {
        let Some(doctor) = doctor_for(cx, VisitType::Outpatient, |d| d.abx == Some(level)) else { continue };
        let same: Vec<usize> = abx.iter().copied().filter(|&d| cx.h.drugs[d].abx == Some(level)).collect();
        let Some(drug) = cx.pick(&same) else { continue };
        let vt = vt_for(cx, drug);
        let day = cx.day(true);
        let l = normal_line(cx, drug, vt);
        let note = format!("抗菌药物授权{0}，开具{0}的{1}，不违规", level.zh(), cx.h.drugs[drug].name);
        let t = truth(cx, "near_miss:antibiotic_privilege", doctor, Some(drug), note);
        inject(cx, day, doctor, vt, vec![l], t);
    }
}

pub fn controlled(cx: &mut PlantCtx) {
    let ctl: Vec<usize> = (0..cx.h.drugs.len()).filter(|&i| cx.h.drugs[i].controlled.is_some()).collect();
    for (i, privileged) in [false, false, false, true, true].into_iter().enumerate() {
        let Some(doctor) = doctor_for(cx, VisitType::Outpatient, |d| d.controlled == privileged) else { continue };
        let Some(drug) = cx.pick(&ctl) else { return };
        let day = cx.day(i % 2 == 0);
        let l = normal_line(cx, drug, VisitType::Outpatient);
        let d = &cx.h.drugs[drug];
        let class = d.controlled.map_or("", |c| c.zh());
        let (kind, note) = if privileged {
            ("near_miss:controlled_privilege", format!("有麻精处方权的医生开具{class}{}，不违规", d.name))
        } else {
            ("controlled_privilege", format!("无麻精处方权开具{class}{}", d.name))
        };
        let t = truth(cx, kind, doctor, Some(drug), note);
        inject(cx, day, doctor, VisitType::Outpatient, vec![l], t);
    }
}

/// `n` distinct ordinary drugs the doctor would write on a `vt` prescription on `day`, or
/// None when the doctor's habits are too narrow.
fn ordinary_lines(cx: &mut PlantCtx, doctor: usize, vt: VisitType, day: u32, n: usize) -> Option<Vec<LineDraft>> {
    let doc = &cx.h.doctors[doctor];
    let drugs = draw_drugs(cx.h, Habit::base(doc), vt, day, n, &[], &mut cx.rng);
    (drugs.len() == n).then(|| drugs.into_iter().map(|d| line(&cx.h.drugs[d], d, vt, false, &mut cx.rng)).collect())
}

/// Some doctor and `n` ordinary lines, trying a few doctors.
fn many_lines(cx: &mut PlantCtx, vt: VisitType, day: u32, n: usize) -> Option<(usize, Vec<LineDraft>)> {
    for _ in 0..20 {
        let doctor = doctor_for(cx, vt, |d| d.pool.items.len() >= n * 2)?;
        if let Some(lines) = ordinary_lines(cx, doctor, vt, day, n) {
            return Some((doctor, lines));
        }
    }
    None
}

pub fn large_lines(cx: &mut PlantCtx) {
    let cases = [
        (VisitType::Outpatient, 6, 0),
        (VisitType::Outpatient, 7, 0),
        (VisitType::Emergency, 6, 0),
        (VisitType::Outpatient, 5, 0),
        (VisitType::Outpatient, 5, 4),
    ];
    for (vt, n, herbs) in cases {
        let day = cx.day(true);
        let Some((doctor, mut lines)) = many_lines(cx, vt, day, n) else { continue };
        let herbal: Vec<usize> = (0..cx.h.drugs.len()).filter(|&i| cx.h.drugs[i].herbal()).collect();
        for _ in 0..herbs {
            if let Some(h) = cx.pick(&herbal).filter(|h| !lines.iter().any(|l| l.drug == *h)) {
                let tie = 7;
                lines.push(days_line(cx, h, tie, false, None));
            }
        }
        let (kind, note) = if n > 5 {
            ("large_rx", format!("{}处方开具{n}种药品（上限5种）", vt_zh(vt)))
        } else {
            (
                "near_miss:large_rx",
                format!("{}处方恰好5种药品{}，不违规", vt_zh(vt), if herbs > 0 { "另加中药饮片" } else { "" }),
            )
        };
        let t = truth(cx, kind, doctor, None, note);
        inject_exact(cx, day, doctor, vt, lines, 0, t);
    }
}

fn vt_zh(vt: VisitType) -> &'static str {
    match vt {
        VisitType::Outpatient => "门诊",
        VisitType::Emergency => "急诊",
        VisitType::Inpatient => "住院",
    }
}

/// A doctor and an oral, non-controlled drug they use, for days-of-supply cases; for
/// 长期处方, a chronic-disease department and drug.
fn oral_drug(cx: &mut PlantCtx, vt: VisitType, chronic_only: bool) -> Option<(usize, usize)> {
    let h = cx.h;
    let chronic_dept = |d: &Doctor| h.depts[d.dept].spec.classes.iter().any(|&(c, w)| c.chronic() && w > 0.3);
    for _ in 0..50 {
        let doctor = doctor_for(cx, vt, |d| !chronic_only || chronic_dept(d))?;
        let Some(drug) = cx.h.doctors[doctor].pool.sample(&mut cx.rng) else { continue };
        let d = &cx.h.drugs[drug];
        let ok = !d.injection
            && d.controlled.is_none()
            && d.abx.is_none()
            && cx.h.suspensions.iter().all(|s| s.drug != drug);
        if ok && (!chronic_only || super::super::prescribe::chronic_drug(cx.h, drug)) {
            return Some((doctor, drug));
        }
    }
    None
}

pub fn large_days(cx: &mut PlantCtx) {
    // (visit type, days, long_term, with reason, violation?)
    let cases: [(VisitType, u32, bool, bool, bool); 7] = [
        (VisitType::Outpatient, 14, false, false, true),
        (VisitType::Outpatient, 30, false, false, true),
        (VisitType::Emergency, 5, false, false, true),
        (VisitType::Outpatient, 7, false, false, false),
        (VisitType::Outpatient, 60, true, false, false),
        (VisitType::Outpatient, 14, false, true, false),
        (VisitType::Inpatient, 10, false, false, false),
    ];
    for (vt, days, long_term, with_reason, violation) in cases {
        let Some((doctor, drug)) = oral_drug(cx, vt, long_term) else { continue };
        let day = cx.day(true);
        let reason = with_reason.then(|| LONG_SUPPLY_REASONS[cx.rng.gen_range(0..LONG_SUPPLY_REASONS.len())]);
        let l = days_line(cx, drug, days, long_term, reason);
        let name = cx.h.drugs[drug].name.clone();
        let limit = if vt == VisitType::Emergency { 3 } else { 7 };
        let (kind, note) = if violation {
            ("large_rx", format!("{}处方{name}用药{days}天，超过{limit}天且无理由", vt_zh(vt)))
        } else {
            let why = match (vt, long_term, with_reason) {
                (VisitType::Inpatient, ..) => "住院医嘱不受门诊天数限制",
                (_, true, _) => "长期处方（≤12周）",
                (_, _, true) => "已注明超量理由",
                _ => "恰在上限",
            };
            ("near_miss:large_rx", format!("{}处方{name}用药{days}天，{why}，不违规", vt_zh(vt)))
        };
        let t = truth(cx, kind, doctor, Some(drug), note);
        inject(cx, day, doctor, vt, vec![l], t);
    }
}
