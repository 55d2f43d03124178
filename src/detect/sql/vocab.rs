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
    "hand", "value", "tup", "atc", "relname", "qty_disp", "disp",
];
/// Identity suffixes: skipped when reading the head.
#[rustfmt::skip]
const SUFFIX: &[&str] = &[
    "id", "code", "cd", "no", "num", "nbr", "name", "nm", "key", "sn", "ref", "dr", "npi", "uid", "pk", "dm", "bm",
    "xh", "gh", "xm", "mc", "bh", "lsh", "sb", "gg", "bs", "new", "old", "bak", "tmp", "x", "v", "desc",
    "description",
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
    ("发药人", Some(Dimension::Other)),
    ("配药人", Some(Dimension::Other)),
    ("护士", Some(Dimension::Other)),
    ("收费员", Some(Dimension::Other)),
    ("操作员", Some(Dimension::Other)),
    ("核对人", Some(Dimension::Other)),
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

/// Chinese identity words: a name that is one of them (`姓名`, `编码`), or one after a
/// person's (`职工编码`), takes its meaning from its table or a join, as `code` and `mc` do;
/// `厂家名称` and `用法名称` do not.
const ZH_IDENTITY: &[&str] =
    &["姓名", "名称", "名字", "编码", "代码", "编号", "工号", "序号", "中文名称", "中文名", "全称", "简称"];
const ZH_PERSON: &[&str] = &["", "职工", "人员", "员工"];

fn zh_identity(name: &str) -> bool {
    ZH_PERSON.iter().any(|p| name.strip_prefix(p).is_some_and(|rest| ZH_IDENTITY.contains(&rest)))
}

/// A bare identity, the key a dictionary is joined by: identity words only (`id`, `code`,
/// `编码`, `职工编码`), after at most one word that means nothing known (a table's prefix:
/// `CTPCP_RowId1`); not an item's, a user's or a subject's (`item_code`, `user_code`).
pub fn identity_key(name: &str) -> bool {
    if !name.is_ascii() {
        return zh_identity(name);
    }
    let ws = words(name);
    let ident = |w: &String| is(SUFFIX, w) || w == "row" || w == "rowid";
    match ws.split_first() {
        Some((first, rest)) if ident(first) => rest.iter().all(ident),
        Some((first, rest)) => !rest.is_empty() && word(first).is_none() && rest.iter().all(ident),
        None => false,
    }
}

/// The table's own key, named after the table as primary keys often are: `user_id` of
/// `sys_user`, `emp_no` of `hr_emp`, `UserID` of `Users`, `rybm` of `gy_rybm` (a
/// dictionary named after its code). Like a bare identity, it is what the table is joined
/// by.
pub fn own_key(table: &str, column: &str) -> bool {
    let table = table.rsplit('.').next().unwrap_or(table);
    if !table.is_ascii() || !column.is_ascii() {
        return false;
    }
    let (t, c) = (words(table), words(column));
    let singular = |w: &str| w.strip_suffix('s').filter(|s| s.len() >= 2).unwrap_or(w).to_owned();
    let t: Vec<String> = t.iter().map(|w| singular(w)).collect();
    match c.as_slice() {
        // The dictionary's code column is its name's last word (`gy_rybm.rybm`).
        [only] => t.len() >= 2 && t.last() == Some(only),
        // The table's last words and an identity suffix (`drug_item.item_id`,
        // `drug_item.drug_item_id`, `Users.UserID`).
        [head @ .., tail] if is(SUFFIX, tail) => {
            let head: Vec<String> = head.iter().map(|w| singular(w)).collect();
            t.ends_with(&head) || t.last() == Some(&head.concat())
        }
        _ => false,
    }
}

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
        None if zh_identity(name) => Meaning::Generic,
        _ => Meaning::Unknown,
    }
}

/// What `name` (one identifier, unqualified, unquoted) means. A marker of drug lines
/// (`is_drug`, `药品标志`) is not a drug: fixing it keeps all drugs, not one.
pub fn meaning(name: &str) -> Meaning {
    let ws = words(name);
    if marker_in(name, &ws).is_some() {
        return Meaning::Is(Dimension::Other);
    }
    if !name.is_ascii() {
        let m = chinese(name);
        if m != Meaning::Unknown {
            return m;
        }
    }
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

/// A column that tells drug lines from other fee lines: a flag (`drug_flag`, `ypbz` 药品标志,
/// `is_drug`, `sfyp` 是否药品, `yplx` 药品类型, `药品标志`) or an item class (`xmlb` 项目类别,
/// `item_type`, `order_type`, `收费类别`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Marker {
    DrugFlag,
    ItemClass,
}

