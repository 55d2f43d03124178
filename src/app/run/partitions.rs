//! One pipeline per partition number, all sharing one compiled [`Plan`].
//!
//! Why per partition, not one for all: a hospital's alerts depend on the order of its
//! events (its clock closes days on them). Records are keyed by `hospital`, so one
//! partition holds a hospital's whole stream in order, and a pipeline fed by exactly that
//! partition sees exactly the order a replay of the same stream sees — whatever order
//! librdkafka interleaves partitions in. Within a pipeline, each hospital keeps its own
//! state and clock, so hospitals sharing a partition do not touch each other. Per partition *number* (not per topic-partition): topics keyed by hospital with
//! the same partition count (co-partitioned, assigned together by the range assignor) feed
//! one pipeline, so rules that join event types (rep visits and prescriptions) see both.
//!
//! A pipeline lives while its partition stays with this member. Across an eager rebalance
//! that hands the same partition back, it is kept: the offsets were committed at revoke and
//! nobody else read in between, so its state is still exact.
//!
//! With a state store (`run --state`), each pipeline is checkpointed under
//! `<group>.p<N>` with the next offset of each of its topic-partitions; an assignment
//! restores the checkpoint and starts each partition at its offset. A partition with no
//! checkpoint of its own, in a store holding a replay's checkpoint (a backfill), starts at
//! the offsets for the backfill's event time and takes each hospital's state from it on
//! the hospital's first record.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::app::replay::REPLAY_KEY;
use crate::checkpoint::{self, Position, Store};
use crate::event::Ts;
use crate::pipeline::{HospitalState, Pipeline, Plan};
use crate::rules::RuleSet;
use crate::settings::Topic;
use crate::source::kafka::{KafkaConsumer, KafkaContext};
use crate::stats::Stats;
use crate::telemetry::metrics;

use super::outbox::Part;

struct Slot {
    pipeline: Pipeline,
    /// What has been exported to the metrics already.
    exported: Stats,
    /// The positions its last checkpoint reflected (nothing new since: no new checkpoint).
    saved: Vec<Position>,
}

/// `run --state`: the store, how often, and what to do with a checkpoint that cannot be read.
pub struct StateConfig {
    pub store: Box<dyn Store>,
    pub every: Duration,
    pub discard_bad: bool,
    /// The consumer group, the prefix of every checkpoint key.
    pub group: String,
}

struct State {
    cfg: StateConfig,
    /// Hospitals of a replay's checkpoint not yet claimed by a partition.
    seed: FxHashMap<String, HospitalState>,
    /// Event time partitions without a checkpoint of their own start from (the backfill's
    /// earliest watermark less the allowed lateness; the overlap is absorbed by dedup).
    seed_from: Option<Ts>,
    saved: Instant,
}

pub struct Partitions {
    plan: Arc<Plan>,
    slots: HashMap<i32, Slot>,
    /// Stats of pipelines dropped at rebalances, for the summary.
    retired: Stats,
    assigned: Vec<Part>,
    /// Next offset after the last record processed (or restored), per partition.
    positions: HashMap<Part, i64>,
    ready: bool,
    state: Option<State>,
    /// The previous assignment was lost, not revoked: no pipeline of it may be kept.
    lost: bool,
    /// An assignment happened since the run loop last asked.
    reassigned: bool,
    /// A restore that failed inside a rebalance callback, for the run loop to stop on.
    fatal: Option<anyhow::Error>,
    /// Offsets partitions were started at, until their first record arrives: a first
    /// record beyond it means the broker skipped records.
    expected: HashMap<Part, i64>,
    /// The last revocation epoch each partition was revoked in, since the run loop last had
    /// no polled record waiting to be scored (`inflight`): such a record of an earlier epoch
    /// is not scored.
    revoked: FxHashMap<Part, u64>,
}

