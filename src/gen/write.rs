//! Output: the event stream in file order (with event ids, redeliveries and malformed
//! lines), compressed and written on a second thread so generation and gzip overlap; the
//! catalog CSVs; the ground truth.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use anyhow::{anyhow, Context};
use flate2::write::GzEncoder;
use flate2::Compression;
use rand::Rng;
use rand_pcg::Pcg64;

use super::calendar::{fmt_ts, MINUTE};
use super::record::{Payload, Record};

/// Writes chunks to a file on its own thread. At most two chunks wait in the channel, which
/// bounds memory whatever the period length.
struct ChunkSink {
    tx: Option<SyncSender<Vec<u8>>>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

impl ChunkSink {
    fn create(path: &Path, gzip: bool) -> anyhow::Result<ChunkSink> {
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let buf = BufWriter::with_capacity(1 << 20, file);
        let (tx, rx) = sync_channel::<Vec<u8>>(2);
        let shown = path.display().to_string();
        let thread = std::thread::Builder::new()
            .name("gen-writer".into())
            .spawn(move || -> anyhow::Result<()> {
                let mut out: Box<dyn Write> = if gzip {
                    // Level 1: ~420 MB/s, about as fast as the generator produces text; the
                    // default level is ten times slower for a third less size.
                    Box::new(GzEncoder::new(buf, Compression::fast()))
                } else {
                    Box::new(buf)
                };
                for chunk in rx {
                    out.write_all(&chunk).with_context(|| format!("cannot write {shown}"))?;
                }
                out.flush().with_context(|| format!("cannot write {shown}"))?;
                // Dropping the encoder finishes the gzip member; flush made sure all is out.
                drop(out);
                Ok(())
            })
            .context("cannot start the writer thread")?;
        Ok(ChunkSink { tx: Some(tx), thread: Some(thread) })
    }

    fn send(&mut self, chunk: Vec<u8>) -> anyhow::Result<()> {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(chunk).is_ok());
        if sent {
            Ok(())
        } else {
            // The thread stopped: its error says why.
            Err(self.join().err().unwrap_or_else(|| anyhow!("event writer stopped")))
        }
    }

    fn join(&mut self) -> anyhow::Result<()> {
        self.tx = None;
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| anyhow!("event writer thread panicked"))?,
            None => Ok(()),
        }
    }
}

/// What went into the event file.
#[derive(Debug, Default, Clone)]
pub struct Written {
    pub events: u64,
    pub duplicates: u64,
    pub bad_lines: u64,
    /// `(truth index, event_id)` of the tracked events.
    pub tracked: Vec<(usize, String)>,
}

/// Puts records in file order, day by day. Records dated after the day being written (late
/// returns, redeliveries) wait in `pending` for their day.
pub struct EventWriter {
    sink: ChunkSink,
    hospital: String,
    next_id: u64,
    pending: Vec<Record>,
    dup_rate: f64,
    dup_rng: Pcg64,
    bad_rng: Pcg64,
    pub written: Written,
    line: String,
}

impl EventWriter {
    pub fn create(
        path: &Path,
        gzip: bool,
        hospital: &str,
        dup_rate: f64,
        dup_rng: Pcg64,
        bad_rng: Pcg64,
    ) -> anyhow::Result<Self> {
        Ok(EventWriter {
            sink: ChunkSink::create(path, gzip)?,
            hospital: hospital.to_string(),
            next_id: 0,
            pending: Vec::new(),
            dup_rate,
            dup_rng,
            bad_rng,
            written: Written::default(),
            line: String::with_capacity(512),
        })
    }

