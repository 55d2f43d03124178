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
/// Codes of at most 15 bytes (nearly all: `D0173`, `Y0037`, `0601`) are also kept packed
/// into two words ([`Packed`]): such a lookup hashes and compares two words, with no
/// byte loop and no `memcmp`.
#[derive(Clone)]
pub struct Interner<H> {
    table: HashTable<u32>,
    /// Each handle's name packed, or [`Packed::LONG`].
    packed: Vec<Packed>,
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
        Interner {
            table: HashTable::new(),
            packed: Vec::new(),
            text: String::new(),
            ends: Vec::new(),
            _handle: PhantomData,
        }
    }
}

/// A name of at most 15 bytes as two words: its first eight bytes (zero-padded), and the
/// rest shifted down with the length in the top byte — one-to-one for such names.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Packed(u64, u64);

impl Packed {
    /// Stands for a longer name; no packed name has a length byte of 255.
    const LONG: Packed = Packed(0, u64::MAX);

    #[inline]
    fn of(s: &str) -> Option<Packed> {
        let b = s.as_bytes();
        let n = b.len();
        let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        let half = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().expect("four bytes")));
        let (lo, rest) = match n {
            16.. => return None,
            8.. => (word(0), if n == 8 { 0 } else { word(n - 8) >> (8 * (16 - n)) }),
            4.. => (half(0) | (half(n - 4) << (8 * (n - 4))), 0),
            _ => (b.iter().rev().fold(0, |acc, &x| (acc << 8) | u64::from(x)), 0),
        };
        Some(Packed(lo, rest | ((n as u64) << 56)))
    }

    /// Folded multiplies: every input bit reaches the low bits (the table's index) and the
    /// high ones (its tags).
    #[inline]
    fn hash(self) -> u64 {
        #[inline]
        fn fold(x: u64, k: u64) -> u64 {
            let m = u128::from(x) * u128::from(k);
            (m as u64) ^ ((m >> 64) as u64)
        }
        fold(fold(self.0 ^ 0x243f_6a88_85a3_08d3, 0x9e37_79b9_7f4a_7c15) ^ self.1, 0xbf58_476d_1ce4_e5b9)
    }
}

/// A name's packed form (when short) and its hash.
#[inline]
fn key(s: &str) -> (Option<Packed>, u64) {
    match Packed::of(s) {
        Some(p) => (Some(p), p.hash()),
        None => (None, FxBuildHasher.hash_one(s)),
    }
}

fn hash(s: &str) -> u64 {
    key(s).1
}

impl<H> Interner<H> {
    fn at(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    #[inline]
    fn find(&self, s: &str, h: u64, p: Option<Packed>) -> Option<u32> {
        match p {
            Some(p) => self.table.find(h, |&id| self.packed[id as usize] == p),
            None => self.table.find(h, |&id| self.at(id as usize) == s),
        }
        .copied()
    }

    /// Adds `s` (not yet interned) as the next handle.
    fn push(&mut self, s: &str, h: u64, p: Option<Packed>) -> u32 {
        let id = self.ends.len() as u32;
        self.packed.push(p.unwrap_or(Packed::LONG));
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
        let (p, h) = key(s);
        H::from_raw(match self.find(s, h, p) {
            Some(id) => id,
            None => self.push(s, h, p),
        })
    }

    #[inline]
    pub fn get(&self, s: &str) -> Option<H> {
        let (p, h) = key(s);
        self.find(s, h, p).map(H::from_raw)
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
            let (p, h) = key(n);
            if i.find(n, h, p).is_some() {
                return Err(serde::de::Error::custom(format!("id {n:?} interned twice")));
            }
            i.push(n, h, p);
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
        // Every length around the packed forms' edges (0–15 packed, 16 and up not), names
        // differing in one byte at each place, zero bytes included.
        let mut i = Interner::<DrugId>::default();
        let mut seen = Vec::new();
        for n in 0..=20usize {
            for at in 0..n.max(1) {
                for x in [b'0', b'1', 0, 0xe4] {
                    let mut b = vec![b'a'; n];
                    if n > 0 {
                        b[at] = x;
                    }
                    let name = String::from_utf8_lossy(&b).into_owned();
                    if !seen.contains(&name) {
                        seen.push(name);
                    }
                }
            }
        }
        let ids: Vec<DrugId> = seen.iter().map(|n| i.intern(n)).collect();
        assert_eq!(i.len(), seen.len(), "distinct names, distinct handles");
        for (n, id) in seen.iter().zip(&ids) {
            assert_eq!((i.get(n), i.name(*id)), (Some(*id), n.as_str()));
        }
        let twice = postcard::to_allocvec(&vec!["a", "b", "a"]).unwrap();
        assert!(postcard::from_bytes::<Interner<DoctorId>>(&twice).is_err());
    }
}
