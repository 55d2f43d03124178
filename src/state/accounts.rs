//! What is normal in one hospital's data-access audit, learned from its own stream: for
//! each account and for each role (and the hospital as a whole), the rows per access and
//! per day, the share of exports and of person-level detail, the hours worked, and how
//! often the account uses a client, an application or an object it has not used before.
//! Pure state: the `bulk_export` detector scores an access against it, then records it.

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use crate::event::{Day, Month};

/// Rows in quarter-log2 bins: 1 row … 2^24 rows (beyond is the last bin).
pub const ROW_BINS: usize = 96;

/// Action classes with rows norms of their own: query, report, export, print and other.
pub const ACTIONS: usize = 4;
/// The action class of exports.
pub const EXPORT: usize = 2;

/// A histogram of log2(rows) in quarter steps.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LogHist {
    n: u32,
    #[serde(with = "super::ring::arr")]
    c: Box<[u32; ROW_BINS]>,
}

impl Default for LogHist {
    fn default() -> Self {
        LogHist { n: 0, c: Box::new([0; ROW_BINS]) }
    }
}

impl LogHist {
    pub fn log2(rows: u64) -> f64 {
        (rows.max(1) as f64).log2()
    }

    pub fn add(&mut self, rows: u64) {
        let b = ((Self::log2(rows) * 4.0) as usize).min(ROW_BINS - 1);
        self.c[b] += 1;
        self.n += 1;
    }

    pub fn len(&self) -> u32 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The `q` quantile of log2(rows), at the middle of its bin.
    pub fn quantile(&self, q: f64) -> f64 {
        self.quantiles([q])[0]
    }

    /// Quantiles `qs` (ascending) of log2(rows), at the middle of their bins, in one pass
    /// over the bins (every access judged reads three of four histograms).
    fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [f64; N] {
        let mut out = [(ROW_BINS as f64 - 0.5) / 4.0; N];
        let mut next = 0;
        let mut seen = 0.0;
        for (b, &k) in self.c.iter().enumerate() {
            seen += f64::from(k);
            while next < N && seen >= (qs[next] * f64::from(self.n)).max(1.0) {
                out[next] = (b as f64 + 0.5) / 4.0;
                next += 1;
            }
            if next == N {
                break;
            }
        }
        out
    }

    /// Entries of at least `rows` (to the bin).
    pub fn at_least(&self, rows: u64) -> u32 {
        let b = ((Self::log2(rows) * 4.0) as usize).min(ROW_BINS - 1);
        self.c[b..].iter().sum()
    }

    /// The `k` largest entries' threshold and scale, for a peaks-over-threshold tail: the
    /// (k+1)-th largest log2(rows) `u` and the mean excess of the `k` above it (bin
    /// middles; 0 when they share its bin). `None` with fewer than `k + 1` entries.
    pub fn top(&self, k: u32) -> Option<(f64, f64)> {
        if k == 0 || self.n <= k {
            return None;
        }
        let mid = |b: usize| (b as f64 + 0.5) / 4.0;
        let (mut taken, mut sum) = (0u32, 0.0);
        for b in (0..ROW_BINS).rev() {
            let c = self.c[b];
            if c == 0 {
                continue;
            }
            // The (k+1)-th largest is the first entry of this bin, or within it.
            if taken == k {
                return Some((mid(b), sum / f64::from(k) - mid(b)));
            }
            let here = c.min(k - taken);
            sum += f64::from(here) * mid(b);
            taken += here;
            if taken == k && c > here {
                return Some((mid(b), sum / f64::from(k) - mid(b)));
            }
        }
        None
    }

    /// Centre (median) and robust spread (IQR / 1.349) of log2(rows).
    pub fn centre_spread(&self) -> (f64, f64) {
        let [q1, q2, q3] = self.quantiles([0.25, 0.5, 0.75]);
        (q2, (q3 - q1) / 1.349)
    }
}

/// Hashes of the values an account has used (client, app, object), up to a cap; beyond
/// it, the account is one that roams and a new value tells nothing.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Seen(Vec<u64>);

pub const SEEN_CAP: usize = 64;

impl Seen {
    pub fn contains(&self, v: &str) -> bool {
        self.0.len() >= SEEN_CAP || self.0.contains(&xxh3_64(v.as_bytes()))
    }

