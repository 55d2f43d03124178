//! Rolling state: interned ids and event-time-bucketed statistics. Synchronous, owned by
//! one pipeline; no clock, no I/O.

pub mod accounts;
pub mod clock;
pub mod intern;
pub mod refs;
pub mod revenue;
pub mod ring;
pub mod usage;

pub use intern::{DeptId, DoctorId, DrugId, Handle, Interner, ManufacturerId};
pub use refs::Refs;
pub use revenue::{Revenue, RevenueStore};
pub use usage::{Delta, UsageStore};

/// Interners, one per id namespace, so handles stay dense per table. One set per hospital:
/// codes are unique only within a hospital.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Ids {
    pub dept: Interner<DeptId>,
    pub doctor: Interner<DoctorId>,
    pub drug: Interner<DrugId>,
    pub manufacturer: Interner<ManufacturerId>,
}
