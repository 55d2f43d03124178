//! One day of hospital traffic: every doctor's visits (Poisson around the day's rhythm),
//! the planted visits and accesses of the day, the audit log's background and the reps'
//! visits. Each day draws from its own random stream (derived from the seed and the day), so
//! output is deterministic for a seed.

use rand::Rng;
use rand_pcg::Pcg64;

use super::access;
use super::calendar::HOUR;
use super::hospital::Hospital;
use super::names::DeptKind;
use super::plant::Plan;
use super::prescribe::{draw_drugs, line, normal_lines, Habit, VisitType};
use super::record::{Kind, Record, Records, RepVisitBody};
use super::rng;
use super::visit::{emit_visit, Visit};

/// Numbering that runs across days.
#[derive(Debug, Default)]
pub struct Counters {
    pub rx: u64,
    pub outpatient_visit: u64,
    pub admission: u64,
    pub seq: u64,
}

/// Everything one day's generation works with.
pub struct DayCtx<'a> {
    pub h: &'a Hospital,
    pub plan: &'a Plan,
    pub day: u32,
    pub day_start: i64,
    /// Events at or after this local time are not generated (returns of the last days).
    pub period_end: i64,
    pub rng: Pcg64,
    pub out: Records,
    pub counters: &'a mut Counters,
    /// The formulary switches in force today, `(brand, generic)`.
    pub swaps: Vec<(usize, usize)>,
}

pub struct DayOutput {
    pub records: Vec<Record>,
    /// Planted visits as generated: (truth index, rx_id, visit time).
    pub resolved: Vec<(usize, String, i64)>,
}

pub fn generate(h: &Hospital, plan: &Plan, day: u32, counters: &mut Counters) -> DayOutput {
    let seq = counters.seq;
    let mut cx = DayCtx {
        h,
        plan,
        day,
        day_start: h.period.day_start(day),
        period_end: h.period.day_start(h.period.days),
        rng: rng::stream(h.seed, "day", u64::from(day)),
        out: Records { recs: Vec::new(), seq },
        counters,
        swaps: plan.effects.swaps_on(day),
    };
    let mut visits = normal_visits(&mut cx);
    visits.extend(planted_visits(&mut cx));
    // Stable: ties keep generation order, so numbering is deterministic.
    visits.sort_by_key(|v| v.time);
    let mut resolved = Vec::new();
    for v in &visits {
        let rx_id = emit_visit(&mut cx, v);
        if let Some(t) = v.planted {
            resolved.push((t, rx_id, cx.day_start + i64::from(v.time)));
        }
    }
    access::background(&mut cx);
    access::rep_visits(&mut cx);
    for v in plan.rep_visits_on(day) {
        let products = v.products.iter().map(|&p| h.drugs[p].code.as_str()).collect();
        let body = RepVisitBody::to_doctor(h, v.doctor, (&v.rep, v.company, v.manufacturer), products);
        cx.out.push_tracked(cx.day_start + i64::from(v.time), Kind::RepVisit, &body, v.truth);
    }
    for a in plan.accesses_on(day) {
        cx.out.push(cx.day_start + i64::from(a.time), Kind::Access, &a.body);
    }
    cx.counters.seq = cx.out.seq;
    DayOutput { records: cx.out.recs, resolved }
}

fn normal_visits(cx: &mut DayCtx) -> Vec<Visit> {
    let h = cx.h;
    let rhythm = h.period.rhythm(cx.day);
    let mut visits = Vec::new();
    let effects = &cx.plan.effects;
    for (i, doc) in h.doctors.iter().enumerate() {
        let dept = &h.depts[doc.dept];
        let emergency = dept.spec.kind == DeptKind::Emergency;
        // Planted leave or not yet on the staff.
        if effects.absent(i, cx.day) {
            continue;
        }
        // Leave, conferences, post-night-shift rest.
        if cx.rng.gen::<f64>() < 0.05 {
            continue;
        }
        let lambda =
            h.visits_per_doctor_day * doc.activity * if emergency { 1.0 } else { rhythm } * effects.workload(i, cx.day);
        let habit = Habit { pool: effects.pool(&doc.pool, i, cx.day), swaps: &cx.swaps };
        for _ in 0..rng::poisson(&mut cx.rng, lambda) {
            let vt = visit_type(dept.spec.kind, dept.inpatient_rate, &mut cx.rng);
            let time = visit_time(vt, &mut cx.rng);
            let lines = normal_lines(h, i, habit, vt, cx.day, &mut cx.rng);
            if !lines.is_empty() {
                visits.push(Visit { doctor: i, time, vt, lines, planted: None });
            }
        }
    }
    visits
}

fn visit_type(kind: DeptKind, inpatient_rate: f64, rng: &mut Pcg64) -> VisitType {
    let x: f64 = rng.gen();
    match kind {
        DeptKind::Emergency => VisitType::Emergency,
        DeptKind::Pediatric if x < 0.1 => VisitType::Emergency,
        _ if x < inpatient_rate => VisitType::Inpatient,
        _ => VisitType::Outpatient,
    }
}

/// Seconds after midnight: clinic sessions 08:00–12:00 and 13:30–17:30, ward rounds in the
/// morning, emergency round the clock (busier by day).
fn visit_time(vt: VisitType, rng: &mut Pcg64) -> u32 {
    let hours =
        |rng: &mut Pcg64, a: f64, b: f64| rng.gen_range((a * f64::from(HOUR)) as u32..(b * f64::from(HOUR)) as u32);
    match vt {
        VisitType::Outpatient if rng.gen::<f64>() < 0.6 => hours(rng, 8.0, 12.0),
        VisitType::Outpatient => hours(rng, 13.5, 17.5),
        VisitType::Inpatient if rng.gen::<f64>() < 0.75 => hours(rng, 8.0, 11.5),
        VisitType::Inpatient => hours(rng, 14.0, 17.0),
        VisitType::Emergency if rng.gen::<f64>() < 0.75 => hours(rng, 8.0, 22.0),
        VisitType::Emergency => hours(rng, 0.0, 24.0),
    }
}

/// The plan's visits for the day: forced lines plus ordinary filler from the doctor's habits.
fn planted_visits(cx: &mut DayCtx) -> Vec<Visit> {
    let h = cx.h;
    let mut out = Vec::new();
    let plan = cx.plan;
    for p in plan.visits_on(cx.day) {
        let mut lines = p.forced.clone();
        let taken: Vec<usize> = lines.iter().map(|l| l.drug).collect();
        let habit = Habit { pool: plan.effects.pool(&h.doctors[p.doctor].pool, p.doctor, cx.day), swaps: &cx.swaps };
        for d in draw_drugs(h, habit, p.vt, cx.day, p.filler, &taken, &mut cx.rng) {
            lines.push(line(&h.drugs[d], d, p.vt, false, &mut cx.rng));
        }
        out.push(Visit { doctor: p.doctor, time: p.time, vt: p.vt, lines, planted: Some(p.truth) });
    }
    out
}
