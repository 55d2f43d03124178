//! rxsentinel (skeleton; filled in below)
pub mod gen;
