//! Reading one catalog CSV: header by name, every row located by its real line (a UTF-8 BOM
//! skipped, CRLF line ends and blank lines counted), each cell read through [`Row`], which
//! records a problem for every bad value so the rest of the file is still checked.

use std::collections::HashMap;
use std::path::Path;

use super::problem::{line_of, Problem};

/// One CSV row with its location, for typed cell access that records problems.
pub struct Row<'r> {
    file: &'r Path,
    line: usize,
    cols: &'r HashMap<String, usize>,
    rec: &'r csv::StringRecord,
    problems: &'r mut Vec<Problem>,
}

impl Row<'_> {
    /// The 1-based line of the row in its file.
    pub fn line(&self) -> usize {
        self.line
    }

    pub fn text(&self, col: &str) -> &str {
        self.cols.get(col).and_then(|&i| self.rec.get(i)).map(str::trim).unwrap_or("")
    }

    pub fn problem(&mut self, col: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(self.file, Some(self.line), Some(col), message));
    }

    pub fn key(&mut self, col: &str) -> Option<String> {
        let v = self.text(col).to_owned();
        if v.is_empty() {
            self.problem(col, "required value is empty");
            return None;
        }
        Some(v)
    }

    pub fn flag(&mut self, col: &str) -> bool {
        match self.text(col).to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" | "" => false,
            other => {
                let msg = format!("expected true or false, got {other:?}");
                self.problem(col, msg);
                false
            }
        }
    }

    /// Empty = `None`; otherwise parsed, or a problem naming what was expected.
    pub fn opt<T>(&mut self, col: &str, parse: impl Fn(&str) -> Option<T>, expected: &str) -> Option<T> {
        let v = self.text(col).to_owned();
        if v.is_empty() {
            return None;
        }
        let parsed = parse(&v);
        if parsed.is_none() {
            self.problem(col, format!("expected {expected}, got {v:?}"));
        }
        parsed
    }
}

/// Reads `path`, calling `each` for every row with as many fields as the header; returns
/// how many rows there were. Problems: an unreadable file, text that is not UTF-8, a
/// missing `required` column, a row with fewer or more fields than the header.
pub fn read_csv(path: &Path, required: &[&str], problems: &mut Vec<Problem>, mut each: impl FnMut(&mut Row)) -> usize {
    let Some(text) = read_text(path, problems) else { return 0 };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let cols: HashMap<String, usize> = match rdr.headers() {
        Ok(h) => h.iter().enumerate().map(|(i, name)| (name.trim().to_owned(), i)).collect(),
        Err(e) => {
            problems.push(Problem::new(path, Some(1), None, format!("cannot read header: {e}")));
            return 0;
        }
    };
    for col in required.iter().filter(|c| !cols.contains_key(**c)) {
        problems.push(Problem::new(path, Some(1), Some(col), format!("header lacks column `{col}`")));
    }
    let mut rows = 0;
    for rec in rdr.records() {
        rows += 1;
        let line = |pos: Option<&csv::Position>| pos.map(|p| record_line(text, p.byte() as usize));
        match rec {
            Ok(rec) if rec.len() != cols.len() => {
                let msg = format!("{} fields, the header has {}", rec.len(), cols.len());
                problems.push(Problem::new(path, line(rec.position()), None, msg));
            }
            Ok(rec) => {
                let line = line(rec.position()).unwrap_or(0);
                each(&mut Row { file: path, line, cols: &cols, rec: &rec, problems });
            }
            Err(e) => problems.push(Problem::new(path, line(e.position()), None, format!("unreadable row: {e}"))),
        }
    }
    rows
}

/// The file as text; a problem on the first line that is not UTF-8 (a GBK export, say).
fn read_text(path: &Path, problems: &mut Vec<Problem>) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            problems.push(Problem::new(path, None, None, format!("cannot open: {e}")));
            return None;
        }
    };
    String::from_utf8(bytes)
        .map_err(|e| {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            problems.push(Problem::new(path, Some(line), None, "not UTF-8 text: save the file as UTF-8"));
        })
        .ok()
}

/// 1-based line of a record the reader says starts at `byte`: it may point at the line end
/// that closed the previous record (CRLF) or at blank lines before it.
fn record_line(text: &str, byte: usize) -> usize {
    let rest = text.get(byte..).unwrap_or("");
    let skip = rest.find(|c| c != '\r' && c != '\n').unwrap_or(rest.len());
    line_of(text, byte + skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` as a CSV with columns a, b; returns (line, a) of each row and the problems.
    fn read(text: &[u8]) -> (Vec<(usize, String)>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let (mut rows, mut problems) = (Vec::new(), Vec::new());
        read_csv(&path, &["a", "b"], &mut problems, |row| rows.push((row.line, row.text("a").to_owned())));
        let problems = problems.iter().map(|p| p.to_string().replace(&path.display().to_string(), "t.csv")).collect();
        (rows, problems)
    }

    #[test]
    fn crlf_bom_and_blank_lines_keep_true_line_numbers() {
        let want = vec![(2, "1".to_string()), (4, "3".to_string())];
        assert_eq!(read(b"a,b\n1,2\n\n3,4\n").0, want);
        assert_eq!(read(b"a,b\r\n1,2\r\n\r\n3,4\r\n").0, want, "CRLF");
        assert_eq!(read("\u{feff}a,b\r\n1,2\r\n\r\n3,4".as_bytes()).0, want, "Excel: BOM and CRLF");
        assert_eq!(read("\u{feff}\"a\",\"b\"\n1,2\n\n3,4\n".as_bytes()), (want, vec![]), "quoted header after a BOM");
    }

    #[test]
    fn rows_with_another_number_of_fields_are_problems() {
        let (rows, problems) = read(b"a,b\r\n1\r\n2,3\r\n4,5,6\r\n");
        assert_eq!(rows, vec![(3, "2".to_string())]);
        assert_eq!(problems, ["t.csv:2: 1 fields, the header has 2", "t.csv:4: 3 fields, the header has 2"]);
    }

    #[test]
    fn text_that_is_not_utf8_names_its_first_line() {
        let (rows, problems) = read(b"a,b\n1,2\n\xd5\xc5,3\n");
        assert!(rows.is_empty());
        assert_eq!(problems, ["t.csv:3: not UTF-8 text: save the file as UTF-8"]);
    }
}
