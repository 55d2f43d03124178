//! The typed rule model. Files are parsed into these once; detectors only see validated
//! values. Every struct denies unknown keys, so a typo in a threshold is an error, not a
//! silently ignored default.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::event::Title;

use super::catalog::Controlled;
use super::duration::Span;

/// Alert kinds (CONTRACT §3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    SuspendedDrug,
    RestrictedDrug,
    AntibioticPrivilege,
    ControlledPrivilege,
    LargeRx,
    DrugShare,
    MaterialShare,
    Surge,
    PeerOutlier,
    Concentration,
    OveruseWarning,
    RepVisitLift,
    TongfangQuery,
    BulkExport,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::SuspendedDrug,
        Kind::RestrictedDrug,
        Kind::AntibioticPrivilege,
        Kind::ControlledPrivilege,
        Kind::LargeRx,
        Kind::DrugShare,
        Kind::MaterialShare,
        Kind::Surge,
        Kind::PeerOutlier,
        Kind::Concentration,
        Kind::OveruseWarning,
        Kind::RepVisitLift,
        Kind::TongfangQuery,
        Kind::BulkExport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SuspendedDrug => "suspended_drug",
            Kind::RestrictedDrug => "restricted_drug",
            Kind::AntibioticPrivilege => "antibiotic_privilege",
            Kind::ControlledPrivilege => "controlled_privilege",
            Kind::LargeRx => "large_rx",
            Kind::DrugShare => "drug_share",
            Kind::MaterialShare => "material_share",
            Kind::Surge => "surge",
            Kind::PeerOutlier => "peer_outlier",
            Kind::Concentration => "concentration",
            Kind::OveruseWarning => "overuse_warning",
            Kind::RepVisitLift => "rep_visit_lift",
            Kind::TongfangQuery => "tongfang_query",
            Kind::BulkExport => "bulk_export",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// One level up, saturating at critical.
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

/// One validated rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub kind: Kind,
    pub severity: Severity,
    pub cooldown: Span,
    pub params: Params,
}

/// Kind-specific thresholds.
#[derive(Clone, Debug)]
pub enum Params {
    Suspended,
    Restricted(RestrictedParams),
    Antibiotic(AntibioticParams),
    Controlled(ControlledParams),
    LargeRx(LargeRxParams),
    Share(ShareParams),
    Tongfang(TongfangParams),
    BulkExport(BulkExportParams),
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RestrictedParams {
    /// Uses that a 限用 decision still permits; any match allows the line.
    pub allow: Vec<Allow>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    /// Drug code, or `*` for every restricted drug.
    pub drug: String,
    #[serde(default)]
    pub depts: Vec<String>,
    #[serde(default)]
    pub doctors: Vec<String>,
    /// Lowest title allowed (resident, attending, associate_chief, chief).
    #[serde(default, deserialize_with = "title_opt")]
    pub min_title: Option<Title>,
    /// The line must carry a stated reason.
    #[serde(default)]
    pub with_reason: bool,
}

fn title_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Title>, D::Error> {
    let s = String::deserialize(d)?;
    Title::parse(&s).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!("unknown title {s:?}: use resident, attending, associate_chief or chief"))
    })
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AntibioticParams {
    /// When the roster has no row for the prescriber, derive the grant from the event's
    /// `doctor_title` (resident → unrestricted, attending → restricted, senior → special).
    pub grant_from_title: bool,
    /// Also alert on 特殊使用级 in outpatient or emergency visits (AB-01 second clause).
    pub special_outpatient: bool,
}

