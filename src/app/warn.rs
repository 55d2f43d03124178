//! Rate-limited warnings for rejected records: the first few of each reason in full
//! (`file:line: field: problem`), then one in every `EVERY`, so a file of garbage cannot
//! flood the log; the summary carries the totals.

use std::path::Path;

use crate::event::{Reject, RejectReason};
use crate::pipeline::SetAside;

const FIRST: u64 = 20;
const EVERY: u64 = 10_000;

#[derive(Default)]
pub struct Warner {
    seen: [u64; RejectReason::ALL.len()],
    future: u64,
}

impl Warner {
    /// A valid event set aside because its time cannot be trusted; sampled like rejects.
    pub fn future(&mut self, file: &Path, line: u64, s: &SetAside) {
        self.future += 1;
        let n = self.future;
        if n <= FIRST || n % EVERY == 0 {
            let more = if n == FIRST { " (further ones are sampled)" } else { "" };
            tracing::warn!(
                target: "rxsentinel::future",
                "{}:{}: event stamped {} set aside, {}{}",
                file.display(),
                line,
                s.ts,
                s.why.as_str(),
                more
            );
        }
    }

    pub fn reject(&mut self, file: &Path, line: u64, r: &Reject) {
        let n = &mut self.seen[r.reason as usize];
        *n += 1;
        if *n <= FIRST || *n % EVERY == 0 {
            let more = if *n == FIRST { " (further ones of this reason are sampled)" } else { "" };
            tracing::warn!(target: "rxsentinel::reject", "{}:{}: {}{}", file.display(), line, r, more);
        }
    }
}