    /// Writes every record dated before `until` (local seconds), in time order, with
    /// `bad` malformed lines at random places among them.
    pub fn write_until(&mut self, until: i64, records: Vec<Record>, bad: u32) -> anyhow::Result<()> {
        let mut now: Vec<Record> = Vec::with_capacity(records.len() + self.pending.len());
        for r in records.into_iter().chain(std::mem::take(&mut self.pending)) {
            if r.ts < until {
                now.push(r);
            } else {
                self.pending.push(r);
            }
        }
        now.sort_unstable();
        let mut bad_at: Vec<usize> = (0..bad).map(|_| self.bad_rng.gen_range(0..=now.len())).collect();
        bad_at.sort_unstable();
        let mut bad_at = bad_at.into_iter().peekable();
        let mut chunk: Vec<u8> = Vec::with_capacity(now.len() * 260);
        // Redeliveries made while writing this day that fall inside it, merged in order.
        let mut redo: BinaryHeap<Reverse<Record>> = BinaryHeap::new();
        let mut originals = now.into_iter().enumerate().peekable();
        loop {
            let take_redo = match (originals.peek(), redo.peek()) {
                (Some((_, o)), Some(Reverse(r))) => r < o,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (None, None) => break,
            };
            if take_redo {
                if let Some(Reverse(r)) = redo.pop() {
                    self.emit(&mut chunk, r, until, &mut redo);
                }
                continue;
            }
            let Some((i, r)) = originals.next() else { break };
            while bad_at.next_if(|&b| b <= i).is_some() {
                let line = super::bad::bad_line(&mut self.bad_rng, &self.hospital, self.written.bad_lines);
                chunk.extend_from_slice(line.as_bytes());
                chunk.push(b'\n');
                self.written.bad_lines += 1;
            }
            self.emit(&mut chunk, r, until, &mut redo);
        }
        for _ in bad_at {
            let line = super::bad::bad_line(&mut self.bad_rng, &self.hospital, self.written.bad_lines);
            chunk.extend_from_slice(line.as_bytes());
            chunk.push(b'\n');
            self.written.bad_lines += 1;
        }
        self.sink.send(chunk)
    }

    /// Appends one record; sometimes schedules its redelivery a minute to two hours later.
    fn emit(&mut self, chunk: &mut Vec<u8>, r: Record, until: i64, redo: &mut BinaryHeap<Reverse<Record>>) {
        let original = match r.payload {
            Payload::Event { kind, body } => {
                self.next_id += 1;
                self.line.clear();
                self.line.push_str("{\"type\":\"");
                self.line.push_str(kind.as_str());
                self.line.push_str("\",\"event_id\":\"");
                self.line.push_str(&self.hospital);
                self.line.push_str("-e");
                push_padded(&mut self.line, self.next_id, 9);
                if let Some(t) = r.truth {
                    let id = format!("{}-e{:09}", self.hospital, self.next_id);
                    self.written.tracked.push((t, id));
                }
                self.line.push_str("\",\"ts\":\"");
                fmt_ts(r.ts, &mut self.line);
                self.line.push_str("\",\"hospital\":\"");
                self.line.push_str(&self.hospital);
                self.line.push_str("\",");
                // body is `{...}`: splice its fields after the head.
                self.line.push_str(body.get(1..).unwrap_or("}"));
                self.written.events += 1;
                true
            }
            Payload::Line(text) => {
                self.line.clear();
                self.line.push_str(&text);
                self.written.duplicates += 1;
                false
            }
        };
        chunk.extend_from_slice(self.line.as_bytes());
        chunk.push(b'\n');
        if original && self.dup_rate > 0.0 && self.dup_rng.gen::<f64>() < self.dup_rate {
            let at = r.ts + i64::from(self.dup_rng.gen_range(MINUTE..120 * MINUTE));
            let dup = Record { ts: at, seq: r.seq, payload: Payload::Line(self.line.clone()), truth: None };
            if at < until {
                redo.push(Reverse(dup));
            } else {
                self.pending.push(dup);
            }
        }
    }

    /// Writes what is still pending (redeliveries past the last day) and closes the file.
    pub fn finish(mut self) -> anyhow::Result<Written> {
        self.write_until(i64::MAX, Vec::new(), 0)?;
        self.sink.join()?;
        Ok(self.written)
    }
}

fn push_padded(out: &mut String, v: u64, width: usize) {
    let s = v.to_string();
    for _ in s.len()..width {
        out.push('0');
    }
    out.push_str(&s);
}
