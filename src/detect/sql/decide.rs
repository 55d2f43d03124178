//! The decision for one block, from the hits of each of its groupings and of its fixed
//! columns (see `resolve` for what counts); grouping sets and correlated columns.

use super::block::{Block, Ref, Span};
use super::resolve::{lower, Hit, Resolver, Scope};
use super::Finding;
use crate::rules::dictionary::Dimension;

impl Resolver<'_> {
    /// `grouping sets (…)`: each set's span.
    pub(super) fn grouping_sets(&mut self, (a, b): Span) -> Option<Vec<Span>> {
        let k = self.k;
        if !(k.word(a as usize, "grouping") && k.word(a as usize + 1, "sets") && k.punct(a as usize + 2, b'(')) {
            return None;
        }
        let at = a as usize + 1;
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0usize, at as u32 + 2);
        for i in self.walk((at as u32 + 1, b)) {
            let i = i as usize;
            if k.punct(i, b'(') {
                depth += 1;
            } else if k.punct(i, b')') {
                depth -= 1;
                if depth == 0 {
                    parts.push((start, i as u32));
                    break;
                }
            } else if k.punct(i, b',') && depth == 1 {
                parts.push((start, i as u32));
                start = i as u32 + 1;
            }
        }
        Some(parts)
    }

    /// In a nested block, `col = outer.col` fixes `col` per row of the outer query.
    pub(super) fn correlated(&self, b: &Block, s: &Scope) -> Vec<Hit> {
        let mut out = Vec::new();
        for (l, r) in &b.equalities {
            let known = |r: &Ref| r.qual.is_none_or(|q| s.tables.contains_key(&lower(self.k, q)));
            for (inner, outer) in [(l, r), (r, l)] {
                if !known(outer) && known(inner) {
                    if let Some(mut h) = self.hit(s, inner) {
                        h.basis = format!("{} (correlated)", h.basis);
                        out.push(h);
                    }
                }
            }
        }
        out
    }
}

impl Resolver<'_> {
    /// A drug (or a doctor) that a subquery in WHERE fixes for the block (scope `outer`):
    /// `EXISTS (select 1 from drug_dict d where d.drug_id = o.item_id and d.generic_name =
    /// 'X')`, `o.item_id IN (select drug_id from drug_dict where generic_name = 'X')`, `EXISTS
    /// (select 1 from hr_person s where s.code = o.doctor_code and s.name = 'X')`. The
    /// subquery must fix that dimension itself, and link to the block through a column of it
    /// (or one that says no other dimension): patients who ever had the drug are not the drug.
    pub(super) fn filtered_by(&mut self, child: &Block, outer: &Scope) -> Option<Hit> {
        if child.where_or {
            return None;
        }
        let mut inner = self.scope(child);
        // `o.doctor_code IN (select code from hr_person where name = 'X')`: the one column
        // the subquery gives is equated to the outer one, as a join would (`link`).
        if let (Some(col), [item]) = (child.filter?.column, child.selects.as_slice()) {
            if let [r] = self.refs(*item).as_slice() {
                if let Some((q, l)) = self.link(&inner, &col, r) {
                    inner.linked.entry(q).or_insert(l);
                }
            }
        }
        [Dimension::Drug, Dimension::Doctor].into_iter().find_map(|dim| self.filtered_on(child, &inner, outer, dim))
    }

    fn filtered_on(&mut self, child: &Block, inner: &Scope, outer: &Scope, dim: Dimension) -> Option<Hit> {
        let fixed = child.fixed.iter().filter_map(|r| self.hit(inner, r)).find(|h| h.dim == dim)?;
        // A drug may be linked through a column that says nothing else (`o.item_id`); a
        // doctor only through one that says doctor (`o.czy`, `o.user_id` may be the cashier).
        let same_or_none = |h: Option<Hit>| match h {
            Some(h) => h.dim == dim,
            None => dim == Dimension::Drug,
        };
        let link = match child.filter?.column {
            Some(col) => {
                let out = child.selects.iter().any(|&sp| self.item_hits(inner, sp, None).iter().any(|h| h.dim == dim));
                (out && same_or_none(self.hit(outer, &col))).then_some(col)?
            }
            None => child.equalities.iter().find_map(|(l, r)| {
                let known = |r: &Ref| r.qual.is_some_and(|q| inner.tables.contains_key(&lower(self.k, q)));
                let (i, o) = match (known(l), known(r)) {
                    (true, false) => (l, r),
                    (false, true) => (r, l),
                    _ => return None,
                };
                let ih = self.hit(inner, i);
                (ih.as_ref().is_some_and(|h| h.dim == dim) && same_or_none(self.hit(outer, o))).then_some(*o)
            })?,
        };
        let mut h = self.hit(outer, &link).unwrap_or(Hit { dim, column: String::new(), basis: String::new() });
        h.column = self.written(&link);
        h.basis = format!("subquery fixes {}", fixed.column);
        Some(h)
    }
}

fn find(hits: &[Hit], dim: Dimension) -> Option<&Hit> {
    hits.iter().find(|h| h.dim == dim)
}

pub fn decide(alternatives: &[(&'static str, Vec<Hit>)], fixed: &[Hit], aggregates: bool) -> Option<Finding> {
    let make = |doc: (&Hit, &str), drug: (&Hit, &str)| {
        let reason = match (doc.1, drug.1) {
            (a, b) if a == b => a.to_owned(),
            ("where_fixed", b) => format!("{b}+where_fixed"),
            (a, b) => format!("{a}+{b}"),
        };
        Finding {
            doctor: doc.0.column.clone(),
            drug: drug.0.column.clone(),
            reason,
            doctor_basis: doc.0.basis.clone(),
            drug_basis: drug.0.basis.clone(),
        }
    };
    let fixed_doc = find(fixed, Dimension::Doctor).map(|h| (h, "where_fixed"));
    let fixed_drug = find(fixed, Dimension::Drug).map(|h| (h, "where_fixed"));
    for (src, hits) in alternatives {
        let doc = find(hits, Dimension::Doctor).map(|h| (h, *src));
        let drug = find(hits, Dimension::Drug).map(|h| (h, *src));
        if doc.is_none() && drug.is_none() {
            continue;
        }
        if let (Some(d), Some(g)) = (doc.or(fixed_doc), drug.or(fixed_drug)) {
            return Some(make(d, g));
        }
    }
    match (fixed_doc, fixed_drug) {
        (Some(d), Some(g)) if aggregates => Some(make(d, g)),
        _ => None,
    }
}
