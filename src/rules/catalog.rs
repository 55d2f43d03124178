//! Reference data (CONTRACT §2): the drug dictionary, the roster and the 停用/限用 list,
//! read from `catalog/*.csv`. Every bad cell is reported with file, line and column; the
//! rest of the file is still read so `rules check` can list every problem at once.

use std::collections::HashMap;
use std::path::Path;

use crate::event::time::{parse_day, Day};
use crate::event::Title;

use super::problem::Problem;
use super::table::{read_csv, Row};

/// Antibiotic tier (抗菌药物分级), ordered from least to most restricted.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AbxLevel {
    Unrestricted,
    Restricted,
    Special,
}

impl AbxLevel {
    pub fn parse(s: &str) -> Option<AbxLevel> {
        Some(match s {
            "unrestricted" => Self::Unrestricted,
            "restricted" => Self::Restricted,
            "special" => Self::Special,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unrestricted => "unrestricted",
            Self::Restricted => "restricted",
            Self::Special => "special",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Unrestricted => "非限制使用级",
            Self::Restricted => "限制使用级",
            Self::Special => "特殊使用级",
        }
    }

    /// The grant a title carries when the roster has no explicit grant.
    pub fn of_title(t: Title) -> AbxLevel {
        match t {
            Title::Resident => Self::Unrestricted,
            Title::Attending => Self::Restricted,
            Title::AssociateChief | Title::Chief => Self::Special,
        }
    }
}

/// 麻醉药品 / 精神药品 class.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Controlled {
    Narcotic,
    Psychotropic1,
    Psychotropic2,
}

