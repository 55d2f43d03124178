//! Daily revenue per department and per doctor, split the way 药占比 and
//! 百元医疗收入卫生材料 need it. Money in fen.

use std::marker::PhantomData;

use crate::event::{Category, Day};

use super::intern::Handle;
use super::ring::Ring;

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Revenue {
    /// 西药 + 中成药.
    pub drug: i64,
    /// 中药饮片, kept apart: national assessment excludes it from 药占比.
    pub herbal: i64,
    pub material: i64,
    /// All medical revenue, drugs included.
    pub total: i64,
}

impl Revenue {
    pub fn add(&mut self, category: Category, fen: i64) {
        match category {
            Category::DrugWestern | Category::DrugPatent => self.drug += fen,
            Category::DrugHerbal => self.herbal += fen,
            Category::Material => self.material += fen,
            _ => {}
        }
        self.total += fen;
    }

    pub fn merge(&mut self, o: &Revenue) {
        self.drug += o.drug;
        self.herbal += o.herbal;
        self.material += o.material;
        self.total += o.total;
    }
}

pub type DayRing = Ring<Day, Box<[Revenue]>>;

/// Revenue rings keyed by the handles of one namespace (departments, or doctors).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RevenueStore<K> {
    days: usize,
    rings: Vec<Option<DayRing>>,
    _key: PhantomData<fn(K)>,
}

impl<K: Handle> RevenueStore<K> {
    pub fn new(days: usize) -> Self {
        RevenueStore { days: days.max(1), rings: Vec::new(), _key: PhantomData }
    }

    /// Days each ring holds.
    pub fn days(&self) -> usize {
        self.days
    }

    /// Rings of `days` days from now on (rules that changed their windows): each keeps the
    /// days it has that the new length still holds.
    pub fn resize(&mut self, days: usize) {
        let days = days.max(1);
        if days == self.days {
            return;
        }
        let keep = days.min(self.days) as i32;
        for ring in self.rings.iter_mut().flatten() {
            let head = ring.head();
            let mut new = Ring::new(head, vec![Revenue::default(); days].into_boxed_slice());
            for (day, b) in ring.range(head - (keep - 1), head) {
                if let Some(nb) = new.bucket_mut(day) {
                    *nb = *b;
                }
            }
            *ring = new;
        }
        self.days = days;
    }

    /// Adds to `key`'s bucket of `day`; false when the day is older than the ring holds.
    pub fn add(&mut self, key: K, day: Day, category: Category, fen: i64) -> bool {
        let k = key.index();
        if self.rings.len() <= k {
            self.rings.resize_with(k + 1, || None);
        }
        let days = self.days;
        let ring =
            self.rings[k].get_or_insert_with(|| Ring::new(day, vec![Revenue::default(); days].into_boxed_slice()));
        match ring.bucket_mut(day) {
            Some(b) => {
                b.add(category, fen);
                true
            }
            None => false,
        }
    }

    /// Sum over days `from..=to`, and how many of those days had any revenue.
    pub fn sum(&self, key: K, from: Day, to: Day) -> (Revenue, u32) {
        let mut total = Revenue::default();
        let mut active = 0;
        if let Some(Some(ring)) = self.rings.get(key.index()) {
            for (_, b) in ring.range(from, to) {
                if b.total != 0 {
                    active += 1;
                }
                total.merge(b);
            }
        }
        (total, active)
    }

    /// Keys that have a ring.
    pub fn keys(&self) -> impl Iterator<Item = K> + '_ {
        self.rings.iter().enumerate().filter(|(_, r)| r.is_some()).map(|(i, _)| K::from_raw(i as u32))
    }

    /// Drops rings idle since before `day` (a doctor who left).
    pub fn evict_idle(&mut self, day: Day) {
        for r in &mut self.rings {
            if r.as_ref().is_some_and(|ring| ring.head() < day) {
                *r = None;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.rings.iter().filter(|r| r.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::DeptId;

    #[test]
    fn a_resized_ring_keeps_the_days_it_still_holds() {
        let mut s: RevenueStore<DeptId> = RevenueStore::new(3);
        let k = DeptId::from_raw(0);
        for d in 1..=5 {
            s.add(k, Day(d), Category::Exam, 100 * i64::from(d));
        }
        s.resize(10);
        assert_eq!(s.sum(k, Day(1), Day(5)).0.total, 300 + 400 + 500, "days 3..=5 kept");
        s.add(k, Day(9), Category::Exam, 1);
        assert_eq!(s.sum(k, Day(1), Day(9)).0.total, 1201, "now ten days are held");
        s.resize(2);
        assert_eq!(s.sum(k, Day(1), Day(9)).0.total, 1, "days 8..=9 kept");
    }
}
