//! A busy day's close on two threads: the read-only part of it (surge's expectations,
//! peer_outlier, concentration) cut into tasks that the scoring thread and one helper take
//! in turn, so the result does not depend on which thread ran what.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::alert::Candidate;
use crate::detect::surge::{DayJob, Rows};
use crate::detect::{concentration, peer, Ctx};
use crate::event::Day;
use crate::state::UsageStore;

/// The process's day-close helper: one thread, asleep between closes (a thread spawned
/// for each close starts behind the running ones and often found the work done: perf sched
/// measured 16 ms of it in a 3-second replay). `None` when the system refuses a thread.
fn close_helper() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new().num_threads(1).thread_name(|_| "rxsentinel-close".into()).build().ok()
    })
    .as_ref()
}

/// Parts of surge's expectations a busy day's close is cut into: the two threads share the
/// work by taking parts in turn, so neither waits long for the other, however late the
/// second starts.
const EXPECT_PARTS: usize = 8;

/// The read-only part of a day's close on two threads: surge's rows (in key order), and
/// peer_outlier's candidates followed by concentration's (the one-thread close's order). The threads take tasks in turn from one
/// counter (concentration, peer_outlier, then the parts of surge's pairs), so the result
/// is the same whichever thread ran which; a thread the system refuses (a pids or ulimit
/// cap) only costs the overlap.
pub fn shared(ctx: &Ctx, usage: &UsageStore, job: Option<&DayJob>, day: Day, first: Day) -> (Rows, Vec<Candidate>) {
    enum Done {
        Cands(Vec<Candidate>),
        Rows(Rows),
    }
    let n = job.map_or(0, DayJob::pairs);
    let part = n.div_ceil(EXPECT_PARTS).max(1);
    let tasks = 2 + n.div_ceil(part);
    let next = AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= tasks {
                return done;
            }
            let mut v = Vec::new();
            let d = match (i, job) {
                (0, _) => {
                    concentration::close_day(ctx, usage, day, first, &mut v);
                    Done::Cands(v)
                }
                (1, _) => {
                    peer::close_day(ctx, usage, day, first, &mut v);
                    Done::Cands(v)
                }
                (i, Some(job)) => {
                    let from = (i - 2) * part;
                    let mut rows = Vec::new();
                    job.expect(ctx, usage, from..(from + part).min(n), &mut rows);
                    Done::Rows(rows)
                }
                (_, None) => unreachable!("no parts without a job"),
            };
            done.push((i, d));
        }
    };
    let mut done = match close_helper() {
        Some(pool) => {
            let theirs = Mutex::new(Vec::new());
            let mine = pool.in_place_scope(|s| {
                s.spawn(|_| *theirs.lock().unwrap_or_else(PoisonError::into_inner) = take());
                take()
            });
            let mut theirs = theirs.into_inner().unwrap_or_else(PoisonError::into_inner);
            theirs.extend(mine);
            theirs
        }
        None => take(),
    };
    done.sort_unstable_by_key(|d| d.0);
    let (mut rows, mut conc, mut cands) = (Rows::with_capacity(n), Vec::new(), Vec::new());
    for (i, d) in done {
        match d {
            Done::Cands(v) if i == 0 => conc = v,
            Done::Cands(v) => cands = v,
            Done::Rows(r) => rows.extend(r),
        }
    }
    cands.extend(conc);
    (rows, cands)
}
