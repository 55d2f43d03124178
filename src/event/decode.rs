//! Bytes → typed [`Event`]. The fast path is one serde pass into a flat struct of optional,
//! borrowed fields; only when that fails does the slow path re-read the record as a JSON
//! tree to name the field at fault. Every rejection carries a reason and a field so the
//! caller can count it and print `file:line: field: problem`.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer};

use super::*;

/// Why a record was not accepted. Bounded set: it is a metric label.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    NotJson,
    MissingField,
    InvalidType,
    InvalidValue,
    UnknownType,
    /// Longer than the reader's line limit (`--max-line-bytes`); its bytes were skipped.
    TooLong,
}

impl RejectReason {
    pub const ALL: [RejectReason; 6] =
        [Self::NotJson, Self::MissingField, Self::InvalidType, Self::InvalidValue, Self::UnknownType, Self::TooLong];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotJson => "not_json",
            Self::MissingField => "missing_field",
            Self::InvalidType => "invalid_type",
            Self::InvalidValue => "invalid_value",
            Self::UnknownType => "unknown_type",
            Self::TooLong => "too_long",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub reason: RejectReason,
    /// The field at fault, when there is one.
    pub field: Option<&'static str>,
    pub detail: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "field `{field}`: {} ({})", self.detail, self.reason.as_str()),
            None => write!(f, "{} ({})", self.detail, self.reason.as_str()),
        }
    }
}

fn reject(reason: RejectReason, field: &'static str, detail: impl Into<String>) -> Reject {
    Reject { reason, field: Some(field), detail: detail.into() }
}

/// A string that borrows from the input when it has no escapes. (`Option<Cow<str>>` with
/// `#[serde(borrow)]` always allocates; this visitor does not.)
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct Str<'a>(pub(super) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

type S<'a> = Option<Str<'a>>;

fn cow(v: S<'_>) -> Option<Cow<'_, str>> {
    v.map(|s| s.0)
}

fn cows(v: Option<Vec<Str<'_>>>) -> Vec<Cow<'_, str>> {
    v.map(|l| l.into_iter().map(|s| s.0).collect()).unwrap_or_default()
}

#[derive(Deserialize, Default)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct Raw<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) ty: S<'a>,
    #[serde(borrow)]
    pub(super) event_id: S<'a>,
    #[serde(borrow)]
    pub(super) ts: S<'a>,
    #[serde(borrow)]
    pub(super) hospital: S<'a>,
    #[serde(borrow)]
    pub(super) rx_id: S<'a>,
    #[serde(default, deserialize_with = "int")]
    pub(super) line: Option<i64>,
    #[serde(borrow)]
    pub(super) visit_type: S<'a>,
    #[serde(borrow)]
    pub(super) dept: S<'a>,
    #[serde(borrow)]
    pub(super) doctor: S<'a>,
    #[serde(borrow)]
    pub(super) doctor_title: S<'a>,
    #[serde(borrow)]
    pub(super) drug: S<'a>,
    #[serde(borrow)]
    pub(super) drug_name: S<'a>,
    #[serde(borrow)]
    pub(super) manufacturer: S<'a>,
    pub(super) qty: Option<f64>,
    pub(super) amount: Option<f64>,
    #[serde(default, deserialize_with = "int")]
    pub(super) days: Option<i64>,
    pub(super) long_term: Option<bool>,
    #[serde(borrow)]
    pub(super) reason: S<'a>,
    #[serde(borrow)]
    pub(super) category: S<'a>,
    #[serde(borrow)]
    pub(super) user: S<'a>,
    #[serde(borrow)]
    pub(super) role: S<'a>,
    #[serde(borrow)]
    pub(super) client_ip: S<'a>,
    #[serde(borrow)]
    pub(super) app: S<'a>,
    #[serde(borrow)]
    pub(super) action: S<'a>,
    #[serde(borrow)]
    pub(super) object: S<'a>,
    #[serde(borrow)]
    pub(super) group_by: Option<Vec<Str<'a>>>,
    #[serde(default, deserialize_with = "int")]
    pub(super) rows: Option<i64>,
    #[serde(borrow)]
    pub(super) sql: S<'a>,
    #[serde(borrow)]
    pub(super) rep: S<'a>,
    #[serde(borrow)]
    pub(super) company: S<'a>,
    #[serde(borrow)]
    pub(super) products: Option<Vec<Str<'a>>>,
}

/// Integers may arrive as `7` or `7.0` from some exporters; both are accepted.
fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v: Option<f64> = Option::deserialize(d)?;
    match v {
        None => Ok(None),
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        Some(f) => Err(serde::de::Error::custom(format!("expected an integer, got {f}"))),
    }
}

