//! The fast path of [`decode`](super::decode): one hand-written pass over a flat JSON
//! object (the contract's shape: strings, numbers, booleans, lists of strings), filling the
//! same [`Raw`] record serde would. It accepts only what it fully understands and what
//! serde_json would accept with the same result; anything else (an escape, a duplicate
//! field, a value of the wrong kind, malformed JSON, nesting deeper than [`MAX_DEPTH`]) gives
//! `None`, and the caller decodes the record with serde_json, which accepts it or names the
//! fault. So the fast path changes speed, never outcome: `tests` check it against serde on
//! every fixture line and on a hundred thousand mutations of them.
//!
//! Why not a SIMD decoder: sonic-rs 0.5 and simd-json 0.19, decoding these records into
//! the same struct through serde, were slower than serde_json (docs/performance.md); a
//! record is ~270 bytes of short strings, where a parser's per-field dispatch dominates.

use std::borrow::Cow;

use super::decode::{Raw, Str};

/// Unknown fields may hold nested values (skipped); deeper than this goes to serde.
const MAX_DEPTH: u32 = 32;

/// Reads the record in `text` into `raw` (all `None`), or `None` when serde must decide.
/// Filled in place: a record's fields are several hundred bytes, copied at every return.
pub(super) fn fill<'a>(text: &'a str, raw: &mut Raw<'a>) -> Option<()> {
    let mut p = Parser { text, b: text.as_bytes(), i: 0 };
    let mut seen = 0u64;
    p.ws();
    p.eat(b'{')?;
    p.ws();
    if p.peek()? == b'}' {
        p.i += 1;
    } else {
        loop {
            let key = p.string()?;
            p.ws();
            p.eat(b':')?;
            p.ws();
            match Field::of(key) {
                Some(f) => {
                    // serde rejects a known field given twice.
                    let bit = 1u64 << f as u32;
                    if seen & bit != 0 {
                        return None;
                    }
                    seen |= bit;
                    p.field(f, raw)?;
                }
                None => p.skip(0)?,
            }
            p.ws();
            match p.next()? {
                b',' => p.ws(),
                b'}' => break,
                _ => return None,
            }
        }
    }
    p.ws();
    (p.i == p.b.len()).then_some(())
}

#[derive(Copy, Clone)]
enum Field {
    Type,
    EventId,
    Ts,
    Hospital,
    RxId,
    Line,
    VisitType,
    Dept,
    Doctor,
    DoctorTitle,
    Drug,
    DrugName,
    Manufacturer,
    Qty,
    Amount,
    Days,
    LongTerm,
    Reason,
    Category,
    User,
    Role,
    ClientIp,
    App,
    Action,
    Object,
    GroupBy,
    Rows,
    Sql,
    Rep,
    Company,
    Products,
}

/// [`Field`]'s names, the ones serde's derive matches ([`Raw`]'s fields, `type` renamed),
/// in its order (the test that [`Field::of`] finds each).
#[cfg(test)]
const NAMES: [&str; 31] = [
    "type",
    "event_id",
    "ts",
    "hospital",
    "rx_id",
    "line",
    "visit_type",
    "dept",
    "doctor",
    "doctor_title",
    "drug",
    "drug_name",
    "manufacturer",
    "qty",
    "amount",
    "days",
    "long_term",
    "reason",
    "category",
    "user",
    "role",
    "client_ip",
    "app",
    "action",
    "object",
    "group_by",
    "rows",
    "sql",
    "rep",
    "company",
    "products",
];

