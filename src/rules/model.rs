//! The typed rule model. Files are parsed into these once; detectors only see validated
//! values. Every struct denies unknown keys, so a typo in a threshold is an error, not a
//! silently ignored default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

    /// Kinds whose detector reads only the first rule of the kind (`surge`, `peer`,
    /// `concentration`, `rep_visit` and `overuse` in `detect/`): a second would be ignored.
    pub fn one_rule_only(self) -> bool {
        matches!(
            self,
            Kind::Surge | Kind::PeerOutlier | Kind::Concentration | Kind::RepVisitLift | Kind::OveruseWarning
        )
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
    /// Approved exceptions (`[[rule.exception]]`), expired ones included (they stop applying).
    pub exceptions: Vec<super::exception::Exception>,
    /// Examples (`[[rule.example]]`) that `rules test` runs.
    pub examples: Vec<super::example::Example>,
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
    Surge(SurgeParams),
    Peer(PeerParams),
    Concentration(ConcentrationParams),
    RepLift(RepLiftParams),
    Overuse(OveruseParams),
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

#[derive(Clone, Debug, Deserialize, Serialize)]
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

#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Dept,
    Doctor,
}

/// 药占比 or 百元医疗收入卫生材料 over a rolling window, against a limit and against the
/// subject's own preceding baseline.
#[derive(Clone, Debug, Deserialize, Serialize)]
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

#[derive(Clone, Debug, Deserialize, Serialize)]
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
    /// Tables (names or `*` patterns) that are doctor dictionaries: a column joined to one of
    /// theirs is a doctor key, and their generic columns (`code`, `name`, `xm`) mean doctor.
    pub doctor_tables: Vec<String>,
    /// Tables that are drug dictionaries, likewise.
    pub drug_tables: Vec<String>,
    /// Bytes of a statement's SQL analysed; beyond, the head is read and evidence says so.
    pub max_sql_bytes: usize,
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
            doctor_tables: s(&[
                "doctor",
                "doctors",
                "*doctor*",
                "physician*",
                "prescriber*",
                "staff",
                "*_staff",
                "staff_*",
                "*employee*",
                "emp",
                "gy_ygdm",
                "gy_ysdm",
                "gy_ys",
                "*_ygdm",
                "*_ygxx",
                "ct_careprov",
                "*_ry",
                "*_ryxx",
                "*医生*",
                "*职工*",
                "*人员*",
            ]),
            drug_tables: s(&[
                "drug",
                "drugs",
                "*drug*",
                "*medicine*",
                "medication*",
                "*formulary*",
                "yk_typk",
                "yk_ypcdjg",
                "yk_ypcd",
                "yk_ypml",
                "gy_ypzd",
                "*ypzd*",
                "*_ypml",
                "*_ypxx",
                "yp_*",
                "pha_com_baseinfo",
                "arc_itmmast",
                "*药品*",
            ]),
            max_sql_bytes: 65_536,
            raise_off_hours: true,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BulkExportParams {
    /// Hard limit: an access returning or exporting more rows is always bulk.
    pub max_rows: i64,
    /// An `export` in the night window is always flagged; other hours count as a factor
    /// of the norm (an hour the account does not work).
    pub off_hours_export: bool,
    /// The night window, local hours `[start, end)` (wraps past midnight when start > end).
    pub night_start_hour: i64,
    pub night_end_hour: i64,
    /// Roles never flagged (empty by default: even 纪检 exports are logged).
    pub exempt_roles: Vec<String>,
    /// Judge accesses below the hard limit against the account's learned norm.
    pub norms: bool,
    /// Accesses with fewer rows are never judged by the norm.
    pub min_rows: i64,
    /// False alerts the office accepts per 100 active accounts per month: the calibrated
    /// threshold is the score at most this many of the hospital's accesses reached.
    pub budget: f64,
    /// Days of the hospital's audit stream learned before the norm judges.
    pub warmup_days: i32,
    /// Floor of the calibrated threshold (nats of surprise).
    pub min_score: f64,
    /// Weight of the role's norm in an account's, in accesses.
    pub prior_accesses: f64,
}

impl Default for BulkExportParams {
    fn default() -> Self {
        BulkExportParams {
            max_rows: 50_000,
            off_hours_export: true,
            night_start_hour: 0,
            night_end_hour: 5,
            exempt_roles: Vec::new(),
            norms: true,
            min_rows: 500,
            budget: 0.5,
            warmup_days: 7,
            min_score: 9.0,
            prior_accesses: 20.0,
        }
    }
}

