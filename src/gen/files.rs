//! Reference data (CONTRACT §2, exact headers) and ground truth files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

use crate::rules::catalog::{DOCTOR_COLUMNS, DRUG_COLUMNS, SUSPENDED_COLUMNS};

use super::hospital::Hospital;
use super::plant::Truth;

fn csv_writer(path: &Path) -> anyhow::Result<csv::Writer<File>> {
    csv::Writer::from_path(path).with_context(|| format!("cannot create {}", path.display()))
}

fn flag(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// `drugs.csv`, `doctors.csv` and `suspended_drugs.csv` into `dir`.
pub fn write_catalog(h: &Hospital, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;

    let path = dir.join("drugs.csv");
    let mut w = csv_writer(&path)?;
    w.write_record(DRUG_COLUMNS)?;
    for d in &h.drugs {
        w.write_record([
            d.code.as_str(),
            &d.name,
            d.manufacturer,
            &format!("{:.2}", d.price.yuan()),
            flag(d.essential),
            flag(d.vbp),
            flag(d.key_monitored),
            d.abx.map_or("", |a| a.as_str()),
            d.controlled.map_or("", |c| c.as_str()),
            flag(d.herbal()),
        ])?;
    }
    w.flush().with_context(|| format!("cannot write {}", path.display()))?;

    let path = dir.join("doctors.csv");
    let mut w = csv_writer(&path)?;
    w.write_record(DOCTOR_COLUMNS)?;
    for d in &h.doctors {
        w.write_record([
            d.id.as_str(),
            &d.name,
            h.depts[d.dept].spec.code,
            d.title.as_str(),
            d.abx.map_or("", |a| a.as_str()),
            flag(d.controlled),
        ])?;
    }
    w.flush().with_context(|| format!("cannot write {}", path.display()))?;

    let path = dir.join("suspended_drugs.csv");
    let mut w = csv_writer(&path)?;
    w.write_record(SUSPENDED_COLUMNS)?;
    for s in &h.suspensions {
        w.write_record([
            h.drugs[s.drug].code.as_str(),
            &h.period.date(s.from).to_string(),
            &s.until.map(|u| h.period.date(u).to_string()).unwrap_or_default(),
            s.action.as_str(),
            s.reason,
        ])?;
    }
    w.flush().with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// `truth.ndjson`: one line per planted case, ordered by start time.
pub fn write_truth(truth: &[Truth], path: &Path) -> anyhow::Result<()> {
    let mut sorted: Vec<&Truth> = truth.iter().collect();
    sorted.sort_by(|a, b| (&a.start, &a.kind).cmp(&(&b.start, &b.kind)));
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(file);
    for t in sorted {
        serde_json::to_writer(&mut w, t).with_context(|| format!("cannot write {}", path.display()))?;
        w.write_all(b"\n").with_context(|| format!("cannot write {}", path.display()))?;
    }
    w.flush().with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
