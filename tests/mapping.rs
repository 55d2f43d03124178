//! HIS adapters (vendor rows and Debezium envelopes → contract events) and the `run` config
//! file: the shipped examples load, mistakes are reported with file:line.

use std::path::{Path, PathBuf};

use rxsentinel::event::mapping::{Adapter, Envelope, Mapped, MappingSpec};
use rxsentinel::event::{decode, Body, EventType};
use rxsentinel::settings::{Overrides, Settings};
use serde_json::{json, Value};

fn spec(toml_text: &str) -> MappingSpec {
    toml::from_str(toml_text).expect("mapping spec")
}

const BSOFT: &str = r#"
time_format = "epoch_millis"
time_zone = "+08:00"
event_id = ["JGID", "SBXH"]
void = { field = "ZFPB", value = "1" }
[fields]
JGID = "hospital"
CFSB = "rx_id"
KSDM = "dept"
YSDM = "doctor"
YPXH = "drug"
YPSL = "qty"
HJJE = "amount"
KFRQ = "ts"
CFLX = "visit_type"
SBXH = ""
ZFPB = ""
[values.visit_type]
"3" = "inpatient"
"#;

fn bsoft() -> Adapter {
    Adapter::new(Envelope::Debezium, Some(EventType::Rx), spec(BSOFT)).unwrap()
}

/// 2026-03-12 11:00 Beijing wall clock, as Debezium writes a zone-less DATETIME.
const KFRQ: i64 = 1_773_313_200_000;

fn row(void: &str) -> Value {
    json!({"JGID": "H01", "SBXH": 88, "CFSB": 1201, "KSDM": "0301", "YSDM": 17, "YPXH": "Y0123",
           "YPSL": "2.000", "HJJE": "25.00", "KFRQ": KFRQ, "CFLX": "3", "ZFPB": void, "EXTRA": "kept"})
}

fn envelope(op: &str, before: Option<Value>, after: Option<Value>, schema: bool) -> Vec<u8> {
    let payload = json!({"op": op, "before": before, "after": after, "source": {"table": "MS_CF02"}});
    let v = if schema { json!({"schema": {"type": "struct"}, "payload": payload}) } else { payload };
    serde_json::to_vec(&v).unwrap()
}

fn mapped(a: &Adapter, bytes: &[u8]) -> Value {
    match a.apply(bytes).expect("maps") {
        Mapped::Event(b) => serde_json::from_slice(&b).unwrap(),
        Mapped::Skip(r) => panic!("skipped: {r}"),
    }
}

#[test]
fn debezium_insert_becomes_a_contract_rx() {
    let a = bsoft();
    for schema in [true, false] {
        let v = mapped(&a, &envelope("c", None, Some(row("0")), schema));
        assert_eq!(v["event_id"], "H01:88");
        assert_eq!(v["hospital"], "H01");
        assert_eq!(v["rx_id"], "1201", "numeric codes become strings");
        assert_eq!(v["doctor"], "17");
        assert_eq!(v["qty"], 2.0, "numeric strings become numbers");
        assert_eq!(v["ts"], "2026-03-12T11:00:00+08:00");
        assert_eq!(v["visit_type"], "inpatient");
        assert_eq!(v["EXTRA"], "kept", "unmapped columns pass through");
        assert!(v.get("SBXH").is_none() && v.get("ZFPB").is_none(), "columns mapped to \"\" are dropped");
        let bytes = serde_json::to_vec(&v).unwrap();
        let ev = decode(&bytes, Some(EventType::Rx)).expect("decodes");
        assert!(matches!(ev.body, Body::Rx(_)));
    }
}

