//! `overuse_warning`: the monthly 药品用量动态监测及超常预警 review. At each calendar month's
//! close: the top drugs by amount and by quantity, each with its top prescribers (双排序);
//! an alert for a drug whose amount grew past the limit over the previous month (with a
//! base floor, so small drugs do not swing), or that newly entered the top list by amount.
//! One alert per drug and month; the ranking is its evidence and the `report` command's table.

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::json;

use crate::alert::Candidate;
use crate::event::Month;
use crate::rules::model::OveruseParams;
use crate::rules::{Kind, Params};
use crate::state::usage::{pair_key, unpair, Amt, MonthSlot, UsageStore};
use crate::state::{DoctorId, DrugId};

use super::stat::round;
use super::Ctx;

/// One open month: amounts by drug, and by doctor × drug for the pairs whose own slot
/// (`usage::Pair::months`) does not hold the month — a third month open at once, or the
/// month as a checkpoint brought it back. A month's pairs are the two merged.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
struct Tally {
    drugs: FxHashMap<DrugId, Amt>,
    pairs: FxHashMap<u64, Amt>,
}

/// One row of the 双排序 table.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Ranked {
    pub rank: usize,
    pub drug: String,
    pub name: String,
    pub manufacturer: String,
    pub amount: f64,
    pub qty: f64,
    pub lines: i64,
    pub previous_amount: Option<f64>,
    pub growth: Option<f64>,
    pub prescribers: Vec<Prescriber>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Prescriber {
    pub rank: usize,
    pub doctor: String,
    pub name: String,
    pub amount: f64,
    pub qty: f64,
    pub lines: i64,
}

/// The review of one month.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct MonthReport {
    /// `YYYY-MM`.
    pub month: String,
    /// False when the month was still open at the end of the input.
    pub closed: bool,
    pub by_amount: Vec<Ranked>,
    pub by_qty: Vec<Ranked>,
}

/// Written only through [`Overuse::form`] (its months' pairs live in the pairs' slots); read
/// back by the derived form.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Overuse {
    open: FxHashMap<Month, Tally>,
    previous: Option<(Month, FxHashMap<DrugId, Amt>, Vec<DrugId>)>,
    pub reports: Vec<MonthReport>,
}

