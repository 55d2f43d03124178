//! HIS adapters: vendor records → contract JSON (CONTRACT §1), as a pure function of the
//! record's bytes. A topic's `[topics.mapping]` renames vendor columns (`YSDM` → `doctor`),
//! translates codes, parses vendor times, builds `event_id` from key columns and coerces
//! types (numbers exported as strings, codes exported as numbers, Debezium's precise
//! decimals: see [`decimal`](super::decimal)); `envelope = "debezium"` unwraps
//! change-data-capture records, turning a delete or a void status into a `return`.
//!
//! Mapped topics are the slow path (one `serde_json::Value` tree per record); unmapped
//! records skip this module and go straight to [`decode`](super::decode).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::decimal;
use super::{EventType, Reject, RejectReason};

/// How a topic's records are wrapped.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Envelope {
    /// The record is the row.
    #[default]
    None,
    /// Debezium: `{"payload": {"before", "after", "op"}}` (JSON converter with schemas) or
    /// the same fields at the top level (schemas disabled).
    Debezium,
}

/// `[topics.mapping]` as written in the config file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSpec {
    /// Vendor column → contract field; `""` drops the column. Unlisted columns pass through.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// How `ts` is written: `rfc3339` (default), `epoch_millis`, `epoch_micros`,
    /// `epoch_seconds`, or a chrono format such as `%Y-%m-%d %H:%M:%S`.
    pub time_format: Option<String>,
    /// UTC offset of naive vendor times (`+08:00`). Debezium's `epoch_*` values for columns
    /// without a zone are local wall-clock times encoded as if UTC; this offset fixes them.
    pub time_zone: Option<String>,
    /// Vendor columns whose values, joined with `:`, form `event_id`.
    #[serde(default)]
    pub event_id: Vec<String>,
    /// Contract field → fixed value, set when the record lacks it (e.g. `hospital`).
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    /// Contract field → vendor code → contract value (e.g. `visit_type`: `"1"` → `outpatient`).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// A vendor status column and value meaning "voided" (作废): the line becomes a `return`.
    pub void: Option<VoidSpec>,
    /// Vendor column → decimal scale, for Debezium's `decimal.handling.mode = precise` when
    /// the JSON converter's schemas are off: the column's strings are base64 of the unscaled
    /// integer. With schemas on, the envelope's schema gives the scale and this is not needed.
    #[serde(default)]
    pub scale: BTreeMap<String, i32>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoidSpec {
    pub field: String,
    pub value: String,
}

/// What the adapter made of a record.
#[derive(Debug, PartialEq)]
pub enum Mapped {
    /// A contract event, ready for `decode`.
    Event(Vec<u8>),
    /// Deliberately not an event (a tombstone, a plain update); the reason is a metric label.
    Skip(&'static str),
}

#[derive(Clone, Debug)]
enum TimeFormat {
    Rfc3339,
    Epoch(i64),
    Chrono { fmt: String, has_zone: bool, has_time: bool },
}

/// A validated adapter for one topic.
#[derive(Clone, Debug)]
pub struct Adapter {
    envelope: Envelope,
    topic_type: Option<EventType>,
    spec: MappingSpec,
    time: TimeFormat,
    zone: Option<FixedOffset>,
    /// The vendor columns an event reads (mapped or passed-through event fields, event id
    /// and void columns): only these are decoded as precise decimals.
    read: BTreeMap<String, Column>,
}

/// What a vendor column is to the event, for decoding and for naming it in errors.
#[derive(Clone, Debug)]
struct Column {
    field: Option<&'static str>,
    numeric: bool,
}

const STRINGS: &[&str] = &[
    "type",
    "event_id",
    "ts",
    "hospital",
    "rx_id",
    "visit_id",
    "visit_type",
    "dept",
    "doctor",
    "doctor_title",
    "patient",
    "drug",
    "drug_name",
    "manufacturer",
    "reason",
    "category",
    "user",
    "role",
    "client_ip",
    "app",
    "action",
    "object",
    "sql",
    "rep",
    "company",
];
const NUMBERS: &[&str] = &["qty", "unit_price", "amount", "line", "days", "rows"];
const LISTS: &[&str] = &["diagnosis", "group_by", "products"];
const OTHER: &[&str] = &["long_term", "filters"];

/// The contract field of that name, as a `'static` name for rejections.
fn contract_field(f: &str) -> Option<&'static str> {
    [STRINGS, NUMBERS, LISTS, OTHER].into_iter().flatten().find(|c| **c == f).copied()
}

