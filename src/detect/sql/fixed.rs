//! Columns fixed to a value (`ypdm = 'X'`, `IN ('A','B')`, `LIKE`, `= ANY(…)`, binds,
//! `DECODE(col, 'X', …)`) and columns equated to columns (joins), found where they stand in
//! the single pass: each looks at a few tokens around the one that triggers it.

use super::block::{Pass, Ref};
use super::lex::Kind;

impl Pass<'_> {
    /// The column reference ending at token `end` (`name`, `q.name`, `s.q.name`).
    pub(super) fn ref_ending(&self, end: usize) -> Option<Ref> {
        let k = self.k;
        if end == usize::MAX || !k.name(end) {
            return None;
        }
        let qual = (end >= 2 && k.punct(end - 1, b'.') && k.name(end - 2)).then(|| end as u32 - 2);
        Some(Ref { qual, name: end as u32 })
    }

    /// The column reference starting at token `start`, and the index after it.
    pub(super) fn ref_starting(&self, start: usize) -> Option<Ref> {
        let k = self.k;
        if !k.name(start) {
            return None;
        }
        let mut end = start;
        while k.punct(end + 1, b'.') && k.name(end + 2) {
            end += 2;
        }
        if k.punct(end + 1, b'(') {
            return None;
        }
        self.ref_ending(end)
    }

    pub(super) fn fixed_before(&mut self, i: usize, yes: bool) {
        if let (true, Some(r)) = (yes, self.ref_ending(i.wrapping_sub(1))) {
            if let Some(b) = self.block() {
                b.fixed.push(r);
            }
        }
    }

    /// `left = right`: a column fixed to a value, or two columns equated.
    pub(super) fn equals(&mut self, i: usize) {
        let k = self.k;
        let prev = i.wrapping_sub(1);
        if [b'<', b'>', b'!', b':'].iter().any(|&c| k.punct(prev, c)) {
            return;
        }
        let left = self.ref_ending(prev);
        let right = self.ref_starting(i + 1);
        let right_fixed = k.literal(i + 1)
            || (k.word(i + 1, "any") || k.word(i + 1, "some")) && k.punct(i + 2, b'(')
            || k.word(i + 1, "date") && k.kind(i + 2) == Some(Kind::Str);
        let Some(b) = self.block() else { return };
        match (left, right) {
            (Some(l), Some(r)) => b.equalities.push((l, r)),
            (Some(l), None) if right_fixed => b.fixed.push(l),
            (None, Some(r)) if k.literal(prev) => b.fixed.push(r),
            _ => {}
        }
    }

    /// `decode(col, 'X', …)`: a per-value column, as in a pivot.
    pub(super) fn decode(&mut self, at: usize) {
        let Some(r) = self.ref_starting(at) else { return };
        let after = r.name as usize + 1;
        if self.k.punct(after, b',') && self.k.literal(after + 1) {
            if let Some(b) = self.block() {
                b.fixed.push(r);
            }
        }
    }
}
