//! Logging setup. Logs go to stderr; `RUST_LOG` (or `--log`) picks the level. Info-level
//! messages never carry a doctor, patient, drug or user id (those are 统方 data).

use tracing_subscriber::EnvFilter;

pub fn init(default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}
