//! The valid range of every threshold and stream setting, checked on the values as written
//! (so `-1` for a count is a range error, not a type error, and `nan` is caught), then the
//! checks across keys on the typed values. Every range is documented next to its key in
//! `rules/README.md` (a test keeps the two in step).
//!
//! Ranges keep the state bounded: share windows and their baselines size the revenue
//! rings (`MAX_SHARE_DAYS`), the allowed lateness widens them, the footprint windows must
//! fit the usage rings (`DAYS` days, `WEEKS` weeks), and no duration is ever long enough
//! to overflow a day count.

use std::fmt;

use toml::{Table, Value};

use super::duration::Span;
use super::model::{Kind, Params};
use super::{MAX_ALLOWED_LATENESS, MAX_SHARE_DAYS};
use crate::state::usage::{DAYS, WEEKS};

/// A real interval; an open end excludes its bound. NaN and ±inf are never inside.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Real {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
}

impl Real {
    /// `(lo, hi)`
    pub const fn open(lo: f64, hi: f64) -> Real {
        Real { lo, lo_open: true, hi, hi_open: true }
    }

    /// `[lo, hi]`
    pub const fn closed(lo: f64, hi: f64) -> Real {
        Real { lo, lo_open: false, hi, hi_open: false }
    }

    /// `(lo, hi]`
    pub const fn above(lo: f64, hi: f64) -> Real {
        Real { lo, lo_open: true, hi, hi_open: false }
    }

    pub fn contains(self, v: f64) -> bool {
        let lo = if self.lo_open { v > self.lo } else { v >= self.lo };
        let hi = if self.hi_open { v < self.hi } else { v <= self.hi };
        v.is_finite() && lo && hi
    }
}

impl fmt::Display for Real {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (l, r) = (if self.lo_open { '(' } else { '[' }, if self.hi_open { ')' } else { ']' });
        write!(f, "{l}{}, {}{r}", self.lo, self.hi)
    }
}

/// The range of one key.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Bound {
    /// Whole number, `lo..=hi`.
    Int(i64, i64),
    Real(Real),
    /// Duration, `lo..=hi`.
    Span(Span, Span),
    /// A table whose every value lies in the interval (`dept_limits`).
    EachReal(Real),
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Int(lo, hi) => write!(f, "{lo}..={hi}"),
            Bound::Real(r) | Bound::EachReal(r) => write!(f, "{r}"),
            Bound::Span(lo, hi) => write!(f, "{lo}..={hi}"),
        }
    }
}

/// A value that is not valid: its key (within its table), the value, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    pub key: String,
    pub value: Option<String>,
    pub message: String,
}

impl Invalid {
    pub fn new(key: &str, value: impl fmt::Display, message: impl Into<String>) -> Invalid {
        Invalid { key: key.to_owned(), value: Some(value.to_string()), message: message.into() }
    }

    /// `prefix.key = value`, as a problem's field.
    pub fn field(&self, prefix: &str) -> String {
        match &self.value {
            Some(v) => format!("{prefix}{} = {v}", self.key),
            None => format!("{prefix}{}", self.key),
        }
    }

    /// The key as written in the file (`dept_limits` of `dept_limits."0801"`).
    pub fn leaf(&self) -> &str {
        self.key.split('.').next().unwrap_or(&self.key)
    }
}

impl Bound {
    fn check(self, key: &str, v: &Value, out: &mut Vec<Invalid>) {
        if let (Bound::EachReal(r), Value::Table(t)) = (self, v) {
            for (k, x) in t {
                Bound::Real(r).check(&format!("{key}.{k:?}"), x, out);
            }
        } else if self.admits(v) == Some(false) {
            out.push(Invalid::new(key, v, format!("must be in {self}")));
        }
    }

    /// `None` when the value is of another type: deserializing reports that.
    fn admits(self, v: &Value) -> Option<bool> {
        match (self, v) {
            (Bound::Int(lo, hi), Value::Integer(i)) => Some((lo..=hi).contains(i)),
            (Bound::Real(r), Value::Float(x)) => Some(r.contains(*x)),
            (Bound::Real(r), Value::Integer(i)) => Some(r.contains(*i as f64)),
            (Bound::Span(lo, hi), Value::String(s)) => Span::parse(s).map(|s| (lo..=hi).contains(&s)),
            _ => None,
        }
    }
}