fn is_contract_field(f: &str) -> bool {
    contract_field(f).is_some()
}

/// Kafka Connect's logical type of a fixed-scale decimal (`parameters.scale` in its schema).
const CONNECT_DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";

impl Adapter {
    /// Validates a topic's adapter settings; the error names the offending key.
    pub fn new(envelope: Envelope, topic_type: Option<EventType>, spec: MappingSpec) -> Result<Adapter, String> {
        for (from, to) in &spec.fields {
            if !to.is_empty() && !is_contract_field(to) {
                return Err(format!("fields.{from}: `{to}` is not a contract field"));
            }
        }
        for f in spec.constants.keys().chain(spec.values.keys()) {
            if !is_contract_field(f) {
                return Err(format!("`{f}` is not a contract field"));
            }
        }
        for (col, s) in &spec.scale {
            if s.abs() > decimal::MAX_SCALE {
                let m = decimal::MAX_SCALE;
                return Err(format!("scale.{col} = {s}: must be in -{m}..={m}"));
            }
        }
        if spec.void.is_some() && topic_type != Some(EventType::Rx) {
            return Err("void: only an `rx` topic can void lines (set type = \"rx\")".into());
        }
        let zone = match &spec.time_zone {
            None => None,
            Some(z) => Some(z.parse::<FixedOffset>().map_err(|_| format!("time_zone: `{z}` is not like +08:00"))?),
        };
        let time = match spec.time_format.as_deref() {
            None | Some("rfc3339") => TimeFormat::Rfc3339,
            Some("epoch_seconds") => TimeFormat::Epoch(1),
            Some("epoch_millis") => TimeFormat::Epoch(1_000),
            Some("epoch_micros") => TimeFormat::Epoch(1_000_000),
            Some(f) => {
                let has_zone = f.contains("%z") || f.contains("%:z") || f.contains("%#z");
                let has_time = f.contains("%H") || f.contains("%T") || f.contains("%R") || f.contains("%I");
                if !has_zone && zone.is_none() {
                    return Err(format!("time_format `{f}` has no offset: set time_zone (e.g. \"+08:00\")"));
                }
                TimeFormat::Chrono { fmt: f.to_owned(), has_zone, has_time }
            }
        };
        let read = read_columns(&spec);
        Ok(Adapter { envelope, topic_type, spec, time, zone, read })
    }

    /// Maps one record. Pure: the same bytes give the same result.
    pub fn apply(&self, bytes: &[u8]) -> Result<Mapped, Reject> {
        if bytes.is_empty() {
            return Ok(Mapped::Skip("tombstone"));
        }
        let v: Value = serde_json::from_slice(bytes).map_err(|e| Reject {
            reason: RejectReason::NotJson,
            field: None,
            detail: e.to_string(),
        })?;
        let (row, returned) = match self.envelope {
            Envelope::None => match v {
                Value::Object(mut row) => {
                    self.decimals(&mut row, None)?;
                    let void = self.is_void(&row);
                    (row, void)
                }
                _ => return Err(bad(RejectReason::NotJson, None, "record is not a JSON object")),
            },
            Envelope::Debezium => match self.unwrap_debezium(v)? {
                Ok(x) => x,
                Err(skip) => return Ok(Mapped::Skip(skip)),
            },
        };
        let out = self.map_row(row, returned)?;
        Ok(Mapped::Event(serde_json::to_vec(&Value::Object(out)).expect("a JSON tree serializes")))
    }

    fn is_void(&self, row: &Map<String, Value>) -> bool {
        self.spec
            .void
            .as_ref()
            .is_some_and(|v| row.get(&v.field).is_some_and(|x| text(x).as_deref() == Some(&*v.value)))
    }

