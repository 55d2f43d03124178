//! Checkpoints in a directory: `KEY.SEQ.ckpt`, written to a temporary file, fsynced,
//! renamed into place and the directory fsynced, so a crash leaves either the old or the
//! new checkpoint, never half of one. The last [`KEEP`] of each key are kept.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Store;

/// Checkpoints kept per key: the latest and the ones before it, for an operator who must
/// fall back (`--discard-bad-checkpoint`).
pub const KEEP: usize = 3;

const STALE: std::time::Duration = std::time::Duration::from_secs(3600);

pub struct DirStore {
    dir: PathBuf,
}

impl DirStore {
    pub fn open(dir: &Path) -> anyhow::Result<DirStore> {
        fs::create_dir_all(dir).with_context(|| format!("cannot create the state directory {}", dir.display()))?;
        // Leftovers of a crash mid-write are never loaded; remove those an hour old (on a
        // shared volume a younger one may be another member's write in progress).
        for e in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?.flatten() {
            let old = e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().unwrap_or_default() > STALE);
            if e.file_name().to_string_lossy().ends_with(".ckpt.tmp") && old {
                let _ = fs::remove_file(e.path());
            }
        }
        Ok(DirStore { dir: dir.to_path_buf() })
    }

    /// The checkpoints of `key`, newest first.
    pub fn list(&self, key: &str) -> anyhow::Result<Vec<(u64, PathBuf)>> {
        let mut v = Vec::new();
        for e in fs::read_dir(&self.dir).with_context(|| format!("cannot read {}", self.dir.display()))? {
            let e = e?;
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Some(rest) = name.strip_prefix(key).and_then(|r| r.strip_prefix('.')) else { continue };
            let Some(seq) = rest.strip_suffix(".ckpt").and_then(|s| s.parse::<u64>().ok()) else { continue };
            v.push((seq, e.path()));
        }
        v.sort_by_key(|e| std::cmp::Reverse(e.0));
        Ok(v)
    }
}

impl Store for DirStore {
    fn save(&mut self, key: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let existing = self.list(key)?;
        let seq = existing.first().map_or(1, |(s, _)| s + 1);
        let path = self.dir.join(format!("{key}.{seq:010}.ckpt"));
        let tmp = self.dir.join(format!("{key}.{seq:010}.ckpt.tmp"));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            fs::File::open(&self.dir)?.sync_all()
        };
        write().with_context(|| format!("cannot write checkpoint {}", path.display()))?;
        for (_, old) in existing.iter().skip(KEEP - 1) {
            let _ = fs::remove_file(old);
        }
        Ok(())
    }

    fn versions(&mut self, key: &str) -> anyhow::Result<Vec<String>> {
        Ok(self.list(key)?.into_iter().map(|(_, p)| p.display().to_string()).collect())
    }

    fn read(&mut self, name: &str) -> anyhow::Result<Vec<u8>> {
        fs::read(name).with_context(|| format!("cannot read checkpoint {name}"))
    }

    fn describe(&self) -> String {
        self.dir.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_few_and_loads_the_newest() {
        let d = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(d.path()).unwrap();
        assert!(s.versions("p1").unwrap().is_empty());
        for i in 0..5u8 {
            s.save("p1", &[i]).unwrap();
            s.save("p10", &[100 + i]).unwrap();
        }
        let latest = |s: &mut DirStore, k: &str| {
            let v = s.versions(k).unwrap();
            s.read(&v[0]).unwrap()
        };
        assert_eq!(latest(&mut s, "p1"), vec![4]);
        assert_eq!(latest(&mut s, "p10"), vec![104], "p1 is not a prefix match of p10");
        assert_eq!(s.versions("p1").unwrap().len(), KEEP);
        let tmp = d.path().join("p1.0000000009.ckpt.tmp");
        fs::write(&tmp, b"half").unwrap();
        let mut s = DirStore::open(d.path()).unwrap();
        assert_eq!(latest(&mut s, "p1"), vec![4], "a temporary file is never loaded");
        assert!(tmp.exists(), "a fresh one may be another member's write in progress");
        let f = fs::File::options().write(true).open(&tmp).unwrap();
        f.set_modified(std::time::SystemTime::now() - STALE * 2).unwrap();
        DirStore::open(d.path()).unwrap();
        assert!(!tmp.exists(), "an hour-old one is a crash's leftover");
    }
}