/// Values of `table` outside their `bounds`.
pub fn check_table(table: &Table, bounds: &[(&str, Bound)]) -> Vec<Invalid> {
    let mut out = Vec::new();
    for (key, bound) in bounds {
        if let Some(v) = table.get(*key) {
            bound.check(key, v, &mut out);
        }
    }
    out
}

const DAY: i64 = 86_400;
/// Lines in a window or baseline: at most a million.
const LINES: Real = Real::closed(0.0, 1e6);
/// A count the detector divides by: at least one line.
const LINES_1: Real = Real::closed(1.0, 1e6);
const PSEUDO_LINES: Real = Real::above(0.0, 1e6);
const PROBABILITY: Real = Real::open(0.0, 1.0);
const FRACTION: Real = Real::above(0.0, 1.0);
/// Observed over expected, or a share over peers': below 1 would flag the ordinary.
const FACTOR: Real = Real::closed(1.0, 1000.0);
const Z: Real = Real::above(0.0, 100.0);
const YUAN: Real = Real::closed(0.0, 1e10);
/// 药占比 is a fraction of revenue; 0 or 1 would alert on everything or nothing.
const SHARE: Real = Real::open(0.0, 1.0);
/// 百元医疗收入卫生材料: yuan of materials per 100 yuan of non-drug revenue.
const PER_100: Real = Real::above(0.0, 1000.0);
/// The usage rings keep `DAYS` days; a trailing window needs one more for the day judged.
const FOOTPRINT_WINDOW: Bound = Bound::Span(Span::days_n(1), Span::days_n(DAYS as i64 - 2));

/// Keys of the rule table itself.
pub const RULE: &[(&str, Bound)] = &[("cooldown", Bound::Span(Span(0), Span::days_n(365)))];

/// `[stream]` of `engine.toml` (`max_future_skew` is also at most `allowed_lateness`).
pub const STREAM: &[(&str, Bound)] = &[
    ("dedup_horizon", Bound::Span(Span::hours(1), Span::days_n(90))),
    ("allowed_lateness", Bound::Span(Span::minutes(1), MAX_ALLOWED_LATENESS)),
    ("max_future_skew", Bound::Span(Span::minutes(1), MAX_ALLOWED_LATENESS)),
];

/// `[footprint]` of `engine.toml`: the budget and the drug-class weights.
pub const FOOTPRINT: &[(&str, Bound)] = &[
    ("budget", Bound::Real(Real::above(0.0, 100.0))),
    ("vbp_weight", Bound::Real(WEIGHT)),
    ("essential_weight", Bound::Real(WEIGHT)),
    ("high_price_weight", Bound::Real(WEIGHT)),
];

/// A prior weight of a drug class in the budget: a p-value is compared with the threshold
/// times the weight.
const WEIGHT: Real = Real::closed(0.01, 100.0);
/// Part of the footprint budget one detector spends (0: its fixed threshold, uncalibrated).
const BUDGET_SHARE: Real = Real::closed(0.0, 1.0);

const LARGE_RX: &[(&str, Bound)] = &[
    ("max_lines", Bound::Int(1, 100)),
    ("max_days_outpatient", Bound::Int(1, 365)),
    ("max_days_emergency", Bound::Int(1, 365)),
    ("max_days_long_term", Bound::Int(1, 365)),
];