impl Partitions {
    pub fn new(rules: RuleSet, state: Option<StateConfig>) -> anyhow::Result<Partitions> {
        let plan = Arc::new(Plan::new(rules).closing_in_parallel(crate::pipeline::plan::multicore()));
        let state = match state {
            None => None,
            Some(mut cfg) => {
                let lateness = plan.rules.engine.allowed_lateness.secs();
                let seed = checkpoint::restore(cfg.store.as_mut(), REPLAY_KEY, cfg.discard_bad)?;
                let hospitals = seed.map(|s| s.hospitals).unwrap_or_default();
                let seed_from = hospitals.iter().filter_map(HospitalState::watermark).min().map(|w| Ts(w.0 - lateness));
                if !hospitals.is_empty() {
                    tracing::info!(
                        hospitals = hospitals.len(),
                        "a replay's checkpoint seeds partitions without their own"
                    );
                }
                let seed = hospitals.into_iter().map(|h| (h.name.clone(), h)).collect();
                Some(State { cfg, seed, seed_from, saved: Instant::now() })
            }
        };
        Ok(Partitions {
            plan,
            slots: HashMap::new(),
            retired: Stats::default(),
            assigned: Vec::new(),
            positions: HashMap::new(),
            ready: false,
            state,
            lost: false,
            reassigned: false,
            fatal: None,
            expected: HashMap::new(),
            revoked: FxHashMap::default(),
        })
    }

    /// Reloaded rules: every partition's pipeline swaps them in between two records, and
    /// partitions assigned later start with them.
    pub fn set_plan(&mut self, plan: Arc<Plan>) {
        for s in self.slots.values_mut() {
            s.pipeline.set_plan(plan.clone());
        }
        self.plan = plan;
    }

    pub fn has_state(&self) -> bool {
        self.state.is_some()
    }

    /// Whether a checkpoint is due.
    pub fn checkpoint_due(&self, now: Instant) -> bool {
        self.state.as_ref().is_some_and(|s| now.saturating_duration_since(s.saved) >= s.cfg.every)
    }

    pub fn take_reassigned(&mut self) -> bool {
        std::mem::take(&mut self.reassigned)
    }

    pub fn take_fatal(&mut self) -> Option<anyhow::Error> {
        self.fatal.take()
    }

    /// Before `hospital`'s first record in `partition`: its state from the backfill, if any.
    pub fn claim_seed(&mut self, partition: i32, hospital: &str) {
        if self.state.as_ref().is_none_or(|s| s.seed.is_empty()) {
            return;
        }
        if self.pipeline(partition).has_hospital(hospital) {
            return;
        }
        if let Some(h) = self.state.as_mut().and_then(|s| s.seed.remove(hospital)) {
            tracing::info!(partition, "a hospital's state taken from the backfill on its first record");
            self.pipeline(partition).adopt(h);
        }
    }

    /// Writes a checkpoint of every pipeline with the positions it reflects. The caller
    /// settles the sinks first and commits offsets only after this returned Ok.
    pub fn checkpoint(&mut self, topics: &[Topic]) -> anyhow::Result<()> {
        let Some(st) = self.state.as_mut() else { return Ok(()) };
        // The next attempt is an interval away, failed or not: a failing disk or broker is
        // not hammered once a record.
        st.saved = Instant::now();
        let mut parts: Vec<i32> = self.slots.keys().copied().collect();
        parts.sort_unstable();
        for p in parts {
            let t = Instant::now();
            let positions: Vec<Position> = self
                .assigned
                .iter()
                .filter(|&&(_, q)| q == p)
                .filter_map(|&(ti, q)| {
                    let next = *self.positions.get(&(ti, q))?;
                    Some(Position::Kafka { topic: topics[ti].name.clone(), partition: q, next })
                })
                .collect();
            let slot = self.slots.get_mut(&p).expect("a slot of the list");
            if slot.saved == positions {
                continue;
            }
            let scope = format!("partition {p}");
            let bytes = slot.pipeline.checkpoint(&scope, &positions, None)?;
            checkpoint::save(st.cfg.store.as_mut(), &key(&st.cfg.group, p), &bytes, t)?;
            slot.saved = positions;
            tracing::debug!(partition = p, bytes = bytes.len(), "checkpoint written");
        }
        Ok(())
    }

