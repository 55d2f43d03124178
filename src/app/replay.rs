//! `replay`: files to the end, alerts to a sink, a summary at the end. Several inputs are
//! merged by event time (each file in its own order), so a hospital exported as one file
//! per event type replays as the interleaved stream it was.

use std::collections::{BTreeMap, VecDeque};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::checkpoint::{Position, Snapshot, Store};
use crate::event::mapping::Mapped;
use crate::event::{decode, Event, EventType, Reject, Ts};
use crate::pipeline::Plan;
use crate::pipeline::{Arrival, Origin, Pipeline};
use crate::rules::RuleSet;
use crate::settings::Topic;
use crate::sink::Sink;
use crate::source::file::{InputSet, Line, LineReader, ReadOptions};
use crate::stats::Stats;

use super::warn::Warner;

pub struct Summary {
    pub stats: Stats,
    /// Monthly 双排序 reviews: closed months, then open ones (provisional).
    pub months: Vec<(String, crate::detect::overuse::MonthReport)>,
    pub seconds: f64,
    pub state: String,
    /// Records a `--mapping` topic's adapter skipped on purpose (tombstones, plain updates), by reason.
    pub skipped: BTreeMap<&'static str, u64>,
}

impl Summary {
    pub fn events_per_sec(&self) -> f64 {
        let n = self.stats.accepted() + self.stats.rejected_total() + self.stats.duplicates;
        n as f64 / self.seconds.max(1e-9)
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "replay summary")?;
        writeln!(f, "{}", self.stats)?;
        if !self.skipped.is_empty() {
            let total: u64 = self.skipped.values().sum();
            let each: Vec<String> = self.skipped.iter().map(|(k, n)| format!("{k}={n}")).collect();
            writeln!(f, "  skipped          {total:>10}  {} (by the mapping: not events)", each.join(" "))?;
        }
        writeln!(f, "  state            {}", self.state)?;
        write!(f, "  elapsed          {:.2} s, {:.0} events/s", self.seconds, self.events_per_sec())
    }
}

/// Records a merged file is read ahead by, to tell a wrongly stamped run (a prescription's
/// lines) from the file's own time.
const LOOKAHEAD: usize = 32;

/// A file with its next well-formed records (the first waits to be merged), and the time it
/// was last merged at.
struct Head {
    reader: LineReader,
    queue: VecDeque<Slot>,
    /// Emptied slots, reused for their buffers.
    spare: Vec<Slot>,
    last: Option<Ts>,
}

#[derive(Default)]
struct Slot {
    buf: Vec<u8>,
    ts: Ts,
    line: u64,
    /// The reader's position before this record: where a resumed replay starts again.
    start: (u64, u64),
}

/// `replay --state`: where checkpoints go, how often, and the one to resume from.
pub struct Checkpoints {
    pub store: Box<dyn Store>,
    pub every: Duration,
    pub resume: Option<Snapshot>,
}

/// How input lines become events: contract JSON as they are, or records of a topic of a
/// `run` config (`--mapping`): its type, envelope and mapping apply, as `run` applies them.
#[derive(Default)]
struct Reading<'t> {
    topic: Option<&'t Topic>,
    skipped: BTreeMap<&'static str, u64>,
}

impl Reading<'_> {
    fn default_type(&self) -> Option<EventType> {
        self.topic.and_then(|t| t.default_type)
    }
}

/// The key of a replay's checkpoints in its store.
pub const REPLAY_KEY: &str = "replay";

impl Head {
    /// The time the merge orders this file by: its waiting record's, unless that record is
    /// stamped further ahead of where the file was last merged than the skew while a record
    /// read ahead is back near it. Each file is in time order, so such a record (or a run
    /// of them: a whole prescription) is a wrong clock: it goes now, to its hospital's
    /// clock, which sets it aside, instead of holding the whole file back until every other
    /// input has ended. A file that stays ahead (its night, its weekend) waits its turn.
    fn key(&self, skew: i64) -> Option<Ts> {
        let cur = self.queue.front()?.ts;
        let Some(last) = self.last else { return Some(cur) };
        let near = |t: Ts| t.0 <= last.0.saturating_add(skew);
        Some(if !near(cur) && self.queue.iter().skip(1).any(|s| near(s.ts)) { last } else { cur })
    }
}

