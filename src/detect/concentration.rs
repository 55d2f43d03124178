//! `concentration` (DC-01): one drug's volume in a department held by very few of its
//! active prescribers. For a drug new to the department (no baseline), the effective number
//! of prescribers (1 / HHI) must be a small part of the department's active doctors — a
//! formulary switch adopted by everyone spreads wide, a ring adopting a new drug does not.
//! For an established drug, the top-k share must have risen sharply: a specialist's steady
//! hold on a drug is not a footprint.

use rustc_hash::FxHashSet;
use serde_json::json;

use crate::alert::Candidate;
use crate::event::Day;
use crate::rules::model::ConcentrationParams;
use crate::rules::{Kind, Params};
use crate::state::usage::{unpair, UsageStore};
use crate::state::{DeptId, DoctorId, DrugId};

use super::span::{DeptLines, Span};
use super::stat::round;
use super::Ctx;

struct Shape {
    total: f64,
    top_share: f64,
    hhi: f64,
    /// (doctor, lines), largest first.
    top: Vec<(DoctorId, f64)>,
}

fn shape(vols: &mut [(DoctorId, f64)], k: usize) -> Shape {
    // A total order (a doctor appears once), so an unstable sort gives the stable one's order.
    vols.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: f64 = vols.iter().map(|v| v.1).sum();
    let top_share = if total > 0.0 { vols.iter().take(k).map(|v| v.1).sum::<f64>() / total } else { 0.0 };
    let hhi = if total > 0.0 { vols.iter().map(|v| (v.1 / total).powi(2)).sum() } else { 0.0 };
    Shape { total, top_share, hhi, top: vols.iter().take(5).copied().collect() }
}

/// `first_day` is the stream's first local day: until the baseline lies wholly inside the
/// stream, every drug would look new, so nothing is judged.
pub fn close_day(ctx: &Ctx, u: &UsageStore, day: Day, first_day: Day, out: &mut Vec<Candidate>) {
    let Some(&rule) = ctx.by_kind.get(Kind::Concentration).first() else { return };
    let Params::Concentration(p) = &ctx.rules[rule].params else { return };
    let baseline_start = (day.week() - 1 - p.baseline_weeks).start();
    if baseline_start < first_day {
        return;
    }
    let mut subjects: Vec<(DeptId, DrugId)> = u
        .touched(day)
        .into_iter()
        .filter_map(|k| {
            let (doctor, drug) = unpair(k);
            u.doctors.get(&doctor).map(|d| (d.dept, drug))
        })
        .collect::<FxHashSet<_>>()
        .into_iter()
        .collect();
    subjects.sort_unstable();
    let mut lines = DeptLines::new(Span::Days(day - p.window.days() + 1, day));
    for (dept, drug) in subjects {
        if let Some(c) = judge(ctx, rule, p, u, &mut lines, dept, drug, day) {
            out.push(c);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn judge(
    ctx: &Ctx,
    rule: usize,
    p: &ConcentrationParams,
    u: &UsageStore,
    lines: &mut DeptLines,
    dept: DeptId,
    drug: DrugId,
    day: Day,
) -> Option<Candidate> {
    let w = p.window.days();
    let r = (day - w + 1, day);
    let wk = day.week();
    let b = (wk - 1 - p.baseline_weeks, wk - 2);
    u.dept_doctors.get(&dept)?;
    let mut now_v = Vec::new();
    let mut before = Vec::new();
    let mut active = 0;
    let (doctors, drug_lines) = lines.with_drug(u, dept, drug);
    for (dl, x) in doctors.iter().zip(drug_lines) {
        if dl.all > 0 {
            active += 1;
        }
        if let &Some(x) = x {
            now_v.push((dl.doctor, x.max(0) as f64));
        }
    }
    let now = shape(&mut now_v, p.top_k);
    if now.total < p.min_volume || active < p.min_prescribers {
        return None;
    }
    // The same doctors' lines in the baseline (only for a drug that passed the gates).
    for &(d, _) in &now_v {
        if let Some(pair) = u.pair(d, drug) {
            before.push((d, pair.series.lines_weeks(b.0, b.1).max(0) as f64));
        }
    }
    let before = shape(&mut before, p.top_k);
    let effective = if now.hhi > 0.0 { 1.0 / now.hhi } else { 0.0 };
    let new_drug = before.total < p.new_drug_baseline;
    let fired = if new_drug {
        effective <= p.new_drug_share * active as f64 && now.top_share >= p.min_share
    } else {
        now.top_share - before.top_share >= p.rise && now.top_share >= p.min_share
    };
    if !fired {
        return None;
    }
    let rl = &ctx.rules[rule];
    let mut c = Candidate::new(rule, Kind::Concentration, rl.severity, ctx.hospital, day.to_string());
    c.drug = Some(ctx.ids.drug.name(drug).to_owned());
    c.dept = Some(ctx.ids.dept.name(dept).to_owned());
    let top: Vec<_> = now
        .top
        .iter()
        .map(|&(d, v)| json!({"doctor": ctx.ids.doctor.name(d), "lines": v, "share": round(v / now.total, 4)}))
        .collect();
    c = c
        .evidence("observed", round(now.top_share, 4))
        .evidence("expected", round(before.top_share, 4))
        .evidence("test", if new_drug { "new_drug" } else { "rise" })
        .evidence("threshold", if new_drug { p.new_drug_share } else { p.rise })
        .evidence("top_k", p.top_k)
        .evidence("hhi", round(now.hhi, 4))
        .evidence("effective_prescribers", round(effective, 2))
        .evidence("active_prescribers", active)
        .evidence("lines", now.total)
        .evidence("baseline_lines", before.total)
        .evidence("top_prescribers", json!(top))
        .evidence("window_start", r.0.to_string())
        .evidence("window_end", r.1.to_string());
    c.title = format!(
        "药品处方集中（疑点）：科室 {} 近 {w} 天 {} 的 {:.0}% 由前 {} 名医生开具（{} 名在岗医生）",
        ctx.ids.dept.name(dept),
        ctx.drug_label(drug, None),
        now.top_share * 100.0,
        p.top_k,
        active
    );
    Some(c)
}
