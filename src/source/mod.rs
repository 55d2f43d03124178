//! Sources yield raw records with their position. Files here; Kafka arrives with `run`.

pub mod file;
pub mod kafka;
