//! A ring of time buckets (days or weeks) indexed by period number. Adding to a period
//! ahead of the head clears the slots skipped over; a period older than the ring holds is
//! refused, so memory per key is fixed whatever the stream does.

/// Bucket storage: an inline array (compact per-pair state) or a boxed slice (lengths
/// chosen at start from the rules).
pub trait Slots {
    type B: Copy + Default;
    fn slots(&self) -> &[Self::B];
    fn slots_mut(&mut self) -> &mut [Self::B];
}

impl<B: Copy + Default, const N: usize> Slots for [B; N] {
    type B = B;
    fn slots(&self) -> &[B] {
        self
    }
    fn slots_mut(&mut self) -> &mut [B] {
        self
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
}

#[derive(Clone, Debug)]
pub struct Ring<S> {
    head: i32,
    slots: S,
}

impl<S: Slots> Ring<S> {
    pub fn new(head: i32, slots: S) -> Self {
        Ring { head, slots }
    }

    pub fn head(&self) -> i32 {
        self.head
    }

    fn len(&self) -> i32 {
        self.slots.slots().len() as i32
    }

    fn index(&self, period: i32) -> usize {
        period.rem_euclid(self.len()) as usize
    }

    /// Moves the head forward to `period`, clearing the slots it passes.
    pub fn advance(&mut self, period: i32) {
        if period <= self.head {
            return;
        }
        let clear_from = (self.head + 1).max(period - self.len() + 1);
        for p in clear_from..=period {
            let i = self.index(p);
            self.slots.slots_mut()[i] = S::B::default();
        }
        self.head = period;
    }

    /// The bucket of `period`, or `None` when it has fallen out of the ring.
    pub fn bucket_mut(&mut self, period: i32) -> Option<&mut S::B> {
        self.advance(period);
        if period <= self.head - self.len() {
            return None;
        }
        let i = self.index(period);
        Some(&mut self.slots.slots_mut()[i])
    }

    /// Buckets of periods `from..=to` that the ring still holds, oldest first.
    pub fn range(&self, from: i32, to: i32) -> impl Iterator<Item = (i32, &S::B)> + '_ {
        let lo = from.max(self.head - self.len() + 1);
        let hi = to.min(self.head);
        (lo..=hi).map(move |p| (p, &self.slots.slots()[self.index(p)]))
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
    }
}
