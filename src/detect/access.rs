//! Data-access audit rules (TF-01, TF-02): a 统方 query — one that aggregates prescriptions
//! by doctor and by drug, seen in `group_by` or in the SQL text — by a role or account not
//! allowed to run one, with severity raised off-hours; and bulk export — more rows than
//! allowed, or an export off-hours.

use serde_json::json;

use crate::alert::Candidate;
use crate::event::{Access, Action, Event};
use crate::rules::model::TongfangParams;
use crate::rules::{Kind, Params};

use super::bulk::{self, AccessNorms, Judgement};
use super::sqlscan::{group_by_columns, Columns};
use super::stat::round;
use super::Ctx;

/// Compiled column matchers of each `tongfang_query` rule, by rule index.
#[derive(Debug, Default, Clone)]
pub struct AccessRules {
    matchers: Vec<Option<(Columns, Columns)>>,
}

impl AccessRules {
    pub fn new(rules: &[crate::rules::Rule]) -> AccessRules {
        let matchers = rules
            .iter()
            .map(|r| match &r.params {
                Params::Tongfang(p) => Some((Columns::new(&p.doctor_columns), Columns::new(&p.drug_columns))),
                _ => None,
            })
            .collect();
        AccessRules { matchers }
    }

    pub fn check(&self, ctx: &Ctx, norms: &mut AccessNorms, ev: &Event, a: &Access, out: &mut Vec<Candidate>) {
        let calendar_off = ctx.engine.calendar.off_hours(ev.ts);
        let look = bulk::seen(ctx, ev, a);
        let role = a.role.as_deref().unwrap_or("");
        // Off-hours for this account: outside the calendar's hours and at an hour it does
        // not work (the calendar alone while its hours are not yet known).
        let (unusual, usual) = norms.hour_habit(&a.user, role, look.hour);
        let off_hours = calendar_off && unusual;
        for &i in ctx.by_kind.get(Kind::TongfangQuery) {
            let (Params::Tongfang(p), Some((doc, drug))) = (&ctx.rules[i].params, &self.matchers[i]) else { continue };
            if allowed(p, a) {
                continue;
            }
            if let Some(dims) = tongfang_dims(a, doc, drug) {
                let c = tongfang(ctx, i, ev, a, p, off_hours, dims)
                    .evidence("calendar_off_hours", calendar_off)
                    .evidence("usual_hours", usual.clone());
                out.push(c);
            }
        }
        for (slot, &i) in ctx.by_kind.get(Kind::BulkExport).iter().enumerate() {
            let Params::BulkExport(p) = &ctx.rules[i].params else { continue };
            if a.role.as_deref().is_some_and(|r| p.exempt_roles.iter().any(|x| x == r)) {
                continue;
            }
            let j = norms.judge(p, &a.user, role, &look);
            let verdict = bulk::judge_rule(norms, slot, p, &look, &j);
            if bulk::eligible(p, &look) {
                norms.learn_score(slot, j.score);
            }
            let Some((reason, limit)) = verdict else { continue };
            if reason == "norm" && j.day > j.rows {
                norms.flag_day(&a.user);
            }
            out.push(bulk_alert(ctx, i, ev, a, calendar_off, reason, limit, j));
        }
        norms.record(&a.user, role, &look);
    }
}

