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

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::pipeline::{Pipeline, Plan};
use crate::rules::RuleSet;
use crate::settings::Topic;
use crate::source::kafka::KafkaContext;
use crate::stats::Stats;
use crate::telemetry::metrics;

use super::outbox::Part;

struct Slot {
    pipeline: Pipeline,
    /// What has been exported to the metrics already.
    exported: Stats,
}

pub struct Partitions {
    plan: Arc<Plan>,
    slots: HashMap<i32, Slot>,
    /// Stats of pipelines dropped at rebalances, for the summary.
    retired: Stats,
    assigned: Vec<Part>,
    /// Next offset after the last record processed, per partition.
    positions: HashMap<Part, i64>,
    ready: bool,
}

impl Partitions {
    pub fn new(rules: RuleSet) -> Partitions {
        Partitions {
            plan: Arc::new(Plan::new(rules)),
            slots: HashMap::new(),
            retired: Stats::default(),
            assigned: Vec::new(),
            positions: HashMap::new(),
            ready: false,
        }
    }

    pub fn pipeline(&mut self, partition: i32) -> &mut Pipeline {
        let plan = &self.plan;
        &mut self
            .slots
            .entry(partition)
            .or_insert_with(|| Slot { pipeline: Pipeline::with_plan(plan.clone()), exported: Stats::default() })
            .pipeline
    }

    pub fn processed(&mut self, part: Part, next: i64) {
        self.positions.insert(part, next);
    }

    /// A new assignment: pipelines of partition numbers no longer ours are dropped, and
    /// all of them when the previous assignment was `lost` (others may have read since).
    pub fn reassign(&mut self, assigned: Vec<Part>, lost: bool, topics: &[Topic]) {
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

fn merge(into: &mut Stats, s: &Stats) {
    let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    add(&mut into.events, &s.events);
    add(&mut into.rejected, &s.rejected);
    add(&mut into.alerts, &s.alerts);
    into.duplicates += s.duplicates;
    into.late += s.late;
    into.future += s.future;
    into.unknown_drug += s.unknown_drug;
    into.unknown_doctor += s.unknown_doctor;
    into.suppressed += s.suppressed;
}
