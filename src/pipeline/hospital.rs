//! One hospital's state: the unit of state and of event time. Codes of doctors, drugs and
//! departments and event ids are unique only within a hospital, so each hospital has its
//! own ids, reference data, dedup, statistics, detector state, cooldowns and clock; one
//! hospital's outage or backlog makes no other hospital's events late. The compiled rules
//! ([`Plan`]) are borrowed, never owned, so a reload can swap them.

use crate::alert::id::alert_id;
use crate::alert::{Alert, Candidate, Cooldown};
use crate::dedup::Dedup;
use crate::detect::bulk::AccessNorms;
use crate::detect::large_rx::LargeRx;
use crate::detect::overuse::{MonthReport, Overuse};
use crate::detect::prescription::{self, Line};
use crate::detect::rep_visit::{NewVisit, RepVisits};
use crate::detect::share::{self, Stores};
use crate::detect::surge::Surge;
use crate::detect::{concentration, peer, Ctx};
use crate::event::time::DAY;
use crate::event::{Body, Day, Event, Ts, Week};
use crate::state::clock::{Admit, Clock};
use crate::state::{Delta, DeptId, DoctorId, Handle, Ids, Refs, RevenueStore, UsageStore};
use crate::stats::Stats;

use super::plan::Plan;
use super::{Parked, SetAside, Why};

/// A detector context over disjoint fields, so detectors can borrow it while the
/// candidate buffer and their own state are borrowed mutably.
macro_rules! ctx {
    ($plan:expr, $h:expr) => {
        Ctx {
            rules: &$plan.rules.rules,
            by_kind: &$plan.by_kind,
            engine: &$plan.rules.engine,
            refs: &$h.refs,
            ids: &$h.ids,
            hospital: &$h.name,
        }
    };
}

/// Buffers the pipeline lends a hospital for one call.
pub struct Io<'a> {
    pub cands: &'a mut Vec<Candidate>,
    pub out: &'a mut Vec<Alert>,
    pub stats: &'a mut Stats,
    pub set_aside: &'a mut Vec<SetAside>,
}

/// Checkpointed whole except `refs`, which is rebuilt from the rules' catalog on restore
/// ([`HospitalState::restored`]): reference data belongs to the rules, not to the stream.
/// Written through [`Form`], read back by the derived form (the same fields).
#[derive(Debug, serde::Deserialize)]
pub struct HospitalState {
    pub name: String,
    ids: Ids,
    #[serde(skip)]
    refs: Refs,
    clock: Clock<Parked>,
    dedup: Dedup,
    dept_revenue: RevenueStore<DeptId>,
    doctor_revenue: RevenueStore<DoctorId>,
    /// Department of each doctor (by doctor handle, from their charges), when known.
    doctor_dept: Vec<Option<DeptId>>,
    usage: UsageStore,
    large_rx: LargeRx,
    /// What is normal for each account of the audit stream (`bulk_export`, off-hours).
    access: AccessNorms,
    surge: Surge,
    rep_visits: RepVisits,
    overuse: Overuse,
    cooldown: Cooldown,
    /// First local day of the hospital's stream (from the clock's start).
    first_day: Option<Day>,
    /// Last local day whose windows were judged.
    closed_day: Option<Day>,
    last_week: Option<Week>,
    /// Watermark the days were last closed for.
    advanced_to: Option<Ts>,
}

/// The written form of a [`HospitalState`]: its fields in their order, with `overuse` in the
/// form that holds its months' pairs (which live in `usage`'s pairs while the month is open).
#[derive(serde::Serialize)]
#[serde(rename = "HospitalState")]
struct Form<'a, O: serde::Serialize> {
    name: &'a String,
    ids: &'a Ids,
    clock: &'a Clock<Parked>,
    dedup: &'a Dedup,
    dept_revenue: &'a RevenueStore<DeptId>,
    doctor_revenue: &'a RevenueStore<DoctorId>,
    doctor_dept: &'a Vec<Option<DeptId>>,
    usage: &'a UsageStore,
    large_rx: &'a LargeRx,
    access: &'a AccessNorms,
    surge: &'a Surge,
    rep_visits: &'a RepVisits,
    overuse: O,
    cooldown: &'a Cooldown,
    first_day: &'a Option<Day>,
    closed_day: &'a Option<Day>,
    last_week: &'a Option<Week>,
    advanced_to: &'a Option<Ts>,
}

