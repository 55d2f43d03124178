//! A site's data dictionary for the 统方 analyser (`rules/dictionary.csv`): what a column of
//! its own HIS schema means, for names no vocabulary can read (`t_rx.c_ys`, `cfmx.czr`).
//! Header `table,column,meaning`; `table` `*` is any table, `column` `*` says the whole
//! table is a dictionary of that meaning (a column joined to one of its columns is a key of
//! it). Names are case-insensitive, without quotes or schema. A hospital's own file,
//! `rules/dictionary/<hospital>.csv`, replaces the shared one for that hospital (as
//! `catalog/<hospital>/` does for the catalog).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::problem::Problem;
use super::table::read_csv;

pub const DICTIONARY_FILE: &str = "dictionary.csv";
pub const DICTIONARY_DIR: &str = "dictionary";
const COLUMNS: &[&str] = &["table", "column", "meaning"];

/// What a column (or a whole table) holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    Doctor,
    Drug,
    Dept,
    Patient,
    Other,
}

impl Dimension {
    pub fn parse(s: &str) -> Option<Dimension> {
        Some(match s {
            "doctor" => Self::Doctor,
            "drug" => Self::Drug,
            "dept" => Self::Dept,
            "patient" => Self::Patient,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

/// (table, column) → meaning, lower-case; `*` as in the file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dictionary {
    entries: HashMap<(String, String), Dimension>,
}

impl Dictionary {
    /// The meaning of `table.column`: the entry for the table, else for any table (`*`).
    pub fn column(&self, table: Option<&str>, column: &str) -> Option<Dimension> {
        if self.entries.is_empty() {
            return None;
        }
        let col = column.to_lowercase();
        let at = |t: &str| self.entries.get(&(t.to_owned(), col.clone())).copied();
        table.and_then(|t| at(&t.to_lowercase())).or_else(|| at("*"))
    }

    /// What the whole table is a dictionary of (an entry with column `*`).
    pub fn table(&self, table: &str) -> Option<Dimension> {
        if self.entries.is_empty() {
            return None;
        }
        self.entries.get(&(table.to_lowercase(), "*".to_owned())).copied()
    }

    /// Doctors or drugs: what a whole-table entry whose name's last `_`-separated part is
    /// `short` (lower case) lists — the table a Caché reference `OEORD_Worker_DR` points into
    /// (`hr_worker` declared as doctors answers `worker`). A generic last part (`hr_emp_info`
    /// does not make every `X_Info_DR` a doctor), two such tables of different meanings, or
    /// one of another meaning answer nothing (the built-in lists then decide).
    pub fn table_with_tail(&self, short: &str) -> Option<Dimension> {
        const GENERIC: &[&str] =
            &["info", "dict", "list", "code", "base", "data", "detail", "table", "tab", "xx", "xxb", "mx", "zd", "dm"];
        if GENERIC.contains(&short) {
            return None;
        }
        let mut found = None;
        for ((table, column), dim) in &self.entries {
            if column == "*" && table.rsplit('_').next() == Some(short) {
                if found.is_some_and(|f| f != *dim) {
                    return None;
                }
                found = Some(*dim);
            }
        }
        found.filter(|d| matches!(d, Dimension::Doctor | Dimension::Drug))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn load(path: &Path, problems: &mut Vec<Problem>) -> Dictionary {
        let mut d = Dictionary::default();
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        read_csv(path, COLUMNS, problems, |row| {
            let (Some(table), Some(column), Some(meaning)) = (row.key("table"), row.key("column"), row.key("meaning"))
            else {
                return;
            };
            let Some(dim) = Dimension::parse(&meaning.to_lowercase()) else {
                return row
                    .problem("meaning", format!("expected doctor, drug, dept, patient or other, got {meaning:?}"));
            };
            if column == "*" && table == "*" {
                return row.problem("column", "`*` in both table and column would give every column one meaning");
            }
            let key = (unquote(&table), unquote(&column));
            if let Some(first) = seen.insert(key.clone(), row.line()) {
                return row
                    .problem("column", format!("{}.{} is already given a meaning on line {first}", key.0, key.1));
            }
            d.entries.insert(key, dim);
        });
        d
    }
}

/// Lower case, without quotes or brackets, and only the last part of `schema.table`.
fn unquote(s: &str) -> String {
    let last = s.rsplit('.').next().unwrap_or(s);
    last.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']')).to_lowercase()
}

/// The shared dictionary (`dir/dictionary.csv`, empty when absent) and each hospital's own
/// (`dir/dictionary/<hospital>.csv`).
pub fn load(dir: &Path, problems: &mut Vec<Problem>) -> (Dictionary, BTreeMap<String, Dictionary>) {
    let file = dir.join(DICTIONARY_FILE);
    let shared = if file.is_file() { Dictionary::load(&file, problems) } else { Dictionary::default() };
    let mut own = BTreeMap::new();
    let sub = dir.join(DICTIONARY_DIR);
    let Ok(entries) = std::fs::read_dir(&sub) else { return (shared, own) };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.ends_with(".md") {
            continue;
        }
        match name.strip_suffix(".csv") {
            Some(hospital) if path.is_file() && !hospital.is_empty() => {
                own.insert(hospital.to_owned(), Dictionary::load(&path, problems));
            }
            _ => {
                let msg =
                    "unexpected entry in the dictionary directory: it holds <hospital>.csv files (and *.md notes)";
                problems.push(Problem::new(&path, None, None, msg));
            }
        }
    }
    (shared, own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_and_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DICTIONARY_FILE);
        let text =
            "table,column,meaning\nt_rx,c_ys,doctor\n*,c_yp,drug\n\"HIS.GY_RY\",*,doctor\nt_rx,c_ys,drug\nt,c,nurse\n";
        std::fs::write(&path, text).unwrap();
        let mut problems = Vec::new();
        let d = Dictionary::load(&path, &mut problems);
        assert_eq!(d.column(Some("T_RX"), "C_YS"), Some(Dimension::Doctor));
        assert_eq!(d.column(Some("other"), "c_yp"), Some(Dimension::Drug));
        assert_eq!(d.column(None, "c_ys"), None);
        assert_eq!(d.table("gy_ry"), Some(Dimension::Doctor));
        let lines: Vec<_> = problems.iter().map(|p| (p.line, p.field.clone())).collect();
        assert_eq!(lines, [(Some(5), Some("column".into())), (Some(6), Some("meaning".into()))], "{problems:?}");
    }
}
