//! `bulk_export` (TF-02) against what is normal for the account. Hard limits stay for the
//! extreme (more than `max_rows` in one access, an export in the night window); everything
//! else is judged by how surprising the access is for this account — its rows per access
//! and per day against its own history shrunk toward its role's, and, when the rows are
//! above its usual, an export by an account that seldom exports, person-level detail by one
//! that reads aggregates, a client, application or object it has not used, an hour it does
//! not work. The surprise (in nats) is compared with a threshold calibrated on the
//! hospital's own accesses so far: the score exceeded by at most `budget` accesses per 100
//! active accounts per month. Evidence names the norm, the factors and the calibration.

use serde_json::json;

use crate::event::{Access, Action, Day, Event};
use crate::rules::model::BulkExportParams;
use crate::state::accounts::{Account, Accounts, LogHist, Look, Novel, Profile, EXPORT};

use super::stat::round;
use super::Ctx;

/// Spread floor of log2(rows): a report that always returns about the same count may
/// still double without surprise.
const MIN_SPREAD: f64 = 0.5;
/// Cap of one context factor, in nats: no single oddity outweighs a large excess of rows.
const FACTOR_CAP: f64 = 8.0;
/// Null histogram: scores in quarter-nat bins up to 100 nats.
const NULL_BINS: usize = 400;
/// An hour this much less likely than the account's usual (nats) is not its hour.
const UNUSUAL_HOUR: f64 = 3.0;
/// Accesses of a quarter of the rows or more before such an access is the account's habit.
const HABIT: u32 = 5;
/// Pseudo-accesses of the role's hours in an account's, for the off-hours part of 统方
/// (the `bulk_export` rule has its own `prior_accesses`).
const HOUR_PRIOR: f64 = 20.0;
/// Accesses before an account's own hours speak for it.
const HOURS_KNOWN: u32 = 20;

/// Scores of the hospital's accesses that the norms judged: the null the threshold is
/// calibrated on (nearly all accesses are innocent; the few that are not barely move a
/// high quantile).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Null {
    bins: Vec<u64>,
    pub n: u64,
}

impl Default for Null {
    fn default() -> Self {
        Null { bins: vec![0; NULL_BINS], n: 0 }
    }
}

impl Null {
    fn add(&mut self, score: f64) {
        let b = ((score * 4.0).max(0.0) as usize).min(NULL_BINS - 1);
        self.bins[b] += 1;
        self.n += 1;
    }

    /// The score reached by at most `allowed` of the scores so far. Where that lies beyond
    /// the data's top (a small hospital's few account-months allow less than its few
    /// highest scores), the tail above the top 0.05 % (at least 20 scores) is taken as
    /// exponential (peaks over threshold) and extrapolated: `u + β·ln(N_u / allowed)`.
    pub fn threshold(&self, allowed: f64) -> f64 {
        let top = (self.n / 2000).max(20);
        let (mut tail, mut u_bin) = (0u64, 0);
        for b in (0..NULL_BINS).rev() {
            tail += self.bins[b];
            if tail >= top {
                u_bin = b;
                break;
            }
        }
        if tail < top {
            // Too few judged yet to speak of a tail: above everything seen so far.
            return (0..NULL_BINS).rev().find(|&b| self.bins[b] > 0).map_or(0.0, |b| (b + 1) as f64 / 4.0);
        }
        if allowed >= tail as f64 {
            let mut t = 0u64;
            for b in (0..NULL_BINS).rev() {
                if (t + self.bins[b]) as f64 > allowed {
                    return (b + 1) as f64 / 4.0;
                }
                t += self.bins[b];
            }
            return 0.0;
        }
        let u = u_bin as f64 / 4.0;
        let excess: f64 = (u_bin..NULL_BINS)
            .map(|b| (b as f64 + 0.5) / 4.0 - u)
            .zip(&self.bins[u_bin..])
            .map(|(e, &c)| e * c as f64)
            .sum();
        let beta = (excess / tail as f64).max(0.5);
        u + beta * (tail as f64 / allowed.max(1e-3)).ln()
    }
}