/// Subjects of a fee item, a line that may be a drug or not (`item_code`, `xmdm` 项目代码,
/// `fyxh` 费用序号, `sfxm` 收费项目, a warehouse's `material_name`).
const ITEM: &[&str] = &["item", "items", "itm", "xm", "sfxm", "fyxm", "fy", "chargeitem", "material"];
/// Table words of fee items: `t_xm`, `his_item` (here `xm` is 项目, not 姓名).
const ITEM_TABLE: &[&str] = &["item", "items", "itm", "xm", "sfxm", "fyxm", "chargeitem", "material", "materials"];
/// Words that make a drug subject a flag or a type of the line.
const FLAG: &[&str] =
    &["flag", "flg", "bz", "bs", "bj", "yn", "ind", "indicator", "lx", "type", "kind", "sign", "mark"];
/// Words of a class.
const CLASS: &[&str] = &["lb", "fl", "lx", "type", "typ", "class", "category", "cat", "kind", "cate"];
/// Subjects whose class says whether the line is a drug.
const CLASSED: &[&str] =
    &["item", "itm", "xm", "sfxm", "fy", "sf", "charge", "fee", "order", "ord", "service", "yz", "material", "mat"];

/// Whether `name` marks drug lines, and how.
pub fn marker(name: &str) -> Option<Marker> {
    marker_in(name, &words(name))
}

/// [`marker`] with the name's `words` already split.
fn marker_in(name: &str, ws: &[String]) -> Option<Marker> {
    if !name.is_ascii() {
        let flag = name.contains("药品") && ["标志", "标识", "标记", "类型", "标示"].iter().any(|w| name.contains(w))
            || name.starts_with("是否") && name.contains('药');
        if flag {
            return Some(Marker::DrugFlag);
        }
        let class = ["收费类别", "项目类别", "费用类别", "项目类型", "医嘱类型", "医嘱类别", "收费项目类别"];
        return class.iter().any(|w| name.ends_with(w)).then_some(Marker::ItemClass);
    }
    // One word or two: a subject and its flag or class, glued (`ypbz`, `xmlb`) or apart.
    let parts: Vec<(&str, &str)> = match ws {
        [w] => (1..w.len()).map(|c| w.split_at(c)).collect(),
        [a, b] => vec![(a.as_str(), b.as_str())],
        [a, b, c] if is(SUFFIX, c) || is(FLAG, c) => vec![(a.as_str(), b.as_str())],
        _ => Vec::new(),
    };
    for (subject, tail) in parts {
        let drug = is(DRUG, subject) && !matches!(subject, "generic" | "trade" | "brand" | "product");
        if drug && is(FLAG, tail) || (subject == "is" || subject == "sf") && is(DRUG, tail) {
            return Some(Marker::DrugFlag);
        }
        if is(CLASSED, subject) && is(CLASS, tail) {
            return Some(Marker::ItemClass);
        }
    }
    None
}

/// Whether a fee-line name is an item that a marker can make a drug.
pub fn item(name: &str) -> bool {
    if !name.is_ascii() {
        return name.ends_with("项目") || name.ends_with("项目编码") || name.ends_with("项目代码");
    }
    let ws = words(name);
    let Some(head) = ws.iter().rev().find(|w| !is(SUFFIX, w)) else { return false };
    if is(ITEM, head) {
        return true;
    }
    // Glued: `xmdm`, `fyxh`, `itemid`.
    // Glued: `xmdm`, `fyxh`, `itemid`; not a line's serial (`fylsh` 费用流水号).
    (1..head.len()).any(|c| {
        head.is_char_boundary(c)
            && is(ITEM, &head[..c])
            && is(SUFFIX, &head[c..])
            && !matches!(&head[c..], "lsh" | "sn")
    })
}

/// Whether a table holds fee items (`t_xm`, `his_item`, `收费项目`): a generic name in it
/// (`mc`, `code`) is an item. Here `xm` is 项目, not 姓名.
pub fn item_table(name: &str) -> bool {
    name.contains("项目") || words(name).iter().any(|w| is(ITEM_TABLE, w))
}

/// Codes of drug classes (西药, 中成药, 草药 …); a value containing 药 is one too, but not
/// 非药品, 药事 (the pharmacy service fee) or 煎药 (decoction).
const DRUG_CLASSES: &[&str] = &[
    "xy",
    "zcy",
    "cy",
    "zyc",
    "xyf",
    "zcyf",
    "cyf",
    "ypf",
    "drug",
    "drugs",
    "med",
    "meds",
    "medication",
    "medications",
    "medicine",
    "medicines",
    "pharmacy",
    "pharm",
    "rx",
];

