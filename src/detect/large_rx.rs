//! 大处方 (RX-01, RX-02): more distinct drugs on one outpatient/emergency prescription than
//! allowed (中药饮片 excluded), or a line's days of supply over the limit for its visit type
//! without a stated reason (长期处方 may run to 12 weeks). Lines of one prescription arrive
//! as separate events, so the distinct drugs of each open prescription are tracked until
//! it is a day old.

use rustc_hash::FxHashMap;
use serde_json::json;
use smallvec::SmallVec;

use crate::alert::Candidate;
use crate::event::{Day, Event, Rx, VisitType};
use crate::rules::model::LargeRxParams;
use crate::rules::{Kind, Params};
use crate::state::DrugId;

use super::prescription::Line;
use super::Ctx;

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct LargeRx {
    open: FxHashMap<u64, Open>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Open {
    day: Day,
    /// Distinct drugs so far, with whether each is herbal: inline up to eight (no allocation
    /// per prescription), checkpointed as the list it is.
    drugs: SmallVec<[(DrugId, bool); 8]>,
}

impl LargeRx {
    pub fn check(&mut self, ctx: &Ctx, ev: &Event, rx: &Rx, l: Line, out: &mut Vec<Candidate>) {
        let rules = ctx.by_kind.get(Kind::LargeRx);
        if rules.is_empty() || rx.visit_type == VisitType::Inpatient {
            return;
        }
        let herbal = ctx.refs.herbal(l.drug);
        let key = rx_key(&ev.hospital, &rx.rx_id);
        let open = self.open.entry(key).or_insert_with(|| Open { day: l.day, drugs: SmallVec::new() });
        let new_drug = !open.drugs.iter().any(|&(d, _)| d == l.drug);
        if new_drug {
            open.drugs.push((l.drug, herbal));
        }
        for &i in rules {
            let Params::LargeRx(p) = &ctx.rules[i].params else { continue };
            if new_drug && !(p.exclude_herbal && herbal) {
                let counted = open.drugs.iter().filter(|&&(_, h)| !(p.exclude_herbal && h)).count() as u32;
                // Fires once, when the count first passes the limit.
                if counted == p.max_lines + 1 {
                    out.push(lines_alert(ctx, i, ev, rx, l, p, open));
                }
            }
            if let Some((days, limit)) = days_over(rx, p) {
                out.push(days_alert(ctx, i, ev, rx, l, days, limit));
            }
        }
    }

    /// Forgets prescriptions opened before `day - 1`.
    pub fn evict(&mut self, day: Day) {
        self.open.retain(|_, o| o.day >= day - 1);
    }

    pub fn len(&self) -> usize {
        self.open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

/// xxh3 of `hospital`, a zero byte and `rx_id` (checkpointed: the same value however it is
/// computed). The one-shot hash of the bytes joined on the stack spares the streaming
/// hasher's set-up on every line; an id too long for the buffer streams.
fn rx_key(hospital: &str, rx_id: &str) -> u64 {
    let (a, b) = (hospital.as_bytes(), rx_id.as_bytes());
    let mut buf = [0u8; 128];
    if a.len() + 1 + b.len() <= buf.len() {
        buf[..a.len()].copy_from_slice(a);
        buf[a.len() + 1..a.len() + 1 + b.len()].copy_from_slice(b);
        return xxhash_rust::xxh3::xxh3_64(&buf[..a.len() + 1 + b.len()]);
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(hospital.as_bytes());
    h.update(&[0]);
    h.update(rx_id.as_bytes());
    h.digest()
}

/// (days, limit) when the line's supply exceeds its limit without an excuse.
fn days_over(rx: &Rx, p: &LargeRxParams) -> Option<(i64, i64)> {
    let days = rx.days?;
    if p.reason_exempts && rx.reason.is_some() {
        return None;
    }
    let limit = if rx.long_term {
        p.max_days_long_term
    } else {
        match rx.visit_type {
            VisitType::Outpatient => p.max_days_outpatient,
            VisitType::Emergency => p.max_days_emergency,
            VisitType::Inpatient => return None,
        }
    };
    (days > limit).then_some((days, limit))
}

fn start(ctx: &Ctx, i: usize, ev: &Event, rx: &Rx, window: &str) -> Candidate {
    let r = &ctx.rules[i];
    let mut c = Candidate::new(i, r.kind, r.severity, &ev.hospital, format!("{}:{window}", rx.rx_id));
    c.dept = Some(rx.dept.to_string());
    c.doctor = Some(rx.doctor.to_string());
    c.evidence("check", window)
        .evidence("rx_id", rx.rx_id.as_ref())
        .evidence("event_id", ev.id.as_ref())
        .evidence("visit_type", rx.visit_type.as_str())
        .evidence("sample_event_ids", json!([ev.id.as_ref()]))
}

fn lines_alert(ctx: &Ctx, i: usize, ev: &Event, rx: &Rx, l: Line, p: &LargeRxParams, open: &Open) -> Candidate {
    let drugs: Vec<&str> = open.drugs.iter().map(|&(d, _)| ctx.ids.drug.name(d)).collect();
    let mut c = start(ctx, i, ev, rx, "lines")
        .evidence("observed", p.max_lines + 1)
        .evidence("threshold", p.max_lines)
        .evidence("drugs", json!(drugs));
    c.title = format!(
        "大处方：{} 处方 {} 开具超过 {} 种药品（{}）",
        ctx.doctor_label(l.doctor),
        rx.rx_id,
        p.max_lines,
        rx.visit_type_zh()
    );
    c
}

fn days_alert(ctx: &Ctx, i: usize, ev: &Event, rx: &Rx, l: Line, days: i64, limit: i64) -> Candidate {
    let mut c = start(ctx, i, ev, rx, "days")
        .evidence("observed", days)
        .evidence("threshold", limit)
        .evidence("long_term", rx.long_term)
        .evidence("drug", rx.drug.as_ref());
    c.title = format!(
        "超量处方：{} 处方 {} 中 {} 用药 {} 天，超过{}限 {} 天且未注明理由",
        ctx.doctor_label(l.doctor),
        rx.rx_id,
        ctx.drug_label(l.drug, rx.drug_name.as_deref()),
        days,
        if rx.long_term { "长期处方" } else { rx.visit_type_zh() },
        limit
    );
    c
}

#[cfg(test)]
mod tests {
    #[test]
    fn open_prescriptions_checkpoint_as_they_did() {
        use super::*;
        use crate::state::Handle;
        for n in [0, 3, 8, 12] {
            let list: Vec<(DrugId, bool)> = (0..n).map(|i| (DrugId::from_raw(i * 7), i % 3 == 0)).collect();
            let open = Open { day: Day(20_000), drugs: list.iter().copied().collect() };
            let as_vec = postcard::to_allocvec(&(Day(20_000), &list)).unwrap();
            assert_eq!(postcard::to_allocvec(&open).unwrap(), as_vec, "{n} drugs");
            let back: Open = postcard::from_bytes(&as_vec).unwrap();
            assert_eq!(back.drugs.as_slice(), list.as_slice());
        }
    }

    #[test]
    fn rx_key_is_the_streamed_hash_at_every_length() {
        let long = "9".repeat(200);
        for (h, id) in [("H01", "RX1"), ("", ""), ("医院", "处方-0001"), ("H", long.as_str()), ("H", &long[..124])]
        {
            let mut s = xxhash_rust::xxh3::Xxh3::new();
            s.update(h.as_bytes());
            s.update(&[0]);
            s.update(id.as_bytes());
            assert_eq!(super::rx_key(h, id), s.digest(), "{h} {id}");
        }
    }
}