    /// Adds `v`; true when it was new.
    pub fn insert(&mut self, v: &str) -> bool {
        if self.contains(v) {
            return false;
        }
        self.0.push(xxh3_64(v.as_bytes()));
        true
    }
}

/// Counts of accesses (of one account, one role or the whole hospital).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// Accesses.
    pub n: u32,
    /// log2 rows of the accesses that report rows, by action (a report's rows, a lookup's
    /// and an export's are different habits): query, report, export, print/other.
    pub rows: [LogHist; ACTIONS],
    /// log2 rows of all of them.
    pub all_rows: LogHist,
    /// log2 of completed days' row totals.
    pub daily: LogHist,
    pub exports: u32,
    /// Accesses whose aggregation is known (SQL text or `group_by`) …
    pub shaped: u32,
    /// … of which person-level detail (no aggregation).
    pub detail: u32,
    /// Local hour of each access.
    pub hours: [u32; 24],
    /// Accesses on the calendar's days off (weekends, holidays).
    pub off_days: u32,
    /// New clients, apps and objects (first use by the account), summed over its accounts.
    pub new_client: u32,
    pub new_app: u32,
    pub new_object: u32,
    /// Accesses that name a client, an app, an object.
    pub with_client: u32,
    pub with_app: u32,
    pub with_object: u32,
}

/// One access, as the norms see it.
#[derive(Debug, Clone, Copy)]
pub struct Look<'a> {
    pub day: Day,
    pub month: Month,
    pub hour: usize,
    /// A day off by the calendar.
    pub off_day: bool,
    /// Outside the calendar's working hours (a day off included).
    pub off_hours: bool,
    pub rows: Option<u64>,
    /// Action class, `0..ACTIONS` (`EXPORT` for an export).
    pub action: usize,
    /// `Some(true)` person-level detail, `Some(false)` an aggregate, `None` unknown.
    pub detail: Option<bool>,
    pub client: Option<&'a str>,
    pub app: Option<&'a str>,
    pub object: Option<&'a str>,
}

#[cfg(test)]
impl Look<'static> {
    /// For tests: a weekday query of `rows` at 10:00 on `day`.
    pub fn at(day: i32, rows: u64) -> Look<'static> {
        Look {
            day: Day(day),
            month: Day(day).month(),
            hour: 10,
            off_day: false,
            off_hours: false,
            rows: Some(rows),
            action: 0,
            detail: None,
            client: Some("10.0.0.1"),
            app: Some("HIS"),
            object: Some("门诊处方明细"),
        }
    }
}

impl Look<'_> {
    pub fn export(&self) -> bool {
        self.action == EXPORT
    }
}

/// Which of an access's values the account had not used before.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct Novel {
    pub client: bool,
    pub app: bool,
    pub object: bool,
}