/// Posts and titles of prescribers, as a staff table's category holds them (`post_type =
/// '医师'`, `title IN ('主治医师', '主任医师')`): its rows are doctors.
const DOCTOR_POSTS: &[&str] = &[
    "医师",
    "医生",
    "执业医师",
    "临床医师",
    "住院医师",
    "主治医师",
    "副主任医师",
    "主任医师",
    "doctor",
    "doctors",
    "physician",
    "physicians",
    "prescriber",
    "prescribers",
];
/// Posts of staff who do not prescribe: rows kept to them are not the doctors.
const OTHER_POSTS: &[&str] = &[
    "药师",
    "药剂师",
    "主管药师",
    "药士",
    "护士",
    "护师",
    "主管护师",
    "技师",
    "检验师",
    "收费员",
    "pharmacist",
    "pharmacists",
    "nurse",
    "nurses",
    "technician",
    "cashier",
];

/// Words of a staff table's category column: its post, title or kind of person (`post_type`,
/// `zc`, `gwlb`, `emp_type`, `职称`); not an occupation (`职业`, a patient's).
const STAFF_CATEGORY: &[&str] = &[
    "post", "title", "job", "position", "role", "rank", "grade", "zc", "zw", "gw", "gwlb", "rylb", "rylx", "ryxz",
    "zclb",
];
const ZH_STAFF_CATEGORY: &[&str] = &["职称", "职务", "岗位", "人员类别", "人员类型", "职工类别", "职级"];

/// Whether `column` holds a staff member's post or title.
pub fn staff_category(column: &str) -> bool {
    if !column.is_ascii() {
        return ZH_STAFF_CATEGORY.iter().any(|w| column.contains(w));
    }
    let ws = words(column);
    let staff = |w: &String| is(STAFF, w) && !is(&["item", "itm", "xm"], w);
    let kind = |w: &String| is(&["type", "kind", "class", "lb", "lx"], w);
    ws.iter().any(|w| is(STAFF_CATEGORY, w)) || ws.iter().any(staff) && ws.iter().any(kind)
}

/// Words of tables of staff, users and providers (`sys_user`, `hr_emp`, `gy_zgxx`, `PRSNL`).
const STAFF_TABLE: &[&str] = &[
    "person",
    "personnel",
    "prsnl",
    "hr",
    "careprov",
    "provider",
    "providers",
    "doctor",
    "doctors",
    "physician",
    "ry",
    "rybm",
    "ryxx",
    "ryzd",
    "zg",
    "zgxx",
    "zgzd",
    "ygxx",
    "ygzd",
    "users",
    "employees",
];
const ZH_STAFF_TABLE: &[&str] = &["职工", "人员", "员工", "医生", "医师", "用户", "医护"];

/// Whether `table` holds staff (its rows are people who work there).
pub fn staff_table(table: &str) -> bool {
    let table = table.rsplit('.').next().unwrap_or(table);
    if !table.is_ascii() {
        return ZH_STAFF_TABLE.iter().any(|w| table.contains(w));
    }
    words(table).iter().any(|w| is(STAFF_TABLE, w) || is(STAFF, w) && !is(&["item", "itm", "xm"], w))
}

/// A person's own attributes (`sfzh`, `id_card`, `mobile`, `身份证号`): a table joined by one
/// matches people, not the roles they hold (staff found as patients).
pub fn person_attribute(column: &str) -> bool {
    if !column.is_ascii() {
        return ["身份证", "证件号", "手机", "电话"].iter().any(|w| column.contains(w));
    }
    let ws = words(column);
    let glued = ws.concat();
    ["sfzh", "sfz", "sfzhm", "idcard", "ssn", "zjhm", "mobile", "phone", "sjh", "sjhm", "lxdh"]
        .iter()
        .any(|w| glued.ends_with(w))
}

/// Words before an identity suffix that still name the record itself: a person's or an
/// entry's name or code (`user_name`, `FullName`, `emp_no`, `item_name`, `中文名称`), not
/// another thing it holds (`OrgCode`, `RoleName`, `term_no`).
const RECORD_HEAD: &[&str] = &[
    "full", "first", "last", "given", "family", "display", "real", "login", "person", "short", "long", "official",
    "common", "generic", "trade", "brand", "chinese", "english", "cn", "en", "zh", "ry", "zg",
];

