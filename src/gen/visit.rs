//! A visit becomes events: one `rx` per prescription line at the visit time, the charges a
//! few minutes later when the patient pays, and now and then a `return` (退药/作废) with its
//! negative charge hours or days later.

use rand::Rng;

use super::calendar::{DAY, HOUR, MINUTE};
use super::catalog::DrugKind;
use super::charges::{visit_charges, DrugMoney};
use super::day::DayCtx;
use super::plant::Plan;
use super::prescribe::{LineDraft, VisitType};
use super::record::{ChargeBody, Fen, Kind, ReturnBody, RxBody};

pub struct Visit {
    pub doctor: usize,
    /// Seconds after midnight.
    pub time: u32,
    pub vt: VisitType,
    pub lines: Vec<LineDraft>,
    /// Truth index of a planted visit.
    pub planted: Option<usize>,
}

/// Share of prescription lines later returned or voided.
const RETURN_RATE: f64 = 0.015;
/// Share of visits with a non-drug refund (退费).
const REFUND_RATE: f64 = 0.003;

/// Emits the visit's events; returns its rx_id.
pub fn emit_visit(cx: &mut DayCtx, v: &Visit) -> String {
    let h = cx.h;
    let doc = &h.doctors[v.doctor];
    let dept = doc.dept;
    let dept_code = h.depts[dept].spec.code;
    cx.counters.rx += 1;
    let rx_id = format!("RX{:08}", cx.counters.rx);
    let visit_id = if v.vt == VisitType::Inpatient {
        cx.counters.admission += 1;
        format!("ZY{:08}", cx.counters.admission)
    } else {
        cx.counters.outpatient_visit += 1;
        format!("MZ{:09}", cx.counters.outpatient_visit)
    };
    let rng = &mut cx.rng;
    let patient = format!("p-{:010x}", rng.gen::<u64>() & 0xff_ffff_ffff);
    // Most HIS adapters send the title; some in Chinese, some as roster codes.
    let title = match rng.gen::<f64>() {
        x if x < 0.5 => Some(doc.title.zh()),
        x if x < 0.9 => Some(doc.title.as_str()),
        _ => None,
    };
    let diagnosis = diagnosis(cx, dept);
    let rng = &mut cx.rng;
    let ts = cx.day_start + i64::from(v.time);
    let mut money = DrugMoney::default();
    for (i, l) in v.lines.iter().enumerate() {
        let d = &h.drugs[l.drug];
        let amount = Fen(d.price.0 * i64::from(l.qty));
        let body = RxBody {
            rx_id: &rx_id,
            line: i as u32 + 1,
            visit_id: &visit_id,
            visit_type: v.vt.as_str(),
            dept: dept_code,
            doctor: &doc.id,
            doctor_title: title,
            patient: &patient,
            drug: &d.code,
            drug_name: &d.name,
            qty: l.qty,
            unit_price: d.price,
            amount,
            days: Some(l.days),
            long_term: l.long_term,
            reason: l.reason,
            diagnosis: &diagnosis,
        };
        cx.out.push(ts, Kind::Rx, &body);
        category_of(&mut money, d.kind).0 += amount.0;
        if v.planted.is_none() && rng.gen::<f64>() < RETURN_RATE {
            let back = ts + i64::from(rng.gen_range(HOUR..72 * HOUR));
            if back < cx.period_end && !away(cx.plan, v.doctor, cx.day, cx.day_start, back) {
                let qty = rng.gen_range(1..=l.qty);
                let amount = Fen(d.price.0 * i64::from(qty));
                let reason = if rng.gen::<f64>() < 0.85 { "refund" } else { "void" };
                let r =
                    ReturnBody { rx_id: &rx_id, drug: &d.code, doctor: &doc.id, dept: dept_code, qty, amount, reason };
                cx.out.push(back, Kind::Return, &r);
                let refund = ChargeBody {
                    dept: dept_code,
                    doctor: &doc.id,
                    category: category_name(d.kind),
                    amount: Fen(-amount.0),
                    visit_type: v.vt.as_str(),
                };
                cx.out.push(back + 30, Kind::Charge, &refund);
            }
        }
    }
    let paid = ts + i64::from(rng.gen_range(2 * MINUTE..25 * MINUTE));
    let delta = cx.plan.effects.share_delta(dept, cx.day);
    let target = h.depts[dept].drug_share;
    let mean = h.cal.nondrug_mean(dept, v.vt, target + delta);
    let charges = visit_charges(h, dept, v.vt, money, mean, rng);
    for &(category, amount) in &charges {
        let c = ChargeBody { dept: dept_code, doctor: &doc.id, category, amount, visit_type: v.vt.as_str() };
        cx.out.push(paid, Kind::Charge, &c);
    }
    if v.planted.is_none() && rng.gen::<f64>() < REFUND_RATE {
        let nondrug: Vec<_> = charges.iter().filter(|(c, _)| !c.starts_with("drug_")).collect();
        if let Some(&&(category, amount)) = nondrug.first() {
            let at = paid + i64::from(rng.gen_range(HOUR..48 * HOUR));
            if at < cx.period_end && !away(cx.plan, v.doctor, cx.day, cx.day_start, at) {
                let part = Fen(-(amount.0 * rng.gen_range(30..=100) / 100).max(1));
                let c =
                    ChargeBody { dept: dept_code, doctor: &doc.id, category, amount: part, visit_type: v.vt.as_str() };
                cx.out.push(at, Kind::Charge, &c);
            }
        }
    }
    rx_id
}

/// Whether `doctor` is away (planted leave) at local time `ts`, `day` starting at `day_start`:
/// a return or refund is not booked to a doctor on leave.
fn away(plan: &Plan, doctor: usize, day: u32, day_start: i64, ts: i64) -> bool {
    let later = (ts - day_start).div_euclid(DAY).max(0) as u32;
    plan.effects.absent(doctor, day + later)
}

/// ICD-10 codes on about 70% of prescriptions, one or two typical of the department.
fn diagnosis(cx: &mut DayCtx, dept: usize) -> Vec<&'static str> {
    let codes = cx.h.depts[dept].spec.diagnoses;
    let rng = &mut cx.rng;
    if codes.is_empty() || rng.gen::<f64>() >= 0.7 {
        return Vec::new();
    }
    let first = codes[rng.gen_range(0..codes.len())];
    let second = codes[rng.gen_range(0..codes.len())];
    if second != first && rng.gen::<f64>() < 0.3 {
        vec![first, second]
    } else {
        vec![first]
    }
}

fn category_of(m: &mut DrugMoney, kind: DrugKind) -> &mut Fen {
    match kind {
        DrugKind::Western => &mut m.western,
        DrugKind::Patent => &mut m.patent,
        DrugKind::Herbal => &mut m.herbal,
    }
}

fn category_name(kind: DrugKind) -> &'static str {
    match kind {
        DrugKind::Western => "drug_western",
        DrugKind::Patent => "drug_patent",
        DrugKind::Herbal => "drug_herbal",
    }
}
