//! Per-line checks on a prescription (BAN-01, AB-01, NA-01): a drug inside its 停用/限用
//! period, an antibiotic above the prescriber's grant, a 麻精 drug without the privilege.
//! A rule whose attribute is unknown (drug not in the catalog, doctor not in the roster and
//! no title on the event) does not fire: absence of data is not evidence.

use serde_json::json;

use crate::alert::Candidate;
use crate::event::{Day, Event, Rx};
use crate::rules::catalog::{AbxLevel, SuspendAction, Suspension};
use crate::rules::{Kind, Params};
use crate::state::{DeptId, DoctorId, DrugId};

use super::Ctx;

/// Interned handles of one line.
#[derive(Copy, Clone, Debug)]
pub struct Line {
    pub doctor: DoctorId,
    pub drug: DrugId,
    pub dept: DeptId,
    pub day: Day,
}

pub fn check(ctx: &Ctx, ev: &Event, rx: &Rx, l: Line, out: &mut Vec<Candidate>) {
    suspension(ctx, ev, rx, l, out);
    antibiotic(ctx, ev, rx, l, out);
    controlled(ctx, ev, rx, l, out);
}

/// A candidate about this doctor and drug, windowed by the prescription.
fn base(ctx: &Ctx, rule: usize, ev: &Event, rx: &Rx, l: Line) -> Candidate {
    let r = &ctx.rules[rule];
    let mut c = Candidate::new(rule, r.kind, r.severity, &ev.hospital, rx.rx_id.to_string());
    c.dept = Some(rx.dept.to_string());
    c.doctor = Some(rx.doctor.to_string());
    c.drug = Some(rx.drug.to_string());
    c.evidence("event_id", ev.id.as_ref())
        .evidence("rx_id", rx.rx_id.as_ref())
        .evidence("line", rx.line)
        .evidence("visit_type", rx.visit_type.as_str())
        .evidence("qty", rx.qty)
        .evidence("amount", rx.amount.yuan())
        .evidence("day", l.day.to_string())
        .evidence("sample_event_ids", json!([ev.id.as_ref()]))
}

fn suspension(ctx: &Ctx, ev: &Event, rx: &Rx, l: Line, out: &mut Vec<Candidate>) {
    // A 停用 row covering the day wins over a 限用 row covering it.
    let covering = || ctx.refs.suspensions(l.drug).iter().filter(|s| s.covers(l.day));
    let Some(s) = covering().find(|s| s.action == SuspendAction::Suspend).or_else(|| covering().next()) else {
        return;
    };
    let kind = match s.action {
        SuspendAction::Suspend => Kind::SuspendedDrug,
        SuspendAction::Restrict => Kind::RestrictedDrug,
    };
    for &i in ctx.by_kind.get(kind) {
        if let Params::Restricted(p) = &ctx.rules[i].params {
            if p.allow.iter().any(|a| allows(ctx, a, rx, l)) {
                continue;
            }
        }
        let what = if kind == Kind::SuspendedDrug { "停用" } else { "限用" };
        let mut c = base(ctx, i, ev, rx, l)
            .evidence("from", s.from.to_string())
            .evidence("until", s.until.map(|d| d.to_string()))
            .evidence("reason", s.reason.as_str());
        c.title = format!(
            "{what}药品被开具：{} 开具{what}药品 {}（{what}自 {}{}）",
            ctx.doctor_label(l.doctor),
            ctx.drug_label(l.drug, rx.drug_name.as_deref()),
            s.from,
            reason_suffix(s),
        );
        out.push(c);
    }
}

fn reason_suffix(s: &Suspension) -> String {
    if s.reason.is_empty() {
        String::new()
    } else {
        format!("，{}", s.reason)
    }
}

fn allows(ctx: &Ctx, a: &crate::rules::model::Allow, rx: &Rx, l: Line) -> bool {
    let drug_ok = a.drug == "*" || a.drug == rx.drug;
    let dept_ok = a.depts.is_empty() || a.depts.iter().any(|d| d == &rx.dept);
    let doctor_ok = a.doctors.is_empty() || a.doctors.iter().any(|d| d == &rx.doctor);
    let title = rx.doctor_title.or_else(|| ctx.refs.doctor(l.doctor).and_then(|d| d.title));
    let title_ok = a.min_title.is_none_or(|min| title.is_some_and(|t| t >= min));
    let reason_ok = !a.with_reason || rx.reason.is_some();
    drug_ok && dept_ok && doctor_ok && title_ok && reason_ok
}

fn antibiotic(ctx: &Ctx, ev: &Event, rx: &Rx, l: Line, out: &mut Vec<Candidate>) {
    let Some(level) = ctx.refs.antibiotic(l.drug) else { return };
    for &i in ctx.by_kind.get(Kind::AntibioticPrivilege) {
        let Params::Antibiotic(p) = &ctx.rules[i].params else { continue };
        // The roster's explicit grant (given after training and exam) decides; without a
        // roster row, the title on the event stands in when the rule allows it.
        let (grant, source) = match ctx.refs.doctor(l.doctor) {
            Some(d) => (d.antibiotic_grant, "roster"),
            None if p.grant_from_title => match rx.doctor_title {
                Some(t) => (Some(AbxLevel::of_title(t)), "title"),
                None => continue,
            },
            None => continue,
        };
        let above = grant.is_none_or(|g| level > g);
        let special_outside =
            p.special_outpatient && level == AbxLevel::Special && rx.visit_type != crate::event::VisitType::Inpatient;
        if !above && !special_outside {
            continue;
        }
        let mut c = base(ctx, i, ev, rx, l)
            .evidence("drug_level", level.as_str())
            .evidence("granted_level", grant.map(AbxLevel::as_str))
            .evidence("grant_source", source);
        c.title = if above {
            format!(
                "抗菌药物越级使用：{} 无{}处方权（授权：{}），开具 {}",
                ctx.doctor_label(l.doctor),
                level.zh(),
                grant.map_or("无", AbxLevel::zh),
                ctx.drug_label(l.drug, rx.drug_name.as_deref()),
            )
        } else {
            format!(
                "特殊使用级抗菌药物用于门急诊：{} 开具 {}",
                ctx.doctor_label(l.doctor),
                ctx.drug_label(l.drug, rx.drug_name.as_deref()),
            )
        };
        out.push(c);
    }
}

fn controlled(ctx: &Ctx, ev: &Event, rx: &Rx, l: Line, out: &mut Vec<Candidate>) {
    let Some(class) = ctx.refs.controlled(l.drug) else { return };
    let Some(doctor) = ctx.refs.doctor(l.doctor) else { return };
    if doctor.controlled_privilege {
        return;
    }
    for &i in ctx.by_kind.get(Kind::ControlledPrivilege) {
        let Params::Controlled(p) = &ctx.rules[i].params else { continue };
        if !p.classes.contains(&class) {
            continue;
        }
        let mut c = base(ctx, i, ev, rx, l).evidence("controlled_class", class.as_str()).evidence("privilege", false);
        c.title = format!(
            "无麻精药品处方权开具{}：{} 开具 {}",
            class.zh(),
            ctx.doctor_label(l.doctor),
            ctx.drug_label(l.drug, rx.drug_name.as_deref()),
        );
        out.push(c);
    }
}
