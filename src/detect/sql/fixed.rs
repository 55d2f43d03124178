//! Columns fixed to a value (`ypdm = 'X'`, `IN ('A','B')`, `LIKE`, `= ANY(…)`, binds,
//! `DECODE(col, 'X', …)`) and columns equated to columns (joins), found where they stand in
//! the single pass: each looks at a few tokens around the one that triggers it.

use super::block::{Pass, Ref};
use super::lex::Kind;
use super::vocab;

impl Pass<'_> {
    /// The column reference ending at token `end` (`name`, `q.name`, `s.q.name`).
    pub(super) fn ref_ending(&self, end: usize) -> Option<Ref> {
        let k = self.k;
        if end == usize::MAX || !k.name(end) {
            return None;
        }
        // Caché's implicit join `a->b`: one reference, read at its end.
        if end >= 3 && k.punct(end - 1, b'>') && k.punct(end - 2, b'-') && k.name(end - 3) {
            return Some(Ref { qual: None, name: super::resolve::path_end(k, end) });
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
        // Caché's `a->b->c`: to the path's end (`ref_ending` reads it from there).
        while k.punct(end + 1, b'-') && k.punct(end + 2, b'>') && k.name(end + 3) {
            end += 3;
        }
        if k.punct(end + 1, b'(') {
            return None;
        }
        self.ref_ending(end)
    }

    /// The column an operand ending at `end` stands for: a reference, or the first argument
    /// of a function call around one (`UPPER(ypmc)`, `TRIM(a.ysdm)`, `%SQLUPPER(x->y)`).
    pub(super) fn operand_ending(&self, end: usize) -> Option<Ref> {
        let k = self.k;
        if !k.punct(end, b')') {
            return self.ref_ending(end);
        }
        // Back to the matching `(`, a bounded look (an operand is a short call).
        let mut depth = 0;
        for open in (end.saturating_sub(64)..end).rev() {
            if k.punct(open, b')') {
                depth += 1;
            } else if k.punct(open, b'(') {
                if depth == 0 {
                    if open == 0 || !self.keeps_value(open - 1) {
                        return None;
                    }
                    // Into nested calls: `UPPER(TRIM(ypmc))`, `%SQLUPPER(x)`.
                    let mut arg = open + 1;
                    let pct = |a: usize| usize::from(k.punct(a, b'%'));
                    while self.keeps_value(arg + pct(arg)) && k.punct(arg + 1 + pct(arg), b'(') {
                        arg += 2 + pct(arg);
                    }
                    return self.ref_starting(arg);
                }
                depth -= 1;
            }
        }
        None
    }

    /// Token `i` names a call that returns its first argument's value, only recased,
    /// trimmed or reformatted: `UPPER(ypmc) = 'X'` fixes `ypmc`; `SUBSTR(ypdm, 1, 1) = '1'`
    /// (a class by code prefix), `NVL(ypdm, 'x') = 'x'` (a null test) and `COUNT(ypdm) = 1` do
    /// not.
    fn keeps_value(&self, i: usize) -> bool {
        const KEEPS: &[&str] = &[
            "upper",
            "lower",
            "ucase",
            "lcase",
            "trim",
            "ltrim",
            "rtrim",
            "to_char",
            "sqlupper",
            "sqlstring",
            "alphaup",
        ];
        self.k.kind(i) == Some(Kind::Word) && KEEPS.iter().any(|w| self.k.word(i, w))
    }

    /// A value from token `i` on: a literal or bind, or one wrapped in a function call
    /// (`UPPER('x')`, `%SQLUPPER('x')`).
    pub(super) fn value_at(&self, i: usize) -> bool {
        let k = self.k;
        let i = if k.punct(i, b'%') { i + 1 } else { i };
        k.literal(i) || k.kind(i) == Some(Kind::Word) && k.punct(i + 1, b'(') && k.literal(i + 2)
    }

    pub(super) fn fixed_before(&mut self, i: usize, yes: bool) {
        if let (true, Some(r)) = (yes, self.operand_ending(i.wrapping_sub(1))) {
            if let Some(b) = self.block() {
                b.fixed.push(r);
            }
        }
    }

    /// A marker of drug lines (`drug_flag`, `xmlb`: `vocab::marker`) ending at token `end`,
    /// compared by `op` with the literals at `values`: when each keeps only drug lines, the
    /// block's fee items are drugs.
    pub(super) fn mark(&mut self, end: usize, op: &str, values: &[usize]) {
        let k = self.k;
        if !self.in_where() {
            return;
        }
        let (r, default) = match self.operand_ending(end) {
            Some(r) => (r, None),
            None => match self.null_default(end) {
                Some((r, d)) => (r, Some(d)),
                None => return,
            },
        };
        // The operand's first token: the column's, or the call's around it.
        let start = r.qual.unwrap_or(r.name) as usize - if default.is_some() { 2 } else { 0 };
        if self.negated(start) {
            return;
        }
        let literal = |v: usize| matches!(k.kind(v), Some(Kind::Str | Kind::Num));
        // A staff category kept to one kind of post: prescribers, or staff who do not
        // prescribe (a mix of both keeps neither).
        let posts: Vec<Option<bool>> =
            values.iter().map(|&v| if literal(v) { vocab::post(k.text(v)) } else { None }).collect();
        let category = vocab::staff_category(k.text(r.name as usize));
        if category && default.is_none() && op == "=" && !posts.is_empty() && posts.iter().all(|p| p.is_some()) {
            let doctors = posts.iter().all(|&p| p == Some(true));
            if doctors || posts.iter().all(|&p| p == Some(false)) {
                if let Some(b) = self.block() {
                    b.staff_rows.get_or_insert((r, doctors));
                }
            }
            return;
        }
        let Some(m) = vocab::marker(k.text(r.name as usize)) else { return };
        // `NVL(ypbz, '1') = '1'` lets lines without a flag through as drugs: not a marker.
        if default.is_some_and(|d| !literal(d) || self.passes(d, op, values)) {
            return;
        }
        if !values.is_empty() && values.iter().all(|&v| literal(v) && vocab::keeps_drugs(m, op, k.text(v))) {
            if let Some(b) = self.block() {
                b.drug_items.get_or_insert(r);
            }
        }
    }

    /// A null default around a column ending at the `)` at `end` (`NVL(ypbz, '0')`,
    /// `ISNULL`, `IFNULL`, `COALESCE` of one column and one literal): the column and the
    /// default's token.
    fn null_default(&self, end: usize) -> Option<(Ref, usize)> {
        let k = self.k;
        if !k.punct(end, b')') || end < 5 || !k.punct(end - 2, b',') {
            return None;
        }
        let r = self.ref_ending(end - 3)?;
        let open = r.qual.unwrap_or(r.name) as usize - 1;
        let call = ["nvl", "isnull", "ifnull", "coalesce"].iter().any(|w| k.word(open.wrapping_sub(1), w));
        (k.punct(open, b'(') && call && k.literal(end - 1)).then_some((r, end - 1))
    }

    /// Whether the literal at `d`, as the column's value, meets `op` against `values` (or
    /// might: an order of texts is not known).
    fn passes(&self, d: usize, op: &str, values: &[usize]) -> bool {
        let k = self.k;
        let v = |i: usize| k.text(i).trim_matches(['\'', '"']).trim().to_lowercase();
        let d = v(d);
        match op {
            "=" => values.iter().any(|&x| v(x) == d),
            "<>" | "!=" => values.iter().all(|&x| v(x) != d),
            _ => !values.iter().all(|&x| matches!((d.parse::<f64>(), v(x).parse::<f64>()), (Ok(a), Ok(b)) if a <= b)),
        }
    }

    /// A drug flag standing alone as a condition of the block's own WHERE (`WHERE is_drug`,
    /// `AND d.sfyp AND …`): true for drug lines only.
    pub(super) fn bare_flag(&mut self, end: usize) {
        let k = self.k;
        if !self.in_where() || k.punct(end + 1, b'.') || k.punct(end + 1, b'(') {
            return;
        }
        let Some(r) = self.ref_ending(end) else { return };
        let start = r.qual.unwrap_or(r.name) as usize;
        let before = start.wrapping_sub(1);
        let alone_before = k.word(before, "where") || k.word(before, "and");
        let after = end + 1;
        let alone_after = after >= k.len()
            || k.punct(after, b';')
            || k.punct(after, b')')
            || ["and", "group", "order", "having", "limit", "union"].iter().any(|w| k.word(after, w));
        if alone_before && alone_after && vocab::marker(k.text(end)) == Some(vocab::Marker::DrugFlag) {
            if let Some(b) = self.block() {
                b.drug_items.get_or_insert(r);
            }
        }
    }

    /// `v < col`, a column above a value written the other way round (`0 < yplx`).
    pub(super) fn less(&mut self, i: usize) {
        let k = self.k;
        if k.punct(i + 1, b'=') || k.punct(i + 1, b'>') || !k.literal(i.wrapping_sub(1)) || self.negated(i - 1) {
            return;
        }
        if let Some(r) = self.ref_starting(i + 1) {
            self.mark(r.name as usize, ">", &[i - 1]);
        }
    }

    /// `col > v` and `col <> v` (`>=` is read at its `=`; Caché's `->` is a path).
    pub(super) fn greater(&mut self, i: usize) {
        let k = self.k;
        let prev = i.wrapping_sub(1);
        if k.punct(i + 1, b'=') || k.punct(prev, b'-') {
            return;
        }
        if k.punct(prev, b'<') {
            self.mark(i.wrapping_sub(2), "<>", &[i + 1]);
        } else {
            self.mark(prev, ">", &[i + 1]);
        }
    }

    /// `col IN ('a', 'b')` starting at the `(` at `open`: its literals, when it holds only
    /// literals (at most 64); else none.
    pub(super) fn listed_values(&self, open: usize) -> Vec<usize> {
        let k = self.k;
        let mut out = Vec::new();
        let mut j = open + 1;
        while out.len() < 64 && k.literal(j) {
            out.push(j);
            if k.punct(j + 1, b')') {
                return out;
            }
            if !k.punct(j + 1, b',') {
                break;
            }
            j += 2;
        }
        Vec::new()
    }

    /// `left = right`: a column fixed to a value, or two columns equated.
    pub(super) fn equals(&mut self, i: usize) {
        let k = self.k;
        let prev = i.wrapping_sub(1);
        if k.punct(prev, b'!') {
            self.mark(i.wrapping_sub(2), "!=", &[i + 1]);
        }
        if [b'<', b'>', b'!', b':'].iter().any(|&c| k.punct(prev, c)) {
            return;
        }
        self.mark(prev, "=", &[i + 1]);
        let left = self.operand_ending(prev);
        let right = self.ref_starting(i + 1);
        let right_fixed = self.value_at(i + 1)
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
