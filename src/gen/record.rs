//! Generated events before they are written: the type-specific part of each contract event
//! (CONTRACT §1), serialized once when the event is made. The writer adds the common head
//! (`type`, `event_id`, `ts`, `hospital`) when it puts the event in file order, so ids
//! increase down the file.

use std::cmp::Ordering;

use serde::Serialize;

pub use crate::event::Fen;

use super::hospital::Hospital;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Rx,
    Return,
    Charge,
    Access,
    RepVisit,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Rx => "rx",
            Kind::Return => "return",
            Kind::Charge => "charge",
            Kind::Access => "access",
            Kind::RepVisit => "rep_visit",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Payload {
    /// Type-specific JSON object (`{...}`), still without the common head.
    Event { kind: Kind, body: String },
    /// A complete line written as is: a redelivery or a deliberately malformed record.
    Line(String),
}

/// One output line-to-be, ordered by `ts` (local seconds) and then by creation order.
#[derive(Clone, Debug)]
pub struct Record {
    pub ts: i64,
    pub seq: u64,
    pub payload: Payload,
    /// Truth index of an event whose `event_id` the truth file names (a planted rep visit).
    pub truth: Option<usize>,
}

impl PartialEq for Record {
    fn eq(&self, o: &Self) -> bool {
        (self.ts, self.seq) == (o.ts, o.seq)
    }
}
impl Eq for Record {}
impl PartialOrd for Record {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Record {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.ts, self.seq).cmp(&(o.ts, o.seq))
    }
}

/// Collects the records of a day; `seq` keeps ties in creation order so output is
/// deterministic.
#[derive(Debug, Default)]
pub struct Records {
    pub recs: Vec<Record>,
    pub seq: u64,
}

impl Records {
    pub fn push<T: Serialize>(&mut self, ts: i64, kind: Kind, body: &T) {
        // Plain structs of strings and numbers: serialization cannot fail.
        let body = serde_json::to_string(body).expect("event bodies always serialize");
        self.push_payload(ts, Payload::Event { kind, body });
    }

    pub fn push_payload(&mut self, ts: i64, payload: Payload) {
        self.seq += 1;
        self.recs.push(Record { ts, seq: self.seq, payload, truth: None });
    }

    /// An event whose `event_id` goes into truth line `truth` once it is written.
    pub fn push_tracked<T: Serialize>(&mut self, ts: i64, kind: Kind, body: &T, truth: usize) {
        self.push(ts, kind, body);
        if let Some(r) = self.recs.last_mut() {
            r.truth = Some(truth);
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `rx`: one prescription line.
#[derive(Serialize)]
pub struct RxBody<'a> {
    pub rx_id: &'a str,
    pub line: u32,
    pub visit_id: &'a str,
    pub visit_type: &'static str,
    pub dept: &'a str,
    pub doctor: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor_title: Option<&'static str>,
    pub patient: &'a str,
    pub drug: &'a str,
    pub drug_name: &'a str,
    pub qty: u32,
    pub unit_price: Fen,
    pub amount: Fen,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(skip_serializing_if = "is_false")]
    pub long_term: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub diagnosis: &'a [&'static str],
}

/// `return`: a reversal of an `rx` line.
#[derive(Serialize)]
pub struct ReturnBody<'a> {
    pub rx_id: &'a str,
    pub drug: &'a str,
    pub doctor: &'a str,
    pub dept: &'a str,
    pub qty: u32,
    pub amount: Fen,
    pub reason: &'static str,
}

/// `charge`: one revenue line.
#[derive(Serialize)]
pub struct ChargeBody<'a> {
    pub dept: &'a str,
    pub doctor: &'a str,
    pub category: &'static str,
    pub amount: Fen,
    pub visit_type: &'static str,
}

/// `access`: one audit record of a data access.
#[derive(Serialize, Clone, Debug, Default)]
pub struct AccessBody {
    pub user: String,
    pub role: &'static str,
    pub client_ip: String,
    pub app: &'static str,
    pub action: &'static str,
    pub object: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<serde_json::Value>,
    pub rows: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
}

/// `rep_visit`: a registered representative visit.
#[derive(Serialize)]
pub struct RepVisitBody<'a> {
    pub rep: &'a str,
    pub company: &'a str,
    pub manufacturer: &'a str,
    pub doctor: &'a str,
    pub dept: &'a str,
    pub products: Vec<&'a str>,
}

impl<'a> RepVisitBody<'a> {
    /// A visit by representative `rep` of `company` (for `manufacturer`) to doctor `doc` of
    /// `h`, in the doctor's department.
    pub fn to_doctor(
        h: &'a Hospital,
        doc: usize,
        (rep, company, manufacturer): (&'a str, &'a str, &'a str),
        products: Vec<&'a str>,
    ) -> Self {
        let d = &h.doctors[doc];
        RepVisitBody { rep, company, manufacturer, doctor: &d.id, dept: h.depts[d.dept].spec.code, products }
    }
}