#[test]
fn void_update_and_delete_become_returns_other_changes_are_skipped() {
    let a = bsoft();
    // Some HIS write the voided line's amount negated; a return carries it positive.
    let mut voided = row("1");
    voided["HJJE"] = json!("-25.00");
    let ret = mapped(&a, &envelope("u", Some(row("0")), Some(voided), true));
    assert_eq!(ret["type"], "return");
    assert_eq!(ret["reason"], "void");
    assert_eq!(ret["event_id"], "H01:88:return", "distinct from the line's own event id");
    assert_eq!(ret["amount"], 25.0, "reversals carry positive amounts");
    let bytes = serde_json::to_vec(&ret).unwrap();
    assert!(matches!(decode(&bytes, Some(EventType::Rx)).unwrap().body, Body::Return(_)));

    let del = mapped(&a, &envelope("d", Some(row("0")), None, false));
    assert_eq!(del["type"], "return");
    assert_eq!(del["event_id"], "H01:88:return", "a void then a delete reverse once");

    assert_eq!(a.apply(&envelope("u", Some(row("0")), Some(row("0")), true)).unwrap(), Mapped::Skip("update"));
    assert_eq!(a.apply(&envelope("u", Some(row("1")), Some(row("1")), true)).unwrap(), Mapped::Skip("update"));
    assert_eq!(a.apply(&envelope("d", Some(row("1")), None, true)).unwrap(), Mapped::Skip("delete_of_void"));
    assert_eq!(a.apply(b"").unwrap(), Mapped::Skip("tombstone"));
    assert_eq!(a.apply(b"null").unwrap(), Mapped::Skip("tombstone"));
    assert_eq!(a.apply(&envelope("t", None, None, true)).unwrap(), Mapped::Skip("op"));
}

