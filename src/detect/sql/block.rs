//! The single pass that cuts a statement into query blocks (one per SELECT: a UNION branch,
//! a subquery, a CTE body) and records, for each, what the decision needs: its tables and
//! aliases, select items, GROUP BY and PARTITION BY items, column = column equalities and
//! columns fixed to a value. No recursion: parentheses are an explicit stack, bounded by
//! [`MAX_DEPTH`]; each token is looked at a bounded number of times.

use std::collections::HashMap;

use super::lex::Kind;
use super::text::Toks;

/// Deepest parenthesis nesting followed; deeper parentheses are counted, not tracked.
pub const MAX_DEPTH: usize = 256;

/// Token indices `[start, end)`.
pub type Span = (u32, u32);

/// A column reference: its name token and, when qualified, the qualifier's.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub qual: Option<u32>,
    pub name: u32,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Source {
    GroupBy,
    PartitionBy,
}

#[derive(Clone, Debug)]
pub struct Grouping {
    pub source: Source,
    pub items: Vec<Span>,
}

/// A table of a FROM clause: its name's last part, or the derived block; its alias.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: Option<u32>,
    pub child: Option<usize>,
    pub alias: Option<u32>,
}

/// A subquery in its parent's WHERE that keeps the parent's rows: `EXISTS (…)`, or
/// `col IN (…)`, `col = (…)`, `col = ANY (…)` with the column (`NOT` ones are not recorded).
#[derive(Copy, Clone, Debug)]
pub struct Filter {
    pub parent: usize,
    pub column: Option<Ref>,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub nested: bool,
    pub filter: Option<Filter>,
    pub tables: Vec<Table>,
    pub selects: Vec<Span>,
    pub groupings: Vec<Grouping>,
    pub equalities: Vec<(Ref, Ref)>,
    pub fixed: Vec<Ref>,
    /// A marker that keeps only drug lines (`drug_flag = '1'`, `xmlb IN ('XY','ZCY')`):
    /// the block's fee items (`item_code`, `xmdm`) are drugs.
    pub drug_items: Option<Ref>,
    /// A staff category that keeps only prescribers (`e.post_type = '医师'`, true: the
    /// named person of that table is a doctor) or only staff who do not prescribe
    /// (`'药师'`, `'护士'`, false: not the doctor, whatever the table's name says).
    pub staff_rows: Option<(Ref, bool)>,
    /// Its WHERE has an `OR`: a marker or a filtering subquery may be one alternative only.
    pub where_or: bool,
    pub aggregate: bool,
    pub pivot: bool,
    /// The statement (of a text of several, `;`-separated) the block is in.
    pub stmt: u32,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Clause {
    Start,
    Cte,
    Select,
    From,
    Where,
    GroupBy,
    Other,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum TableState {
    Idle,
    Expect,
    /// A table was named; a `.`, `as` or an alias may follow.
    Named,
    Alias,
}

/// One parenthesis level (the statement is level 0); a level that opens with SELECT or
/// WITH owns a block and its clause state.
pub(super) struct Frame {
    pub(super) block: Option<usize>,
    pub(super) clause: Clause,
    item_start: u32,
    pub(super) tables: TableState,
    /// An open PARTITION BY list at this level: the grouping it fills and its item start.
    partition: Option<(usize, u32)>,
    /// The last JOIN at this level is an outer one (`LEFT`, `RIGHT`, `FULL`, `ANTI`): its ON
    /// keeps every row of the other side.
    pub(super) outer: bool,
    /// The ON being read has an `OR` somewhere in it: none of its conditions keeps rows alone.
    pub(super) on_or: bool,
    /// `CASE` expressions open at this level: a comparison inside one keeps no rows.
    case: u32,
}

impl Frame {
    fn new(block: Option<usize>) -> Frame {
        Frame {
            block,
            clause: Clause::Start,
            item_start: 0,
            tables: TableState::Idle,
            partition: None,
            outer: false,
            on_or: false,
            case: 0,
        }
    }
}

const AGGREGATES: &[&str] =
    &["sum", "count", "avg", "listagg", "group_concat", "string_agg", "wm_concat", "ratio_to_report", "median"];

pub struct Pass<'a> {
    pub(super) k: &'a Toks<'a>,
    pub blocks: Vec<Block>,
    pub(super) frames: Vec<Frame>,
    /// Parentheses opened beyond [`MAX_DEPTH`] and not yet closed.
    pub overflow: usize,
    /// Token index of each open frame's `(`.
    opened: Vec<u32>,
    /// Indices of the frames that own a block, innermost last.
    owners: Vec<usize>,
    /// `(` of a nested block → its `)` (or the end): item walks jump over nested blocks.
    pub jumps: HashMap<u32, u32>,
    /// A named query (`name AS (SELECT …)`: a CTE): its name's token, its `(`, its block.
    pub ctes: Vec<(u32, u32, usize)>,
    /// Statements ended so far.
    stmt: u32,
}

impl<'a> Pass<'a> {
    pub fn run(k: &'a Toks<'a>) -> Pass<'a> {
        let mut p = Pass {
            k,
            blocks: Vec::new(),
            frames: vec![Frame::new(None)],
            overflow: 0,
            opened: Vec::new(),
            owners: Vec::new(),
            jumps: HashMap::new(),
            ctes: Vec::new(),
            stmt: 0,
        };
        for i in 0..k.len() {
            p.token(i);
        }
        while p.frames.len() > 1 {
            p.close(k.len());
        }
        p.end_clause(0, k.len());
        p
    }

