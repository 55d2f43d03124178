//! Prescribing volume, net of returns, per doctor × drug, per doctor, per department × drug
//! and per department: daily rings (the last 32 days, for trailing windows and the daily
//! CUSUM) and weekly rings (21 weeks, for baselines). The unit the footprint detectors
//! count is the prescription line: a Poisson-like count, unlike quantity (amounts and
//! quantities are the monthly 超常预警's: each pair holds its open months', see
//! `Pair::months`). Per-pair state is fixed and inline (200 bytes with those amounts; ≤ 256
//! with its key); idle keys are evicted by event time.

use rustc_hash::FxHashMap;

use crate::event::{Day, Month, Week};

use super::intern::{DeptId, DoctorId, DrugId, Handle};
use super::ring::Ring;

/// Weeks kept: baselines of up to 20 weeks (with their gap) and the week after the one
/// judged, which early-morning lines within the allowed lateness may already have opened.
pub const WEEKS: usize = 21;
pub const DAYS: usize = 32;

/// Net prescription lines of one key, by week and by day.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Series<D: Copy + Default, const N: usize> {
    pub weeks: Ring<Week, [D; WEEKS]>,
    pub days: Ring<Day, [D; N]>,
}

/// A daily counter that saturates instead of overflowing.
pub trait Count: Copy + Default + Into<i64> {
    fn bump(&mut self, by: i8);
}

impl Count for i16 {
    fn bump(&mut self, by: i8) {
        *self = self.saturating_add(i16::from(by));
    }
}

impl Count for i32 {
    fn bump(&mut self, by: i8) {
        *self = self.saturating_add(i32::from(by));
    }
}

impl<D: Count, const N: usize> Series<D, N> {
    fn new(week: Week, day: Day) -> Self {
        Series { weeks: Ring::new(week, [D::default(); WEEKS]), days: Ring::new(day, [D::default(); N]) }
    }

    fn apply(&mut self, d: &Delta) -> bool {
        let w = self.weeks.bucket_mut(d.week).map(|b| b.bump(d.sign)).is_some();
        let dd = self.days.bucket_mut(d.day).map(|b| b.bump(d.sign)).is_some();
        w && dd
    }

    /// Net lines over local days `from..=to` (within the daily ring).
    pub fn lines_days(&self, from: Day, to: Day) -> i64 {
        sum(self.days.slices(from, to))
    }

    /// Net lines over weeks `from..=to`.
    pub fn lines_weeks(&self, from: Week, to: Week) -> i64 {
        sum(self.weeks.slices(from, to))
    }

    /// Moves the rings to `week` and `day` without counting: a part kept beside an
    /// all-lines series (the herbal lines) covers the same periods.
    fn advance(&mut self, week: Week, day: Day) {
        self.weeks.advance(week);
        self.days.advance(day);
    }

    fn last_day(&self) -> Day {
        self.days.head()
    }
}

/// The sum of a ring's buckets, given as its two contiguous parts.
#[inline]
fn sum<D: Count>((a, b): (&[D], &[D])) -> i64 {
    let part = |s: &[D]| -> i64 { s.iter().map(|&v| v.into()).sum() };
    part(a) + part(b)
}

/// Running state of the per-pair Poisson CUSUM (see `detect::surge`).
#[derive(Copy, Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cusum {
    pub s: f32,
    /// Day the current run (S > 0) started.
    pub start: Day,
    /// Lines observed and expected since the run started.
    pub obs: f32,
    pub exp: f32,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Pair {
    pub series: Series<i16, DAYS>,
    pub cusum: Cusum,
    /// Highest calibration score any of the pair's runs has reached (see `detect::calib`):
    /// the budget counts subjects, not runs.
    pub peak: f32,
    /// The pair's amounts in the calendar months still open for the 超常预警 (see
    /// `detect::overuse`), held here so that a line costs one probe of one table, not a
    /// second one in the month's. Checkpointed in `Overuse`'s form, not the pair's.
    #[serde(skip)]
    pub months: [MonthSlot; 2],
}

/// Quantity, amount and lines, net of returns: the 超常预警's unit.
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Amt {
    pub qty: f64,
    pub fen: i64,
    pub lines: i64,
}

