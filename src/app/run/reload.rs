//! Hot reload of the rules directory: on a change to its files (polled), on SIGHUP, or on
//! an authenticated `POST /-/reload`, the whole directory is loaded and compiled again and
//! swapped into every partition's pipeline between two records; state stays. A set that
//! does not load is refused with its problems logged, and the running rules stay.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::checkpoint::unix_now;
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
    /// One reload at a time (a file change and a SIGHUP together load once each, in turn),
    /// and the fingerprint of the files the last one read.
    loaded: Mutex<u64>,
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
            loaded: Mutex::new(0),
        };
        *r.loaded.lock().expect("reload lock not poisoned") = r.fingerprint();
        // The rules loaded at start count as the first successful load.
        let m = metrics();
        m.rules_last_reload_success.set(1);
        m.rules_last_reload_time.set(unix_now());
        r
    }

    /// Loads and swaps in the rules directory; `trigger` (file, sighup, http) is logged.
    /// A set that does not load, or whose examples fail (`rules test`), is refused. `Ok`
    /// carries the new set's summary, `Err` its problems (the running rules stay).
    pub fn reload(&self, trigger: &'static str) -> Result<String, String> {
        let mut loaded = self.loaded.lock().expect("reload lock not poisoned");
        *loaded = self.fingerprint();
        let m = metrics();
        let set = crate::rules::RuleSet::load(&self.rules, self.catalog.as_deref())
            .map_err(|problems| problems.to_string())
            .and_then(|set| {
                let failed: Vec<String> = crate::pipeline::examples::run_all(&set)
                    .iter()
                    .filter(|o| o.result.is_err())
                    .map(|o| o.describe())
                    .collect();
                if failed.is_empty() {
                    Ok(set)
                } else {
                    Err(format!("{} failing example(s) (rules test):\n{}", failed.len(), failed.join("\n")))
                }
            });
        match set {
            Err(text) => {
                m.rules_reloads.with_label_values(&["failed"]).inc();
                m.rules_last_reload_success.set(0);
                tracing::error!(trigger, "rules reload refused, the running rules stay:\n{text}");
                Err(text)
            }
            Ok(set) => {
                let summary = set.summary();
                let names = self.notifier.as_ref().map(|_| Names::from_rules(&set));
                let plan = Arc::new(Plan::new(set).closing_in_parallel(crate::pipeline::plan::multicore()));
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
            let mut seen = self.fingerprint();
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                let now = self.fingerprint();
                let loaded = *self.loaded.lock().expect("reload lock not poisoned");
                // Changed since the last load (by any trigger), and settled. A refused set
                // is not retried until it changes again.
                if now != loaded && now == seen {
                    let _ = self.reload("file");
                }
                seen = now;
            }
        })?;
        Ok(())
    }

    /// A hash of every file's path, size, inode, modification and change times under the
    /// rules and catalog directories (hidden entries skipped, as the loader does; symbolic
    /// links followed, as the loader does, so a Kubernetes config map's swap shows).
    fn fingerprint(&self) -> u64 {
        let mut files = Vec::new();
        list(&self.rules, 0, &mut files);
        if let Some(c) = &self.catalog {
            list(c, 0, &mut files);
        }
        files.sort();
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for (path, stamp) in files {
            h.update(path.as_os_str().as_encoded_bytes());
            for x in stamp {
                h.update(&x.to_le_bytes());
            }
        }
        h.digest()
    }
}

/// Directories below the rules directory the loader reads: `catalog/<hospital>/` at most.
const DEPTH: usize = 2;

/// Every file under `dir` (to [`DEPTH`]): its path and [size, inode, mtime, ctime].
fn list(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, [i64; 4])>) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(meta) = std::fs::metadata(e.path()) else { continue };
        if meta.is_dir() {
            if depth < DEPTH {
                list(&e.path(), depth + 1, out);
            }
        } else {
            let nanos = |s: i64, ns: i64| s.saturating_mul(1_000_000_000).saturating_add(ns);
            let stamp = [
                meta.size() as i64,
                meta.ino() as i64,
                nanos(meta.mtime(), meta.mtime_nsec()),
                nanos(meta.ctime(), meta.ctime_nsec()),
            ];
            out.push((e.path(), stamp));
        }
    }
}
