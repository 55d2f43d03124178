//! 药占比 (drug share) and 百元医疗收入卫生材料 (materials per 100 yuan of non-drug revenue)
//! per department or doctor over a rolling window of whole local days, judged when a day
//! closes: over an absolute limit, or drifted far above the subject's own preceding
//! baseline. Windows with too little revenue are never judged.

use serde_json::json;

use crate::alert::Candidate;
use crate::event::{Day, Ts, Zone};
use crate::rules::model::{Scope, ShareParams};
use crate::rules::{Kind, Params};
use crate::state::{DeptId, DoctorId, Handle, Interner, Revenue, RevenueStore};

use super::Ctx;

/// Revenue stores the share rules read.
pub struct Stores<'a> {
    pub dept: &'a RevenueStore<DeptId>,
    pub doctor: &'a RevenueStore<DoctorId>,
    /// First local day of the stream: windows reaching before it are not judged.
    pub first_day: Day,
    /// Department of each doctor (by doctor handle), when known.
    pub doctor_dept: &'a [Option<DeptId>],
}

/// The metric a rule computes from a revenue sum, or `None` when undefined.
fn metric(kind: Kind, p: &ShareParams, r: &Revenue) -> Option<f64> {
    let drug = r.drug + if p.include_herbal { r.herbal } else { 0 };
    match kind {
        Kind::DrugShare => (r.total > 0).then(|| drug as f64 / r.total as f64),
        _ => {
            let non_drug = r.total - drug;
            (non_drug > 0).then(|| 100.0 * r.material as f64 / non_drug as f64)
        }
    }
}

