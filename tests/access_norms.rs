//! `bulk_export` against learned norms, through `replay`: a hospital whose pharmacists and
//! finance staff run reports of hundreds to thousands of rows every working day (and
//! sometimes ten times more), doctors look up their patients, IT runs ad-hoc SQL, a night
//! pharmacy works the small hours. Two shapes of background; the planted accesses must be
//! found, and the background must stay within the budget.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::*;
use serde_json::Value;

/// xorshift64*: a generator of our own, so the test depends on nothing it does not show.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() * v.len() as f64) as usize % v.len()]
    }
}

#[derive(Clone)]
struct Account {
    user: String,
    role: &'static str,
    per_day: f64,
    median_rows: f64,
    sigma: f64,
    export_share: f64,
    start_hour: f64,
    span: f64,
    ips: Vec<String>,
    objects: Vec<String>,
    app: &'static str,
}

/// (role, accounts, accesses a day, rows low..high, export share, app)
type Role = (&'static str, usize, f64, (f64, f64), f64, &'static str);

struct Shape {
    seed: u64,
    days: i64,
    roles: Vec<Role>,
    night_shift: f64,
}

fn ts(day: i64, hour: f64) -> String {
    let (d, h) = (day + (hour / 24.0).floor() as i64, hour.rem_euclid(24.0));
    let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Duration::days(d);
    let secs = (h * 3600.0) as u32;
    format!("{date}T{:02}:{:02}:{:02}+08:00", secs / 3600, secs / 60 % 60, secs % 60)
}

#[allow(clippy::too_many_arguments)]
fn line(
    out: &mut String,
    id: &mut u64,
    when: &str,
    a: &Account,
    action: &str,
    obj: &str,
    ip: &str,
    app: &str,
    rows: u64,
) {
    *id += 1;
    writeln!(
        out,
        r#"{{"type":"access","event_id":"a{id}","ts":"{when}","hospital":"HN","user":"{}","role":"{}","client_ip":"{ip}","app":"{app}","action":"{action}","object":"{obj}","rows":{rows}}}"#,
        a.user, a.role
    )
    .unwrap();
}

/// The background and the planted accesses (event ids of those that must alert).
fn hospital(shape: &Shape) -> (String, Vec<String>, usize) {
    let mut r = Rng(shape.seed);
    let mut accounts = Vec::new();
    for &(role, n, per_day, (lo, hi), exports, app) in &shape.roles {
        for i in 0..n {
            let night = role == "pharmacist" && r.next() < shape.night_shift;
            accounts.push(Account {
                user: format!("{role}{i:03}"),
                role,
                per_day: per_day * (0.5 + r.next()),
                median_rows: (lo.ln() + r.next() * (hi / lo).ln()).exp(),
                sigma: 0.2 + r.next() * 0.6,
                export_share: exports * r.next() * 2.0,
                start_hour: if night { 20.0 } else { *r.pick(&[7.5, 8.0, 8.0, 8.5]) },
                span: *r.pick(&[8.0, 9.0, 10.0, 11.0]),
                ips: (0..1 + (r.next() * 3.0) as usize)
                    .map(|k| format!("10.{}.{}.{k}", i % 9, (r.next() * 250.0) as u32))
                    .collect(),
                objects: (0..1 + (r.next() * 4.0) as usize)
                    .map(|_| format!("报表{}", (r.next() * 30.0) as u32))
                    .collect(),
                app,
            });
        }
    }
    let (mut out, mut id) = (String::new(), 0u64);
    for day in 0..shape.days {
        let weekend = day % 7 >= 5;
        for a in &accounts {
            if weekend && a.role != "pharmacist" {
                continue;
            }
            let n = (-a.per_day * r.next().max(1e-9).ln()).round() as usize;
            for _ in 0..n {
                let hour = a.start_hour + r.next() * a.span;
                let mut rows = (a.median_rows * (a.sigma * r.normal()).exp()).max(1.0);
                if r.next() < 0.005 {
                    rows *= 3.0 + r.next() * 5.0;
                }
                let action =
                    if r.next() < a.export_share { "export" } else { *r.pick(&["query", "query", "report", "print"]) };
                let (obj, ip) = (r.pick(&a.objects).clone(), r.pick(&a.ips).clone());
                line(&mut out, &mut id, &ts(day, hour), a, action, &obj, &ip, a.app, rows as u64);
            }
        }
    }
    // Planted: a doctor who reads a few dozen rows exports 6,000 from a tool they never used;
    // an account new to the hospital exports at 02:00; a finance clerk pulls 60,000 rows.
    let doctor = accounts.iter().find(|a| a.role == "doctor").unwrap();
    let when = ts(shape.days - 5, 14.2);
    line(&mut out, &mut id, &when, doctor, "export", "门诊处方明细", &doctor.ips[0], "Navicat", 6000);
    let mut planted = vec![format!("a{id}")];
    let stranger = Account {
        user: "tmp.user".into(),
        role: "it",
        ips: vec!["10.9.9.9".into()],
        objects: vec![],
        ..doctor.clone()
    };
    line(&mut out, &mut id, &ts(shape.days - 4, 2.1), &stranger, "export", "门诊处方明细", "10.9.9.9", "sqlplus", 800);
    planted.push(format!("a{id}"));
    let clerk = accounts.iter().find(|a| a.role == "finance").unwrap();
    line(
        &mut out,
        &mut id,
        &ts(shape.days - 3, 10.0),
        clerk,
        "query",
        &clerk.objects[0],
        &clerk.ips[0],
        clerk.app,
        60_000,
    );
    planted.push(format!("a{id}"));
    (out, planted, accounts.len())
}

