//! 药占比 drift: one department's drug share climbs about 15 percentage points from a date
//! some 60% into the period and stays there — the revenue footprint of drugs pushed for
//! kickbacks. Prescriptions are untouched; the department's non-drug billing shrinks
//! relative to its drug billing, so only the share moves (materials per 100 yuan of
//! non-drug revenue stay where they were).

use super::super::names::DeptKind;
use super::{PlantCtx, ShareShift, Truth};

const DELTA: f64 = 0.15;
/// A windowed detector needs weeks of stable baseline and then a 30-day window after the
/// change (a share is revenue-weighted, and the drifted days carry less revenue): from day
/// 45 of a 75-day period on, the drift has 30 days. Shorter periods get no drift plant
/// rather than a truth line nothing could meet.
const MIN_DAYS: u32 = 75;

pub fn drug_share(cx: &mut PlantCtx) {
    let h = cx.h;
    if h.period.days < MIN_DAYS {
        return;
    }
    // An internal or surgical department, the busiest one (most doctors) for a clear signal.
    let dept = (0..h.depts.len())
        .filter(|&i| matches!(h.depts[i].spec.kind, DeptKind::Internal | DeptKind::Surgical))
        .filter(|&i| !h.depts[i].doctors.is_empty())
        .max_by_key(|&i| (h.depts[i].doctors.len(), std::cmp::Reverse(i)));
    let Some(dept) = dept else { return };
    let from = (f64::from(h.period.days) * 0.6).round() as u32;
    let d = &h.depts[dept];
    cx.plan.effects.share_shifts.push(ShareShift { dept, from, delta: DELTA });
    let start = super::super::calendar::ts_string(h.period.day_start(from));
    cx.truth(Truth {
        kind: "drug_share".to_string(),
        dept: Some(d.spec.code.to_string()),
        start,
        note: format!(
            "{}药占比自{}起由约{:.0}%升至约{:.0}%",
            d.spec.name,
            h.period.date(from),
            d.drug_share * 100.0,
            (d.drug_share + DELTA) * 100.0
        ),
        ..Truth::default()
    });
}
