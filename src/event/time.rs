//! Event time. Timestamps are whole seconds since the Unix epoch (UTC); calendar questions
//! (which day, which hour, off-hours) are answered in the hospital's configured UTC offset,
//! never in the machine's zone, so a replay anywhere gives the same windows.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};

/// Seconds since the Unix epoch, UTC.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Ts(pub i64);

pub const DAY: i64 = 86_400;

impl Ts {
    /// Parses RFC 3339 with an offset (`2026-03-02T09:13:22+08:00`, `...Z`).
    pub fn parse(s: &str) -> Option<Ts> {
        Ts::parse_plain(s.as_bytes()).or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|t| Ts(t.timestamp())))
    }

    /// The common spelling, `YYYY-MM-DDTHH:MM:SS` then `Z` or `±HH:MM`, by hand; `None` for
    /// anything else (fractions, lower case, a leap second, an invalid date), which chrono
    /// then parses or refuses. The same instant chrono gives (tested against it).
    fn parse_plain(b: &[u8]) -> Option<Ts> {
        if b.len() != 20 && b.len() != 25 {
            return None;
        }
        let n = |at: usize, len: usize| -> Option<i64> {
            b[at..at + len].iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
        };
        if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (y, mo, d, h, mi, sec) = (n(0, 4)?, n(5, 2)?, n(8, 2)?, n(11, 2)?, n(14, 2)?, n(17, 2)?);
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        if !(1..=12).contains(&mo) || d < 1 || d > month_days[mo as usize - 1] || h > 23 || mi > 59 || sec > 59 {
            return None;
        }
        let offset = match (b.len(), b[19]) {
            (20, b'Z') => 0,
            (25, sign @ (b'+' | b'-')) if b[22] == b':' => {
                let (oh, om) = (n(20, 2)?, n(23, 2)?);
                if oh > 23 || om > 59 {
                    return None;
                }
                (oh * 3600 + om * 60) * if sign == b'+' { 1 } else { -1 }
            }
            _ => return None,
        };
        // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
        let y = if mo <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(Ts(days * 86_400 + h * 3600 + mi * 60 + sec - offset))
    }
}

/// The machine's time: read here and only here, by the live service, to set aside events
/// stamped in its future. The core never reads it.
pub fn machine_now() -> Ts {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Ts(d.as_secs() as i64)
}

/// RFC 3339 in UTC, for logs (alerts use the hospital's zone).
impl std::fmt::Display for Ts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match DateTime::from_timestamp(self.0, 0) {
            Some(t) => write!(f, "{}", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            None => write!(f, "{}s", self.0),
        }
    }
}

/// The hospital's civil-time offset, used for days, weeks, months and hours.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    offset: FixedOffset,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::east_seconds(8 * 3600).expect("+08:00 is a valid offset")
    }
}

impl Zone {
    pub fn east_seconds(secs: i32) -> Option<Zone> {
        FixedOffset::east_opt(secs).map(|offset| Zone { offset })
    }

    /// Parses `+08:00`, `-05:30` or `Z`.
    pub fn parse(s: &str) -> Option<Zone> {
        if s == "Z" || s == "z" {
            return Zone::east_seconds(0);
        }
        let (sign, rest) = match s.as_bytes().first()? {
            b'+' => (1, &s[1..]),
            b'-' => (-1, &s[1..]),
            _ => return None,
        };
        let (h, m) = rest.split_once(':')?;
        let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
        if !(0..=14).contains(&h) || !(0..60).contains(&m) {
            return None;
        }
        Zone::east_seconds(sign * (h * 3600 + m * 60))
    }

    fn local_secs(&self, ts: Ts) -> i64 {
        ts.0 + i64::from(self.offset.local_minus_utc())
    }

    /// Local calendar day.
    #[inline]
    pub fn day(&self, ts: Ts) -> Day {
        Day(self.local_secs(ts).div_euclid(DAY) as i32)
    }

    /// Local Monday-based week.
    #[inline]
    pub fn week(&self, ts: Ts) -> Week {
        self.day(ts).week()
    }

    /// Minutes since local midnight.
    pub fn minute_of_day(&self, ts: Ts) -> u32 {
        (self.local_secs(ts).rem_euclid(DAY) / 60) as u32
    }