/// Decodes one record. `default_type` applies when the record has no `type` (a Kafka topic
/// mapped to one event type). A flat record of plain strings and short numbers takes the
/// hand-written pass ([`super::flat`]); anything else, and every fault, serde_json's.
pub fn decode(bytes: &[u8], default_type: Option<EventType>) -> Result<Event<'_>, Reject> {
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        let mut raw = Raw::default();
        if super::flat::fill(text, &mut raw).is_some() {
            return typed(raw, default_type);
        }
    }
    decode_serde(bytes, default_type)
}

/// [`decode`] by serde_json alone: the same outcome for every input, slower. It is the
/// yardstick of `replay`'s speed (examples/parse_only.rs) and the path of every record the
/// fast pass leaves.
pub fn decode_serde(bytes: &[u8], default_type: Option<EventType>) -> Result<Event<'_>, Reject> {
    // The whole line checked as UTF-8 at once (SIMD) spares serde_json a check per string;
    // a line that is not UTF-8 takes the byte path, whose error names where it breaks.
    let parsed = match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    let raw: Raw = match parsed {
        Ok(raw) => raw,
        Err(e) => return Err(diagnose(bytes, e)),
    };
    typed(raw, default_type)
}

fn req<'a>(v: S<'a>, field: &'static str) -> Result<Cow<'a, str>, Reject> {
    match cow(v) {
        Some(s) if !s.is_empty() => Ok(s),
        Some(_) => Err(reject(RejectReason::InvalidValue, field, "empty string")),
        None => Err(reject(RejectReason::MissingField, field, "required field is missing")),
    }
}

fn positive(v: Option<f64>, field: &'static str) -> Result<f64, Reject> {
    match v {
        None => Err(reject(RejectReason::MissingField, field, "required field is missing")),
        Some(x) if x > 0.0 && x < 1e9 => Ok(x),
        Some(x) => Err(reject(RejectReason::InvalidValue, field, format!("must be > 0 and < 1e9, got {x}"))),
    }
}

fn money(v: Option<f64>, field: &'static str, allow_negative: bool) -> Result<Fen, Reject> {
    match v {
        None => Err(reject(RejectReason::MissingField, field, "required field is missing")),
        // Beyond ten billion yuan a line is an error, and sums in fen must not overflow.
        Some(x) if x.abs() < 1e10 && (allow_negative || x >= 0.0) => Ok(Fen::from_yuan(x)),
        Some(x) => Err(reject(RejectReason::InvalidValue, field, format!("must be >= 0 and < 1e10 yuan, got {x}"))),
    }
}

