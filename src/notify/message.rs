//! What a receiver is sent: the CONTRACT §3 alert as JSON (webhook), Alertmanager's
//! `/api/v2/alerts` list, and for people — WeCom and DingTalk markdown, mail — a digest in
//! Chinese: what happened (the rule's title), the numbers, the window, where to look (the
//! alert id, and the office's link when configured). Never a patient id (no alert carries
//! one); the doctor as the receiver's `doctor` setting says; the evidence JSON only in mail.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::config::{DoctorShown, Receiver};
use super::queue::Queued;

/// Doctor names from the rosters, for receivers with `doctor = "name"`.
#[derive(Default, Debug)]
pub struct Names {
    /// The shared roster (`catalog/doctors.csv`).
    pub default: HashMap<String, String>,
    /// Hospitals with their own roster (`catalog/<hospital>/`).
    pub by_hospital: HashMap<String, HashMap<String, String>>,
}

impl Names {
    pub fn from_rules(rules: &crate::rules::RuleSet) -> Names {
        let names = |c: &crate::rules::Catalog| -> HashMap<String, String> {
            c.doctors.iter().filter(|(_, d)| !d.name.is_empty()).map(|(k, d)| (k.clone(), d.name.clone())).collect()
        };
        Names {
            default: names(&rules.catalog),
            by_hospital: rules.hospital_catalogs.iter().map(|(h, c)| (h.clone(), names(c))).collect(),
        }
    }

    pub fn get(&self, hospital: &str, doctor: &str) -> Option<&String> {
        self.by_hospital.get(hospital).unwrap_or(&self.default).get(doctor)
    }
}

pub fn kind_zh(kind: &str) -> &str {
    match kind {
        "suspended_drug" => "停用药品使用",
        "restricted_drug" => "限用药品使用",
        "antibiotic_privilege" => "抗菌药物越级使用",
        "controlled_privilege" => "麻精药品无权限处方",
        "large_rx" => "大处方",
        "drug_share" => "药占比异常",
        "material_share" => "耗材占比异常",
        "surge" => "用量异常增长",
        "peer_outlier" => "用量显著高于同科室",
        "concentration" => "处方过度集中",
        "overuse_warning" => "超常预警",
        "rep_visit_lift" => "医药代表来访后用量上升",
        "tongfang_query" => "统方查询",
        "bulk_export" => "批量导出处方数据",
        other => other,
    }
}

pub fn severity_zh(s: &str) -> &str {
    match s {
        "info" => "提示",
        "low" => "低",
        "medium" => "中",
        "high" => "高",
        "critical" => "严重",
        other => other,
    }
}

/// The numbers worth a line, in this order, with their Chinese labels.
const FACTS: [(&str, &str); 22] = [
    ("observed", "观察值"),
    ("expected", "期望值"),
    ("baseline", "基线"),
    ("ratio", "倍数"),
    ("threshold", "阈值"),
    ("p_value", "p 值"),
    ("score", "得分"),
    ("rows", "行数"),
    ("day_total_rows", "当日累计行数"),
    ("growth", "增长率"),
    ("qty", "数量"),
    ("amount", "金额(元)"),
    ("drug_level", "药品级别"),
    ("granted_level", "授权级别"),
    ("controlled_class", "管制类别"),
    ("action", "操作"),
    ("object", "对象"),
    ("role", "角色"),
    ("app", "客户端"),
    ("client_ip", "终端"),
    ("local_time", "发生时间"),
    ("reason", "依据"),
];

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.chars().take(80).collect()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() != 0.0 && f.abs() < 1e-3 => format!("{f:.1e}"),
            Some(f) if f.fract() != 0.0 => format!("{}", (f * 10_000.0).round() / 10_000.0),
            Some(f) if f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        }),
        Value::Bool(b) => Some(if *b { "是" } else { "否" }.to_owned()),
        _ => None,
    }
}