/// Replays `inputs`, opened with the default [`ReadOptions`].
pub fn replay(inputs: &[PathBuf], rules: RuleSet, sink: &mut dyn Sink, progress: bool) -> anyhow::Result<Summary> {
    replay_inputs(InputSet::open(inputs, &ReadOptions::default())?, rules, sink, progress)
}

/// Replays inputs already opened and sniffed, so that a caller can refuse a bad input
/// before it creates its sink.
pub fn replay_inputs(inputs: InputSet, rules: RuleSet, sink: &mut dyn Sink, progress: bool) -> anyhow::Result<Summary> {
    replay_with(inputs, rules, sink, progress, None, None)
}

/// Replays inputs; with checkpoints (`--state`), resumes from `ck.resume` — inputs it had
/// read from where they stood, others from their start — and checkpoints every `ck.every`
/// of processing and at the end, each after the sink made its alerts durable. With `mapping`,
/// each line is a record of that topic (vendor columns, Debezium change events).
pub fn replay_with(
    inputs: InputSet,
    rules: RuleSet,
    sink: &mut dyn Sink,
    progress: bool,
    mut ck: Option<Checkpoints>,
    mapping: Option<&Topic>,
) -> anyhow::Result<Summary> {
    let mut reading = Reading { topic: mapping, ..Reading::default() };
    let started = Instant::now();
    let bytes_read = inputs.read;
    let decoders = inputs.decoders;
    let mut heads: Vec<Head> = inputs
        .readers
        .into_iter()
        .map(|reader| Head { reader, queue: VecDeque::new(), spare: Vec::new(), last: None })
        .collect();
    // More than one core: busy days close on two threads too.
    let plan = Arc::new(Plan::new(rules).closing_in_parallel(decoders > 0));
    let mut pipeline = match ck.as_mut().and_then(|c| c.resume.take()) {
        Some(snap) => {
            resume_inputs(&mut heads, &snap.positions)?;
            tracing::info!(hospitals = snap.hospitals.len(), "replay resuming from its checkpoint");
            Pipeline::restore(plan, snap.stats, snap.hospitals)
        }
        None => Pipeline::with_plan(plan),
    };
    let bar = (progress && std::io::stderr().is_terminal()).then(|| progress_bar(inputs.total_bytes));
    let paths: Vec<PathBuf> = heads.iter().map(|h| h.reader.path().to_path_buf()).collect();
    let inputs = paths.as_slice();
    let mut warner = Warner::default();
    let mut alerts = Vec::new();
    let mut n: u64 = 0;
    let mut saved = Instant::now();
    // Every 64 Ki records: the progress bar, and a checkpoint when one is due (at the
    // inputs' positions `at` gives).
    let mut tick = |n: u64, pipeline: &Pipeline, at: &dyn Fn() -> Vec<Position>, sink: &mut dyn Sink| {
        if n % 65_536 != 0 {
            return Ok(());
        }
        if let Some(b) = &bar {
            b.set_position(bytes_read.load(Ordering::Relaxed));
        }
        if let Some(c) = ck.as_mut().filter(|c| saved.elapsed() >= c.every) {
            save(c, pipeline, at(), sink)?;
            saved = Instant::now();
        }
        anyhow::Ok(())
    };
    let mut end_positions = None;
    if heads.len() == 1 && reading.topic.is_none() {
        // One input of contract events, in batches decoded by other threads while this one
        // scores, or here batch by batch on one core (a mapped topic dump is decoded line
        // by line, below).
        let h = heads.pop().expect("one input");
        let (path, fingerprint) = (h.reader.path().to_path_buf(), h.reader.fingerprint());
        let me = identity(&path);
        let mut end = h.reader.position();
        let here = |(lines, bytes): (u64, u64)| vec![Position::File { path: me.clone(), fingerprint, lines, bytes }];
        let mut decoded = crate::source::decoded::spawn(h.reader, decoders)?;
        while let Some(batch) = decoded.next() {
            let batch = batch?;
            for rec in batch.records() {
                match &rec.event {
                    Ok(ev) => {
                        let at = Arrival { origin: Origin { input: 0, pos: rec.line }, ..Arrival::default() };
                        pipeline.process_from(ev, at, &mut alerts);
                        deliver(&mut pipeline, &mut alerts, sink, &mut warner, inputs)?;
                    }
                    Err(r) => {
                        pipeline.stats.reject(r.reason);
                        warner.reject(&path, rec.line, r);
                    }
                }
                end = rec.end;
                n += 1;
                tick(n, &pipeline, &|| here(end), sink)?;
            }
            decoded.spent(batch);
        }
        end_positions = Some(here(end));
    } else if let [h] = heads.as_mut_slice() {
        // One mapped topic dump: no merge, its adapter and one decode per record.
        let mut buf = Vec::with_capacity(1024);
        while let Some((line, record)) = next_record(&mut h.reader, &mut buf, &mut reading)? {
            match record {
                Ok(ev) => {
                    let at = Arrival { origin: Origin { input: 0, pos: line }, ..Arrival::default() };
                    pipeline.process_from(&ev, at, &mut alerts);
                    deliver(&mut pipeline, &mut alerts, sink, &mut warner, inputs)?;
                }
                Err(r) => {
                    pipeline.stats.reject(r.reason);
                    warner.reject(h.reader.path(), line, &r);
                }
            }
            n += 1;
            tick(n, &pipeline, &|| positions(std::slice::from_ref(h)), sink)?;
        }
    } else {
        for h in heads.iter_mut() {
            refill(h, &mut pipeline, &mut warner, &mut reading)?;
        }
        let skew = pipeline.rules().engine.max_future_skew.secs();
        // Oldest head first; ties go to the earlier file, so the merge is deterministic.
        while let Some(i) =
            heads.iter().enumerate().filter_map(|(i, h)| h.key(skew).map(|t| (t, i))).min().map(|(_, i)| i)
        {
            let h = &mut heads[i];
            h.last = h.key(skew);
            let slot = h.queue.pop_front().expect("a head with a key has a record");
            let ev = decode(&slot.buf, reading.default_type()).expect("the head decoded when it was read");
            let at = Arrival { origin: Origin { input: i as u32, pos: slot.line }, ..Arrival::default() };
            pipeline.process_from(&ev, at, &mut alerts);
            deliver(&mut pipeline, &mut alerts, sink, &mut warner, inputs)?;
            h.spare.push(slot);
            refill(h, &mut pipeline, &mut warner, &mut reading)?;
            n += 1;
            tick(n, &pipeline, &|| positions(&heads), sink)?;
        }
    }
    pipeline.finish(&mut alerts);
    deliver(&mut pipeline, &mut alerts, sink, &mut warner, inputs)?;
    sink.flush()?;
    if let Some(c) = ck.as_mut() {
        save(c, &pipeline, end_positions.unwrap_or_else(|| positions(&heads)), sink)?;
    }
    let held = pipeline.held();
    if held > 0 {
        tracing::warn!(
            "{held} events stamped ahead of their hospital's stream were still waiting for it at the end of the input \
             (applied to no window; a replay with later data may confirm them)"
        );
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(Summary {
        state: pipeline.state_sizes(),
        months: pipeline.month_reports(),
        stats: pipeline.stats.clone(),
        seconds: started.elapsed().as_secs_f64(),
        skipped: reading.skipped,
    })
}

/// Where each input stands: everything before its first record still waiting in the merge
/// was processed (or rejected and counted).
fn positions(heads: &[Head]) -> Vec<Position> {
    heads
        .iter()
        .map(|h| {
            let (lines, bytes) = h.queue.front().map_or_else(|| h.reader.position(), |s| s.start);
            Position::File { path: identity(h.reader.path()), fingerprint: h.reader.fingerprint(), lines, bytes }
        })
        .collect()
}

/// A file's name in a checkpoint: its canonical path, so `./a` and `a` are one input.
fn identity(p: &Path) -> String {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string()
}

/// Skips, in each input a checkpoint had read, what it had read. A file of the same name
/// whose first bytes differ is another file, read from its start.
fn resume_inputs(heads: &mut [Head], positions: &[Position]) -> anyhow::Result<()> {
    let mut seen = std::collections::HashSet::new();
    for h in heads {
        let me = identity(h.reader.path());
        if !seen.insert(me.clone()) {
            anyhow::bail!("{me} is given twice: a replay that resumes reads each input once");
        }
        for p in positions {
            let Position::File { path, fingerprint, lines, bytes } = p else { continue };
            if *path != me {
                continue;
            }
            if *fingerprint != h.reader.fingerprint() {
                tracing::warn!(
                    "{me}: not the file of that name the checkpoint read (its first bytes differ); reading all of it"
                );
                continue;
            }
            h.reader.skip_to(*lines, *bytes)?;
        }
    }
    Ok(())
}

/// Writes a checkpoint of `pipeline` at the inputs' `positions`, the alerts durable first.
fn save(c: &mut Checkpoints, pipeline: &Pipeline, positions: Vec<Position>, sink: &mut dyn Sink) -> anyhow::Result<()> {
    let t = Instant::now();
    let alerts = sink.durable()?;
    let bytes = pipeline.checkpoint(REPLAY_KEY, &positions, alerts.as_ref().map(|(p, l)| (p.as_str(), *l)))?;
    crate::checkpoint::save(c.store.as_mut(), REPLAY_KEY, &bytes, t)?;
    tracing::info!(bytes = bytes.len(), seconds = t.elapsed().as_secs_f64(), store = %c.store.describe(), "checkpoint written");
    Ok(())
}

/// Hands the alerts to the sink and reports events set aside as future.
fn deliver(
    pipeline: &mut Pipeline,
    alerts: &mut Vec<crate::alert::Alert>,
    sink: &mut dyn Sink,
    warner: &mut Warner,
    inputs: &[PathBuf],
) -> anyhow::Result<()> {
    if !alerts.is_empty() {
        sink.send(alerts)?;
        alerts.clear();
    }
    for s in pipeline.take_set_aside() {
        let file = inputs.get(s.origin.input as usize).map_or(Path::new("-"), PathBuf::as_path);
        warner.future(file, s.origin.pos, &s);
    }
    Ok(())
}

/// Reads `h` ahead to `LOOKAHEAD` records that decode, counting and reporting the ones
/// that do not.
fn refill(h: &mut Head, pipeline: &mut Pipeline, warner: &mut Warner, reading: &mut Reading) -> anyhow::Result<()> {
    while h.queue.len() < LOOKAHEAD {
        let mut slot = h.spare.pop().unwrap_or_default();
        let start = h.reader.position();
        let Some((line, record)) = next_record(&mut h.reader, &mut slot.buf, reading)? else { return Ok(()) };
        match record {
            Ok(ev) => {
                slot.ts = ev.ts;
                slot.line = line;
                slot.start = start;
                h.queue.push_back(slot);
            }
            Err(r) => {
                pipeline.stats.reject(r.reason);
                warner.reject(h.reader.path(), line, &r);
                h.spare.push(slot);
            }
        }
    }
    Ok(())
}

/// The next line of `reader` as an event, or why it is not one, with its line number. With
/// a mapping, `buf` ends up holding the mapped record, and records it skips are counted.
#[inline(always)]
fn next_record<'b>(
    reader: &mut LineReader,
    buf: &'b mut Vec<u8>,
    reading: &mut Reading,
) -> anyhow::Result<Option<(u64, Result<Event<'b>, Reject>)>> {
    let n = loop {
        let Some(line) = reader.next_line(buf)? else { return Ok(None) };
        let n = match line {
            Line::Record(n) => n,
            Line::Rejected(n, r) => return Ok(Some((n, Err(r)))),
        };
        let Some(adapter) = reading.topic.and_then(|t| t.adapter.as_ref()) else { break n };
        match adapter.apply(buf) {
            Ok(Mapped::Event(bytes)) => {
                *buf = bytes;
                break n;
            }
            Ok(Mapped::Skip(reason)) => *reading.skipped.entry(reason).or_default() += 1,
            Err(r) => return Ok(Some((n, Err(r)))),
        }
    };
    let buf: &'b Vec<u8> = buf;
    Ok(Some((n, decode(buf, reading.default_type()))))
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} replay [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Loads a rules directory or fails with every problem listed.
pub fn load_rules(dir: &Path, catalog: Option<&Path>) -> anyhow::Result<RuleSet> {
    RuleSet::load(dir, catalog)
        .map_err(anyhow::Error::new)
        .with_context(|| format!("invalid rules directory {}", dir.display()))
}