impl serde::Serialize for HospitalState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Destructured whole: a field added to the state and not to the form does not build.
        let HospitalState {
            name,
            ids,
            refs: _,
            clock,
            dedup,
            dept_revenue,
            doctor_revenue,
            doctor_dept,
            usage,
            large_rx,
            access,
            surge,
            rep_visits,
            overuse,
            cooldown,
            first_day,
            closed_day,
            last_week,
            advanced_to,
        } = self;
        Form {
            name,
            ids,
            clock,
            dedup,
            dept_revenue,
            doctor_revenue,
            doctor_dept,
            usage,
            large_rx,
            access,
            surge,
            rep_visits,
            overuse: overuse.form(usage),
            cooldown,
            first_day,
            closed_day,
            last_week,
            advanced_to,
        }
        .serialize(s)
    }
}

impl HospitalState {
    pub fn new(plan: &Plan, name: &str) -> HospitalState {
        let (ids, refs) = plan.refs_for(name);
        HospitalState {
            name: name.to_owned(),
            ids,
            refs,
            clock: Clock::default(),
            dedup: Dedup::new(plan.rules.engine.dedup_horizon.secs()),
            dept_revenue: RevenueStore::new(plan.ring_days),
            doctor_revenue: RevenueStore::new(plan.ring_days),
            doctor_dept: Vec::new(),
            usage: UsageStore::default(),
            large_rx: LargeRx::default(),
            access: AccessNorms::default(),
            surge: Surge::default(),
            rep_visits: RepVisits::default(),
            overuse: Overuse::default(),
            cooldown: Cooldown::default(),
            first_day: None,
            closed_day: None,
            last_week: None,
            advanced_to: None,
        }
    }

    /// A hospital read back from a checkpoint, its reference data rebuilt from `plan`'s
    /// catalog. The ids keep their handles; codes the catalog added since get new ones.
    pub fn restored(mut self, plan: &Plan) -> HospitalState {
        self.reshape(plan);
        self
    }

    /// Takes on `plan` (a restore, or a rules reload): the reference data is rebuilt from
    /// its catalog, the revenue rings take the length its share windows need and the dedup
    /// its horizon; statistics, detector state, clock and cooldowns stay.
    pub fn reshape(&mut self, plan: &Plan) {
        self.refs = Refs::build(plan.rules.catalog_for(&self.name), &mut self.ids);
        self.dept_revenue.resize(plan.ring_days);
        self.doctor_revenue.resize(plan.ring_days);
        self.dedup.set_horizon(plan.rules.engine.dedup_horizon.secs());
    }

    /// Reloaded rules: the bulk-export calibrations follow their rules' ids (`from[j]`: the
    /// old slot of new bulk rule `j`).
    pub fn remap_bulk_slots(&mut self, from: &[Option<usize>]) {
        self.access.remap_slots(from);
    }

    /// An arriving event: dedup, per-event rules (whatever its time: a 统方 query stamped by
    /// a wrong clock is still one), then the clock decides whether its state is applied now,
    /// held until the stream confirms its time, or never.
    pub fn arrive(
        &mut self,
        plan: &Plan,
        ev: &Event,
        parked: impl FnOnce() -> Parked,
        now: Option<Ts>,
        io: Io,
    ) -> bool {
        if !self.dedup.first_time(&ev.id, self.clock.watermark()) {
            io.stats.duplicates += 1;
            return false;
        }
        io.stats.events[ev.body.event_type() as usize] += 1;
        let line = self.per_event(plan, ev, io.cands, io.stats);
        self.emit(plan, ev.ts, zone_day(plan, ev.ts), io.cands, io.out, io.stats);
        let skew = plan.rules.engine.max_future_skew.secs();
        if now.is_some_and(|n| ev.ts.0 > n.0 + skew) {
            io.stats.future += 1;
            io.set_aside.push(parked().set_aside(&self.name, Why::AheadOfClock));
            return true;
        }
        let Io { cands, out, stats, set_aside } = io;
        let admit = self.clock.arrive(ev.ts, skew);
        if admit == Admit::Held {
            self.clock.hold(ev.ts, parked());
        }
        // The event in reach goes first: it is behind anything held, which its vote may now
        // confirm.
        if admit == Admit::Now {
            self.step(plan, ev, line, cands, out, stats);
        }
        self.release(plan, skew, cands, out, stats);
        for h in self.clock.expire() {
            stats.future += 1;
            set_aside.push(h.item.set_aside(&self.name, Why::Unconfirmed));
        }
        true
    }