/// "观察值 30 · 期望值 10.09 · 倍数 2.97 · …"
pub fn facts(a: &Queued) -> String {
    FACTS
        .iter()
        .filter_map(|(k, zh)| a.evidence.get(*k).and_then(scalar).map(|v| format!("{zh} {v}")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The window the alert judged: start–end, or the day, or the alert's time.
pub fn window(a: &Queued) -> String {
    let s = |k: &str| a.evidence.get(k).and_then(Value::as_str).map(str::to_owned);
    match (s("window_start"), s("window_end")) {
        (Some(x), Some(y)) if x != y => format!("{x} 至 {y}"),
        (Some(x), _) | (None, Some(x)) => x,
        _ => s("day").unwrap_or_else(|| a.ts.clone()),
    }
}

/// Who and what the alert is about, as the receiver may show it.
pub fn subject(a: &Queued, r: &Receiver, names: &Names) -> String {
    let mut parts = vec![format!("医院 {}", a.hospital)];
    if let Some(d) = &a.dept {
        parts.push(format!("科室 {d}"));
    }
    if let Some(doc) = &a.doctor {
        match r.doctor {
            DoctorShown::None => {}
            DoctorShown::Id => parts.push(format!("医生 {doc}")),
            DoctorShown::Name => match names.get(&a.hospital, doc) {
                Some(n) => parts.push(format!("医生 {n}（{doc}）")),
                None => parts.push(format!("医生 {doc}")),
            },
        }
    }
    if let Some(d) = &a.drug {
        parts.push(format!("药品 {d}"));
    }
    if let Some(m) = &a.manufacturer {
        parts.push(format!("企业 {m}"));
    }
    if let Some(u) = &a.user {
        parts.push(format!("账号 {u}"));
    }
    parts.join(" · ")
}

fn look(a: &Queued, r: &Receiver) -> String {
    match &r.link {
        Some(l) => l.replace("{alert_id}", &a.alert_id),
        None => format!("告警编号 {}", a.alert_id),
    }
}

fn head(first: &Queued, n: usize) -> String {
    let more = if n > 1 { format!("（{n} 条）") } else { String::new() };
    format!("【纪检预警】{}·{}{more}", kind_zh(&first.kind), severity_zh(&first.severity))
}

/// A robot's markdown digest of `alerts`, as many as fit in `limit` bytes (at least one,
/// cut to fit); returns the text and how many alerts it carries.
pub fn markdown(alerts: &[&Queued], r: &Receiver, names: &Names, limit: usize, dingtalk: bool) -> (String, usize) {
    let first = alerts[0];
    let title = head(first, alerts.len());
    let mut out = if dingtalk { format!("### {title}\n\n") } else { format!("**{title}**\n") };
    out.push_str(&format!("> 规则 {} · 医院 {}\n\n", first.rule, first.hospital));
    let mut n = 0;
    for (i, a) in alerts.iter().enumerate() {
        let mut item = format!("{}. **{}**\n", i + 1, a.title);
        item.push_str(&format!("   {}\n", subject(a, r, names)));
        let f = facts(a);
        if !f.is_empty() {
            if dingtalk {
                item.push_str(&format!("   {f}\n"));
            } else {
                item.push_str(&format!("   <font color=\"comment\">{f}</font>\n"));
            }
        }
        item.push_str(&format!("   窗口 {} · {}\n\n", window(a), look(a, r)));
        if n > 0 && out.len() + item.len() + 64 > limit {
            break;
        }
        out.push_str(&item);
        n += 1;
    }
    if out.len() > limit {
        let mut cut = limit.saturating_sub(8);
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("…\n");
    }
    (out, n)
}

/// Mail: subject and plain-text body of a digest.
pub fn mail(alerts: &[&Queued], r: &Receiver, names: &Names) -> (String, String) {
    let first = alerts[0];
    let title = format!("{} 规则 {} · 医院 {}", head(first, alerts.len()), first.rule, first.hospital);
    let mut body = String::from("rxsentinel 处方监测预警，请纪检监察室核查。\n\n");
    for (i, a) in alerts.iter().enumerate() {
        body.push_str(&format!("{}. {}\n", i + 1, a.title));
        body.push_str(&format!(
            "   类别：{}（{}）· 级别：{} · 规则 {}\n",
            kind_zh(&a.kind),
            a.kind,
            severity_zh(&a.severity),
            a.rule
        ));
        body.push_str(&format!("   对象：{}\n", subject(a, r, names)));
        let f = facts(a);
        if !f.is_empty() {
            body.push_str(&format!("   数据：{f}\n"));
        }
        body.push_str(&format!("   窗口：{}\n   触发时间：{}\n   查看：{}\n", window(a), a.ts, look(a, r)));
        if r.evidence {
            let ev = serde_json::to_string_pretty(&a.evidence).unwrap_or_default();
            body.push_str("   证据：\n");
            for l in ev.lines() {
                body.push_str("     ");
                body.push_str(l);
                body.push('\n');
            }
        }
        body.push('\n');
    }
    body.push_str("此邮件由 rxsentinel 自动发送，内容不含患者信息。告警编号可在告警文件或主题中检索。\n");
    (title, body)
}

/// Alertmanager `POST /api/v2/alerts`: one postable alert per alert. Labels identify it
/// (Alertmanager groups and deduplicates by them), annotations carry the text. An event
/// has no end: it is held `hold` past the send, then Alertmanager resolves it.
pub fn alertmanager(alerts: &[&Queued], r: &Receiver, names: &Names, now: chrono::DateTime<chrono::Utc>) -> Value {
    let ends = (now + chrono::Duration::hours(24)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let list: Vec<Value> = alerts
        .iter()
        .map(|a| {
            let mut labels = serde_json::Map::new();
            labels.insert("alertname".into(), json!(a.kind));
            labels.insert("rule".into(), json!(a.rule));
            labels.insert("severity".into(), json!(a.severity));
            labels.insert("hospital".into(), json!(a.hospital));
            labels.insert("alert_id".into(), json!(a.alert_id));
            for (k, v) in [("dept", &a.dept), ("drug", &a.drug), ("user", &a.user), ("manufacturer", &a.manufacturer)] {
                if let Some(v) = v {
                    labels.insert(k.into(), json!(v));
                }
            }
            if let (Some(d), true) = (&a.doctor, r.doctor != DoctorShown::None) {
                labels.insert("doctor".into(), json!(d));
            }
            let mut ann = serde_json::Map::new();
            ann.insert("summary".into(), json!(a.title));
            ann.insert(
                "description".into(),
                json!(format!("{}。{}。窗口 {}", subject(a, r, names), facts(a), window(a))),
            );
            ann.insert("evidence".into(), json!(serde_json::to_string(&a.evidence).unwrap_or_default()));
            let mut o = serde_json::Map::new();
            o.insert("labels".into(), Value::Object(labels));
            o.insert("annotations".into(), Value::Object(ann));
            o.insert("startsAt".into(), json!(a.ts));
            o.insert("endsAt".into(), json!(ends));
            if let Some(l) = &r.link {
                o.insert("generatorURL".into(), json!(l.replace("{alert_id}", &a.alert_id)));
            }
            Value::Object(o)
        })
        .collect();
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::config::NotifyConfig;

    fn alert(i: usize) -> Queued {
        let ev = json!({"observed": 30.0, "expected": 10.0912, "ratio": 2.97, "p_value": 4.04e-6,
            "window_start": "2026-03-28", "window_end": "2026-04-11", "sample_event_ids": ["e1"]});
        Queued {
            alert_id: format!("{i:064x}"),
            rule: "FP-01".into(),
            kind: "surge".into(),
            severity: "high".into(),
            ts: "2026-04-11T23:59:59+08:00".into(),
            hospital: "H01".into(),
            dept: Some("0301".into()),
            doctor: Some("D017".into()),
            drug: Some("Y0123".into()),
            user: None,
            manufacturer: None,
            title: "医生用量异常增长".into(),
            evidence: ev.as_object().unwrap().clone(),
        }
    }

    fn receiver(extra: &str) -> Receiver {
        let text = format!("queue_dir = \"q\"\n[[receiver]]\nname = \"r\"\ntype = \"wecom\"\nurl = \"https://x\"\n{extra}\n[[route]]\nreceivers = [\"r\"]\n");
        NotifyConfig::parse(&text, "n.toml", std::path::Path::new(".")).unwrap().receivers.remove(0)
    }

    #[test]
    fn the_digest_says_what_the_numbers_the_window_and_where_to_look() {
        let a = alert(1);
        let (md, n) = markdown(&[&a], &receiver(""), &Names::default(), 4096, false);
        assert_eq!(n, 1);
        for want in [
            "用量异常增长",
            "高",
            "医生用量异常增长",
            "科室 0301",
            "医生 D017",
            "观察值 30",
            "期望值 10.0912",
            "倍数 2.97",
            "p 值 4.0e-6",
            "2026-03-28 至 2026-04-11",
            &a.alert_id,
        ] {
            assert!(md.contains(want), "{want} missing in\n{md}");
        }
        assert!(!md.contains("e1"), "no sample ids in a robot message");
        let (md, _) = markdown(&[&a], &receiver("doctor = \"none\""), &Names::default(), 4096, false);
        assert!(!md.contains("D017"));
        let names = Names { default: [("D017".to_owned(), "张三".to_owned())].into(), ..Names::default() };
        let (md, _) = markdown(
            &[&a],
            &receiver("doctor = \"name\"\nlink = \"https://office/a/{alert_id}\""),
            &names,
            4096,
            false,
        );
        assert!(md.contains("张三（D017）") && md.contains(&format!("https://office/a/{}", a.alert_id)), "{md}");
    }

    #[test]
    fn a_digest_stops_at_the_byte_limit() {
        let alerts: Vec<Queued> = (0..40).map(alert).collect();
        let refs: Vec<&Queued> = alerts.iter().collect();
        let (md, n) = markdown(&refs, &receiver(""), &Names::default(), 4096, false);
        assert!(md.len() <= 4096 && n > 3 && n < 40, "{} bytes, {n} alerts", md.len());
        let (_, body) = mail(&refs[..2], &receiver(""), &Names::default());
        assert!(body.contains("2. 医生用量异常增长"));
    }

    #[test]
    fn alertmanager_alerts_carry_labels_annotations_and_times() {
        let a = alert(1);
        let now = chrono::DateTime::parse_from_rfc3339("2026-04-12T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let v = alertmanager(&[&a], &receiver(""), &Names::default(), now);
        let x = &v[0];
        assert_eq!(x["labels"]["alertname"], "surge");
        assert_eq!(x["labels"]["alert_id"], json!(a.alert_id));
        assert_eq!(x["labels"]["doctor"], "D017");
        assert_eq!(x["startsAt"], "2026-04-11T23:59:59+08:00");
        assert_eq!(x["endsAt"], "2026-04-13T00:00:00Z");
        assert_eq!(x["annotations"]["summary"], "医生用量异常增长");
    }
}
