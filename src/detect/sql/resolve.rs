//! Reading each block's columns and deciding: a block aggregates prescriptions by doctor and
//! by drug when one of its groupings (GROUP BY, a grouping set, PARTITION BY, a pivot's
//! source) holds one dimension and the other is grouped there too or fixed in the block
//! (`where ypdm = 'X' group by ysdm`: per-doctor figures of one drug, and likewise one
//! doctor's per-drug figures), or when both are fixed and the block aggregates.
//!
//! A column's meaning, first found: the site dictionary (`table.column`), an exact name of
//! `doctor_columns`/`drug_columns`, the name's own words, a join to a doctor or drug
//! dictionary table, the table it comes from (for generic names such as `code`, `mc`), a
//! pattern of the column lists. A select item's alias adds its meaning to the item.

use std::collections::HashMap;

use super::block::{Block, Ref, Source, Span};
use super::decide::decide;
use super::text::Toks;
use super::vocab::{self, Meaning};
use super::{Analyser, Finding};
use crate::rules::dictionary::{Dictionary, Dimension};

#[derive(Clone, Debug)]
pub struct Hit {
    pub dim: Dimension,
    pub column: String,
    pub basis: String,
}

/// Aliases of one block, and the keys its joins make.
#[derive(Default)]
pub(super) struct Scope {
    /// Alias or table name (lower case) → table name, `None` for a derived table.
    pub(super) tables: HashMap<String, Option<String>>,
    /// The block's only table, when it has exactly one and it is named.
    single: Option<String>,
    /// (qualifier, column) → the dictionary table it is joined to and its meaning.
    joins: HashMap<(String, String), (Dimension, String)>,
    /// The marker that keeps only drug lines, as written (`d.DRUG_FLAG`), and its qualifier.
    drug_items: Option<(String, Option<String>)>,
    /// The staff category that keeps only prescribers, as written (`e.post_type`), and its
    /// qualifier.
    doctor_rows: Option<(String, Option<String>)>,
    /// Qualifier → what its table stands for in this block, and the column it is joined to:
    /// a table joined by an identity (`s.职工编码`, `ci.CTPCP_RowId1`) to a column that names
    /// a doctor or a drug (`h.开方医生编码`, `oi.OEORI_Doctor_DR`) is that dimension's
    /// dictionary here, so its generic columns (`s.姓名`, `ci.CTPCP_Desc`) are the doctor or
    /// the drug; joined to another role (`d.发药人编码`), a staff table is not the doctor.
    pub(super) linked: HashMap<String, (Dimension, String)>,
    /// Qualifier (or "" for the only table) → the marker that keeps only drug lines inside
    /// the derived table or CTE it reads (`with t as (select … where ypbz = '1')`).
    marked_sources: HashMap<String, String>,
}

pub struct Resolver<'a> {
    pub k: &'a Toks<'a>,
    pub a: &'a Analyser,
    pub dict: &'a Dictionary,
    pub jumps: &'a HashMap<u32, u32>,
    pub blocks: &'a [Block],
    /// (parent, child) of each subquery filtering its parent's rows, in order.
    pub filters: &'a [(usize, usize)],
    /// Each CTE by its name (lower case) and statement: its block, none when its body is
    /// a UNION.
    pub ctes: &'a HashMap<(String, u32), Option<usize>>,
    /// Tokens walked: bounded by a small multiple of the tokens of the statement.
    pub steps: usize,
}