impl Amt {
    pub fn add(&mut self, qty: f64, fen: i64, sign: i64) {
        self.qty += sign as f64 * qty;
        self.fen += sign * fen;
        self.lines += sign;
    }

    pub fn merge(&mut self, o: &Amt) {
        self.qty += o.qty;
        self.fen += o.fen;
        self.lines += o.lines;
    }
}

/// One month's amounts of a pair; `month` none: a free slot.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct MonthSlot {
    pub month: Option<Month>,
    pub amt: Amt,
}

/// A change applied: whether every series could count it (false when its day is older
/// than the rings hold), and the pair's slot.
pub struct Applied<'a> {
    pub ok: bool,
    pub pair: &'a mut Pair,
}

/// A doctor's lines. Shares of a drug are of the lines of its own kind: 中药饮片 are written
/// eight to fifteen to a prescription, so a day of many herbal visits must not raise what is
/// expected of a western drug, nor a 中成药's share fall when the doctor sees fewer TCM
/// patients. `series` holds all lines, `herbal` the 饮片 among them.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Doctor {
    pub series: Series<i32, DAYS>,
    pub herbal: Series<i32, DAYS>,
    /// Department of the doctor's latest prescription.
    pub dept: DeptId,
    /// Drugs this doctor has pairs with (for per-manufacturer sums).
    pub drugs: Vec<DrugId>,
}

/// One volume change: a prescription line (`sign` = 1) or a return (`sign` = −1).
#[derive(Copy, Clone, Debug)]
pub struct Delta {
    pub doctor: DoctorId,
    pub dept: DeptId,
    pub drug: DrugId,
    pub day: Day,
    pub week: Week,
    pub sign: i8,
    pub qty: f64,
    pub fen: i64,
    /// A 中药饮片 line (catalog `herbal`).
    pub herbal: bool,
}

impl Doctor {
    /// Net lines of `herbal` (or other) drugs over weeks `from..=to`.
    pub fn lines_weeks(&self, herbal: bool, from: Week, to: Week) -> i64 {
        split(&self.series, &self.herbal, herbal, |s| s.lines_weeks(from, to))
    }

    /// Net lines of `herbal` (or other) drugs over local days `from..=to`.
    pub fn lines_days(&self, herbal: bool, from: Day, to: Day) -> i64 {
        split(&self.series, &self.herbal, herbal, |s| s.lines_days(from, to))
    }

    /// Whether the doctor wrote lines of the kind in all but a quarter (at least two) of
    /// weeks `from..=to`: a doctor who is new, or back from a long leave, has no baseline yet.
    pub fn present(&self, herbal: bool, from: Week, to: Week) -> bool {
        let allowed = ((to - from + 1) / 4).max(2) as usize;
        from.through(to).filter(|&w| self.lines_weeks(herbal, w, w) <= 0).count() <= allowed
    }
}

/// One kind's lines from a key's all-lines and herbal series.
fn split(
    all: &Series<i32, DAYS>,
    herbal: &Series<i32, DAYS>,
    want_herbal: bool,
    f: impl Fn(&Series<i32, DAYS>) -> i64,
) -> i64 {
    if want_herbal {
        f(herbal)
    } else {
        f(all) - f(herbal)
    }
}

/// The key of a doctor × drug pair: both handles packed into one integer.
#[inline]
pub fn pair_key(doctor: DoctorId, drug: DrugId) -> u64 {
    pack(doctor, drug)
}

/// The doctor and drug of a [`pair_key`].
#[inline]
pub fn unpair(k: u64) -> (DoctorId, DrugId) {
    (DoctorId::from_raw((k >> 32) as u32), DrugId::from_raw(k as u32))
}

/// The key of a department × drug series.
#[inline]
fn dept_drug_key(dept: DeptId, drug: DrugId) -> u64 {
    pack(dept, drug)
}

