//! NDJSON files, plain or gzip (by magic bytes, whatever the name), read line by line into a
//! reused buffer. Every input is sniffed when opened (see [`super::sniff`]), so a file that
//! cannot be events is refused before anything is written. Positions are 1-based line
//! numbers, for error messages that name file and line: a UTF-8 BOM and the `\r` of CRLF
//! endings are stripped without moving them. A line longer than `max_line_bytes` is
//! rejected (`too_long`) and its bytes are skipped as they are read, never buffered, so a
//! file without newlines runs in bounded memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use encoding_rs::{DecoderResult, GB18030};
use flate2::read::MultiGzDecoder;

use super::sniff::{sniff, EncodingChoice, Text, UTF8_BOM};
use crate::event::{Reject, RejectReason};

/// Default for `--max-line-bytes`: 1 MiB, a hundred times the longest real event.
pub const DEFAULT_MAX_LINE_BYTES: u64 = 1 << 20;

/// How inputs are read (`--encoding`, `--max-line-bytes`).
#[derive(Copy, Clone, Debug)]
pub struct ReadOptions {
    pub encoding: EncodingChoice,
    pub max_line_bytes: u64,
    /// Threads that decode a single input beside the scoring thread (0: it decodes on the
    /// scoring thread; `source::decoded`).
    pub decoders: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { encoding: EncodingChoice::Auto, max_line_bytes: DEFAULT_MAX_LINE_BYTES, decoders: 0 }
    }
}

/// A line read: a record in the caller's buffer, or one rejected by the reader itself.
pub enum Line {
    Record(u64),
    Rejected(u64, Reject),
}

pub struct LineReader {
    path: PathBuf,
    inner: Box<dyn BufRead + Send>,
    line: u64,
    /// Bytes of the (inflated) stream consumed: the end of line `line`.
    bytes: u64,
    /// xxh3 of the file's first bytes (up to 64 KiB): which file a checkpoint's position is in.
    fingerprint: u64,
    max_line_bytes: u64,
    text: Text,
    /// Transcoding target, swapped with the caller's buffer (GB18030 input only).
    scratch: Vec<u8>,
}

/// Counts bytes read from disk, for a progress bar over compressed and plain input alike.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Inputs opened and sniffed, ready to replay.
pub struct InputSet {
    pub readers: Vec<LineReader>,
    /// Bytes read from disk so far, over all readers.
    pub read: Arc<AtomicU64>,
    /// Sizes on disk, summed.
    pub total_bytes: u64,
    /// As [`ReadOptions::decoders`].
    pub decoders: usize,
}

impl InputSet {
    /// Opens and sniffs every input; the first that cannot be read or is refused fails all.
    pub fn open(paths: &[PathBuf], opts: &ReadOptions) -> anyhow::Result<InputSet> {
        let read = Arc::new(AtomicU64::new(0));
        let readers = paths.iter().map(|p| LineReader::open(p, opts, read.clone())).collect::<anyhow::Result<_>>()?;
        let total_bytes = paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
        Ok(InputSet { readers, read, total_bytes, decoders: opts.decoders })
    }
}