impl Profile {
    fn record(&mut self, s: &Look, novel: Novel) {
        self.n += 1;
        if let Some(r) = s.rows {
            self.rows[s.action].add(r);
            self.all_rows.add(r);
        }
        self.exports += u32::from(s.export());
        if let Some(d) = s.detail {
            self.shaped += 1;
            self.detail += u32::from(d);
        }
        self.hours[s.hour] += 1;
        self.off_days += u32::from(s.off_day);
        self.with_client += u32::from(s.client.is_some());
        self.with_app += u32::from(s.app.is_some());
        self.with_object += u32::from(s.object.is_some());
        self.new_client += u32::from(novel.client);
        self.new_app += u32::from(novel.app);
        self.new_object += u32::from(novel.object);
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Account {
    pub profile: Profile,
    pub role: usize,
    pub first_day: Option<Day>,
    clients: Seen,
    apps: Seen,
    objects: Seen,
    /// The day being summed and its rows so far.
    pub day: Option<Day>,
    pub day_rows: u64,
    /// The day whose total has been alerted on already.
    pub flagged_day: Option<Day>,
    pub days: u32,
    month: Option<Month>,
}

impl Account {
    /// Which values of `s` this account has not used before.
    pub fn novel(&self, s: &Look) -> Novel {
        Novel {
            client: s.client.is_some_and(|c| !self.clients.contains(c)),
            app: s.app.is_some_and(|c| !self.apps.contains(c)),
            object: s.object.is_some_and(|c| !self.objects.contains(c)),
        }
    }

    /// The account's rows today including `rows` (a new day starts at 0).
    pub fn day_total(&self, day: Day, rows: u64) -> u64 {
        if self.day == Some(day) {
            self.day_rows + rows
        } else {
            rows
        }
    }
}

/// The index key of a login's account in a role after its first.
fn role_key(user: &str, role: &str) -> String {
    format!("{user}\u{1f}{role}")
}

/// Accounts and roles learned per hospital, at most (about 5 KB each: 20,000 accounts are
/// about 100 MB). A hospital has a few thousand; beyond the cap — a broken feed, or one
/// inventing users — a new account or role is judged as a first-seen one against its role's
/// norm (or the hospital's) and not learned; `over_cap` counts them.
pub const MAX_ACCOUNTS: usize = 20_000;
pub const MAX_ROLES: usize = 256;

/// The norms of one hospital's accounts.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Accounts {
    index: FxHashMap<Box<str>, usize>,
    pub accounts: Vec<Account>,
    role_index: FxHashMap<Box<str>, usize>,
    pub roles: Vec<(Box<str>, Profile)>,
    pub all: Profile,
    /// Accounts active in each month.
    months: Vec<(Month, u32)>,
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
    /// Accesses not learned because the account or role was new beyond the cap.
    pub over_cap: u64,
}

impl Accounts {
    /// The index of `user`'s account in `role`, if it has been seen. One login seen in two
    /// roles is two accounts, each with its own norm: a nurse and an IT engineer who share
    /// a name (or one person with two duties) do not blur each other's habits. The first
    /// role a name is seen in keys it by the name alone (the form checkpoints hold); a further
    /// role by the name and the role.
    ///
    /// An access with no role, an account first seen with none, or a role beyond the cap
    /// is the login's first account: a feed that sometimes omits the role does not split its
    /// users, and a flood of roles does not make known logins new.
    pub fn get(&self, user: &str, role: &str) -> Option<usize> {
        let a = *self.index.get(user)?;
        if role.is_empty() || self.roles[self.accounts[a].role].0.is_empty() {
            return Some(a);
        }
        let Some(&r) = self.role_index.get(role) else {
            return (self.roles.len() >= MAX_ROLES).then_some(a);
        };
        if self.accounts[a].role == r {
            return Some(a);
        }
        self.index.get(role_key(user, role).as_str()).copied()
    }

    pub fn role(&self, role: &str) -> Option<usize> {
        self.role_index.get(role).copied()
    }

    /// Records one access of `user` (in `role`, `""` when unknown) after it was judged.
    pub fn record(&mut self, user: &str, role: &str, s: &Look) {
        let new_role = !self.role_index.contains_key(role) && self.roles.len() >= MAX_ROLES;
        let known = self.get(user, role);
        let new_account = known.is_none() && self.accounts.len() >= MAX_ACCOUNTS;
        if new_role || new_account {
            self.over_cap += 1;
            return;
        }
        self.first_day = Some(self.first_day.map_or(s.day, |d| d.min(s.day)));
        self.last_day = Some(self.last_day.map_or(s.day, |d| d.max(s.day)));
        let r = match self.role_index.get(role) {
            Some(&r) => r,
            None => {
                self.roles.push((role.into(), Profile::default()));
                self.role_index.insert(role.into(), self.roles.len() - 1);
                self.roles.len() - 1
            }
        };
        let a = match known {
            Some(a) => a,
            None => {
                self.accounts.push(Account { role: r, ..Account::default() });
                let key = if self.index.contains_key(user) { role_key(user, role).into() } else { user.into() };
                self.index.insert(key, self.accounts.len() - 1);
                self.accounts.len() - 1
            }
        };
        let acct = &mut self.accounts[a];
        // An account first seen with no role takes the first role it is seen in.
        if self.roles[acct.role].0.is_empty() {
            acct.role = r;
        }
        let novel = acct.novel(s);
        let first = acct.profile.n == 0;
        if let Some(c) = s.client {
            acct.clients.insert(c);
        }
        if let Some(c) = s.app {
            acct.apps.insert(c);
        }
        if let Some(c) = s.object {
            acct.objects.insert(c);
        }
        // A first access is new to the account by definition: it does not teach how often
        // this account turns to new tools.
        let novel = if first { Novel::default() } else { novel };
        acct.first_day.get_or_insert(s.day);
        // Months counted once each, in order: a late access of last month is not a new one.
        if acct.month.is_none_or(|m| m < s.month) {
            acct.month = Some(s.month);
            match self.months.iter_mut().find(|(m, _)| *m == s.month) {
                Some((_, k)) => *k += 1,
                None => self.months.push((s.month, 1)),
            }
        }
        if acct.day != Some(s.day) {
            if let Some(d) = acct.day {
                if d < s.day && acct.day_rows > 0 {
                    acct.profile.daily.add(acct.day_rows);
                    self.roles[r].1.daily.add(acct.day_rows);
                    self.all.daily.add(acct.day_rows);
                }
            }
            if acct.day.is_none_or(|d| d < s.day) {
                acct.day = Some(s.day);
                acct.day_rows = 0;
                acct.days += 1;
            }
        }
        if acct.day == Some(s.day) {
            acct.day_rows += s.rows.unwrap_or(0);
        }
        acct.profile.record(s, novel);
        self.roles[r].1.record(s, novel);
        self.all.record(s, novel);
    }

