//! The rules directory: rule files (TOML), engine settings and reference data, validated
//! once into typed values. See `rules/README.md` for the reference.

pub mod catalog;
pub mod dir;
pub mod duration;
pub mod engine;
pub mod load;
pub mod model;
pub mod problem;
pub mod ranges;
pub mod table;

pub use catalog::Catalog;
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
    pub catalog: Catalog,
}

impl RuleSet {
    /// The catalog that serves `hospital` (CONTRACT §2: `catalog/<hospital>/` overrides).
    pub fn catalog_for(&self, _hospital: &str) -> &Catalog {
        &self.catalog
    }

    pub fn load(dir: &std::path::Path, catalog_dir: Option<&std::path::Path>) -> Result<RuleSet, Problems> {
        load::load(dir, catalog_dir)
    }
}
