//! Background of the audit log and the rep-visit register. Accesses are what a HIS sees all
//! day: pharmacists looking up and printing prescriptions, doctors opening records, finance
//! and IT reports grouped by department — and 医务科/纪检 running legitimate doctor × drug
//! statistics (处方点评, 超常预警), which the rules allow. Everything here is within working
//! hours, returns at most a few hundred rows, and exports only on workdays.

use rand::Rng;
use rand_pcg::Pcg64;
use serde_json::json;

use super::calendar::HOUR;
use super::day::DayCtx;
use super::hospital::Hospital;
use super::people::{Role, Staff};
use super::record::{AccessBody, Kind, RepVisitBody};
use super::rng;

/// Mean accesses per account per day (workday, other day).
fn rate(role: Role) -> (f64, f64) {
    match role {
        Role::Pharmacist => (14.0, 1.5),
        Role::Doctor => (6.0, 1.5),
        Role::Finance => (3.0, 0.0),
        Role::It => (4.0, 0.5),
        Role::MedicalAffairs => (0.4, 0.0),
        Role::Discipline => (0.1, 0.0),
    }
}

pub fn background(cx: &mut DayCtx) {
    let h = cx.h;
    let workday = h.period.is_workday(cx.day);
    for s in &h.staff {
        // A doctor's own account is quiet while the doctor is away.
        if s.doctor.is_some_and(|d| cx.plan.effects.absent(d, cx.day)) {
            continue;
        }
        let (on, off) = rate(s.role);
        for _ in 0..rng::poisson(&mut cx.rng, if workday { on } else { off }) {
            let time = cx.rng.gen_range(8 * HOUR..17 * HOUR + HOUR / 2);
            let body = access(h, s, workday, &mut cx.rng);
            cx.out.push(cx.day_start + i64::from(time), Kind::Access, &body);
        }
    }
}

fn access(h: &Hospital, s: &Staff, workday: bool, rng: &mut Pcg64) -> AccessBody {
    let mut b = AccessBody {
        user: s.user.clone(),
        role: s.role.as_str(),
        client_ip: s.ip.clone(),
        action: "query",
        rows: 1,
        ..AccessBody::default()
    };
    let x: f64 = rng.gen();
    match s.role {
        Role::Pharmacist => {
            b.app = "HIS药房管理";
            if x < 0.55 || (!workday && x >= 0.75) {
                b.object = "门诊处方";
                b.sql = Some("select * from ms_cf01 where cfhm = :1".to_string());
            } else if x < 0.75 {
                b.action = "print";
                b.object = "处方笺";
            } else if x < 0.9 {
                b.action = "report";
                b.object = "药品库存";
                b.group_by = vec!["drug"];
                b.rows = rng.gen_range(50..=300);
            } else {
                b.action = "report";
                b.object = "科室用药统计";
                b.group_by = vec!["dept"];
                b.rows = rng.gen_range(5..=20);
            }
        }
        Role::Doctor => {
            b.app = "HIS医生站";
            b.object = "患者信息";
            b.rows = rng.gen_range(1..=30);
            b.sql = Some(if x < 0.5 {
                "select * from zy_brry where zyh = :1".to_string()
            } else {
                "select * from ms_cf01 where brid = :1 order by kfrq desc".to_string()
            });
        }
        Role::Finance => {
            b.app = "HIS财务报表";
            b.object = "科室收入报表";
            b.action = if workday && x < 0.3 { "export" } else { "report" };
            b.group_by = if rng.gen::<bool>() { vec!["dept"] } else { vec!["dept", "category"] };
            b.rows = rng.gen_range(11..=150);
        }
        Role::It => {
            if x < 0.5 {
                b.app = "PL/SQL Developer";
                b.object = "门诊处方";
                b.sql = Some("select count(*) from ms_cf01 where kfrq >= trunc(sysdate)".to_string());
            } else if x < 0.8 {
                b.app = "HIS运维平台";
                b.object = "员工字典";
                b.sql = Some("select * from gy_ygdm where ygdm = :1".to_string());
            } else {
                b.app = "PL/SQL Developer";
                b.object = "门诊处方";
                b.sql =
                    Some("select ksdm, count(*) from ms_cf01 where kfrq >= trunc(sysdate) group by ksdm".to_string());
                b.rows = rng.gen_range(5..=20);
            }
        }
        // 处方点评 and 超常预警: doctor × drug statistics by the office that is meant to run them.
        Role::MedicalAffairs => {
            b.object = "处方点评";
            b.rows = rng.gen_range(100..=450);
            if x < 0.7 {
                b.app = "合理用药监测系统";
                b.action = "report";
                b.group_by = vec!["doctor", "drug"];
            } else {
                b.app = "PL/SQL Developer";
                b.sql = Some("select ysdm, ypxh, sum(ypsl), sum(hjje) from ms_cf02 where kfrq >= trunc(sysdate, 'mm') group by ysdm, ypxh".to_string());
            }
        }
        Role::Discipline => {
            b.app = "纪检监察平台";
            b.object = "门诊处方明细";
            b.group_by = vec!["doctor", "drug"];
            let drug = &h.drugs[rng.gen_range(0..h.drugs.len())];
            b.filters = Some(json!({ "drug": drug.code }));
            b.rows = rng.gen_range(5..=60);
        }
    }
    b
}

/// Registered reps call on one or two doctors of their department on about half the
/// workdays, in the morning or early afternoon. These visits do not change prescribing
/// (the `scheme:rep_visit_lift` plant adds visits that do).
pub fn rep_visits(cx: &mut DayCtx) {
    let h = cx.h;
    if !h.period.is_workday(cx.day) {
        return;
    }
    for rep in &h.reps {
        let doctors = &h.depts[rep.dept].doctors;
        if doctors.is_empty() || cx.rng.gen::<f64>() >= 0.45 {
            continue;
        }
        let first = doctors[cx.rng.gen_range(0..doctors.len())];
        let second = doctors[cx.rng.gen_range(0..doctors.len())];
        let mut visited = if second != first && cx.rng.gen::<bool>() { vec![first, second] } else { vec![first] };
        // Reps see only doctors at work.
        visited.retain(|&d| !cx.plan.effects.absent(d, cx.day));
        for doc in visited {
            let time = if cx.rng.gen::<bool>() {
                cx.rng.gen_range(9 * HOUR..11 * HOUR + HOUR / 2)
            } else {
                cx.rng.gen_range(14 * HOUR..16 * HOUR + HOUR / 2)
            };
            let n = cx.rng.gen_range(1..=3).min(rep.products.len());
            let mut products: Vec<&str> = Vec::with_capacity(n);
            while products.len() < n {
                let p = h.drugs[rep.products[cx.rng.gen_range(0..rep.products.len())]].code.as_str();
                if !products.contains(&p) {
                    products.push(p);
                }
            }
            let body = RepVisitBody::to_doctor(h, doc, (&rep.id, rep.company, rep.manufacturer), products);
            cx.out.push(cx.day_start + i64::from(time), Kind::RepVisit, &body);
        }
    }
}
