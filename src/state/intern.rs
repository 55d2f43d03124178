//! String ids → dense `u32` handles, once per event, so every store below is keyed by
//! small integers and indexed tables replace string hashing in the scoring loop. Each id
//! namespace has its own handle type, so a drug's handle cannot be passed for a doctor's.

use std::marker::PhantomData;

use rustc_hash::FxHashMap;

/// A dense handle from an [`Interner`]: its raw number is the order of first sight.
pub trait Handle: Copy + Eq + Ord + std::hash::Hash + std::fmt::Debug {
    fn from_raw(raw: u32) -> Self;
    fn raw(self) -> u32;

    /// The handle as an index into a table of its namespace.
    #[inline]
    fn index(self) -> usize {
        self.raw() as usize
    }
}

macro_rules! handle {
    ($(#[$doc:meta])* $t:ident) => {
        $(#[$doc])*
        #[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $t(u32);

        impl Handle for $t {
            #[inline]
            fn from_raw(raw: u32) -> Self {
                $t(raw)
            }
            #[inline]
            fn raw(self) -> u32 {
                self.0
            }
        }
    };
}

handle!(
    /// An interned doctor code.
    DoctorId
);
handle!(
    /// An interned drug code.
    DrugId
);
handle!(
    /// An interned department code.
    DeptId
);
handle!(
    /// An interned manufacturer name.
    ManufacturerId
);

#[derive(Debug, Clone)]
pub struct Interner<H> {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    _handle: PhantomData<fn() -> H>,
}

impl<H> Default for Interner<H> {
    fn default() -> Self {
        Interner { ids: FxHashMap::default(), names: Vec::new(), _handle: PhantomData }
    }
}

impl<H: Handle> Interner<H> {
    /// The handle of `s`, allocating one the first time `s` is seen.
    #[inline]
    pub fn intern(&mut self, s: &str) -> H {
        if let Some(&id) = self.ids.get(s) {
            return H::from_raw(id);
        }
        let id = self.names.len() as u32;
        let boxed: Box<str> = s.into();
        self.names.push(boxed.clone());
        self.ids.insert(boxed, id);
        H::from_raw(id)
    }

    #[inline]
    pub fn get(&self, s: &str) -> Option<H> {
        self.ids.get(s).map(|&id| H::from_raw(id))
    }

    #[inline]
    pub fn name(&self, id: H) -> &str {
        &self.names[id.index()]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Checkpointed as its names in handle order; the index is rebuilt on load, so handles
/// stay what they were.
impl<H> serde::Serialize for Interner<H> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&self.names, s)
    }
}

impl<'de, H> serde::Deserialize<'de> for Interner<H> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names: Vec<Box<str>> = serde::Deserialize::deserialize(d)?;
        let mut ids = FxHashMap::default();
        ids.reserve(names.len());
        for (i, n) in names.iter().enumerate() {
            if ids.insert(n.clone(), i as u32).is_some() {
                return Err(serde::de::Error::custom(format!("id {n:?} interned twice")));
            }
        }
        Ok(Interner { ids, names, _handle: PhantomData })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_string_same_handle() {
        let mut i = Interner::<DoctorId>::default();
        let a = i.intern("D017");
        assert_eq!(i.intern("D018").raw(), a.raw() + 1);
        assert_eq!(i.intern("D017"), a);
        assert_eq!(i.name(a), "D017");
        assert_eq!(i.get("nope"), None);
    }
}
