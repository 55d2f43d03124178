//! `peer_outlier` (DP-01): a doctor's share of a drug (lines of the drug / all the doctor's
//! lines) over the trailing window far above the department's peers — by a binomial test
//! against their pooled share and by a robust z against their individual shares — when it
//! was not so in the doctor's baseline. A preference held from the start, or a new doctor
//! with no baseline, is not judged: the footprint is the change.

use serde_json::json;

use crate::alert::Candidate;
use crate::event::Day;
use crate::rules::model::PeerParams;
use crate::rules::{Kind, Params};
use crate::state::usage::{unpair, UsageStore};
use crate::state::{DeptId, DoctorId, DrugId};

use super::span::{DeptLines, Span};
use super::stat::{binomial_z, mad, median, poisson_sf, round};
use super::Ctx;

struct Peers {
    x: f64,
    n: f64,
    shares: Vec<f64>,
}

/// Sums the drug's lines and all lines of the department's doctors other than `doctor`,
/// over the span of `lines`, counting only peers with at least `min_n` lines.
/// `herbal`: the drug's kind, whose lines its share is of.
fn peers(
    u: &UsageStore,
    lines: &mut DeptLines,
    dept: DeptId,
    doctor: DoctorId,
    (drug, herbal): (DrugId, bool),
    min_n: f64,
) -> Peers {
    let mut p = Peers { x: 0.0, n: 0.0, shares: Vec::new() };
    let (doctors, drug_lines) = lines.with_drug(u, dept, drug);
    for (dl, x) in doctors.iter().zip(drug_lines) {
        if dl.doctor == doctor {
            continue;
        }
        let n = dl.of(herbal) as f64;
        if n < min_n {
            continue;
        }
        let x = x.unwrap_or(0).max(0) as f64;
        p.x += x;
        p.n += n;
        p.shares.push(x / n);
    }
    p
}

/// Nothing is judged until the baseline lies wholly inside the stream (`first_day`).
pub fn close_day(ctx: &Ctx, u: &UsageStore, day: Day, first_day: Day, out: &mut Vec<Candidate>) {
    let Some(&rule) = ctx.by_kind.get(Kind::PeerOutlier).first() else { return };
    let Params::Peer(p) = &ctx.rules[rule].params else { return };
    if (day.week() - 1 - p.baseline_weeks).start() < first_day {
        return;
    }
    let (r, b) = spans(p, day);
    let mut lines = (DeptLines::new(r), DeptLines::new(b));
    for k in u.touched(day) {
        let (doctor, drug) = unpair(k);
        if let Some(c) = judge(ctx, rule, p, u, &mut lines, doctor, drug, day) {
            out.push(c);
        }
    }
}

/// The trailing window judged on `day` and the baseline weeks before it.
fn spans(p: &PeerParams, day: Day) -> (Span, Span) {
    let wk = day.week();
    (Span::Days(day - p.window.days() + 1, day), Span::Weeks(wk - 1 - p.baseline_weeks, wk - 2))
}