/// Whether `column` of `table` names the record (the person or the entry) a join linked:
/// identity words (`name`, `xm`, `code`), after the table's own words, words of a person's
/// name or a vendor's upper-case table prefix (`CTPCP_Desc`) — not another thing the record
/// holds (`OrgCode`, `RoleName`, `term_no`).
pub fn names_record(table: Option<&str>, column: &str) -> bool {
    if !column.is_ascii() || table.is_some_and(|t| own_key(t, column)) {
        return true;
    }
    let ident = |w: &String| is(SUFFIX, w) || w == "row" || w == "rowid";
    let ws = words(column);
    let Some((tail, head)) = ws.split_last() else { return false };
    let own: Vec<String> = table.map(|t| words(t.rsplit('.').next().unwrap_or(t))).unwrap_or_default();
    let prefix = column
        .split_once('_')
        .is_some_and(|(p, _)| p.len() >= 3 && p.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    ident(tail)
        && head.iter().enumerate().all(|(i, w)| {
            i == 0 && prefix
                || ident(w)
                || is(RECORD_HEAD, w)
                || is(STAFF, w)
                || own.contains(w)
                || own.contains(&format!("{w}s"))
        })
}

/// Whether `value` (a literal as written, quotes and all) is a prescriber's post or title
/// (`Some(true)`), another staff post (`Some(false)`), or neither.
pub fn post(value: &str) -> Option<bool> {
    let v = value.trim_start_matches(['N', 'n']).trim_matches(['\'', '"']).trim().to_lowercase();
    if is(DOCTOR_POSTS, &v) {
        Some(true)
    } else {
        is(OTHER_POSTS, &v).then_some(false)
    }
}

/// Whether comparing a marker with `value` (a literal as written, quotes and all) by `op`
/// keeps only drug lines: a flag equal to a true value or unequal to a false one (`> 0`,
/// `<> '0'`), a class equal to a drug class.
pub fn keeps_drugs(marker: Marker, op: &str, value: &str) -> bool {
    let v = value.trim_start_matches(['N', 'n', 'E', 'e']).trim_matches(['\'', '"']).trim().to_lowercase();
    let falsy = matches!(v.as_str(), "0" | "n" | "no" | "f" | "false" | "否" | "")
        || ["非", "否", "无", "不"].iter().any(|w| v.contains(w));
    match (marker, op) {
        (Marker::DrugFlag, "=") => !falsy,
        (Marker::DrugFlag, "<>" | "!=" | ">") => falsy,
        (Marker::ItemClass, "=") => {
            is(DRUG_CLASSES, &v)
                || v.contains('药') && !falsy && !["药事", "煎药", "代煎"].iter().any(|w| v.contains(w))
        }
        _ => false,
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

    #[test]
    fn markers_of_drug_lines() {
        for s in ["DRUG_FLAG", "ypbz", "is_drug", "IsDrug", "sfyp", "YPLX", "药品标志", "是否药品", "drug_flag_yn"]
        {
            assert_eq!(marker(s), Some(Marker::DrugFlag), "{s}");
        }
        for s in ["xmlb", "ITEM_TYPE", "OrderType", "fylb", "收费类别", "item_class_code"] {
            assert_eq!(marker(s), Some(Marker::ItemClass), "{s}");
        }
        for s in ["drug_code", "ypdm", "ysdm", "lb", "kslb", "trade_type", "patient_type", "fee_date"] {
            assert_eq!(marker(s), None, "{s}");
        }
        for s in ["ITEM_CODE", "xmdm", "fyxh", "f_item_id", "sfxm", "收费项目", "ItemId"] {
            assert!(item(s), "{s}");
        }
        for s in ["ypdm", "ysdm", "fee", "xmlb", "item_type", "kfrq", "xm"] {
            assert!(!item(s), "{s}");
        }
        assert!(item_table("T_XM") && item_table("fin_com_item") && !item_table("t_ry"));
        assert!(keeps_drugs(Marker::DrugFlag, "=", "'1'"));
        assert!(keeps_drugs(Marker::DrugFlag, "=", "'Y'"));
        assert!(!keeps_drugs(Marker::DrugFlag, "=", "'0'"));
        assert!(keeps_drugs(Marker::DrugFlag, ">", "0"));
        assert!(keeps_drugs(Marker::DrugFlag, "<>", "'0'"));
        assert!(!keeps_drugs(Marker::DrugFlag, "<>", "'1'"));
        for v in ["'XY'", "'zcy'", "N'西药'", "'中草药'", "'Drug'"] {
            assert!(keeps_drugs(Marker::ItemClass, "=", v), "{v}");
        }
        for v in ["'JC'", "'HY'", "'5'", "'检查'", "'药事服务费'", ":1"] {
            assert!(!keeps_drugs(Marker::ItemClass, "=", v), "{v}");
        }
    }
}
