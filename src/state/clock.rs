//! A hospital's event-time clock that no single event — nor one prescription's lines — can
//! drag.
//!
//! The trusted watermark `W` is how far the hospital's stream has got. An event stamped at
//! most `max_future_skew` ahead of `W` is applied at once and moves `W` to its time (an
//! honest stream's next event; a late one moves nothing). An event further ahead is *held*
//! until the stream as a whole confirms that it has got there, and then applied in arrival
//! order, each held event moving `W` as if it had just arrived.
//!
//! Evidence is counted in *votes*, not events: consecutive arrivals stamped with the same
//! second are one vote, because the lines of one prescription (eight to fifteen for 中药饮片)
//! and its charges carry one time, from one workstation's clock. A jump is confirmed by
//! either
//! - the upper quartile of the last [`RECENT`] votes (once there are 16): a quarter of what
//!   the hospital recently sent agrees it is there — the morning after a quiet night, the
//!   first day after a holiday, the end of an outage; or
//! - a cluster of held votes within the skew of each other, as many as the hospital's own
//!   recent rate says a skew-long stretch holds (a quarter of that, between 2 and 16): a
//!   feed of a few batches a day moves batch by batch, a dense one needs 16 votes.
//!
//! A held event that [`EXPIRE`] further votes have not confirmed is an outlier — a
//! workstation with a wrong clock, a typed year — and is set aside for good (`future`).
//! Events behind `W` by more than the allowed lateness are late (the caller's concern).
//!
//! The clock starts once [`START`] votes have arrived (or at the end of a short input), at
//! the second-earliest of them, so neither an ancient nor a future first line opens years
//! of empty days. Robust to fewer than a quarter of wrong votes among any [`RECENT`]
//! consecutive ones and to isolated bursts of one time. Everything is a function of arrival
//! order, so a replay and the live stream agree.

use std::collections::VecDeque;

use crate::event::Ts;

/// Votes whose times the clock remembers.
pub const RECENT: usize = 64;
/// Votes before the first watermark.
pub const START: usize = 4;
/// Votes a held event may wait for confirmation.
pub const EXPIRE: u64 = 64;
/// Most events held at once: beyond it the oldest are set aside, so memory stays bounded
/// even for a feed that stamps everything alike (one vote: no clock ever starts).
pub const HELD_MAX: usize = 65_536;
/// Votes the upper quartile needs before it may confirm a jump.
const QUARTILE_MIN: usize = 16;
/// Votes the hospital's pace is judged on before a cluster may confirm a jump.
const CLUSTER_MIN: usize = 8;

/// What to do with an arriving event.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Admit {
    /// Apply now (in time or late: compare with the watermark).
    Now,
    /// Held: ahead of the stream, waiting for confirmation.
    Held,
}

/// One held event and the vote it arrived with.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Held<T> {
    pub seq: u64,
    pub ts: Ts,
    pub item: T,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Clock<T> {
    /// Times of the last `RECENT` votes, oldest overwritten first.
    recent: Vec<i64>,
    next: usize,
    /// Votes so far.
    seq: u64,
    last_vote: Option<i64>,
    watermark: Option<Ts>,
    held: VecDeque<Held<T>>,
    /// Distinct votes among the held events (bursts of one stamp are one).
    held_votes: usize,
}

impl<T> Default for Clock<T> {
    fn default() -> Self {
        Clock {
            recent: Vec::with_capacity(RECENT),
            next: 0,
            seq: 0,
            last_vote: None,
            watermark: None,
            held: VecDeque::new(),
            held_votes: 0,
        }
    }
}

impl<T> Clock<T> {
    pub fn watermark(&self) -> Option<Ts> {
        self.watermark
    }

    pub fn held_len(&self) -> usize {
        self.held.len()
    }

    /// Starts a clock that has not started at `ts` (a trusted input's first time).
    pub fn start_at(&mut self, ts: Ts) {
        self.watermark.get_or_insert(ts);
    }