    /// 0 = Monday … 6 = Sunday.
    #[inline]
    pub fn weekday(day: Day) -> u32 {
        day.weekday()
    }

    /// First instant of a local day.
    #[inline]
    pub fn day_start(&self, day: Day) -> Ts {
        Ts(i64::from(day.0) * DAY - i64::from(self.offset.local_minus_utc()))
    }

    /// Local calendar month.
    pub fn month(&self, ts: Ts) -> Month {
        self.day(ts).month()
    }

    /// RFC 3339 in this zone, e.g. `2026-03-02T09:13:22+08:00`.
    pub fn format(&self, ts: Ts) -> String {
        match self.offset.timestamp_opt(ts.0, 0).single() {
            Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            None => String::from("1970-01-01T00:00:00Z"),
        }
    }
}

/// A local calendar day in the hospital's zone, counted from 1970-01-01 (day 0).
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Day(pub i32);

/// A local Monday-based week: week 0 holds 1970-01-01 (a Thursday), so day `d` is in week
/// `(d + 3) div 7`.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Week(pub i32);

/// A calendar month, numbered `year * 12 + month0`, so consecutive months differ by one.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Month(pub i32);

/// Period arithmetic: a period plus or minus a count of periods is a period; the difference
/// of two periods is a count. Adding a day to a week does not compile.
macro_rules! period {
    ($t:ident) => {
        impl std::ops::Add<i32> for $t {
            type Output = $t;
            #[inline]
            fn add(self, n: i32) -> $t {
                $t(self.0 + n)
            }
        }

        impl std::ops::Sub<i32> for $t {
            type Output = $t;
            #[inline]
            fn sub(self, n: i32) -> $t {
                $t(self.0 - n)
            }
        }

        impl std::ops::AddAssign<i32> for $t {
            #[inline]
            fn add_assign(&mut self, n: i32) {
                self.0 += n;
            }
        }

        impl std::ops::Sub for $t {
            type Output = i32;
            #[inline]
            fn sub(self, o: $t) -> i32 {
                self.0 - o.0
            }
        }

        impl $t {
            /// The periods `self..=last`, oldest first (empty when `last` is earlier).
            #[inline]
            pub fn through(self, last: $t) -> impl DoubleEndedIterator<Item = $t> {
                (self.0..=last.0).map($t)
            }
        }
    };
}

period!(Day);
period!(Week);
period!(Month);

impl Day {
    /// The Monday-based week holding this day.
    #[inline]
    pub fn week(self) -> Week {
        Week((self.0 + 3).div_euclid(7))
    }

    /// The calendar month holding this day.
    pub fn month(self) -> Month {
        use chrono::Datelike;
        let d = self.date();
        Month(d.year() * 12 + d.month0() as i32)
    }

    /// 0 = Monday … 6 = Sunday.
    #[inline]
    pub fn weekday(self) -> u32 {
        (self.0 + 3).rem_euclid(7) as u32
    }

    pub fn date(self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0 + EPOCH_CE_DAYS).unwrap_or(NaiveDate::MIN)
    }

    pub fn of_date(d: NaiveDate) -> Day {
        use chrono::Datelike;
        Day(d.num_days_from_ce() - EPOCH_CE_DAYS)
    }
}

/// `YYYY-MM-DD`.
impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.date().format("%Y-%m-%d"))
    }
}

impl Week {
    /// First day (the Monday) of the week.
    #[inline]
    pub fn start(self) -> Day {
        Day(self.0 * 7 - 3)
    }

    /// Last day (the Sunday) of the week.
    #[inline]
    pub fn end(self) -> Day {
        (self + 1).start() - 1
    }
}

impl Month {
    /// First day of the month.
    pub fn start(self) -> Day {
        let (y, m0) = (self.0.div_euclid(12), self.0.rem_euclid(12) as u32);
        NaiveDate::from_ymd_opt(y, m0 + 1, 1).map_or(Day(i32::MIN / 2), Day::of_date)
    }

    /// Last day of the month.
    pub fn end(self) -> Day {
        (self + 1).start() - 1
    }
}

/// `YYYY-MM`.
impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.0.div_euclid(12), self.0.rem_euclid(12) + 1)
    }
}