    /// The row a Debezium change carries and whether it reverses a line, or a skip reason.
    #[allow(clippy::type_complexity)]
    fn unwrap_debezium(&self, v: Value) -> Result<Result<(Map<String, Value>, bool), &'static str>, Reject> {
        let (mut env, schema) = match v {
            Value::Null => return Ok(Err("tombstone")),
            Value::Object(mut o) => match o.remove("payload") {
                Some(Value::Object(p)) => (p, o.remove("schema")),
                Some(Value::Null) => return Ok(Err("tombstone")),
                _ => (o, None),
            },
            _ => return Err(bad(RejectReason::NotJson, None, "record is not a JSON object")),
        };
        let op = match env.get("op").and_then(Value::as_str) {
            Some(op) => op.to_owned(),
            None => return Err(bad(RejectReason::MissingField, Some("op"), "Debezium record without `op`")),
        };
        let columns = image_columns(schema.as_ref());
        let mut image = |k: &str| match env.remove(k) {
            Some(Value::Object(mut o)) => self.decimals(&mut o, columns).map(|()| Some(o)),
            _ => Ok(None),
        };
        let before = image("before")?;
        let after = image("after")?;
        let reverses = self.topic_type == Some(EventType::Rx);
        let missing =
            |k: &'static str| bad(RejectReason::MissingField, Some(k), "Debezium change without its row image");
        Ok(match op.as_str() {
            "c" | "r" => {
                let row = after.ok_or_else(|| missing("after"))?;
                let void = self.is_void(&row);
                Ok((row, void))
            }
            "u" => {
                let row = after.ok_or_else(|| missing("after"))?;
                // Only the transition to void is an event; other updates restate a line
                // already counted when it was created.
                let was_void = before.as_ref().is_some_and(|b| self.is_void(b));
                if self.is_void(&row) && !was_void {
                    Ok((row, true))
                } else {
                    Err("update")
                }
            }
            "d" if reverses => match before {
                Some(b) if !self.is_void(&b) => Ok((b, true)),
                Some(_) => Err("delete_of_void"),
                None => return Err(missing("before")),
            },
            "d" => Err("delete"),
            _ => Err("op"),
        })
    }

    /// Debezium's precise decimals, in the columns an event reads, as exact decimal text;
    /// `coerce` makes numbers or codes of it. `columns`: the row's schema, when the record
    /// carries one.
    fn decimals(&self, row: &mut Map<String, Value>, columns: Option<&[Value]>) -> Result<(), Reject> {
        let schema = columns.map(schema_scales);
        for (col, v) in row.iter_mut() {
            let Some(c) = self.read.get(col) else { continue };
            let decoded = match v {
                Value::Object(o) => match variable_scale(o) {
                    Some((scale, b64)) => decimal::precise_text(b64, scale),
                    None => continue,
                },
                Value::String(text) => {
                    let declared = match &schema {
                        Some(cols) => cols.iter().find(|(name, _)| name == col).map(|(_, scale)| *scale),
                        None => None,
                    };
                    match declared.or_else(|| self.spec.scale.get(col).copied()) {
                        // A column declared precise that holds a plain number string keeps it.
                        Some(scale) => match decimal::precise_text(text, scale) {
                            Err(_) if text.trim().parse::<f64>().is_ok() => continue,
                            r => r,
                        },
                        None if schema.is_none()
                            && c.numeric
                            && text.trim().parse::<f64>().is_err()
                            && decimal::looks_base64(text) =>
                        {
                            return Err(bad(
                                RejectReason::InvalidType,
                                c.field,
                                format!(
                                    "column {col}: `{text}` looks like a Debezium precise decimal (base64) of \
                                     unknown scale: set `{col} = <scale>` under [topics.mapping.scale], turn the \
                                     JSON converter's schemas on, or set decimal.handling.mode = \"string\""
                                ),
                            ))
                        }
                        None => continue,
                    }
                }
                _ => continue,
            };
            match decoded {
                Ok(t) => *v = Value::String(t),
                Err(e) => return Err(bad(RejectReason::InvalidValue, c.field, format!("column {col}: {e}"))),
            }
        }
        Ok(())
    }

    fn map_row(&self, row: Map<String, Value>, returned: bool) -> Result<Map<String, Value>, Reject> {
        let s = &self.spec;
        let mut event_id = None;
        if !s.event_id.is_empty() {
            let mut parts = Vec::with_capacity(s.event_id.len());
            for k in &s.event_id {
                match row.get(k).and_then(text) {
                    Some(t) => parts.push(t),
                    None => {
                        return Err(bad(
                            RejectReason::MissingField,
                            Some("event_id"),
                            format!("key column {k} is missing"),
                        ))
                    }
                }
            }
            event_id = Some(parts.join(":"));
        }
        let mut out = Map::with_capacity(row.len() + 4);
        for (k, v) in row {
            match s.fields.get(&k) {
                Some(to) if to.is_empty() => {}
                Some(to) => {
                    out.insert(to.clone(), v);
                }
                None => {
                    out.entry(k).or_insert(v);
                }
            }
        }
        if let Some(id) = event_id {
            out.insert("event_id".into(), Value::String(id));
        }
        for (k, v) in &s.constants {
            out.entry(k.clone()).or_insert_with(|| Value::String(v.clone()));
        }
        for (field, table) in &s.values {
            if let Some(code) = out.get(field).and_then(text) {
                if let Some(to) = table.get(&code) {
                    out.insert(field.clone(), Value::String(to.clone()));
                }
            }
        }
        self.map_time(&mut out)?;
        coerce(&mut out)?;
        if returned {
            to_return(&mut out);
        }
        Ok(out)
    }

    fn map_time(&self, out: &mut Map<String, Value>) -> Result<(), Reject> {
        let Some(v) = out.get("ts") else { return Ok(()) };
        let ts = match &self.time {
            TimeFormat::Rfc3339 => return Ok(()),
            TimeFormat::Epoch(per_sec) => {
                let n =
                    number(v).ok_or_else(|| bad(RejectReason::InvalidType, Some("ts"), "expected an epoch number"))?;
                let n = n as i64;
                let secs = n.div_euclid(*per_sec);
                let naive = DateTime::from_timestamp(secs, 0)
                    .ok_or_else(|| bad(RejectReason::InvalidValue, Some("ts"), format!("epoch {n} out of range")))?
                    .naive_utc();
                match self.zone {
                    // Debezium's zone-less timestamps: local wall-clock time written as UTC.
                    Some(z) => z.from_local_datetime(&naive).single().expect("fixed offsets are unambiguous"),
                    None => FixedOffset::east_opt(0).expect("UTC").from_utc_datetime(&naive),
                }
            }
            TimeFormat::Chrono { fmt, has_zone, has_time } => {
                let s = text(v).ok_or_else(|| bad(RejectReason::InvalidType, Some("ts"), "expected a time string"))?;
                let fail = |e: chrono::ParseError| bad(RejectReason::InvalidValue, Some("ts"), format!("`{s}`: {e}"));
                if *has_zone {
                    DateTime::parse_from_str(&s, fmt).map_err(fail)?
                } else {
                    let naive = if *has_time {
                        NaiveDateTime::parse_from_str(&s, fmt).map_err(fail)?
                    } else {
                        NaiveDate::parse_from_str(&s, fmt).map_err(fail)?.and_hms_opt(0, 0, 0).expect("midnight")
                    };
                    let z = self.zone.expect("validated: a naive format has a time_zone");
                    z.from_local_datetime(&naive).single().expect("fixed offsets are unambiguous")
                }
            }
        };
        out.insert("ts".into(), Value::String(ts.to_rfc3339_opts(SecondsFormat::Secs, true)));
        Ok(())
    }
}