    /// The previous assignment was lost: its pipelines may not be kept.
    /// Its pipelines are dropped at once: someone else may own the partitions already and
    /// write their checkpoints; nothing of them may be checkpointed or kept from here.
    pub fn mark_lost(&mut self) {
        self.lost = true;
        self.export();
        for (_, s) in self.slots.drain() {
            merge(&mut self.retired, &s.pipeline.stats);
        }
        self.positions.clear();
    }

    pub fn pipeline(&mut self, partition: i32) -> &mut Pipeline {
        let plan = &self.plan;
        &mut self
            .slots
            .entry(partition)
            .or_insert_with(|| Slot {
                pipeline: Pipeline::with_plan(plan.clone()),
                exported: Stats::default(),
                saved: Vec::new(),
            })
            .pipeline
    }

    /// The first record of a partition after it was started at a known offset: a record
    /// beyond it means records were skipped (retention or compaction deleted them since the
    /// checkpoint, or the broker returned a later batch than asked for). Logged loudly.
    pub fn check_start(&mut self, part: Part, offset: i64, topic: &str) {
        if self.expected.is_empty() {
            return;
        }
        if let Some(want) = self.expected.remove(&part).filter(|&w| offset > w) {
            tracing::warn!(
                "{topic}[{}]: started at offset {want}, but the first record the broker returned is {offset}: \
                 {} records skipped (deleted by retention or compaction since the checkpoint, or a broker fault)",
                part.1,
                offset - want
            );
        }
    }

    /// `parts` were revoked in revocation `epoch`.
    pub fn note_revoked(&mut self, epoch: u64, parts: impl IntoIterator<Item = Part>) {
        for p in parts {
            self.revoked.insert(p, epoch);
            // Its first record after a later assignment is checked against that one's start.
            self.expected.remove(&p);
        }
    }

    /// Every partition held was given up without a revocation (a rebalance error).
    pub fn note_all_revoked(&mut self, epoch: u64) {
        let all = self.assigned.clone();
        self.note_revoked(epoch, all);
    }

    /// Whether `part` was revoked after a record of it was polled in `epoch`.
    pub fn revoked_since(&self, epoch: u64, part: Part) -> bool {
        !self.revoked.is_empty() && self.revoked.get(&part).is_some_and(|&e| e > epoch)
    }

    /// No polled record waits to be scored: the revocations so far concern none.
    pub fn forget_revoked(&mut self) {
        self.revoked.clear();
    }

    pub fn processed(&mut self, part: Part, next: i64) {
        self.positions.insert(part, next);
    }

    /// A new assignment, before it takes effect: pipelines of partition numbers no longer
    /// ours are dropped (all of them when the previous assignment was lost: others may have
    /// read since); the others are kept, or restored from their checkpoint; each partition's
    /// starting offset is set in `tpl` where the state says where it stands.
    pub fn assign(&mut self, consumer: &KafkaConsumer, tpl: &mut TopicPartitionList, topics: &[Topic]) {
        let assigned: Vec<Part> = tpl
            .elements()
            .iter()
            .filter_map(|e| topics.iter().position(|t| t.name == e.topic()).map(|i| (i, e.partition())))
            .collect();
        metrics().assigned_partitions.set(assigned.len() as i64);
        let lost = std::mem::take(&mut self.lost);
        if lost {
            self.positions.clear();
        }
        self.reassign(assigned.clone(), lost, topics);
        let mut numbers: Vec<i32> = assigned.iter().map(|&(_, p)| p).collect();
        numbers.sort_unstable();
        numbers.dedup();
        for p in numbers {
            if !self.slots.contains_key(&p) && self.state.is_some() {
                if let Err(e) = self.restore(consumer, p, topics) {
                    self.fatal.get_or_insert(e);
                }
            }
            for &(t, q) in assigned.iter().filter(|&&(_, q)| q == p) {
                if let Some(&next) = self.positions.get(&(t, q)) {
                    tracing::info!(topic = %topics[t].name, partition = q, offset = next, "partition starts where its state stands");
                    self.expected.insert((t, q), next);
                    if let Err(e) = tpl.set_partition_offset(&topics[t].name, q, Offset::Offset(next)) {
                        tracing::error!("cannot start {}[{q}] at {next}: {e}", topics[t].name);
                    }
                }
            }
        }
    }