impl Analyser {
    /// What a bare name means without a table: dictionary (`*`), exact list, words, pattern.
    pub fn name_hit(
        &self,
        dict: &Dictionary,
        table: Option<&str>,
        name: &str,
    ) -> (Option<(Dimension, String)>, Meaning) {
        let lower = name.to_lowercase();
        if let Some(d) = dict.column(table, &lower) {
            return (Some((d, format!("dictionary {}.{lower}", table.unwrap_or("*")))), Meaning::Is(d));
        }
        if self.doctor_columns.exact(&lower) {
            return (Some((Dimension::Doctor, "column list".into())), Meaning::Is(Dimension::Doctor));
        }
        if self.drug_columns.exact(&lower) {
            return (Some((Dimension::Drug, "column list".into())), Meaning::Is(Dimension::Drug));
        }
        let m = vocab::meaning(name);
        if let Meaning::Is(d) = m {
            return (Some((d, "name".into())), m);
        }
        (None, m)
    }

    /// A column list pattern, the last resort.
    pub fn pattern_hit(&self, name: &str) -> Option<(Dimension, String)> {
        let lower = name.to_lowercase();
        if self.doctor_columns.pattern(&lower) {
            Some((Dimension::Doctor, "column list".into()))
        } else if self.drug_columns.pattern(&lower) {
            Some((Dimension::Drug, "column list".into()))
        } else {
            None
        }
    }

    /// InterSystems Caché (DHC) names a reference to another table `<PREFIX>_<Field>_DR`,
    /// the field after the referenced table's short name: `OEORI_ItmMast_DR` points into
    /// `ARC_ItmMast`, `OEORI_CareProv_DR` into `CT_CareProv`. A reference into a listed
    /// doctor or drug table means what the table holds.
    pub fn designated_reference(&self, dict: &Dictionary, name: &str) -> Option<(Dimension, String)> {
        let lower = name.to_lowercase();
        let field = lower.strip_suffix("_dr")?.rsplit('_').next().filter(|f| !f.is_empty())?;
        let dim = if let Some(dim) = dict.table_with_tail(field) {
            dim
        } else if self.doctor_tables.exact_tail(field) {
            Dimension::Doctor
        } else if self.drug_tables.exact_tail(field) {
            Dimension::Drug
        } else {
            return None;
        };
        Some((dim, format!("reference into the {field} table")))
    }

    fn table_kind(&self, dict: &Dictionary, table: &str) -> Option<Dimension> {
        dict.table(table).or_else(|| {
            if self.doctor_tables.matches(table) {
                Some(Dimension::Doctor)
            } else if self.drug_tables.matches(table) {
                Some(Dimension::Drug)
            } else {
                None
            }
        })
    }
}

/// The segment of a Caché path `a->b->c` (ending at token `last`) that names what it holds:
/// the last, unless it only describes or identifies the record the one before points to
/// (`OEORI_ItmMast_DR->ARCIM_Desc` is the item).
pub(super) fn path_end(k: &Toks, last: usize) -> u32 {
    let name = k.text(last).to_lowercase();
    let describes =
        ["desc", "code", "name", "rowid", "id"].iter().any(|w| name == *w || name.ends_with(&format!("_{w}")));
    if describes {
        last as u32 - 3
    } else {
        last as u32
    }
}

pub(super) fn lower(k: &Toks, i: u32) -> String {
    k.text(i as usize).to_lowercase()
}

