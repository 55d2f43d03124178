//! Durations in rule files: `0s`, `90s`, `15m`, `6h`, `30d`, `2w`.

use serde::{Deserialize, Deserializer};

/// A span of event time in whole seconds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Span(pub i64);

impl Span {
    pub fn parse(s: &str) -> Option<Span> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit())?;
        let (num, unit) = s.split_at(split);
        let n: i64 = num.parse().ok()?;
        let mult = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return None,
        };
        n.checked_mul(mult).map(Span)
    }

    pub fn secs(self) -> i64 {
        self.0
    }

    /// Whole days, rounded up.
    pub fn days(self) -> i32 {
        ((self.0 + 86_399) / 86_400) as i32
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
    }
}
