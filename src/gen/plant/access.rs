//! Data-access plants: 统方 queries by roles not allowed to run them (seen in `group_by` or
//! only in the SQL text), and bulk or off-hours exports — with near misses by allowed roles
//! and by queries that aggregate over only one of doctor and drug.

use chrono::Datelike;
use rand::Rng;

use super::super::calendar::DayKind;
use super::super::people::Role;
use super::super::record::AccessBody;
use super::{PlantCtx, Truth, FIRST_DAY};

/// When a planted access happens.
#[derive(Copy, Clone)]
enum When {
    /// A workday, 08:30–17:30.
    Working,
    /// A workday at 10:xx.
    TenOclock,
    /// A workday evening or early morning (20:30–23:30 or 00:30–06:30).
    Night,
    /// A Saturday or Sunday that is not a worked 调休 day, daytime.
    Weekend,
}

fn schedule(cx: &mut PlantCtx, when: When) -> (u32, u32) {
    match when {
        When::Working => (cx.day(true), cx.time(8.5, 17.5)),
        When::TenOclock => (cx.day(true), cx.time(10.0, 10.99)),
        When::Night => {
            let t = if cx.rng.gen::<bool>() { cx.time(20.5, 23.5) } else { cx.time(0.5, 6.5) };
            (cx.day(true), t)
        }
        When::Weekend => (weekend_day(cx), cx.time(9.0, 18.0)),
    }
}

fn weekend_day(cx: &mut PlantCtx) -> u32 {
    let p = cx.h.period;
    let days: Vec<u32> =
        (FIRST_DAY..p.days).filter(|&d| matches!(p.kind(d), DayKind::Saturday | DayKind::Sunday)).collect();
    cx.pick(&days).unwrap_or(FIRST_DAY)
}

/// An account of `role` (the fixed back-office roster always has one of each).
fn account(cx: &mut PlantCtx, role: Role) -> (String, String) {
    let c: Vec<usize> = (0..cx.h.staff.len()).filter(|&i| cx.h.staff[i].role == role).collect();
    let s = &cx.h.staff[cx.pick(&c).unwrap_or(0)];
    (s.user.clone(), s.ip.clone())
}

/// The first day of the month before `day`'s, as an Oracle date literal: the range a
/// monthly 统方 pulls.
fn month_start(cx: &PlantCtx, day: u32) -> String {
    let d = cx.h.period.date(day);
    let (y, m) = if d.month() == 1 { (d.year() - 1, 12) } else { (d.year(), d.month() - 1) };
    format!("date '{y:04}-{m:02}-01'")
}

/// The statement shapes a 统方 takes in the wild, by HIS dialect.
fn tongfang_sql(cx: &mut PlantCtx, style: usize, day: u32) -> String {
    let since = month_start(cx, day);
    match style {
        0 => format!("select ysdm, ypxh, sum(ypsl) from ms_cf02 where kfrq >= {since} group by ysdm, ypxh"),
        1 => format!(
            "select a.doctor_id, b.drug_code, sum(b.qty) as total from rx_header a join rx_detail b on a.rx_id = b.rx_id \
             where a.rx_date >= {since} group by a.doctor_id, b.drug_code order by 3 desc"
        ),
        _ => {
            // A rep's portfolio: one manufacturer's products only.
            let rep = cx.h.reps.first().map(|r| r.products.clone()).unwrap_or_default();
            let codes: Vec<String> = rep.iter().take(6).map(|&d| format!("'{}'", cx.h.drugs[d].code)).collect();
            let filter = if codes.is_empty() { String::new() } else { format!(" and ypdm in ({})", codes.join(", ")) };
            format!("SELECT KDYS, YPDM, COUNT(*), SUM(HJJE) FROM MS_CF02 WHERE KFRQ >= {since}{filter} GROUP BY KDYS, YPDM")
        }
    }
}

fn body(
    user: String,
    ip: String,
    role: Role,
    app: &'static str,
    action: &'static str,
    object: &'static str,
    rows: u32,
) -> AccessBody {
    AccessBody { user, role: role.as_str(), client_ip: ip, app, action, object, rows, ..AccessBody::default() }
}

fn truth(kind: &str, note: String) -> Truth {
    Truth { kind: kind.to_string(), note, ..Truth::default() }
}