#[allow(clippy::too_many_arguments)]
fn judge(
    ctx: &Ctx,
    rule: usize,
    p: &PeerParams,
    u: &UsageStore,
    (now_lines, base_lines): &mut (DeptLines, DeptLines),
    doctor: DoctorId,
    drug: DrugId,
    day: Day,
) -> Option<Candidate> {
    let doc = u.doctors.get(&doctor)?;
    let pair = u.pair(doctor, drug)?;
    let w = p.window.days();
    let r = (day - w + 1, day);
    // Shares are of the lines of the drug's own kind (饮片 or not): see `usage::Doctor`.
    let herbal = ctx.refs.herbal(drug);
    let n = doc.lines_days(herbal, r.0, r.1) as f64;
    let x = pair.series.lines_days(r.0, r.1).max(0) as f64;
    if n < p.min_doctor_lines || x < p.min_count {
        return None;
    }
    let mut now = peers(u, now_lines, doc.dept, doctor, (drug, herbal), p.min_doctor_lines);
    if now.shares.len() < p.min_peers {
        return None;
    }
    let pooled = now.x / now.n.max(1.0);
    let share = x / n;
    let z = binomial_z(x, n, pooled);
    let ratio = share / pooled.max(0.5 / now.n.max(1.0));
    let med = median(&mut now.shares);
    let scale = (1.4826 * mad(&now.shares, med)).max(0.01);
    let rz = (share - med) / scale;
    // Small counts: the binomial z overstates; the Poisson tail decides.
    let pv = poisson_sf(x, n * pooled.max(0.5 / now.n.max(1.0)));
    if z < p.z || rz < p.robust_z || ratio < p.min_ratio || pv > p.max_p {
        return None;
    }
    // The change is the footprint: the doctor must have been ordinary in the baseline.
    let wk = day.week();
    let b = (wk - 1 - p.baseline_weeks, wk - 2);
    let n_b = doc.lines_weeks(herbal, b.0, b.1) as f64;
    if n_b < p.min_doctor_lines || !doc.present(herbal, b.0, b.1) {
        return None;
    }
    let x_b = pair.series.lines_weeks(b.0, b.1).max(0) as f64;
    let before = peers(u, base_lines, doc.dept, doctor, (drug, herbal), p.min_doctor_lines);
    let pooled_b = before.x / before.n.max(1.0);
    let z_b = binomial_z(x_b, n_b, pooled_b);
    if z_b >= p.baseline_z_max {
        return None;
    }
    // After a formulary switch (peers moved the medicine to this product), a doctor who
    // always wrote much of the medicine under the old label writes as much of the 集采
    // product: ordinary in the baseline then means ordinary for the whole substitution group.
    // A doctor who moves the group to a product peers did not move to is not excused.
    let group = ctx.refs.substitutes(drug);
    if !group.is_empty() {
        let group_peers = |lines: &mut DeptLines| -> f64 {
            group.iter().map(|&g| peers(u, lines, doc.dept, doctor, (g, herbal), p.min_doctor_lines).x).sum()
        };
        let peers_bg = group_peers(base_lines);
        let split_b = before.x / peers_bg.max(1.0);
        let split_now = now.x / group_peers(now_lines).max(1.0);
        let x_bg: f64 = group
            .iter()
            .map(|&g| u.pair(doctor, g).map_or(0, |pr| pr.series.lines_weeks(b.0, b.1)).max(0) as f64)
            .sum();
        if split_now >= 1.5 * split_b + 0.1 && binomial_z(x_bg, n_b, peers_bg / before.n.max(1.0)) >= p.baseline_z_max {
            return None;
        }
    }
    let rl = &ctx.rules[rule];
    let mut c = Candidate::new(rule, Kind::PeerOutlier, rl.severity, ctx.hospital, day.to_string());
    c.doctor = Some(ctx.ids.doctor.name(doctor).to_owned());
    c.drug = Some(ctx.ids.drug.name(drug).to_owned());
    c.dept = Some(ctx.ids.dept.name(doc.dept).to_owned());
    c = c
        .evidence("observed", round(share, 4))
        .evidence("expected", round(pooled, 4))
        .evidence("ratio", round(ratio, 2))
        .evidence("score", round(z, 2))
        .evidence("p_value", pv)
        .evidence("robust_z", round(rz, 2))
        .evidence("threshold", json!({"z": p.z, "robust_z": p.robust_z, "ratio": p.min_ratio}))
        .evidence("lines", json!({"drug": x, "doctor_total": n}))
        .evidence(
            "peers",
            json!({"count": now.shares.len(), "median_share": round(med, 4), "pooled_share": round(pooled, 4)}),
        )
        .evidence(
            "baseline",
            json!({"share": round(x_b / n_b, 4), "peers_share": round(pooled_b, 4), "z": round(z_b, 2)}),
        )
        .evidence("window_start", r.0.to_string())
        .evidence("window_end", r.1.to_string());
    c.title = format!(
        "同科室用药占比异常（疑点）：{} 近 {w} 天 {} 占其处方 {:.1}%，同科室医生合计 {:.1}%（{:.1} 倍），此前并无此偏好",
        ctx.doctor_label(doctor),
        ctx.drug_label(drug, None),
        share * 100.0,
        pooled * 100.0,
        ratio
    );
    Some(c)
}