impl Overuse {
    /// Adds a line (`sign` 1) or a return (−1) to its month; the pair's amounts go to its
    /// own `slots` when one holds the month or is free.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        slots: &mut [MonthSlot; 2],
        month: Month,
        doctor: DoctorId,
        drug: DrugId,
        qty: f64,
        fen: i64,
        sign: i64,
    ) {
        let closed = self.previous.as_ref().map(|(m, _, _)| *m);
        if closed.is_some_and(|c| month <= c) {
            return; // that month is closed
        }
        let m = self.open.entry(month).or_default();
        m.drugs.entry(drug).or_default().add(qty, fen, sign);
        // A month's close empties its slots (`take_month`), so a slot is the month's or free.
        let slot = match slots.iter().position(|s| s.month == Some(month)) {
            Some(i) => Some(i),
            None => slots.iter().position(|s| s.month.is_none()),
        };
        match slot {
            Some(i) => {
                let s = &mut slots[i];
                if s.month != Some(month) {
                    *s = MonthSlot { month: Some(month), amt: Amt::default() };
                }
                s.amt.add(qty, fen, sign);
            }
            None => m.pairs.entry(pair_key(doctor, drug)).or_default().add(qty, fen, sign),
        }
    }

    /// `month`'s tally with the amounts its pairs hold in their own slots.
    fn gathered(&self, usage: &UsageStore, month: Month) -> Tally {
        let mut t = self.open.get(&month).cloned().unwrap_or_default();
        for (&k, p) in &usage.pairs {
            for s in p.months.iter().filter(|s| s.month == Some(month)) {
                t.pairs.entry(k).or_default().merge(&s.amt);
            }
        }
        t
    }

    /// Takes `month`'s tally with the amounts its pairs hold, emptying their slots of it and
    /// of any earlier month (one dropped unclosed after a long silence).
    fn take_month(&mut self, usage: &mut UsageStore, month: Month) -> Tally {
        let mut acc = self.open.remove(&month).unwrap_or_default();
        self.open.retain(|&m, _| m > month);
        for (&k, p) in usage.pairs.iter_mut() {
            for s in p.months.iter_mut().filter(|s| s.month.is_some_and(|m| m <= month)) {
                if s.month == Some(month) {
                    acc.pairs.entry(k).or_default().merge(&s.amt);
                }
                *s = MonthSlot::default();
            }
        }
        acc
    }

    /// Amounts of open months held by pairs the volume state evicted: to their month's table.
    pub fn keep_evicted(&mut self, held: Vec<(u64, MonthSlot)>) {
        for (k, s) in held {
            if let Some(t) = s.month.and_then(|m| self.open.get_mut(&m)) {
                t.pairs.entry(k).or_default().merge(&s.amt);
            }
        }
    }

    /// The form checkpoints keep (every open month's pairs in its tally, as before the
    /// pairs held them), borrowing all but the tallies.
    pub fn form<'a>(&'a self, usage: &UsageStore) -> impl serde::Serialize + 'a {
        #[derive(serde::Serialize)]
        #[serde(rename = "Overuse")]
        struct Form<'a> {
            open: std::collections::BTreeMap<Month, Tally>,
            previous: &'a Option<(Month, FxHashMap<DrugId, Amt>, Vec<DrugId>)>,
            reports: &'a Vec<MonthReport>,
        }
        Form {
            open: self.open.keys().map(|&m| (m, self.gathered(usage, m))).collect(),
            previous: &self.previous,
            reports: &self.reports,
        }
    }

    /// Closes `month`: ranks it, alerts, and remembers it as the previous month.
    /// `first_month` is the first calendar month the stream covers from its first day; a
    /// partly observed month is ranked but never compared against.
    pub fn close_month(
        &mut self,
        ctx: &Ctx,
        usage: &mut UsageStore,
        month: Month,
        first_month: Month,
        out: &mut Vec<Candidate>,
    ) {
        let hospital = ctx.hospital;
        let acc = self.take_month(usage, month);
        let Some(&rule) = ctx.by_kind.get(Kind::OveruseWarning).first() else { return };
        let Params::Overuse(p) = &ctx.rules[rule].params else { return };
        let prev = self.previous.as_ref().filter(|(m, _, _)| *m == month - 1 && *m >= first_month);
        let report = rank(ctx, p, month, &acc, prev.map(|(_, d, _)| d), true);
        if let Some((_, prev_drugs, prev_top)) = prev {
            for r in alerts(ctx, rule, p, &acc, prev_drugs, prev_top, &report, hospital) {
                out.push(r);
            }
        }
        let top: Vec<DrugId> =
            report.by_amount.iter().take(p.alert_top_n).filter_map(|r| ctx.ids.drug.get(&r.drug)).collect();
        self.previous = Some((month, acc.drugs, top));
        self.reports.push(report);
    }

    /// Rankings of the months still open (provisional), for the report at end of input.
    pub fn provisional(&self, ctx: &Ctx, usage: &UsageStore) -> Vec<MonthReport> {
        let Some(&rule) = ctx.by_kind.get(Kind::OveruseWarning).first() else { return Vec::new() };
        let Params::Overuse(p) = &ctx.rules[rule].params else { return Vec::new() };
        let mut months: Vec<&Month> = self.open.keys().collect();
        months.sort();
        months
            .into_iter()
            .map(|&m| {
                let prev = self.previous.as_ref().filter(|(pm, _, _)| *pm == m - 1).map(|(_, d, _)| d);
                rank(ctx, p, m, &self.gathered(usage, m), prev, false)
            })
            .collect()
    }
}