/// `surge`: a per-pair Poisson CUSUM on daily prescription lines against an expectation
/// that follows the doctor's own workload and the department's trend for the drug.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SurgeParams {
    /// Weeks of baseline at most …
    pub baseline_weeks: i32,
    /// … and at least (capped at `baseline_weeks`): pairs are not judged before the stream
    /// holds this many full weeks (and the gap) — a hospital's first months are judged on
    /// the shorter baseline.
    pub min_baseline_weeks: i32,
    /// … ending this many weeks before the week judged.
    pub gap_weeks: i32,
    /// The shift the CUSUM is tuned to detect (2 = doubling).
    pub shift: f64,
    /// CUSUM decision threshold.
    pub h: f64,
    /// Lines observed in the run before an alarm counts.
    pub min_count: f64,
    /// Observed / expected over the run.
    pub min_ratio: f64,
    /// Largest quasi-Poisson tail probability of the run's count while the hospital's
    /// history is too short to calibrate (`budget_share` 0: always).
    pub max_p: f64,
    /// Part of the engine's footprint budget this rule spends: the tail probability is then
    /// calibrated on the hospital's own history (see `detect::calib`) …
    pub budget_share: f64,
    /// … never looser than this (a hard ceiling on the p-value) …
    pub loosest_p: f64,
    /// … nor stricter than this.
    pub strictest_p: f64,
    /// Lowest quasi-Poisson dispersion used; the measured one applies when larger.
    pub dispersion: f64,
    /// Highest dispersion used, whatever is measured.
    pub max_dispersion: f64,
    /// Empirical-Bayes prior strength, in lines, pulling a doctor's preference toward peers'.
    pub prior_lines: f64,
    /// Pseudo-lines added to peers' recent and expected lines in the trend ratio.
    pub peer_smoothing: f64,
    /// Lines the doctor must have written in the baseline (new doctors are not judged).
    pub min_doctor_baseline: f64,
}

impl SurgeParams {
    /// Weeks of baseline a pair needs to be judged: a rules file written before
    /// `min_baseline_weeks` existed, with a shorter `baseline_weeks`, keeps its meaning.
    pub fn min_weeks(&self) -> i32 {
        self.min_baseline_weeks.min(self.baseline_weeks)
    }
}

impl Default for SurgeParams {
    fn default() -> Self {
        SurgeParams {
            baseline_weeks: 18,
            min_baseline_weeks: 6,
            gap_weeks: 2,
            shift: 2.0,
            h: 8.0,
            min_count: 12.0,
            min_ratio: 1.5,
            max_p: 1e-5,
            budget_share: 0.6,
            loosest_p: 1e-3,
            strictest_p: 1e-9,
            dispersion: 1.0,
            max_dispersion: 6.0,
            prior_lines: 5.0,
            peer_smoothing: 10.0,
            min_doctor_baseline: 100.0,
        }
    }
}

/// `peer_outlier`: a doctor's share of a drug far above department peers now, when it was
/// not in the baseline (a preference held from the start is not a footprint).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PeerParams {
    pub window: Span,
    pub baseline_weeks: i32,
    /// Lines the doctor (all drugs) must have in the window; also what makes a peer.
    pub min_doctor_lines: f64,
    /// Lines of the drug by the doctor in the window.
    pub min_count: f64,
    pub min_peers: usize,
    /// Binomial z against the peers' pooled share.
    pub z: f64,
    /// Robust z (median / MAD) against the peers' individual shares.
    pub robust_z: f64,
    /// Share / peers' pooled share.
    pub min_ratio: f64,
    /// The doctor's binomial z in the baseline must stay below this.
    pub baseline_z_max: f64,
    /// Largest Poisson tail probability of the doctor's count given peers' pooled share.
    pub max_p: f64,
}

impl Default for PeerParams {
    fn default() -> Self {
        PeerParams {
            window: Span(14 * 86_400),
            baseline_weeks: 8,
            min_doctor_lines: 40.0,
            min_count: 12.0,
            min_peers: 5,
            z: 5.0,
            robust_z: 3.5,
            min_ratio: 3.0,
            baseline_z_max: 2.5,
            max_p: 1e-7,
        }
    }
}

