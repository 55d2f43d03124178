//! When a receiver sends what: Alertmanager's timers on a receiver's pending alerts, a
//! token bucket for the receiver's rate limit, and exponential backoff after a failure.
//! Pure: every call takes `now`; the worker thread owns the clock.
//!
//! - `group_wait`: a new group waits this long for its first message, so a burst is one.
//! - `group_interval`: after a group's message, alerts joining it wait this long.
//! - A message carries at most `max_alerts`; what a full message left behind follows at
//!   once (as fast as the rate limit allows), not a `group_interval` later.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Timing {
    pub group_wait: Duration,
    pub group_interval: Duration,
    pub max_alerts: usize,
    /// Messages per `per`; None: unlimited.
    pub rate: Option<(u32, Duration)>,
    pub retry_min: Duration,
    pub retry_max: Duration,
}

#[derive(Debug)]
struct Group {
    ids: VecDeque<String>,
    /// When the oldest alert now waiting joined.
    since: Instant,
    /// A message left alerts behind: they go next, without waiting.
    backlog: bool,
}

/// A message's worth of alerts of one group, in flight.
#[derive(Debug, PartialEq)]
pub struct Batch {
    pub group: String,
    pub ids: Vec<String>,
}

#[derive(Debug)]
pub struct Scheduler {
    t: Timing,
    groups: BTreeMap<String, Group>,
    last_sent: HashMap<String, Instant>,
    tokens: f64,
    refilled: Instant,
    retry_at: Option<Instant>,
    failures: u32,
}

impl Scheduler {
    pub fn new(t: Timing, now: Instant) -> Scheduler {
        let tokens = t.rate.map_or(0.0, |(n, _)| n as f64);
        Scheduler {
            t,
            groups: BTreeMap::new(),
            last_sent: HashMap::new(),
            tokens,
            refilled: now,
            retry_at: None,
            failures: 0,
        }
    }

    /// An alert joins its group.
    pub fn offer(&mut self, group: &str, id: String, now: Instant) {
        let g = self.groups.entry(group.to_owned()).or_insert_with(|| Group {
            ids: VecDeque::new(),
            since: now,
            backlog: false,
        });
        if g.ids.is_empty() {
            g.since = now;
        }
        g.ids.push_back(id);
    }

    fn due_at(&self, key: &str, g: &Group) -> Instant {
        if g.backlog {
            return g.since;
        }
        match self.last_sent.get(key) {
            Some(&t) if g.since < t + self.t.group_interval => (t + self.t.group_interval).max(g.since),
            _ => g.since + self.t.group_wait,
        }
    }

    fn refill(&mut self, now: Instant) {
        if let Some((n, per)) = self.t.rate {
            let dt = now.saturating_duration_since(self.refilled).as_secs_f64();
            self.tokens = (self.tokens + dt * n as f64 / per.as_secs_f64()).min(n as f64);
        }
        self.refilled = now;
    }

    /// The next message to send now, if any is due and the rate limit and backoff allow.
    pub fn next(&mut self, now: Instant) -> Option<Batch> {
        if self.retry_at.is_some_and(|t| now < t) {
            return None;
        }
        self.refill(now);
        if self.t.rate.is_some() && self.tokens < 1.0 {
            return None;
        }
        let key = self
            .groups
            .iter()
            .filter(|(k, g)| !g.ids.is_empty() && self.due_at(k, g) <= now)
            .min_by_key(|(k, g)| self.due_at(k, g))
            .map(|(k, _)| k.clone())?;
        let g = self.groups.get_mut(&key).expect("the group just found");
        let n = g.ids.len().min(self.t.max_alerts.max(1));
        let ids: Vec<String> = g.ids.drain(..n).collect();
        if self.t.rate.is_some() {
            self.tokens -= 1.0;
        }
        Some(Batch { group: key, ids })
    }

    /// The message was delivered. `unsent` are ids of the batch the message had no room
    /// for: they go first in the next message, at once.
    pub fn sent(&mut self, batch: Batch, unsent: Vec<String>, now: Instant) {
        self.failures = 0;
        self.retry_at = None;
        self.last_sent.insert(batch.group.clone(), now);
        self.last_sent.retain(|_, t| now.saturating_duration_since(*t) < self.t.group_interval);
        if let Some(g) = self.groups.get_mut(&batch.group) {
            for id in unsent.into_iter().rev() {
                g.ids.push_front(id);
            }
            g.backlog = !g.ids.is_empty();
            if g.ids.is_empty() {
                self.groups.remove(&batch.group);
            }
        } else if !unsent.is_empty() {
            self.groups.insert(batch.group, Group { ids: unsent.into(), since: now, backlog: true });
        }
    }

