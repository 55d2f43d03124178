//! Reads the GROUP BY clauses of an audited SQL statement: which columns a query aggregates
//! over. Enough of SQL to see through aliases (`a.ysdm`), quoting (`"YSDM"`, `[ysdm]`),
//! functions and ROLLUP (`rollup(ysdm, ypxh)`), positional references (`group by 1, 2`),
//! comments, string literals and subqueries. It is a scanner, not a parser: it never fails,
//! it only finds fewer columns on text it does not understand.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Num(u32),
    Punct(char),
}

fn tokenize(sql: &str) -> Vec<Tok> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = sql[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
        } else if c == b'\'' {
            // String literal, '' escapes a quote.
            i += 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
        } else if c == b'"' || c == b'`' || c == b'[' {
            let close = match c {
                b'[' => b']',
                q => q,
            };
            let end = b[i + 1..].iter().position(|&x| x == close).map_or(b.len(), |p| i + 1 + p);
            out.push(Tok::Ident(sql[i + 1..end].to_lowercase()));
            i = end + 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'#' || c >= 0x80 {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] == b'#' || b[i] >= 0x80)
            {
                i += 1;
            }
            let word = &sql[start..i];
            match word.parse::<u32>() {
                Ok(n) => out.push(Tok::Num(n)),
                Err(_) => out.push(Tok::Ident(word.to_lowercase())),
            }
        } else {
            out.push(Tok::Punct(c as char));
            i += 1;
        }
    }
    out
}

const STOP: &[&str] = &[
    "having",
    "order",
    "limit",
    "union",
    "intersect",
    "except",
    "minus",
    "window",
    "fetch",
    "offset",
    "qualify",
    "for",
    "select",
    "from",
    "where",
];
const GROUPING_WORDS: &[&str] = &["rollup", "cube", "grouping", "sets"];

fn is_ident(t: Option<&Tok>, w: &str) -> bool {
    matches!(t, Some(Tok::Ident(s)) if s == w)
}

/// The column names of every GROUP BY clause in `sql`, one list per clause.
pub fn group_by_columns(sql: &str) -> Vec<Vec<String>> {
    let toks = tokenize(sql);
    let mut depths = Vec::with_capacity(toks.len());
    let mut d = 0i32;
    for t in &toks {
        if *t == Tok::Punct(')') {
            d -= 1;
        }
        depths.push(d);
        if *t == Tok::Punct('(') {
            d += 1;
        }
    }
    let mut clauses = Vec::new();
    for i in 0..toks.len() {
        if !(is_ident(toks.get(i), "group") && is_ident(toks.get(i + 1), "by")) {
            continue;
        }
        let depth = depths[i];
        let mut items: Vec<Vec<String>> = vec![Vec::new()];
        let mut j = i + 2;
        while j < toks.len() && depths[j] >= depth {
            let t = &toks[j];
            if depths[j] == depth {
                match t {
                    Tok::Punct(';') => break,
                    Tok::Ident(w) if STOP.contains(&w.as_str()) => break,
                    Tok::Punct(',') => {
                        items.push(Vec::new());
                        j += 1;
                        continue;
                    }
                    _ => {}
                }
            }
            match t {
                Tok::Ident(w)
                    if !followed_by(&toks, j, '(')
                        && !followed_by(&toks, j, '.')
                        && !GROUPING_WORDS.contains(&w.as_str()) =>
                {
                    items.last_mut().expect("non-empty").push(w.clone());
                }
                Tok::Num(n) if depths[j] == depth => {
                    items.last_mut().expect("non-empty").extend(select_item(&toks, &depths, i, depth, *n));
                }
                _ => {}
            }
            j += 1;
        }
        clauses.push(items.into_iter().flatten().collect());
    }
    clauses
}

fn followed_by(toks: &[Tok], j: usize, c: char) -> bool {
    toks.get(j + 1) == Some(&Tok::Punct(c))
}

