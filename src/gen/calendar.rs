//! The generated period, the hospital's week (weekday clinics, quiet weekends, 法定节假日)
//! and event-time formatting. Times are local seconds (China Standard Time, no DST) since
//! 1970-01-01 00:00 local; they print with a fixed `+08:00`.

use chrono::{Datelike, NaiveDate, Weekday};

pub const DAY: i64 = 86_400;
pub const HOUR: u32 = 3_600;
pub const MINUTE: u32 = 60;

/// Days since 0001-01-01 of 1970-01-01, to convert chrono days into epoch days.
const CE_TO_EPOCH: i32 = 719_163;

/// 2026 法定节假日 and 调休上班日, as in the shipped `rules/engine.toml`: the hospital is quiet
/// on the first and works on the second. Other years only know weekends.
const HOLIDAYS: &[(i32, u32, u32)] = &[
    (2026, 1, 1),
    (2026, 1, 2),
    (2026, 1, 3),
    (2026, 2, 15),
    (2026, 2, 16),
    (2026, 2, 17),
    (2026, 2, 18),
    (2026, 2, 19),
    (2026, 2, 20),
    (2026, 2, 21),
    (2026, 2, 22),
    (2026, 2, 23),
    (2026, 4, 4),
    (2026, 4, 5),
    (2026, 4, 6),
    (2026, 5, 1),
    (2026, 5, 2),
    (2026, 5, 3),
    (2026, 5, 4),
    (2026, 5, 5),
    (2026, 6, 19),
    (2026, 6, 20),
    (2026, 6, 21),
    (2026, 9, 25),
    (2026, 9, 26),
    (2026, 9, 27),
    (2026, 10, 1),
    (2026, 10, 2),
    (2026, 10, 3),
    (2026, 10, 4),
    (2026, 10, 5),
    (2026, 10, 6),
    (2026, 10, 7),
];
const WORKDAYS: &[(i32, u32, u32)] =
    &[(2026, 1, 4), (2026, 2, 14), (2026, 2, 28), (2026, 5, 9), (2026, 9, 20), (2026, 10, 10)];

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DayKind {
    Workday,
    Saturday,
    Sunday,
    Holiday,
}

#[derive(Copy, Clone, Debug)]
pub struct Period {
    pub start: NaiveDate,
    pub days: u32,
}

impl Period {
    pub fn date(&self, day: u32) -> NaiveDate {
        self.start + chrono::Days::new(u64::from(day))
    }

    /// Local seconds at 00:00 of `day`.
    pub fn day_start(&self, day: u32) -> i64 {
        i64::from(self.date(day).num_days_from_ce() - CE_TO_EPOCH) * DAY
    }

    pub fn kind(&self, day: u32) -> DayKind {
        let d = self.date(day);
        let ymd = (d.year(), d.month(), d.day());
        if WORKDAYS.contains(&ymd) {
            DayKind::Workday
        } else if HOLIDAYS.contains(&ymd) {
            DayKind::Holiday
        } else {
            match d.weekday() {
                Weekday::Sat => DayKind::Saturday,
                Weekday::Sun => DayKind::Sunday,
                _ => DayKind::Workday,
            }
        }
    }

    pub fn is_workday(&self, day: u32) -> bool {
        self.kind(day) == DayKind::Workday
    }

    /// Clinic volume relative to an ordinary weekday. Mondays are the busiest.
    pub fn rhythm(&self, day: u32) -> f64 {
        match self.kind(day) {
            DayKind::Workday if self.date(day).weekday() == Weekday::Mon => 1.12,
            DayKind::Workday => 1.0,
            DayKind::Saturday => 0.4,
            DayKind::Sunday => 0.25,
            DayKind::Holiday => 0.3,
        }
    }
}

/// RFC 3339 with the hospital's fixed offset, e.g. `2026-03-02T09:13:22+08:00`.
pub fn fmt_ts(secs: i64, out: &mut String) {
    let days = secs.div_euclid(DAY);
    let sod = secs.rem_euclid(DAY) as u32;
    let date = NaiveDate::from_num_days_from_ce_opt(days as i32 + CE_TO_EPOCH).unwrap_or(NaiveDate::MIN);
    push_num(out, date.year() as u32, 4);
    out.push('-');
    push_num(out, date.month(), 2);
    out.push('-');
    push_num(out, date.day(), 2);
    out.push('T');
    push_num(out, sod / HOUR, 2);
    out.push(':');
    push_num(out, sod % HOUR / MINUTE, 2);
    out.push(':');
    push_num(out, sod % MINUTE, 2);
    out.push_str("+08:00");
}

pub fn ts_string(secs: i64) -> String {
    let mut s = String::with_capacity(25);
    fmt_ts(secs, &mut s);
    s
}

/// Zero-padded decimal, `width` digits (values wider than that keep all their digits).
fn push_num(out: &mut String, v: u32, width: u32) {
    let mut buf = [0u8; 10];
    let mut n = v;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 && buf.len() - i >= width as usize {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_local_time_with_offset() {
        let p = Period { start: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(), days: 10 };
        let t = p.day_start(1) + 9 * 3600 + 13 * 60 + 22;
        assert_eq!(ts_string(t), "2026-01-06T09:13:22+08:00");
        assert_eq!(p.kind(0), DayKind::Workday);
        assert_eq!(p.kind(5), DayKind::Saturday);
    }

    #[test]
    fn knows_2026_holidays_and_worked_weekends() {
        let p = Period { start: NaiveDate::from_ymd_opt(2026, 2, 14).unwrap(), days: 10 };
        assert_eq!(p.kind(0), DayKind::Workday); // 调休: Saturday worked
        assert_eq!(p.kind(3), DayKind::Holiday); // 春节
    }
}