    /// Takes an arrival's time. `Now`: the caller applies the event (moving the watermark
    /// with [`Clock::applied`]); `Held`: the caller parks it with [`Clock::hold`] and gets it
    /// back from [`Clock::release`] or [`Clock::expire`]. Call `release` after every arrival.
    pub fn arrive(&mut self, ts: Ts, skew: i64) -> Admit {
        if self.last_vote != Some(ts.0) {
            self.last_vote = Some(ts.0);
            self.seq += 1;
            if self.recent.len() < RECENT {
                self.recent.push(ts.0);
            } else {
                self.recent[self.next] = ts.0;
            }
            self.next = (self.next + 1) % RECENT;
        }
        match self.watermark {
            None if self.recent.len() < START => Admit::Held,
            None => {
                self.start();
                self.admit(ts, skew)
            }
            Some(_) => self.admit(ts, skew),
        }
    }

    fn admit(&self, ts: Ts, skew: i64) -> Admit {
        match self.watermark {
            Some(w) if ts.0 <= w.0.saturating_add(skew) => Admit::Now,
            _ => Admit::Held,
        }
    }

    /// Parks the event that just arrived `Held`.
    pub fn hold(&mut self, ts: Ts, item: T) {
        if self.held.back().is_none_or(|h| h.seq != self.seq) {
            self.held_votes += 1;
        }
        self.held.push_back(Held { seq: self.seq, ts, item });
    }

    /// The time of the `k`-th latest vote (1 = the latest).
    fn latest(&self, k: usize) -> Option<i64> {
        let n = self.recent.len();
        if k == 0 || k > n {
            return None;
        }
        Some(if n < RECENT { self.recent[n - k] } else { self.recent[(self.next + RECENT - k) % RECENT] })
    }

    fn recount(&mut self) {
        let mut last = None;
        self.held_votes = self.held.iter().filter(|h| last.replace(h.seq) != Some(h.seq)).count();
    }

    /// The first watermark: the second-earliest of the first votes (the earliest when fewer
    /// than three arrived, at the end of a short input).
    fn start(&mut self) {
        let mut buf = [0i64; RECENT];
        let v = &mut buf[..self.recent.len()];
        v.copy_from_slice(&self.recent);
        v.sort_unstable();
        let i = usize::from(v.len() >= 3);
        self.watermark = Some(Ts(v[i]));
    }

    /// How far the stream confirms it has got: the upper quartile of recent votes, or a
    /// cluster of held votes as dense as the hospital's recent rate; at least the watermark.
    fn confirmed(&self, skew: i64) -> i64 {
        let Some(w) = self.watermark else { return i64::MIN };
        let n = self.recent.len();
        let mut buf = [0i64; RECENT];
        let v = &mut buf[..n];
        v.copy_from_slice(&self.recent);
        let (i1, i3) = ((n - 1) / 4, 3 * (n - 1) / 4);
        let q3 = *v.select_nth_unstable(i3).1;
        let q1 = if i1 < i3 { *v[..i3].select_nth_unstable(i1).1 } else { q3 };
        let mut to = w.0;
        if n >= QUARTILE_MIN {
            to = to.max(q3);
        }
        if n >= CLUSTER_MIN {
            // Half the recent votes lie within the interquartile range: the hospital's pace,
            // and the votes a skew-long stretch holds at it. A cluster needs a quarter of
            // those, within the skew or (a sparse feed) the time its pace takes to send them.
            let gap = (q3 - q1).max(1) as f64 / (n as f64 / 2.0);
            let need = ((skew as f64 / gap / 4.0).ceil() as usize).clamp(3, 16);
            let span = skew.max((2.0 * need as f64 * gap) as i64);
            // The stream must have left the watermark: its latest `need` votes are all ahead
            // (a wrong workstation's votes come between honest ones still near it).
            let ahead = (1..=need).all(|k| self.latest(k).is_some_and(|t| t > w.0.saturating_add(skew)));
            if ahead {
                if let Some(c) = self.cluster(w.0.saturating_add(skew), span, need) {
                    to = to.max(c);
                }
            }
        }
        to
    }

