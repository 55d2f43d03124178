//! The synchronous core: decoded event → dedup → state update → detect → alerts. No clock,
//! no I/O: event time is the only time (the live service may pass the machine's time as an
//! argument, to set aside events stamped in its future), so a replay of a file gives
//! exactly the alerts the live stream gave, and the same alert ids.
//!
//! ```text
//! Pipeline
//! ├── plan: Arc<Plan>              compiled rules, shared, immutable
//! ├── hospitals: HospitalState…    the unit of state and event time (see `hospital`)
//! ├── scratch (candidates)
//! └── stats, events set aside
//! ```

mod close;
pub mod examples;
pub mod hospital;
pub mod plan;

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::alert::{Alert, Candidate};
use crate::detect::overuse::MonthReport;
use crate::event::{Event, Ts};
use crate::rules::RuleSet;
use crate::stats::Stats;

pub use hospital::HospitalState;
use hospital::Io;
pub use plan::Plan;

/// What happened to one event.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Processed,
    Duplicate,
}

/// Where a record came from: an input (file, or topic) and a position in it (line, offset).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    pub input: u32,
    pub pos: u64,
}

/// An event held by a hospital's clock until the stream confirms its time.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Parked {
    pub ev: Event<'static>,
    pub origin: Origin,
    /// The record as received, when the caller wants it back (dead letters).
    pub raw: Option<Box<[u8]>>,
}

/// Why an event was set aside for good.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// Stamped ahead of the hospital's stream and never confirmed by it.
    Unconfirmed,
    /// Stamped ahead of the machine's clock (live only).
    AheadOfClock,
}

impl Why {
    pub fn as_str(self) -> &'static str {
        match self {
            Why::Unconfirmed => "future: stamped ahead of the hospital's stream, which never reached it",
            Why::AheadOfClock => "future: stamped ahead of this machine's clock",
        }
    }
}

/// A valid event applied to no window or baseline because its time cannot be trusted.
/// Per-event rules did see it.
#[derive(Clone, Debug)]
pub struct SetAside {
    pub hospital: String,
    pub event_id: String,
    pub ts: Ts,
    pub origin: Origin,
    pub raw: Option<Box<[u8]>>,
    pub why: Why,
}

impl Parked {
    fn set_aside(self, hospital: &str, why: Why) -> SetAside {
        SetAside {
            hospital: hospital.to_owned(),
            event_id: self.ev.id.to_string(),
            ts: self.ev.ts,
            origin: self.origin,
            raw: self.raw,
            why,
        }
    }
}

/// How a record arrived: where from, its bytes (kept only if it must be parked), and the
/// machine's time in the live service.
#[derive(Copy, Clone, Debug, Default)]
pub struct Arrival<'r> {
    pub origin: Origin,
    pub raw: Option<&'r [u8]>,
    pub now: Option<Ts>,
}

pub struct Pipeline {
    plan: Arc<Plan>,
    hospitals: Vec<HospitalState>,
    index: FxHashMap<String, usize>,
    /// Index of the latest event's hospital (streams come in runs of one hospital).
    last: usize,
    cands: Vec<Candidate>,
    set_aside: Vec<SetAside>,
    pub stats: Stats,
}

impl Pipeline {
    pub fn new(rules: RuleSet) -> Pipeline {
        Pipeline::with_plan(Arc::new(Plan::new(rules)))
    }

    pub fn with_plan(plan: Arc<Plan>) -> Pipeline {
        Pipeline {
            plan,
            hospitals: Vec::new(),
            index: FxHashMap::default(),
            last: usize::MAX,
            cands: Vec::new(),
            set_aside: Vec::new(),
            stats: Stats::default(),
        }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.plan.rules
    }

    /// Processes one event from a file; alerts it produced are appended to `out`.
    pub fn process(&mut self, ev: &Event, out: &mut Vec<Alert>) -> Outcome {
        self.process_from(ev, Arrival::default(), out)
    }

    /// Processes one event with where it came from (and, live, the machine's time).
    pub fn process_from(&mut self, ev: &Event, at: Arrival, out: &mut Vec<Alert>) -> Outcome {
        let i = self.hospital(&ev.hospital);
        let io = Io { cands: &mut self.cands, out, stats: &mut self.stats, set_aside: &mut self.set_aside };
        let parked = || Parked { ev: ev.to_owned_event(), origin: at.origin, raw: at.raw.map(Box::from) };
        if self.hospitals[i].arrive(&self.plan, ev, parked, at.now, io) {
            Outcome::Processed
        } else {
            Outcome::Duplicate
        }
    }

