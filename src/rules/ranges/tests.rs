use super::*;
use crate::rules::model::*;

fn table(s: &str) -> Table {
    toml::from_str(s).unwrap()
}

fn bad(kind: Kind, s: &str) -> Vec<String> {
    check_table(&table(s), &thresholds(kind)).iter().map(|b| format!("{}: {}", b.field(""), b.message)).collect()
}

#[test]
fn numbers_out_of_range_name_key_value_and_range() {
    assert_eq!(bad(Kind::LargeRx, "max_days_outpatient = -1"), ["max_days_outpatient = -1: must be in 1..=365"]);
    assert_eq!(bad(Kind::LargeRx, "max_lines = -1"), ["max_lines = -1: must be in 1..=100"], "not a u32 type error");
    assert_eq!(bad(Kind::Surge, "max_p = 1.0"), ["max_p = 1.0: must be in (0, 1)"]);
    assert_eq!(bad(Kind::Surge, "max_p = 0"), ["max_p = 0: must be in (0, 1)"]);
    assert_eq!(bad(Kind::PeerOutlier, "min_ratio = 0.5"), ["min_ratio = 0.5: must be in [1, 1000]"]);
    assert_eq!(
        bad(Kind::DrugShare, r#"dept_limits = { "0801" = 1.5 }"#),
        [r#"dept_limits."0801" = 1.5: must be in (0, 1)"#]
    );
    assert_eq!(bad(Kind::MaterialShare, "limit = 20.0"), Vec::<String>::new(), "yuan per 100, not a fraction");
    assert_eq!(bad(Kind::PeerOutlier, r#"window = "31d""#), [r#"window = "31d": must be in 1d..=30d"#]);
}

#[test]
fn nan_and_infinities_are_out_of_every_range() {
    for v in ["nan", "inf", "-inf", "+inf", "-nan"] {
        for (kind, key) in [(Kind::Surge, "h"), (Kind::DrugShare, "min_revenue"), (Kind::Concentration, "rise")] {
            assert_eq!(bad(kind, &format!("{key} = {v}")).len(), 1, "{key} = {v}");
        }
    }
}

#[test]
fn other_types_are_left_to_deserializing() {
    assert!(bad(Kind::LargeRx, r#"max_lines = "five""#).is_empty());
    assert!(bad(Kind::PeerOutlier, r#"window = "soon""#).is_empty());
}

#[test]
fn absurd_durations_are_range_errors() {
    let stream = |s: &str| check_table(&table(s), STREAM);
    let b = stream(r#"allowed_lateness = "9999999999d""#);
    assert_eq!(b[0].field("stream."), r#"stream.allowed_lateness = "9999999999d""#);
    assert_eq!(b[0].message, "must be in 1m..=7d");
    assert_eq!(stream(r#"dedup_horizon = "30m""#)[0].message, "must be in 1h..=90d");
    assert_eq!(stream(r#"max_future_skew = "0s""#)[0].message, "must be in 1m..=7d");
    assert!(stream(r#"dedup_horizon = "7d""#).is_empty());
}

/// The defaults of every kind lie within the documented ranges.
#[test]
fn defaults_are_in_range() {
    let defaults: [(Kind, Table); 10] = [
        (Kind::TongfangQuery, Table::try_from(TongfangParams::default()).unwrap()),
        (Kind::LargeRx, Table::try_from(LargeRxParams::default()).unwrap()),
        (Kind::DrugShare, Table::try_from(ShareParams::default()).unwrap()),
        (Kind::MaterialShare, Table::try_from(ShareParams::default()).unwrap()),
        (Kind::BulkExport, Table::try_from(BulkExportParams::default()).unwrap()),
        (Kind::Surge, Table::try_from(SurgeParams::default()).unwrap()),
        (Kind::PeerOutlier, Table::try_from(PeerParams::default()).unwrap()),
        (Kind::Concentration, Table::try_from(ConcentrationParams::default()).unwrap()),
        (Kind::RepVisitLift, Table::try_from(RepLiftParams::default()).unwrap()),
        (Kind::OveruseWarning, Table::try_from(OveruseParams::default()).unwrap()),
    ];
    for (kind, t) in defaults {
        let ranged = thresholds(kind);
        for (key, _) in &ranged {
            assert!(t.contains_key(*key) || ["limit", "min_increase"].contains(key), "{kind:?}.{key} is not a key");
        }
        assert_eq!(check_table(&t, &ranged), [], "{kind:?}");
    }
}

#[test]
fn every_number_of_every_kind_has_a_range() {
    let numeric = |t: &Table| -> Vec<String> {
        t.iter().filter(|(_, v)| v.is_integer() || v.is_float()).map(|(k, _)| k.clone()).collect()
    };
    let mut share = Table::try_from(ShareParams::default()).unwrap();
    share.insert("limit".into(), 0.5.into());
    share.insert("min_increase".into(), 0.1.into());
    for (kind, t) in [
        (Kind::Surge, Table::try_from(SurgeParams::default()).unwrap()),
        (Kind::PeerOutlier, Table::try_from(PeerParams::default()).unwrap()),
        (Kind::DrugShare, share),
        (Kind::OveruseWarning, Table::try_from(OveruseParams::default()).unwrap()),
    ] {
        let ranged: Vec<&str> = thresholds(kind).iter().map(|(k, _)| *k).collect();
        for key in numeric(&t) {
            assert!(ranged.contains(&key.as_str()), "{kind:?}.{key} has no range");
        }
    }
}

#[test]
fn checks_across_keys() {
    let surge = |f: fn(&mut SurgeParams)| {
        let mut p = SurgeParams::default();
        f(&mut p);
        across(&Params::Surge(p)).map(|b| b.key)
    };
    assert_eq!(surge(|p| p.dispersion = 7.0), Some("max_dispersion".into()));
    assert_eq!(surge(|p| p.baseline_weeks = 19), Some("baseline_weeks".into()));
    assert_eq!(surge(|_| {}), None);
    let mut o = OveruseParams::default();
    o.alert_top_n = o.top_drugs + 1;
    assert_eq!(across(&Params::Overuse(o)).unwrap().key, "alert_top_n");
    let share =
        ShareParams { window: Span::days_n(365), baseline: Span::days_n(60), limit: Some(0.5), ..Default::default() };
    assert_eq!(across(&Params::Share(share)).unwrap().message, "window + baseline = 425d: must be at most 400d");
}

/// rules/README.md names every ranged key with its range, in the section of its kind.
#[test]
fn readme_documents_every_range() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/README.md")).unwrap();
    let section = |name: &str| -> String {
        let head = format!("`{name}`");
        let mut lines = readme.lines().skip_while(|l| !(l.starts_with('#') && l.contains(&head)));
        let first = lines.next().unwrap_or_else(|| panic!("README has no section for {name}"));
        std::iter::once(first).chain(lines.take_while(|l| !l.starts_with('#'))).collect::<Vec<_>>().join("\n")
    };
    let mut missing = Vec::new();
    let mut expect = |sec: &str, key: &str, bound: Bound| {
        let documented =
            section(sec).lines().any(|l| l.contains(&format!("`{key}`")) && l.contains(&bound.to_string()));
        if !documented {
            missing.push(format!("{sec}.{key}: {bound}"));
        }
    };
    for kind in Kind::ALL {
        for (key, bound) in thresholds(kind) {
            expect(kind.as_str(), key, bound);
        }
    }
    for (key, bound) in STREAM.iter().chain(FOOTPRINT).chain(RULE) {
        expect(if *key == "cooldown" { "cooldown" } else { "engine.toml" }, key, *bound);
    }
    assert!(missing.is_empty(), "undocumented in rules/README.md: {missing:#?}");
}
