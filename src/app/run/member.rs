//! This member's side of the group protocol, called on the polling thread inside `poll`.
//!
//! Revoke: deliver what is pending and store its offsets, checkpoint the state (with a
//! state store), then commit — so the group offset never runs ahead of saved state and the
//! next owner starts exactly where the checkpoint stands. Assign: restore each new
//! partition's state and start it at the offset its checkpoint reflects.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rdkafka::TopicPartitionList;

use crate::settings::Topic;
use crate::source::kafka::{Hooks, KafkaConsumer};

use super::outbox::{Outbox, FINAL_COMMIT_PATIENCE};
use super::partitions::Partitions;

pub struct Member {
    pub outbox: Arc<Outbox>,
    pub parts: Arc<Mutex<Partitions>>,
    pub topics: Vec<Topic>,
    /// Counts revocations: the run loop tags each polled record with it (`inflight`).
    pub epoch: Arc<AtomicU64>,
}

impl Hooks for Member {
    fn revoke(&self, consumer: &KafkaConsumer, revoked: &TopicPartitionList, lost: bool) {
        let mut parts = self.parts.lock().expect("partitions mutex not poisoned");
        // Records polled before this and not yet scored are not scored: their offsets are
        // not committed below, so whoever reads these partitions next reads them again.
        let epoch = self.epoch.fetch_add(1, Ordering::Relaxed) + 1;
        let gone = revoked.elements();
        let gone = gone
            .iter()
            .filter_map(|e| self.topics.iter().position(|t| t.name == e.topic()).map(|i| (i, e.partition())));
        parts.note_revoked(epoch, gone);
        if lost {
            self.outbox.drop_pending();
            parts.mark_lost();
            return;
        }
        if let Err(e) = self.outbox.settle(consumer) {
            tracing::error!("cannot settle before revoke, not committing: {e:#}");
            return;
        }
        if let Err(e) = parts.checkpoint(&self.topics) {
            tracing::error!("cannot checkpoint before revoke, not committing: {e:#}");
            return;
        }
        self.outbox.commit(consumer, FINAL_COMMIT_PATIENCE);
    }

    fn unassigned(&self) {
        // Records polled and not yet scored are not scored: the partitions may come back,
        // started at the last processed offset, and be read again.
        let epoch = self.epoch.fetch_add(1, Ordering::Relaxed) + 1;
        self.parts.lock().expect("partitions mutex not poisoned").note_all_revoked(epoch);
    }

    fn assign(&self, consumer: &KafkaConsumer, assignment: &mut TopicPartitionList) {
        let mut parts = self.parts.lock().expect("partitions mutex not poisoned");
        parts.assign(consumer, assignment, &self.topics);
    }
}
