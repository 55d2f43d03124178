//! Durations in rule files: `0s`, `90s`, `15m`, `6h`, `30d`, `2w`.
//!
//! Parsing only checks the syntax and that the seconds fit an `i64`; how long a duration may
//! be is the key's range (`ranges.rs`), checked before anything sizes a buffer from it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A span of event time in whole seconds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Span(pub i64);

const UNITS: [(&str, i64); 5] = [("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)];

impl Span {
    pub const fn minutes(n: i64) -> Span {
        Span(n * 60)
    }

    pub const fn hours(n: i64) -> Span {
        Span(n * 3600)
    }

    pub const fn days_n(n: i64) -> Span {
        Span(n * 86_400)
    }

    pub fn parse(s: &str) -> Option<Span> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit())?;
        let (num, unit) = s.split_at(split);
        let n: i64 = num.parse().ok()?;
        let mult = UNITS.iter().find(|(u, _)| *u == unit)?.1;
        n.checked_mul(mult).map(Span)
    }

    pub fn secs(self) -> i64 {
        self.0
    }

    /// Whole days, rounded up; saturates instead of overflowing.
    pub fn days(self) -> i32 {
        let d = self.0.saturating_add(86_399).div_euclid(86_400);
        d.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }
}

/// In the largest unit of days, hours, minutes or seconds that divides it: `30d`, `6h`, `90s`.
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (unit, mult) = UNITS[1..].iter().find(|(_, m)| self.0 % m == 0 && self.0 != 0).copied().unwrap_or(("s", 1));
        write!(f, "{}{unit}", self.0 / mult)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Span::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid duration {s:?}: use a number and s, m, h, d or w, e.g. \"30d\""))
        })
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(Span::parse("0s"), Some(Span(0)));
        assert_eq!(Span::parse("30d"), Some(Span(30 * 86_400)));
        assert_eq!(Span::parse("2w").unwrap().days(), 14);
        assert_eq!(Span::parse("6h").unwrap().days(), 1);
        assert_eq!(Span::parse("30"), None);
        assert_eq!(Span::parse("d"), None);
        assert_eq!(Span::parse("3y"), None);
        assert_eq!(Span::parse("-1d"), None);
    }

    #[test]
    fn huge_spans_neither_overflow_nor_wrap() {
        assert_eq!(Span::parse("99999999999999999999d"), None, "does not fit i64");
        assert_eq!(Span::parse("106751991167301d"), None, "seconds overflow i64");
        let max = Span::parse("106751991167300d").unwrap();
        assert_eq!(max.days(), i32::MAX, "saturates");
        assert_eq!(Span::parse("9999999999d").unwrap().days(), i32::MAX);
    }

    #[test]
    fn displays_in_the_largest_dividing_unit() {
        let show = |s: &str| Span::parse(s).unwrap().to_string();
        assert_eq!(show("2w"), "14d");
        assert_eq!(show("90m"), "90m");
        assert_eq!(show("120m"), "2h");
        assert_eq!(show("0s"), "0s");
        assert_eq!(show("9999999999d"), "9999999999d");
    }
}