    /// Active accounts × months over the days the stream has covered: each month's active
    /// accounts, in the share of that month's days between the first and last day seen.
    pub fn account_months(&self) -> f64 {
        let (Some(first), Some(last)) = (self.first_day, self.last_day) else { return 0.0 };
        self.months
            .iter()
            .map(|&(m, k)| {
                let (start, end) = (m.start().0, m.end().0);
                let covered = (end.min(last.0) - start.max(first.0) + 1).max(0);
                f64::from(k) * f64::from(covered) / f64::from(end - start + 1)
            })
            .sum()
    }

    /// Days from the first to the last seen.
    pub fn days_covered(&self) -> i32 {
        match (self.first_day, self.last_day) {
            (Some(f), Some(l)) => l.0 - f.0 + 1,
            _ => 0,
        }
    }

    /// Accounts seen.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(day: i32, rows: u64) -> Look<'static> {
        Look::at(day, rows)
    }

    #[test]
    fn quantiles_in_log2() {
        let mut h = LogHist::default();
        for r in [100, 200, 400, 800, 1600] {
            h.add(r);
        }
        let (c, _) = h.centre_spread();
        assert!((c - 400f64.log2()).abs() < 0.25, "{c}");
    }

    /// The one-pass quantiles are the quantiles bin by bin, including empty, one-entry and
    /// top-bin histograms.
    #[test]
    fn one_pass_quantiles_match_each_on_its_own() {
        let slow = |h: &LogHist, q: f64| {
            let target = (q * f64::from(h.n)).max(1.0);
            let mut seen = 0.0;
            for (b, &k) in h.c.iter().enumerate() {
                seen += f64::from(k);
                if seen >= target {
                    return (b as f64 + 0.5) / 4.0;
                }
            }
            (ROW_BINS as f64 - 0.5) / 4.0
        };
        let mut h = LogHist::default();
        let mut x = 12345u64;
        for round in 0..400 {
            let qs = [0.25, 0.5, 0.75];
            assert_eq!(h.quantiles(qs), qs.map(|q| slow(&h, q)), "after {round} entries");
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            h.add(if round % 7 == 0 { u64::MAX } else { 1 << ((x >> 33) % 30) });
        }
    }

    #[test]
    fn days_close_into_the_daily_norm() {
        let mut a = Accounts::default();
        a.record("u1", "pharmacist", &s(0, 300));
        a.record("u1", "pharmacist", &s(0, 700));
        a.record("u1", "pharmacist", &s(1, 50));
        let acct = &a.accounts[a.get("u1", "pharmacist").unwrap()];
        assert_eq!(acct.profile.daily.len(), 1);
        assert!((acct.profile.daily.quantile(0.5) - 1000f64.log2()).abs() < 0.25);
        assert_eq!(acct.day_rows, 50);
        assert_eq!(acct.days, 2);
        assert!((a.account_months() - 2.0 / 31.0).abs() < 1e-9, "{}", a.account_months());
        // A late access of a closed day is learned but does not reopen it.
        a.record("u1", "pharmacist", &s(0, 5));
        assert_eq!(a.accounts[0].day_rows, 50);
    }