impl Controlled {
    pub fn parse(s: &str) -> Option<Controlled> {
        Some(match s {
            "narcotic" => Self::Narcotic,
            "psychotropic1" => Self::Psychotropic1,
            "psychotropic2" => Self::Psychotropic2,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Narcotic => "narcotic",
            Self::Psychotropic1 => "psychotropic1",
            Self::Psychotropic2 => "psychotropic2",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Narcotic => "麻醉药品",
            Self::Psychotropic1 => "第一类精神药品",
            Self::Psychotropic2 => "第二类精神药品",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct DrugInfo {
    pub name: String,
    pub manufacturer: String,
    pub unit_price: Option<f64>,
    pub essential: bool,
    pub vbp: bool,
    pub key_monitored: bool,
    pub antibiotic: Option<AbxLevel>,
    pub controlled: Option<Controlled>,
    pub herbal: bool,
}

#[derive(Clone, Debug, Default)]
pub struct DoctorInfo {
    pub name: String,
    pub dept: String,
    pub title: Option<Title>,
    pub antibiotic_grant: Option<AbxLevel>,
    pub controlled_privilege: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SuspendAction {
    Suspend,
    Restrict,
}

#[derive(Clone, Debug)]
pub struct Suspension {
    pub from: Day,
    /// Inclusive last day; `None` = open-ended.
    pub until: Option<Day>,
    pub action: SuspendAction,
    pub reason: String,
}

impl Suspension {
    pub fn covers(&self, day: Day) -> bool {
        day >= self.from && self.until.is_none_or(|u| day <= u)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub drugs: HashMap<String, DrugInfo>,
    pub doctors: HashMap<String, DoctorInfo>,
    pub suspensions: HashMap<String, Vec<Suspension>>,
}

pub const DRUG_COLUMNS: &[&str] = &[
    "drug",
    "name",
    "manufacturer",
    "unit_price",
    "essential",
    "vbp",
    "key_monitored",
    "antibiotic_level",
    "controlled",
    "herbal",
];
pub const DOCTOR_COLUMNS: &[&str] =
    &["doctor", "name", "dept", "title", "antibiotic_privilege", "controlled_privilege"];
pub const SUSPENDED_COLUMNS: &[&str] = &["drug", "from", "until", "action", "reason"];

impl Catalog {
    /// Reads the three CSVs under `dir`. A missing file is a problem; so is every bad cell.
    pub fn load(dir: &Path, problems: &mut Vec<Problem>) -> Catalog {
        Catalog {
            drugs: load_drugs(&dir.join("drugs.csv"), problems),
            doctors: load_doctors(&dir.join("doctors.csv"), problems),
            suspensions: load_suspensions(&dir.join("suspended_drugs.csv"), problems),
        }
    }
}

/// A dictionary or roster with a header and no rows is a mistake (an export that failed),
/// not an empty hospital: every drug would be unknown and every privilege rule silent.
fn require_rows(path: &Path, rows: usize, what: &str, problems: &mut Vec<Problem>) {
    if rows == 0 {
        problems.push(Problem::new(path, Some(1), None, format!("no rows: the {what} must not be empty")));
    }
}

/// `drugs.csv`: the drug dictionary.
pub fn load_drugs(path: &Path, problems: &mut Vec<Problem>) -> HashMap<String, DrugInfo> {
    let mut drugs = HashMap::new();
    let rows = read_csv(path, DRUG_COLUMNS, problems, |row| {
        let info = DrugInfo {
            name: row.text("name").to_owned(),
            manufacturer: row.text("manufacturer").to_owned(),
            unit_price: row.opt(
                "unit_price",
                |s| s.parse::<f64>().ok().filter(|p| p.is_finite() && *p >= 0.0),
                "a price >= 0",
            ),
            essential: row.flag("essential"),
            vbp: row.flag("vbp"),
            key_monitored: row.flag("key_monitored"),
            antibiotic: row.opt("antibiotic_level", AbxLevel::parse, "unrestricted, restricted or special"),
            controlled: row.opt("controlled", Controlled::parse, "narcotic, psychotropic1 or psychotropic2"),
            herbal: row.flag("herbal"),
        };
        if let Some(code) = row.key("drug") {
            if drugs.insert(code.clone(), info).is_some() {
                row.problem("drug", format!("duplicate drug code {code:?}"));
            }
        }
    });
    require_rows(path, rows, "drug dictionary", problems);
    drugs
}

/// `doctors.csv`: the roster.
pub fn load_doctors(path: &Path, problems: &mut Vec<Problem>) -> HashMap<String, DoctorInfo> {
    let mut doctors = HashMap::new();
    let rows = read_csv(path, DOCTOR_COLUMNS, problems, |row| {
        let info = DoctorInfo {
            name: row.text("name").to_owned(),
            dept: row.text("dept").to_owned(),
            title: row.opt("title", Title::parse, "resident, attending, associate_chief or chief"),
            antibiotic_grant: row.opt("antibiotic_privilege", AbxLevel::parse, "unrestricted, restricted or special"),
            controlled_privilege: row.flag("controlled_privilege"),
        };
        if let Some(code) = row.key("doctor") {
            if doctors.insert(code.clone(), info).is_some() {
                row.problem("doctor", format!("duplicate doctor id {code:?}"));
            }
        }
    });
    require_rows(path, rows, "roster", problems);
    doctors
}

/// `suspended_drugs.csv`: may be empty (a header only) — no suspensions is normal.
pub fn load_suspensions(path: &Path, problems: &mut Vec<Problem>) -> HashMap<String, Vec<Suspension>> {
    let mut out: HashMap<String, Vec<Suspension>> = HashMap::new();
    read_csv(path, SUSPENDED_COLUMNS, problems, |row| {
        if let Some((code, s)) = suspension(row) {
            out.entry(code).or_default().push(s);
        }
    });
    out
}

fn suspension(row: &mut Row) -> Option<(String, Suspension)> {
    let from = row.opt("from", parse_day, "a date YYYY-MM-DD");
    if from.is_none() && row.text("from").is_empty() {
        row.problem("from", "required date is empty");
    }
    let until = row.opt("until", parse_day, "a date YYYY-MM-DD");
    let action = match row.text("action") {
        "suspend" => Some(SuspendAction::Suspend),
        "restrict" => Some(SuspendAction::Restrict),
        other => {
            row.problem("action", format!("expected suspend or restrict, got {other:?}"));
            None
        }
    };
    if let (Some(f), Some(u)) = (from, until) {
        if u < f {
            row.problem("until", "is before `from`");
        }
    }
    let (code, from, action) = (row.key("drug")?, from?, action?);
    Some((code, Suspension { from, until, action, reason: row.text("reason").to_owned() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_bad_cells_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("drugs.csv"),
            "drug,name,manufacturer,unit_price,essential,vbp,key_monitored,antibiotic_level,controlled,herbal\n\
             Y1,甲,M,1.5,true,false,false,restricted,,false\n\
             Y2,乙,M,x,maybe,false,false,level9,,false\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("doctors.csv"),
            "doctor,name,dept,title,antibiotic_privilege,controlled_privilege\nD1,张,0301,chief,special,true\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("suspended_drugs.csv"),
            "drug,from,until,action,reason\nY1,2026-03-01,,suspend,质量问题\nY2,2026-03-05,2026-03-01,ban,\n",
        )
        .unwrap();
        let mut problems = Vec::new();
        let c = Catalog::load(dir.path(), &mut problems);
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("drugs.csv:3: unit_price")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("drugs.csv:3: essential")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("drugs.csv:3: antibiotic_level")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("suspended_drugs.csv:3: action")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("suspended_drugs.csv:3: until")), "{text:?}");
        assert_eq!(c.drugs["Y1"].antibiotic, Some(AbxLevel::Restricted));
        assert_eq!(c.doctors["D1"].antibiotic_grant, Some(AbxLevel::Special));
        assert!(c.suspensions["Y1"][0].covers(parse_day("2030-01-01").unwrap()));
    }

    #[test]
    fn a_header_alone_is_an_error_except_for_suspensions() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("drugs.csv"), format!("{}\n", DRUG_COLUMNS.join(","))).unwrap();
        std::fs::write(d.join("doctors.csv"), format!("{}\r\n", DOCTOR_COLUMNS.join(","))).unwrap();
        std::fs::write(d.join("suspended_drugs.csv"), SUSPENDED_COLUMNS.join(",")).unwrap();
        let mut problems = Vec::new();
        Catalog::load(d, &mut problems);
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(text[0].ends_with("drugs.csv:1: no rows: the drug dictionary must not be empty"), "{text:?}");
        assert!(text[1].ends_with("doctors.csv:1: no rows: the roster must not be empty"), "{text:?}");
    }

    #[test]
    fn an_infinite_price_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drugs.csv");
        std::fs::write(&path, format!("{}\nY1,甲,M,inf,,,,,,\n", DRUG_COLUMNS.join(","))).unwrap();
        let mut problems = Vec::new();
        load_drugs(&path, &mut problems);
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].field.as_deref()), (Some(2), Some("unit_price")));
    }
}