    /// Applies one event's state in its time order: moves the watermark, closes the days it
    /// leaves behind, then counts the event (unless it is late).
    fn step(
        &mut self,
        plan: &Plan,
        ev: &Event,
        line: Option<Line>,
        cands: &mut Vec<Candidate>,
        out: &mut Vec<Alert>,
        stats: &mut Stats,
    ) {
        self.clock.applied(ev.ts);
        let wm = self.clock.watermark().expect("applied");
        let in_time = ev.ts.0 >= wm.0 - plan.rules.engine.allowed_lateness.secs();
        if self.first_day.is_none() {
            // The stream's first day: of its first event in time (an ancient first line is
            // late by now and opens nothing).
            self.first_day = Some(plan.rules.engine.zone.day(if in_time { ev.ts.min(wm) } else { wm }));
        }
        if self.advanced_to != Some(wm) {
            self.advanced_to = Some(wm);
            self.advance(plan, wm, cands, out, stats);
        }
        if !in_time {
            stats.late += 1;
        }
        self.apply(plan, ev, line, in_time);
        self.emit(plan, ev.ts, zone_day(plan, ev.ts), cands, out, stats);
    }

    /// Per-event rules and counts of unknown codes, at arrival. Returns a line's interned
    /// codes, so applying it now interns nothing twice.
    fn per_event(&mut self, plan: &Plan, ev: &Event, cands: &mut Vec<Candidate>, stats: &mut Stats) -> Option<Line> {
        let zone = plan.rules.engine.zone;
        match &ev.body {
            Body::Rx(rx) => {
                let l = Line {
                    doctor: self.ids.doctor.intern(&rx.doctor),
                    drug: self.ids.drug.intern(&rx.drug),
                    dept: self.ids.dept.intern(&rx.dept),
                    day: zone.day(ev.ts),
                };
                if !self.refs.known_drug(l.drug) {
                    stats.unknown_drug += 1;
                }
                if self.refs.doctor(l.doctor).is_none() {
                    stats.unknown_doctor += 1;
                }
                let ctx = ctx!(plan, self);
                prescription::check(&ctx, ev, rx, l, cands);
                self.large_rx.check(&ctx, ev, rx, l, cands);
                return Some(l);
            }
            Body::Access(a) => {
                // The norms learn only from events within a week of the hospital's watermark
                // either way: a wrong clock (a year ahead, a decade back) must not move the
                // days, months or warm-up they count. (Held events a few hours ahead are the
                // ordinary disorder of an audit log kept per account: they are learned.)
                let trusted = self.clock.watermark().is_none_or(|w| (ev.ts.0 - w.0).abs() <= 7 * DAY);
                plan.access.check(&ctx!(plan, self), &mut self.access, trusted, ev, a, cands)
            }
            _ => {}
        }
        None
    }

    /// Windowed state: volume, revenue, rep visits. Late lines and charges are not counted.
    fn apply(&mut self, plan: &Plan, ev: &Event, line: Option<Line>, in_time: bool) {
        let zone = plan.rules.engine.zone;
        let (day, week) = (zone.day(ev.ts), zone.week(ev.ts));
        match &ev.body {
            Body::Rx(rx) if in_time => {
                let l = line.unwrap_or_else(|| Line {
                    doctor: self.ids.doctor.intern(&rx.doctor),
                    drug: self.ids.drug.intern(&rx.drug),
                    dept: self.ids.dept.intern(&rx.dept),
                    day,
                });
                let delta = Delta {
                    doctor: l.doctor,
                    dept: l.dept,
                    drug: l.drug,
                    day,
                    week,
                    sign: 1,
                    qty: rx.qty,
                    fen: rx.amount.0,
                    herbal: self.refs.herbal(l.drug),
                };
                self.count_volume(delta, rx.manufacturer.as_deref());
            }
            Body::Return(r) if in_time => {
                let drug = self.ids.drug.intern(&r.drug);
                let delta = Delta {
                    doctor: self.ids.doctor.intern(&r.doctor),
                    dept: self.ids.dept.intern(&r.dept),
                    drug,
                    day,
                    week,
                    sign: -1,
                    qty: r.qty,
                    fen: r.amount.0,
                    herbal: self.refs.herbal(drug),
                };
                self.count_volume(delta, None);
            }
            Body::Charge(c) if in_time => {
                let k = self.ids.dept.intern(&c.dept);
                self.dept_revenue.add(k, day, c.category, c.amount.0);
                if let (true, Some(doc)) = (plan.track_doctor_revenue, &c.doctor) {
                    let dk = self.ids.doctor.intern(doc);
                    self.doctor_revenue.add(dk, day, c.category, c.amount.0);
                    let dk = dk.index();
                    if self.doctor_dept.len() <= dk {
                        self.doctor_dept.resize(dk + 1, None);
                    }
                    self.doctor_dept[dk] = Some(k);
                }
            }
            Body::RepVisit(v) => {
                let products = v.products.iter().map(|g| self.ids.drug.intern(g)).collect();
                let visit = NewVisit {
                    doctor: self.ids.doctor.intern(&v.doctor),
                    dept: self.ids.dept.intern(&v.dept),
                    manufacturer: self.ids.manufacturer.intern(&v.manufacturer),
                    products,
                    day,
                    first_day: self.first_day.unwrap_or(day),
                    event_id: &ev.id,
                    hospital: &ev.hospital,
                    rep: &v.rep,
                    company: &v.company,
                };
                let ctx = ctx!(plan, self);
                self.rep_visits.visit(&ctx, &self.usage, visit);
            }
            _ => {}
        }
    }

