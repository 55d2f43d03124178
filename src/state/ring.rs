//! A ring of time buckets (days or weeks) indexed by period number. Adding to a period
//! ahead of the head clears the slots skipped over; a period older than the ring holds is
//! refused, so memory per key is fixed whatever the stream does.

use serde::{Deserialize, Serialize};

use crate::event::{Day, Week};

/// A numbered period a ring is indexed by: a [`Day`] or a [`Week`] (a bare `i32` in tests).
pub trait Period: Copy + Ord {
    fn number(self) -> i32;
    fn of_number(n: i32) -> Self;
}

impl Period for Day {
    #[inline]
    fn number(self) -> i32 {
        self.0
    }
    #[inline]
    fn of_number(n: i32) -> Self {
        Day(n)
    }
}

impl Period for Week {
    #[inline]
    fn number(self) -> i32 {
        self.0
    }
    #[inline]
    fn of_number(n: i32) -> Self {
        Week(n)
    }
}

impl Period for i32 {
    #[inline]
    fn number(self) -> i32 {
        self
    }
    #[inline]
    fn of_number(n: i32) -> Self {
        n
    }
}

/// Bucket storage: an inline array (compact per-pair state) or a boxed slice (lengths
/// chosen at start from the rules).
pub trait Slots {
    type B: Copy + Default;
    fn slots(&self) -> &[Self::B];
    fn slots_mut(&mut self) -> &mut [Self::B];
    /// Storage holding `v`, when its length fits (checkpoints).
    fn from_vec(v: Vec<Self::B>) -> Option<Self>
    where
        Self: Sized;
}

impl<B: Copy + Default, const N: usize> Slots for [B; N] {
    type B = B;
    fn slots(&self) -> &[B] {
        self
    }
    fn slots_mut(&mut self) -> &mut [B] {
        self
    }
    fn from_vec(v: Vec<B>) -> Option<Self> {
        v.try_into().ok()
    }
}

impl<B: Copy + Default> Slots for Box<[B]> {
    type B = B;
    fn slots(&self) -> &[B] {
        self
    }
    fn slots_mut(&mut self) -> &mut [B] {
        self
    }
    fn from_vec(v: Vec<B>) -> Option<Self> {
        Some(v.into_boxed_slice())
    }
}

#[derive(Clone, Debug)]
pub struct Ring<P, S> {
    head: P,
    slots: S,
}

impl<P: Period, S: Slots> Ring<P, S> {
    pub fn new(head: P, slots: S) -> Self {
        Ring { head, slots }
    }

    #[inline]
    pub fn head(&self) -> P {
        self.head
    }

    #[inline]
    fn len(&self) -> i32 {
        self.slots.slots().len() as i32
    }

    #[inline]
    fn index(&self, period: i32) -> usize {
        period.rem_euclid(self.len()) as usize
    }

    /// Moves the head forward to `period`, clearing the slots it passes.
    pub fn advance(&mut self, period: P) {
        if period <= self.head {
            return;
        }
        let (head, period) = (self.head.number(), period.number());
        let clear_from = (head + 1).max(period - self.len() + 1);
        for p in clear_from..=period {
            let i = self.index(p);
            self.slots.slots_mut()[i] = S::B::default();
        }
        self.head = P::of_number(period);
    }

    /// The bucket of `period`, or `None` when it has fallen out of the ring.
    pub fn bucket_mut(&mut self, period: P) -> Option<&mut S::B> {
        self.advance(period);
        let n = period.number();
        if n <= self.head.number() - self.len() {
            return None;
        }
        let i = self.index(n);
        Some(&mut self.slots.slots_mut()[i])
    }

    /// Buckets of periods `from..=to` that the ring still holds, oldest first.
    pub fn range(&self, from: P, to: P) -> impl Iterator<Item = (P, &S::B)> + '_ {
        let head = self.head.number();
        let lo = from.number().max(head - self.len() + 1);
        let hi = to.number().min(head);
        (lo..=hi).map(move |p| (P::of_number(p), &self.slots.slots()[self.index(p)]))
    }
}

impl<P: Period, S: Slots> Ring<P, S> {
    /// The buckets of periods `from..=to` that the ring still holds, as at most two
    /// contiguous slices in storage order (the order of a sum's terms does not matter):
    /// a sum over them vectorises, where [`Ring::range`] indexes slot by slot.
    #[inline]
    pub fn slices(&self, from: P, to: P) -> (&[S::B], &[S::B]) {
        let head = self.head.number();
        let lo = from.number().max(head - self.len() + 1);
        let hi = to.number().min(head);
        if lo > hi {
            return (&[], &[]);
        }
        let (a, b) = (self.index(lo), self.index(hi));
        let slots = self.slots.slots();
        if a <= b {
            (&slots[a..=b], &[])
        } else {
            (&slots[a..], &slots[..=b])
        }
    }
}

/// Checkpointed as its head and its slots in storage order.
impl<P: Serialize, S: Slots> Serialize for Ring<P, S>
where
    S::B: Serialize,
{
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        (&self.head, self.slots.slots()).serialize(s)
    }
}

impl<'de, P: Deserialize<'de>, S: Slots> Deserialize<'de> for Ring<P, S>
where
    S::B: Deserialize<'de>,
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (head, v): (P, Vec<S::B>) = Deserialize::deserialize(d)?;
        let n = v.len();
        let slots =
            S::from_vec(v).ok_or_else(|| serde::de::Error::custom(format!("a ring of {n} slots does not fit")))?;
        Ok(Ring { head, slots })
    }
}

/// `#[serde(with = "arr")]` for boxed arrays longer than serde's 32.
pub mod arr {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer, const N: usize>(a: &[T; N], s: S) -> Result<S::Ok, S::Error> {
        a.as_slice().serialize(s)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<Box<[T; N]>, D::Error> {
        let v = Vec::<T>::deserialize(d)?;
        let n = v.len();
        v.into_boxed_slice()
            .try_into()
            .map_err(|_| serde::de::Error::custom(format!("{n} values where {N} were expected")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_n_periods() {
        let mut r = Ring::new(10, [0u32; 4]);
        *r.bucket_mut(10).unwrap() += 1;
        *r.bucket_mut(12).unwrap() += 5;
        assert_eq!(r.range(9, 12).map(|(_, v)| *v).collect::<Vec<_>>(), vec![0, 1, 0, 5]);
        *r.bucket_mut(14).unwrap() += 7;
        assert!(r.bucket_mut(10).is_none(), "fell out");
        assert_eq!(r.range(0, 20).map(|(p, v)| (p, *v)).collect::<Vec<_>>(), vec![(11, 0), (12, 5), (13, 0), (14, 7)]);
        *r.bucket_mut(100).unwrap() += 1;
        assert_eq!(r.range(0, 200).map(|(_, v)| *v).sum::<u32>(), 1, "a long jump clears everything");
        *r.bucket_mut(98).unwrap() += 2;
        *r.bucket_mut(99).unwrap() += 4;
        for (from, to) in [(0, 200), (97, 99), (98, 100), (99, 99), (101, 120), (50, 60), (100, 97)] {
            let (a, b) = r.slices(from, to);
            let by_range: u32 = r.range(from, to).map(|(_, v)| *v).sum();
            assert_eq!(a.iter().chain(b).sum::<u32>(), by_range, "{from}..={to}");
            assert_eq!(a.len() + b.len(), r.range(from, to).count(), "{from}..={to}");
        }
    }
}