fn run(shape: &Shape, dir: &Path) -> (Vec<Value>, Vec<String>, usize) {
    let (text, planted, accounts) = hospital(shape);
    let input = dir.join(format!("access-{}.ndjson", shape.seed));
    std::fs::write(&input, text).unwrap();
    let (alerts, _) = replay(&[&input], &root().join("rules"), None, dir);
    (alerts, planted, accounts)
}

fn check(shape: Shape) {
    let dir = tempfile::tempdir().unwrap();
    let (alerts, planted, accounts) = run(&shape, dir.path());
    let bulk: Vec<&Value> = alerts.iter().filter(|a| a["kind"] == "bulk_export").collect();
    for a in &bulk {
        check_contract(a);
    }
    let fired = |id: &str| bulk.iter().find(|a| a["evidence"]["event_id"] == id).copied();
    let doctor = fired(&planted[0]).unwrap_or_else(|| panic!("the doctor's export was missed: {bulk:#?}"));
    assert_eq!(doctor["evidence"]["reason"], "norm");
    // Its first export, and doctors export nothing: judged on the hospital's exports, and
    // found by what is new for it.
    assert_eq!(doctor["evidence"]["norm"]["basis"], "hospital", "{doctor:#}");
    let factors: Vec<&str> =
        doctor["evidence"]["factors"].as_array().unwrap().iter().map(|f| f["factor"].as_str().unwrap()).collect();
    assert!(
        factors.contains(&"export") && factors.contains(&"new_app") && factors.contains(&"beyond_max"),
        "{factors:?}"
    );
    assert_eq!(fired(&planted[1]).expect("the stranger's night export")["evidence"]["reason"], "night_export");
    assert_eq!(fired(&planted[2]).expect("60,000 rows")["evidence"]["reason"], "rows");
    // The calibrated part spends its budget (0.5 per 100 accounts per month at the shipped
    // rules) with room to spare; the hard limits are the office's fixed policy and fire on
    // this background's rare 30–65,000-row spikes.
    let background: Vec<&&Value> =
        bulk.iter().filter(|a| !planted.iter().any(|p| a["evidence"]["event_id"] == **p)).collect();
    let norm = background.iter().filter(|a| a["evidence"]["reason"] == "norm").count();
    let per = |n: usize| n as f64 / accounts as f64 * 100.0 / (shape.days as f64 / 30.0);
    eprintln!(
        "seed {}: {accounts} accounts, {} background bulk_export alerts ({norm} by the norm) = {:.2} ({:.2}) per 100 accounts per month",
        shape.seed,
        background.len(),
        per(background.len()),
        per(norm)
    );
    assert!(per(norm) <= 1.0, "{:.2} false norm alerts per 100 accounts per month: {background:#?}", per(norm));
    assert!(
        per(background.len()) <= 2.0,
        "{:.2} false alerts per 100 accounts per month: {background:#?}",
        per(background.len())
    );
}