#[allow(clippy::too_many_arguments)]
fn bulk_alert(
    ctx: &Ctx,
    i: usize,
    ev: &Event,
    a: &Access,
    off_hours: bool,
    reason: &'static str,
    limit: serde_json::Value,
    j: Judgement,
) -> Candidate {
    let factors: Vec<_> = j.factors.iter().map(|(k, n, why)| json!({"factor": k, "nats": n, "detail": why})).collect();
    let mut c = base(ctx, i, ev, a, off_hours)
        .evidence("observed", a.rows)
        .evidence("reason", reason)
        .evidence("threshold", limit.clone())
        .evidence("norm", j.norm.clone())
        .evidence("rows_surprise", round(j.rows, 2))
        .evidence("day_surprise", round(j.day, 2))
        .evidence("factors", factors);
    let rows = a.rows.unwrap_or(0);
    let typical = j.norm.get("typical_rows").and_then(|v| v.as_f64());
    c.title = match reason {
        "rows" => format!(
            "批量导出处方数据：账号 {} 一次{}返回 {} 行（硬上限 {}）",
            a.user,
            action_zh(a.action),
            rows,
            limit["max_rows"]
        ),
        "night_export" => {
            format!("深夜导出处方数据：账号 {} 于 {} 导出 {} 行", a.user, ctx.engine.zone.format(ev.ts), rows)
        }
        _ => {
            let why: Vec<&str> = j.factors.iter().map(|f| f.2.as_str()).collect();
            format!(
                "异常批量访问：账号 {} 一次{}返回 {} 行，远超其常态（约 {} 行）{}",
                a.user,
                action_zh(a.action),
                rows,
                typical.map_or("未知".to_string(), |t| format!("{t}")),
                if why.is_empty() { String::new() } else { format!("；{}", why.join("，")) }
            )
        }
    };
    c
}

fn allowed(p: &TongfangParams, a: &Access) -> bool {
    p.allowed_users.iter().any(|u| *u == a.user)
        || a.role.as_deref().is_some_and(|r| p.allowed_roles.iter().any(|x| x == r))
}

/// The (doctor, drug) dimensions when the access aggregates by both.
fn tongfang_dims(a: &Access, doc: &Columns, drug: &Columns) -> Option<(String, String, &'static str)> {
    let pick = |cols: &[String]| -> Option<(String, String)> {
        let d = cols.iter().find(|c| doc.matches(c))?;
        let g = cols.iter().find(|c| *c != d && drug.matches(c))?;
        Some((d.clone(), g.clone()))
    };
    let listed: Vec<String> = a.group_by.iter().map(|g| g.to_string()).collect();
    if let Some((d, g)) = pick(&listed) {
        return Some((d, g, "group_by"));
    }
    let sql = a.sql.as_deref()?;
    group_by_columns(sql).iter().find_map(|clause| pick(clause)).map(|(d, g)| (d, g, "sql"))
}

fn action_zh(a: Action) -> &'static str {
    match a {
        Action::Query => "查询",
        Action::Export => "导出",
        Action::Report => "报表",
        Action::Print => "打印",
        Action::Other => "访问",
    }
}

fn base(ctx: &Ctx, i: usize, ev: &Event, a: &Access, off_hours: bool) -> Candidate {
    let r = &ctx.rules[i];
    let mut c = Candidate::new(i, r.kind, r.severity, &ev.hospital, ev.id.to_string());
    c.user = Some(a.user.to_string());
    c.evidence("event_id", ev.id.as_ref())
        .evidence("role", a.role.as_deref())
        .evidence("app", a.app.as_deref())
        .evidence("client_ip", a.client_ip.as_deref())
        .evidence("action", a.action.as_str())
        .evidence("object", a.object.as_deref())
        .evidence("off_hours", off_hours)
        .evidence("local_time", ctx.engine.zone.format(ev.ts))
        .evidence("sample_event_ids", json!([ev.id.as_ref()]))
}

fn tongfang(
    ctx: &Ctx,
    i: usize,
    ev: &Event,
    a: &Access,
    p: &TongfangParams,
    off_hours: bool,
    (doc, drug, source): (String, String, &'static str),
) -> Candidate {
    let mut c = base(ctx, i, ev, a, off_hours)
        .evidence("doctor_dimension", doc)
        .evidence("drug_dimension", drug)
        .evidence("detected_from", source)
        .evidence("rows", a.rows)
        .evidence("allowed_roles", json!(p.allowed_roles));
    if let Some(sql) = &a.sql {
        c = c.evidence("sql", sql.chars().take(2000).collect::<String>());
    }
    if off_hours && p.raise_off_hours {
        c.severity = c.severity.raised();
    }
    let role = a.role.as_deref().unwrap_or("未知角色");
    c.title = format!(
        "疑似统方查询：账号 {}（{}）{}按医生和药品汇总处方数据{}",
        a.user,
        role,
        if off_hours { "在非工作时间" } else { "" },
        a.app.as_deref().map(|x| format!("，工具 {x}")).unwrap_or_default()
    );
    c
}
