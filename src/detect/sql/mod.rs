//! Is an audited statement a 统方 query — does it aggregate prescriptions by doctor and by
//! drug? Read from what the SQL means rather than from one list of column names: names are
//! normalised (pinyin initials and words, English, Chinese; snake_case, camelCase, quoting,
//! qualifiers), select-item aliases name their columns, joins to doctor and drug dictionary
//! tables make keys, a site's data dictionary says what its own columns hold, and the
//! query's shape decides (GROUP BY, grouping sets, PARTITION BY, pivots, a dimension fixed
//! in WHERE, CTEs, subqueries and UNION branches each judged as a block).
//!
//! It is a scanner, not a parser: it never fails, and reads truncated, vendor-specific or
//! broken SQL as far as it goes. Its cost is linear in the text, which is cut to
//! `max_sql_bytes` first; the reasons are in README's design notes.
//!
//! `lex` → tokens; `block` (+ `fixed`) → query blocks in one pass; `resolve` → meanings,
//! `decide` → the verdict; `vocab` → what a name says; `columns` → the rules' name lists.

mod block;
mod clause;
pub mod columns;
mod decide;
mod fixed;
pub mod lex;
mod memo;
mod resolve;
mod text;
pub mod vocab;

pub use columns::Columns;
pub use memo::Memo;

use std::collections::HashMap;

use crate::rules::dictionary::{Dictionary, Dimension};
use crate::rules::model::TongfangParams;

/// The compiled name lists of one `tongfang_query` rule.
#[derive(Clone, Debug, Default)]
pub struct Analyser {
    doctor_columns: Columns,
    drug_columns: Columns,
    doctor_tables: Columns,
    drug_tables: Columns,
    max_sql_bytes: usize,
}

/// The doctor and drug dimensions found, and why each was read so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The column as written (`a.YSDM`, `开单医生`).
    pub doctor: String,
    pub drug: String,
    /// How the two dimensions are present: `group_by`, `group_by+where_fixed`,
    /// `partition_by`, `pivot`, `where_fixed`.
    pub reason: String,
    /// Why the column is a doctor: `name`, `alias 医生`, `join gy_ygdm`, `table staff`,
    /// `dictionary t_rx.c_ys`, `column list`.
    pub doctor_basis: String,
    pub drug_basis: String,
}

/// What reading one statement found, and how much of it was read.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub finding: Option<Finding>,
    /// Bytes read (the head of the statement when it is longer than the cap).
    pub scanned: usize,
    pub total: usize,
    /// Tokens and item tokens visited: the work done, linear in `scanned`.
    pub steps: usize,
}

impl Analysis {
    pub fn truncated(&self) -> bool {
        self.scanned < self.total
    }
}

impl Analyser {
    pub fn new(p: &TongfangParams) -> Analyser {
        Analyser {
            doctor_columns: Columns::new(&p.doctor_columns),
            drug_columns: Columns::new(&p.drug_columns),
            doctor_tables: Columns::new(&p.doctor_tables),
            drug_tables: Columns::new(&p.drug_tables),
            max_sql_bytes: p.max_sql_bytes,
        }
    }

    /// Reads `sql` (its first `max_sql_bytes`) with the site dictionary `dict`.
    pub fn sql(&self, sql: &str, dict: &Dictionary) -> Analysis {
        let head = lex::head(sql, self.max_sql_bytes);
        let toks = lex::tokens(head);
        let k = text::Toks { sql: head, t: &toks };
        let pass = block::Pass::run(&k);
        let mut filters: Vec<(usize, usize)> =
            pass.blocks.iter().enumerate().filter_map(|(c, b)| Some((b.filter?.parent, c))).collect();
        filters.sort_unstable();
        // Each CTE by (name, statement), the first definition; one whose body is a UNION of
        // blocks is not one block's rows. Its body is read at its own level (nested blocks
        // jumped): each token once.
        let mut ctes: HashMap<(String, u32), Option<usize>> = HashMap::new();
        for &(n, open, b) in &pass.ctes {
            let close = pass.jumps.get(&open).copied().unwrap_or(open);
            let mut j = open + 1;
            let mut union = false;
            while j < close && !union {
                if let Some(&c) = pass.jumps.get(&j) {
                    j = c + 1;
                    continue;
                }
                union = ["union", "intersect", "except", "minus"].iter().any(|w| k.word(j as usize, w));
                j += 1;
            }
            let key = (k.text(n as usize).to_lowercase(), pass.blocks[b].stmt);
            ctes.entry(key).or_insert((!union).then_some(b));
        }
        let mut r = resolve::Resolver {
            k: &k,
            a: self,
            dict,
            jumps: &pass.jumps,
            blocks: &pass.blocks,
            filters: &filters,
            ctes: &ctes,
            steps: toks.len(),
        };
        let finding = (0..pass.blocks.len()).find_map(|b| r.block(b));
        Analysis { finding, scanned: head.len(), total: sql.len(), steps: r.steps }
    }

    /// The access event's own `group_by` list (CONTRACT §1), read through the same names.
    pub fn listed<S: AsRef<str>>(&self, dims: &[S], dict: &Dictionary) -> Option<Finding> {
        let read = |want: Dimension| {
            dims.iter().find_map(|d| {
                let d = d.as_ref();
                let (hit, _) = self.name_hit(dict, None, d);
                match hit.or_else(|| self.pattern_hit(d)) {
                    Some((dim, basis)) if dim == want => Some((d.to_owned(), basis)),
                    _ => None,
                }
            })
        };
        let ((doctor, doctor_basis), (drug, drug_basis)) = (read(Dimension::Doctor)?, read(Dimension::Drug)?);
        Some(Finding { doctor, drug, reason: "group_by".into(), doctor_basis, drug_basis })
    }
}

#[cfg(test)]
mod tests;