/// The column schemas of a Debezium envelope's row images (`schema.fields[after].fields`).
fn image_columns(schema: Option<&Value>) -> Option<&[Value]> {
    let fields = schema?.get("fields")?.as_array()?;
    fields
        .iter()
        .filter(|f| matches!(f.get("field").and_then(Value::as_str), Some("after" | "before")))
        .find_map(|f| f.get("fields")?.as_array().map(Vec::as_slice))
}

/// The columns a row schema declares Kafka Connect Decimals, with their scales.
fn schema_scales(columns: &[Value]) -> Vec<(&str, i32)> {
    let scale = |f: &Value| match f.get("parameters")?.get("scale")? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64().and_then(|x| i32::try_from(x).ok()),
        _ => None,
    };
    columns
        .iter()
        .filter(|f| f.get("name").and_then(Value::as_str) == Some(CONNECT_DECIMAL))
        .filter_map(|f| Some((f.get("field")?.as_str()?, scale(f)?)))
        .collect()
}

/// The vendor columns an event reads: mapped to an event field, passed through under an
/// event field's name, or used for the event id or the void status.
fn read_columns(spec: &MappingSpec) -> BTreeMap<String, Column> {
    let column = |f: &'static str| Column { field: Some(f), numeric: NUMBERS.contains(&f) };
    let mut read = BTreeMap::new();
    for (from, to) in &spec.fields {
        if let Some(f) = contract_field(to) {
            read.insert(from.clone(), column(f));
        }
    }
    for f in [STRINGS, NUMBERS, LISTS, OTHER].into_iter().flatten() {
        if !spec.fields.contains_key(*f) {
            read.entry(f.to_string()).or_insert_with(|| column(f));
        }
    }
    for k in &spec.event_id {
        read.entry(k.clone()).or_insert(Column { field: Some("event_id"), numeric: false });
    }
    if let Some(v) = &spec.void {
        read.entry(v.field.clone()).or_insert(Column { field: None, numeric: false });
    }
    read
}