/// The access norms of one hospital and the null of each `bulk_export` rule.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct AccessNorms {
    pub accounts: Accounts,
    nulls: Vec<Null>,
}

/// How one access compares with its account's norm.
#[derive(Debug, Default)]
pub struct Judgement {
    pub score: f64,
    /// Surprise of the access's rows (nats) and of the day's total so far.
    pub rows: f64,
    pub day: f64,
    /// The account's rows today with this access.
    pub day_rows: u64,
    /// (factor, nats, 说明) of the context factors counted.
    pub factors: Vec<(&'static str, f64, String)>,
    /// The hour's surprise for this account (0 when its hours are not yet known).
    pub hour: f64,
    /// Surprise (nats) of a day off for this account (0 on working days).
    pub off_day: f64,
    /// The account routinely returns this many rows.
    pub habitual_rows: bool,
    /// The account's hours are known …
    pub hours_known: bool,
    /// … and this is one of them.
    pub habitual_hour: bool,
    /// The rows and day norms judged against (centre, spread in log2 rows), and whose.
    pub rows_norm: Option<(f64, f64)>,
    pub day_norm: Option<(f64, f64)>,
    pub basis: &'static str,
}

/// Pseudo-accesses of the role's norm in each account's (empirical Bayes).
fn blend(own: &LogHist, prior: Option<&LogHist>, k: f64) -> Option<(f64, f64)> {
    let n = f64::from(own.len());
    let (ca, sa) = if own.is_empty() { (0.0, 0.0) } else { own.centre_spread() };
    let (c, s) = match prior.filter(|p| p.len() >= 20) {
        Some(p) => {
            let (cr, sr) = p.centre_spread();
            ((n * ca + k * cr) / (n + k), ((n * sa * sa + k * sr * sr) / (n + k)).sqrt())
        }
        None if own.len() >= 5 => (ca, sa),
        None => return None,
    };
    Some((c, s.max(MIN_SPREAD)))
}

/// −ln P(T ≥ z) for Student's t with 4 degrees of freedom, 0 below the centre: rows
/// have heavier tails than a normal (the quarterly report among the daily ones), so ten
/// spreads above the centre is surprising, not impossible.
fn tail_nats(z: f64) -> f64 {
    if z.is_nan() || z <= 0.0 {
        return 0.0;
    }
    // Closed form for ν = 4: P(T ≥ z) = ½ − ¾·x·(1 − x²/3) with x = z / √(z² + 4); z is
    // at most 48 here (24 doublings over the spread floor), far from cancellation.
    let x = z / (z * z + 4.0).sqrt();
    let sf = 0.5 - 0.75 * x * (1.0 - x * x / 3.0);
    -sf.max(1e-300).ln()
}

/// P(the account does it) with `k` pseudo-counts of the role's rate.
fn rate(yes_a: u32, n_a: u32, yes_r: u32, n_r: u32, k: f64) -> f64 {
    let prior = (f64::from(yes_r) + 0.5) / (f64::from(n_r) + 1.0);
    (f64::from(yes_a) + k * prior) / (f64::from(n_a) + k)
}

/// Hours holding at least a twentieth of the account's accesses, as `08–11,14–17`.
pub fn usual_hours(p: &Profile) -> String {
    let min = (p.n / 20).max(1);
    let mut out: Vec<String> = Vec::new();
    let mut h = 0;
    while h < 24 {
        if p.hours[h] >= min {
            let s = h;
            while h + 1 < 24 && p.hours[h + 1] >= min {
                h += 1;
            }
            out.push(if s == h { format!("{s:02}") } else { format!("{s:02}–{:02}", h + 1) });
        }
        h += 1;
    }
    out.join(",")
}

/// The account's hours once known, else its role's.
fn hours_of<'a>(acct: &'a Profile, role: &'a Profile) -> &'a Profile {
    if acct.n >= HOURS_KNOWN {
        acct
    } else {
        role
    }
}

/// ln(p_max / p_hour): how much less likely this hour is than the account's usual one.
pub fn hour_surprise(acct: &Profile, role: &Profile, hour: usize, k: f64) -> f64 {
    let p = |h: usize| rate(acct.hours[h], acct.n, role.hours[h], role.n, k);
    let max = (0..24).map(p).fold(0.0, f64::max);
    (max / p(hour)).ln().max(0.0)
}

impl AccessNorms {
    /// Judges one access against its account's norm (before it is recorded).
    pub fn judge(&self, p: &BulkExportParams, user: &str, role: &str, s: &Look) -> Judgement {
        let accts = &self.accounts;
        let empty = Account::default();
        let acct = accts.get(user, role).map_or(&empty, |a| &accts.accounts[a]);
        let rp = self.role_profile(role);
        let a = &acct.profile;
        let k = p.prior_accesses;
        let mut j = Judgement::default();
        if a.n >= HOURS_KNOWN {
            j.hour = hour_surprise(a, rp, s.hour, k);
            if s.off_day {
                j.off_day = -rate(a.off_days, a.n, rp.off_days, rp.n, k).ln();
            }
            j.hours_known = true;
            j.habitual_hour = j.hour < UNUSUAL_HOUR;
        }
        // Rows against the account's own accesses of the same action, shrunk toward its
        // role's of that action (the hospital's, while the role has few of them; all the
        // role's accesses while the hospital has few).
        let own = &a.rows[s.action];
        let (prior_basis, prior) = [("role", &rp.rows[s.action]), ("hospital", &accts.all.rows[s.action])]
            .into_iter()
            .find(|h| h.1.len() >= 20)
            .unwrap_or(("role_all_actions", &rp.all_rows));
        let rows_norm = blend(own, Some(prior), k);
        let day_norm = blend(&a.daily, Some(&rp.daily), k / 4.0);
        if let Some(rows) = s.rows {
            j.habitual_rows = own.at_least(rows / 4) >= HABIT;
        }
        if let (Some(rows), Some((c, sd))) = (s.rows, rows_norm) {
            j.rows = tail_nats((LogHist::log2(rows) - c) / sd);
            j.day_rows = acct.day_total(s.day, rows);
            if let Some((dc, dsd)) = day_norm.filter(|_| acct.flagged_day != Some(s.day)) {
                j.day = tail_nats((LogHist::log2(j.day_rows) - dc) / dsd);
            }
        }
        let base = j.rows.max(j.day);
        j.basis = if own.len() >= 20 { "account" } else { prior_basis };
        (j.rows_norm, j.day_norm) = (rows_norm, day_norm);
        // The circumstances count when the rows are above the account's usual, or for any
        // export (an off-hours export of a few hundred rows by one who never exports).
        if base <= 0.0 && !s.export() {
            return j;
        }
        let novel = if a.n == 0 { Novel::default() } else { acct.novel(s) };
        let mut add = |name: &'static str, nats: f64, why: String| {
            let nats = nats.min(FACTOR_CAP);
            if nats >= 1.0 {
                j.factors.push((name, round(nats, 2), why));
            }
        };
        // Beyond twice anything the account ever returned: a record, which the n-th access
        // of an exchangeable history sets with probability 1/n — and the farther beyond,
        // the rarer, at the pace the account's own largest accesses thin out (an
        // exponential tail over its largest accesses, a tenth of them between 5 and 20:
        // P(X > x) ≈ k/n · e^-(x-u)/σ).
        if let Some(rows) = s.rows.filter(|_| a.all_rows.len() >= 20) {
            let x = LogHist::log2(rows);
            if x > a.all_rows.quantile(1.0) + 1.0 {
                let n = a.all_rows.len();
                let record = f64::from(n + 1).ln();
                let k = (n / 10).clamp(5, 20);
                let tail = a
                    .all_rows
                    .top(k)
                    .map_or(record, |(u, sigma)| (f64::from(n) / f64::from(k)).ln() + (x - u) / sigma.max(MIN_SPREAD));
                add(
                    "beyond_max",
                    record.max(tail),
                    format!("超过该账号以往最大值的两倍（{} 次访问）", a.all_rows.len()),
                );
            }
        }
        if a.n == 0 {
            let p_new = (accts.accounts.len() as f64 + 1.0) / (f64::from(accts.all.n) + 2.0);
            add("new_account", -p_new.ln(), "首次出现的账号".into());
        }
        if s.export() {
            add(
                "export",
                -rate(a.exports, a.n, rp.exports, rp.n, k).ln(),
                format!("此前 {} 次访问中导出 {} 次", a.n, a.exports),
            );
        }
        if s.detail == Some(true) {
            let r = rate(a.detail, a.shaped, rp.detail, rp.shaped, k);
            add("detail", -r.ln(), "明细级（未汇总）数据".into());
        }
        if novel.client {
            let r = rate(a.new_client, a.with_client, rp.new_client, rp.with_client, k);
            add("new_client", -r.ln(), format!("未用过的终端 {}", s.client.unwrap_or_default()));
        }
        if novel.app {
            let r = rate(a.new_app, a.with_app, rp.new_app, rp.with_app, k);
            add("new_app", -r.ln(), format!("未用过的工具 {}", s.app.unwrap_or_default()));
        }
        if novel.object {
            let r = rate(a.new_object, a.with_object, rp.new_object, rp.with_object, k);
            add("new_object", -r.ln(), format!("未访问过的对象 {}", s.object.unwrap_or_default()));
        }
        if p.off_hours_export && s.off_day && j.off_day > 0.0 {
            add("off_day", j.off_day, "休息日（该账号很少在休息日工作）".into());
        }
        if p.off_hours_export && j.hour > 0.0 {
            add("hour", j.hour, format!("{:02} 时（常用时段 {}）", s.hour, usual_hours(hours_of(a, rp))));
        }
        j.score = base + j.factors.iter().map(|f| f.1).sum::<f64>();
        j
    }

