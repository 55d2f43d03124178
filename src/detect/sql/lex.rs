//! One linear pass from SQL text to tokens. It never fails and never looks back: an
//! unclosed quote or comment runs to the end of the text, and every byte is visited a
//! bounded number of times (a comment's end is searched once, from where it starts).

/// What a token is; its text is `sql[start..end]` (without the quotes of a quoted name).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A bare word: keyword or name (ASCII letters, digits, `_`, `$`, `#`, any non-ASCII).
    Word,
    /// A quoted or bracketed name: `"YSDM"`, `[开单医生]`, `` `yp_bm` ``.
    Quoted,
    /// A string literal.
    Str,
    Num,
    /// A bind variable or host parameter: `:1`, `:ysdm`, `?`, `@doc`, `$1`, `#{id}`.
    Bind,
    Punct(u8),
}

#[derive(Copy, Clone, Debug)]
pub struct Tok {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'#' || c >= 0x80
}

/// Index just past the first `close` at or after `from`, or the end.
fn past(b: &[u8], from: usize, close: &[u8]) -> usize {
    let from = from.min(b.len());
    b[from..].windows(close.len()).position(|w| w == close).map_or(b.len(), |p| from + p + close.len())
}

/// Index just past a string literal opened at `open` (`''` escapes a quote).
fn past_string(b: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// The tokens of `sql` (which the caller has already cut to the scan cap).
pub fn tokens(sql: &str) -> Vec<Tok> {
    let b = sql.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 4);
    let mut push = |kind, start: usize, end: usize| out.push(Tok { kind, start: start as u32, end: end as u32 });
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && next == b'-' {
            i = past(b, i, b"\n");
        } else if c == b'/' && next == b'*' {
            i = past(b, i + 2, b"*/");
        } else if c == b'\'' {
            i = past_string(b, i);
            push(Kind::Str, start, i);
        } else if (c == b'q' || c == b'Q') && next == b'\'' && i + 2 < b.len() {
            // Oracle q'[...]': the text runs to the closing delimiter before a quote.
            let close = match b[i + 2] {
                b'[' => b']',
                b'(' => b')',
                b'{' => b'}',
                b'<' => b'>',
                d => d,
            };
            i = past(b, i + 3, &[close, b'\'']);
            push(Kind::Str, start, i);
        } else if (c == b'N' || c == b'n' || c == b'E' || c == b'e') && next == b'\'' {
            i = past_string(b, i + 1);
            push(Kind::Str, start, i);
        } else if c == b'$' && next == b'$' {
            i = past(b, i + 2, b"$$");
            push(Kind::Str, start, i);
        } else if c == b'"'
            || c == b'`'
            || (c == b'[' && !(next == b'\'' || next.is_ascii_digit() || next.is_ascii_whitespace()))
        {
            let close = if c == b'[' { b']' } else { c };
            let end = b[i + 1..].iter().position(|&x| x == close).map_or(b.len(), |p| i + 1 + p);
            push(Kind::Quoted, i + 1, end);
            i = (end + 1).min(b.len());
        } else if c == b'['
            && next.is_ascii_digit()
            && bracketed_number(b, i + 1)
            && !b[..i].iter().rev().find(|c| !c.is_ascii_whitespace()).is_some_and(|&p| {
                // In value position only: `tags[1]`, `f(x)[1]`, `[t].[c][1]` are subscripts.
                word_byte(p) || matches!(p, b')' | b']' | b'"' | b'`')
            })
        {
            // 中联 (ZLHIS) writes its parameters `[1]`, `[2]`.
            i = past(b, i, b"]");
            push(Kind::Bind, start, i);
        } else if (c == b'#' || c == b'$') && next == b'{' {
            i = past(b, i, b"}");
            push(Kind::Bind, start, i);
        } else if c == b'?' || ((c == b':' || c == b'@' || c == b'$') && word_byte(next) && next != b'$') {
            i += 1;
            while i < b.len() && word_byte(b[i]) {
                i += 1;
            }
            push(Kind::Bind, start, i);
        } else if word_byte(c) {
            while i < b.len() && word_byte(b[i]) {
                i += 1;
            }
            // `1.5` stays one number; a `.` after a name is a qualifier.
            if c.is_ascii_digit() {
                while i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            push(if c.is_ascii_digit() { Kind::Num } else { Kind::Word }, start, i);
        } else {
            push(Kind::Punct(c), start, i + 1);
            i += 1;
        }
    }
    out
}

/// Digits from `from` up to a closing `]`.
fn bracketed_number(b: &[u8], from: usize) -> bool {
    let digits = b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    b.get(from + digits) == Some(&b']')
}

/// The longest prefix of `sql` of at most `cap` bytes that ends on a character boundary.
pub fn head(sql: &str, cap: usize) -> &str {
    if sql.len() <= cap {
        return sql;
    }
    let mut end = cap;
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    &sql[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(Kind, &str)> {
        tokens(sql).iter().map(|t| (t.kind, &sql[t.start as usize..t.end as usize])).collect()
    }

    #[test]
    fn quotes_binds_and_comments() {
        let k = kinds(
            "select [开单医生], `yp`, \"X\" -- c\n from t where a = :1 and b = ? and c = @d and e = N'x''y' /* z",
        );
        let words: Vec<&str> = k.iter().map(|(_, s)| *s).collect();
        assert_eq!(
            words,
            [
                "select",
                "开单医生",
                ",",
                "yp",
                ",",
                "X",
                "from",
                "t",
                "where",
                "a",
                "=",
                ":1",
                "and",
                "b",
                "=",
                "?",
                "and",
                "c",
                "=",
                "@d",
                "and",
                "e",
                "=",
                "N'x''y'"
            ]
        );
        assert_eq!(k[11].0, Kind::Bind);
        assert_eq!(k[23].0, Kind::Str);
    }

    #[test]
    fn unclosed_text_runs_to_the_end() {
        assert_eq!(kinds("select 'abc").len(), 2);
        assert_eq!(kinds("select \"abc").len(), 2);
        assert_eq!(kinds("select /* abc").len(), 1);
        assert_eq!(kinds("x = ARRAY['A','B']")[3], (Kind::Punct(b'['), "["));
        assert_eq!(head("药品", 4), "药");
    }
}
