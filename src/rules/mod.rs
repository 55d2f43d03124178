//! The rules directory: rule files (TOML), engine settings and reference data, validated
//! once into typed values. See `rules/README.md` for the reference.

pub mod catalog;
pub mod dictionary;
pub mod dir;
pub mod duration;
pub mod engine;
pub mod example;
pub mod exception;
pub mod hospitals;
pub mod load;
pub mod model;
pub mod problem;
pub mod ranges;
pub mod table;

use std::collections::BTreeMap;

pub use catalog::Catalog;
pub use dictionary::Dictionary;
pub use duration::Span;
pub use engine::Engine;
pub use model::{Kind, Params, Rule, Severity};
pub use problem::{Problem, Problems};

/// Longest window + baseline a share rule may ask for; bounds the revenue rings.
pub const MAX_SHARE_DAYS: i32 = 400;

/// Longest `allowed_lateness` (and `max_future_skew`); it widens the revenue rings too, so
/// a ring holds at most `MAX_SHARE_DAYS` + 7 + 2 days.
pub const MAX_ALLOWED_LATENESS: Span = Span::days_n(7);

/// Everything a pipeline needs from the rules directory.
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub engine: Engine,
    pub rules: Vec<Rule>,
    /// The catalog of every hospital without one of its own (the files in `catalog/`).
    pub catalog: Catalog,
    /// Complete catalogs of the hospitals with a `catalog/<hospital>/` directory, by
    /// hospital code: its files, and the default's for the files it does not hold.
    pub hospital_catalogs: BTreeMap<String, Catalog>,
    /// The site's data dictionary for the 统方 analyser (`dictionary.csv`, may be empty).
    pub dictionary: Dictionary,
    /// Hospitals' own dictionaries (`dictionary/<hospital>.csv`), replacing the shared one.
    pub hospital_dictionaries: BTreeMap<String, Dictionary>,
}

impl RuleSet {
    /// The catalog that serves `hospital` (CONTRACT §2: `catalog/<hospital>/` overrides).
    pub fn catalog_for(&self, hospital: &str) -> &Catalog {
        self.hospital_catalogs.get(hospital).unwrap_or(&self.catalog)
    }

    /// Hospitals with a catalog of their own, sorted.
    pub fn override_hospitals(&self) -> impl Iterator<Item = &str> {
        self.hospital_catalogs.keys().map(String::as_str)
    }

    /// One line for `rules check`: counts, and the hospitals with their own catalog.
    pub fn summary(&self) -> String {
        let c = &self.catalog;
        let mut s = format!(
            "{} rules, {} drugs, {} doctors, {} suspended/restricted drugs",
            self.rules.len(),
            c.drugs.len(),
            c.doctors.len(),
            c.suspensions.len()
        );
        if !self.dictionary.is_empty() || !self.hospital_dictionaries.is_empty() {
            s += &format!(
                "; data dictionary: {} entries, {} hospital dictionaries",
                self.dictionary.len(),
                self.hospital_dictionaries.len()
            );
        }
        let exceptions: usize = self.rules.iter().map(|r| r.exceptions.len()).sum();
        let examples: usize = self.rules.iter().map(|r| r.examples.len()).sum();
        if exceptions + examples > 0 {
            s += &format!("; {exceptions} exceptions, {examples} examples");
        }
        let hospitals: Vec<&str> = self.override_hospitals().collect();
        if !hospitals.is_empty() {
            s += &format!("; per-hospital catalogs: {}", hospitals.join(", "));
        }
        s
    }

    /// Loads `dir`; the catalog (and its per-hospital directories) from `catalog_dir` when
    /// given, else `dir/catalog`.
    pub fn load(dir: &std::path::Path, catalog_dir: Option<&std::path::Path>) -> Result<RuleSet, Problems> {
        load::load(dir, catalog_dir)
    }
}
