//! Token access by index, and the SQL words that are never column names.

use super::lex::{Kind, Tok};

/// The tokens of one statement with its text.
pub struct Toks<'a> {
    pub sql: &'a str,
    pub t: &'a [Tok],
}

/// Reserved words: never a column, a table alias or a select-item alias.
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "select", "from", "where", "group", "by", "order", "having", "and", "or", "not", "null", "is", "in", "like",
    "between", "case", "when", "then", "else", "end", "as", "on", "join", "left", "right", "inner", "outer", "full",
    "cross", "asc", "desc", "distinct", "all", "union", "intersect", "except", "minus", "rollup", "cube",
    "grouping", "sets", "over", "partition", "rows", "range", "with", "limit", "offset", "fetch", "top", "into",
    "values", "set", "update", "insert", "delete", "merge", "using", "matched", "exists", "any", "some", "lateral",
    "apply", "pivot", "unpivot", "for", "start", "connect", "prior", "nolock", "window", "qualify", "filter",
    "interval", "date", "timestamp", "true", "false", "create", "table", "index", "view", "drop", "alter", "unique",
    "first", "next", "only", "nulls", "last", "escape", "natural", "straight_join", "outfile", "rownum", "level",
];

impl Toks<'_> {
    pub fn len(&self) -> usize {
        self.t.len()
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.t.get(i).map(|t| t.kind)
    }

    pub fn text(&self, i: usize) -> &str {
        self.t.get(i).map_or("", |t| &self.sql[t.start as usize..t.end as usize])
    }

    pub fn punct(&self, i: usize, c: u8) -> bool {
        self.kind(i) == Some(Kind::Punct(c))
    }

    /// A bare word equal to `w` (lower case), ignoring case.
    pub fn word(&self, i: usize, w: &str) -> bool {
        self.kind(i) == Some(Kind::Word) && self.text(i).eq_ignore_ascii_case(w)
    }

    pub fn keyword(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Word) && {
            let s = self.text(i);
            s.len() <= 13 && KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s))
        }
    }

    /// A name that can be a column or a table: a quoted name or a non-reserved word.
    pub fn name(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(Kind::Quoted) => !self.text(i).is_empty(),
            Some(Kind::Word) => !self.keyword(i),
            _ => false,
        }
    }

    /// A value fixed in the text: a literal or a bind variable.
    pub fn literal(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Str | Kind::Num | Kind::Bind))
            || self.punct(i, b'-') && self.kind(i + 1) == Some(Kind::Num)
    }
}