impl Default for AntibioticParams {
    fn default() -> Self {
        AntibioticParams { grant_from_title: true, special_outpatient: false }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ControlledParams {
    /// Controlled classes that need the 麻精 privilege.
    pub classes: Vec<Controlled>,
}

impl Default for ControlledParams {
    fn default() -> Self {
        ControlledParams { classes: vec![Controlled::Narcotic, Controlled::Psychotropic1, Controlled::Psychotropic2] }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LargeRxParams {
    /// Most distinct drugs on one outpatient/emergency prescription (处方管理办法: 5).
    pub max_lines: u32,
    /// 中药饮片 are written on their own prescription and do not count.
    pub exclude_herbal: bool,
    pub max_days_outpatient: i64,
    pub max_days_emergency: i64,
    /// 长期处方 may run up to 12 weeks.
    pub max_days_long_term: i64,
    /// A stated `reason` excuses a days-of-supply overrun.
    pub reason_exempts: bool,
}

impl Default for LargeRxParams {
    fn default() -> Self {
        LargeRxParams {
            max_lines: 5,
            exclude_herbal: true,
            max_days_outpatient: 7,
            max_days_emergency: 3,
            max_days_long_term: 84,
            reason_exempts: true,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Dept,
    Doctor,
}

/// 药占比 or 百元医疗收入卫生材料 over a rolling window, against a limit and against the
/// subject's own preceding baseline.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShareParams {
    pub scope: Scope,
    pub window: Span,
    pub baseline: Span,
    /// Absolute limit: a fraction for 药占比 (0.45), yuan per 100 for materials (20).
    pub limit: Option<f64>,
    /// Per-department limits overriding `limit`.
    pub dept_limits: BTreeMap<String, f64>,
    /// Drift: current − baseline must reach this (fraction or yuan per 100) …
    pub min_increase: Option<f64>,
    /// … and current / baseline must reach this.
    pub min_ratio: f64,
    /// Revenue (yuan) the window needs before anything is judged.
    pub min_revenue: f64,
    /// Revenue (yuan) the baseline needs before the drift test is used.
    pub min_baseline_revenue: f64,
    /// Count 中药饮片 as drug revenue (national assessment excludes them).
    pub include_herbal: bool,
}

impl Default for ShareParams {
    fn default() -> Self {
        ShareParams {
            scope: Scope::Dept,
            window: Span(30 * 86_400),
            baseline: Span(90 * 86_400),
            limit: None,
            dept_limits: BTreeMap::new(),
            min_increase: None,
            min_ratio: 1.2,
            min_revenue: 50_000.0,
            min_baseline_revenue: 100_000.0,
            include_herbal: false,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TongfangParams {
    /// Roles that may aggregate by doctor and drug (纪检, 医务科).
    pub allowed_roles: Vec<String>,
    /// Individual accounts allowed beyond those roles.
    pub allowed_users: Vec<String>,
    /// Column names (exact, case-insensitive) or `*` patterns that mean "doctor".
    pub doctor_columns: Vec<String>,
    /// Column names or `*` patterns that mean "drug".
    pub drug_columns: Vec<String>,
    /// Raise severity one level off-hours.
    pub raise_off_hours: bool,
}

impl Default for TongfangParams {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        TongfangParams {
            allowed_roles: s(&["discipline", "medical_affairs"]),
            allowed_users: Vec::new(),
            doctor_columns: s(&[
                "doctor",
                "doctor_id",
                "doctor_code",
                "doctor_name",
                "prescriber",
                "ysdm",
                "ysgh",
                "ysbm",
                "ysxm",
                "ysid",
                "kdys",
                "kfys",
                "cfys",
                "kdysdm",
                "kfysdm",
                "zrys",
                "yisheng",
                "*doctor*",
                "*prescriber*",
                "ysdm*",
                "ysgh*",
            ]),
            drug_columns: s(&[
                "drug",
                "drug_id",
                "drug_code",
                "drug_name",
                "ypxh",
                "ypdm",
                "ypbm",
                "ypmc",
                "ypid",
                "ypbh",
                "yplsh",
                "ypcd",
                "ypgg",
                "tym",
                "yaopin",
                "med_code",
                "medicine",
                "*drug*",
                "*medicine*",
                "ypxh*",
                "ypdm*",
                "ypmc*",
            ]),
            raise_off_hours: true,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BulkExportParams {
    /// Rows returned or exported above which an access is bulk.
    pub max_rows: i64,
    /// An `export` off-hours is bulk whatever its size.
    pub off_hours_export: bool,
    /// Roles never flagged (empty by default: even 纪检 exports are logged).
    pub exempt_roles: Vec<String>,
}

impl Default for BulkExportParams {
    fn default() -> Self {
        BulkExportParams { max_rows: 500, off_hours_export: true, exempt_roles: Vec::new() }
    }
}
