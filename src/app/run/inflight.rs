//! `run`'s records decoded on a thread of their own. The consumer thread polls a batch of
//! records (copying each payload and key into the batch's one buffer, so librdkafka's
//! message is freed at once), hands it to the decoding thread — which applies the topic's
//! adapter and decodes every record into events borrowing from the batch — and scores the
//! batch before while that one is decoded: decoding, a fifth of the consumer thread's work
//! when it did everything, runs on the other core (docs/performance.md).
//!
//! A batch is polled before the one ahead of it is scored, so a rebalance can come between a
//! record's poll and its scoring. Each record carries the revocation epoch it was polled in;
//! a record whose partition was revoked after it was polled is not scored (its offset was
//! neither stored nor committed, so the partition's next owner, or this member after a
//! reassignment, reads it again from the committed offset).

use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use rdkafka::message::{BorrowedMessage, Message};
use self_cell::self_cell;

use crate::event::mapping::Mapped;
use crate::event::{decode, Event, Reject};
use crate::settings::Topic;

/// A batch ends at this many records or bytes of payload, whichever comes first.
const MAX_RECORDS: usize = 2048;
const MAX_BYTES: usize = 1 << 20;

/// Where one record stands in its batch.
struct Meta {
    topic: u32,
    partition: i32,
    offset: i64,
    epoch: u64,
    payload: Range<usize>,
    key: Option<Range<usize>>,
}

/// Records as polled, their bytes copied into one buffer (reused batch after batch).
#[derive(Default)]
pub struct Polled {
    buf: Vec<u8>,
    metas: Vec<Meta>,
}

impl Polled {
    /// Adds a record of the subscribed topic at `topic`, polled in revocation `epoch`.
    pub fn push(&mut self, topic: usize, m: &BorrowedMessage<'_>, epoch: u64) {
        let payload = self.copy(m.payload().unwrap_or_default());
        let key = m.key().map(|k| self.copy(k));
        self.metas.push(Meta {
            topic: topic as u32,
            partition: m.partition(),
            offset: m.offset(),
            epoch,
            payload,
            key,
        });
    }

    fn copy(&mut self, bytes: &[u8]) -> Range<usize> {
        let from = self.buf.len();
        self.buf.extend_from_slice(bytes);
        from..self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.metas.is_empty()
    }

    /// Whether the batch is as large as a batch gets.
    pub fn full(&self) -> bool {
        self.metas.len() >= MAX_RECORDS || self.buf.len() >= MAX_BYTES
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.metas.clear();
    }
}

/// What a record is, once its topic's adapter and the decoder have seen it.
// Nearly every record is an event: boxing it would cost an allocation per record.
#[allow(clippy::large_enum_variant)]
pub enum Body<'a> {
    Event(Event<'a>),
    /// The adapter's deliberate skip (a tombstone, a plain update): the metric's reason.
    Skip(&'static str),
    Rejected(Reject),
}

/// One record of a decoded batch.
pub struct Rec<'a> {
    pub topic: usize,
    pub partition: i32,
    pub offset: i64,
    /// The revocation epoch the record was polled in.
    pub epoch: u64,
    pub payload: &'a [u8],
    pub key: Option<&'a [u8]>,
    pub body: Body<'a>,
}

/// What the adapter made of a record, before decoding.
enum Pre {
    /// No adapter: the payload is the event.
    Payload,
    /// The adapter's event, at this range of `mapped`.
    Mapped(Range<usize>),
    Skip(&'static str),
    Rejected(Reject),
}

struct Owner {
    polled: Polled,
    mapped: Vec<u8>,
    pre: Vec<Pre>,
}

type Recs<'a> = Vec<Rec<'a>>;

self_cell!(
    /// A polled batch and what its records decoded to.
    pub struct Decoded {
        owner: Owner,
        #[covariant]
        dependent: Recs,
    }
);

impl Decoded {
    pub fn records(&self) -> &[Rec<'_>] {
        self.borrow_dependent()
    }

    /// The batch's buffers, emptied, for the next poll.
    pub fn into_polled(self) -> Polled {
        let mut p = self.into_owner().polled;
        p.clear();
        p
    }
}

fn decode_batch(polled: Polled, topics: &[Topic]) -> Decoded {
    let mut mapped = Vec::new();
    let pre = polled
        .metas
        .iter()
        .map(|m| match &topics[m.topic as usize].adapter {
            None => Pre::Payload,
            Some(a) => match a.apply(&polled.buf[m.payload.clone()]) {
                Ok(Mapped::Event(b)) => {
                    let from = mapped.len();
                    mapped.extend_from_slice(&b);
                    Pre::Mapped(from..mapped.len())
                }
                Ok(Mapped::Skip(reason)) => Pre::Skip(reason),
                Err(r) => Pre::Rejected(r),
            },
        })
        .collect();
    Decoded::new(Owner { polled, mapped, pre }, |o| {
        o.polled
            .metas
            .iter()
            .zip(&o.pre)
            .map(|(m, pre)| {
                let payload = &o.polled.buf[m.payload.clone()];
                let default_type = topics[m.topic as usize].default_type;
                let body = match pre {
                    Pre::Payload => decode(payload, default_type).map_or_else(Body::Rejected, Body::Event),
                    Pre::Mapped(r) => {
                        decode(&o.mapped[r.clone()], default_type).map_or_else(Body::Rejected, Body::Event)
                    }
                    Pre::Skip(reason) => Body::Skip(reason),
                    Pre::Rejected(r) => Body::Rejected(r.clone()),
                };
                Rec {
                    topic: m.topic as usize,
                    partition: m.partition,
                    offset: m.offset,
                    epoch: m.epoch,
                    payload,
                    key: m.key.clone().map(|k| &o.polled.buf[k]),
                    body,
                }
            })
            .collect()
    })
}

/// The decoding thread and the batches handed to it, in order.
pub struct Decoder {
    to: SyncSender<Polled>,
    from: Receiver<Decoded>,
    in_flight: usize,
}

/// Batches handed over and not yet taken back: one decoded while the one before is scored.
pub const DEPTH: usize = 2;

impl Decoder {
    pub fn spawn(topics: Vec<Topic>) -> anyhow::Result<Decoder> {
        let (to, polled) = sync_channel::<Polled>(DEPTH);
        let (done, from) = sync_channel::<Decoded>(DEPTH);
        std::thread::Builder::new().name("rxsentinel-decode".into()).spawn(move || {
            for p in polled {
                if done.send(decode_batch(p, &topics)).is_err() {
                    return;
                }
            }
        })?;
        // Dropping the decoder closes both channels: the thread ends at its next send or
        // receive.
        Ok(Decoder { to, from, in_flight: 0 })
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Hands a polled batch over; at most [`DEPTH`] may be in flight.
    pub fn send(&mut self, p: Polled) -> anyhow::Result<()> {
        debug_assert!(self.in_flight < DEPTH);
        self.to.send(p).map_err(|_| anyhow::anyhow!("the decoding thread has ended"))?;
        self.in_flight += 1;
        Ok(())
    }

    /// The oldest batch in flight, decoded (waits for it).
    pub fn recv(&mut self) -> anyhow::Result<Decoded> {
        let d = self.from.recv().map_err(|_| anyhow::anyhow!("the decoding thread has ended"))?;
        self.in_flight -= 1;
        Ok(d)
    }
}
