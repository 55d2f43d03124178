//! Wiring: sources → pipeline → sinks, progress and the end-of-run summary. The only part
//! of the program, with `telemetry`, that reads the wall clock.

pub mod replay;
pub mod report;
pub mod run;
pub mod warn;