    /// The innermost frame that owns a block.
    fn owner(&self) -> Option<usize> {
        self.owners.last().copied()
    }

    /// Frame `f` (the innermost) now owns block `b`, or none.
    pub(super) fn own(&mut self, f: usize, b: Option<usize>) {
        let had = self.frames[f].block.is_some();
        self.frames[f] = Frame::new(b);
        match (had, b.is_some()) {
            (false, true) => self.owners.push(f),
            (true, false) => {
                self.owners.pop();
            }
            _ => {}
        }
    }

    pub(super) fn block(&mut self) -> Option<&mut Block> {
        let f = self.owner()?;
        let b = self.frames[f].block?;
        Some(&mut self.blocks[b])
    }

    pub(super) fn new_block(&mut self, nested: bool) -> usize {
        self.blocks.push(Block { nested, stmt: self.stmt, ..Block::default() });
        self.blocks.len() - 1
    }

    fn token(&mut self, i: usize) {
        let k = self.k;
        match k.kind(i) {
            Some(Kind::Punct(b'(')) => return self.open(i),
            Some(Kind::Punct(b')')) => return self.close(i),
            Some(Kind::Punct(b'=')) => return self.equals(i),
            Some(Kind::Punct(b'>')) => self.greater(i),
            Some(Kind::Punct(b'<')) => self.less(i),
            Some(Kind::Word) => return self.word(i),
            _ => {}
        }
        let top = self.frames.len() - 1;
        if k.punct(i, b'[') && !k.word(i.wrapping_sub(1), "array") {
            // Caché's contains operator: `x [ 'text'`, `%SQLUPPER(x) [ %SQLUPPER('text')`;
            // not a subscript (`attrs['form']`, `tags[ 1 ]`).
            self.fixed_before(i, self.value_at(i + 1) && !k.punct(i + 2, b']'));
        } else if k.punct(i, b',') {
            self.comma(top, i);
        } else if k.punct(i, b';') && top == 0 {
            self.end_clause(0, i);
            self.own(0, None);
            self.stmt += 1;
        } else if self.frames[top].block.is_some() {
            self.table_token(top, i);
        }
    }

    fn open(&mut self, i: usize) {
        if self.frames.len() >= MAX_DEPTH {
            self.overflow += 1;
            return;
        }
        let owns = self.k.word(i + 1, "select") || self.k.word(i + 1, "with");
        let filter = if owns { self.filter_at(i) } else { None };
        let block = owns.then(|| self.new_block(true));
        if let (Some(b), Some(f)) = (block, filter) {
            self.blocks[b].filter = Some(f);
        }
        if let Some(b) = block.filter(|_| self.k.word(i.wrapping_sub(1), "as") && self.k.name(i.wrapping_sub(2))) {
            self.ctes.push((i as u32 - 2, i as u32, b));
        }
        self.frames.push(Frame::new(None));
        let top = self.frames.len() - 1;
        self.own(top, block);
        self.opened.push(i as u32);
    }