/// Parses `YYYY-MM-DD` into a day.
pub fn parse_day(s: &str) -> Option<Day> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(Day::of_date(d))
}

/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
const EPOCH_CE_DAYS: i32 = 719_163;

/// Parses `HH:MM` into minutes since midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hand_parse_is_chronos() {
        let chrono = |s: &str| DateTime::parse_from_rfc3339(s).ok().map(|t| Ts(t.timestamp()));
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut r = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as i64
        };
        let mut plain = 0;
        for _ in 0..200_000 {
            // Mostly valid fields, some out of range: day 0–31 of any month, hour 0–24 …
            let (y, mo, d) = (1600 + r(900), 1 + r(13), r(32));
            let (h, mi, s) = (r(25), r(61), r(61));
            let off = match r(4) {
                0 => "Z".to_string(),
                1 => format!("+{:02}:{:02}", r(25), r(60)),
                2 => format!("-{:02}:{:02}", r(24), r(61)),
                _ => "+08:00".to_string(),
            };
            let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{off}");
            let fast = Ts::parse_plain(text.as_bytes());
            if fast.is_some() {
                plain += 1;
                assert_eq!(fast, chrono(&text), "{text}");
            }
            assert_eq!(Ts::parse(&text), chrono(&text), "{text}");
        }
        assert!(plain > 100_000, "most took the hand parse: {plain}");
        for text in [
            "2026-03-02t09:13:22+08:00",
            "2026-03-02T09:13:22.5+08:00",
            "2026-03-02 09:13:22+08:00",
            "2026-03-02T09:13:22z",
            "2026-03-02T09:13:22+0800",
            "2026-13-02T09:13:22Z",
            "2024-02-29T23:59:59-23:59",
            "2023-02-29T00:00:00Z",
            "2026-06-30T23:59:60Z",
            "+026-03-02T09:13:22Z",
        ] {
            assert_eq!(Ts::parse(text), chrono(text), "{text}");
        }
    }

    #[test]
    fn parses_offsets_and_days() {
        let z = Zone::default();
        let t = Ts::parse("2026-03-02T00:30:00+08:00").unwrap();
        assert_eq!(z.day(t).to_string(), "2026-03-02");
        assert_eq!(z.minute_of_day(t), 30);
        assert_eq!(Zone::weekday(z.day(t)), 0, "2026-03-02 is a Monday");
        assert_eq!(z.format(t), "2026-03-02T00:30:00+08:00");
        let utc = Ts::parse("2026-03-01T16:30:00Z").unwrap();
        assert_eq!(t, utc);
        assert_eq!(z.day_start(z.day(t)), Ts::parse("2026-03-02T00:00:00+08:00").unwrap());
        assert_eq!(parse_day("2026-03-02"), Some(z.day(t)));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(Ts::parse("2026-03-02 09:13:22"), None);
        assert_eq!(Ts::parse("yesterday"), None);
        assert_eq!(Zone::parse("+8"), None);
        assert_eq!(parse_hhmm("25:00"), None);
        assert_eq!(parse_hhmm("07:30"), Some(450));
    }

    #[test]
    fn months_roll_at_local_midnight() {
        let z = Zone::default();
        let a = Ts::parse("2026-01-31T23:59:59+08:00").unwrap();
        let b = Ts::parse("2026-02-01T00:00:00+08:00").unwrap();
        assert_eq!(z.month(b) - z.month(a), 1);
    }

    #[test]
    fn periods_nest_and_count() {
        let monday = parse_day("2026-03-02").unwrap();
        let w = monday.week();
        assert_eq!(w.start(), monday);
        assert_eq!(w.end(), monday + 6);
        assert_eq!((monday + 6).week(), w);
        assert_eq!((monday - 1).week(), w - 1);
        assert_eq!(w.end() - w.start(), 6);
        assert_eq!(monday.month().to_string(), "2026-03");
        assert_eq!((monday.month() - 3).to_string(), "2025-12");
        assert_eq!(Day::of_date(monday.date()), monday);
        assert_eq!((w - 2).through(w).count(), 3);
        assert_eq!(Day(0).to_string(), "1970-01-01");
        assert_eq!(Day(0).weekday(), 3, "a Thursday");
    }
}