#[test]
fn a_busy_reporting_hospital_stays_within_the_budget_and_finds_the_planted() {
    check(Shape {
        seed: 0x5eed_0001,
        days: 56,
        roles: vec![
            ("doctor", 120, 4.0, (2.0, 40.0), 0.0, "HIS"),
            ("pharmacist", 25, 8.0, (200.0, 3000.0), 0.1, "报表平台"),
            ("finance", 12, 5.0, (800.0, 6000.0), 0.4, "报表平台"),
            ("it", 4, 8.0, (5.0, 5000.0), 0.2, "PL/SQL Developer"),
        ],
        night_shift: 0.2,
    });
}

#[test]
fn a_smaller_hospital_of_another_rhythm() {
    check(Shape {
        seed: 0x5eed_0002,
        days: 42,
        roles: vec![
            ("doctor", 60, 2.0, (1.0, 80.0), 0.0, "HIS"),
            ("nurse", 30, 3.0, (1.0, 30.0), 0.0, "HIS"),
            ("pharmacist", 10, 12.0, (500.0, 4000.0), 0.3, "BI"),
            ("finance", 6, 3.0, (2000.0, 5000.0), 0.6, "BI"),
            ("medical_affairs", 3, 3.0, (100.0, 2000.0), 0.2, "BI"),
        ],
        night_shift: 0.4,
    });
}

/// One access stamped a year ahead and one stamped 2001 (a workstation with a wrong clock)
/// change nothing: the norms learn only from times within a week of the hospital's clock, so
/// the days covered, the budget, the warm-up and the account's day are untouched.
#[test]
fn wrongly_stamped_accesses_do_not_move_the_norms() {
    let shape = Shape {
        seed: 0x5eed_0003,
        days: 42,
        roles: vec![
            ("doctor", 80, 4.0, (2.0, 40.0), 0.0, "HIS"),
            ("pharmacist", 15, 8.0, (200.0, 3000.0), 0.1, "报表平台"),
            ("finance", 8, 5.0, (800.0, 6000.0), 0.4, "报表平台"),
        ],
        night_shift: 0.2,
    };
    let dir = tempfile::tempdir().unwrap();
    let (text, _, _) = hospital(&shape);
    let wrong = [
        r#"{"type":"access","event_id":"w1","ts":"2027-06-01T10:00:00+08:00","hospital":"HN","user":"doctor000","role":"doctor","client_ip":"10.0.0.1","app":"HIS","action":"query","object":"报表1","rows":20}"#,
        r#"{"type":"access","event_id":"w2","ts":"2001-01-01T10:00:00+08:00","hospital":"HN","user":"doctor001","role":"doctor","client_ip":"10.0.0.1","app":"HIS","action":"query","object":"报表1","rows":20}"#,
    ];
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines.len() / 10;
    lines.splice(at..at, wrong);
    let (clean, stamped) = (dir.path().join("clean.ndjson"), dir.path().join("stamped.ndjson"));
    std::fs::write(&clean, text.as_bytes()).unwrap();
    std::fs::write(&stamped, lines.join("\n") + "\n").unwrap();
    let ids = |input: &Path| -> Vec<String> {
        let (alerts, _) = replay(&[input], &root().join("rules"), None, dir.path());
        let mut v: Vec<String> = alerts
            .iter()
            .filter(|a| a["kind"] == "bulk_export")
            .map(|a| format!("{} {}", a["evidence"]["event_id"], a["evidence"]["reason"]))
            .collect();
        v.sort();
        v
    };
    let (a, b) = (ids(&clean), ids(&stamped));
    assert!(!a.is_empty(), "the planted accesses alert");
    assert_eq!(a, b, "two wrongly stamped accesses changed the bulk_export alerts");
}
