//! NDJSON files, plain or gzip (`.gz`), read line by line into a reused buffer. Positions
//! are 1-based line numbers, for error messages that name file and line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use flate2::read::MultiGzDecoder;

pub struct LineReader {
    path: PathBuf,
    inner: Box<dyn BufRead + Send>,
    line: u64,
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

impl LineReader {
    /// Opens `path`; `progress` accumulates the bytes read from disk.
    pub fn open(path: &Path, progress: Arc<AtomicU64>) -> anyhow::Result<LineReader> {
        let f = File::open(path).with_context(|| format!("cannot open input {}", path.display()))?;
        let counted = Counting { inner: f, read: progress };
        let gz = path.extension().is_some_and(|e| e == "gz");
        let inner: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(BufReader::with_capacity(1 << 16, counted))))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, counted))
        };
        Ok(LineReader { path: path.to_path_buf(), inner, line: 0 })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the next non-empty line into `buf` (without its newline) and returns its
    /// 1-based number, or `None` at the end of the file.
    pub fn next_line(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<Option<u64>> {
        loop {
            buf.clear();
            let n = self
                .inner
                .read_until(b'\n', buf)
                .with_context(|| format!("{}: read error after line {}", self.path.display(), self.line))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            while matches!(buf.last(), Some(b'\n' | b'\r')) {
                buf.pop();
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(self.line));
        }
    }
}
