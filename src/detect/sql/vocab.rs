//! What a column name means, from the name alone: doctor, drug, department, patient, some
//! other thing (a quantity, a date, a class), or nothing known. Names are split into words
//! (snake_case, camelCase, digits) and read head-last, as compound names are written in
//! both English and pinyin: `doctor_dept_code` is a department, `dept_doctor` a doctor,
//! `drug_name` a drug, `ypsl` (药品数量) a quantity. Identity suffixes (`id`, `code`,
//! `dm` 代码, `xh` 序号, `mc` 名称 …) are skipped; a name made only of them (`code`,
//! `item_code`, `xm`) takes its meaning from its table ([`Meaning::Generic`]).

use crate::rules::dictionary::Dimension;

/// What the name says.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Meaning {
    Is(Dimension),
    /// An identity with no subject (`code`, `item_code`, `mc`): its table decides.
    Generic,
    Unknown,
}

/// Pinyin initials and English words (and their concatenations' heads) naming a doctor.
#[rustfmt::skip]
const DOCTOR: &[&str] = &[
    "ys", "yisheng", "yishi", "kdys", "kfys", "cfys", "zrys", "zzys", "jzys", "yzys", "sqys", "mzys", "zyys", "kdr",
    "kfr", "cfr", "doctor", "doctors", "doc", "doct", "physician", "prescriber", "prescribing", "clinician",
    "attending", "surgeon", "practitioner", "provider", "prov", "consultant", "orderer",
];
#[rustfmt::skip]
const DRUG: &[&str] = &[
    "yp", "yaopin", "yaowu", "yw", "tym", "spm", "ypm", "drug", "drugs", "medicine", "medicines", "medication",
    "med", "meds", "medi", "generic", "product", "ndc", "trade", "brand", "pharmaceutical",
];
#[rustfmt::skip]
const DEPT: &[&str] = &[
    "ks", "keshi", "kdks", "kfks", "zxks", "sqks", "bq", "bingqu", "dept", "depts", "department", "dep", "ward",
    "division", "clinic", "nurse", "cell", "wq",
];
#[rustfmt::skip]
const PATIENT: &[&str] = &[
    "br", "hz", "bingren", "huanzhe", "patient", "patients", "pat", "pt", "bah", "zyh", "mzh", "blh", "person",
    "member", "pats",
];
/// Staff words: a doctor only when the table or a join says so.
const STAFF: &[&str] = &["yg", "staff", "empl", "emp", "employee", "user", "czy", "item", "itm", "xm"];
/// Heads that make the whole name something else: measures, dates, classes, titles.
#[rustfmt::skip]
const OTHER: &[&str] = &[
    "sl", "je", "dj", "jl", "ts", "lb", "fl", "lx", "zc", "rq", "sj", "zt", "bz", "jx", "yf", "pc", "dw",
    "shuliang", "jine", "riqi", "qty", "quantity", "amount", "amt", "price", "cost", "fee", "charges", "count",
    "cnt", "total", "sum", "days", "dose", "date", "time", "day", "month", "year", "type", "class", "category",
    "level", "title", "status", "flag", "form", "route", "unit", "rate", "ratio", "spec", "table", "index",
    "segment", "owner", "program", "operator", "payer", "warehouse", "supplier", "manufacturer", "company", "stock",
    "hand", "value", "tup", "desc", "description", "atc", "relname", "qty_disp", "disp",
];
/// Identity suffixes: skipped when reading the head.
#[rustfmt::skip]
const SUFFIX: &[&str] = &[
    "id", "code", "cd", "no", "num", "nbr", "name", "nm", "key", "sn", "ref", "dr", "npi", "uid", "pk", "dm", "bm",
    "xh", "gh", "xm", "mc", "bh", "lsh", "sb", "gg", "bs", "new", "old", "bak", "tmp", "x", "v",
];