/// Debezium's `io.debezium.data.VariableScaleDecimal`: `{"scale": 2, "value": "MDk="}`.
fn variable_scale(o: &Map<String, Value>) -> Option<(i32, &str)> {
    if o.len() != 2 {
        return None;
    }
    let scale = i32::try_from(o.get("scale")?.as_i64()?).ok()?;
    Some((scale, o.get("value")?.as_str()?))
}

fn bad(reason: RejectReason, field: Option<&'static str>, detail: impl Into<String>) -> Reject {
    Reject { reason, field, detail: detail.into() }
}

/// A scalar as text: vendor codes arrive as strings or numbers.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Contract types from vendor types: numeric strings → numbers, numeric codes → strings,
/// `"1"`/`"Y"` → true, `"J01;J02"` → a list.
fn coerce(out: &mut Map<String, Value>) -> Result<(), Reject> {
    for (k, v) in out.iter_mut() {
        let k = k.as_str();
        if v.is_null() {
            continue;
        }
        if let Some(f) = NUMBERS.iter().find(|f| **f == k) {
            if let Value::String(s) = v {
                let n: f64 = s
                    .trim()
                    .parse()
                    .map_err(|_| bad(RejectReason::InvalidType, Some(f), format!("`{s}` is not a number")))?;
                *v = serde_json::Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null);
            }
        } else if STRINGS.contains(&k) {
            if let Value::Number(n) = v {
                *v = Value::String(n.to_string());
            }
        } else if LISTS.contains(&k) {
            if let Value::String(s) = v {
                let items = s.split([',', ';', '|']).map(str::trim).filter(|x| !x.is_empty());
                *v = Value::Array(items.map(|x| Value::String(x.to_owned())).collect());
            }
        } else if k == "long_term" {
            let t = text(v).unwrap_or_default();
            *v = Value::Bool(matches!(t.as_str(), "1" | "true" | "TRUE" | "Y" | "y" | "是"));
        }
    }
    Ok(())
}

/// A voided or deleted prescription line, reversed (CONTRACT §1 `return`).
fn to_return(out: &mut Map<String, Value>) {
    out.insert("type".into(), Value::String("return".into()));
    out.insert("reason".into(), Value::String("void".into()));
    for k in ["qty", "amount"] {
        if let Some(n) = out.get(k).and_then(Value::as_f64) {
            out.insert(k.into(), serde_json::Number::from_f64(n.abs()).map(Value::Number).unwrap_or(Value::Null));
        }
    }
    // A distinct id: the reversal must not be taken for a redelivery of the line itself.
    if let Some(Value::String(id)) = out.get_mut("event_id") {
        id.push_str(":return");
    }
}
