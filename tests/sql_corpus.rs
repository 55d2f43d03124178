//! Precision and recall of the 统方 SQL analyser over the labelled corpus in
//! tests/sql_corpus/: statements written as HIS engineers of several vendors write them,
//! half 统方 and half innocent but similar. `heldout.sql` was written before the analyser
//! and never tuned on; its figures are printed apart. `blind2.sql` was written blind by a
//! second engineer and measured before the analyser was changed on it (recall 0.583): it
//! is scored apart, against a floor, as what statements of unseen vendors still cost.
//! `blind3.sql`, by a third engineer, was held out until stop 28 (measured once: recall 0.857);
//! its misses then prompted two general readings (fee items restricted to drugs, subqueries
//! fixing a drug). `blind4.sql`, by a fourth engineer, was held out until stop 29 (measured
//! once: recall 0.825); its misses prompted the readings of stop 29 (a table joined to a
//! doctor or drug column stands for it, Caché's `%STARTSWITH`). `blind5.sql`, by a fifth
//! engineer, is held out: measured once (recall 0.875), never tuned on.

use std::path::Path;

use rxsentinel::detect::sql::lex::{tokens, Kind};
use rxsentinel::detect::sql::{Analyser, Columns};
use rxsentinel::rules::model::TongfangParams;
use rxsentinel::rules::Dictionary;

struct Case {
    file: String,
    line: usize,
    tongfang: bool,
    note: String,
    sql: String,
}

fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql_corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out: Vec<Case> = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "sql")) {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (n, line) in std::fs::read_to_string(path).unwrap().lines().enumerate() {
            let label = line
                .strip_prefix("-- @tongfang")
                .map(|r| (true, r))
                .or(line.strip_prefix("-- @innocent").map(|r| (false, r)));
            match (label, out.last_mut()) {
                (Some((tongfang, note)), _) => out.push(Case {
                    file: file.clone(),
                    line: n + 1,
                    tongfang,
                    note: note.trim().into(),
                    sql: String::new(),
                }),
                (None, Some(c)) if c.file == file => {
                    c.sql.push_str(line);
                    c.sql.push('\n');
                }
                _ => {}
            }
        }
    }
    out
}

struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}

fn score<'a>(cases: impl Iterator<Item = &'a Case>, a: &Analyser, misses: &mut Vec<String>) -> Score {
    let mut s = Score { tp: 0, fp: 0, fn_: 0, tn: 0 };
    for c in cases {
        let found = a.sql(&c.sql, &Dictionary::default()).finding;
        if std::env::var_os("SQL_CORPUS_VERBOSE").is_some() {
            println!("{}:{} {} {:?}", c.file, c.line, c.tongfang, found);
        }
        match (c.tongfang, &found) {
            (true, Some(_)) => s.tp += 1,
            (false, None) => s.tn += 1,
            (true, None) => {
                s.fn_ += 1;
                misses.push(format!("missed {}:{} {}", c.file, c.line, c.note));
            }
            (false, Some(f)) => {
                s.fp += 1;
                misses.push(format!("false alarm {}:{} {} ({f:?})", c.file, c.line, c.note));
            }
        }
    }
    s
}

