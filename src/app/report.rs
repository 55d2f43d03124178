//! `report`: the monthly 药品用量动态监测及超常预警 table (双排序) for the pharmacy and the
//! discipline office, in Chinese: the top drugs by amount and by quantity, each with its
//! top prescribers. It contains doctor × drug figures — itself 统方 data — so it is printed
//! only to the operator's terminal or a file they name.

use std::fmt::Write;

use crate::detect::overuse::{MonthReport, Ranked};

fn yuan(v: f64) -> String {
    let s = format!("{v:.2}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let neg = int.starts_with('-');
    let digits: Vec<char> = int.trim_start_matches('-').chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(*c);
    }
    format!("{}{out}.{frac}", if neg { "-" } else { "" })
}

fn section(out: &mut String, title: &str, rows: &[Ranked]) {
    let _ = writeln!(out, "\n{title}");
    let _ = writeln!(
        out,
        "{:<4} {:<10} {:<18} {:<14} {:>14} {:>12} {:>8} {:>8}",
        "排名", "药品编码", "通用名", "生产企业", "金额(元)", "数量", "处方数", "环比"
    );
    for r in rows {
        let growth = r.growth.map_or("—".to_string(), |g| format!("{:+.1}%", g * 100.0));
        let _ = writeln!(
            out,
            "{:<4} {:<10} {:<18} {:<14} {:>14} {:>12.2} {:>8} {:>8}",
            r.rank,
            r.drug,
            r.name,
            r.manufacturer,
            yuan(r.amount),
            r.qty,
            r.lines,
            growth
        );
        let docs: Vec<String> = r
            .prescribers
            .iter()
            .map(|p| {
                let who = if p.name.is_empty() { p.doctor.clone() } else { format!("{}({})", p.name, p.doctor) };
                format!("{}. {} {}元/{}条", p.rank, who, yuan(p.amount), p.lines)
            })
            .collect();
        let _ = writeln!(out, "     处方医生：{}", docs.join("；"));
    }
}

/// Each hospital's report of `month`, or of its latest closed month (its latest month when
/// none closed). Reports are in order of the hospitals' names.
pub fn select<'a>(
    months: &'a [(String, MonthReport)],
    month: Option<&str>,
) -> anyhow::Result<Vec<(&'a str, &'a MonthReport)>> {
    let mut hospitals: Vec<&str> = months.iter().map(|(h, _)| h.as_str()).collect();
    hospitals.dedup();
    let mut out = Vec::new();
    for h in hospitals {
        let mine: Vec<&MonthReport> = months.iter().filter(|(x, _)| x == h).map(|(_, m)| m).collect();
        let pick = match month {
            Some(m) => mine.iter().find(|r| r.month == m),
            None => mine.iter().rev().find(|r| r.closed).or(mine.last()),
        };
        out.extend(pick.map(|m| (h, *m)));
    }
    if out.is_empty() {
        let mut have: Vec<&str> = months.iter().map(|(_, m)| m.month.as_str()).collect();
        have.sort_unstable();
        have.dedup();
        anyhow::bail!("no data for month {:?} (months in the input: {})", month.unwrap_or_default(), have.join(", "));
    }
    Ok(out)
}

/// The table of one hospital's month.
pub fn render(hospital: &str, m: &MonthReport) -> String {
    let mut out = String::new();
    let state = if m.closed { "已结账" } else { "未结账，临时数据" };
    let _ = writeln!(out, "药品用量动态监测及超常预警 · 双排序  {hospital}  {}（{}）", m.month, state);
    section(&mut out, &format!("一、按金额排序 前 {} 名药品及其前列处方医生", m.by_amount.len()), &m.by_amount);
    section(&mut out, &format!("二、按数量排序 前 {} 名药品及其前列处方医生", m.by_qty.len()), &m.by_qty);
    let _ = writeln!(
        out,
        "\n注：金额与数量为净值（已扣除退药）；本表含医生×药品数据，仅限药事与纪检监察人员使用，不得外传。"
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::yuan(1234567.5), "1,234,567.50");
        assert_eq!(super::yuan(12.0), "12.00");
        assert_eq!(super::yuan(-1000.0), "-1,000.00");
    }
}
