//! Rate-limited warnings for rejected records: the first few of each reason in full
//! (`file:line: field: problem`), then one in every `EVERY`, so a file of garbage cannot
//! flood the log; the summary carries the totals.

use std::path::Path;

use crate::event::{Reject, RejectReason};

const FIRST: u64 = 20;
const EVERY: u64 = 10_000;

#[derive(Default)]
pub struct Warner {
    seen: [u64; RejectReason::ALL.len()],
}

impl Warner {
    pub fn reject(&mut self, file: &Path, line: u64, r: &Reject) {
        let n = &mut self.seen[r.reason as usize];
        *n += 1;
        if *n <= FIRST || *n % EVERY == 0 {
            let more = if *n == FIRST { " (further ones of this reason are sampled)" } else { "" };
            tracing::warn!(target: "rxsentinel::reject", "{}:{}: {}{}", file.display(), line, r, more);
        }
    }
}