    /// The role's profile (the hospital's while the role has none).
    fn role_profile(&self, role: &str) -> &Profile {
        let accts = &self.accounts;
        accts.role(role).map(|r| &accts.roles[r].1).filter(|r| r.n > 0).unwrap_or(&accts.all)
    }

    fn account(&self, user: &str, role: &str) -> Option<&Account> {
        self.accounts.get(user, role).map(|a| &self.accounts.accounts[a])
    }

    /// Whether `hour` is one the account does not work (true while its hours are unknown).
    pub fn unusual_hour(&self, user: &str, role: &str, hour: usize) -> bool {
        match self.account(user, role).map(|a| &a.profile).filter(|a| a.n >= HOURS_KNOWN) {
            Some(a) => hour_surprise(a, self.role_profile(role), hour, HOUR_PRIOR) >= UNUSUAL_HOUR,
            None => true,
        }
    }

    /// The account's usual hours, empty while they are not yet known.
    pub fn usual_hours(&self, user: &str, role: &str) -> String {
        self.account(user, role)
            .map(|a| &a.profile)
            .filter(|a| a.n >= HOURS_KNOWN)
            .map_or_else(String::new, usual_hours)
    }

    /// The norm an access was judged against, for the evidence (built only for an alert,
    /// before the access is recorded).
    pub fn norm_evidence(&self, user: &str, role: &str, j: &Judgement) -> serde_json::Value {
        let empty = Account::default();
        let acct = self.account(user, role).unwrap_or(&empty);
        let rp = self.role_profile(role);
        json!({
            "basis": j.basis,
            "accesses": acct.profile.n,
            "days": acct.days,
            "typical_rows": j.rows_norm.map(|(c, _)| c.exp2().round()),
            "high_rows": j.rows_norm.map(|(c, sd)| (c + 2.0 * sd).exp2().round()),
            "typical_day_rows": j.day_norm.map(|(c, _)| c.exp2().round()),
            "exports": acct.profile.exports,
            "usual_hours": usual_hours(hours_of(&acct.profile, rp)),
            "role": role,
            "role_accesses": rp.n,
        })
    }

