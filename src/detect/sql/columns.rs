//! Case-insensitive name lists of the rules (`doctor_columns`, `drug_tables`, …): exact
//! names and `*` glob patterns, kept apart because an exact name outranks what a name's
//! words say and a pattern does not.

#[derive(Clone, Debug, Default)]
pub struct Columns {
    exact: Vec<String>,
    globs: Vec<String>,
}

impl Columns {
    pub fn new(list: &[String]) -> Columns {
        let mut c = Columns::default();
        for s in list {
            let s = s.to_lowercase();
            if s.contains('*') {
                c.globs.push(s);
            } else {
                c.exact.push(s);
            }
        }
        c
    }

    /// `col` is listed by name (`col` already lower case).
    pub fn exact(&self, col: &str) -> bool {
        self.exact.iter().any(|e| e == col)
    }

    /// A listed name (not a pattern) whose last `_`-separated part is `short` (lower case):
    /// `arc_itmmast` for `itmmast`.
    pub fn exact_tail(&self, short: &str) -> bool {
        self.exact.iter().any(|e| e.rsplit('_').next() == Some(short))
    }

    /// `col` matches a pattern (`col` already lower case).
    pub fn pattern(&self, col: &str) -> bool {
        self.globs.iter().any(|g| glob(g, col))
    }

    pub fn matches(&self, col: &str) -> bool {
        let col = col.to_lowercase();
        self.exact(&col) || self.pattern(&col)
    }
}

/// `*` matches any run of characters.
fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !s.starts_with(first) || s.len() < first.len() + last.len() || !s.ends_with(last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(p) => rest = &rest[p + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let c = Columns::new(&["ysdm".into(), "*doctor*".into(), "yp*".into()]);
        assert!(c.matches("YSDM") && c.matches("attending_doctor_id") && c.matches("ypxh"));
        assert!(!c.matches("ksdm") && !c.matches("y"));
        assert!(c.exact("ysdm") && !c.exact("ypxh") && c.pattern("ypxh"));
        assert!(glob("a*b*c", "axxbyyc") && !glob("a*b*c", "acb"));
    }
}