    /// Restores partition `p`'s pipeline from its checkpoint; with none, starts it fresh, at
    /// the offsets for the backfill's time when a replay's checkpoint seeds the store.
    fn restore(&mut self, consumer: &KafkaConsumer, p: i32, topics: &[Topic]) -> anyhow::Result<()> {
        let st = self.state.as_mut().expect("restore only with a state store");
        let Some(snap) = checkpoint::restore(st.cfg.store.as_mut(), &key(&st.cfg.group, p), st.cfg.discard_bad)? else {
            if let Some(from) = st.seed_from {
                let mut q = TopicPartitionList::new();
                for &(t, _) in self.assigned.iter().filter(|&&(_, q)| q == p) {
                    q.add_partition_offset(&topics[t].name, p, Offset::Offset(from.0.saturating_mul(1000)))?;
                }
                let found = consumer.offsets_for_times(q, Duration::from_secs(30))?;
                for e in found.elements() {
                    let Some(t) = topics.iter().position(|t| t.name == e.topic()) else { continue };
                    match e.offset() {
                        Offset::Offset(n) => {
                            self.positions.insert((t, p), n);
                        }
                        // No record that late: start at the end, after everything the backfill saw.
                        Offset::End => {
                            let (_, hi) = consumer.fetch_watermarks(&topics[t].name, p, Duration::from_secs(30))?;
                            self.positions.insert((t, p), hi);
                        }
                        _ => {}
                    }
                }
                tracing::info!(partition = p, "no checkpoint for this partition: starting at the backfill's time");
            }
            return Ok(());
        };
        let pipeline = Pipeline::restore(self.plan.clone(), snap.stats.clone(), snap.hospitals);
        let saved = snap.positions.clone();
        for pos in &snap.positions {
            let Position::Kafka { topic, partition, next } = pos else { continue };
            if let Some(t) = topics.iter().position(|t| &t.name == topic).filter(|_| *partition == p) {
                self.positions.insert((t, p), *next);
            }
        }
        self.slots.insert(p, Slot { pipeline, exported: snap.stats, saved });
        Ok(())
    }

    /// Pipelines of partition numbers no longer ours are dropped, and all of them when the
    /// previous assignment was `lost`.
    fn reassign(&mut self, assigned: Vec<Part>, lost: bool, topics: &[Topic]) {
        self.export();
        let keep: FxHashSet<i32> = if lost { FxHashSet::default() } else { assigned.iter().map(|&(_, p)| p).collect() };
        let gone: Vec<i32> = self.slots.keys().copied().filter(|p| !keep.contains(p)).collect();
        for p in gone {
            if let Some(s) = self.slots.remove(&p) {
                merge(&mut self.retired, &s.pipeline.stats);
            }
        }
        for &(t, p) in &self.assigned {
            if !assigned.contains(&(t, p)) {
                self.positions.remove(&(t, p));
                let _ = metrics().consumer_lag.remove_label_values(&[&topics[t].name, &p.to_string()]);
            }
        }
        self.assigned = assigned;
        self.ready = false;
        self.reassigned = true;
    }

    /// Adds what the pipelines counted since the last call to the metrics.
    pub fn export(&mut self) {
        let (mut held, mut accounts, mut over) = (0, 0, 0);
        for s in self.slots.values_mut() {
            metrics().add_stats(&s.pipeline.stats, &mut s.exported);
            held += s.pipeline.held();
            let (a, o) = s.pipeline.access_accounts();
            accounts += a;
            over += o;
        }
        metrics().held.set(held as i64);
        metrics().access_accounts.set(accounts as i64);
        metrics().access_over_cap.set(over as i64);
    }

