//! A receiver's durable queue: an append-only journal on disk of alerts added and ids
//! delivered. An alert is added once per `alert_id` (pending or delivered within the
//! retention), so what a restart re-reads from Kafka is not sent twice. `sync` makes what
//! was added durable before the source offsets that produced it are committed; a delivery
//! is journalled (and synced) before the next one starts.
//!
//! Format (`RECEIVER.journal`, NDJSON): `{"add":ALERT,"at":MS}` and
//! `{"done":[ID,…],"at":MS}`. A torn last line (a crash mid-write) is cut off on open; any
//! other unreadable line is reported by file and line and skipped. When the journal holds
//! many more lines than it needs, it is rewritten (temp file, fsync, rename, fsync dir).

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::alert::Alert;

/// An alert as queued: the CONTRACT §3 record, owned (it round-trips the journal).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Queued {
    pub alert_id: String,
    pub rule: String,
    pub kind: String,
    pub severity: String,
    pub ts: String,
    pub hospital: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dept: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    pub title: String,
    #[serde(default)]
    pub evidence: Map<String, Value>,
}

impl From<&Alert> for Queued {
    fn from(a: &Alert) -> Queued {
        Queued {
            alert_id: a.alert_id.clone(),
            rule: a.rule.clone(),
            kind: a.kind.to_owned(),
            severity: a.severity.to_owned(),
            ts: a.ts.clone(),
            hospital: a.hospital.clone(),
            dept: a.dept.clone(),
            doctor: a.doctor.clone(),
            drug: a.drug.clone(),
            user: a.user.clone(),
            manufacturer: a.manufacturer.clone(),
            title: a.title.clone(),
            evidence: a.evidence.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Line {
    Add { add: Box<Queued>, at: i64 },
    Done { done: Vec<String>, at: i64 },
}

/// One pending alert and its place in the queue.
#[derive(Clone, Debug)]
pub struct Pending {
    pub seq: u64,
    pub added_ms: i64,
    pub alert: Queued,
}

pub struct Queue {
    path: PathBuf,
    out: BufWriter<File>,
    next_seq: u64,
    pending: BTreeMap<u64, Pending>,
    pending_ids: HashMap<String, u64>,
    /// Delivered ids and when; forgotten after `retention_ms`.
    done: HashMap<String, i64>,
    retention_ms: i64,
    lines: usize,
    dirty: bool,
}

impl Queue {
    /// Opens (or creates) the journal of `receiver` in `dir`.
    pub fn open(dir: &Path, receiver: &str, retention_ms: i64) -> anyhow::Result<Queue> {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create notification queue directory {}", dir.display()))?;
        let path = dir.join(format!("{receiver}.journal"));
        let mut q = Queue {
            out: BufWriter::new(open_append(&path)?),
            path,
            next_seq: 0,
            pending: BTreeMap::new(),
            pending_ids: HashMap::new(),
            done: HashMap::new(),
            retention_ms,
            lines: 0,
            dirty: false,
        };
        q.load()?;
        Ok(q)
    }

    fn load(&mut self) -> anyhow::Result<()> {
        let name = self.path.display().to_string();
        let mut r = BufReader::new(File::open(&self.path).with_context(|| format!("cannot read {name}"))?);
        let mut buf = Vec::new();
        let mut good = 0u64;
        let mut lineno = 0;
        loop {
            buf.clear();
            let n = r.read_until(b'\n', &mut buf).with_context(|| format!("cannot read {name}"))?;
            if n == 0 {
                break;
            }
            lineno += 1;
            if buf.last() != Some(&b'\n') {
                tracing::warn!(file = %name, line = lineno, "notification journal: torn last line cut off");
                break;
            }
            good += n as u64;
            match serde_json::from_slice::<Line>(&buf) {
                Ok(Line::Add { add, at }) => {
                    self.apply_add(*add, at);
                }
                Ok(Line::Done { done, at }) => self.apply_done(&done, at),
                Err(e) => {
                    tracing::error!(file = %name, line = lineno, "notification journal: unreadable line skipped: {e}")
                }
            }
            self.lines += 1;
        }
        let f = OpenOptions::new().write(true).open(&self.path)?;
        if f.metadata()?.len() != good {
            f.set_len(good).with_context(|| format!("cannot cut the torn end of {name}"))?;
            f.sync_all()?;
        }
        self.out.seek(SeekFrom::End(0))?;
        Ok(())
    }

    fn apply_add(&mut self, alert: Queued, at: i64) -> bool {
        if self.pending_ids.contains_key(&alert.alert_id) || self.done.contains_key(&alert.alert_id) {
            return false;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending_ids.insert(alert.alert_id.clone(), seq);
        self.pending.insert(seq, Pending { seq, added_ms: at, alert });
        true
    }

    fn apply_done(&mut self, ids: &[String], at: i64) {
        for id in ids {
            if let Some(seq) = self.pending_ids.remove(id) {
                self.pending.remove(&seq);
            }
            self.done.insert(id.clone(), at);
        }
    }

    /// Adds an alert unless its id is pending or was delivered; true when added. Buffered:
    /// durable after [`Queue::sync`].
    pub fn add(&mut self, alert: &Queued, now_ms: i64) -> anyhow::Result<bool> {
        if self.pending_ids.contains_key(&alert.alert_id) || self.done.contains_key(&alert.alert_id) {
            return Ok(false);
        }
        let line = serde_json::to_string(&LineRef::Add { add: alert, at: now_ms })?;
        self.write_line(&line)?;
        Ok(self.apply_add(alert.clone(), now_ms))
    }

    /// Records ids as delivered, durably.
    pub fn done(&mut self, ids: &[String], now_ms: i64) -> anyhow::Result<()> {
        let line = serde_json::to_string(&LineRef::Done { done: ids, at: now_ms })?;
        self.write_line(&line)?;
        self.apply_done(ids, now_ms);
        self.sync()?;
        self.maybe_compact(now_ms)
    }

    fn write_line(&mut self, line: &str) -> anyhow::Result<()> {
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.lines += 1;
        self.dirty = true;
        Ok(())
    }

    /// Makes every line written so far durable.
    pub fn sync(&mut self) -> anyhow::Result<()> {
        if self.dirty {
            self.out.flush().with_context(|| format!("cannot write {}", self.path.display()))?;
            self.out.get_ref().sync_data().with_context(|| format!("cannot sync {}", self.path.display()))?;
            self.dirty = false;
        }
        Ok(())
    }

    /// Pending alerts in the order they were added.
    pub fn pending(&self) -> impl Iterator<Item = &Pending> {
        self.pending.values()
    }

    /// Pending alerts added at or after `seq`.
    pub fn pending_from(&self, seq: u64) -> impl Iterator<Item = &Pending> {
        self.pending.range(seq..).map(|(_, p)| p)
    }

    pub fn get(&self, id: &str) -> Option<&Pending> {
        self.pending_ids.get(id).and_then(|s| self.pending.get(s))
    }

    pub fn depth(&self) -> usize {
        self.pending.len()
    }

    /// When the oldest pending alert was added (ms since the epoch).
    pub fn oldest_ms(&self) -> Option<i64> {
        self.pending.values().next().map(|p| p.added_ms)
    }

    /// Rewrites the journal when it holds four times the lines it needs (and at least 10,000):
    /// pending adds, one line of the delivered ids still within the retention.
    fn maybe_compact(&mut self, now_ms: i64) -> anyhow::Result<()> {
        let cutoff = now_ms - self.retention_ms;
        self.done.retain(|_, at| *at >= cutoff);
        let needed = self.pending.len() + self.done.len().div_ceil(1000);
        if self.lines < 10_000 || self.lines < 4 * needed {
            return Ok(());
        }
        self.compact()
    }

    fn compact(&mut self) -> anyhow::Result<()> {
        self.sync()?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        let mut lines = 0;
        {
            let mut w = BufWriter::new(tmp.as_file_mut());
            let mut done: Vec<(&String, &i64)> = self.done.iter().collect();
            done.sort_by_key(|(id, at)| (**at, *id));
            for chunk in done.chunks(1000) {
                let at = *chunk.last().expect("a chunk is never empty").1;
                let ids: Vec<String> = chunk.iter().map(|(id, _)| (*id).clone()).collect();
                serde_json::to_writer(&mut w, &LineRef::Done { done: &ids, at })?;
                w.write_all(b"\n")?;
                lines += 1;
            }
            for p in self.pending.values() {
                serde_json::to_writer(&mut w, &LineRef::Add { add: &p.alert, at: p.added_ms })?;
                w.write_all(b"\n")?;
                lines += 1;
            }
            w.flush()?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).with_context(|| format!("cannot replace {}", self.path.display()))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        self.out = BufWriter::new(open_append(&self.path)?);
        self.lines = lines;
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum LineRef<'a> {
    Add { add: &'a Queued, at: i64 },
    Done { done: &'a [String], at: i64 },
}

fn open_append(path: &Path) -> anyhow::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open notification journal {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn alert(id: &str) -> Queued {
        Queued {
            alert_id: id.into(),
            rule: "TF-01".into(),
            kind: "tongfang_query".into(),
            severity: "high".into(),
            ts: "2026-03-02T23:40:10+08:00".into(),
            hospital: "H01".into(),
            dept: None,
            doctor: None,
            drug: None,
            user: Some("wang.it".into()),
            manufacturer: None,
            title: "统方查询".into(),
            evidence: Map::new(),
        }
    }

    #[test]
    fn survives_reopen_and_deduplicates() {
        let d = tempfile::tempdir().unwrap();
        let mut q = Queue::open(d.path(), "r", 1_000_000).unwrap();
        assert!(q.add(&alert("a"), 1).unwrap());
        assert!(q.add(&alert("b"), 2).unwrap());
        assert!(!q.add(&alert("a"), 3).unwrap(), "a pending id is not added twice");
        q.sync().unwrap();
        q.done(&["a".into()], 4).unwrap();
        drop(q);
        let mut q = Queue::open(d.path(), "r", 1_000_000).unwrap();
        let ids: Vec<_> = q.pending().map(|p| p.alert.alert_id.clone()).collect();
        assert_eq!(ids, ["b"]);
        assert!(!q.add(&alert("a"), 5).unwrap(), "a delivered id is not added again");
        assert_eq!(q.get("b").unwrap().alert, alert("b"));
        assert_eq!(q.oldest_ms(), Some(2));
    }

    #[test]
    fn unsynced_adds_may_be_lost_but_a_torn_line_is_cut() {
        let d = tempfile::tempdir().unwrap();
        let mut q = Queue::open(d.path(), "r", 1_000_000).unwrap();
        q.add(&alert("a"), 1).unwrap();
        q.sync().unwrap();
        drop(q);
        let p = d.path().join("r.journal");
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(br#"{"add":{"alert_id":"b","ru"#).unwrap();
        drop(f);
        let mut q = Queue::open(d.path(), "r", 1_000_000).unwrap();
        assert_eq!(q.depth(), 1);
        q.add(&alert("c"), 2).unwrap();
        q.sync().unwrap();
        drop(q);
        let q = Queue::open(d.path(), "r", 1_000_000).unwrap();
        let ids: Vec<_> = q.pending().map(|p| p.alert.alert_id.clone()).collect();
        assert_eq!(ids, ["a", "c"], "the torn line is gone and what follows it reads");
    }

    #[test]
    fn a_bad_line_in_the_middle_loses_only_itself() {
        let d = tempfile::tempdir().unwrap();
        let mut q = Queue::open(d.path(), "r", 1_000_000).unwrap();
        q.add(&alert("a"), 1).unwrap();
        q.sync().unwrap();
        drop(q);
        let p = d.path().join("r.journal");
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"garbage\n").unwrap();
        drop(f);
        let mut q = Queue::open(d.path(), "r", 1_000_000).unwrap();
        q.add(&alert("b"), 2).unwrap();
        q.sync().unwrap();
        drop(q);
        assert_eq!(Queue::open(d.path(), "r", 1_000_000).unwrap().depth(), 2);
    }

    #[test]
    fn compaction_keeps_pending_and_recent_deliveries() {
        let d = tempfile::tempdir().unwrap();
        let mut q = Queue::open(d.path(), "r", 5_000).unwrap();
        let mut delivered = Vec::new();
        for i in 0..12_000i64 {
            let id = format!("x{i}");
            q.add(&alert(&id), i).unwrap();
            if i % 30 != 0 {
                delivered.push(id);
            }
            if delivered.len() == 100 {
                q.done(&std::mem::take(&mut delivered), i).unwrap();
            }
        }
        q.done(&delivered, 12_000).unwrap();
        let lines = fs::read_to_string(d.path().join("r.journal")).unwrap().lines().count();
        assert!(lines < 3_000, "compacted ({lines} lines)");
        drop(q);
        let mut q = Queue::open(d.path(), "r", 5_000).unwrap();
        assert_eq!(q.depth(), 400);
        assert!(!q.add(&alert("x11998"), 12_000).unwrap(), "a recent delivery is remembered");
        assert!(q.add(&alert("x1"), 12_000).unwrap(), "one older than the retention is forgotten");
    }
}
