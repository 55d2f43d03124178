//! `rxsentinel gen`: a synthetic hospital with planted violations, for demos, tests and
//! benchmarks. Deterministic for a seed.
//!
//! Under `--out` it writes
//! - `events.ndjson` (or `.ndjson.gz`): contract events of all five types in time order,
//!   generated and written one day at a time so memory stays flat for any period;
//! - `rules/catalog/{drugs,doctors,suspended_drugs}.csv` (CONTRACT §2);
//! - `truth.ndjson`: one line per planted violation (`kind` = alert kind), per planted
//!   near miss (`kind` = `near_miss:<alert kind>`, which must not alert), per kickback
//!   scheme (`scheme:surge`, `scheme:ring`, `scheme:rep_visit_lift`, which the statistical
//!   detectors should find) and per innocent confounder (`confounder:*`, which they must
//!   not alert on).
//!
//! Layout: [`hospital`] builds departments, roster and habits from [`names`] and
//! [`catalog`]; [`day`] turns a day into visits ([`prescribe`], [`visit`], [`charges`]) and
//! audit/rep traffic ([`access`]); [`plant`] decides what to inject; [`write`] puts it all
//! in file order.

mod access;
mod bad;
mod calendar;
mod catalog;
mod charges;
mod day;
mod files;
mod hospital;
mod names;
mod people;
mod plant;
mod prescribe;
mod record;
mod rng;
mod visit;
mod write;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_footprint;

use std::fmt;
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use rand::Rng;

use calendar::Period;
use hospital::Hospital;
use plant::{Families, Plan};
use write::EventWriter;

const DEFAULT_SEED: u64 = 1;
const DEFAULT_DOCTORS: usize = 60;
const DEFAULT_DAYS: u32 = 90;
const DEFAULT_START: &str = "2026-01-05";
const DEFAULT_HOSPITAL: &str = "H01";
const DEFAULT_DUP_RATE: f64 = 0.002;
const DEFAULT_VISITS: f64 = 25.0;

#[derive(clap::Args, Debug, Clone)]
pub struct GenArgs {
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Seed: the same seed and options give byte-identical output.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Number of prescribing doctors.
    #[arg(long, default_value_t = DEFAULT_DOCTORS)]
    pub doctors: usize,
    /// Length of the period in days.
    #[arg(long, default_value_t = DEFAULT_DAYS)]
    pub days: u32,
    /// First day of the period (YYYY-MM-DD).
    #[arg(long, default_value = DEFAULT_START)]
    pub start: NaiveDate,
    /// Institution code (机构代码), in every event and event id.
    #[arg(long, default_value = DEFAULT_HOSPITAL)]
    pub hospital: String,
    /// Write events.ndjson.gz instead of events.ndjson.
    #[arg(long)]
    pub gzip: bool,
    /// A clean hospital: no planted violations, near misses, schemes or confounders.
    #[arg(long)]
    pub no_plants: bool,
    /// No kickback schemes (surges, rings, rep-visit lifts).
    #[arg(long)]
    pub no_schemes: bool,
    /// No innocent confounders (season, formulary switch, new doctor, leave, workload,
    /// preference, small counts).
    #[arg(long)]
    pub no_confounders: bool,
    /// Fraction of events delivered a second time (same line, a little later).
    #[arg(long, default_value_t = DEFAULT_DUP_RATE)]
    pub dup_rate: f64,
    /// Malformed lines to sprinkle among the events.
    #[arg(long, default_value_t = 0)]
    pub bad_lines: usize,
    /// Mean visits per doctor on an ordinary weekday.
    #[arg(long, default_value_t = DEFAULT_VISITS)]
    pub visits_per_doctor_day: f64,
}

impl GenArgs {
    /// The command-line defaults with output to `out`, for tests and examples.
    pub fn with_out(out: impl Into<PathBuf>) -> GenArgs {
        GenArgs {
            out: out.into(),
            seed: DEFAULT_SEED,
            doctors: DEFAULT_DOCTORS,
            days: DEFAULT_DAYS,
            start: DEFAULT_START.parse().unwrap_or(NaiveDate::MIN),
            hospital: DEFAULT_HOSPITAL.to_string(),
            gzip: false,
            no_plants: false,
            no_schemes: false,
            no_confounders: false,
            dup_rate: DEFAULT_DUP_RATE,
            bad_lines: 0,
            visits_per_doctor_day: DEFAULT_VISITS,
        }
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.doctors == 0 {
            bail!("--doctors must be at least 1");
        }
        if self.days == 0 {
            bail!("--days must be at least 1");
        }
        if !self.no_plants && self.days < plant::MIN_DAYS {
            bail!("--days must be at least {} to plant cases (or pass --no-plants)", plant::MIN_DAYS);
        }
        if !(0.0..=0.5).contains(&self.dup_rate) {
            bail!("--dup-rate must be between 0 and 0.5, got {}", self.dup_rate);
        }
        if !self.visits_per_doctor_day.is_finite() || self.visits_per_doctor_day < 0.0 {
            bail!("--visits-per-doctor-day must be a number >= 0");
        }
        // The code goes into JSON and ids verbatim.
        if self.hospital.is_empty() || !self.hospital.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!("--hospital must be letters, digits, '-' or '_', got {:?}", self.hospital);
        }
        Ok(())
    }
}