/// Whether the shipped name lists alone see a doctor and a drug among the statement's names.
fn lists_see_both(sql: &str, p: &TongfangParams) -> bool {
    let (doc, drug) = (Columns::new(&p.doctor_columns), Columns::new(&p.drug_columns));
    let names: Vec<&str> = tokens(sql)
        .iter()
        .filter(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
        .map(|t| &sql[t.start as usize..t.end as usize])
        .collect();
    names.iter().any(|n| doc.matches(n)) && names.iter().any(|n| drug.matches(n))
}

#[test]
fn precision_and_recall_over_the_corpus() {
    let p = TongfangParams::default();
    let a = Analyser::new(&p);
    let cases = corpus();
    let (blind, cases): (Vec<Case>, Vec<Case>) = cases.into_iter().partition(|c| c.file == "blind2.sql");
    let (blind3, cases): (Vec<Case>, Vec<Case>) = cases.into_iter().partition(|c| c.file == "blind3.sql");
    let (blind4, cases): (Vec<Case>, Vec<Case>) = cases.into_iter().partition(|c| c.file == "blind4.sql");
    let (blind5, cases): (Vec<Case>, Vec<Case>) = cases.into_iter().partition(|c| c.file == "blind5.sql");
    let (blind6, cases): (Vec<Case>, Vec<Case>) = cases.into_iter().partition(|c| c.file == "blind6.sql");
    let (held, train): (Vec<&Case>, Vec<&Case>) = cases.iter().partition(|c| c.file == "heldout.sql");
    let tongfang = cases.iter().filter(|c| c.tongfang).count();
    assert!(cases.len() >= 150, "{} statements", cases.len());
    assert!(
        tongfang * 2 >= cases.len() - 10 && tongfang * 2 <= cases.len() + 10,
        "{tongfang} of {} are 统方",
        cases.len()
    );
    assert!(held.len() * 5 >= cases.len(), "held out: {} of {}", held.len(), cases.len());
    let novel = cases.iter().filter(|c| c.tongfang && !lists_see_both(&c.sql, &p)).count();
    assert!(novel >= 30, "only {novel} 统方 statements name columns outside the shipped lists");

    let mut misses = Vec::new();
    let all = score(cases.iter(), &a, &mut misses);
    let tuned = score(train.iter().copied(), &a, &mut Vec::new());
    let held = score(held.iter().copied(), &a, &mut Vec::new());
    let mut blind_misses = Vec::new();
    let blind = score(blind.iter(), &a, &mut blind_misses);
    let blind3 = score(blind3.iter(), &a, &mut blind_misses);
    let blind4 = score(blind4.iter(), &a, &mut blind_misses);
    let blind5 = score(blind5.iter(), &a, &mut blind_misses);
    let blind6 = score(blind6.iter(), &a, &mut blind_misses);
    for (name, s) in [
        ("all", &all),
        ("tuned", &tuned),
        ("held-out", &held),
        ("blind2", &blind),
        ("blind3", &blind3),
        ("blind4", &blind4),
        ("blind5", &blind5),
        ("blind6", &blind6),
    ] {
        println!(
            "{name:>8}: {} statements, precision {:.3}, recall {:.3} (tp {}, fp {}, fn {}, tn {})",
            s.tp + s.fp + s.fn_ + s.tn,
            s.precision(),
            s.recall(),
            s.tp,
            s.fp,
            s.fn_,
            s.tn
        );
    }
    println!("统方 statements whose doctor or drug column no shipped list names: {novel}");
    for m in &misses {
        println!("{m}");
    }
    for m in &blind_misses {
        println!("{m}");
    }
    assert!(all.precision() >= 0.95 && all.recall() >= 0.95, "below 95 %: {misses:#?}");
    // The second blind set: measured 0.583 before the analyser was changed on it, 0.750 after
    // (9 misses: fee items restricted to drugs only by a vendor's category codes, a user table
    // as the prescriber, HL7 field numbers, an OMOP ingredient through concept_ancestor).
    assert!(blind.precision() >= 0.95 && blind.recall() >= 0.75, "blind2 fell: {blind_misses:#?}");
    assert!(blind3.precision() >= 0.95 && blind3.recall() >= 0.94, "blind3 fell: {blind_misses:#?}");
    assert!(blind4.precision() >= 0.95 && blind4.recall() >= 0.87, "blind4 fell: {blind_misses:#?}");
    assert!(blind5.precision() >= 0.95 && blind5.recall() >= 0.87, "blind5 fell: {blind_misses:#?}");
    // Held out since stop 30 (measured once: precision 0.973, recall 0.900).
    assert!(blind6.precision() >= 0.95 && blind6.recall() >= 0.89, "blind6 fell: {blind_misses:#?}");
}