impl LineReader {
    /// Sniffs and opens `path`; `progress` accumulates the bytes read from disk.
    pub fn open(path: &Path, opts: &ReadOptions, progress: Arc<AtomicU64>) -> anyhow::Result<LineReader> {
        let mut f = File::open(path).with_context(|| format!("cannot open input {}", path.display()))?;
        let (sniffed, head) = sniff(path, &mut f, opts.encoding)?;
        if opts.encoding == EncodingChoice::Auto && sniffed.text == Text::Gb18030 {
            tracing::warn!(
                "{}: not UTF-8; reading it as GB18030 (detected in its first 64 KiB; \
                 --encoding utf-8 reads it as UTF-8)",
                path.display()
            );
        }
        let fingerprint = xxhash_rust::xxh3::xxh3_64(&head);
        let counted = Counting { inner: io::Cursor::new(head).chain(f), read: progress };
        let inner: Box<dyn BufRead + Send> = if sniffed.gzip {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(BufReader::with_capacity(1 << 16, counted))))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, counted))
        };
        Ok(LineReader {
            path: path.to_path_buf(),
            inner,
            line: 0,
            bytes: 0,
            fingerprint,
            max_line_bytes: opts.max_line_bytes,
            text: sniffed.text,
            scratch: Vec::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lines and bytes consumed so far (a checkpoint's position in this file).
    pub fn position(&self) -> (u64, u64) {
        (self.line, self.bytes)
    }

    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Skips the first `lines` lines (a checkpoint's position), unread, checking that they
    /// end at byte `bytes` as they did when the checkpoint was taken.
    pub fn skip_to(&mut self, lines: u64, bytes: u64) -> anyhow::Result<()> {
        let mut buf = Vec::new();
        while self.line < lines {
            let read = self
                .read_line(&mut buf, 0)
                .with_context(|| format!("{}: read error after line {}", self.path.display(), self.line))?;
            if read.is_none() {
                anyhow::bail!(
                    "{}: has {} lines, but the checkpoint had read {lines}: not the file it was taken on",
                    self.path.display(),
                    self.line
                );
            }
            buf.clear();
            self.line += 1;
        }
        if self.bytes != bytes {
            anyhow::bail!(
                "{}: line {lines} ends at byte {}, but at byte {bytes} when the checkpoint was taken: the file changed",
                self.path.display(),
                self.bytes
            );
        }
        Ok(())
    }

    /// Reads the next non-empty line into `buf` (without its line ending, as UTF-8 when the
    /// input is GB18030) and returns its 1-based number, or `None` at the end of the file.
    pub fn next_line(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<Option<Line>> {
        buf.clear();
        self.append_line(buf)
    }

    /// [`LineReader::next_line`], appending the line to `buf` after what it holds (a batch
    /// of lines read straight into its buffer: no copy per line). A rejected or blank line
    /// leaves `buf` as it was; after a read error, part of a line may follow what it held.
    pub fn append_line(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<Option<Line>> {
        let from = buf.len();
        loop {
            buf.truncate(from);
            let read = self
                .read_line(buf, from)
                .with_context(|| format!("{}: read error after line {}", self.path.display(), self.line))?;
            let Some(len) = read else { return Ok(None) };
            self.line += 1;
            if len > self.max_line_bytes {
                buf.truncate(from);
                return Ok(Some(Line::Rejected(self.line, self.too_long(len))));
            }
            if self.line == 1 && buf[from..].starts_with(UTF8_BOM) {
                buf.drain(from..from + UTF8_BOM.len());
            }
            while buf.len() > from && buf.last() == Some(&b'\r') {
                buf.pop();
            }
            if buf[from..].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if self.text == Text::Gb18030 && !buf[from..].is_ascii() && transcode(&buf[from..], &mut self.scratch) {
                buf.truncate(from);
                buf.extend_from_slice(&self.scratch);
            }
            return Ok(Some(Line::Record(self.line)));
        }
    }

    /// Appends the next line to `buf` (whose first `from` bytes are not the line's) without
    /// its `\n` and returns its length, or `None` at the end. Past `max_line_bytes` the
    /// line's bytes are consumed but not kept.
    fn read_line(&mut self, buf: &mut Vec<u8>, from: usize) -> io::Result<Option<u64>> {
        let mut len: Option<u64> = None;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok(len);
            }
            let newline = memchr::memchr(b'\n', avail);
            let part = &avail[..newline.unwrap_or(avail.len())];
            let total = len.unwrap_or(0) + part.len() as u64;
            if total <= self.max_line_bytes {
                buf.extend_from_slice(part);
            } else {
                buf.truncate(from);
            }
            len = Some(total);
            let used = newline.map_or(avail.len(), |i| i + 1);
            self.inner.consume(used);
            self.bytes += used as u64;
            if newline.is_some() {
                return Ok(len);
            }
        }
    }

    fn too_long(&self, len: u64) -> Reject {
        Reject {
            reason: RejectReason::TooLong,
            field: None,
            detail: format!("line of {len} bytes is longer than --max-line-bytes {}; skipped", self.max_line_bytes),
        }
    }
}

/// GB18030 → UTF-8 into `scratch`; false for a line that is not valid GB18030, which is
/// then left as it is, so it is read as UTF-8 or rejected for what it is.
fn transcode(line: &[u8], scratch: &mut Vec<u8>) -> bool {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let Some(room) = decoder.max_utf8_buffer_length_without_replacement(line.len()) else { return false };
    scratch.clear();
    scratch.resize(room, 0);
    let (result, _, written) = decoder.decode_to_utf8_without_replacement(line, scratch, true);
    scratch.truncate(written);
    result == DecoderResult::InputEmpty
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"type":"charge","event_id":"c1","ts":"2026-03-02T09:15:02+08:00","hospital":"H01","dept":"0301","category":"lab","amount":86.0,"doctor":"张三"}"#;

    type Got = (u64, Result<String, RejectReason>);

    /// Every line of `bytes` as (number, text or reject reason), and the largest buffer used.
    fn read_all(bytes: &[u8], max_line_bytes: u64) -> (Vec<Got>, usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.ndjson");
        std::fs::write(&path, bytes).unwrap();
        let opts = ReadOptions { max_line_bytes, ..ReadOptions::default() };
        let mut r = LineReader::open(&path, &opts, Arc::default()).unwrap();
        let (mut buf, mut lines, mut most) = (Vec::new(), Vec::new(), 0);
        while let Some(line) = r.next_line(&mut buf).unwrap() {
            most = most.max(buf.capacity());
            lines.push(match line {
                Line::Record(n) => (n, Ok(String::from_utf8(buf.clone()).unwrap())),
                Line::Rejected(n, reject) => (n, Err(reject.reason)),
            });
        }
        (lines, most)
    }

    #[test]
    fn a_long_line_is_skipped_without_being_buffered() {
        let input = format!("{EVENT}\n{}\n{EVENT}\n", "x".repeat(3_000_000));
        let (lines, most) = read_all(input.as_bytes(), 1000);
        let want = vec![(1, Ok(EVENT.to_owned())), (2, Err(RejectReason::TooLong)), (3, Ok(EVENT.to_owned()))];
        assert_eq!(lines, want);
        assert!(most < 4096, "buffer grew to {most} bytes");
        let (lines, most) = read_all("y".repeat(2_000_000).as_bytes(), 1000);
        assert_eq!(lines, vec![(1, Err(RejectReason::TooLong))], "no newline at all: one line");
        assert!(most < 4096, "buffer grew to {most} bytes");
    }

    #[test]
    fn bom_and_crlf_keep_line_numbers() {
        let input = format!("\u{FEFF}{EVENT}\r\n\r\n{EVENT}\r\n");
        assert_eq!(read_all(input.as_bytes(), 1000).0, vec![(1, Ok(EVENT.to_owned())), (3, Ok(EVENT.to_owned()))]);
    }

    #[test]
    fn gb18030_is_read_as_utf8() {
        let text = format!("{EVENT}\n{EVENT}\n");
        let (gb, _, _) = GB18030.encode(&text);
        assert_eq!(read_all(&gb, 1000).0, vec![(1, Ok(EVENT.to_owned())), (2, Ok(EVENT.to_owned()))]);
    }

    /// Lines appended to a batch's buffer are the lines `next_line` reads, after what the
    /// buffer held; a rejected or blank line leaves it as it was.
    #[test]
    fn appended_lines_are_the_lines_read() {
        let long = "x".repeat(3000);
        let text = format!("\u{FEFF}{EVENT}\r\n  \r\n{long}\n{EVENT}\n");
        let chinese = format!("{EVENT}\n{}\n", EVENT.replace("张三", "李四"));
        let gb = GB18030.encode(&chinese).0.into_owned();
        for bytes in [text.into_bytes(), gb] {
            let (want, _) = read_all(&bytes, 1000);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("in.ndjson");
            std::fs::write(&path, &bytes).unwrap();
            let opts = ReadOptions { max_line_bytes: 1000, ..ReadOptions::default() };
            let mut r = LineReader::open(&path, &opts, Arc::default()).unwrap();
            let mut buf = b"held".to_vec();
            let mut got = Vec::new();
            loop {
                let from = buf.len();
                match r.append_line(&mut buf).unwrap() {
                    None => break,
                    Some(Line::Record(n)) => got.push((n, Ok(String::from_utf8(buf[from..].to_vec()).unwrap()))),
                    Some(Line::Rejected(n, reject)) => {
                        assert_eq!(buf.len(), from, "a rejected line is not kept");
                        got.push((n, Err(reject.reason)));
                    }
                }
            }
            assert!(buf.starts_with(b"held"));
            assert_eq!(got, want);
        }
    }
}