impl Field {
    /// The field named `key`: a candidate by length and first letters, then one comparison
    /// (unknown keys, a third of a record's, cost one comparison at most, not thirty-one)
    /// with a name of known length, which compiles to a load or two instead of a call to
    /// `memcmp` (2 % of a replay's samples).
    fn of(key: &str) -> Option<Field> {
        use Field::*;
        let b = key.as_bytes();
        let f = match (b.len(), *b.first()?, b.get(2).copied().unwrap_or(0)) {
            (2, b't', _) if key == "ts" => Ts,
            (3, b'a', _) if key == "app" => App,
            (3, b'q', _) if key == "qty" => Qty,
            (3, b'r', _) if key == "rep" => Rep,
            (3, b's', _) if key == "sql" => Sql,
            (4, b't', _) if key == "type" => Type,
            (4, b'l', _) if key == "line" => Line,
            (4, b'd', b'p') if key == "dept" => Dept,
            (4, b'd', b'u') if key == "drug" => Drug,
            (4, b'd', b'y') if key == "days" => Days,
            (4, b'u', _) if key == "user" => User,
            (4, b'r', b'l') if key == "role" => Role,
            (4, b'r', b'w') if key == "rows" => Rows,
            (5, b'r', _) if key == "rx_id" => RxId,
            (6, b'd', _) if key == "doctor" => Doctor,
            (6, b'a', b'o') if key == "amount" => Amount,
            (6, b'a', b't') if key == "action" => Action,
            (6, b'o', _) if key == "object" => Object,
            (6, b'r', _) if key == "reason" => Reason,
            (7, b'c', _) if key == "company" => Company,
            (8, b'e', _) if key == "event_id" => EventId,
            (8, b'h', _) if key == "hospital" => Hospital,
            (8, b'c', _) if key == "category" => Category,
            (8, b'g', _) if key == "group_by" => GroupBy,
            (8, b'p', _) if key == "products" => Products,
            (9, b'd', _) if key == "drug_name" => DrugName,
            (9, b'l', _) if key == "long_term" => LongTerm,
            (9, b'c', _) if key == "client_ip" => ClientIp,
            (10, b'v', _) if key == "visit_type" => VisitType,
            (12, b'd', _) if key == "doctor_title" => DoctorTitle,
            (12, b'm', _) if key == "manufacturer" => Manufacturer,
            _ => return None,
        };
        Some(f)
    }
}

