//! Event time. Timestamps are whole seconds since the Unix epoch (UTC); calendar questions
//! (which day, which hour, off-hours) are answered in the hospital's configured UTC offset,
//! never in the machine's zone, so a replay anywhere gives the same windows.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};

/// Seconds since the Unix epoch, UTC.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Ts(pub i64);

pub const DAY: i64 = 86_400;

impl Ts {
    /// Parses RFC 3339 with an offset (`2026-03-02T09:13:22+08:00`, `...Z`).
    pub fn parse(s: &str) -> Option<Ts> {
        DateTime::parse_from_rfc3339(s).ok().map(|t| Ts(t.timestamp()))
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

    /// Local calendar day, counted from 1970-01-01.
    pub fn day(&self, ts: Ts) -> i32 {
        self.local_secs(ts).div_euclid(DAY) as i32
    }

    /// Local Monday-based week number.
    pub fn week(&self, ts: Ts) -> i32 {
        week_of_day(self.day(ts))
    }

    /// Minutes since local midnight.
    pub fn minute_of_day(&self, ts: Ts) -> u32 {
        (self.local_secs(ts).rem_euclid(DAY) / 60) as u32
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(day: i32) -> u32 {
        (day + 3).rem_euclid(7) as u32
    }

    /// First instant of a local day.
    pub fn day_start(&self, day: i32) -> Ts {
        Ts(i64::from(day) * DAY - i64::from(self.offset.local_minus_utc()))
    }

    /// Local calendar month as `year * 12 + month0`.
    pub fn month(&self, ts: Ts) -> i32 {
        month_of_day(self.day(ts))
    }

    /// RFC 3339 in this zone, e.g. `2026-03-02T09:13:22+08:00`.
    pub fn format(&self, ts: Ts) -> String {
        match self.offset.timestamp_opt(ts.0, 0).single() {
            Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            None => String::from("1970-01-01T00:00:00Z"),
        }
    }

    /// `YYYY-MM-DD` of a local day.
    pub fn format_day(day: i32) -> String {
        date_of_day(day).format("%Y-%m-%d").to_string()
    }
}

/// Monday-based week number of a local day (1970-01-01 was a Thursday).
pub fn week_of_day(day: i32) -> i32 {
    (day + 3).div_euclid(7)
}

/// First local day (the Monday) of a week.
pub fn week_start(week: i32) -> i32 {
    week * 7 - 3
}

pub fn date_of_day(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + EPOCH_CE_DAYS).unwrap_or(NaiveDate::MIN)
}

/// Parses `YYYY-MM-DD` into a day number (days since 1970-01-01).
pub fn parse_day(s: &str) -> Option<i32> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(day_of_date(d))
}

pub fn day_of_date(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - EPOCH_CE_DAYS
}

/// Calendar month (`year * 12 + month0`) of a local day.
pub fn month_of_day(day: i32) -> i32 {
    month_index(date_of_day(day))
}

fn month_index(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.year() * 12 + d.month0() as i32
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
    fn parses_offsets_and_days() {
        let z = Zone::default();
        let t = Ts::parse("2026-03-02T00:30:00+08:00").unwrap();
        assert_eq!(Zone::format_day(z.day(t)), "2026-03-02");
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
}
