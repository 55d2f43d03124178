//! The compiled rules: one immutable value shared by every hospital's state (and, later,
//! swapped whole between events on a reload).

use crate::detect::access::AccessRules;
use crate::detect::ByKind;
use crate::rules::model::Scope;
use crate::rules::{Kind, Params, RuleSet};
use crate::state::{Ids, Refs};

#[derive(Debug)]
pub struct Plan {
    pub rules: RuleSet,
    pub by_kind: ByKind,
    pub access: AccessRules,
    /// Days each revenue ring holds: the longest share window + baseline + lateness.
    pub ring_days: usize,
    /// Whether any share rule is per doctor (doctor revenue is kept only then).
    pub track_doctor_revenue: bool,
    /// Longest rule cooldown: how long the cooldown table must remember a subject.
    pub max_cooldown: i64,
    /// Close busy days on two threads: `Some(n)` when at least `n` pairs are to be judged
    /// (off by default: the caller knows its cores).
    pub parallel_close: Option<usize>,
}

/// Whether this machine gives the process more than one core.
pub fn multicore() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// Pairs to judge from which a closed day is worth a second thread (waking the helper and
/// waiting for it costs tens of microseconds; judging a thousand pairs, a few hundred).
pub const PARALLEL_CLOSE_PAIRS: usize = 1024;

impl Plan {
    pub fn new(rules: RuleSet) -> Plan {
        let lateness_days = rules.engine.allowed_lateness.days();
        let share = || {
            rules.rules.iter().filter_map(|r| match &r.params {
                Params::Share(p) => Some(p),
                _ => None,
            })
        };
        let share_days = share().map(|p| p.window.days() + p.baseline.days()).max().unwrap_or(1);
        Plan {
            by_kind: ByKind::new(&rules.rules),
            access: AccessRules::new(&rules),
            ring_days: (share_days + lateness_days + 2) as usize,
            track_doctor_revenue: share().any(|p| p.scope == Scope::Doctor),
            max_cooldown: rules.rules.iter().map(|r| r.cooldown.secs()).max().unwrap_or(0),
            parallel_close: None,
            rules,
        }
    }

    /// Busy days closed on two threads when `on` (see [`Plan::parallel_close`]).
    pub fn closing_in_parallel(mut self, on: bool) -> Plan {
        self.parallel_close = on.then_some(PARALLEL_CLOSE_PAIRS);
        self
    }

    /// For each `bulk_export` rule here, the slot its id had in `old` (reloaded rules keep
    /// each rule's calibration, whatever the order of the rules).
    pub fn bulk_slots_from(&self, old: &Plan) -> Vec<Option<usize>> {
        let ids = |p: &Plan| -> Vec<String> {
            p.by_kind.get(Kind::BulkExport).iter().map(|&i| p.rules.rules[i].id.clone()).collect()
        };
        let before = ids(old);
        ids(self).iter().map(|id| before.iter().position(|b| b == id)).collect()
    }

    /// Fresh ids and reference data for a hospital: its own catalog, or the shared one.
    pub fn refs_for(&self, hospital: &str) -> (Ids, Refs) {
        let mut ids = Ids::default();
        let refs = Refs::build(self.rules.catalog_for(hospital), &mut ids);
        (ids, refs)
    }
}
