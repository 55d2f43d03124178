//! Decoding in parallel with scoring: a pool of workers cuts one input into batches of
//! lines in turns (inflating gzip as they read), each decoding the batches it cut into
//! events that borrow from the batch's bytes, and the caller takes the batches back in
//! order — so the events are scored exactly as a sequential read would score them. Spent
//! batches go back to the workers ([`Decoded::spent`]), which free their events and reuse
//! their buffers: the scoring thread neither frees nor allocates them.
//!
//! With no workers (one core), the caller's thread cuts and decodes each batch itself when
//! it asks for it: decoding a few hundred lines in a row, then scoring them, keeps each
//! loop's code and tables in the caches that alternating line by line would share.

use std::ops::Range;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use self_cell::self_cell;

use crate::event::{decode, Event, Reject};

use super::file::{Line, LineReader};

/// Bytes of lines per batch (a batch ends at the line that passes it).
const BATCH_BYTES: usize = 1 << 20;
/// The same, decoded on the scoring thread: its events stay in the caches until scored.
const INLINE_BATCH_BYTES: usize = 1 << 16;
/// Decoded batches waiting per worker: bounds the memory read ahead.
const DEPTH: usize = 2;

/// One line of the input, decoded (or why not), with where the reader stood after it.
pub struct Record<'a> {
    /// Its line number.
    pub line: u64,
    /// Lines and bytes read after it: where a resumed replay would start.
    pub end: (u64, u64),
    pub event: Result<Event<'a>, Reject>,
}

type Records<'a> = Vec<Record<'a>>;

self_cell!(
    /// A batch of lines and the events decoded from them.
    pub struct Batch {
        owner: Vec<u8>,
        #[covariant]
        dependent: Records,
    }
);

impl Batch {
    pub fn records(&self) -> &[Record<'_>] {
        self.borrow_dependent()
    }
}

/// A line as the reader cut it: its bytes in the batch, or why it is no record.
struct Cut {
    line: u64,
    end: (u64, u64),
    bytes: Result<Range<usize>, Reject>,
}

/// A batch's bytes and its lines in them.
type Cuts = (Vec<u8>, Vec<Cut>);

enum Done {
    Batch(Batch),
    Failed(anyhow::Error),
    /// The input ended after the batches before it.
    End,
}

/// The batches of one input, in order.
pub struct Decoded {
    /// Without workers: the reader and the last spent batch's buffer.
    inline: Option<(LineReader, Vec<u8>)>,
    outs: Vec<Receiver<Done>>,
    /// Spent batches, to the workers. Unbounded, so that returning one never waits on a
    /// worker that waits on the scorer; the workers take them back before each batch they
    /// cut, so no more wait there than are in flight.
    spent: Sender<Batch>,
    next: usize,
    finished: bool,
    /// Without workers: the read error that ended the last batch, reported after it.
    failed: Option<anyhow::Error>,
}

impl Decoded {
    /// Hands a scored batch back, to be freed and its buffer reused off this thread.
    pub fn spent(&mut self, batch: Batch) {
        if let Some((_, spare)) = &mut self.inline {
            *spare = batch.into_owner();
            return;
        }
        // The workers have ended: the batch is dropped here.
        let _ = self.spent.send(batch);
    }
}

impl Iterator for Decoded {
    type Item = anyhow::Result<Batch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        if let Some((reader, spare)) = &mut self.inline {
            if let Some(e) = self.failed.take() {
                self.finished = true;
                return Some(Err(e));
            }
            let (lines, failed) = cut(reader, std::mem::take(spare), INLINE_BATCH_BYTES);
            self.failed = failed;
            return match lines {
                Some((buf, cuts)) => Some(Ok(decode_batch(buf, cuts))),
                None => {
                    self.finished = true;
                    self.failed.take().map(Err)
                }
            };
        }
        // Batch k went to worker k % n, and each worker keeps its order.
        let got = self.outs[self.next].recv();
        self.next = (self.next + 1) % self.outs.len();
        match got {
            Ok(Done::Batch(b)) => Some(Ok(b)),
            Ok(Done::Failed(e)) => {
                self.finished = true;
                Some(Err(e))
            }
            Ok(Done::End) => {
                self.finished = true;
                None
            }
            // A worker gone without saying why (a panic): the input is not known to have
            // ended, so this is no end of it.
            Err(_) => {
                self.finished = true;
                Some(Err(anyhow::anyhow!("a decoding thread stopped before the end of the input")))
            }
        }
    }
}