#[test]
fn bad_vendor_records_are_rejected_with_a_field() {
    let a = bsoft();
    let r = a.apply(b"{not json").unwrap_err();
    assert_eq!(r.reason.as_str(), "not_json");
    let mut bad = row("0");
    bad["YPSL"] = json!("two");
    let r = a.apply(&envelope("c", None, Some(bad), true)).unwrap_err();
    assert_eq!((r.reason.as_str(), r.field), ("invalid_type", Some("qty")));
    let mut no_key = row("0");
    no_key.as_object_mut().unwrap().remove("SBXH");
    let r = a.apply(&envelope("c", None, Some(no_key), true)).unwrap_err();
    assert_eq!((r.reason.as_str(), r.field), ("missing_field", Some("event_id")));
    let r = a.apply(br#"{"payload": {"after": {}}}"#).unwrap_err();
    assert_eq!(r.field, Some("op"));
}

#[test]
fn plain_rows_with_a_time_format_and_codes() {
    let s = spec(
        r#"
time_format = "%Y-%m-%d %H:%M:%S"
time_zone = "+08:00"
constants = { hospital = "H02" }
[fields]
FYRQ = "ts"
FYLB = "category"
ZJJE = "amount"
[values.category]
"01" = "drug_western"
"#,
    );
    let a = Adapter::new(Envelope::None, Some(EventType::Charge), s).unwrap();
    let v = mapped(&a, br#"{"event_id":"f1","FYRQ":"2026-03-02 09:15:02","dept":"0301","FYLB":"01","ZJJE":"86.5"}"#);
    assert_eq!(v["ts"], "2026-03-02T09:15:02+08:00");
    assert_eq!(v["category"], "drug_western");
    assert_eq!(v["hospital"], "H02");
    let bytes = serde_json::to_vec(&v).unwrap();
    assert!(matches!(decode(&bytes, Some(EventType::Charge)).unwrap().body, Body::Charge(_)));
    let r = a.apply(br#"{"event_id":"f2","FYRQ":"02/03/2026","dept":"0301","FYLB":"01","ZJJE":1}"#).unwrap_err();
    assert_eq!(r.field, Some("ts"));
}

#[test]
fn adapter_settings_are_validated() {
    let e = |env, ty, text: &str| Adapter::new(env, ty, spec(text)).unwrap_err();
    assert!(e(Envelope::None, None, "[fields]\nYSDM = \"docter\"").contains("docter"));
    assert!(e(Envelope::None, None, "time_format = \"%Y-%m-%d\"").contains("time_zone"));
    assert!(e(Envelope::None, Some(EventType::Charge), "void = { field = \"Z\", value = \"1\" }").contains("rx"));
    assert!(e(Envelope::None, None, "time_zone = \"Beijing\"").contains("time_zone"));
    assert!(toml::from_str::<MappingSpec>("colour = 1").is_err(), "unknown keys are errors");
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn shipped_configs_load() {
    for name in ["run.toml", "cdc-bsoft.toml"] {
        let p = root().join("deploy/config").join(name);
        let s = Settings::load(Some(&p), &Overrides::default()).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert!(!s.topics.is_empty());
        assert!(s.alert_topic.is_some() && s.dead_letter_topic.is_some());
    }
    let s = Settings::load(Some(&root().join("deploy/config/cdc-bsoft.toml")), &Overrides::default()).unwrap();
    assert!(s.topics[0].adapter.is_some() && s.topics[0].default_type == Some(EventType::Rx));
}

#[test]
fn flags_override_the_file_and_defaults_serve_without_one() {
    let d = Settings::load(None, &Overrides::default()).unwrap();
    assert_eq!(d.kafka.brokers, "localhost:9092");
    assert_eq!(d.topics.len(), 1);
    assert_eq!(d.ndjson.as_deref(), Some("-"), "alerts to stdout when no sink is configured");
    let o = Overrides {
        brokers: Some("b:1".into()),
        group: Some("g".into()),
        topics: vec!["t1".into(), "t2".into()],
        alerts: Some("out.ndjson".into()),
        ..Overrides::default()
    };
    let s = Settings::load(Some(&root().join("deploy/config/run.toml")), &o).unwrap();
    assert_eq!((s.kafka.brokers.as_str(), s.kafka.group.as_str()), ("b:1", "g"));
    assert_eq!(s.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["t1", "t2"]);
    assert!(s.topics.iter().all(|t| t.default_type.is_none() && t.adapter.is_none()));
    assert_eq!(s.ndjson.as_deref(), Some("out.ndjson"));
    assert!(s.kafka.options.iter().any(|(k, _)| k == "security.protocol"), "security options pass through");
}

fn load_err(dir: &Path, text: &str) -> String {
    let p = dir.join("bad.toml");
    std::fs::write(&p, text).unwrap();
    format!("{:#}", Settings::load(Some(&p), &Overrides::default()).unwrap_err())
}

#[test]
fn config_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let e = load_err(dir.path(), "[kafka]\nbrokers = \"x:1\"\nbrokerz = \"y\"\n");
    assert!(e.contains("bad.toml:3") && e.contains("brokerz"), "{e}");
    let e = load_err(dir.path(), "[kafka.options]\n\"group.id\" = \"other\"\n");
    assert!(e.contains("bad.toml:2") && e.contains("group.id"), "{e}");
    let e = load_err(dir.path(), "\n\n[[topics]]\nname = \"a\"\ntype = \"prescription\"\n");
    assert!(e.contains("bad.toml:3") && e.contains("prescription"), "{e}");
    let e = load_err(dir.path(), "[[topics]]\nname = \"a\"\n[topics.mapping.fields]\nX = \"nope\"\n");
    assert!(e.contains("bad.toml:1") && e.contains("nope"), "{e}");
    let e = load_err(dir.path(), "[kafka]\ncommit_interval = \"5 minutes\"\n");
    assert!(e.contains("bad.toml:2"), "{e}");
}

/// A Debezium envelope with its schema, as the JSON converter writes it with schemas on:
/// `HJJE` DECIMAL(10,2), `YPSL` DECIMAL(10,3), `SBXH` a 64-bit integer, the rest strings.
fn precise_envelope(op: &str, before: Option<Value>, after: Option<Value>) -> Vec<u8> {
    let decimal = |col: &str, scale: u32| {
        json!({"type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "version": 1,
               "parameters": {"scale": scale.to_string(), "connect.decimal.precision": "10"}, "field": col})
    };
    let mut cols: Vec<Value> = ["JGID", "CFSB", "KSDM", "YSDM", "YPXH", "CFLX", "ZFPB"]
        .iter()
        .map(|c| json!({"type": "string", "optional": true, "field": c}))
        .collect();
    cols.push(json!({"type": "int64", "optional": false, "field": "SBXH"}));
    cols.push(
        json!({"type": "int64", "optional": true, "name": "org.apache.kafka.connect.data.Timestamp", "field": "KFRQ"}),
    );
    cols.push(decimal("HJJE", 2));
    cols.push(decimal("YPSL", 3));
    let image = |f: &str| json!({"type": "struct", "fields": cols, "optional": true, "name": "his.HIS.MS_CF02.Value", "field": f});
    let schema = json!({"type": "struct", "name": "his.HIS.MS_CF02.Envelope", "fields": [
        image("before"), image("after"), {"type": "string", "optional": false, "field": "op"}]});
    let payload = json!({"op": op, "before": before, "after": after, "source": {"table": "MS_CF02"}});
    serde_json::to_vec(&json!({"schema": schema, "payload": payload})).unwrap()
}

/// Base64 of the unscaled integers, computed with Python (`n.to_bytes(…, 'big', signed=True)`):
/// 2500 → `CcQ=`, −2500 → `9jw=`, 2000 → `B9A=`, 12345 → `MDk=`, 88 → `WA==`.
fn precise_row(void: &str, hjje: &str) -> Value {
    json!({"JGID": "H01", "SBXH": 88, "CFSB": "1201", "KSDM": "0301", "YSDM": "17", "YPXH": "Y0123",
           "YPSL": "B9A=", "HJJE": hjje, "KFRQ": KFRQ, "CFLX": "3", "ZFPB": void})
}

#[test]
fn precise_decimals_take_their_scale_from_the_envelope_schema() {
    let a = bsoft();
    let v = mapped(&a, &precise_envelope("c", None, Some(precise_row("0", "CcQ="))));
    assert_eq!(v["amount"], 25.0, "CcQ= is 2500, scale 2");
    assert_eq!(v["qty"], 2.0, "B9A= is 2000, scale 3");
    assert_eq!(v["event_id"], "H01:88");
    let bytes = serde_json::to_vec(&v).unwrap();
    let Body::Rx(rx) = decode(&bytes, Some(EventType::Rx)).unwrap().body else { panic!("not rx") };
    assert_eq!(rx.amount.0, 2500, "25.00 yuan in fen");

    // A void written with the amount negated: the return carries it positive.
    let ret = mapped(&a, &precise_envelope("u", Some(precise_row("0", "CcQ=")), Some(precise_row("1", "9jw="))));
    assert_eq!((ret["type"].as_str(), ret["amount"].as_f64()), (Some("return"), Some(25.0)));
    // A delete: the before image is decoded with the same schema.
    let del = mapped(&a, &precise_envelope("d", Some(precise_row("0", "MDk=")), None));
    assert_eq!((del["type"].as_str(), del["amount"].as_f64()), (Some("return"), Some(123.45)));
    // The schema declares the scale: a value that is not base64 is an error naming the column.
    let r = a.apply(&precise_envelope("c", None, Some(precise_row("0", "#bad")))).unwrap_err();
    assert_eq!((r.reason.as_str(), r.field), ("invalid_value", Some("amount")));
    assert!(r.detail.contains("HJJE"), "{}", r.detail);
}

#[test]
fn variable_scale_decimals_carry_their_own_scale() {
    let a = bsoft();
    let mut row = row("0");
    row["HJJE"] = json!({"scale": 2, "value": "MDk="});
    row["YPSL"] = json!({"scale": 0, "value": "Aw=="});
    row["SBXH"] = json!({"scale": 0, "value": "WA=="});
    for schema in [true, false] {
        let v = mapped(&a, &envelope("c", None, Some(row.clone()), schema));
        assert_eq!(v["amount"], 123.45);
        assert_eq!(v["qty"], 3.0);
        assert_eq!(v["event_id"], "H01:88", "a NUMBER key column reads as its digits");
    }
}

#[test]
fn without_schemas_the_mapping_gives_the_scale() {
    let with_scale = format!("{BSOFT}\n[scale]\nHJJE = 2\nYPSL = 3\n");
    let a = Adapter::new(Envelope::Debezium, Some(EventType::Rx), spec(&with_scale)).unwrap();
    let v = mapped(&a, &envelope("c", None, Some(precise_row("0", "CcQ=")), false));
    assert_eq!((v["amount"].as_f64(), v["qty"].as_f64()), (Some(25.0), Some(2.0)));
    // Plain numbers and numeric strings still read as they are.
    let mut plain = row("0");
    plain["HJJE"] = json!("25.00");
    plain["YPSL"] = json!(2);
    let v = mapped(&a, &envelope("c", None, Some(plain), false));
    assert_eq!((v["amount"].as_f64(), v["qty"].as_f64()), (Some(25.0), Some(2.0)));

    // No scale known: the error names the field and the column, and says what to set.
    let r = bsoft().apply(&envelope("c", None, Some(precise_row("0", "CcQ=")), false)).unwrap_err();
    assert_eq!((r.reason.as_str(), r.field), ("invalid_type", Some("amount")));
    assert!(r.detail.contains("HJJE") && r.detail.contains("[topics.mapping.scale]"), "{}", r.detail);

    let e = Adapter::new(Envelope::Debezium, Some(EventType::Rx), spec("[scale]\nHJJE = 40\n")).unwrap_err();
    assert!(e.contains("scale.HJJE"), "{e}");
}