    /// Volume state, open rep visits and the month's 超常预警 accumulators see every line
    /// and return in time.
    fn count_volume(&mut self, d: Delta, manufacturer: Option<&str>) {
        let pair = self.usage.apply(d).pair;
        self.overuse.add(&mut pair.months, d.day.month(), d.doctor, d.drug, d.qty, d.fen, i64::from(d.sign));
        let m = manufacturer.map(|m| self.ids.manufacturer.intern(m));
        self.rep_visits.line(&self.refs, d.dept, d.doctor, (d.drug, d.herbal), m, d.day, f64::from(d.sign));
    }

    /// Closes every local day that the watermark has left behind by more than the allowed
    /// lateness, judging windowed rules and evicting idle state.
    fn advance(&mut self, plan: &Plan, wm: Ts, cands: &mut Vec<Candidate>, out: &mut Vec<Alert>, stats: &mut Stats) {
        let zone = plan.rules.engine.zone;
        let lateness = plan.rules.engine.allowed_lateness.secs();
        let first = self.first_day.expect("set on the first step");
        // The last day whose end (plus lateness) the watermark has passed.
        let closable = zone.day(Ts(wm.0 - lateness)) - 1;
        let mut next = self.closed_day.map_or(first, |d| d + 1);
        // After a long silence nothing in the rings is left to judge day by day: skip to
        // the last stretch the state can still see.
        let span = plan.ring_days as i32 + 7 * crate::state::usage::WEEKS as i32;
        if closable - next > span {
            next = closable - span;
        }
        while next <= closable {
            self.close_day(plan, next, first, cands);
            self.emit(plan, share::close_ts(&zone, next), next, cands, out, stats);
            self.large_rx.evict(next);
            self.closed_day = Some(next);
            next += 1;
        }
        if let Some(d) = self.closed_day {
            self.cooldown.evict(zone.day_start(d + 1), plan.max_cooldown.max(2 * DAY));
        }
        let week = zone.week(wm);
        if self.last_week.is_some_and(|w| w < week) {
            let today = zone.day(wm);
            let held = self.usage.evict_idle(today);
            self.overuse.keep_evicted(held);
            self.dept_revenue.evict_idle(today - plan.ring_days as i32);
            self.doctor_revenue.evict_idle(today - plan.ring_days as i32);
        }
        self.last_week = Some(week);
    }

    fn close_day(&mut self, plan: &Plan, day: Day, first: Day, cands: &mut Vec<Candidate>) {
        let ctx = ctx!(plan, self);
        let stores = Stores {
            dept: &self.dept_revenue,
            doctor: &self.doctor_revenue,
            first_day: first,
            doctor_dept: &self.doctor_dept,
        };
        share::close_day(&ctx, &stores, day, cands);
        // Surge's expectations, peer_outlier and concentration only read the volume state:
        // on a busy day they run side by side (candidates in the same order either way).
        let usage = &self.usage;
        let pairs = usage.touched_len() + self.surge.hot_len();
        match plan.parallel_close {
            Some(min) if pairs >= min => {
                let job = self.surge.plan_day(&ctx, usage, day, first);
                let (rows, others) = super::close::shared(&ctx, usage, job.as_ref(), day, first);
                if let Some(job) = job {
                    self.surge.apply_day(&ctx, &mut self.usage, job.finish(rows), cands);
                }
                cands.extend(others);
            }
            _ => {
                if let Some(e) = self.surge.expect_day(&ctx, usage, day, first) {
                    self.surge.apply_day(&ctx, &mut self.usage, e, cands);
                }
                peer::close_day(&ctx, &self.usage, day, first, cands);
                concentration::close_day(&ctx, &self.usage, day, first, cands);
            }
        }
        self.rep_visits.close_day(&ctx, day, first, self.usage.doctors.len(), self.surge.dispersion(), cands);
        self.usage.judged(day);
        if (day + 1).month() != day.month() {
            // The first month counts as observed only when the stream starts on its 1st.
            let first_month = first.month() + i32::from((first - 1).month() == first.month());
            self.overuse.close_month(&ctx, &mut self.usage, day.month(), first_month, cands);
        }
    }