fn is(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

/// The meaning of one word: a whole word, or a subject with an identity suffix glued on
/// (`kdysdm`, `ypxh`, `doccode`, `drugid`), or a subject with a measure glued on (`ypsl`).
fn word(w: &str) -> Option<Meaning> {
    let whole = |w: &str| {
        let dim = if is(DOCTOR, w) {
            Dimension::Doctor
        } else if is(DRUG, w) {
            Dimension::Drug
        } else if is(DEPT, w) {
            Dimension::Dept
        } else if is(PATIENT, w) {
            Dimension::Patient
        } else if is(STAFF, w) {
            return Some(Meaning::Generic);
        } else if is(OTHER, w) {
            Dimension::Other
        } else {
            return None;
        };
        Some(Meaning::Is(dim))
    };
    if let Some(m) = whole(w) {
        return Some(m);
    }
    // Longest subject first: `kdysdm` is kdys + dm, not k + …
    for cut in (2..w.len()).rev() {
        if !w.is_char_boundary(cut) {
            continue;
        }
        let (subject, rest) = w.split_at(cut);
        let Some(m) = whole(subject) else { continue };
        if is(SUFFIX, rest) {
            return Some(m);
        }
        if is(OTHER, rest) {
            return Some(Meaning::Is(Dimension::Other));
        }
    }
    None
}

/// Splits on `_`, `-`, `.`, spaces and digits, and at lower→upper case changes.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() || ch.is_ascii_digit() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Chinese names: the meaning of the keyword that ends last (the head), longest first.
const ZH: &[(&str, Option<Dimension>)] = &[
    ("医生", Some(Dimension::Doctor)),
    ("医师", Some(Dimension::Doctor)),
    ("大夫", Some(Dimension::Doctor)),
    ("开单人", Some(Dimension::Doctor)),
    ("开方人", Some(Dimension::Doctor)),
    ("处方人", Some(Dimension::Doctor)),
    ("药品", Some(Dimension::Drug)),
    ("药物", Some(Dimension::Drug)),
    ("药名", Some(Dimension::Drug)),
    ("品名", Some(Dimension::Drug)),
    ("通用名", Some(Dimension::Drug)),
    ("商品名", Some(Dimension::Drug)),
    ("品种", Some(Dimension::Drug)),
    ("科室", Some(Dimension::Dept)),
    ("科别", Some(Dimension::Dept)),
    ("病区", Some(Dimension::Dept)),
    ("部门", Some(Dimension::Dept)),
    ("患者", Some(Dimension::Patient)),
    ("病人", Some(Dimension::Patient)),
    ("病历", Some(Dimension::Patient)),
    ("药师", Some(Dimension::Other)),
    ("药房", Some(Dimension::Other)),
    ("药库", Some(Dimension::Other)),
    ("数量", Some(Dimension::Other)),
    ("金额", Some(Dimension::Other)),
    ("单价", Some(Dimension::Other)),
    ("费用", Some(Dimension::Other)),
    ("类别", Some(Dimension::Other)),
    ("分类", Some(Dimension::Other)),
    ("类型", Some(Dimension::Other)),
    ("职称", Some(Dimension::Other)),
    ("日期", Some(Dimension::Other)),
    ("时间", Some(Dimension::Other)),
    ("月份", Some(Dimension::Other)),
    ("次数", Some(Dimension::Other)),
    ("用量", Some(Dimension::Other)),
    ("总量", Some(Dimension::Other)),
    ("剂型", Some(Dimension::Other)),
    ("统计", None),
];

fn chinese(name: &str) -> Meaning {
    let mut best: Option<(usize, usize, Option<Dimension>)> = None;
    for &(k, dim) in ZH {
        if let Some(p) = name.rfind(k) {
            let end = p + k.len();
            if best.is_none_or(|(e, l, _)| end > e || (end == e && k.len() > l)) {
                best = Some((end, k.len(), dim));
            }
        }
    }
    match best {
        Some((_, _, Some(d))) => Meaning::Is(d),
        _ if name.contains('药') => Meaning::Is(Dimension::Drug),
        _ => Meaning::Unknown,
    }
}

/// What `name` (one identifier, unqualified, unquoted) means.
pub fn meaning(name: &str) -> Meaning {
    if !name.is_ascii() {
        let m = chinese(name);
        if m != Meaning::Unknown {
            return m;
        }
    }
    let ws = words(name);
    let mut generic = false;
    for w in ws.iter().rev() {
        match word(w) {
            Some(Meaning::Generic) => generic = true,
            Some(m) => return m,
            // An identity suffix or an unknown word before the head: read on.
            None if is(SUFFIX, w) => generic = true,
            None => {}
        }
    }
    if generic {
        Meaning::Generic
    } else {
        Meaning::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dimension::*;

    fn m(s: &str) -> Meaning {
        meaning(s)
    }

    #[test]
    fn doctors_and_drugs_in_many_spellings() {
        for s in
            ["YSDM", "kdys_bm", "ys_code", "KFYSDM", "prescriber_id", "PhysicianCode", "RECIPE_DOCCODE", "开单医生"]
        {
            assert_eq!(m(s), Meaning::Is(Doctor), "{s}");
        }
        for s in ["YPXH", "yp_dm", "med_code", "drug_name", "MedicationId", "药品名称", "品名", "Drug_Generic_Name"]
        {
            assert_eq!(m(s), Meaning::Is(Drug), "{s}");
        }
    }

    #[test]
    fn heads_decide() {
        assert_eq!(m("doctor_dept_code"), Meaning::Is(Dept));
        assert_eq!(m("ypsl"), Meaning::Is(Other));
        assert_eq!(m("YPJE"), Meaning::Is(Other));
        assert_eq!(m("yplb"), Meaning::Is(Other));
        assert_eq!(m("医生科室"), Meaning::Is(Dept));
        assert_eq!(m("药品金额"), Meaning::Is(Other));
        assert_eq!(m("item_code"), Meaning::Generic);
        assert_eq!(m("mc"), Meaning::Generic);
        assert_eq!(m("kfrq"), Meaning::Unknown);
        assert_eq!(m("patient_id"), Meaning::Is(Patient));
    }
}
