//! The synchronous core: decoded event → dedup → state update → detect → alerts. No clock,
//! no I/O: event time is the only time, so a replay of a file gives exactly the alerts the
//! live stream gave, and the same alert ids.

use crate::alert::id::alert_id;
use crate::alert::{Alert, Candidate, Cooldown};
use crate::dedup::Dedup;
use crate::detect::access::AccessRules;
use crate::detect::large_rx::LargeRx;
use crate::detect::overuse::{MonthReport, Overuse};
use crate::detect::prescription::{self, Line};
use crate::detect::rep_visit::{NewVisit, RepVisits};
use crate::detect::share::{self, Stores};
use crate::detect::surge::Surge;
use crate::detect::{concentration, peer};
use crate::detect::{ByKind, Ctx};
use crate::event::time::month_of_day;
use crate::event::{Body, Event, Ts};
use crate::rules::{Params, RuleSet};
use crate::state::{site_key, Delta, Ids, Refs, RevenueStore, UsageStore};
use crate::stats::Stats;

/// A detector context over disjoint fields, so detectors can borrow it while the
/// candidate buffer and their own state are borrowed mutably.
macro_rules! ctx {
    ($s:expr) => {
        Ctx { rules: &$s.rules.rules, by_kind: &$s.by_kind, engine: &$s.rules.engine, refs: &$s.refs, ids: &$s.ids }
    };
}

/// What happened to one event.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Processed,
    Duplicate,
}

pub struct Pipeline {
    rules: RuleSet,
    by_kind: ByKind,
    access: AccessRules,
    ids: Ids,
    refs: Refs,
    dedup: Dedup,
    dept_revenue: RevenueStore,
    doctor_revenue: RevenueStore,
    track_doctor_revenue: bool,
    /// Days each revenue ring holds.
    ring_days: usize,
    /// Site-qualified department of each site-qualified doctor (from their charges).
    doctor_dept: Vec<u32>,
    usage: UsageStore,
    large_rx: LargeRx,
    surge: Surge,
    rep_visits: RepVisits,
    overuse: Overuse,
    /// Hospital of the latest event (the monthly review carries it).
    hospital: String,
    hospital_id: u32,
    cooldown: Cooldown,
    /// Longest rule cooldown: how long the cooldown table must remember a subject.
    max_cooldown: i64,
    watermark: Option<Ts>,
    first_day: Option<i32>,
    /// Last local day whose windows were judged.
    closed_day: Option<i32>,
    last_week: Option<i32>,
    cands: Vec<Candidate>,
    key_buf: String,
    pub stats: Stats,
}