    /// The calibrated threshold of the `slot`-th bulk rule: the score exceeded by at most
    /// `budget` of the hospital's accesses so far per 100 account-months, never below
    /// `min_score`.
    pub fn threshold(&self, slot: usize, p: &BulkExportParams) -> (f64, f64) {
        // A hospital with fewer than 100 active accounts is budgeted as if it had 100: an
        // office can read the budget's alert a month, and a dozen accounts would otherwise
        // allow less than one a year.
        let months = self.accounts.days_covered() as f64 / 30.44;
        let allowed = p.budget / 100.0 * self.accounts.account_months().max(100.0 * months);
        let t = self.nulls.get(slot).map_or(f64::INFINITY, |n| n.threshold(allowed));
        (t.max(p.min_score), allowed)
    }

    pub fn null_len(&self, slot: usize) -> u64 {
        self.nulls.get(slot).map_or(0, |n| n.n)
    }

    /// Reloaded rules: the null of new slot `j` is the one of old slot `from[j]` (the same
    /// rule id), or empty for a new rule.
    pub fn remap_slots(&mut self, from: &[Option<usize>]) {
        let mut old: Vec<Option<Null>> = std::mem::take(&mut self.nulls).into_iter().map(Some).collect();
        self.nulls = from.iter().map(|f| f.and_then(|i| old.get_mut(i)?.take()).unwrap_or_default()).collect();
    }

