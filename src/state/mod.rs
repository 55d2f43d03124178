//! Rolling state: interned ids and event-time-bucketed statistics. Synchronous, owned by
//! one pipeline; no clock, no I/O.

pub mod intern;
pub mod refs;
pub mod revenue;
pub mod ring;
pub mod usage;

pub use intern::Interner;
pub use refs::Refs;
pub use revenue::{Revenue, RevenueStore};
pub use usage::{Delta, UsageStore};

/// Interners, one per id namespace, so handles stay dense per table.
#[derive(Debug, Default, Clone)]
pub struct Ids {
    pub dept: Interner,
    pub doctor: Interner,
    pub drug: Interner,
    pub manufacturer: Interner,
    pub hospital: Interner,
    /// Hospital-qualified department keys (`H01\u{1f}0301`): departments of different
    /// hospitals in one stream are different subjects.
    pub site_dept: Interner,
    /// Hospital-qualified doctor keys.
    pub site_doctor: Interner,
}

/// Key of a code within a hospital.
pub fn site_key(hospital: &str, code: &str, buf: &mut String) {
    buf.clear();
    buf.push_str(hospital);
    buf.push('\u{1f}');
    buf.push_str(code);
}

/// (hospital, code) of a site key.
pub fn split_site(key: &str) -> (&str, &str) {
    key.split_once('\u{1f}').unwrap_or(("", key))
}