    fn hospital(&mut self, name: &str) -> usize {
        if self.hospitals.get(self.last).is_some_and(|h| h.name == name) {
            return self.last;
        }
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                self.hospitals.push(HospitalState::new(&self.plan, name));
                self.index.insert(name.to_owned(), self.hospitals.len() - 1);
                self.hospitals.len() - 1
            }
        };
        self.last = i;
        i
    }

    /// The pipeline as a checkpoint: its state with the source `positions` it reflects.
    pub fn checkpoint(
        &self,
        scope: &str,
        positions: &[crate::checkpoint::Position],
        alerts: Option<(&str, u64)>,
    ) -> anyhow::Result<Vec<u8>> {
        crate::checkpoint::encode(&crate::checkpoint::SnapshotRef {
            scope,
            taken_at: crate::checkpoint::unix_now(),
            writer: env!("CARGO_PKG_VERSION"),
            positions,
            alerts,
            stats: &self.stats,
            hospitals: &self.hospitals,
        })
    }

    /// A pipeline resumed from a checkpoint's hospitals and counters.
    pub fn restore(plan: Arc<Plan>, stats: Stats, hospitals: Vec<HospitalState>) -> Pipeline {
        let mut p = Pipeline::with_plan(plan);
        p.stats = stats;
        for h in hospitals {
            p.adopt(h);
        }
        p
    }

    /// Takes over a hospital's state (restored from a checkpoint), replacing any it had.
    pub fn adopt(&mut self, h: HospitalState) {
        let h = h.restored(&self.plan);
        match self.index.get(&h.name) {
            Some(&i) => self.hospitals[i] = h,
            None => {
                self.index.insert(h.name.clone(), self.hospitals.len());
                self.hospitals.push(h);
            }
        }
    }

    /// Swaps in reloaded rules between two events; every hospital's state stays (as a
    /// restore from a checkpoint under these rules would have it).
    pub fn set_plan(&mut self, plan: Arc<Plan>) {
        let from = plan.bulk_slots_from(&self.plan);
        for h in &mut self.hospitals {
            h.reshape(&plan);
            h.remap_bulk_slots(&from);
        }
        self.plan = plan;
    }

    /// The compiled rules this pipeline runs.
    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    /// Whether `name` has state here; the latest event's hospital answers without hashing
    /// (streams come in runs of one hospital).
    pub fn has_hospital(&self, name: &str) -> bool {
        self.hospitals.get(self.last).is_some_and(|h| h.name == name) || self.index.contains_key(name)
    }

    /// The end of a finite input: hospitals with too few events to start their clock apply
    /// what they hold. Events held ahead of a running clock stay held (a later run may
    /// confirm them).
    pub fn finish(&mut self, out: &mut Vec<Alert>) {
        for h in &mut self.hospitals {
            let io = Io { cands: &mut self.cands, out, stats: &mut self.stats, set_aside: &mut self.set_aside };
            h.finish(&self.plan, io);
        }
    }

    /// A trusted input (a rule's examples, written by hand, too few events for the clock's
    /// vote): `hospital`'s clock starts at `ts`, its earliest event.
    pub fn start_clock_at(&mut self, hospital: &str, ts: crate::event::Ts) {
        let i = self.hospital(hospital);
        self.hospitals[i].start_clock_at(ts);
    }

    /// The end of a trusted input: every held event is applied in time order, as if each
    /// hospital's clock had confirmed it.
    pub fn finish_trusted(&mut self, out: &mut Vec<Alert>) {
        for h in &mut self.hospitals {
            let io = Io { cands: &mut self.cands, out, stats: &mut self.stats, set_aside: &mut self.set_aside };
            h.finish_trusted(&self.plan, io);
        }
    }

    /// Events set aside as `future` since the last call.
    pub fn take_set_aside(&mut self) -> Vec<SetAside> {
        std::mem::take(&mut self.set_aside)
    }

    /// Events held ahead of their hospital's clock, waiting for the stream.
    pub fn held(&self) -> usize {
        self.hospitals.iter().map(HospitalState::held).sum()
    }

    /// Data-access accounts learned, and accesses not learned beyond the cap.
    pub fn access_accounts(&self) -> (usize, u64) {
        self.hospitals.iter().map(HospitalState::access_accounts).fold((0, 0), |(a, o), (x, y)| (a + x, o + y))
    }

    /// The monthly 双排序 reviews of every hospital, in order of the hospitals' names.
    pub fn month_reports(&self) -> Vec<(String, MonthReport)> {
        let mut hs: Vec<&HospitalState> = self.hospitals.iter().collect();
        hs.sort_by(|a, b| a.name.cmp(&b.name));
        hs.into_iter().flat_map(|h| h.month_reports(&self.plan).into_iter().map(|r| (h.name.clone(), r))).collect()
    }

    /// Sizes of the keyed state summed over hospitals, for logs and the summary.
    pub fn state_sizes(&self) -> String {
        let mut total: Vec<(&str, usize)> = Vec::new();
        for h in &self.hospitals {
            for (i, (k, n)) in h.sizes().into_iter().enumerate() {
                match total.get_mut(i) {
                    Some(t) => t.1 += n,
                    None => total.push((k, n)),
                }
            }
        }
        let mut s = format!("hospitals={}", self.hospitals.len());
        for (k, n) in total {
            s.push_str(&format!(" {k}={n}"));
        }
        s
    }
}