    /// Turns candidates into alerts: approved exceptions (by `day`, the local day the alerts
    /// judge: an event's, or a closed window's last), cooldown per rule and subject,
    /// deterministic ids.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        plan: &Plan,
        ts: Ts,
        day: Day,
        cands: &mut Vec<Candidate>,
        out: &mut Vec<Alert>,
        stats: &mut Stats,
    ) {
        if cands.is_empty() {
            return;
        }
        let zone = plan.rules.engine.zone;
        for c in cands.drain(..) {
            let rule = &plan.rules.rules[c.rule];
            if !rule.exceptions.is_empty() && rule.exceptions.iter().any(|e| e.covers(&c, day)) {
                stats.excepted[c.kind as usize] += 1;
                continue;
            }
            let subject = c.subject();
            if !self.cooldown.admit(&rule.id, &subject, &c.window, ts, rule.cooldown.secs()) {
                stats.suppressed += 1;
                continue;
            }
            let alert_id = alert_id(&rule.id, &subject, &c.window);
            stats.alerts[c.kind as usize] += 1;
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

    /// At the end of an input: a clock that never started (fewer events than it needs)
    /// starts on what came, and its held events are applied.
    pub fn finish(&mut self, plan: &Plan, io: Io) {
        if self.clock.watermark().is_some() {
            return;
        }
        self.clock.start_if_idle();
        self.release(plan, plan.rules.engine.max_future_skew.secs(), io.cands, io.out, io.stats);
    }

    /// Starts the clock of a trusted input (a rule's examples) at its earliest event.
    pub fn start_clock_at(&mut self, ts: Ts) {
        self.clock.start_at(ts);
    }

    /// The end of a trusted input: every held event is applied, in time order.
    pub fn finish_trusted(&mut self, plan: &Plan, io: Io) {
        self.release(plan, i64::from(i32::MAX), io.cands, io.out, io.stats);
    }

    /// Applies the held events the stream has confirmed, in time order; each applied
    /// event moves the clock, which may confirm more (a sparse feed catching up).
    fn release(&mut self, plan: &Plan, skew: i64, cands: &mut Vec<Candidate>, out: &mut Vec<Alert>, stats: &mut Stats) {
        loop {
            let released = self.clock.release(skew);
            if released.is_empty() {
                return;
            }
            for h in released {
                self.step(plan, &h.item.ev, None, cands, out, stats);
            }
        }
    }

    /// The hospital's trusted event time, once its clock has started.
    pub fn watermark(&self) -> Option<Ts> {
        self.clock.watermark()
    }

    pub fn held(&self) -> usize {
        self.clock.held_len()
    }

    pub fn access_accounts(&self) -> (usize, u64) {
        (self.access.accounts.len(), self.access.accounts.over_cap)
    }

    /// The monthly 双排序 reviews: closed months, then the months still open (provisional).
    pub fn month_reports(&self, plan: &Plan) -> Vec<MonthReport> {
        let ctx = ctx!(plan, self);
        let mut v = self.overuse.reports.clone();
        v.extend(self.overuse.provisional(&ctx, &self.usage));
        v
    }

    /// Sizes of the keyed state: (name, count) pairs, for logs, the summary and tests.
    pub fn sizes(&self) -> [(&'static str, usize); 12] {
        let (pairs, doctors, dept_drugs) = self.usage.sizes();
        [
            ("dedup ids", self.dedup.len()),
            ("open rx", self.large_rx.len()),
            ("dept windows", self.dept_revenue.len()),
            ("doctor windows", self.doctor_revenue.len()),
            ("doctor×drug", pairs),
            ("doctors", doctors),
            ("dept×drug", dept_drugs),
            ("open visits", self.rep_visits.len()),
            ("cooldown", self.cooldown.len()),
            ("held", self.clock.held_len()),
            ("accounts", self.access.accounts.len()),
            ("accounts over cap", self.access.accounts.over_cap as usize),
        ]
    }
}

/// The local day of `ts` in the hospital's zone.
fn zone_day(plan: &Plan, ts: Ts) -> Day {
    plan.rules.engine.zone.day(ts)
}
