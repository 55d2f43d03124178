//! Sources yield raw records with their position: files (sniffed, then read line by line)
//! for `replay` and `report`, Kafka partitions for `run`.

pub mod decoded;
pub mod file;
pub mod kafka;
pub mod sniff;