impl Resolver<'_> {
    pub(super) fn scope(&self, b: &Block) -> Scope {
        let k = self.k;
        let mut s = Scope::default();
        for t in &b.tables {
            let name = t.name.map(|n| lower(k, n));
            if let Some(n) = &name {
                s.tables.insert(n.clone(), name.clone());
            }
            if let Some(al) = t.alias {
                s.tables.insert(lower(k, al), name.clone());
            }
        }
        if let [t] = b.tables.as_slice() {
            s.single = t.name.map(|n| lower(k, n));
        }
        for t in &b.tables {
            let name = t.name.map(|n| lower(k, n));
            let cte = || name.clone().and_then(|n| self.ctes.get(&(n, b.stmt)).copied().flatten());
            let child = t.child.or_else(cte);
            // One table's rows: a marker of a join or of one UNION branch marks only its own.
            let Some(src) = child.map(|c| &self.blocks[c]).filter(|c| !c.where_or && c.tables.len() == 1) else {
                continue;
            };
            let Some(marker) = src.drug_items else { continue };
            let key = match (b.tables.len(), t.alias.map(|a| lower(k, a)).or(name)) {
                (1, _) => String::new(),
                (_, Some(key)) => key,
                _ => continue,
            };
            s.marked_sources.insert(key, self.written(&marker));
        }
        // With an OR in the WHERE the marker may be one alternative only.
        s.drug_items = b.drug_items.filter(|_| !b.where_or).map(|r| (self.written(&r), r.qual.map(|q| lower(k, q))));
        // Only a staff table's category keeps its rows to one post (`members.occupation`,
        // a fact table's `doctor_title` do not).
        let staff_table = |r: &Ref| {
            let t = r.qual.map(|q| lower(k, q)).or_else(|| s.single.clone());
            t.and_then(|q| s.tables.get(&q).cloned().flatten())
                .is_some_and(|t| vocab::staff_table(&t) || self.a.table_kind(self.dict, &t) == Some(Dimension::Doctor))
        };
        // Staff joined by an identity card or phone (`s.sfzh = m.brsfzh`) or to a patient's
        // column are found as patients there, not as prescribers.
        let as_patients = |r: &Ref| {
            let q = r.qual.map(|q| lower(k, q));
            b.equalities.iter().any(|(l, o)| {
                [(l, o), (o, l)].iter().any(|(mine, other)| {
                    mine.qual.map(|x| lower(k, x)) == q
                        && other.qual.map(|x| lower(k, x)) != q
                        && (vocab::person_attribute(k.text(mine.name as usize))
                            || vocab::meaning(k.text(other.name as usize)) == Meaning::Is(Dimension::Patient))
                })
            })
        };
        let staff = b.staff_rows.filter(|(r, _)| !b.where_or && staff_table(r) && !as_patients(r));
        s.doctor_rows = staff.filter(|&(_, d)| d).map(|(r, _)| (self.written(&r), r.qual.map(|q| lower(k, q))));
        for (l, r) in &b.equalities {
            for (key, other) in [(l, r), (r, l)] {
                let (Some(kt), ot) = (self.table_of(&s, other), self.table_of(&s, key)) else { continue };
                let Some(dim @ (Dimension::Doctor | Dimension::Drug)) = self.a.table_kind(self.dict, &kt) else {
                    continue;
                };
                if ot.is_some_and(|t| self.a.table_kind(self.dict, &t) == Some(dim)) {
                    continue;
                }
                let q = key.qual.map(|q| lower(k, q)).unwrap_or_default();
                s.joins.insert((q, lower(k, key.name)), (dim, kt));
            }
        }
        for (l, r) in &b.equalities {
            for (named, id) in [(l, r), (r, l)] {
                if let Some((q, link)) = self.link(&s, named, id) {
                    s.linked.entry(q).or_insert(link);
                }
            }
        }
        // Rows kept to pharmacists, nurses or cashiers: that table is not the prescriber here,
        // whatever it is joined to.
        if let Some((r, false)) = staff {
            if let Some(q) = r.qual.map(|q| lower(k, q)).or_else(|| s.single.clone()) {
                s.linked.insert(q, (Dimension::Other, self.written(&r)));
            }
        }
        s
    }

    /// `id = named` links `id`'s table to the doctor or drug `named` names by itself (its
    /// name, the lists, the site dictionary, a Caché reference; not its table, so a fact
    /// table joined to a dictionary stays a fact table): `id` must be a bare identity of
    /// another table, not one of the other dimension.
    pub(super) fn link(&self, s: &Scope, named: &Ref, id: &Ref) -> Option<(String, (Dimension, String))> {
        let k = self.k;
        // Unqualified, the key of the block's only table (and the named column, then, of
        // another block: `where code = o.doctor_code` in a subquery).
        let q = match (id.qual, named.qual) {
            (Some(q), _) => lower(k, q),
            (None, Some(_)) => s.single.clone()?,
            (None, None) => return None,
        };
        let id_name = k.text(id.name as usize);
        let own = || s.tables.get(&q).cloned().flatten().is_some_and(|t| vocab::own_key(&t, id_name));
        if named.qual.is_some_and(|n| lower(k, n) == q) || !(vocab::identity_key(id_name) || own()) {
            return None;
        }
        let name = k.text(named.name as usize);
        let table = self.table_of(s, named);
        let (dim, _) = self
            .a
            .name_hit(self.dict, table.as_deref(), name)
            .0
            .or_else(|| self.a.designated_reference(self.dict, name))?;
        if !matches!(dim, Dimension::Doctor | Dimension::Drug) {
            // A staff table joined to the dispensing pharmacist is not the prescriber here.
            return Some((q, (dim, self.written(named))));
        }
        // Not a table that holds something else (`drug_dict`, `company`; a `person` table
        // may hold staff).
        let table = s.tables.get(&q)?.as_deref();
        let own = table.and_then(|t| self.a.table_kind(self.dict, t));
        let says = table.map(|t| vocab::meaning(t.rsplit('.').next().unwrap_or(t)));
        if own.is_some_and(|o| o != dim)
            || says.is_some_and(|m| matches!(m, Meaning::Is(d) if d != dim && d != Dimension::Patient))
        {
            return None;
        }
        Some((q, (dim, self.written(named))))
    }

    fn table_of(&self, s: &Scope, r: &Ref) -> Option<String> {
        match r.qual {
            Some(q) => s.tables.get(&lower(self.k, q)).cloned().flatten(),
            None => s.single.clone(),
        }
    }

    pub(super) fn written(&self, r: &Ref) -> String {
        match r.qual {
            Some(q) => format!("{}.{}", self.k.text(q as usize), self.k.text(r.name as usize)),
            None => self.k.text(r.name as usize).to_owned(),
        }
    }

    pub(super) fn hit(&self, s: &Scope, r: &Ref) -> Option<Hit> {
        let name = self.k.text(r.name as usize);
        let table = self.table_of(s, r);
        let make = |(dim, basis): (Dimension, String)| Hit { dim, column: self.written(r), basis };
        let (found, m) = self.a.name_hit(self.dict, table.as_deref(), name);
        if let Some(f) = found {
            return Some(make(f));
        }
        let q = r.qual.map(|q| lower(self.k, q)).unwrap_or_default();
        if let Some((dim, t)) = s.joins.get(&(q.clone(), name.to_lowercase())) {
            return Some(make((*dim, format!("join {t}"))));
        }
        if m == Meaning::Generic {
            let key = r.qual.map(|q| lower(self.k, q)).or_else(|| s.single.clone());
            let link = key.and_then(|q| s.linked.get(&q));
            if let Some(t) = &table {
                if let Some(dim) = self.a.table_kind(self.dict, t).filter(|&d| link.is_none_or(|(l, _)| *l == d)) {
                    return Some(make((dim, format!("table {t}"))));
                }
            }
            // Of a linked table, what names its record (`u.user_name`, not `u.OrgCode`).
            let record = vocab::names_record(table.as_deref(), name);
            if let Some((dim @ (Dimension::Doctor | Dimension::Drug), via)) = link.filter(|_| record) {
                return Some(make((*dim, format!("joined to {via}"))));
            }
        }
        if let Some(f) = self.a.designated_reference(self.dict, name) {
            return Some(make(f));
        }
        // A person's name or code (`e.emp_name`) of the table whose rows the block keeps to
        // prescribers (`e.post_type = '医师'`): the same qualifier, or the block's only table.
        if m == Meaning::Generic && !vocab::item(name) && vocab::names_record(table.as_deref(), name) {
            let same = |mq: &Option<String>| match (mq, r.qual) {
                (Some(mq), Some(q)) => *mq == lower(self.k, q),
                _ => s.single.is_some(),
            };
            if let Some((marker, _)) = s.doctor_rows.as_ref().filter(|(_, mq)| same(mq)) {
                return Some(make((Dimension::Doctor, format!("staff restricted to doctors by {marker}"))));
            }
        }
        // A fee item, by its name or (a generic name: `mc`, `code`) by its table's.
        let item = || vocab::item(name) || m == Meaning::Generic && table.as_deref().is_some_and(vocab::item_table);
        // The marker must mark this item's lines: the same qualifier, when both have one.
        let same_rows = |mq: &Option<String>| match (mq, r.qual) {
            (Some(mq), Some(q)) => *mq == lower(self.k, q),
            _ => true,
        };
        if let Some((marker, _)) = s.drug_items.as_ref().filter(|(_, mq)| same_rows(mq) && item()) {
            return Some(make((Dimension::Drug, format!("item restricted to drugs by {marker}"))));
        }
        // … or inside the derived table or CTE the item comes from.
        let source = if s.marked_sources.contains_key("") { String::new() } else { q };
        if let Some(marker) = s.marked_sources.get(&source).filter(|_| item()) {
            return Some(make((Dimension::Drug, format!("item restricted to drugs by {marker} in its source"))));
        }
        self.a.pattern_hit(name).map(make)
    }

    /// Token indices of `span` at this block's level: nested blocks are jumped over.
    pub(super) fn walk(&mut self, (a, b): Span) -> Vec<u32> {
        let mut out = Vec::new();
        let mut j = a;
        while j < b {
            self.steps += 1;
            if let Some(&close) = self.jumps.get(&j) {
                j = close + 1;
                continue;
            }
            out.push(j);
            j += 1;
        }
        out
    }

    /// Column references in `span`.
    pub(super) fn refs(&mut self, span: Span) -> Vec<Ref> {
        let k = self.k;
        let mut out = Vec::new();
        let arrow = |j: usize| k.punct(j, b'-') && k.punct(j + 1, b'>');
        for j in self.walk(span) {
            let j = j as usize;
            // Caché's implicit join `a->b->c`: one reference, read at its end.
            if k.name(j) && arrow(j + 1) && k.name(j + 3) {
                continue;
            }
            if k.name(j) && !k.punct(j + 1, b'(') && !k.punct(j + 1, b'.') {
                if j >= 3 && arrow(j - 2) && k.name(j - 3) {
                    out.push(Ref { qual: None, name: path_end(k, j) });
                    continue;
                }
                let qual = (j >= span.0 as usize + 2 && k.punct(j - 1, b'.') && k.name(j - 2)).then(|| j as u32 - 2);
                out.push(Ref { qual, name: j as u32 });
            }
        }
        out
    }

    /// A select item's alias token, if it has one (`expr AS a`, `expr a`).
    fn alias(&self, (a, b): Span) -> Option<u32> {
        let k = self.k;
        let last = b as usize - 1;
        if b - a < 2 || !(k.name(last) || k.kind(last) == Some(super::lex::Kind::Str)) {
            return None;
        }
        let before = last - 1;
        let bare = k.name(before) || k.punct(before, b')') || k.literal(before) || k.word(before, "end");
        (k.word(before, "as") || bare && !k.punct(before, b'.')).then_some(last as u32)
    }

    fn key(&mut self, span: Span) -> String {
        let k = self.k;
        self.walk(span).into_iter().map(|i| k.text(i as usize).to_lowercase()).collect::<Vec<_>>().join(" ")
    }

    /// Hits of every item of `spans` (select items: with their alias's meaning).
    pub(super) fn item_hits(&mut self, s: &Scope, span: Span, alias: Option<u32>) -> Vec<Hit> {
        let end = alias.map_or(span.1, |al| if self.k.word(al as usize - 1, "as") { al - 1 } else { al });
        let refs = self.refs((span.0, end));
        let mut hits: Vec<Hit> = refs.iter().filter_map(|r| self.hit(s, r)).collect();
        if let Some(al) = alias {
            let text = self.k.text(al as usize).trim_matches('\'');
            if let (Some((dim, _)), _) = self.a.name_hit(self.dict, None, text) {
                hits.push(Hit { dim, column: text.to_owned(), basis: format!("alias {text}") });
            }
        }
        hits
    }

    /// The doctor × drug finding of block `index`, if any.
    pub fn block(&mut self, index: usize) -> Option<Finding> {
        let blocks = self.blocks;
        let b = &blocks[index];
        let s = self.scope(b);
        let mut selects: Vec<(String, Option<String>, Vec<Hit>)> = Vec::with_capacity(b.selects.len());
        for &span in &b.selects {
            let alias = self.alias(span);
            let body = alias.map_or(span, |al| (span.0, if self.k.word(al as usize - 1, "as") { al - 1 } else { al }));
            let hits = self.item_hits(&s, span, alias);
            selects.push((self.key(body), alias.map(|al| lower(self.k, al)), hits));
        }
        let by_key: HashMap<&str, usize> = selects.iter().enumerate().map(|(i, s)| (s.0.as_str(), i)).collect();
        let by_alias: HashMap<&str, usize> =
            selects.iter().enumerate().filter_map(|(i, s)| s.1.as_deref().map(|a| (a, i))).collect();
        let mut fixed: Vec<Hit> = b.fixed.iter().filter_map(|r| self.hit(&s, r)).collect();
        if b.nested {
            fixed.extend(self.correlated(b, &s));
        }
        let from = self.filters.partition_point(|&(p, _)| p < index);
        let filters = if b.where_or { &[][..] } else { &self.filters[from..] };
        for &(_, child) in filters.iter().take_while(|&&(p, _)| p == index) {
            fixed.extend(self.filtered_by(&blocks[child], &s));
        }
        let mut alternatives: Vec<(&'static str, Vec<Hit>)> = Vec::new();
        for g in &b.groupings {
            let src = if g.source == Source::GroupBy { "group_by" } else { "partition_by" };
            let mut common = Vec::new();
            let mut sets: Vec<Vec<Hit>> = Vec::new();
            for &item in &g.items {
                if let Some(parts) = self.grouping_sets(item) {
                    sets.extend(parts.into_iter().map(|p| self.item_hits(&s, p, None)));
                    continue;
                }
                let mut hits = self.item_hits(&s, item, None);
                let single = item.1 - item.0 == 1;
                let text = self.k.text(item.0 as usize);
                let pos = (single && self.k.kind(item.0 as usize) == Some(super::lex::Kind::Num))
                    .then(|| text.parse::<usize>().ok().and_then(|n| n.checked_sub(1)))
                    .flatten();
                let matched = pos
                    .or_else(|| by_key.get(self.key(item).as_str()).copied())
                    .or_else(|| single.then(|| by_alias.get(text.to_lowercase().as_str()).copied()).flatten());
                if let Some(sel) = matched.and_then(|i| selects.get(i)) {
                    hits.extend(sel.2.iter().cloned());
                }
                common.extend(hits);
            }
            if sets.is_empty() {
                alternatives.push((src, common));
            } else {
                for set in sets {
                    alternatives.push((src, common.iter().cloned().chain(set).collect()));
                }
            }
        }
        if b.pivot {
            let source: Vec<Hit> = b
                .tables
                .iter()
                .filter_map(|t| t.child)
                .flat_map(|c| self.blocks[c].selects.clone())
                .collect::<Vec<_>>()
                .into_iter()
                .flat_map(|span| self.item_hits(&Scope::default(), span, None))
                .collect();
            alternatives.push(("pivot", source));
        }
        decide(&alternatives, &fixed, b.aggregate || !b.groupings.is_empty())
    }
}