#[inline]
fn pack(a: impl Handle, b: impl Handle) -> u64 {
    (u64::from(a.raw()) << 32) | u64::from(b.raw())
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct UsageStore {
    pub pairs: FxHashMap<u64, Pair>,
    pub doctors: FxHashMap<DoctorId, Doctor>,
    /// Keyed by department × drug (see `dept_drug`).
    pub dept_drugs: FxHashMap<u64, Series<i32, DAYS>>,
    pub depts: FxHashMap<DeptId, Series<i32, DAYS>>,
    /// The 饮片 lines among `depts`'.
    herbal_depts: FxHashMap<DeptId, Series<i32, DAYS>>,
    /// Doctors whose latest prescription was in each department.
    pub dept_doctors: FxHashMap<DeptId, Vec<DoctorId>>,
    /// Pairs with a prescription line, with the local day of the line, not yet judged: a
    /// list appended per line and compacted (sorted, deduplicated) when it doubles, so it
    /// stays within twice the distinct pairs × days (see [`UsageStore::apply`]).
    touched: Vec<(u64, Day)>,
    /// Length of `touched` after its last compaction.
    #[serde(skip)]
    touched_compact: usize,
}

impl UsageStore {
    /// Applies a change.
    pub fn apply(&mut self, d: Delta) -> Applied<'_> {
        let pk = pair_key(d.doctor, d.drug);
        let mut new_pair = false;
        let pair = self.pairs.entry(pk).or_insert_with(|| {
            new_pair = true;
            Pair { series: Series::new(d.week, d.day), cusum: Cusum::default(), peak: 0.0, months: Default::default() }
        });
        let mut ok = pair.series.apply(&d);
        let mut new_doctor = false;
        let doc = self.doctors.entry(d.doctor).or_insert_with(|| {
            new_doctor = true;
            Doctor {
                series: Series::new(d.week, d.day),
                herbal: Series::new(d.week, d.day),
                dept: d.dept,
                drugs: Vec::new(),
            }
        });
        ok &= doc.series.apply(&d);
        if d.herbal {
            doc.herbal.apply(&d);
            self.herbal_depts.entry(d.dept).or_insert_with(|| Series::new(d.week, d.day)).apply(&d);
        } else {
            doc.herbal.advance(d.week, d.day);
            if let Some(h) = self.herbal_depts.get_mut(&d.dept) {
                h.advance(d.week, d.day);
            }
        }
        // A doctor's pairs outlive none of their drugs (a pair is evicted no later than its
        // doctor, and `evict_idle` keeps `drugs` to the pairs held): only a new pair can
        // add one.
        if new_pair && !doc.drugs.contains(&d.drug) {
            doc.drugs.push(d.drug);
        }
        // A prescription (not a return) moves the doctor to its department.
        if d.sign > 0 && (new_doctor || doc.dept != d.dept) {
            let old = std::mem::replace(&mut doc.dept, d.dept);
            if !new_doctor {
                if let Some(v) = self.dept_doctors.get_mut(&old) {
                    v.retain(|&x| x != d.doctor);
                }
            }
            self.dept_doctors.entry(d.dept).or_default().push(d.doctor);
        }
        ok &= self
            .dept_drugs
            .entry(dept_drug_key(d.dept, d.drug))
            .or_insert_with(|| Series::new(d.week, d.day))
            .apply(&d);
        ok &= self.depts.entry(d.dept).or_insert_with(|| Series::new(d.week, d.day)).apply(&d);
        if d.sign > 0 {
            self.touched.push((pk, d.day));
            if self.touched.len() >= 2 * self.touched_compact + 4096 {
                self.touched.sort_unstable();
                self.touched.dedup();
                self.touched_compact = self.touched.len();
            }
        }
        Applied { ok, pair }
    }

    /// Pairs written on `day` or before and not yet judged, sorted.
    /// Pairs written since the last judged day (with repeats): the size of a day's work.
    pub fn touched_len(&self) -> usize {
        self.touched.len()
    }

    pub fn touched(&self, day: Day) -> Vec<u64> {
        let mut v: Vec<u64> = self.touched.iter().filter(|(_, d)| *d <= day).map(|(k, _)| *k).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Marks the pairs written on `day` or before as judged; later days' stay.
    pub fn judged(&mut self, day: Day) {
        self.touched.retain(|(_, d)| *d > day);
        self.touched_compact = self.touched_compact.min(self.touched.len());
    }

    pub fn pair(&self, doctor: DoctorId, drug: DrugId) -> Option<&Pair> {
        self.pairs.get(&pair_key(doctor, drug))
    }

    pub fn dept_drug(&self, dept: DeptId, drug: DrugId) -> Option<&Series<i32, DAYS>> {
        self.dept_drugs.get(&dept_drug_key(dept, drug))
    }

    /// The department's net lines of `herbal` (or other) drugs, by `f` over its series.
    pub fn dept_lines(&self, dept: DeptId, herbal: bool, f: impl Fn(&Series<i32, DAYS>) -> i64) -> Option<i64> {
        let all = self.depts.get(&dept)?;
        let h = self.herbal_depts.get(&dept).map_or(0, &f);
        Some(if herbal { h } else { f(all) - h })
    }

    /// Forgets keys with no activity for longer than the rings span, before local `day`.
    /// Evicts keys idle since before the rings' reach; returns the month amounts the evicted
    /// pairs still held (a pair idle that long holds one only on a stream that stopped
    /// closing days), for their month's table.
    pub fn evict_idle(&mut self, day: Day) -> Vec<(u64, MonthSlot)> {
        let cutoff = day - (WEEKS as i32) * 7;
        let mut held = Vec::new();
        self.pairs.retain(|&k, p| {
            let keep = p.series.last_day() > cutoff;
            if !keep {
                held.extend(p.months.iter().filter(|m| m.month.is_some()).map(|&m| (k, m)));
            }
            keep
        });
        let before = self.doctors.len();
        self.doctors.retain(|_, d| d.series.last_day() > cutoff);
        if self.doctors.len() != before {
            let doctors = &self.doctors;
            for v in self.dept_doctors.values_mut() {
                v.retain(|d| doctors.contains_key(d));
            }
        }
        let pairs = &self.pairs;
        for (&doc, d) in self.doctors.iter_mut() {
            d.drugs.retain(|&g| pairs.contains_key(&pair_key(doc, g)));
        }
        self.dept_drugs.retain(|_, s| s.last_day() > cutoff);
        self.depts.retain(|_, s| s.last_day() > cutoff);
        self.herbal_depts.retain(|_, s| s.last_day() > cutoff);
        held
    }

    /// (pairs, doctors, dept × drug) keys held.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.pairs.len(), self.doctors.len(), self.dept_drugs.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_net_out_and_state_is_compact() {
        let mut s = UsageStore::default();
        let (doctor, dept, drug) = (DoctorId::from_raw(1), DeptId::from_raw(2), DrugId::from_raw(3));
        let d =
            Delta { doctor, dept, drug, day: Day(700), week: Week(100), sign: 1, qty: 4.0, fen: 1000, herbal: false };
        assert!(s.apply(d).ok);
        assert!(s.apply(Delta { sign: -1, qty: 1.0, fen: 250, ..d }).ok);
        s.apply(Delta { day: Day(701), ..d });
        s.apply(Delta { drug: DrugId::from_raw(4), day: Day(701), herbal: true, ..d });
        let p = s.pair(doctor, drug).unwrap();
        assert_eq!(p.series.lines_weeks(Week(100), Week(100)), 1);
        assert_eq!(p.series.lines_days(Day(690), Day(700)), 0);
        assert_eq!(p.series.lines_days(Day(701), Day(701)), 1);
        let doc = &s.doctors[&doctor];
        assert_eq!((doc.lines_weeks(false, Week(81), Week(100)), doc.lines_weeks(true, Week(81), Week(100))), (1, 1));
        assert_eq!((doc.lines_days(false, Day(701), Day(701)), doc.lines_days(true, Day(701), Day(701))), (1, 1));
        assert_eq!(s.dept_lines(dept, false, |x| x.lines_days(Day(701), Day(701))), Some(1));
        assert!(std::mem::size_of::<Pair>() + 8 <= 256, "per-pair state {} bytes", std::mem::size_of::<Pair>());
        assert_eq!(s.dept_doctors[&dept], vec![doctor]);
        let dept5 = DeptId::from_raw(5);
        s.apply(Delta { dept: dept5, day: Day(701), ..d });
        assert_eq!(s.dept_doctors[&dept], Vec::<DoctorId>::new());
        assert_eq!(s.doctors[&doctor].dept, dept5);
        s.evict_idle(Day(701) + (WEEKS as i32) * 7);
        assert_eq!(s.sizes(), (0, 0, 0));
        assert!(s.herbal_depts.is_empty());
    }
}