impl Pipeline {
    pub fn new(rules: RuleSet) -> Pipeline {
        let mut ids = Ids::default();
        let refs = Refs::build(&rules.catalog, &mut ids);
        let lateness_days = rules.engine.allowed_lateness.days();
        let share_days = rules
            .rules
            .iter()
            .filter_map(|r| match &r.params {
                Params::Share(p) => Some(p.window.days() + p.baseline.days()),
                _ => None,
            })
            .max()
            .unwrap_or(1);
        let ring_days = (share_days + lateness_days + 2) as usize;
        let track_doctor_revenue = rules
            .rules
            .iter()
            .any(|r| matches!(&r.params, Params::Share(p) if p.scope == crate::rules::model::Scope::Doctor));
        let max_cooldown = rules.rules.iter().map(|r| r.cooldown.secs()).max().unwrap_or(0);
        Pipeline {
            by_kind: ByKind::new(&rules.rules),
            access: AccessRules::new(&rules.rules),
            dedup: Dedup::new(rules.engine.dedup_horizon.secs()),
            dept_revenue: RevenueStore::new(ring_days),
            doctor_revenue: RevenueStore::new(ring_days),
            track_doctor_revenue,
            ring_days,
            doctor_dept: Vec::new(),
            usage: UsageStore::default(),
            large_rx: LargeRx::default(),
            surge: Surge::default(),
            rep_visits: RepVisits::default(),
            overuse: Overuse::default(),
            hospital: String::new(),
            hospital_id: 0,
            cooldown: Cooldown::default(),
            max_cooldown,
            watermark: None,
            first_day: None,
            closed_day: None,
            last_week: None,
            cands: Vec::new(),
            key_buf: String::new(),
            stats: Stats::default(),
            ids,
            refs,
            rules,
        }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Processes one event; alerts it produced are appended to `out`.
    pub fn process(&mut self, ev: &Event, out: &mut Vec<Alert>) -> Outcome {
        let wm = self.watermark.map_or(ev.ts, |w| w.max(ev.ts));
        if !self.dedup.first_time(&ev.id, wm) {
            self.stats.duplicates += 1;
            return Outcome::Duplicate;
        }
        self.stats.events[ev.body.event_type() as usize] += 1;
        if self.hospital != ev.hospital {
            self.hospital = ev.hospital.to_string();
            self.hospital_id = self.ids.hospital.intern(&ev.hospital);
        }
        if self.watermark != Some(wm) {
            self.watermark = Some(wm);
            self.advance(wm, out);
        }
        let lateness = self.rules.engine.allowed_lateness.secs();
        let in_time = ev.ts.0 >= wm.0 - lateness;
        if !in_time {
            self.stats.late += 1;
        }
        let zone = self.rules.engine.zone;
        match &ev.body {
            Body::Rx(rx) => {
                let l = Line {
                    doctor: self.ids.doctor.intern(&rx.doctor),
                    drug: self.ids.drug.intern(&rx.drug),
                    dept: self.ids.dept.intern(&rx.dept),
                    day: zone.day(ev.ts),
                };
                self.count_unknown(l);
                if in_time {
                    let delta = Delta {
                        hospital: self.hospital_id,
                        doctor: l.doctor,
                        dept: l.dept,
                        drug: l.drug,
                        day: l.day,
                        week: zone.week(ev.ts),
                        sign: 1,
                        qty: rx.qty,
                        fen: rx.amount.0,
                        herbal: self.refs.herbal(l.drug),
                    };
                    self.count_volume(delta, rx.manufacturer.as_deref());
                }
                let ctx = ctx!(self);
                prescription::check(&ctx, ev, rx, l, &mut self.cands);
                self.large_rx.check(&ctx, ev, rx, l, &mut self.cands);
            }
            Body::Return(r) => {
                if in_time {
                    let drug = self.ids.drug.intern(&r.drug);
                    let delta = Delta {
                        hospital: self.hospital_id,
                        doctor: self.ids.doctor.intern(&r.doctor),
                        dept: self.ids.dept.intern(&r.dept),
                        drug,
                        day: zone.day(ev.ts),
                        week: zone.week(ev.ts),
                        sign: -1,
                        qty: r.qty,
                        fen: r.amount.0,
                        herbal: self.refs.herbal(drug),
                    };
                    self.count_volume(delta, None);
                }
            }
            Body::Charge(c) => {
                if in_time {
                    let day = zone.day(ev.ts);
                    site_key(&ev.hospital, &c.dept, &mut self.key_buf);
                    let k = self.ids.site_dept.intern(&self.key_buf);
                    self.dept_revenue.add(k, day, c.category, c.amount.0);
                    if let (true, Some(doc)) = (self.track_doctor_revenue, &c.doctor) {
                        site_key(&ev.hospital, doc, &mut self.key_buf);
                        let dk = self.ids.site_doctor.intern(&self.key_buf) as usize;
                        self.doctor_revenue.add(dk as u32, day, c.category, c.amount.0);
                        if self.doctor_dept.len() <= dk {
                            self.doctor_dept.resize(dk + 1, u32::MAX);
                        }
                        self.doctor_dept[dk] = k;
                    }
                }
            }
            Body::Access(a) => {
                let ctx = ctx!(self);
                self.access.check(&ctx, ev, a, &mut self.cands);
            }
            Body::RepVisit(v) => {
                let products = v.products.iter().map(|g| self.ids.drug.intern(g)).collect();
                let visit = NewVisit {
                    doctor: self.ids.doctor.intern(&v.doctor),
                    dept: self.ids.dept.intern(&v.dept),
                    manufacturer: self.ids.manufacturer.intern(&v.manufacturer),
                    products,
                    day: zone.day(ev.ts),
                    event_id: &ev.id,
                    hospital: &ev.hospital,
                    rep: &v.rep,
                    company: &v.company,
                };
                let ctx = ctx!(self);
                self.rep_visits.visit(&ctx, &self.usage, visit);
            }
        }
        let ts = ev.ts;
        self.emit(ts, out);
        Outcome::Processed
    }

    /// Volume state, open rep visits and the month's 超常预警 accumulators see every line
    /// and return in time.
    fn count_volume(&mut self, d: Delta, manufacturer: Option<&str>) {
        self.usage.apply(d);
        let m = manufacturer.map(|m| self.ids.manufacturer.intern(m));
        self.rep_visits.line(&self.refs, d.dept, d.doctor, (d.drug, d.herbal), m, d.day, f64::from(d.sign));
        self.overuse.add(month_of_day(d.day), d.doctor, d.drug, d.qty, d.fen, i64::from(d.sign));
    }

    fn count_unknown(&mut self, l: Line) {
        if self.refs.drug(l.drug).is_none() {
            self.stats.unknown_drug += 1;
        }
        if self.refs.doctor(l.doctor).is_none() {
            self.stats.unknown_doctor += 1;
        }
    }

    /// Closes every local day that the watermark has left behind by more than the allowed
    /// lateness, judging windowed rules and evicting idle state.
    fn advance(&mut self, wm: Ts, out: &mut Vec<Alert>) {
        let zone = self.rules.engine.zone;
        let lateness = self.rules.engine.allowed_lateness.secs();
        let first = *self.first_day.get_or_insert(zone.day(wm));
        // The last day whose end (plus lateness) the watermark has passed.
        let closable = zone.day(Ts(wm.0 - lateness)) - 1;
        let mut next = self.closed_day.map_or(first, |d| d + 1);
        // After a long silence nothing in the rings is left to judge day by day: skip to
        // the last stretch the state can still see.
        let span = self.ring_days as i32 + 7 * crate::state::usage::WEEKS as i32;
        if closable - next > span {
            next = closable - span;
        }
        while next <= closable {
            let ctx = ctx!(self);
            let stores = Stores {
                dept: &self.dept_revenue,
                doctor: &self.doctor_revenue,
                first_day: first,
                doctor_dept: &self.doctor_dept,
            };
            share::close_day(&ctx, &stores, next, &mut self.cands);
            let h = &self.hospital;
            self.surge.close_day(&ctx, &mut self.usage, next, first, &mut self.cands);
            peer::close_day(&ctx, &self.usage, next, first, &mut self.cands);
            concentration::close_day(&ctx, &self.usage, next, first, &mut self.cands);
            self.rep_visits.close_day(&ctx, next, first, &mut self.cands);
            self.usage.judged(next);
            if month_of_day(next + 1) != month_of_day(next) {
                // The first month counts as observed only when the stream starts on its 1st.
                let first_month = month_of_day(first) + i32::from(month_of_day(first - 1) == month_of_day(first));
                self.overuse.close_month(&ctx, month_of_day(next), first_month, h, &mut self.cands);
            }
            self.emit(share::close_ts(&zone, next), out);
            self.large_rx.evict(next);
            self.closed_day = Some(next);
            next += 1;
        }
        if let Some(d) = self.closed_day {
            self.cooldown.evict(zone.day_start(d + 1), self.max_cooldown.max(2 * crate::event::time::DAY));
        }
        let week = zone.week(wm);
        if self.last_week.is_some_and(|w| w < week) {
            let today = zone.day(wm);
            self.usage.evict_idle(today);
            self.dept_revenue.evict_idle(today - self.ring_days as i32);
            self.doctor_revenue.evict_idle(today - self.ring_days as i32);
        }
        self.last_week = Some(week);
    }

    /// Turns candidates into alerts: cooldown per rule and subject, deterministic ids.
    fn emit(&mut self, ts: Ts, out: &mut Vec<Alert>) {
        let zone = self.rules.engine.zone;
        for c in self.cands.drain(..) {
            let rule = &self.rules.rules[c.rule];
            let subject = c.subject();
            if !self.cooldown.admit(c.rule, &subject, &c.window, ts, rule.cooldown.secs()) {
                self.stats.suppressed += 1;
                continue;
            }
            let alert_id = alert_id(&rule.id, &subject, &c.window);
            self.stats.alerts[c.kind as usize] += 1;
            let mut evidence = c.evidence;
            evidence.insert("window".into(), c.window.clone().into());
            out.push(Alert {
                alert_id,
                rule: rule.id.clone(),
                kind: c.kind.as_str(),
                severity: c.severity.as_str(),
                ts: zone.format(ts),
                hospital: c.hospital,
                dept: c.dept,
                doctor: c.doctor,
                drug: c.drug,
                user: c.user,
                manufacturer: c.manufacturer,
                title: c.title,
                evidence,
            });
        }
    }

    /// The monthly 双排序 reviews: closed months, then the months still open (provisional).
    pub fn month_reports(&self) -> Vec<MonthReport> {
        let ctx = ctx!(self);
        let mut v = self.overuse.reports.clone();
        v.extend(self.overuse.provisional(&ctx));
        v
    }

    /// Sizes of the keyed state, for logs and the summary.
    pub fn state_sizes(&self) -> String {
        let (pairs, doctors, dept_drugs) = self.usage.sizes();
        format!(
            "dedup ids={} open rx={} dept windows={} doctor windows={} doctor×drug={} doctors={} dept×drug={} open visits={} cooldown={}",
            self.dedup.len(),
            self.large_rx.len(),
            self.dept_revenue.len(),
            self.doctor_revenue.len(),
            pairs,
            doctors,
            dept_drugs,
            self.rep_visits.len(),
            self.cooldown.len()
        )
    }
}