/// `concentration`: a drug's volume in a department held by very few prescribers, at a
/// level for a drug new to the department, or as a rise for an established one.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConcentrationParams {
    pub window: Span,
    pub baseline_weeks: i32,
    pub top_k: usize,
    /// Lines of the drug in the window.
    pub min_volume: f64,
    /// Active prescribers (any drug) in the department in the window.
    pub min_prescribers: usize,
    /// Below this many baseline lines the drug counts as new to the department.
    pub new_drug_baseline: f64,
    /// A new drug is flagged when its effective prescribers (1 / HHI) are at most this
    /// fraction of the department's active doctors (and the top-k share reaches `min_share`).
    pub new_drug_share: f64,
    /// Rise of the top-k share that flags an established drug …
    pub rise: f64,
    /// … when the top-k share is at least this.
    pub min_share: f64,
}

impl Default for ConcentrationParams {
    fn default() -> Self {
        ConcentrationParams {
            window: Span(28 * 86_400),
            baseline_weeks: 7,
            top_k: 3,
            min_volume: 40.0,
            min_prescribers: 6,
            new_drug_baseline: 20.0,
            new_drug_share: 0.5,
            rise: 0.35,
            min_share: 0.7,
        }
    }
}

/// `rep_visit_lift`: difference in differences of the visited doctor's share of the
/// manufacturer's drugs, after the visit against before, minus the same change in peers.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RepLiftParams {
    /// First and last day after the visit on which the lift is judged.
    pub after_min_days: i32,
    pub after_max_days: i32,
    /// Weeks before the visit's week the doctor's before-share is read from, at most …
    pub before_weeks: i32,
    /// … and at least (capped at `before_weeks`): a visit whose before-window would reach
    /// back before the stream holds this many full weeks is not judged.
    pub min_before_weeks: i32,
    /// Doctor's lines (all drugs) after the visit.
    pub min_after_lines: f64,
    /// Doctor's lines of the manufacturer's drugs after the visit.
    pub min_count: f64,
    /// Relative lift of the doctor's share (0.5 = +50%) …
    pub min_relative: f64,
    /// … and absolute difference in differences (0.05 = 5 points).
    pub min_points: f64,
    /// z of the difference in differences while the hospital's history is too short to
    /// calibrate (`budget_share` 0: always).
    pub z: f64,
    /// Part of the engine's footprint budget this rule spends: the z is then calibrated on
    /// the visits of the hospital's own history (see `detect::calib`) …
    pub budget_share: f64,
    /// … never below this (a hard floor) …
    pub min_z: f64,
    /// … nor above this.
    pub max_z: f64,
}

impl RepLiftParams {
    /// Full weeks a visit's before-window needs: a rules file written before
    /// `min_before_weeks` existed, with a shorter `before_weeks`, keeps its meaning.
    pub fn min_weeks(&self) -> i32 {
        self.min_before_weeks.min(self.before_weeks)
    }
}

impl Default for RepLiftParams {
    fn default() -> Self {
        RepLiftParams {
            after_min_days: 5,
            after_max_days: 42,
            before_weeks: 16,
            min_before_weeks: 8,
            min_after_lines: 40.0,
            min_count: 10.0,
            min_relative: 0.5,
            min_points: 0.05,
            z: 4.0,
            budget_share: 0.15,
            min_z: 2.5,
            max_z: 8.0,
        }
    }
}

/// `overuse_warning`: the monthly 药品用量动态监测及超常预警 review.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OveruseParams {
    /// Drugs ranked by amount and by quantity (双排序).
    pub top_drugs: usize,
    /// Prescribers listed per drug.
    pub top_doctors: usize,
    /// Month-over-month growth that is published (0.30 = 30%).
    pub growth: f64,
    /// Previous month's amount (yuan) below which growth is not judged.
    pub min_base_amount: f64,
    /// Alert a drug that newly enters this many top places by amount (0 = never).
    pub alert_top_n: usize,
    /// Judge growth beyond the hospital's overall month-over-month change in drug amount.
    pub normalize: bool,
}

impl Default for OveruseParams {
    fn default() -> Self {
        OveruseParams {
            top_drugs: 10,
            top_doctors: 10,
            growth: 0.30,
            min_base_amount: 20_000.0,
            alert_top_n: 3,
            normalize: true,
        }
    }
}