pub fn tongfang(cx: &mut PlantCtx) {
    // (role, sql style or None for group_by, when, app, violation?)
    let cases: [(Role, Option<usize>, When, &'static str, bool); 10] = [
        (Role::Pharmacist, None, When::Working, "HIS药房管理", true),
        (Role::It, Some(0), When::Night, "PL/SQL Developer", true),
        (Role::Finance, Some(1), When::Working, "Navicat", true),
        (Role::It, Some(2), When::Weekend, "Navicat", true),
        (Role::Pharmacist, None, When::Night, "PL/SQL Developer", true),
        (Role::MedicalAffairs, Some(0), When::Working, "PL/SQL Developer", false),
        (Role::Discipline, None, When::Night, "纪检监察平台", false),
        // Not 统方: one dimension is the department, or only the doctor is aggregated.
        (Role::It, Some(10), When::Working, "PL/SQL Developer", false),
        (Role::Pharmacist, Some(11), When::Working, "HIS药房管理", false),
        (Role::It, Some(12), When::Night, "PL/SQL Developer", false),
    ];
    for (role, style, when, app, violation) in cases {
        let (day, time) = schedule(cx, when);
        let (user, ip) = account(cx, role);
        let rows = cx.rng.gen_range(40..=480);
        let mut b = body(user, ip, role, app, "query", "门诊处方明细", rows);
        let note = match style {
            None => {
                b.group_by = vec!["doctor", "drug"];
                format!("{}按医生×药品汇总处方（group_by）", role.as_str())
            }
            Some(s @ 0..=2) => {
                b.sql = Some(tongfang_sql(cx, s, day));
                format!("{}在{app}中执行按医生×药品汇总的SQL", role.as_str())
            }
            Some(10) => {
                b.sql = Some(format!(
                    "select ksdm, ypxh, sum(ypsl) from ms_cf02 where kfrq >= {} group by ksdm, ypxh",
                    month_start(cx, day)
                ));
                "按科室×药品汇总，不是统方".to_string()
            }
            Some(11) => {
                b.group_by = vec!["dept", "drug"];
                b.action = "report";
                "科室用药统计（科室×药品），不是统方".to_string()
            }
            Some(_) => {
                b.sql = Some(format!(
                    "select ysdm, count(*) from ms_cf01 where kfrq >= {} group by ysdm",
                    month_start(cx, day)
                ));
                "只按医生汇总处方数，不是统方".to_string()
            }
        };
        let kind = if violation { "tongfang_query" } else { "near_miss:tongfang_query" };
        let note = if violation || style.is_some_and(|s| s >= 10) { note } else { format!("{note}，角色允许") };
        cx.access(day, time, b, truth(kind, note));
    }
}

/// One bulk-export case.
struct Bulk {
    role: Role,
    action: &'static str,
    rows: (u32, u32),
    when: When,
    app: &'static str,
    object: &'static str,
    violation: bool,
}

const fn bulk(
    role: Role,
    action: &'static str,
    rows: (u32, u32),
    when: When,
    app: &'static str,
    object: &'static str,
    violation: bool,
) -> Bulk {
    Bulk { role, action, rows, when, app, object, violation }
}

const BULK: [Bulk; 6] = [
    bulk(Role::It, "query", (3000, 20000), When::Working, "PL/SQL Developer", "门诊处方明细", true),
    bulk(Role::Finance, "export", (5000, 12000), When::Working, "HIS财务报表", "门诊处方明细", true),
    bulk(Role::Pharmacist, "export", (50, 300), When::Night, "HIS药房管理", "处方明细导出", true),
    bulk(Role::It, "export", (20, 200), When::Weekend, "Navicat", "门诊处方明细", true),
    // Near misses: just under the row limit; an export in working hours.
    bulk(Role::Pharmacist, "query", (480, 480), When::Working, "HIS药房管理", "门诊处方明细", false),
    bulk(Role::Finance, "export", (150, 300), When::TenOclock, "HIS财务报表", "科室收入报表", false),
];

pub fn bulk_export(cx: &mut PlantCtx) {
    for &Bulk { role, action, rows: (lo, hi), when, app, object, violation } in &BULK {
        let (day, time) = schedule(cx, when);
        let (user, ip) = account(cx, role);
        let rows = cx.rng.gen_range(lo..=hi);
        let mut b = body(user, ip, role, app, action, object, rows);
        if role == Role::It {
            b.sql = Some("select * from ms_cf02 where kfrq between :1 and :2".to_string());
        }
        let (kind, note) = match (violation, rows > 500) {
            (true, true) => ("bulk_export", format!("{action}返回{rows}行（上限500）")),
            (true, false) => ("bulk_export", format!("非工作时间{action}处方数据{rows}行")),
            (false, _) if action == "export" => ("near_miss:bulk_export", "工作日10点导出，不违规".to_string()),
            (false, _) => ("near_miss:bulk_export", format!("工作时间{action}{rows}行，未超上限")),
        };
        cx.access(day, time, b, truth(kind, note));
    }
}