/// The input, shared by the workers, which cut it in turns: batch k is cut by worker
/// k % n, so each worker's batches are in order and the caller takes them round.
struct Turns {
    reader: LineReader,
    /// The batch whose turn it is.
    turn: usize,
    /// A read error that ended the last batch: the next turn reports it.
    failed: Option<anyhow::Error>,
    /// The input has ended (or failed): every worker stops.
    done: bool,
}

/// Starts `workers` threads that cut and decode the input in turns; with none, the
/// caller's thread reads and decodes each batch as it takes it. There is no reader thread
/// of its own: on two cores a third busy thread only waits for the others' time slices,
/// while a worker cuts the lines it then decodes from its own caches.
pub fn spawn(reader: LineReader, workers: usize) -> anyhow::Result<Decoded> {
    if workers == 0 {
        let (spent, _) = channel::<Batch>();
        let inline = Some((reader, Vec::new()));
        return Ok(Decoded { inline, outs: Vec::new(), spent, next: 0, finished: false, failed: None });
    }
    let turns = Arc::new((Mutex::new(Turns { reader, turn: 0, failed: None, done: false }), Condvar::new()));
    let (spent, returned) = channel::<Batch>();
    let returned = Arc::new(Mutex::new(returned));
    let mut outs = Vec::with_capacity(workers);
    for w in 0..workers {
        let (out_tx, out_rx) = sync_channel::<Done>(DEPTH);
        let (turns, returned) = (turns.clone(), returned.clone());
        std::thread::Builder::new()
            .name(format!("rxsentinel-decode-{w}"))
            .spawn(move || work(w, workers, &turns, &returned, &out_tx))?;
        outs.push(out_rx);
    }
    Ok(Decoded { inline: None, outs, spent, next: 0, finished: false, failed: None })
}

/// Marks the input done and wakes the workers when a worker stops, however it stops (a
/// panic included, which would otherwise leave the others waiting for its turn).
struct Stop<'a>(&'a (Mutex<Turns>, Condvar));

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        let (lock, cv) = self.0;
        lock.lock().unwrap_or_else(PoisonError::into_inner).done = true;
        cv.notify_all();
    }
}

/// One worker: waits for its turn, cuts a batch, passes the turn on, decodes the batch and
/// hands it to the caller; until the input ends or the caller goes.
fn work(
    w: usize,
    workers: usize,
    turns: &(Mutex<Turns>, Condvar),
    returned: &Mutex<Receiver<Batch>>,
    out: &SyncSender<Done>,
) {
    let _stop = Stop(turns);
    let (lock, cv) = turns;
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    loop {
        // Spent batches come back here, and are freed off the scoring thread; each worker
        // takes what it keeps, and leaves the rest to the others.
        let room = 2 * DEPTH - buffers.len();
        let back: Vec<Batch> = returned.lock().map(|r| r.try_iter().take(room).collect()).unwrap_or_default();
        buffers.extend(back.into_iter().map(Batch::into_owner));
        let buf = buffers.pop().unwrap_or_else(|| Vec::with_capacity(BATCH_BYTES + 4096));
        let Ok(mut g) = lock.lock() else { return };
        while g.turn % workers != w && !g.done {
            g = match cv.wait(g) {
                Ok(g) => g,
                Err(_) => return,
            };
        }
        if g.done {
            return;
        }
        if let Some(e) = g.failed.take() {
            drop(g);
            let _ = out.send(Done::Failed(e));
            return;
        }
        let t = &mut *g;
        let (lines, failed) = cut(&mut t.reader, buf, BATCH_BYTES);
        t.failed = failed;
        let Some((buf, cuts)) = lines else {
            // Nothing read: the end, which this turn reports, or an error, which the next
            // turn (this one) reports.
            if t.failed.is_none() {
                drop(g);
                let _ = out.send(Done::End);
                return;
            }
            continue;
        };
        t.turn += 1;
        cv.notify_all();
        drop(g);
        if out.send(Done::Batch(decode_batch(buf, cuts))).is_err() {
            // The caller has gone: so do the others (`Stop`).
            return;
        }
    }
}

