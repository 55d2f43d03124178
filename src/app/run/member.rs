//! This member's side of the group protocol, called on the polling thread inside `poll`.
//!
//! Revoke: deliver what is pending and store its offsets, checkpoint the state (with a
//! state store), then commit — so the group offset never runs ahead of saved state and the
//! next owner starts exactly where the checkpoint stands. Assign: restore each new
//! partition's state and start it at the offset its checkpoint reflects.

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
}

impl Hooks for Member {
    fn revoke(&self, consumer: &KafkaConsumer, lost: bool) {
        let mut parts = self.parts.lock().expect("partitions mutex not poisoned");
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

    fn assign(&self, consumer: &KafkaConsumer, assignment: &mut TopicPartitionList) {
        let mut parts = self.parts.lock().expect("partitions mutex not poisoned");
        parts.assign(consumer, assignment, &self.topics);
    }
}