const fn share(limit: Real) -> [(&'static str, Bound); 7] {
    [
        ("window", Bound::Span(Span(DAY), Span::days_n(365))),
        ("baseline", Bound::Span(Span(0), Span::days_n(365))),
        ("limit", Bound::Real(limit)),
        ("dept_limits", Bound::EachReal(limit)),
        ("min_increase", Bound::Real(limit)),
        ("min_ratio", Bound::Real(Real::closed(1.0, 100.0))),
        ("min_revenue", Bound::Real(YUAN)),
    ]
}

const DRUG_SHARE: &[(&str, Bound)] = &share(SHARE);
const MATERIAL_SHARE: &[(&str, Bound)] = &share(PER_100);
/// Shared by both share kinds.
const SHARE_REVENUE: &[(&str, Bound)] = &[("min_baseline_revenue", Bound::Real(YUAN))];

const BULK_EXPORT: &[(&str, Bound)] = &[
    ("max_rows", Bound::Int(1, 1_000_000_000)),
    ("night_start_hour", Bound::Int(0, 24)),
    ("night_end_hour", Bound::Int(0, 24)),
    ("min_rows", Bound::Int(1, 1_000_000_000)),
    ("budget", Bound::Real(Real::above(0.0, 100.0))),
    ("warmup_days", Bound::Int(0, 365)),
    ("min_score", Bound::Real(Real::closed(0.0, 100.0))),
    ("prior_accesses", Bound::Real(Real::above(0.0, 10_000.0))),
];

/// SQL analysed per statement: at least a short query, at most 16 MiB (the analyser is
/// linear, but a cap bounds the time one audit record may take).
const TONGFANG: &[(&str, Bound)] = &[("max_sql_bytes", Bound::Int(1024, 16 * 1024 * 1024))];

const SURGE: &[(&str, Bound)] = &[
    ("baseline_weeks", Bound::Int(1, WEEKS as i64 - 2)),
    ("min_baseline_weeks", Bound::Int(1, WEEKS as i64 - 2)),
    ("gap_weeks", Bound::Int(1, WEEKS as i64 - 2)),
    ("shift", Bound::Real(Real::above(1.0, 100.0))),
    ("h", Bound::Real(Real::above(0.0, 1000.0))),
    ("min_count", Bound::Real(LINES)),
    ("min_ratio", Bound::Real(FACTOR)),
    ("max_p", Bound::Real(PROBABILITY)),
    ("budget_share", Bound::Real(BUDGET_SHARE)),
    ("loosest_p", Bound::Real(PROBABILITY)),
    ("strictest_p", Bound::Real(PROBABILITY)),
    ("dispersion", Bound::Real(Real::closed(1.0, 100.0))),
    ("max_dispersion", Bound::Real(Real::closed(1.0, 100.0))),
    ("prior_lines", Bound::Real(PSEUDO_LINES)),
    ("peer_smoothing", Bound::Real(PSEUDO_LINES)),
    ("min_doctor_baseline", Bound::Real(LINES)),
];

const PEER: &[(&str, Bound)] = &[
    ("window", FOOTPRINT_WINDOW),
    ("baseline_weeks", Bound::Int(1, 8)),
    ("min_doctor_lines", Bound::Real(LINES_1)),
    ("min_count", Bound::Real(LINES)),
    ("min_peers", Bound::Int(1, 1000)),
    ("z", Bound::Real(Z)),
    ("robust_z", Bound::Real(Z)),
    ("min_ratio", Bound::Real(FACTOR)),
    ("baseline_z_max", Bound::Real(Z)),
    ("max_p", Bound::Real(PROBABILITY)),
];

const CONCENTRATION: &[(&str, Bound)] = &[
    ("window", FOOTPRINT_WINDOW),
    ("baseline_weeks", Bound::Int(1, 7)),
    ("top_k", Bound::Int(1, 50)),
    ("min_volume", Bound::Real(LINES)),
    ("min_prescribers", Bound::Int(1, 10_000)),
    ("new_drug_baseline", Bound::Real(LINES)),
    ("new_drug_share", Bound::Real(FRACTION)),
    ("rise", Bound::Real(FRACTION)),
    ("min_share", Bound::Real(FRACTION)),
];

const REP_LIFT: &[(&str, Bound)] = &[
    ("after_min_days", Bound::Int(1, 60)),
    ("after_max_days", Bound::Int(1, 60)),
    ("before_weeks", Bound::Int(1, WEEKS as i64 - 1)),
    ("min_before_weeks", Bound::Int(1, WEEKS as i64 - 1)),
    ("min_after_lines", Bound::Real(LINES_1)),
    ("min_count", Bound::Real(LINES)),
    ("min_relative", Bound::Real(Real::above(0.0, 100.0))),
    ("min_points", Bound::Real(PROBABILITY)),
    ("z", Bound::Real(Z)),
    ("budget_share", Bound::Real(BUDGET_SHARE)),
    ("min_z", Bound::Real(Z)),
    ("max_z", Bound::Real(Z)),
];

const OVERUSE: &[(&str, Bound)] = &[
    ("top_drugs", Bound::Int(1, 1000)),
    ("top_doctors", Bound::Int(1, 1000)),
    ("growth", Bound::Real(Real::above(0.0, 100.0))),
    ("min_base_amount", Bound::Real(Real::above(0.0, 1e10))),
    ("alert_top_n", Bound::Int(0, 1000)),
];

/// Ranged thresholds of a kind (kinds without numbers have none).
pub fn thresholds(kind: Kind) -> Vec<(&'static str, Bound)> {
    let parts: &[&[(&str, Bound)]] = match kind {
        Kind::LargeRx => &[LARGE_RX],
        Kind::DrugShare => &[DRUG_SHARE, SHARE_REVENUE],
        Kind::MaterialShare => &[MATERIAL_SHARE, SHARE_REVENUE],
        Kind::BulkExport => &[BULK_EXPORT],
        Kind::TongfangQuery => &[TONGFANG],
        Kind::Surge => &[SURGE],
        Kind::PeerOutlier => &[PEER],
        Kind::Concentration => &[CONCENTRATION],
        Kind::RepVisitLift => &[REP_LIFT],
        Kind::OveruseWarning => &[OVERUSE],
        Kind::SuspendedDrug | Kind::RestrictedDrug | Kind::AntibioticPrivilege | Kind::ControlledPrivilege => &[],
    };
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// Checks across keys, on typed values each within its own range.
pub fn across(p: &Params) -> Option<Invalid> {
    let bad = |key: &str, value: String, msg: String| Some(Invalid::new(key, value, msg));
    match p {
        Params::Share(s) => {
            let days = s.window.days() + s.baseline.days();
            if days > MAX_SHARE_DAYS {
                let msg = format!("window + baseline = {days}d: must be at most {MAX_SHARE_DAYS}d");
                return bad("baseline", format!("{:?}", s.baseline.to_string()), msg);
            }
            if s.limit.is_none() && s.min_increase.is_none() && s.dept_limits.is_empty() {
                let msg = "set `limit`, `dept_limits` or `min_increase`, or the rule can never fire";
                return Some(Invalid { key: "limit".into(), value: None, message: msg.into() });
            }
        }
        Params::Surge(p) if p.baseline_weeks + p.gap_weeks > WEEKS as i32 - 1 => {
            let msg = format!("baseline_weeks + gap_weeks must be at most {} (weeks kept)", WEEKS - 1);
            return bad("baseline_weeks", p.baseline_weeks.to_string(), msg);
        }
        Params::Surge(p) if p.strictest_p > p.loosest_p => {
            return bad("strictest_p", p.strictest_p.to_string(), "must be at most `loosest_p`".into());
        }
        Params::RepLift(p) if p.min_z > p.max_z => {
            return bad("max_z", p.max_z.to_string(), "must be at least `min_z`".into());
        }
        Params::Surge(p) if p.dispersion > p.max_dispersion => {
            return bad("max_dispersion", p.max_dispersion.to_string(), "must be at least `dispersion`".into());
        }
        Params::RepLift(p) if p.after_min_days > p.after_max_days => {
            return bad("after_max_days", p.after_max_days.to_string(), "must be at least `after_min_days`".into());
        }
        Params::Overuse(p) if p.alert_top_n > p.top_drugs => {
            let msg = "must be at most `top_drugs` (only the top drugs are ranked)".into();
            return bad("alert_top_n", p.alert_top_n.to_string(), msg);
        }
        Params::Tongfang(t) if t.doctor_columns.is_empty() || t.drug_columns.is_empty() => {
            let msg = "doctor_columns and drug_columns must not be empty".into();
            return Some(Invalid { key: "doctor_columns".into(), value: None, message: msg });
        }
        _ => {}
    }
    None
}

#[cfg(test)]
mod tests;