/// What `run` wrote.
#[derive(Debug, Clone)]
pub struct GenSummary {
    pub events_path: PathBuf,
    pub truth_path: PathBuf,
    pub catalog_dir: PathBuf,
    /// Distinct events (redeliveries and malformed lines not included).
    pub events: u64,
    pub duplicates: u64,
    pub bad_lines: u64,
    pub prescriptions: u64,
    pub doctors: usize,
    pub drugs: usize,
    pub days: u32,
    /// Planted violations and schemes (truth lines that must alert).
    pub planted: usize,
    pub near_misses: usize,
    /// Of `planted`, the kickback schemes.
    pub schemes: usize,
    pub confounders: usize,
}

impl fmt::Display for GenSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "generated {} days, {} doctors, {} drugs: {} events ({} prescriptions), {} redeliveries, {} malformed lines",
            self.days, self.doctors, self.drugs, self.events, self.prescriptions, self.duplicates, self.bad_lines
        )?;
        writeln!(
            f,
            "planted {} violations ({} of them kickback schemes), {} near misses and {} confounders",
            self.planted, self.schemes, self.near_misses, self.confounders
        )?;
        writeln!(f, "events:  {}", self.events_path.display())?;
        writeln!(f, "catalog: {}", self.catalog_dir.display())?;
        write!(f, "truth:   {}", self.truth_path.display())
    }
}

/// Generates the hospital described by `args` under `args.out`.
pub fn run(args: &GenArgs) -> anyhow::Result<GenSummary> {
    args.validate()?;
    let period = Period { start: args.start, days: args.days };
    let mut h = Hospital::build(&args.hospital, args.seed, args.doctors, period, args.visits_per_doctor_day);
    let families = Families { schemes: !args.no_schemes, confounders: !args.no_confounders };
    let mut plan = if args.no_plants { Plan::default() } else { plant::plan(&h, families) };
    h.drugs.append(&mut plan.new_drugs);
    let h = h;

    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let catalog_dir = args.out.join("rules").join("catalog");
    files::write_catalog(&h, &catalog_dir)?;

    let (name, other) =
        if args.gzip { ("events.ndjson.gz", "events.ndjson") } else { ("events.ndjson", "events.ndjson.gz") };
    let events_path = args.out.join(name);
    // The other format left by an earlier run would be taken for this run's events.
    match std::fs::remove_file(args.out.join(other)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot remove stale {}", args.out.join(other).display()))
        }
        _ => {}
    }
    let mut writer = EventWriter::create(
        &events_path,
        args.gzip,
        &h.code,
        args.dup_rate,
        rng::stream(args.seed, "redelivery", 0),
        rng::stream(args.seed, "malformed", 0),
    )?;
    let mut bad_rng = rng::stream(args.seed, "malformed-days", 0);
    let mut bad_per_day = vec![0u32; args.days as usize];
    for _ in 0..args.bad_lines {
        bad_per_day[bad_rng.gen_range(0..args.days as usize)] += 1;
    }

    let mut counters = day::Counters::default();
    for d in 0..args.days {
        let out = day::generate(&h, &plan, d, &mut counters);
        for (t, rx_id, ts) in out.resolved {
            plan.truth[t].rx_id = Some(rx_id);
            plan.truth[t].start = calendar::ts_string(ts);
        }
        writer.write_until(period.day_start(d + 1), out.records, bad_per_day[d as usize])?;
    }
    let written = writer.finish()?;
    for (t, event_id) in &written.tracked {
        plan.truth[*t].visit_event_id = Some(event_id.clone());
    }

    let unresolved =
        |t: &plant::Truth| t.start.is_empty() || (t.kind.ends_with("rep_visit_lift") && t.visit_event_id.is_none());
    if let Some(t) = plan.truth.iter().find(|t| unresolved(t)) {
        bail!("internal error: planted case {} ({}) was never generated", t.kind, t.note);
    }
    let truth_path = args.out.join("truth.ndjson");
    files::write_truth(&plan.truth, &truth_path)?;

    Ok(GenSummary {
        events_path,
        truth_path,
        catalog_dir,
        events: written.events,
        duplicates: written.duplicates,
        bad_lines: written.bad_lines,
        prescriptions: counters.rx,
        doctors: h.doctors.len(),
        drugs: h.drugs.len(),
        days: args.days,
        planted: plan.violations(),
        near_misses: plan.near_misses(),
        schemes: plan.schemes(),
        confounders: plan.confounders(),
    })
}