    #[test]
    fn accounts_beyond_the_cap_are_counted_not_learned() {
        let mut a = Accounts::default();
        for i in 0..MAX_ACCOUNTS + 10 {
            a.record(&format!("u{i}"), "doctor", &s(0, 1));
        }
        assert_eq!(a.len(), MAX_ACCOUNTS);
        assert_eq!(a.over_cap, 10);
        a.record("u0", "doctor", &s(1, 1));
        assert_eq!(a.over_cap, 10, "a known account is still learned");
    }

    #[test]
    fn novelty_is_per_account_and_first_access_teaches_none() {
        let mut a = Accounts::default();
        a.record("u1", "it", &s(0, 1));
        let mut other = s(0, 1);
        other.client = Some("10.0.0.2");
        assert!(a.accounts[0].novel(&other).client);
        a.record("u1", "it", &other);
        assert_eq!(a.accounts[0].profile.new_client, 1);
        a.record("u2", "it", &other);
        assert_eq!(a.roles[0].1.new_client, 1, "u2's first access is not counted as novel");
    }

    #[test]
    fn one_login_in_two_roles_keeps_two_norms() {
        let mut a = Accounts::default();
        for day in 0..5 {
            a.record("xie01", "nurse", &s(day, 3));
            a.record("xie01", "it", &s(day, 400));
        }
        let (nurse, it) = (a.get("xie01", "nurse").unwrap(), a.get("xie01", "it").unwrap());
        assert_ne!(nurse, it);
        assert_eq!(a.len(), 2);
        assert_eq!(a.accounts[nurse].profile.n, 5);
        assert!(a.accounts[nurse].profile.all_rows.quantile(1.0) < 3.0, "the nurse's norm holds no IT query");
        assert!(a.accounts[it].profile.all_rows.quantile(0.0) > 8.0, "the IT norm holds no nurse query");
        assert_eq!(a.get("xie01", "finance"), None, "a role never seen under the login is a new account");
        assert_eq!(a.get("xie01", ""), Some(nurse), "no role: the login's first account");
        a.record("xie01", "", &s(6, 3));
        assert_eq!((a.len(), a.accounts[nurse].profile.n), (2, 6), "an access with no role does not split the login");
        // First seen with no role: the first role it is seen in is the same account.
        a.record("wu01", "", &s(0, 5));
        a.record("wu01", "pharmacist", &s(1, 5));
        assert_eq!(a.get("wu01", "pharmacist"), a.get("wu01", ""));
        assert_eq!(a.len(), 3);
        assert_eq!(a.get("xie02", "nurse"), None);
        // A checkpoint keeps the index's form: the first role under the bare name.
        let back: Accounts = postcard::from_bytes(&postcard::to_allocvec(&a).unwrap()).unwrap();
        assert_eq!((back.get("xie01", "nurse"), back.get("xie01", "it")), (Some(nurse), Some(it)));
    }

    #[test]
    fn top_gives_the_threshold_and_mean_excess_of_the_largest() {
        let mut h = LogHist::default();
        assert_eq!(h.top(5), None);
        for rows in [1u64, 2, 4, 8, 16, 32, 64] {
            h.add(rows);
        }
        // The 3 largest (16, 32, 64: log2 4, 5, 6, at their bins' middles) above the 4th (8: 3).
        let (u, sigma) = h.top(3).unwrap();
        assert!((u - 3.125).abs() < 1e-9 && (sigma - 2.0).abs() < 1e-9, "{u} {sigma}");
        // Ties: the threshold inside the bin the k-th shares with the (k+1)-th.
        let mut t = LogHist::default();
        for _ in 0..10 {
            t.add(100);
        }
        t.add(1000);
        assert_eq!(t.top(3).map(|(u, _)| u), Some((100f64.log2() * 4.0).floor() / 4.0 + 0.125));
        assert_eq!(t.top(11), None);
    }
}
