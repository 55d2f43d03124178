//! Per-hospital catalogs (CONTRACT §2): `catalog/<hospital>/` holding any of the three
//! catalog files replaces that file for the hospital; the files directly in `catalog/`
//! serve every hospital without its own. Each hospital's catalog is built complete here, so
//! a lookup never has to fall back file by file.

use std::collections::BTreeMap;
use std::path::Path;

use super::catalog::{load_doctors, load_drugs, load_suspensions, Catalog};
use super::dir::{hospital_dirs, hospital_files};
use super::problem::Problem;

/// The default catalog of `dir` and the complete catalogs of the hospitals with a
/// directory of their own, by hospital code.
pub fn load(dir: &Path, problems: &mut Vec<Problem>) -> (Catalog, BTreeMap<String, Catalog>) {
    let default = Catalog::load(dir, problems);
    let dirs = match hospital_dirs(dir, problems) {
        Ok(d) => d,
        // Catalog::load has already said the directory cannot be read.
        Err(_) => return (default, BTreeMap::new()),
    };
    let hospitals = dirs.into_iter().map(|(code, path)| (code, overlay(&path, &default, problems))).collect();
    (default, hospitals)
}

/// The default catalog with the files that `dir` holds read from there instead.
fn overlay(dir: &Path, default: &Catalog, problems: &mut Vec<Problem>) -> Catalog {
    let files = hospital_files(dir, problems);
    let has = |f: &str| files.contains(&f);
    Catalog {
        drugs: if has("drugs.csv") { load_drugs(&dir.join("drugs.csv"), problems) } else { default.drugs.clone() },
        doctors: if has("doctors.csv") {
            load_doctors(&dir.join("doctors.csv"), problems)
        } else {
            default.doctors.clone()
        },
        suspensions: if has("suspended_drugs.csv") {
            load_suspensions(&dir.join("suspended_drugs.csv"), problems)
        } else {
            default.suspensions.clone()
        },
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use crate::rules::RuleSet;

    const ROSTER: &str = "doctor,name,dept,title,antibiotic_privilege,controlled_privilege\n";

    /// A rules directory with one rule, whose catalog (at `catalog`) is the test catalog.
    fn rules_dir(dir: &Path, catalog: &Path) {
        fs::create_dir_all(catalog).unwrap();
        let rule = "[[rule]]\nid = \"BAN-01\"\nkind = \"suspended_drug\"\nseverity = \"high\"\n";
        fs::write(dir.join("a.toml"), rule).unwrap();
        let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases/catalog");
        for f in super::super::dir::CATALOG_FILES {
            fs::copy(cases.join(f), catalog.join(f)).unwrap();
        }
        fs::create_dir_all(catalog.join("H02")).unwrap();
        fs::write(catalog.join("H02/doctors.csv"), format!("{ROSTER}D900,赵敏,0301,chief,special,true\n")).unwrap();
    }

    fn check(rs: &RuleSet) {
        assert_eq!(rs.override_hospitals().collect::<Vec<_>>(), ["H02"]);
        let h02 = rs.catalog_for("H02");
        assert!(h02.doctors.contains_key("D900") && !h02.doctors.contains_key("D001"), "H02's own roster");
        assert_eq!(h02.drugs.len(), rs.catalog.drugs.len(), "the shared drug dictionary");
        assert_eq!(h02.suspensions.len(), rs.catalog.suspensions.len(), "the shared suspensions");
        for other in ["H01", "", "h02"] {
            assert!(std::ptr::eq(rs.catalog_for(other), &rs.catalog), "{other:?} uses the shared catalog");
        }
        assert!(rs.catalog.doctors.contains_key("D001") && !rs.catalog.doctors.contains_key("D900"));
        assert!(rs.summary().ends_with("; per-hospital catalogs: H02"), "{}", rs.summary());
    }

    #[test]
    fn a_hospital_directory_replaces_only_its_files() {
        let dir = tempfile::tempdir().unwrap();
        rules_dir(dir.path(), &dir.path().join("catalog"));
        check(&RuleSet::load(dir.path(), None).unwrap());
    }

    #[test]
    fn catalog_dir_elsewhere_has_its_hospital_directories_too() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        rules_dir(dir.path(), elsewhere.path());
        check(&RuleSet::load(dir.path(), Some(elsewhere.path())).unwrap());
    }

    #[test]
    fn an_empty_suspension_list_replaces_the_shared_one() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("catalog");
        rules_dir(dir.path(), &catalog);
        fs::write(catalog.join("H02/suspended_drugs.csv"), "drug,from,until,action,reason\n").unwrap();
        let rs = RuleSet::load(dir.path(), None).unwrap();
        assert!(rs.catalog_for("H02").suspensions.is_empty());
        assert!(!rs.catalog.suspensions.is_empty());
    }

    #[test]
    fn a_bad_hospital_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("catalog");
        rules_dir(dir.path(), &catalog);
        fs::write(catalog.join("H02/doctors.csv"), format!("{ROSTER}D900,赵敏,0301,intern,special,true\n")).unwrap();
        let problems = RuleSet::load(dir.path(), None).unwrap_err().0;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].file, catalog.join("H02/doctors.csv"));
        assert_eq!((problems[0].line, problems[0].field.as_deref()), (Some(2), Some("title")));
    }
}