fn fen(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

/// Judges every subject of every share rule for the window ending with local `day`.
pub fn close_day(ctx: &Ctx, stores: &Stores, day: Day, out: &mut Vec<Candidate>) {
    for kind in [Kind::DrugShare, Kind::MaterialShare] {
        for &i in ctx.by_kind.get(kind) {
            let Params::Share(p) = &ctx.rules[i].params else { continue };
            let w = p.window.days();
            if day - stores.first_day + 1 < w {
                continue;
            }
            let rule = (i, kind, p);
            match p.scope {
                Scope::Dept => judge_all(ctx, stores, rule, stores.dept, &ctx.ids.dept, |_| None, day, out),
                Scope::Doctor => {
                    let dept_of = |d: DoctorId| stores.doctor_dept.get(d.index()).copied().flatten();
                    judge_all(ctx, stores, rule, stores.doctor, &ctx.ids.doctor, dept_of, day, out)
                }
            }
        }
    }
}

/// Judges every subject of one share rule: the departments or the doctors (`K`), each
/// doctor's drift beyond the drift of the department `dept_of` names.
#[allow(clippy::too_many_arguments)]
fn judge_all<K: Handle>(
    ctx: &Ctx,
    stores: &Stores,
    (i, kind, p): (usize, Kind, &ShareParams),
    store: &RevenueStore<K>,
    names: &Interner<K>,
    dept_of: impl Fn(K) -> Option<DeptId>,
    day: Day,
    out: &mut Vec<Candidate>,
) {
    for key in store.keys() {
        let (hospital, code) = (ctx.hospital, names.name(key));
        // A doctor's drift is judged beyond the drift of the doctor's department.
        let dept_change = dept_of(key).and_then(|d| change(kind, p, stores.dept, d, stores.first_day, day));
        if let Some(c) = judge(ctx, i, kind, p, store, key, code, stores.first_day, day, hospital, dept_change) {
            out.push(c);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn judge<K: Handle>(
    ctx: &Ctx,
    i: usize,
    kind: Kind,
    p: &ShareParams,
    store: &RevenueStore<K>,
    key: K,
    code: &str,
    first_day: Day,
    day: Day,
    hospital: &str,
    dept_change: Option<f64>,
) -> Option<Candidate> {
    let (w, b) = (p.window.days(), p.baseline.days());
    let (cur_rev, _) = store.sum(key, day - w + 1, day);
    if cur_rev.total < fen(p.min_revenue) {
        return None;
    }
    let cur = metric(kind, p, &cur_rev)?;
    let limit = match p.scope {
        Scope::Dept => p.dept_limits.get(code).copied().or(p.limit),
        Scope::Doctor => p.limit,
    };
    let over_limit = limit.is_some_and(|l| cur > l);
    // Drift: the baseline must be observed for at least four weeks (or all of it, if shorter).
    let mut base = None;
    if let (Some(min_inc), true) = (p.min_increase, b > 0 && day - first_day + 1 >= w + b.min(28)) {
        let (base_rev, _) = store.sum(key, (day - w - b + 1).max(first_day), day - w);
        if base_rev.total >= fen(p.min_baseline_revenue) {
            if let Some(bv) = metric(kind, p, &base_rev) {
                let adj = dept_change.unwrap_or(0.0).max(0.0);
                base = Some((bv, cur - bv - adj >= min_inc && cur >= (bv + adj) * p.min_ratio, base_rev));
            }
        }
    }
    let drifted = base.is_some_and(|(_, d, _)| d);
    if !over_limit && !drifted {
        return None;
    }
    let r = &ctx.rules[i];
    let mut c = Candidate::new(i, kind, r.severity, hospital, day.to_string());
    let subject_label = match p.scope {
        Scope::Dept => {
            c.dept = Some(code.to_owned());
            format!("科室 {code}")
        }
        Scope::Doctor => {
            c.doctor = Some(code.to_owned());
            match ctx.ids.doctor.get(code) {
                Some(h) => {
                    c.dept = ctx.refs.doctor(h).map(|d| d.dept.clone()).filter(|d| !d.is_empty());
                    ctx.doctor_label(h)
                }
                None => code.to_owned(),
            }
        }
    };
    let pct = kind == Kind::DrugShare;
    let show = |v: f64| if pct { format!("{:.1}%", v * 100.0) } else { format!("{v:.1}元") };
    let what = if pct { "药占比" } else { "百元医疗收入卫生材料" };
    c = c
        .evidence("metric", if pct { "drug_share" } else { "material_per_100_yuan" })
        .evidence("observed", round4(cur))
        .evidence("threshold", limit)
        .evidence(
            "test",
            match (over_limit, drifted) {
                (true, true) => "limit_and_drift",
                (true, false) => "limit",
                _ => "drift",
            },
        )
        .evidence("window_start", (day - w + 1).to_string())
        .evidence("window_end", day.to_string())
        .evidence(
            "window_revenue",
            json!({
                "drug": cur_rev.drug as f64 / 100.0,
                "herbal": cur_rev.herbal as f64 / 100.0,
                "material": cur_rev.material as f64 / 100.0,
                "total": cur_rev.total as f64 / 100.0,
            }),
        )
        .evidence("include_herbal", p.include_herbal);
    if let Some((bv, _, base_rev)) = base {
        c = c
            .evidence("baseline", round4(bv))
            .evidence("baseline_start", (day - w - b + 1).max(first_day).to_string())
            .evidence("baseline_end", (day - w).to_string())
            .evidence("baseline_revenue_total", base_rev.total as f64 / 100.0)
            .evidence("ratio", if bv > 0.0 { round4(cur / bv) } else { f64::INFINITY.min(1e9) })
            .evidence("min_increase", p.min_increase)
            .evidence("dept_change", dept_change.map(round4));
    }
    c.title = match (drifted, base) {
        (true, Some((bv, _, _))) => format!(
            "{what}异常升高（疑点）：{subject_label} 近 {w} 天{what} {}，较此前基线 {} 明显上升",
            show(cur),
            show(bv)
        ),
        _ => format!(
            "{what}超限：{subject_label} 近 {w} 天{what} {}，超过限值 {}",
            show(cur),
            show(limit.unwrap_or(0.0))
        ),
    };
    Some(c)
}

/// Current − baseline value of a subject, when both windows are judged.
fn change(
    kind: Kind,
    p: &ShareParams,
    store: &RevenueStore<DeptId>,
    key: DeptId,
    first_day: Day,
    day: Day,
) -> Option<f64> {
    let (w, b) = (p.window.days(), p.baseline.days());
    if b == 0 || day - first_day + 1 < w + b.min(28) {
        return None;
    }
    let (cur, _) = store.sum(key, day - w + 1, day);
    let (base, _) = store.sum(key, (day - w - b + 1).max(first_day), day - w);
    Some(metric(kind, p, &cur)? - metric(kind, p, &base)?)
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// Event time at which a closed day's judgement is issued: the end of that day.
pub fn close_ts(zone: &Zone, day: Day) -> Ts {
    zone.day_start(day + 1)
}