/// Reads the next batch of about `bytes` of lines into `buf`: the lines cut (none at the end
/// of the input), and the read error that stopped the batch early, if one did — the lines
/// before it are still scored.
fn cut(reader: &mut LineReader, mut buf: Vec<u8>, bytes: usize) -> (Option<Cuts>, Option<anyhow::Error>) {
    buf.clear();
    let mut cuts = Vec::with_capacity(bytes / 256);
    let mut failed = None;
    while buf.len() < bytes {
        let from = buf.len();
        let l = match reader.append_line(&mut buf) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                failed = Some(e);
                break;
            }
        };
        let end = reader.position();
        cuts.push(match l {
            Line::Record(n) => Cut { line: n, end, bytes: Ok(from..buf.len()) },
            Line::Rejected(n, r) => Cut { line: n, end, bytes: Err(r) },
        });
    }
    ((!cuts.is_empty()).then_some((buf, cuts)), failed)
}

fn decode_batch(buf: Vec<u8>, cuts: Vec<Cut>) -> Batch {
    Batch::new(buf, |buf| {
        cuts.into_iter()
            .map(|c| Record {
                line: c.line,
                end: c.end,
                event: match c.bytes {
                    Ok(r) => decode(&buf[r], None),
                    Err(e) => Err(e),
                },
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;

    use super::*;
    use crate::source::file::ReadOptions;

    /// Records before a read error mid-file (a gzip cut short) are all handed out, then the
    /// error — with and without workers, as a line-by-line read would.
    #[test]
    fn the_lines_before_a_read_error_are_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let line = r#"{"type":"charge","event_id":"c1","ts":"2026-03-02T09:15:02+08:00","hospital":"H01","dept":"0301","category":"lab","amount":86.0}"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..40_000 {
            std::io::Write::write_all(&mut gz, line.replace("c1", &format!("c{i}")).as_bytes()).unwrap();
            std::io::Write::write_all(&mut gz, b"\n").unwrap();
        }
        let bytes = gz.finish().unwrap();
        let path = dir.path().join("cut.ndjson.gz");
        std::fs::write(&path, &bytes[..bytes.len() * 6 / 10]).unwrap();
        let open = || LineReader::open(&path, &ReadOptions::default(), Arc::new(AtomicU64::new(0))).unwrap();
        let mut sequential = 0u64;
        let mut r = open();
        let mut buf = Vec::new();
        while let Ok(Some(_)) = r.next_line(&mut buf) {
            sequential += 1;
        }
        assert!(sequential > 10_000, "{sequential}");
        for workers in [0, 1, 2, 3] {
            let mut d = spawn(open(), workers).unwrap();
            let (mut records, mut failed) = (0u64, false);
            while let Some(b) = d.next() {
                match b {
                    Ok(b) => {
                        assert!(!failed, "nothing after the error");
                        for r in b.records() {
                            records += 1;
                            assert_eq!(r.line, records, "in order ({workers} workers)");
                        }
                        d.spent(b);
                    }
                    Err(_) => failed = true,
                }
            }
            assert!(failed, "the error is reported ({workers} workers)");
            assert_eq!(records, sequential, "{workers} workers");
        }
        // The whole file: every record, in order, then the end and no error.
        let whole = dir.path().join("whole.ndjson.gz");
        std::fs::write(&whole, &bytes).unwrap();
        for workers in [0, 1, 2, 3] {
            let r = LineReader::open(&whole, &ReadOptions::default(), Arc::new(AtomicU64::new(0))).unwrap();
            let mut records = 0u64;
            for b in spawn(r, workers).unwrap() {
                for r in b.expect("no error in a whole file").records() {
                    records += 1;
                    assert_eq!(r.line, records, "in order ({workers} workers)");
                }
            }
            assert_eq!(records, 40_000, "{workers} workers");
        }
    }
}