    /// Updates per-partition lag from librdkafka's watermarks and says whether this member
    /// is ready: assigned, and every partition within `ready_lag` of its end. Once ready it
    /// stays ready until the next assignment (a burst of new records is not "starting up").
    pub fn check_lag(&mut self, ctx: &KafkaContext, topics: &[Topic], ready_lag: i64) -> bool {
        let mut all_caught_up = !self.assigned.is_empty();
        for &(t, p) in &self.assigned {
            let name = &topics[t].name;
            let Some(w) = ctx.watermarks(name, p) else {
                all_caught_up = false;
                continue;
            };
            let pos = self.positions.get(&(t, p)).copied().unwrap_or(-1).max(w.committed).max(w.lo);
            let lag = (w.hi - pos).max(0);
            metrics().consumer_lag.with_label_values(&[name, &p.to_string()]).set(lag);
            all_caught_up &= lag <= ready_lag;
        }
        self.ready |= all_caught_up;
        self.ready
    }

    /// Everything counted by every pipeline this run.
    pub fn totals(&self) -> Stats {
        let mut t = self.retired.clone();
        for s in self.slots.values() {
            merge(&mut t, &s.pipeline.stats);
        }
        t
    }

    pub fn state_sizes(&self) -> Vec<(i32, String)> {
        let mut v: Vec<_> = self.slots.iter().map(|(p, s)| (*p, s.pipeline.state_sizes())).collect();
        v.sort();
        v
    }
}

/// A partition's checkpoint key: the group (file-safe) and the partition number.
fn key(group: &str, p: i32) -> String {
    let g: String =
        group.chars().map(|c| if c.is_ascii_alphanumeric() || "-_".contains(c) { c } else { '_' }).collect();
    format!("{g}.p{p}")
}

fn merge(into: &mut Stats, s: &Stats) {
    let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    add(&mut into.events, &s.events);
    add(&mut into.rejected, &s.rejected);
    add(&mut into.alerts, &s.alerts);
    add(&mut into.excepted, &s.excepted);
    into.duplicates += s.duplicates;
    into.late += s.late;
    into.future += s.future;
    into.unknown_drug += s.unknown_drug;
    into.unknown_doctor += s.unknown_doctor;
    into.suppressed += s.suppressed;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_polled_before_their_partition_was_revoked_are_not_scored() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = RuleSet::load(&root.join("rules"), Some(&root.join("fixtures/cases/catalog"))).unwrap();
        let mut parts = Partitions::new(rules, None).unwrap();
        assert!(!parts.revoked_since(0, (0, 1)), "nothing revoked yet");
        // Epoch 1 takes partitions 0 and 1 of topic 0 (cooperative: partition 2 stays).
        parts.note_revoked(1, [(0, 0), (0, 1)]);
        assert!(parts.revoked_since(0, (0, 1)), "polled in epoch 0, revoked in 1");
        assert!(!parts.revoked_since(0, (0, 2)), "partition 2 was kept");
        assert!(!parts.revoked_since(0, (1, 1)), "another topic's partition 1 was kept");
        assert!(!parts.revoked_since(1, (0, 1)), "polled after the revocation: reassigned, read again");
        parts.note_revoked(2, [(0, 2)]);
        assert!(parts.revoked_since(1, (0, 2)) && parts.revoked_since(0, (0, 2)));
        assert!(!parts.revoked_since(2, (0, 2)));
        parts.forget_revoked();
        assert!(!parts.revoked_since(0, (0, 1)));
        // A revoked partition's expected start is forgotten: the next assignment sets its own.
        parts.expected.insert((0, 1), 100);
        parts.note_revoked(3, [(0, 1)]);
        assert!(parts.expected.is_empty());
        // A rebalance error drops every partition held.
        parts.assigned = vec![(0, 3), (1, 3)];
        parts.note_all_revoked(4);
        assert!(parts.revoked_since(3, (0, 3)) && parts.revoked_since(3, (1, 3)) && !parts.revoked_since(4, (0, 3)));
    }
}