    /// Adds a judged score to the `slot`-th rule's null; an access that alerted counts at
    /// the threshold it was judged against (`alerted_at`). It stays in the null — leaving
    /// it out would lower the threshold by each alert it lets through — but its full score
    /// (a planted export scores 25 nats) would stretch the tail the threshold is
    /// extrapolated along, so that one incident hid the next.
    pub fn learn_score(&mut self, slot: usize, score: f64, alerted_at: Option<f64>) {
        let score = alerted_at.map_or(score, |t| score.min(t));
        if self.nulls.len() <= slot {
            self.nulls.resize_with(slot + 1, Null::default);
        }
        self.nulls[slot].add(score);
    }

    /// Records the access (after every rule judged it).
    pub fn record(&mut self, user: &str, role: &str, s: &Look) {
        self.accounts.record(user, role, s);
    }

    /// The `day`'s total of `user` has been alerted on.
    pub fn flag_day(&mut self, user: &str, role: &str, day: Day) {
        if let Some(a) = self.accounts.get(user, role) {
            self.accounts.accounts[a].flagged_day = Some(day);
        }
    }

    /// The hospital's audit stream is past its warm-up on this access's day.
    pub fn warm(&self, p: &BulkExportParams, s: &Look) -> bool {
        self.accounts.first_day.is_some_and(|d| s.day.0 - d.0 >= p.warmup_days)
    }
}

/// The access as the norms see it.
pub fn seen<'a>(ctx: &Ctx, ev: &Event, a: &'a Access) -> Look<'a> {
    let zone = ctx.engine.zone;
    let grouped = !a.group_by.is_empty();
    let detail = match a.sql.as_deref() {
        Some(sql) => Some(!grouped && !has_group_by(sql)),
        None if grouped => Some(false),
        None => None,
    };
    Look {
        day: zone.day(ev.ts),
        month: zone.month(ev.ts),
        hour: (zone.minute_of_day(ev.ts) / 60) as usize % 24,
        off_day: ctx.engine.calendar.off_day(zone.day(ev.ts)),
        off_hours: ctx.engine.calendar.off_hours(ev.ts),
        rows: a.rows.map(|r| r.max(0) as u64),
        action: match a.action {
            Action::Query => 0,
            Action::Report => 1,
            Action::Export => EXPORT,
            Action::Print | Action::Other => 3,
        },
        detail,
        client: a.client_ip.as_deref(),
        app: a.app.as_deref(),
        object: a.object.as_deref(),
    }
}

