//! Verdicts on statements already read. An audit log repeats its statements: a HIS sends
//! the same text with bind variables (`where brid = :1`) for every patient opened, and a
//! report the same text every morning. Reading a statement costs its lexing and resolution
//! (a sixth of the scoring thread on an access-heavy hospital); looking one up costs a hash
//! of its text and one comparison.
//!
//! Keyed by the statement's full text and by which analyser and dictionary read it, so a
//! hit is the verdict a fresh reading gives. Bounded by the bytes of text it holds: when
//! full it starts over (statements that recur come back within a few accesses; a flood of
//! distinct statements costs one hash each beyond the reading itself). Built with the
//! rules, so a reload starts empty.

use std::hash::BuildHasher;
use std::sync::{Mutex, PoisonError};

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::Analysis;

/// Bytes held at most: each entry's text, names and verdict, and a table slot.
const MAX_BYTES: usize = 16 << 20;
/// What an entry costs besides its strings: the entry, its key and the table's slack.
const ENTRY_BYTES: usize = std::mem::size_of::<(u64, Entry)>() * 2;

#[derive(Debug, Default)]
pub struct Memo {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Entry {
    rule: usize,
    dictionary: Box<str>,
    text: Box<str>,
    verdict: Analysis,
}

#[derive(Debug, Default)]
struct Inner {
    /// By the hash of (rule, dictionary, text): those three and the verdict.
    map: FxHashMap<u64, Entry>,
    bytes: usize,
}

impl Entry {
    fn cost(&self) -> usize {
        let found =
            self.verdict.finding.as_ref().map_or(0, |f| {
                f.doctor.len() + f.drug.len() + f.reason.len() + f.doctor_basis.len() + f.drug_basis.len()
            });
        ENTRY_BYTES + self.text.len() + self.dictionary.len() + found
    }
}

impl Clone for Memo {
    /// A clone starts empty: its verdicts are cheap to read again.
    fn clone(&self) -> Memo {
        Memo::default()
    }
}

impl Memo {
    /// The verdict on `sql` read by rule `rule`'s analyser with the dictionary named
    /// `dictionary` (the rules' own: ""), from memory or from `read`.
    pub fn get(&self, rule: usize, dictionary: &str, sql: &str, read: impl FnOnce() -> Analysis) -> Analysis {
        let key = FxBuildHasher.hash_one((rule, dictionary, sql));
        {
            let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = inner.map.get(&key) {
                if e.rule == rule && *e.dictionary == *dictionary && *e.text == *sql {
                    return e.verdict.clone();
                }
            }
        }
        let verdict = read();
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if sql.len() <= MAX_BYTES / 4 {
            let e = Entry { rule, dictionary: dictionary.into(), text: sql.into(), verdict: verdict.clone() };
            let cost = e.cost();
            if inner.bytes + cost > MAX_BYTES {
                // A new table: `clear` would keep the old one's capacity.
                inner.map = FxHashMap::default();
                inner.bytes = 0;
            }
            inner.bytes += cost;
            if let Some(old) = inner.map.insert(key, e) {
                inner.bytes -= old.cost();
            }
        }
        verdict
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().unwrap().map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(n: usize) -> Analysis {
        Analysis { finding: None, scanned: n, total: n, steps: n }
    }

    #[test]
    fn a_statement_is_read_once_per_reader() {
        let m = Memo::default();
        let mut reads = 0;
        for _ in 0..3 {
            m.get(0, "", "select 1", || {
                reads += 1;
                verdict(1)
            });
        }
        assert_eq!(reads, 1);
        // Another rule or another hospital's dictionary reads it afresh.
        m.get(1, "", "select 1", || {
            reads += 1;
            verdict(1)
        });
        m.get(0, "h2", "select 1", || {
            reads += 1;
            verdict(1)
        });
        assert_eq!(reads, 3);
        assert_eq!(m.get(0, "", "select 1", || unreachable!()).steps, 1);
    }

    #[test]
    fn text_held_stays_bounded_and_a_clone_starts_empty() {
        let m = Memo::default();
        let big = "x".repeat(MAX_BYTES / 8);
        for i in 0..40 {
            let sql = format!("{i} {big}");
            m.get(0, "", &sql, || verdict(i));
        }
        let inner = m.inner.lock().unwrap();
        assert!(inner.bytes <= MAX_BYTES, "{}", inner.bytes);
        assert!(inner.map.len() <= 8);
        drop(inner);
        // Many short statements: their entries count, not only their text.
        for i in 0..200_000 {
            m.get(0, "", &format!("select {i}"), || verdict(i));
        }
        let inner = m.inner.lock().unwrap();
        assert!(inner.bytes <= MAX_BYTES && inner.map.len() < 200_000, "{} entries", inner.map.len());
        drop(inner);
        // Too long to keep: read each time.
        let huge = "y".repeat(MAX_BYTES / 2);
        let mut reads = 0;
        for _ in 0..2 {
            m.get(0, "", &huge, || {
                reads += 1;
                verdict(0)
            });
        }
        assert_eq!(reads, 2);
        assert_eq!(m.clone().len(), 0);
    }
}
