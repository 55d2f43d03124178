//! What may lie in the rules directory and in the catalog directories. Anything else is an
//! error naming it: a rule file saved as `prescription.toml.txt` or `x.yaml` would otherwise
//! be silently not read, and a hospital's `drug.csv` would silently not replace anything.
//!
//! Hidden entries (`.git`, an editor's `.prescription.toml.swp`) are ignored. Editor
//! backups ending in `~` are errors: a backup beside the live file makes it unclear which
//! rules are in force, and `rules check` should say so before a reload does not.

use std::path::{Path, PathBuf};

use super::dictionary::{DICTIONARY_DIR, DICTIONARY_FILE};
use super::problem::Problem;

/// The catalog files of CONTRACT §2.
pub const CATALOG_FILES: [&str; 3] = ["drugs.csv", "doctors.csv", "suspended_drugs.csv"];

/// One visible entry of a directory.
struct Entry {
    name: String,
    path: PathBuf,
    is_dir: bool,
}

/// Visible entries of `dir`, sorted by name; backups and names that are not UTF-8 are
/// reported and left out.
fn entries(dir: &Path, problems: &mut Vec<Problem>) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            problems.push(Problem::new(&path, None, None, "file name is not UTF-8: rename or remove it"));
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        if name.ends_with('~') {
            problems.push(Problem::new(&path, None, None, "an editor backup: remove it from the directory"));
            continue;
        }
        out.push(Entry { is_dir: path.is_dir(), name, path });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn is_doc(e: &Entry) -> bool {
    !e.is_dir && e.name.ends_with(".md")
}

/// The `*.toml` files of the rules directory (`engine.toml` among them). Documentation
/// (`*.md`) and `catalog/` may sit beside them; anything else is a problem, and so is a
/// directory without a single rule file.
pub fn rule_files(dir: &Path, problems: &mut Vec<Problem>) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for e in entries(dir, problems)? {
        if !e.is_dir && e.name.ends_with(".toml") {
            files.push(e.path);
        } else if !(is_doc(&e)
            || e.is_dir && (e.name == "catalog" || e.name == DICTIONARY_DIR)
            || !e.is_dir && e.name == DICTIONARY_FILE)
        {
            let what = if e.is_dir { "directory" } else { "file" };
            let msg = format!(
                "unexpected {what} in the rules directory: rule files end in .toml; besides them only engine.toml, *.md, catalog/, dictionary.csv and dictionary/ belong here"
            );
            problems.push(Problem::new(&e.path, None, None, msg));
        }
    }
    if !files.iter().any(|f| f.file_name().is_some_and(|n| n != "engine.toml")) {
        let msg = "no rule files: the rules directory needs at least one *.toml of [[rule]] tables besides engine.toml";
        problems.push(Problem::new(dir, None, None, msg));
    }
    Ok(files)
}

/// The hospital directories of a catalog directory (`catalog/<hospital>/`), sorted by code.
/// Files other than the three catalog files and `*.md` are problems.
pub fn hospital_dirs(dir: &Path, problems: &mut Vec<Problem>) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for e in entries(dir, problems)? {
        if e.is_dir {
            out.push((e.name, e.path));
        } else if !(is_doc(&e) || CATALOG_FILES.contains(&e.name.as_str())) {
            problems.push(unexpected_catalog_file(&e.path));
        }
    }
    Ok(out)
}

/// The catalog files a hospital directory holds; anything else there is a problem, and so
/// is a directory that holds none of them.
pub fn hospital_files(dir: &Path, problems: &mut Vec<Problem>) -> Vec<&'static str> {
    let listed = match entries(dir, problems) {
        Ok(l) => l,
        Err(e) => {
            problems.push(Problem::new(dir, None, None, format!("cannot read: {e}")));
            return Vec::new();
        }
    };
    let mut found = Vec::new();
    for e in listed {
        match CATALOG_FILES.iter().find(|f| **f == e.name) {
            Some(f) if !e.is_dir => found.push(*f),
            _ if is_doc(&e) => {}
            _ => problems.push(unexpected_catalog_file(&e.path)),
        }
    }
    if found.is_empty() {
        let msg = format!("a hospital's catalog directory holds none of {}", CATALOG_FILES.join(", "));
        problems.push(Problem::new(dir, None, None, msg));
    }
    found
}

fn unexpected_catalog_file(path: &Path) -> Problem {
    let msg = format!(
        "unexpected entry in a catalog directory: the catalog files are {} (and *.md notes); \
         a directory directly in catalog/ holds one hospital's files",
        CATALOG_FILES.join(", ")
    );
    Problem::new(path, None, None, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(|p| p.file.file_name().unwrap().to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn rule_files_are_toml_beside_docs_catalog_and_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in ["a.toml", "engine.toml", "README.md", ".hidden.yaml", "b.toml.txt", "c.yaml", "a.toml~"] {
            std::fs::write(d.join(f), "").unwrap();
        }
        std::fs::write(d.join("dictionary.csv"), "").unwrap();
        for sub in ["catalog", "dictionary", ".git", "old"] {
            std::fs::create_dir(d.join(sub)).unwrap();
        }
        let mut problems = Vec::new();
        let files = rule_files(d, &mut problems).unwrap();
        assert_eq!(files, [d.join("a.toml"), d.join("engine.toml")]);
        assert_eq!(names(&problems), ["a.toml~", "b.toml.txt", "c.yaml", "old"]);
    }

    #[test]
    fn engine_toml_alone_is_no_rule_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("engine.toml"), "").unwrap();
        let mut problems = Vec::new();
        rule_files(dir.path(), &mut problems).unwrap();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.starts_with("no rule files"), "{problems:?}");
    }

    #[test]
    fn a_hospital_directory_holds_catalog_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let h = dir.path().join("H01");
        std::fs::create_dir_all(h.join("sub")).unwrap();
        for f in ["doctors.csv", "notes.md", "drug.csv"] {
            std::fs::write(h.join(f), "").unwrap();
        }
        let mut problems = Vec::new();
        assert_eq!(hospital_dirs(dir.path(), &mut problems).unwrap(), [("H01".to_string(), h.clone())]);
        assert_eq!(hospital_files(&h, &mut problems), ["doctors.csv"]);
        assert_eq!(names(&problems), ["drug.csv", "sub"]);
    }
}