    /// The message failed: its alerts go back in front and the receiver backs off
    /// (`retry_min` doubling to `retry_max`; `after` when the receiver said how long).
    pub fn failed(&mut self, batch: Batch, after: Option<Duration>, now: Instant) -> Duration {
        let g =
            self.groups.entry(batch.group).or_insert_with(|| Group { ids: VecDeque::new(), since: now, backlog: true });
        for id in batch.ids.into_iter().rev() {
            g.ids.push_front(id);
        }
        g.backlog = true;
        let exp = self.t.retry_min.saturating_mul(1u32 << self.failures.min(20));
        self.failures += 1;
        let wait = after.unwrap_or(exp).max(self.t.retry_min).min(self.t.retry_max.max(self.t.retry_min));
        self.retry_at = Some(now + wait);
        wait
    }

    /// Failed attempts since the last delivery.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// When something may next be due (the worker sleeps until then at most).
    pub fn wake_at(&self, now: Instant) -> Option<Instant> {
        let due = self.groups.iter().filter(|(_, g)| !g.ids.is_empty()).map(|(k, g)| self.due_at(k, g)).min()?;
        let mut at = due.max(self.retry_at.unwrap_or(due));
        if let Some((n, per)) = self.t.rate {
            if self.tokens < 1.0 {
                let need = (1.0 - self.tokens) * per.as_secs_f64() / n as f64;
                at = at.max(now + Duration::from_secs_f64(need));
            }
        }
        Some(at)
    }

    pub fn is_idle(&self) -> bool {
        self.groups.values().all(|g| g.ids.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing() -> Timing {
        Timing {
            group_wait: Duration::from_secs(30),
            group_interval: Duration::from_secs(300),
            max_alerts: 3,
            rate: Some((2, Duration::from_secs(60))),
            retry_min: Duration::from_secs(1),
            retry_max: Duration::from_secs(300),
        }
    }

    fn ids(b: &Batch) -> Vec<&str> {
        b.ids.iter().map(String::as_str).collect()
    }

    #[test]
    fn a_burst_waits_group_wait_and_goes_as_one_message() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(timing(), t0);
        s.offer("TF-01|0301", "a".into(), t0);
        s.offer("TF-01|0301", "b".into(), t0 + Duration::from_secs(10));
        assert_eq!(s.next(t0 + Duration::from_secs(29)), None);
        assert_eq!(s.wake_at(t0), Some(t0 + Duration::from_secs(30)));
        let b = s.next(t0 + Duration::from_secs(30)).unwrap();
        assert_eq!(ids(&b), ["a", "b"]);
        s.sent(b, vec![], t0 + Duration::from_secs(30));
        // Joining a group notified a minute ago: waits for group_interval.
        s.offer("TF-01|0301", "c".into(), t0 + Duration::from_secs(90));
        assert_eq!(s.next(t0 + Duration::from_secs(300)), None);
        assert_eq!(ids(&s.next(t0 + Duration::from_secs(330)).unwrap()), ["c"]);
        // Another group is its own.
        s.offer("BE-01|0402", "d".into(), t0 + Duration::from_secs(100));
        assert_eq!(ids(&s.next(t0 + Duration::from_secs(331)).unwrap()), ["d"], "due since 130 s");
    }

    #[test]
    fn the_rate_limit_spaces_messages_and_leftovers_follow_at_once() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(timing(), t0);
        for i in 0..8 {
            s.offer("g", format!("a{i}"), t0);
        }
        let at = t0 + Duration::from_secs(30);
        let b1 = s.next(at).unwrap();
        assert_eq!(b1.ids.len(), 3);
        s.sent(b1, vec![], at);
        let b2 = s.next(at).unwrap();
        assert_eq!(ids(&b2), ["a3", "a4", "a5"], "the rest does not wait group_interval");
        // The message had room for two only: the third goes first next time.
        s.sent(b2, vec!["a5".into()], at);
        assert_eq!(s.next(at), None, "two messages a minute");
        let next = s.wake_at(at).unwrap();
        assert_eq!(next, at + Duration::from_secs(30));
        assert_eq!(ids(&s.next(next).unwrap()), ["a5", "a6", "a7"]);
    }

    #[test]
    fn failures_back_off_exponentially_and_keep_the_order() {
        let t0 = Instant::now();
        let mut t = timing();
        t.rate = None;
        t.group_wait = Duration::ZERO;
        let mut s = Scheduler::new(t, t0);
        s.offer("g", "a".into(), t0);
        s.offer("g", "b".into(), t0);
        let mut now = t0;
        for expect in [1, 2, 4, 8] {
            let b = s.next(now).unwrap();
            assert_eq!(ids(&b), ["a", "b"]);
            assert_eq!(s.failed(b, None, now), Duration::from_secs(expect));
            assert_eq!(s.next(now + Duration::from_secs(expect) - Duration::from_millis(1)), None);
            now += Duration::from_secs(expect);
        }
        let b = s.next(now).unwrap();
        assert_eq!(s.failed(b, Some(Duration::from_secs(600)), now), Duration::from_secs(300), "capped");
        now += Duration::from_secs(300);
        let b = s.next(now).unwrap();
        s.sent(b, vec![], now);
        assert_eq!(s.failures(), 0);
        assert!(s.is_idle());
    }
}