fn typed(raw: Raw<'_>, default_type: Option<EventType>) -> Result<Event<'_>, Reject> {
    let ty = match raw.ty.as_ref().map(|s| s.0.as_ref()) {
        Some(t) => EventType::parse(t)
            .ok_or_else(|| reject(RejectReason::UnknownType, "type", format!("unknown event type {t:?}")))?,
        None => default_type.ok_or_else(|| reject(RejectReason::MissingField, "type", "required field is missing"))?,
    };
    let id = req(raw.event_id, "event_id")?;
    let ts_text = req(raw.ts, "ts")?;
    let ts = Ts::parse(&ts_text)
        .ok_or_else(|| reject(RejectReason::InvalidValue, "ts", format!("not RFC 3339 with an offset: {ts_text:?}")))?;
    // 2000-01-01 .. 2100-01-01: a year typo must not move every window by centuries.
    if !(946_684_800..4_102_444_800).contains(&ts.0) {
        return Err(reject(RejectReason::InvalidValue, "ts", format!("outside 2000..2100: {ts_text:?}")));
    }
    let hospital = req(raw.hospital, "hospital")?;
    let body = match ty {
        EventType::Rx => Body::Rx(Rx {
            rx_id: req(raw.rx_id, "rx_id")?,
            line: raw.line,
            visit_type: visit_type(cow(raw.visit_type).as_deref())?,
            dept: req(raw.dept, "dept")?,
            doctor: req(raw.doctor, "doctor")?,
            doctor_title: cow(raw.doctor_title).as_deref().and_then(Title::parse),
            drug: req(raw.drug, "drug")?,
            drug_name: cow(raw.drug_name),
            manufacturer: cow(raw.manufacturer).filter(|m| !m.is_empty()),
            qty: positive(raw.qty, "qty")?,
            amount: money(raw.amount, "amount", false)?,
            days: match raw.days {
                Some(d) if d < 0 => {
                    return Err(reject(RejectReason::InvalidValue, "days", format!("must be >= 0, got {d}")))
                }
                d => d,
            },
            long_term: raw.long_term.unwrap_or(false),
            reason: cow(raw.reason).filter(|r| !r.trim().is_empty()),
        }),
        EventType::Return => Body::Return(Return {
            rx_id: req(raw.rx_id, "rx_id")?,
            drug: req(raw.drug, "drug")?,
            doctor: req(raw.doctor, "doctor")?,
            dept: req(raw.dept, "dept")?,
            qty: positive(raw.qty, "qty")?,
            amount: money(raw.amount, "amount", false)?,
        }),
        EventType::Charge => {
            let cat = req(raw.category, "category")?;
            Body::Charge(Charge {
                dept: req(raw.dept, "dept")?,
                doctor: cow(raw.doctor).filter(|d| !d.is_empty()),
                category: Category::parse(&cat).ok_or_else(|| {
                    reject(RejectReason::InvalidValue, "category", format!("unknown category {cat:?}"))
                })?,
                amount: money(raw.amount, "amount", true)?,
            })
        }
        EventType::Access => Body::Access(Access {
            user: req(raw.user, "user")?,
            role: cow(raw.role).filter(|r| !r.is_empty()),
            client_ip: cow(raw.client_ip),
            app: cow(raw.app),
            action: Action::parse(&req(raw.action, "action")?),
            object: cow(raw.object),
            group_by: cows(raw.group_by),
            rows: raw.rows,
            sql: cow(raw.sql),
        }),
        EventType::RepVisit => Body::RepVisit(RepVisit {
            rep: req(raw.rep, "rep")?,
            company: req(raw.company, "company")?,
            manufacturer: req(raw.manufacturer, "manufacturer")?,
            doctor: req(raw.doctor, "doctor")?,
            dept: req(raw.dept, "dept")?,
            products: cows(raw.products),
        }),
    };
    Ok(Event { id, ts, hospital, body })
}

fn visit_type(v: Option<&str>) -> Result<VisitType, Reject> {
    match v {
        None | Some("") => Ok(VisitType::Outpatient),
        Some(s) => VisitType::parse(s)
            .ok_or_else(|| reject(RejectReason::InvalidValue, "visit_type", format!("unknown visit type {s:?}"))),
    }
}

/// Expected JSON shape of each known field, for naming the culprit of a failed fast path.
const SHAPES: &[(&str, Shape)] = &[
    ("type", Shape::Str),
    ("event_id", Shape::Str),
    ("ts", Shape::Str),
    ("hospital", Shape::Str),
    ("rx_id", Shape::Str),
    ("line", Shape::Int),
    ("visit_type", Shape::Str),
    ("dept", Shape::Str),
    ("doctor", Shape::Str),
    ("doctor_title", Shape::Str),
    ("drug", Shape::Str),
    ("drug_name", Shape::Str),
    ("manufacturer", Shape::Str),
    ("qty", Shape::Num),
    ("amount", Shape::Num),
    ("days", Shape::Int),
    ("long_term", Shape::Bool),
    ("reason", Shape::Str),
    ("category", Shape::Str),
    ("user", Shape::Str),
    ("role", Shape::Str),
    ("client_ip", Shape::Str),
    ("app", Shape::Str),
    ("action", Shape::Str),
    ("object", Shape::Str),
    ("group_by", Shape::StrList),
    ("rows", Shape::Int),
    ("sql", Shape::Str),
    ("rep", Shape::Str),
    ("company", Shape::Str),
    ("products", Shape::StrList),
];

#[derive(Copy, Clone)]
enum Shape {
    Str,
    Int,
    Num,
    Bool,
    StrList,
}

impl Shape {
    fn fits(self, v: &serde_json::Value) -> bool {
        use serde_json::Value as V;
        match (self, v) {
            (_, V::Null) => true,
            (Shape::Str, V::String(_)) | (Shape::Num, V::Number(_)) | (Shape::Bool, V::Bool(_)) => true,
            (Shape::Int, V::Number(n)) => n.as_f64().is_some_and(|f| f.fract() == 0.0),
            (Shape::StrList, V::Array(a)) => a.iter().all(|x| x.is_string()),
            _ => false,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Shape::Str => "a string",
            Shape::Int => "an integer",
            Shape::Num => "a number",
            Shape::Bool => "true or false",
            Shape::StrList => "a list of strings",
        }
    }
}

#[cold]
fn diagnose(bytes: &[u8], err: serde_json::Error) -> Reject {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(_) => {
            return Reject { reason: RejectReason::NotJson, field: None, detail: format!("not JSON: {err}") };
        }
    };
    let Some(obj) = value.as_object() else {
        return Reject { reason: RejectReason::NotJson, field: None, detail: "not a JSON object".into() };
    };
    for (field, shape) in SHAPES {
        if let Some(v) = obj.get(*field) {
            if !shape.fits(v) {
                return reject(RejectReason::InvalidType, field, format!("expected {}, got {v}", shape.name()));
            }
        }
    }
    Reject { reason: RejectReason::InvalidType, field: None, detail: err.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RX: &str = r#"{"type":"rx","event_id":"e1","ts":"2026-03-02T09:13:22+08:00","hospital":"H01","rx_id":"RX0001","line":1,"visit_id":"V01","visit_type":"outpatient","dept":"0301","doctor":"D017","doctor_title":"主治医师","patient":"p-8f3a","drug":"Y0123","drug_name":"阿托伐他汀钙片","qty":2,"unit_price":12.5,"amount":25.0,"days":7}"#;

    #[test]
    fn decodes_contract_examples() {
        let e = decode(RX.as_bytes(), None).unwrap();
        let Body::Rx(rx) = e.body else { panic!("not rx") };
        assert_eq!(rx.drug, "Y0123");
        assert_eq!(rx.amount, Fen(2500));
        assert_eq!(rx.doctor_title, Some(Title::Attending));
        assert!(matches!(e.id, Cow::Borrowed(_)), "plain strings borrow");
        let access = r#"{"type":"access","event_id":"e4","ts":"2026-03-02T23:40:10+08:00","hospital":"H01","user":"wang.it","role":"it","action":"query","sql":"select ysdm, ypxh from ms_cf02 group by ysdm, ypxh","rows":412,"filters":{"drug":"X"}}"#;
        assert!(matches!(decode(access.as_bytes(), None).unwrap().body, Body::Access(_)));
    }

    #[test]
    fn names_the_field_at_fault() {
        let bad = RX.replace(r#""qty":2"#, r#""qty":"2""#);
        let r = decode(bad.as_bytes(), None).unwrap_err();
        assert_eq!((r.reason, r.field), (RejectReason::InvalidType, Some("qty")));
        let zero = RX.replace(r#""qty":2"#, r#""qty":0"#);
        assert_eq!(decode(zero.as_bytes(), None).unwrap_err().field, Some("qty"));
        let nodoc = RX.replace(r#""doctor":"D017","#, "");
        let r = decode(nodoc.as_bytes(), None).unwrap_err();
        assert_eq!((r.reason, r.field), (RejectReason::MissingField, Some("doctor")));
        let badts = RX.replace("2026-03-02T09:13:22+08:00", "2026-03-02 09:13");
        assert_eq!(decode(badts.as_bytes(), None).unwrap_err().field, Some("ts"));
        let far = RX.replace("2026-03-02T09:13:22+08:00", "9999-12-31T00:00:00Z");
        assert_eq!(decode(far.as_bytes(), None).unwrap_err().field, Some("ts"), "a year typo is rejected");
        let huge = RX.replace(r#""amount":25.0"#, r#""amount":1e17"#);
        assert_eq!(decode(huge.as_bytes(), None).unwrap_err().field, Some("amount"));
        let unknown = RX.replace(r#""type":"rx""#, r#""type":"visit""#);
        assert_eq!(decode(unknown.as_bytes(), None).unwrap_err().reason, RejectReason::UnknownType);
        assert_eq!(decode(b"{not json", None).unwrap_err().reason, RejectReason::NotJson);
        assert_eq!(decode(b"[1,2]", None).unwrap_err().reason, RejectReason::NotJson);
    }

    #[test]
    fn topic_type_applies_when_type_is_absent() {
        let untyped = RX.replace(r#""type":"rx","#, "");
        assert!(decode(untyped.as_bytes(), None).is_err());
        assert!(matches!(decode(untyped.as_bytes(), Some(EventType::Rx)).unwrap().body, Body::Rx(_)));
    }

    #[test]
    fn integral_floats_are_integers() {
        let f = RX.replace(r#""days":7"#, r#""days":7.0"#);
        let Body::Rx(rx) = decode(f.as_bytes(), None).unwrap().body else { panic!() };
        assert_eq!(rx.days, Some(7));
        let g = RX.replace(r#""days":7"#, r#""days":7.5"#);
        assert_eq!(decode(g.as_bytes(), None).unwrap_err().field, Some("days"));
    }
}