    /// The innermost block's WHERE, or the ON of an inner join with no `OR` (which keeps rows
    /// as WHERE does), is being read (not an outer join's ON, HAVING, a select list or a
    /// `CASE`).
    pub(super) fn in_where(&self) -> bool {
        self.owner().is_some_and(|f| {
            let fr = &self.frames[f];
            let kw = (fr.item_start as usize).wrapping_sub(1);
            let on = self.k.word(kw, "on") && !fr.outer && !fr.on_or;
            fr.clause == Clause::Where && fr.case == 0 && (self.k.word(kw, "where") || on)
        })
    }

    /// Whether the ON whose conditions start at token `from` has an `OR` (at any depth) before
    /// the clause that ends it, or a subquery (read as one: an ON with a subquery is not read
    /// as WHERE). The scan stops at a subquery, so each token is read here at most once.
    pub(super) fn on_has_or(&self, from: usize) -> bool {
        let k = self.k;
        let ends = ["join", "where", "group", "order", "having", "union", "left", "right", "inner", "full", "cross"];
        let mut depth = 0i32;
        let mut i = from;
        while i < k.len() {
            if k.punct(i, b'(') {
                if k.word(i + 1, "select") || k.word(i + 1, "with") {
                    return true;
                }
                depth += 1;
            } else if k.punct(i, b')') {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            } else if k.punct(i, b';') || depth == 0 && ends.iter().any(|w| k.word(i, w)) {
                return false;
            } else if k.word(i, "or") {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Token `start` (where an operand begins) is negated: `NOT col …`, `NOT (col …`.
    pub(super) fn negated(&self, start: usize) -> bool {
        let k = self.k;
        let before = start.wrapping_sub(1);
        k.word(before, "not") || k.punct(before, b'(') && k.word(before.wrapping_sub(1), "not")
    }

    /// The subquery opening at `(` `i` filters the enclosing block's rows: `EXISTS (`,
    /// `col IN (`, `col = (`, `col = ANY (` in its WHERE, inside parentheses or not (`NOT`
    /// ones are not filters of this kind).
    fn filter_at(&self, i: usize) -> Option<Filter> {
        let k = self.k;
        let f = self.owner()?;
        let parent = self.frames[f].block?;
        if !self.in_where() {
            return None;
        }
        let before = i.wrapping_sub(1);
        if k.word(before, "exists") && !self.negated(before) {
            return Some(Filter { parent, column: None });
        }
        // The token before the column: `in`, `=`, or `= any` / `= some`.
        let op_end = if k.word(before, "any") || k.word(before, "some") { before.wrapping_sub(1) } else { before };
        let equal =
            k.punct(op_end, b'=') && ![b'<', b'>', b'!', b':'].iter().any(|&c| k.punct(op_end.wrapping_sub(1), c));
        let listed = k.word(before, "in") && !k.word(before.wrapping_sub(1), "not");
        if listed || equal {
            let column = self.operand_ending(op_end.wrapping_sub(1))?;
            if self.negated(column.qual.unwrap_or(column.name) as usize) {
                return None;
            }
            return Some(Filter { parent, column: Some(column) });
        }
        None
    }

    fn close(&mut self, i: usize) {
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        if self.frames.len() == 1 {
            return;
        }
        let top = self.frames.len() - 1;
        self.end_partition(top, i);
        self.end_clause(top, i);
        if self.frames[top].block.is_some() {
            self.owners.pop();
        }
        let frame = self.frames.pop().expect("more than one frame");
        let opened = self.opened.pop().expect("one per frame above the statement");
        let parent = self.frames.len() - 1;
        if let Some(child) = frame.block {
            self.jumps.insert(opened, i as u32);
            if self.frames[parent].block.is_some() && self.frames[parent].clause == Clause::From {
                let t = Table { name: None, child: Some(child), alias: None };
                self.block().expect("parent owns a block").tables.push(t);
                self.frames[parent].tables = TableState::Named;
            }
        }
    }

    fn comma(&mut self, top: usize, i: usize) {
        if let Some((g, start)) = self.frames[top].partition {
            self.push_group_item(g, start, i);
            self.frames[top].partition = Some((g, i as u32 + 1));
        }
        let f = &mut self.frames[top];
        if f.block.is_none() {
            return;
        }
        match f.clause {
            Clause::Select => {
                let span = (f.item_start, i as u32);
                f.item_start = i as u32 + 1;
                self.block().expect("owner").selects.push(span);
            }
            Clause::GroupBy => {
                let start = f.item_start;
                f.item_start = i as u32 + 1;
                let last = self.block().expect("owner").groupings.len() - 1;
                self.push_group_item(last, start, i);
            }
            Clause::From => f.tables = TableState::Expect,
            _ => {}
        }
    }

    fn push_group_item(&mut self, g: usize, start: u32, end: usize) {
        if (start as usize) < end {
            if let Some(b) = self.block() {
                b.groupings[g].items.push((start, end as u32));
            }
        }
    }

    /// Closes the clause of frame `f` at token `i`: its last select or group item.
    pub(super) fn end_clause(&mut self, f: usize, i: usize) {
        let fr = &self.frames[f];
        let (clause, start) = (fr.clause, fr.item_start);
        let Some(b) = fr.block else { return };
        let span = (start, i as u32);
        match clause {
            Clause::Select if start < i as u32 => self.blocks[b].selects.push(span),
            Clause::GroupBy if start < i as u32 => {
                if let Some(g) = self.blocks[b].groupings.last_mut() {
                    g.items.push(span);
                }
            }
            _ => {}
        }
    }

    fn end_partition(&mut self, f: usize, i: usize) {
        if let Some((g, start)) = self.frames[f].partition.take() {
            self.push_group_item(g, start, i);
        }
    }

    pub(super) fn set_clause(&mut self, f: usize, i: usize, clause: Clause, item_start: usize) {
        self.end_clause(f, i);
        let fr = &mut self.frames[f];
        fr.clause = clause;
        fr.item_start = item_start as u32;
        fr.tables = if clause == Clause::From { TableState::Expect } else { TableState::Idle };
    }

    fn word(&mut self, i: usize) {
        let k = self.k;
        let top = self.frames.len() - 1;
        let w = k.text(i).to_ascii_lowercase();
        if k.punct(i + 1, b'(') && AGGREGATES.contains(&w.as_str()) {
            if let Some(b) = self.block() {
                b.aggregate = true;
            }
        }
        if k.name(i) {
            self.bare_flag(i);
        }
        match w.as_str() {
            "case" => self.frames[top].case += 1,
            "end" => self.frames[top].case = self.frames[top].case.saturating_sub(1),
            _ => {}
        }
        if w == "or" && self.in_where() {
            if let Some(b) = self.block() {
                b.where_or = true;
            }
        }
        match w.as_str() {
            "partition" if k.word(i + 1, "by") => {
                if let Some(b) = self.block() {
                    b.groupings.push(Grouping { source: Source::PartitionBy, items: Vec::new() });
                    let g = b.groupings.len() - 1;
                    self.frames[top].partition = Some((g, i as u32 + 2));
                }
                return;
            }
            "order" | "rows" | "range" => self.end_partition(top, i),
            "like" => self.fixed_before(i, self.value_at(i + 1)),
            // Caché's prefix match `col %STARTSWITH 'x'`, a LIKE 'x%'.
            "startswith" if k.punct(i.wrapping_sub(1), b'%') => self.fixed_before(i - 1, self.value_at(i + 1)),
            "in" if !k.word(i.wrapping_sub(1), "not") => {
                let pivot = k.word(i.wrapping_sub(2), "for") || k.word(i.wrapping_sub(4), "for");
                let listed = k.punct(i + 1, b'(') && (k.literal(i + 2) || pivot);
                if listed && !pivot {
                    let values = self.listed_values(i + 1);
                    self.mark(i.wrapping_sub(1), "=", &values);
                }
                self.fixed_before(i, listed);
            }
            "decode" if k.punct(i + 1, b'(') => self.decode(i + 2),
            "pivot" => {
                if let Some(b) = self.block() {
                    b.pivot = true;
                }
            }
            _ => {}
        }
        self.clause_word(top, i, &w);
    }
}