    /// The earliest time from which `need` distinct held times lie within `span`, beyond `after`.
    fn cluster(&self, after: i64, span: i64, need: usize) -> Option<i64> {
        if self.held_votes < need {
            return None;
        }
        let mut t: Vec<i64> = self.held.iter().map(|h| h.ts.0).filter(|&t| t > after).collect();
        if t.len() < need {
            return None;
        }
        t.sort_unstable();
        t.dedup();
        t.windows(need).find(|w| w[need - 1] - w[0] <= span).map(|w| w[0])
    }

    /// Held events the stream has now reached — within the skew of the watermark or of the
    /// time the stream confirms — in time order (stable), so those the stream passed on its
    /// way (the evening's last returns before the morning) are applied in time, not late.
    /// The caller applies each, moving the watermark with [`Clock::applied`].
    pub fn release(&mut self, skew: i64) -> Vec<Held<T>> {
        if self.held.is_empty() || self.watermark.is_none() {
            return Vec::new();
        }
        let mut limit = self.confirmed(skew).saturating_add(skew);
        if self.held.iter().all(|h| h.ts.0 > limit) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut keep = VecDeque::with_capacity(self.held.len());
        for h in self.held.drain(..) {
            if h.ts.0 <= limit {
                // A released event moves the watermark as an arrival within reach does.
                limit = limit.max(h.ts.0.saturating_add(skew));
                out.push(h);
            } else {
                keep.push_back(h);
            }
        }
        self.held = keep;
        self.recount();
        out.sort_by_key(|h| h.ts);
        out
    }

    /// Moves the watermark to an applied event's time.
    pub fn applied(&mut self, ts: Ts) {
        self.watermark = Some(self.watermark.map_or(ts, |w| w.max(ts)));
    }

    /// Held events that `EXPIRE` votes have not confirmed (outliers), and the oldest beyond
    /// `HELD_MAX`: set aside.
    pub fn expire(&mut self) -> Vec<Held<T>> {
        let mut out = Vec::new();
        while self.held.front().is_some_and(|h| h.seq + EXPIRE <= self.seq) || self.held.len() > HELD_MAX {
            out.extend(self.held.pop_front());
        }
        if !out.is_empty() {
            self.recount();
        }
        out
    }