/// Identifiers of the `n`-th (1-based) item of the SELECT list that owns the GROUP BY at `at`.
fn select_item(toks: &[Tok], depths: &[i32], at: usize, depth: i32, n: u32) -> Vec<String> {
    let Some(sel) = (0..at).rev().find(|&k| depths[k] == depth && is_ident(toks.get(k), "select")) else {
        return Vec::new();
    };
    let mut item = 1;
    let mut out = Vec::new();
    for k in sel + 1..at {
        if depths[k] == depth {
            match &toks[k] {
                Tok::Ident(w) if w == "from" => break,
                Tok::Punct(',') => {
                    item += 1;
                    continue;
                }
                _ => {}
            }
        }
        if item == n {
            if let Tok::Ident(w) = &toks[k] {
                if !followed_by(toks, k, '(') && !followed_by(toks, k, '.') && w != "as" && w != "distinct" {
                    out.push(w.clone());
                }
            }
        }
    }
    out
}

/// Case-insensitive column matcher: exact names and `*` glob patterns.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    exact: Vec<String>,
    globs: Vec<String>,
}

impl Columns {
    pub fn new(list: &[String]) -> Columns {
        let mut c = Columns::default();
        for s in list {
            let s = s.to_lowercase();
            if s.contains('*') {
                c.globs.push(s);
            } else {
                c.exact.push(s);
            }
        }
        c
    }

    pub fn matches(&self, col: &str) -> bool {
        let col = col.to_lowercase();
        self.exact.contains(&col) || self.globs.iter().any(|g| glob(g, &col))
    }
}

/// `*` matches any run of characters.
fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !s.starts_with(first) || s.len() < first.len() + last.len() || !s.ends_with(last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(p) => rest = &rest[p + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(sql: &str) -> Vec<Vec<String>> {
        group_by_columns(sql)
    }

    #[test]
    fn finds_group_by_columns() {
        assert_eq!(cols("select ysdm, ypxh, sum(ypsl) from ms_cf02 group by ysdm, ypxh"), vec![vec!["ysdm", "ypxh"]]);
        assert_eq!(
            cols("SELECT a.YSDM, b.\"YPXH\" FROM ms_cf01 a JOIN ms_cf02 b ON a.cfsb=b.cfsb GROUP BY a.YSDM, b.\"YPXH\" ORDER BY 1"),
            vec![vec!["ysdm", "ypxh"]]
        );
        assert_eq!(
            cols("select [kdys],[ypdm],count(*) from t group by rollup([kdys],[ypdm]) having count(*)>5"),
            vec![vec!["kdys", "ypdm"]]
        );
        assert_eq!(cols("select ysdm, ypxh, sum(x) from t group by 1, 2"), vec![vec!["ysdm", "ypxh"]]);
        assert_eq!(
            cols("select to_char(kfrq,'yyyy-mm') m, ksdm from t group by to_char(kfrq,'yyyy-mm'), ksdm"),
            vec![vec!["kfrq", "ksdm"]]
        );
    }

    #[test]
    fn ignores_literals_comments_and_sees_subqueries() {
        assert!(cols("select * from t where note = 'group by ysdm, ypxh' -- group by a, b").is_empty());
        let sub = cols("select * from (select ysdm, ypxh, sum(n) s from t group by ysdm, ypxh) x where s > 10");
        assert_eq!(sub, vec![vec!["ysdm", "ypxh"]]);
        assert_eq!(cols("select 1 from t /* group by ysdm */ group by ksdm"), vec![vec!["ksdm"]]);
    }

    #[test]
    fn globs() {
        let c = Columns::new(&["ysdm".into(), "*doctor*".into(), "yp*".into()]);
        assert!(c.matches("YSDM") && c.matches("attending_doctor_id") && c.matches("ypxh"));
        assert!(!c.matches("ksdm") && !c.matches("y"));
        assert!(glob("a*b*c", "axxbyyc") && !glob("a*b*c", "acb"));
    }
}
