//! `engine.toml`: the hospital's clock and calendar, and stream settings shared by all rules.

use serde::Deserialize;

use crate::event::time::{parse_day, parse_hhmm, Day, Zone};
use crate::event::Ts;

use super::duration::Span;
use super::ranges::Invalid;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineFile {
    pub time: TimeFile,
    pub calendar: CalendarFile,
    pub stream: StreamFile,
    pub footprint: Footprint,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeFile {
    pub utc_offset: String,
}

impl Default for TimeFile {
    fn default() -> Self {
        TimeFile { utc_offset: "+08:00".into() }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarFile {
    pub workday_start: String,
    pub workday_end: String,
    pub weekends_off: bool,
    /// Public holidays (法定节假日), `YYYY-MM-DD`.
    pub holidays: Vec<String>,
    /// Weekend days worked in exchange for a holiday (调休上班日).
    pub workdays: Vec<String>,
}

impl Default for CalendarFile {
    fn default() -> Self {
        CalendarFile {
            workday_start: "07:30".into(),
            workday_end: "20:00".into(),
            weekends_off: true,
            holidays: Vec::new(),
            workdays: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamFile {
    /// How long a seen `event_id` is remembered for redelivery checks (event time).
    pub dedup_horizon: Span,
    /// How far behind the newest event time an event may arrive and still update windows.
    pub allowed_lateness: Span,
    /// How far ahead of the hospital's trusted event time an event may be stamped and still
    /// be applied at once; further ahead it waits for the stream to confirm it (a jump) or is
    /// set aside as `future` (a wrong clock).
    pub max_future_skew: Span,
}

impl Default for StreamFile {
    fn default() -> Self {
        StreamFile {
            dedup_horizon: Span(7 * 86_400),
            allowed_lateness: Span(6 * 3600),
            max_future_skew: Span(3 * 3600),
        }
    }
}

/// Validated engine settings.
/// `[footprint]`: the office's budget of false statistical subjects, which the footprint
/// detectors calibrate their thresholds to from the hospital's own history, and the prior
/// weight of each drug class in spending it (see `detect::calib`).
#[derive(Copy, Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Footprint {
    /// False statistical subjects per 100 doctors per month the office accepts, split
    /// between the detectors by their rules' `budget_share`.
    pub budget: f64,
    /// Weight of a 集采中选 drug: its p-value must be this many times smaller (a weight
    /// below 1) — a drug bought at the tender price leaves no margin to pay with.
    pub vbp_weight: f64,
    /// Weight of a 基本药物 (not 集采).
    pub essential_weight: f64,
    /// Weight of a drug outside both lists whose unit price is at least the catalog's
    /// median (of drugs other than 饮片): the margin kickbacks are paid from.
    pub high_price_weight: f64,
}

impl Default for Footprint {
    fn default() -> Self {
        Footprint { budget: 1.0, vbp_weight: 0.25, essential_weight: 0.5, high_price_weight: 2.0 }
    }
}

#[derive(Clone, Debug)]
pub struct Engine {
    pub zone: Zone,
    pub calendar: Calendar,
    pub dedup_horizon: Span,
    pub allowed_lateness: Span,
    pub max_future_skew: Span,
    pub footprint: Footprint,
}

impl Default for Engine {
    fn default() -> Self {
        EngineFile::default().validate().expect("defaults are valid")
    }
}

#[derive(Clone, Debug)]
pub struct Calendar {
    zone: Zone,
    start_min: u32,
    end_min: u32,
    weekends_off: bool,
    holidays: Vec<Day>,
    workdays: Vec<Day>,
}

impl Calendar {
    /// A holiday, or a weekend day that is not a make-up working day.
    pub fn off_day(&self, day: Day) -> bool {
        if self.holidays.contains(&day) {
            return true;
        }
        Zone::weekday(day) >= 5 && self.weekends_off && !self.workdays.contains(&day)
    }

    /// Outside working hours: before the start or after the end of the working day, or on a
    /// weekend or holiday that is not a make-up working day.
    pub fn off_hours(&self, ts: Ts) -> bool {
        if self.off_day(self.zone.day(ts)) {
            return true;
        }
        let m = self.zone.minute_of_day(ts);
        m < self.start_min || m >= self.end_min
    }
}

impl EngineFile {
    /// Returns the settings, or the first invalid value. Each `[stream]` span is within its
    /// own range already (`ranges::STREAM`, checked on the file as written).
    pub fn validate(self) -> Result<Engine, Invalid> {
        let zone = Zone::parse(&self.time.utc_offset)
            .ok_or_else(|| Invalid::new("time.utc_offset", quoted(&self.time.utc_offset), "expected +HH:MM"))?;
        let hhmm = |key: &str, v: &str| {
            parse_hhmm(v).ok_or_else(|| Invalid::new(&format!("calendar.{key}"), quoted(v), "expected HH:MM"))
        };
        let start_min = hhmm("workday_start", &self.calendar.workday_start)?;
        let end_min = hhmm("workday_end", &self.calendar.workday_end)?;
        if end_min <= start_min {
            let v = quoted(&self.calendar.workday_end);
            return Err(Invalid::new("calendar.workday_end", v, "must be after workday_start"));
        }
        let days = |key: &str, v: &[String]| {
            v.iter()
                .map(|d| {
                    parse_day(d)
                        .ok_or_else(|| Invalid::new(&format!("calendar.{key}"), quoted(d), "expected YYYY-MM-DD"))
                })
                .collect::<Result<Vec<Day>, _>>()
        };
        let s = self.stream;
        if s.max_future_skew > s.allowed_lateness {
            let msg = format!("must be at most allowed_lateness ({})", s.allowed_lateness);
            return Err(Invalid::new("stream.max_future_skew", quoted(&s.max_future_skew.to_string()), msg));
        }
        // A redelivery may come as late as the lateness allows, plus the skew: ids must be
        // remembered at least that long or it counts twice.
        let reach = Span(s.allowed_lateness.secs() + s.max_future_skew.secs());
        if s.dedup_horizon < reach {
            let msg = format!("must be at least allowed_lateness + max_future_skew ({reach})");
            return Err(Invalid::new("stream.dedup_horizon", quoted(&s.dedup_horizon.to_string()), msg));
        }
        let calendar = Calendar {
            zone,
            start_min,
            end_min,
            weekends_off: self.calendar.weekends_off,
            holidays: days("holidays", &self.calendar.holidays)?,
            workdays: days("workdays", &self.calendar.workdays)?,
        };
        Ok(Engine {
            zone,
            calendar,
            dedup_horizon: s.dedup_horizon,
            allowed_lateness: s.allowed_lateness,
            max_future_skew: s.max_future_skew,
            footprint: self.footprint,
        })
    }
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_hours_follow_the_calendar() {
        let mut f = EngineFile::default();
        f.calendar.holidays = vec!["2026-10-01".into()];
        f.calendar.workdays = vec!["2026-10-10".into()];
        let e = f.validate().unwrap();
        let at = |s: &str| e.calendar.off_hours(Ts::parse(s).unwrap());
        assert!(!at("2026-03-02T09:00:00+08:00"), "Monday morning");
        assert!(at("2026-03-02T23:40:00+08:00"), "Monday night");
        assert!(at("2026-03-02T07:29:00+08:00"));
        assert!(!at("2026-03-02T07:30:00+08:00"));
        assert!(at("2026-03-07T10:00:00+08:00"), "Saturday");
        assert!(at("2026-10-01T10:00:00+08:00"), "National Day");
        assert!(!at("2026-10-10T10:00:00+08:00"), "make-up Saturday");
    }

    #[test]
    fn future_skew_is_at_most_the_lateness() {
        let mut f = EngineFile::default();
        f.stream.allowed_lateness = Span::hours(1);
        let bad = f.clone().validate().unwrap_err();
        assert_eq!(bad.field(""), "stream.max_future_skew = \"3h\"");
        assert_eq!(bad.message, "must be at most allowed_lateness (1h)");
        f.stream.max_future_skew = Span::hours(1);
        assert!(f.clone().validate().is_ok());
        f.stream.dedup_horizon = Span::hours(1);
        let bad = f.validate().unwrap_err();
        assert_eq!(bad.field(""), "stream.dedup_horizon = \"1h\"");
    }
}