    /// At the end of an input shorter than [`START`] votes: start the clock on what came.
    pub fn start_if_idle(&mut self) {
        if self.watermark.is_none() && !self.recent.is_empty() {
            self.start();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;
    const SKEW: i64 = 3 * H;

    /// Feeds times; returns the items applied (at once or released) in order.
    fn feed(c: &mut Clock<i64>, times: &[i64]) -> Vec<i64> {
        let mut applied = Vec::new();
        for &t in times {
            let admit = c.arrive(Ts(t), SKEW);
            if admit == Admit::Held {
                c.hold(Ts(t), t);
            }
            loop {
                let released = c.release(SKEW);
                if released.is_empty() {
                    break;
                }
                for h in released {
                    c.applied(h.ts);
                    applied.push(h.item);
                }
            }
            if admit == Admit::Now {
                c.applied(Ts(t));
                applied.push(t);
            }
            c.expire();
        }
        applied
    }

    fn dense(from: i64, n: i64) -> Vec<i64> {
        (0..n).map(|i| from + i * 30).collect()
    }

    #[test]
    fn one_event_a_year_ahead_moves_nothing_and_expires() {
        let mut c = Clock::default();
        let mut times = dense(0, 200);
        times.insert(50, 365 * 24 * H);
        let applied = feed(&mut c, &times);
        assert_eq!(applied.len(), 200);
        assert!(!applied.contains(&(365 * 24 * H)));
        assert_eq!(c.watermark(), Some(Ts(199 * 30)));
        assert_eq!(c.held_len(), 0, "expired after {RECENT} arrivals");
    }

    #[test]
    fn ancient_first_event_does_not_start_the_clock() {
        let mut c = Clock::default();
        let mut times = vec![-25 * 365 * 24 * H];
        times.extend(dense(0, 10));
        feed(&mut c, &times);
        assert!(c.watermark().unwrap().0 >= 0);
    }

    #[test]
    fn a_real_jump_is_confirmed_by_the_stream() {
        let mut c = Clock::default();
        let mut times = dense(0, 100);
        times.extend(dense(10 * H, 100)); // the morning after a quiet night
        let applied = feed(&mut c, &times);
        assert_eq!(applied.len(), 200, "nothing lost");
        assert_eq!(c.watermark(), Some(Ts(10 * H + 99 * 30)));
        let pos = applied.iter().position(|&t| t == 10 * H).unwrap();
        assert_eq!(applied[pos..pos + 5], dense(10 * H, 5)[..], "released in arrival order");
    }

    #[test]
    fn a_sparse_stream_advances_day_by_day() {
        let mut c = Clock::default();
        let times: Vec<i64> = (0..30).map(|d| d * 24 * H + 10 * H).collect();
        let applied = feed(&mut c, &times);
        assert!(applied.len() >= 28, "applied {}", applied.len());
        assert!(c.watermark().unwrap().0 >= 27 * 24 * H);
        // Three batches a day, each of several events stamped alike.
        let mut c = Clock::default();
        let times: Vec<i64> =
            (0..30).flat_map(|d| [0, 300, 600].map(|m| d * 24 * H + 10 * H + m)).flat_map(|t| [t; 6]).collect();
        let applied = feed(&mut c, &times);
        assert!(applied.len() >= times.len() - 12, "applied {} of {}", applied.len(), times.len());
    }

    #[test]
    fn one_prescription_stamped_wrong_is_one_vote() {
        let mut c = Clock::default();
        let mut times = dense(0, 300);
        for _ in 0..17 {
            times.insert(150, 24 * H);
        }
        let applied = feed(&mut c, &times);
        assert_eq!(applied.len(), 300);
        assert_eq!(c.watermark(), Some(Ts(299 * 30)));
    }

    #[test]
    fn a_day_ahead_at_night_moves_nothing() {
        let mut c = Clock::default();
        // A busy day, then a quiet night of an event every 10 minutes.
        let mut times = dense(0, 600);
        times.extend((1..40).map(|i| 600 * 30 + i * 600));
        times.insert(620, 48 * H);
        let applied = feed(&mut c, &times);
        assert_eq!(applied.len(), times.len() - 1);
        assert!(c.watermark().unwrap().0 < 24 * H);
    }

    #[test]
    fn two_wrong_votes_in_a_row_on_a_quiet_night_move_nothing() {
        let mut c = Clock::default();
        let mut times = dense(0, 600);
        times.extend((1..60).map(|i| 600 * 30 + i * 1800));
        times.insert(610, 48 * H + 1200);
        times.insert(610, 48 * H);
        let applied = feed(&mut c, &times);
        assert_eq!(applied.len(), times.len() - 2);
        assert!(c.watermark().unwrap().0 < 48 * H);
    }

    #[test]
    fn a_feed_stamping_everything_alike_holds_a_bounded_number() {
        let mut c = Clock::default();
        for i in 0..HELD_MAX + 10 {
            assert_eq!(c.arrive(Ts(0), SKEW), Admit::Held);
            c.hold(Ts(0), i);
            c.expire();
        }
        assert_eq!(c.held_len(), HELD_MAX);
    }

    #[test]
    fn two_wrong_lines_among_the_first_five_move_nothing() {
        let mut c = Clock::default();
        let mut times = dense(0, 200);
        times.insert(1, 365 * 24 * H);
        times.insert(3, 366 * 24 * H);
        let applied = feed(&mut c, &times);
        assert_eq!(applied.len(), 200);
        assert_eq!(c.watermark(), Some(Ts(199 * 30)));
    }

    #[test]
    fn a_burst_of_wrong_events_under_a_quarter_moves_nothing() {
        let mut c = Clock::default();
        let mut times = dense(0, 200);
        for i in 0..10 {
            times.insert(100 + i, 400 * 24 * H + i as i64);
        }
        let applied = feed(&mut c, &times);
        assert_eq!(applied.len(), 200);
        assert_eq!(c.watermark(), Some(Ts(199 * 30)));
    }
}