fn rank(
    ctx: &Ctx,
    p: &OveruseParams,
    month: Month,
    acc: &Tally,
    prev: Option<&FxHashMap<DrugId, Amt>>,
    closed: bool,
) -> MonthReport {
    let mut drugs: Vec<(DrugId, Amt)> = acc.drugs.iter().map(|(&d, &a)| (d, a)).filter(|(_, a)| a.lines > 0).collect();
    let code = |d: DrugId| ctx.ids.drug.name(d);
    let row = |i: usize, d: DrugId, a: &Amt| {
        let mut docs: Vec<(DoctorId, Amt)> = acc
            .pairs
            .iter()
            .filter_map(|(&k, &v)| {
                let (doc, drug) = unpair(k);
                (drug == d && v.lines > 0).then_some((doc, v))
            })
            .collect();
        docs.sort_by(|x, y| y.1.fen.cmp(&x.1.fen).then(ctx.ids.doctor.name(x.0).cmp(ctx.ids.doctor.name(y.0))));
        let previous = prev.and_then(|m| m.get(&d)).map(|a| a.fen as f64 / 100.0);
        let info = ctx.refs.drug(d);
        Ranked {
            rank: i + 1,
            drug: code(d).to_owned(),
            name: info.map(|x| x.name.clone()).unwrap_or_default(),
            manufacturer: info.map(|x| x.manufacturer.clone()).unwrap_or_default(),
            amount: a.fen as f64 / 100.0,
            qty: round(a.qty, 2),
            lines: a.lines,
            previous_amount: previous,
            growth: previous.filter(|&v| v > 0.0).map(|v| round((a.fen as f64 / 100.0 - v) / v, 4)),
            prescribers: docs
                .iter()
                .take(p.top_doctors)
                .enumerate()
                .map(|(j, (doc, v))| Prescriber {
                    rank: j + 1,
                    doctor: ctx.ids.doctor.name(*doc).to_owned(),
                    name: ctx.refs.doctor(*doc).map(|x| x.name.clone()).unwrap_or_default(),
                    amount: v.fen as f64 / 100.0,
                    qty: round(v.qty, 2),
                    lines: v.lines,
                })
                .collect(),
        }
    };
    drugs.sort_by(|x, y| y.1.fen.cmp(&x.1.fen).then(code(x.0).cmp(code(y.0))));
    let by_amount: Vec<Ranked> = drugs.iter().take(p.top_drugs).enumerate().map(|(i, (d, a))| row(i, *d, a)).collect();
    drugs.sort_by(|x, y| y.1.qty.total_cmp(&x.1.qty).then(code(x.0).cmp(code(y.0))));
    let by_qty: Vec<Ranked> = drugs.iter().take(p.top_drugs).enumerate().map(|(i, (d, a))| row(i, *d, a)).collect();
    MonthReport { month: month.to_string(), closed, by_amount, by_qty }
}