/// `GROUP BY` anywhere in the text (ASCII case-insensitive, any whitespace between), in one
/// pass.
fn has_group_by(sql: &str) -> bool {
    let b = sql.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr::memchr2(b'g', b'G', &b[i..]) {
        let at = i + p;
        if b.len() >= at + 5 && b[at..at + 5].eq_ignore_ascii_case(b"group") {
            let mut k = at + 5;
            let ws = k;
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            if k > ws && b.len() >= k + 2 && b[k..k + 2].eq_ignore_ascii_case(b"by") {
                return true;
            }
        }
        i = at + 1;
    }
    false
}

/// Whether the norm judges this access: every export, and other accesses of at least
/// `min_rows` rows.
pub fn eligible(p: &BulkExportParams, s: &Look) -> bool {
    p.norms && (s.export() || s.rows.is_some_and(|r| r >= p.min_rows as u64))
}

/// Hard limits and the norm, for one bulk rule; `None` when the access is normal.
pub fn judge_rule(
    norms: &AccessNorms,
    slot: usize,
    p: &BulkExportParams,
    s: &Look,
    j: &Judgement,
) -> Option<(&'static str, serde_json::Value)> {
    let night = (p.night_start_hour..p.night_end_hour).contains(&(s.hour as i64))
        || (p.night_start_hour > p.night_end_hour
            && (s.hour as i64 >= p.night_start_hour || (s.hour as i64) < p.night_end_hour));
    // More rows than the hard limit is the extreme unless the account routinely returns
    // this much (a nightly extract: five accesses of the same action with a quarter of the
    // rows or more before): then the norm judges it.
    if s.rows.is_some_and(|r| r > p.max_rows as u64 && !j.habitual_rows) {
        return Some(("rows", json!({"max_rows": p.max_rows})));
    }
    // A night export is the extreme unless the account habitually works that hour (a
    // night-shift pharmacy's daily export): then the norm judges it like any other. While
    // the service is still learning (warm-up) an account's hours are not yet known.
    let warm = norms.warm(p, s);
    if p.off_hours_export && night && s.export() && !j.habitual_hour && (warm || j.hours_known) {
        return Some((
            "night_export",
            json!({"night": format!("{:02}:00–{:02}:00", p.night_start_hour, p.night_end_hour)}),
        ));
    }
    // An export outside the calendar's hours at an hour the account does not work: the
    // off-hours export, judged against the account's own habits. (A day off is a factor of
    // the calibrated score only: a holiday the calendar does not know, or a make-up working
    // day it misses, would otherwise flag a whole department.)
    if p.off_hours_export && s.export() && s.off_hours && j.hours_known && warm && !j.habitual_hour {
        return Some((
            "off_hours_export",
            json!({"hour_surprise": round(j.hour, 2), "off_day_surprise": round(j.off_day, 2), "unusual": UNUSUAL_HOUR}),
        ));
    }
    if !eligible(p, s) {
        return None;
    }
    let (t, allowed) = norms.threshold(slot, p);
    if !warm || j.score < t {
        return None;
    }
    Some((
        "norm",
        json!({
            "score": round(j.score, 2),
            "threshold": t,
            "budget_per_100_account_months": p.budget,
            "account_months": round(norms.accounts.account_months(), 1),
            "allowed_in_history": round(allowed, 1),
            "judged_accesses": norms.null_len(slot),
        }),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reloaded_rules_keep_each_bulk_rules_calibration_by_id() {
        let mut n = AccessNorms::default();
        n.learn_score(0, 1.0, None);
        for _ in 0..3 {
            n.learn_score(1, 2.0, None);
        }
        // The second rule is now first, the first was removed, a new rule comes second.
        n.remap_slots(&[Some(1), None]);
        assert_eq!((n.null_len(0), n.null_len(1)), (3, 0));
    }

    use super::*;

    #[test]
    fn t4_tail_matches_known_values() {
        // P(T4 ≥ 2.132) = 0.05, P(T4 ≥ 4.604) = 0.005 (tables).
        assert!((tail_nats(2.132) - (-(0.05f64).ln())).abs() < 0.01, "{}", tail_nats(2.132));
        assert!((tail_nats(4.604) - (-(0.005f64).ln())).abs() < 0.01, "{}", tail_nats(4.604));
        assert_eq!(tail_nats(-1.0), 0.0);
        assert!(tail_nats(48.0).is_finite());
        assert_eq!(tail_nats(f64::NAN), 0.0);
    }

    #[test]
    fn threshold_is_empirical_where_the_data_reach_and_extrapolated_beyond() {
        let mut n = Null::default();
        assert_eq!(n.threshold(1.0), 0.0, "nothing judged: no threshold of its own (min_score rules)");
        for i in 0..10 {
            n.add(f64::from(i));
        }
        assert_eq!(n.threshold(0.5), 9.25, "few scores: above everything seen");
        let mut n = Null::default();
        // 10,000 scores, exponential with mean 1: P(S ≥ t) = e^-t.
        for i in 0..10_000 {
            n.add(-((f64::from(i) + 0.5) / 10_000.0).ln());
        }
        let empirical = n.threshold(100.0);
        assert!((empirical - (100f64).ln()).abs() < 0.3, "{empirical}");
        let far = n.threshold(0.1);
        assert!((far - (100_000f64).ln()).abs() < 1.0, "extrapolated {far} vs {}", (100_000f64).ln());
        assert!(far > empirical);
    }

    #[test]
    fn an_alerted_access_counts_at_its_threshold_and_does_not_raise_the_next() {
        let background = |n: &mut AccessNorms| {
            for i in 0..10_000 {
                n.learn_score(0, -((f64::from(i) + 0.5) / 10_000.0).ln(), None);
            }
        };
        let (mut with, mut full) = (AccessNorms::default(), AccessNorms::default());
        background(&mut with);
        background(&mut full);
        let before = with.nulls[0].threshold(0.5);
        // Three incidents of 30 nats each: counted, but at the threshold they passed.
        for _ in 0..3 {
            let t = with.nulls[0].threshold(0.5);
            with.learn_score(0, 30.0, Some(t));
            full.learn_score(0, 30.0, None);
        }
        let (capped, stretched) = (with.nulls[0].threshold(0.5), full.nulls[0].threshold(0.5));
        // Three alerts where the budget allowed half of one raise the threshold (measured
        // 9.9 -> 12.4): the count still binds. At their full 30 nats they took it to 21.9,
        // beyond any export the norms could score.
        assert!(capped - before < 3.0, "{before} -> {capped}");
        assert!(stretched - capped > 8.0, "uncapped, one incident hides the next: {capped} vs {stretched}");
        assert_eq!(with.null_len(0), 10_003);
    }

    #[test]
    fn a_record_far_beyond_the_accounts_own_tail_scores_more_than_one_just_past_it() {
        let mut n = AccessNorms::default();
        let p = BulkExportParams::default();
        let look = Look::at;
        // An IT account: lookups of a row or two, and queries of up to ~400 rows.
        for i in 0..200u64 {
            let rows = if i % 2 == 0 { 1 } else { 50 + (i * 37) % 350 };
            n.record("it01", "it", &look((i / 10) as i32, rows));
        }
        let factor = |j: &Judgement| j.factors.iter().find(|f| f.0 == "beyond_max").map_or(0.0, |f| f.1);
        let just = n.judge(&p, "it01", "it", &look(30, 1_000));
        let far = n.judge(&p, "it01", "it", &look(30, 9_000));
        let record = 201f64.ln();
        assert!(
            factor(&just) >= record && factor(&just) < record + 1.0,
            "just past twice the record: {}",
            factor(&just)
        );
        assert!(factor(&far) > factor(&just) + 2.0, "far beyond its own tail: {} vs {}", factor(&far), factor(&just));
        assert!(n.judge(&p, "it01", "it", &look(30, 400)).factors.iter().all(|f| f.0 != "beyond_max"));
    }
}
