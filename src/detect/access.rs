//! Data-access audit rules (TF-01, TF-02): a 统方 query — one that aggregates prescriptions
//! by doctor and by drug, seen in `group_by` or in the SQL text (read by [`super::sql`]) —
//! by a role or account not allowed to run one, with severity raised off-hours; and bulk
//! export — more rows than allowed, or an export off-hours.

use serde_json::json;

use crate::alert::Candidate;
use crate::event::{Access, Action, Event};
use crate::rules::model::TongfangParams;
use crate::rules::{Dictionary, Kind, Params, RuleSet};

use super::bulk::{self, AccessNorms, Judgement};
use super::sql::{Analyser, Analysis, Finding, Memo};
use super::stat::round;
use super::Ctx;

/// The SQL analyser of each `tongfang_query` rule, by rule index, the site dictionaries,
/// and the verdicts on statements already read.
#[derive(Debug, Default, Clone)]
pub struct AccessRules {
    matchers: Vec<Option<Analyser>>,
    dictionary: Dictionary,
    hospital_dictionaries: std::collections::BTreeMap<String, Dictionary>,
    read: Memo,
}

impl AccessRules {
    pub fn new(rules: &RuleSet) -> AccessRules {
        let matchers = rules
            .rules
            .iter()
            .map(|r| match &r.params {
                Params::Tongfang(p) => Some(Analyser::new(p)),
                _ => None,
            })
            .collect();
        let (dictionary, hospital_dictionaries) = (rules.dictionary.clone(), rules.hospital_dictionaries.clone());
        AccessRules { matchers, dictionary, hospital_dictionaries, read: Memo::default() }
    }

