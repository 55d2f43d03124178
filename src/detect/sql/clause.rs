//! Clause keywords (SELECT, FROM, WHERE, GROUP BY, …) at a block's own level, and the table
//! names and aliases of its FROM clause.

use super::block::{Clause, Grouping, Pass, Source, Table, TableState};

impl Pass<'_> {
    /// Clause keywords at the level of the block that owns this frame.
    pub(super) fn clause_word(&mut self, f: usize, i: usize, w: &str) {
        let k = self.k;
        let has = self.frames[f].block.is_some();
        let clause = self.frames[f].clause;
        match w {
            "select" => {
                if !has || !matches!(clause, Clause::Start | Clause::Cte) {
                    self.end_clause(f, i);
                    let b = self.new_block(f > 0);
                    self.own(f, Some(b));
                }
                let skip = 1 + ["distinct", "all", "unique"].iter().filter(|d| k.word(i + 1, d)).count();
                let skip = if k.word(i + skip, "top") { skip + 2 } else { skip };
                self.set_clause(f, i, Clause::Select, i + skip);
            }
            _ if !has => {}
            "with" if clause == Clause::Start => self.set_clause(f, i, Clause::Cte, i),
            "join" => {
                // The join's words before it: `left outer`, `left anti`, `left semi`, hints
                // (`hash`, `merge`, `loop`), ClickHouse's `global any`.
                const PHRASE: &[&str] = &[
                    "left", "right", "full", "outer", "inner", "cross", "natural", "anti", "semi", "hash", "merge",
                    "loop", "global", "any", "all", "asof", "array",
                ];
                let mut j = i;
                let (mut outer, mut semi) = (false, false);
                while j > 0 && PHRASE.iter().any(|w| k.word(j - 1, w)) {
                    j -= 1;
                    outer |= ["left", "right", "full", "outer", "anti"].iter().any(|w| k.word(j, w));
                    semi |= k.word(j, "semi");
                }
                // A semi join keeps the rows that match, as an inner join does.
                self.frames[f].outer = outer && !semi;
                self.set_clause(f, i, Clause::From, i + 1);
            }
            "from" | "using" | "update" => self.set_clause(f, i, Clause::From, i + 1),
            "into" => {
                // `select … into #t from`, `insert into t`, `merge into t`.
                self.set_clause(f, i, Clause::From, i + 1);
            }
            "on" => {
                self.frames[f].on_or = self.on_has_or(i + 1);
                self.set_clause(f, i, Clause::Where, i + 1);
            }
            "where" | "having" | "connect" => self.set_clause(f, i, Clause::Where, i + 1),
            "start" if k.word(i + 1, "with") => self.set_clause(f, i, Clause::Where, i + 1),
            "group" if k.word(i + 1, "by") => {
                self.set_clause(f, i, Clause::GroupBy, i + 2);
                if let Some(b) = self.block() {
                    b.groupings.push(Grouping { source: Source::GroupBy, items: Vec::new() });
                }
            }
            "order" | "union" | "intersect" | "except" | "minus" | "limit" | "offset" | "fetch" | "window"
            | "qualify" | "pivot" | "unpivot" | "set" | "values" | "outfile" => self.set_clause(f, i, Clause::Other, i),
            "with" if clause == Clause::GroupBy => self.set_clause(f, i, Clause::Other, i),
            _ => self.table_token(f, i),
        }
    }

    /// Table names and aliases in a FROM clause.
    pub(super) fn table_token(&mut self, f: usize, i: usize) {
        let k = self.k;
        if self.frames[f].clause != Clause::From {
            return;
        }
        let state = self.frames[f].tables;
        let named = k.name(i) && !k.punct(i + 1, b'(');
        let next = match state {
            TableState::Expect if named => {
                let t = Table { name: Some(i as u32), child: None, alias: None };
                self.block().expect("owner").tables.push(t);
                TableState::Named
            }
            TableState::Named if k.punct(i, b'.') => TableState::Named,
            TableState::Named if k.punct(i.wrapping_sub(1), b'.') && named => {
                self.block().expect("owner").tables.last_mut().expect("named").name = Some(i as u32);
                TableState::Named
            }
            TableState::Named if k.word(i, "as") => TableState::Alias,
            TableState::Named | TableState::Alias if named => {
                self.block().expect("owner").tables.last_mut().expect("named").alias = Some(i as u32);
                TableState::Idle
            }
            TableState::Expect => TableState::Expect,
            _ => TableState::Idle,
        };
        self.frames[f].tables = next;
    }
}
