//! A hospital's event-time clock that no single event can drag.
//!
//! The trusted watermark `W` is how far the hospital's stream has got. It moves in two ways:
//! - an event stamped at most `reach` ahead of `W` is applied at once and moves `W` to its
//!   time (an honest stream's next event, or a late one, which moves nothing);
//! - an event further ahead waits (is *held*). Held events are released when the stream as
//!   a whole confirms the jump: the upper quartile of the last [`RECENT`] arrivals' times
//!   has passed within `reach` of them (a quarter of recent arrivals agree the stream is
//!   there: the morning after a quiet night, the first day after a holiday or an outage).
//!   A held event that [`RECENT`] further arrivals have not confirmed is an outlier — a
//!   workstation with a wrong clock, a typed year — and is set aside for good (`future`).
//!
//! `reach` is `max_future_skew`, widened for sparse streams to three interquartile ranges
//! of the recent arrivals' times (Tukey's far-out fence), so a stream of a few events a day
//! advances day by day while a dense one trusts no lone event more than the skew ahead.
//! Events behind `W` by more than the allowed lateness are late (the caller's concern).
//!
//! The clock starts once [`START`] events have arrived (or at the end of a short input):
//! its first `W` is the second-earliest of them, so neither an ancient nor a future first
//! line opens years of empty days. Robust to fewer than a quarter of wrong events among any
//! [`RECENT`] consecutive arrivals. Everything is a function of arrival order, so a replay
//! and the live stream agree.

use std::collections::VecDeque;

use crate::event::Ts;

/// Arrivals whose times the clock remembers; also how long a held event may wait.
pub const RECENT: usize = 64;
/// Arrivals before the first watermark.
pub const START: usize = 4;
/// Arrivals between recomputations of the spread while nothing is held.
const REFRESH: u64 = RECENT as u64;

/// What to do with an arriving event.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Admit {
    /// Apply now (in time or late: compare with the watermark).
    Now,
    /// Held: ahead of the stream, waiting for confirmation.
    Held,
}

/// One held event and when it arrived.
#[derive(Clone, Debug)]
pub struct Held<T> {
    pub seq: u64,
    pub ts: Ts,
    pub item: T,
}

#[derive(Clone, Debug)]
pub struct Clock<T> {
    /// Times of the last `RECENT` arrivals, oldest overwritten first.
    recent: Vec<i64>,
    next: usize,
    seq: u64,
    watermark: Option<Ts>,
    /// Widening of the reach for sparse streams (3 × IQR of recent times), in seconds.
    spread: i64,
    held: VecDeque<Held<T>>,
}

impl<T> Default for Clock<T> {
    fn default() -> Self {
        Clock { recent: Vec::with_capacity(RECENT), next: 0, seq: 0, watermark: None, spread: 0, held: VecDeque::new() }
    }
}

impl<T> Clock<T> {
    pub fn watermark(&self) -> Option<Ts> {
        self.watermark
    }

    pub fn held_len(&self) -> usize {
        self.held.len()
    }

    /// How far ahead of the watermark an event is applied at once.
    fn reach(&self, skew: i64) -> i64 {
        skew.max(self.spread)
    }

    /// Takes an arrival's time. `Now`: the caller applies the event (moving the watermark
    /// with [`Clock::applied`]); `Held`: the caller parks it with [`Clock::hold`] and gets it
    /// back from [`Clock::release`] or [`Clock::expire`]. Call `release` after every arrival.
    pub fn arrive(&mut self, ts: Ts, skew: i64) -> Admit {
        self.seq += 1;
        if self.recent.len() < RECENT {
            self.recent.push(ts.0);
        } else {
            self.recent[self.next] = ts.0;
        }
        self.next = (self.next + 1) % RECENT;
        if self.watermark.is_none() {
            if self.recent.len() < START {
                return Admit::Held;
            }
            self.start();
        } else if self.recent.len() < RECENT || self.seq % REFRESH == 0 || !self.held.is_empty() {
            self.refresh();
        }
        let w = self.watermark.expect("started");
        if ts.0 <= w.0 + self.reach(skew) {
            Admit::Now
        } else {
            Admit::Held
        }
    }

    /// Parks the event that just arrived `Held`.
    pub fn hold(&mut self, ts: Ts, item: T) {
        self.held.push_back(Held { seq: self.seq, ts, item });
    }

    /// The first watermark: the second-earliest of the first arrivals (the earliest when
    /// fewer than three arrived, at the end of a short input).
    fn start(&mut self) {
        let mut buf = [0i64; RECENT];
        let v = &mut buf[..self.recent.len()];
        v.copy_from_slice(&self.recent);
        v.sort_unstable();
        let i = usize::from(v.len() >= 3);
        self.watermark = Some(Ts(v[i]));
        self.refresh();
    }

    /// Recomputes the spread and lets the upper quartile of recent arrivals confirm a jump.
    fn refresh(&mut self) {
        let n = self.recent.len();
        if n < 2 {
            return;
        }
        let mut buf = [0i64; RECENT];
        let v = &mut buf[..n];
        v.copy_from_slice(&self.recent);
        let (i1, i3) = ((n - 1) / 4, 3 * (n - 1) / 4);
        let q3 = *v.select_nth_unstable(i3).1;
        let q1 = if i1 < i3 { *v[..i3].select_nth_unstable(i1).1 } else { q3 };
        self.spread = 3 * (q3 - q1);
        if !self.held.is_empty() {
            if let Some(w) = self.watermark {
                self.watermark = Some(w.max(Ts(q3)));
            }
        }
    }

    /// Held events now within reach of the watermark, in arrival order. The caller applies
    /// each (moving the watermark through [`Clock::applied`]).
    pub fn release(&mut self, skew: i64) -> Vec<Held<T>> {
        let Some(w) = self.watermark.filter(|_| !self.held.is_empty()) else { return Vec::new() };
        if self.held.iter().all(|h| h.ts.0 > w.0 + self.reach(skew)) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut keep = VecDeque::with_capacity(self.held.len());
        let mut limit = w.0 + self.reach(skew);
        for h in self.held.drain(..) {
            if h.ts.0 <= limit {
                // Released events move the watermark as arrivals within reach do.
                limit = limit.max(h.ts.0 + self.spread.max(skew));
                out.push(h);
            } else {
                keep.push_back(h);
            }
        }
        self.held = keep;
        out
    }

    /// Moves the watermark to an applied event's time.
    pub fn applied(&mut self, ts: Ts) {
        self.watermark = Some(self.watermark.map_or(ts, |w| w.max(ts)));
    }

    /// Held events that `RECENT` arrivals have not confirmed: outliers, set aside.
    pub fn expire(&mut self) -> Vec<Held<T>> {
        let mut out = Vec::new();
        while self.held.front().is_some_and(|h| h.seq + RECENT as u64 <= self.seq) {
            out.extend(self.held.pop_front());
        }
        out
    }

    /// At the end of an input shorter than [`START`] events: start the clock on what came.
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
            for h in c.release(SKEW) {
                c.applied(h.ts);
                applied.push(h.item);
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