/// Bytes before the first `"`, `\\` or control character (all of `b` when none), eight at
/// a time: a byte is flagged by the usual borrow tricks, exact for the lowest flagged byte,
/// which is the one wanted.
fn plain_len(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let v = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let hit = zero(v ^ (ONES * u64::from(b'"')))
            | zero(v ^ (ONES * u64::from(b'\\')))
            | (v.wrapping_sub(ONES * 0x20) & !v & HIGH);
        if hit != 0 {
            return i + hit.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    i + b[i..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(b.len() - i)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// A string without escapes, borrowed; `None` on an escape, a control character (which
    /// JSON forbids unescaped) or no closing quote.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let len = plain_len(&self.b[start..]);
        if self.b.get(start + len) != Some(&b'"') {
            return None;
        }
        self.i = start + len + 1;
        // Quotes are ASCII, so both ends are on character boundaries of the valid UTF-8 text.
        Some(&self.text[start..start + len])
    }

    /// `null` (→ `None`) or what `value` reads.
    fn nullable<T>(&mut self, value: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            Some(None)
        } else {
            value(self).map(Some)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    fn str(&mut self) -> Option<Option<Str<'a>>> {
        self.nullable(|p| p.string().map(|s| Str(Cow::Borrowed(s))))
    }

    fn strs(&mut self) -> Option<Option<Vec<Str<'a>>>> {
        self.nullable(|p| {
            p.eat(b'[')?;
            p.ws();
            let mut out = Vec::new();
            if p.peek()? == b']' {
                p.i += 1;
                return Some(out);
            }
            loop {
                out.push(Str(Cow::Borrowed(p.string()?)));
                p.ws();
                match p.next()? {
                    b',' => p.ws(),
                    b']' => return Some(out),
                    _ => return None,
                }
            }
        })
    }

    fn bool(&mut self) -> Option<Option<bool>> {
        self.nullable(|p| match p.peek()? {
            b't' => p.literal(b"true").map(|_| true),
            b'f' => p.literal(b"false").map(|_| false),
            _ => None,
        })
    }

    /// The text of a JSON number, checked against the grammar
    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number_text(&mut self) -> Option<&'a str> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.digit()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.digit()?;
        }
        Some(&self.text[start..self.i])
    }

    /// One digit or more.
    fn digit(&mut self) -> Option<()> {
        self.next()?.is_ascii_digit().then_some(())?;
        self.digits();
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// A number as an `f64`, when it has at most 15 digits and no exponent: then serde_json
    /// (the significand, exact, divided once by an exact power of ten) and the standard
    /// library both give the correctly rounded value. Longer ones go to serde, whose
    /// rounding of them is its own.
    fn num(&mut self) -> Option<Option<f64>> {
        self.nullable(|p| {
            let t = p.number_text()?;
            let (mut digits, mut int, mut plain) = (0, 0u64, true);
            for c in t.bytes() {
                match c {
                    b'0'..=b'9' => {
                        digits += 1;
                        int = int * 10 + u64::from(c - b'0');
                    }
                    b'.' | b'-' => plain &= c == b'-',
                    _ => return None,
                }
                if digits > 15 {
                    return None;
                }
            }
            Some(if !plain {
                t.parse::<f64>().ok()?
            } else if t.starts_with('-') {
                // serde_json reads `-0` as -0.0 (a reject message prints "-0").
                -(int as f64)
            } else {
                int as f64
            })
        })
    }

    /// `decode`'s `int`: an integral number; anything else for serde to name.
    fn int(&mut self) -> Option<Option<i64>> {
        match self.num()? {
            None => Some(None),
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Some(f as i64)),
            Some(_) => None,
        }
    }

    fn field(&mut self, f: Field, r: &mut Raw<'a>) -> Option<()> {
        use Field::*;
        match f {
            Type => r.ty = self.str()?,
            EventId => r.event_id = self.str()?,
            Ts => r.ts = self.str()?,
            Hospital => r.hospital = self.str()?,
            RxId => r.rx_id = self.str()?,
            Line => r.line = self.int()?,
            VisitType => r.visit_type = self.str()?,
            Dept => r.dept = self.str()?,
            Doctor => r.doctor = self.str()?,
            DoctorTitle => r.doctor_title = self.str()?,
            Drug => r.drug = self.str()?,
            DrugName => r.drug_name = self.str()?,
            Manufacturer => r.manufacturer = self.str()?,
            Qty => r.qty = self.num()?,
            Amount => r.amount = self.num()?,
            Days => r.days = self.int()?,
            LongTerm => r.long_term = self.bool()?,
            Reason => r.reason = self.str()?,
            Category => r.category = self.str()?,
            User => r.user = self.str()?,
            Role => r.role = self.str()?,
            ClientIp => r.client_ip = self.str()?,
            App => r.app = self.str()?,
            Action => r.action = self.str()?,
            Object => r.object = self.str()?,
            GroupBy => r.group_by = self.strs()?,
            Rows => r.rows = self.int()?,
            Sql => r.sql = self.str()?,
            Rep => r.rep = self.str()?,
            Company => r.company = self.str()?,
            Products => r.products = self.strs()?,
        }
        Some(())
    }

    /// Any JSON value, checked and passed over (an unknown field's).
    fn skip(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number_text().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'[' if depth < MAX_DEPTH => {
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'{' if depth < MAX_DEPTH => {
                self.i += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b'}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fixture line: the hospital's (gzip) and the cases', bad input included.
    fn fixture_lines() -> Vec<String> {
        use std::io::Read;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut text = String::new();
        let gz = std::fs::File::open(root.join("hospital/events.ndjson.gz")).unwrap();
        flate2::read::GzDecoder::new(gz).read_to_string(&mut text).unwrap();
        let mut lines: Vec<String> = text.lines().step_by(7).take(3000).map(str::to_owned).collect();
        for e in std::fs::read_dir(root.join("cases")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "ndjson") {
                let bytes = std::fs::read(&p).unwrap();
                lines.extend(String::from_utf8_lossy(&bytes).lines().map(str::to_owned));
            }
        }
        lines
    }

    /// The record [`fill`] reads, or `None`.
    fn raw(text: &str) -> Option<Raw<'_>> {
        let mut raw = Raw::default();
        fill(text, &mut raw).map(|()| raw)
    }

    /// The invariant: whatever the fast pass accepts, serde accepts with the same record.
    fn agree(text: &str) -> bool {
        let Some(fast) = raw(text) else { return false };
        let slow: Result<Raw, _> = serde_json::from_str(text);
        // Debug, not `==`: -0.0 == 0.0, but a reject message prints the sign.
        assert_eq!(
            format!("{:?}", Some(&fast)),
            format!("{:?}", slow.as_ref().ok()),
            "the fast pass and serde differ on {text}"
        );
        true
    }

    #[test]
    fn agrees_with_serde_on_every_fixture_line() {
        let lines = fixture_lines();
        let fast = lines.iter().filter(|l| agree(l)).count();
        let plain = lines.iter().filter(|l| !l.contains('\\') && serde_json::from_str::<Raw>(l).is_ok()).count();
        assert!(lines.len() > 3000);
        assert_eq!(fast, plain, "every record serde reads without an escape takes the fast pass");
    }

    #[test]
    fn agrees_with_serde_on_mutations() {
        const ALPHABET: &[u8] = b"\"{}[],:\\ \t\n0123456789-+.eEtrufalsn\x01x";
        let lines = fixture_lines();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut tried, mut fast) = (0, 0);
        for line in lines.iter().take(2000) {
            for _ in 0..50 {
                let mut b = line.as_bytes().to_vec();
                for _ in 0..1 + rand(3) {
                    let at = rand(b.len() + 1);
                    match rand(4) {
                        0 if at < b.len() => b[at] = ALPHABET[rand(ALPHABET.len())],
                        1 if at < b.len() => drop(b.remove(at)),
                        2 => b.insert(at, ALPHABET[rand(ALPHABET.len())]),
                        _ => b.truncate(at),
                    }
                }
                if let Ok(text) = std::str::from_utf8(&b) {
                    tried += 1;
                    fast += usize::from(agree(text));
                }
            }
        }
        // Enough mutants stay valid (a changed digit or letter) that acceptance is tested too.
        assert!(tried > 50_000 && fast > tried / 10, "{fast} of {tried} mutants took the fast pass");
    }

    #[test]
    fn every_name_finds_its_field_and_no_other() {
        for (i, name) in NAMES.iter().enumerate() {
            assert_eq!(Field::of(name).map(|f| f as usize), Some(i), "{name}");
            let near = format!("{}x", &name[..name.len() - 1]);
            assert!(Field::of(&near).is_none(), "{near}");
        }
    }

    #[test]
    fn plain_len_stops_where_a_byte_scan_does() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 40) as usize;
            let b: Vec<u8> = (0..len)
                .map(|i| match (seed >> (i % 60)) % 11 {
                    0 => b'"',
                    1 => b'\\',
                    2 => (seed >> 3) as u8 % 0x20,
                    3 => 0xe4,
                    _ => b'a' + (i as u8 % 26),
                })
                .collect();
            let want = b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(b.len());
            assert_eq!(plain_len(&b), want, "{b:?}");
        }
    }

    #[test]
    fn leaves_to_serde_what_it_does_not_own() {
        let base = r#"{"type":"rx","event_id":"e1","qty":2}"#;
        for text in [
            r#"{"type":"rx","type":"rx"}"#, // a known field twice: serde's error
            r#"{"event_id":"a\"b"}"#,       // an escape
            r#"{"qty":1e2}"#,               // an exponent
            r#"{"qty":1234567890123456}"#,  // more digits than are exact both ways
            r#"{"qty":"2"}"#,               // a string for a number
            r#"{"line":1.5}"#,              // not an integer
            r#"{"products":["a",1]}"#,      // a number in a list of strings
            r#"{"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#, // deep
            r#"{"qty":2} x"#,               // trailing text
            r#"{"qty":01}"#,                // not JSON
            "{\"dept\":\"a\tb\"}",          // a raw control character
            "[1]",
            "",
        ] {
            assert!(raw(text).is_none(), "{text}");
        }
        for text in [
            base,
            "{}",
            " {\"qty\" : 2.50 ,\"long_term\":true,\n\"x\":{\"y\":[1,-0.5e-3,null,\"z\"]},\"x\":1 } ",
            r#"{"qty":-0,"amount":-0.0,"days":7.0,"rows":null,"products":[],"group_by":["a","b"]}"#,
            r#"{"type":null,"drug_name":"阿托伐他汀钙片","sql":"select 'a' from t"}"#,
        ] {
            assert!(agree(text), "{text}");
        }
    }
}