    /// Judges one access; `trusted`: its time is one the hospital's clock trusts, so the
    /// norms may learn from it.
    pub fn check(
        &self,
        ctx: &Ctx,
        norms: &mut AccessNorms,
        trusted: bool,
        ev: &Event,
        a: &Access,
        out: &mut Vec<Candidate>,
    ) {
        let calendar_off = ctx.engine.calendar.off_hours(ev.ts);
        let look = bulk::seen(ctx, ev, a);
        let role = a.role.as_deref().unwrap_or("");
        // Off-hours for this account: outside the calendar's hours and at an hour it does
        // not work (the calendar alone while its hours are not yet known).
        let off_hours = calendar_off && norms.unusual_hour(&a.user, role, look.hour);
        for &i in ctx.by_kind.get(Kind::TongfangQuery) {
            let (Params::Tongfang(p), Some(analyser)) = (&ctx.rules[i].params, &self.matchers[i]) else { continue };
            if allowed(p, a) {
                continue;
            }
            let (dict, dict_name) = match self.hospital_dictionaries.get_key_value(ctx.hospital) {
                Some((name, d)) => (d, name.as_str()),
                None => (&self.dictionary, ""),
            };
            let read = |sql: &str| self.read.get(i, dict_name, sql, || analyser.sql(sql, dict));
            if let Some(dims) = tongfang_dims(a, analyser, dict, read) {
                let c = tongfang(ctx, i, ev, a, p, off_hours, dims)
                    .evidence("calendar_off_hours", calendar_off)
                    .evidence("usual_hours", norms.usual_hours(&a.user, role));
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
            // The null holds the judged accesses whose time the clock can believe (those
            // that alerted at the threshold they passed).
            if trusted && bulk::eligible(p, &look) {
                norms.learn_score(slot, j.score, verdict.is_some().then(|| norms.threshold(slot, p).0));
            }
            let Some((reason, limit)) = verdict else { continue };
            if reason == "norm" && j.day > j.rows {
                norms.flag_day(&a.user, role, look.day);
            }
            let norm = norms.norm_evidence(&a.user, role, &j);
            out.push(bulk_alert(ctx, i, ev, a, calendar_off, (reason, limit), norm, j));
        }
        if trusted {
            norms.record(&a.user, role, &look);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn bulk_alert(
    ctx: &Ctx,
    i: usize,
    ev: &Event,
    a: &Access,
    off_hours: bool,
    (reason, limit): (&'static str, serde_json::Value),
    norm: serde_json::Value,
    j: Judgement,
) -> Candidate {
    let factors: Vec<_> = j.factors.iter().map(|(k, n, why)| json!({"factor": k, "nats": n, "detail": why})).collect();
    let mut c = base(ctx, i, ev, a, off_hours)
        .evidence("observed", a.rows)
        .evidence("reason", reason)
        .evidence("threshold", limit.clone())
        .evidence("norm", norm.clone())
        .evidence("rows_surprise", round(j.rows, 2))
        .evidence("day_surprise", round(j.day, 2))
        .evidence("day_total_rows", j.day_rows)
        .evidence("factors", factors);
    let rows = a.rows.unwrap_or(0);
    let typical = norm.get("typical_rows").and_then(|v| v.as_f64());
    c.title = match reason {
        "rows" => format!(
            "批量导出处方数据：账号 {} 一次{}返回 {} 行（硬上限 {}）",
            a.user,
            action_zh(a.action),
            rows,
            limit["max_rows"]
        ),
        "off_hours_export" => format!(
            "非常规时间导出处方数据：账号 {} 于 {} 导出 {} 行（其常用时段 {}）",
            a.user,
            ctx.engine.zone.format(ev.ts),
            rows,
            norm["usual_hours"].as_str().unwrap_or("未知")
        ),
        "night_export" => {
            let n = a.rows.map_or("行数未知".to_string(), |r| format!("{r} 行"));
            format!("深夜导出处方数据：账号 {} 于 {} 导出 {n}", a.user, ctx.engine.zone.format(ev.ts))
        }
        _ => {
            let why: Vec<&str> = j.factors.iter().map(|f| f.2.as_str()).collect();
            let why = if why.is_empty() { String::new() } else { format!("；{}", why.join("，")) };
            let typical = typical.map_or("未知".to_string(), |t| format!("{t}"));
            match a.rows {
                None => format!("异常数据访问：账号 {} 一次{}（行数未知）{why}", a.user, action_zh(a.action)),
                Some(_) if j.day > j.rows => format!(
                    "异常批量访问：账号 {} 当日累计返回 {} 行，远超其常态（日均约 {} 行）{why}",
                    a.user,
                    j.day_rows,
                    norm.get("typical_day_rows")
                        .and_then(|v| v.as_f64())
                        .map_or("未知".to_string(), |t| format!("{t}"))
                ),
                Some(_) if j.rows > 0.0 => format!(
                    "异常批量访问：账号 {} 一次{}返回 {rows} 行，远超其常态（约 {typical} 行）{why}",
                    a.user,
                    action_zh(a.action)
                ),
                Some(_) => format!(
                    "异常数据访问：账号 {} 一次{}返回 {rows} 行（其常态约 {typical} 行）{why}",
                    a.user,
                    action_zh(a.action)
                ),
            }
        }
    };
    c
}

fn allowed(p: &TongfangParams, a: &Access) -> bool {
    p.allowed_users.iter().any(|u| *u == a.user)
        || a.role.as_deref().is_some_and(|r| p.allowed_roles.iter().any(|x| x == r))
}

/// The doctor and drug dimensions when the access aggregates by both: its `group_by` list,
/// else its SQL (and how much of the SQL was read).
/// `read`: the verdict on a statement.
fn tongfang_dims(
    a: &Access,
    analyser: &Analyser,
    dict: &Dictionary,
    read: impl FnOnce(&str) -> Analysis,
) -> Option<(Finding, &'static str, Option<Analysis>)> {
    if let Some(f) = analyser.listed(&a.group_by, dict) {
        return Some((f, "group_by", None));
    }
    let analysis = read(a.sql.as_deref()?);
    Some((analysis.finding.clone()?, "sql", Some(analysis)))
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
    (found, source, analysis): (Finding, &'static str, Option<Analysis>),
) -> Candidate {
    let mut c = base(ctx, i, ev, a, off_hours)
        .evidence("doctor_dimension", found.doctor)
        .evidence("drug_dimension", found.drug)
        .evidence("detected_from", source)
        .evidence("reason", found.reason)
        .evidence("doctor_basis", found.doctor_basis)
        .evidence("drug_basis", found.drug_basis)
        .evidence("rows", a.rows)
        .evidence("allowed_roles", json!(p.allowed_roles));
    if let Some(sql) = &a.sql {
        c = c.evidence("sql", sql.chars().take(2000).collect::<String>());
    }
    if let Some(an) = analysis.filter(Analysis::truncated) {
        c = c.evidence("sql_bytes", an.total).evidence("sql_scanned_bytes", an.scanned).evidence(
            "sql_note",
            format!("SQL longer than max_sql_bytes: only its first {} of {} bytes were read", an.scanned, an.total),
        );
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
