//! Hot reload of the rules directory: on a change to its files (polled), on SIGHUP, or on
//! an authenticated `POST /-/reload`, the whole directory is loaded and compiled again and
//! swapped into every partition's pipeline between two records; state stays. A set that
//! does not load is refused with its problems logged, and the running rules stay.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::notify::message::Names;
use crate::notify::Notifier;
use crate::pipeline::Plan;
use crate::telemetry::metrics;

use super::partitions::Partitions;

pub struct Reloader {
    rules: PathBuf,
    catalog: Option<PathBuf>,
    parts: Arc<Mutex<Partitions>>,
    notifier: Option<Arc<Notifier>>,
    /// One reload at a time (a file change and a SIGHUP together load once each, in turn).
    busy: Mutex<()>,
}

impl Reloader {
    pub fn new(
        rules: &Path,
        catalog: Option<&Path>,
        parts: Arc<Mutex<Partitions>>,
        notifier: Option<Arc<Notifier>>,
    ) -> Reloader {
        let r = Reloader {
            rules: rules.to_owned(),
            catalog: catalog.map(Path::to_owned),
            parts,
            notifier,
            busy: Mutex::new(()),
        };
        // The rules loaded at start count as the first successful load.
        let m = metrics();
        m.rules_last_reload_success.set(1);
        m.rules_last_reload_time.set(unix_now());
        r
    }

    /// Loads and swaps in the rules directory; `trigger` (file, sighup, http) is logged.
    /// `Ok` carries the new set's summary, `Err` its problems (the running rules stay).
    pub fn reload(&self, trigger: &'static str) -> Result<String, String> {
        let _one = self.busy.lock().expect("reload lock not poisoned");
        let m = metrics();
        match crate::rules::RuleSet::load(&self.rules, self.catalog.as_deref()) {
            Err(problems) => {
                m.rules_reloads.with_label_values(&["failed"]).inc();
                m.rules_last_reload_success.set(0);
                let text = problems.to_string();
                tracing::error!(trigger, "rules reload refused, the running rules stay:\n{text}");
                Err(text)
            }
            Ok(set) => {
                let summary = set.summary();
                let names = self.notifier.as_ref().map(|_| Names::from_rules(&set));
                let plan = Arc::new(Plan::new(set));
                self.parts.lock().expect("partitions mutex not poisoned").set_plan(plan);
                if let (Some(n), Some(names)) = (&self.notifier, names) {
                    n.set_names(names);
                }
                m.rules_reloads.with_label_values(&["ok"]).inc();
                m.rules_last_reload_success.set(1);
                m.rules_last_reload_time.set(unix_now());
                tracing::info!(trigger, "rules reloaded: {summary}");
                Ok(summary)
            }
        }
    }

    /// Watches the rules (and catalog) directory every `every`, and reloads once a change
    /// has settled (the same on two polls running: an editor's or a deploy's several writes
    /// make one reload). Stops with `stop`.
    pub fn watch(self: Arc<Self>, every: Duration, stop: Arc<AtomicBool>) -> std::io::Result<()> {
        std::thread::Builder::new().name("rxsentinel-rules-watch".into()).spawn(move || {
            let mut loaded = self.fingerprint();
            let mut seen = loaded;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                let now = self.fingerprint();
                if now != loaded && now == seen {
                    // A refused set is not retried until it changes again.
                    let _ = self.reload("file");
                    loaded = now;
                }
                seen = now;
            }
        })?;
        Ok(())
    }

    /// A hash of every file's path, size and modification time under the rules and
    /// catalog directories (hidden entries skipped, as the loader does).
    fn fingerprint(&self) -> u64 {
        let mut files = Vec::new();
        list(&self.rules, &mut files);
        if let Some(c) = &self.catalog {
            list(c, &mut files);
        }
        files.sort();
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for (path, len, mtime) in files {
            h.update(path.as_os_str().as_encoded_bytes());
            h.update(&len.to_le_bytes());
            h.update(&mtime.to_le_bytes());
        }
        h.digest()
    }
}

/// Every file under `dir`: path, size and modification time in nanoseconds.
fn list(dir: &Path, out: &mut Vec<(PathBuf, u64, u128)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(meta) = std::fs::metadata(e.path()) else { continue };
        if meta.is_dir() {
            list(&e.path(), out);
        } else {
            let mtime =
                meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
            out.push((e.path(), meta.len(), mtime));
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
