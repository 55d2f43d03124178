//! String ids → dense `u32` handles, once per event, so every store below is keyed by
//! small integers and indexed tables replace string hashing in the scoring loop. Each id
//! namespace has its own handle type, so a drug's handle cannot be passed for a doctor's.

use std::marker::PhantomData;

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

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

/// Handles by string. The strings live end to end in one buffer (a hospital's codes are a
/// few kilobytes, in cache), so a lookup hashes the string, probes a table of `u32`
/// handles and compares against that buffer, instead of chasing one heap box per name.
#[derive(Clone)]
pub struct Interner<H> {
    table: HashTable<u32>,
    text: String,
    /// Where each handle's name ends in `text` (it starts where the previous one ends).
    ends: Vec<u32>,
    _handle: PhantomData<fn() -> H>,
}

impl<H> std::fmt::Debug for Interner<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries((0..self.ends.len()).map(|i| self.at(i))).finish()
    }
}

impl<H> Default for Interner<H> {
    fn default() -> Self {
        Interner { table: HashTable::new(), text: String::new(), ends: Vec::new(), _handle: PhantomData }
    }
}

fn hash(s: &str) -> u64 {
    FxBuildHasher.hash_one(s)
}

impl<H> Interner<H> {
    fn at(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn find(&self, s: &str, h: u64) -> Option<u32> {
        self.table.find(h, |&id| self.at(id as usize) == s).copied()
    }

    /// Adds `s` (not yet interned) as the next handle.
    fn push(&mut self, s: &str, h: u64) -> u32 {
        let id = self.ends.len() as u32;
        self.text.push_str(s);
        self.ends.push(u32::try_from(self.text.len()).expect("interned names under 4 GiB"));
        let (text, ends) = (&self.text, &self.ends);
        let at = |i: u32| {
            let i = i as usize;
            &text[if i == 0 { 0 } else { ends[i - 1] as usize }..ends[i] as usize]
        };
        self.table.insert_unique(h, id, |&i| hash(at(i)));
        id
    }
}

impl<H: Handle> Interner<H> {
    /// The handle of `s`, allocating one the first time `s` is seen.
    #[inline]
    pub fn intern(&mut self, s: &str) -> H {
        let h = hash(s);
        H::from_raw(match self.find(s, h) {
            Some(id) => id,
            None => self.push(s, h),
        })
    }

    #[inline]
    pub fn get(&self, s: &str) -> Option<H> {
        self.find(s, hash(s)).map(H::from_raw)
    }

    #[inline]
    pub fn name(&self, id: H) -> &str {
        self.at(id.index())
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Checkpointed as its names in handle order; the index is rebuilt on load, so handles
/// stay what they were.
impl<H> serde::Serialize for Interner<H> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((0..self.ends.len()).map(|i| self.at(i)))
    }
}

impl<'de, H> serde::Deserialize<'de> for Interner<H> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names: Vec<Box<str>> = serde::Deserialize::deserialize(d)?;
        let mut i = Interner::default();
        i.table.reserve(names.len(), |_| 0);
        for n in &names {
            let h = hash(n);
            if i.find(n, h).is_some() {
                return Err(serde::de::Error::custom(format!("id {n:?} interned twice")));
            }
            i.push(n, h);
        }
        Ok(i)
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
        // Many names, prefixes of each other among them, and back from a checkpoint.
        let names: Vec<String> = (0..5000).map(|n| format!("D{}", n % 2500) + &"x".repeat(n / 2500)).collect();
        let ids: Vec<DoctorId> = names.iter().map(|n| i.intern(n)).collect();
        let bytes = postcard::to_allocvec(&i).unwrap();
        let back: Interner<DoctorId> = postcard::from_bytes(&bytes).unwrap();
        for (n, id) in names.iter().zip(&ids) {
            assert_eq!((i.intern(n), back.get(n), back.name(*id)), (*id, Some(*id), n.as_str()));
        }
        assert_eq!(back.len(), 5002);
        let twice = postcard::to_allocvec(&vec!["a", "b", "a"]).unwrap();
        assert!(postcard::from_bytes::<Interner<DoctorId>>(&twice).is_err());
    }
}