#[allow(clippy::too_many_arguments)]
fn alerts(
    ctx: &Ctx,
    rule: usize,
    p: &OveruseParams,
    acc: &Tally,
    prev: &FxHashMap<DrugId, Amt>,
    prev_top: &[DrugId],
    report: &MonthReport,
    hospital: &str,
) -> Vec<Candidate> {
    let mut drugs: Vec<(DrugId, Amt)> = acc.drugs.iter().map(|(&d, &a)| (d, a)).collect();
    drugs.sort_by(|x, y| ctx.ids.drug.name(x.0).cmp(ctx.ids.drug.name(y.0)));
    // Growth is judged against the hospital's own month-over-month change, so a longer
    // month or the end of 春节 does not flag every drug at once.
    let total = |m: &FxHashMap<DrugId, Amt>| m.values().map(|a| a.fen).sum::<i64>() as f64;
    let (now_total, prev_total) = (total(&acc.drugs), total(prev));
    let hospital_factor = if p.normalize && prev_total > 0.0 && now_total > 0.0 { now_total / prev_total } else { 1.0 };
    let mut out = Vec::new();
    for (d, a) in drugs {
        let code = ctx.ids.drug.name(d);
        let base = prev.get(&d).map_or(0, |b| b.fen) as f64 / 100.0;
        let amount = a.fen as f64 / 100.0;
        let raw_growth = (base >= p.min_base_amount).then(|| (amount - base) / base);
        let growth = raw_growth.map(|g| (1.0 + g) / hospital_factor - 1.0);
        let grew = growth.is_some_and(|g| g >= p.growth);
        let rank = report.by_amount.iter().find(|r| r.drug == code);
        let new_top = rank.is_some_and(|r| r.rank <= p.alert_top_n) && !prev_top.contains(&d);
        if !grew && !new_top {
            continue;
        }
        let r = &ctx.rules[rule];
        let mut c = Candidate::new(rule, Kind::OveruseWarning, r.severity, hospital, report.month.clone());
        c.drug = Some(code.to_owned());
        let mut reasons = Vec::new();
        if grew {
            reasons.push("growth");
        }
        if new_top {
            reasons.push("new_top");
        }
        let prescribers = rank
            .or_else(|| report.by_qty.iter().find(|r| r.drug == code))
            .map(|r| json!(r.prescribers))
            .unwrap_or_else(|| json!(top_prescribers(ctx, acc, d, p.top_doctors)));
        c = c
            .evidence("month", report.month.as_str())
            .evidence("observed", amount)
            .evidence("expected", base)
            .evidence("growth", growth.map(|g| round(g, 4)))
            .evidence("raw_growth", raw_growth.map(|g| round(g, 4)))
            .evidence("hospital_growth", round(hospital_factor - 1.0, 4))
            .evidence("threshold", p.growth)
            .evidence("min_base_amount", p.min_base_amount)
            .evidence("qty", round(a.qty, 2))
            .evidence("rank_by_amount", rank.map(|r| r.rank))
            .evidence("rank_by_qty", report.by_qty.iter().find(|r| r.drug == code).map(|r| r.rank))
            .evidence("reasons", json!(reasons))
            .evidence("top_prescribers", prescribers)
            .evidence("window_start", format!("{}-01", report.month))
            .evidence("window_end", report.month.as_str());
        let why = match (grew, new_top) {
            (true, true) => {
                format!("金额环比增长 {:.0}% 并新进入金额前 {} 名", growth.unwrap_or(0.0) * 100.0, p.alert_top_n)
            }
            (true, false) => format!("金额环比增长 {:.0}%", growth.unwrap_or(0.0) * 100.0),
            _ => format!("新进入金额前 {} 名（第 {} 名）", p.alert_top_n, rank.map_or(0, |r| r.rank)),
        };
        c.title = format!(
            "超常预警：{} {} 月用量 {:.0} 元，{}，请核查其前列处方医生",
            ctx.drug_label(d, None),
            report.month,
            amount,
            why
        );
        out.push(c);
    }
    out
}

