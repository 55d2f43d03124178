//! `[[rule.exception]]`: an approved exception to one rule — a doctor allowed a restricted
//! drug, an account allowed a report — with a reason, an approver and an expiry date. The
//! alert stage drops a rule's candidate that an exception in force matches and counts it;
//! an expired exception stops applying, and `rules check` lists it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::alert::Candidate;
use crate::event::time::{parse_day, Day};

use super::model::{Kind, Params, Scope};

/// What an exception names; every one it gives must equal the alert's.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Hospital,
    Dept,
    Doctor,
    Drug,
    User,
    Manufacturer,
    /// The table, view or report an access touched (`evidence.object`).
    Object,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Hospital => "hospital",
            Field::Dept => "dept",
            Field::Doctor => "doctor",
            Field::Drug => "drug",
            Field::User => "user",
            Field::Manufacturer => "manufacturer",
            Field::Object => "object",
        }
    }

    fn of(self, c: &Candidate) -> Option<&str> {
        match self {
            Field::Hospital => Some(&c.hospital),
            Field::Dept => c.dept.as_deref(),
            Field::Doctor => c.doctor.as_deref(),
            Field::Drug => c.drug.as_deref(),
            Field::User => c.user.as_deref(),
            Field::Manufacturer => c.manufacturer.as_deref(),
            Field::Object => c.evidence.get("object").and_then(|v| v.as_str()),
        }
    }

    /// The fields a rule's alerts carry (see the detectors): an exception naming another
    /// could never match, so it is refused. A department-scope share rule's alerts name no
    /// doctor.
    pub fn of_rule(kind: Kind, params: &Params) -> &'static [Field] {
        use Field::*;
        match (kind, params) {
            (Kind::DrugShare | Kind::MaterialShare, Params::Share(p)) if p.scope == Scope::Dept => &[Hospital, Dept],
            _ => Field::of_kind(kind),
        }
    }

    fn of_kind(kind: Kind) -> &'static [Field] {
        use Field::*;
        match kind {
            Kind::TongfangQuery | Kind::BulkExport => &[Hospital, User, Object],
            Kind::SuspendedDrug
            | Kind::RestrictedDrug
            | Kind::AntibioticPrivilege
            | Kind::ControlledPrivilege
            | Kind::Surge
            | Kind::PeerOutlier => &[Hospital, Dept, Doctor, Drug],
            Kind::LargeRx | Kind::DrugShare | Kind::MaterialShare => &[Hospital, Dept, Doctor],
            Kind::Concentration => &[Hospital, Dept, Drug],
            Kind::OveruseWarning => &[Hospital, Drug],
            Kind::RepVisitLift => &[Hospital, Dept, Doctor, Manufacturer],
        }
    }
}

/// One validated exception.
#[derive(Clone, Debug)]
pub struct Exception {
    pub matches: Vec<(Field, String)>,
    pub reason: String,
    pub approver: String,
    /// First local day it applies (inclusive), if not from the start.
    pub from: Option<Day>,
    /// Last local day it applies (inclusive).
    pub expires: Day,
    /// Where it is written, for `rules check`.
    pub file: PathBuf,
    pub line: usize,
}

impl Exception {
    /// Whether it covers `c`, an alert of local day `day`.
    pub fn covers(&self, c: &Candidate, day: Day) -> bool {
        day <= self.expires
            && self.from.is_none_or(|f| day >= f)
            && self.matches.iter().all(|(f, v)| f.of(c) == Some(v.as_str()))
    }

    /// `doctor = D0102, drug = Y0456`
    pub fn subject(&self) -> String {
        self.matches.iter().map(|(f, v)| format!("{} = {v}", f.as_str())).collect::<Vec<_>>().join(", ")
    }
}

/// Days ahead of expiry from which `rules check` lists an exception as expiring.
pub const EXPIRING_DAYS: i32 = 30;

