//! String ids → dense `u32` handles, once per event, so every store below is keyed by
//! small integers and indexed tables replace string hashing in the scoring loop.

use rustc_hash::FxHashMap;

#[derive(Default, Debug, Clone)]
pub struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The handle of `s`, allocating one the first time `s` is seen.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        let boxed: Box<str> = s.into();
        self.names.push(boxed.clone());
        self.ids.insert(boxed, id);
        id
    }

    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_string_same_handle() {
        let mut i = Interner::default();
        let a = i.intern("D017");
        assert_eq!(i.intern("D018"), a + 1);
        assert_eq!(i.intern("D017"), a);
        assert_eq!(i.name(a), "D017");
        assert_eq!(i.get("nope"), None);
    }
}