fn top_prescribers(ctx: &Ctx, acc: &Tally, drug: DrugId, n: usize) -> Vec<serde_json::Value> {
    let mut docs: Vec<(DoctorId, Amt)> =
        acc.pairs.iter().filter_map(|(&k, &v)| (unpair(k).1 == drug).then_some((unpair(k).0, v))).collect();
    docs.sort_by(|x, y| y.1.fen.cmp(&x.1.fen).then(ctx.ids.doctor.name(x.0).cmp(ctx.ids.doctor.name(y.0))));
    docs.iter()
        .take(n)
        .enumerate()
        .map(|(i, (d, a))| json!({"rank": i + 1, "doctor": ctx.ids.doctor.name(*d), "amount": a.fen as f64 / 100.0}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Day, Week};
    use crate::state::usage::Delta;
    use crate::state::{DeptId, Handle};

    fn line(u: &mut UsageStore, o: &mut Overuse, doctor: u32, month: Month, fen: i64, sign: i8) {
        let (doctor, drug) = (DoctorId::from_raw(doctor), DrugId::from_raw(7));
        let d = Delta {
            doctor,
            dept: DeptId::from_raw(1),
            drug,
            day: Day(700),
            week: Week(100),
            sign,
            qty: 2.0,
            fen,
            herbal: false,
        };
        let pair = u.apply(d).pair;
        o.add(&mut pair.months, month, doctor, drug, 2.0, fen, i64::from(sign));
    }

    fn pair_fen(t: &Tally, doctor: u32) -> Option<i64> {
        t.pairs.get(&pair_key(DoctorId::from_raw(doctor), DrugId::from_raw(7))).map(|a| a.fen)
    }

    fn months(u: &UsageStore, doctor: u32) -> [Option<Month>; 2] {
        u.pair(DoctorId::from_raw(doctor), DrugId::from_raw(7)).unwrap().months.map(|s| s.month)
    }

    /// A pair holds two open months in its slot; a third goes to the month's table; every
    /// month's pairs are the two merged, in memory, at its close and in the checkpoint's form.
    #[test]
    fn months_beyond_the_slots_and_checkpoints_keep_every_amount() {
        let (mut u, mut o) = (UsageStore::default(), Overuse::default());
        let (m1, m2, m3) = (Month(24_000), Month(24_001), Month(24_002));
        line(&mut u, &mut o, 1, m1, 100, 1);
        line(&mut u, &mut o, 1, m1, 50, 1);
        line(&mut u, &mut o, 1, m1, 30, -1);
        line(&mut u, &mut o, 1, m2, 10, 1);
        line(&mut u, &mut o, 1, m3, 7, 1);
        line(&mut u, &mut o, 2, m3, 3, 1);
        assert_eq!(months(&u, 1), [Some(m1), Some(m2)]);
        assert_eq!(pair_fen(&o.open[&m3], 1), Some(7), "a third month is kept in its table");
        assert_eq!(pair_fen(&o.gathered(&u, m1), 1), Some(120), "a return nets out");
        assert_eq!(pair_fen(&o.gathered(&u, m3), 2), Some(3));

        // The checkpoint's form holds every month's pairs; read back (the derived form, the
        // pairs' slots empty as a restore leaves them), further lines merge with them.
        let bytes = postcard::to_allocvec(&o.form(&u)).unwrap();
        let mut back: Overuse = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(pair_fen(&back.open[&m1], 1), Some(120));
        assert_eq!(pair_fen(&back.open[&m2], 1), Some(10));
        assert_eq!(pair_fen(&back.open[&m3], 1), Some(7));
        let mut fresh = UsageStore::default();
        line(&mut fresh, &mut back, 1, m1, 1, 1);
        assert_eq!(pair_fen(&back.take_month(&mut fresh, m1), 1), Some(121));

        // The close takes the month from slot and table alike and frees the slot for a later
        // month; a line of the closed month is no longer counted.
        line(&mut u, &mut o, 1, m3, 5, 1);
        assert_eq!(pair_fen(&o.take_month(&mut u, m1), 1), Some(120));
        o.previous = Some((m1, FxHashMap::default(), Vec::new()));
        assert_eq!(months(&u, 1), [None, Some(m2)]);
        line(&mut u, &mut o, 1, m1, 1000, 1);
        line(&mut u, &mut o, 1, m3, 2, 1);
        assert_eq!(months(&u, 1), [Some(m3), Some(m2)]);
        assert!(!o.open.contains_key(&m1));
        // m3: 7 and 5 in the table before the slot freed, 2 in the slot.
        assert_eq!(pair_fen(&o.take_month(&mut u, m3), 1), Some(14), "m2 dropped unclosed with it");
        assert_eq!(months(&u, 1), [None, None]);
    }

    /// A pair evicted while it holds an open month hands the amounts to the month's table.
    #[test]
    fn an_evicted_pair_leaves_its_month_amounts_behind() {
        let (mut u, mut o) = (UsageStore::default(), Overuse::default());
        line(&mut u, &mut o, 1, Month(24_000), 100, 1);
        let held = u.evict_idle(Day(700) + 7 * crate::state::usage::WEEKS as i32);
        assert!(u.pairs.is_empty());
        o.keep_evicted(held);
        assert_eq!(pair_fen(&o.take_month(&mut u, Month(24_000)), 1), Some(100));
    }
}