/// What `rules check` says about exceptions on local day `today`: the expired ones (they
/// no longer apply) and those expiring within [`EXPIRING_DAYS`], one line each.
pub fn notes(rules: &[super::Rule], today: Day) -> Vec<String> {
    let mut out = Vec::new();
    for r in rules {
        for e in &r.exceptions {
            let left = e.expires.0 - today.0;
            let state = if left < 0 {
                format!("expired {}: no longer applies", e.expires)
            } else if left <= EXPIRING_DAYS {
                format!("expires {} (in {left} days)", e.expires)
            } else {
                continue;
            };
            out.push(format!(
                "{}:{}: rule {}: exception {} {state} — approved by {}: {}",
                e.file.display(),
                e.line,
                r.id,
                e.subject(),
                e.approver,
                e.reason
            ));
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawException {
    hospital: Option<String>,
    dept: Option<String>,
    doctor: Option<String>,
    drug: Option<String>,
    user: Option<String>,
    manufacturer: Option<String>,
    object: Option<String>,
    reason: String,
    approver: String,
    from: Option<toml::Value>,
    expires: toml::Value,
}

/// A date as TOML writes it (`2027-06-30`) or as a string (`"2027-06-30"`).
fn date(v: &toml::Value) -> Option<Day> {
    match v {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => parse_day(&d.to_string()),
        toml::Value::String(s) => parse_day(s),
        _ => None,
    }
}

impl RawException {
    /// Checks it for `kind`; an error is `(field, message)`.
    pub(super) fn validate(
        self,
        kind: Kind,
        params: &Params,
        file: &Path,
        line: usize,
    ) -> Result<Exception, (String, String)> {
        let given = [
            (Field::Hospital, self.hospital),
            (Field::Dept, self.dept),
            (Field::Doctor, self.doctor),
            (Field::Drug, self.drug),
            (Field::User, self.user),
            (Field::Manufacturer, self.manufacturer),
            (Field::Object, self.object),
        ];
        let allowed = Field::of_rule(kind, params);
        let mut matches = Vec::new();
        for (f, v) in given {
            let Some(v) = v else { continue };
            if !allowed.contains(&f) {
                let names: Vec<&str> = allowed.iter().map(|f| f.as_str()).collect();
                let msg = format!(
                    "`{}` alerts of this rule carry no {}, so this exception would never apply; name one of: {}",
                    kind.as_str(),
                    f.as_str(),
                    names.join(", ")
                );
                return Err((f.as_str().into(), msg));
            }
            // Codes are matched exactly: a stray space from a spreadsheet would never match.
            let v = v.trim();
            if v.is_empty() {
                return Err((f.as_str().into(), "empty: leave the key out instead".into()));
            }
            matches.push((f, v.to_owned()));
        }
        if matches.iter().all(|(f, _)| *f == Field::Hospital) {
            let msg = "names no one (doctor, user, drug, dept, …): it would switch the rule off; \
                       set enabled = false on the rule (or a hospital's own rules directory) for that";
            return Err(("exception".into(), msg.into()));
        }
        for (field, v) in [("reason", &self.reason), ("approver", &self.approver)] {
            if v.trim().is_empty() {
                return Err((field.into(), "required: who approved it and why stay with the exception".into()));
            }
        }
        let bad_date = |field: &str| (field.to_owned(), "must be a date, e.g. 2027-06-30".to_owned());
        let expires = date(&self.expires).ok_or_else(|| bad_date("expires"))?;
        let from = match &self.from {
            Some(v) => Some(date(v).ok_or_else(|| bad_date("from"))?),
            None => None,
        };
        if from.is_some_and(|f| f > expires) {
            return Err(("from".into(), "after expires: the exception would never apply".into()));
        }
        let (reason, approver) = (self.reason, self.approver);
        Ok(Exception { matches, reason, approver, from, expires, file: file.to_owned(), line })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> RawException {
        toml::from_str(s).unwrap()
    }

    fn cand() -> Candidate {
        let mut c = Candidate::new(0, Kind::RestrictedDrug, super::super::Severity::High, "H01", "rx1".into());
        c.doctor = Some("D1".into());
        c.drug = Some("Y9".into());
        c
    }

    #[test]
    fn covers_its_subject_until_it_expires() {
        let e = raw("doctor = \"D1\"\ndrug = \"Y9\"\nreason = \"r\"\napprover = \"a\"\nexpires = 2026-06-30")
            .validate(Kind::RestrictedDrug, &Params::Suspended, Path::new("f"), 3)
            .unwrap();
        let day = |s| parse_day(s).unwrap();
        assert!(e.covers(&cand(), day("2026-06-30")));
        assert!(!e.covers(&cand(), day("2026-07-01")));
        let mut other = cand();
        other.drug = Some("Y8".into());
        assert!(!e.covers(&other, day("2026-01-01")));
        assert_eq!(e.subject(), "doctor = D1, drug = Y9");
    }

    #[test]
    fn refuses_what_could_never_apply_or_has_no_approver() {
        let err = |s: &str, kind| raw(s).validate(kind, &Params::Suspended, Path::new("f"), 1).unwrap_err();
        let tail = "reason = \"r\"\napprover = \"a\"\nexpires = \"2026-06-30\"";
        assert_eq!(err(&format!("user = \"u\"\n{tail}"), Kind::RestrictedDrug).0, "user");
        assert_eq!(err(&format!("hospital = \"H01\"\n{tail}"), Kind::RestrictedDrug).0, "exception");
        let e = err("user = \"u\"\nreason = \" \"\napprover = \"a\"\nexpires = 2026-06-30", Kind::BulkExport);
        assert_eq!(e.0, "reason");
        let e = err("user = \"u\"\nreason = \"r\"\napprover = \"a\"\nexpires = \"June\"", Kind::BulkExport);
        assert_eq!(e.0, "expires");
        let e = err(&format!("user = \"u\"\nfrom = 2026-07-01\n{tail}"), Kind::BulkExport);
        assert_eq!(e.0, "from");
        // A department-scope 药占比 rule names no doctor; a doctor-scope one does.
        let share = |scope: Scope| Params::Share(super::super::model::ShareParams { scope, ..Default::default() });
        let doctor = raw(&format!("doctor = \"D1\"\n{tail}"));
        assert_eq!(doctor.validate(Kind::DrugShare, &share(Scope::Dept), Path::new("f"), 1).unwrap_err().0, "doctor");
        let doctor = raw(&format!("doctor = \" D1 \"\n{tail}"));
        let e = doctor.validate(Kind::DrugShare, &share(Scope::Doctor), Path::new("f"), 1).unwrap();
        assert_eq!(e.subject(), "doctor = D1", "trimmed");
    }
}
