//! NDJSON alerts, one JSON object per line, to stdout (`-`) or a file. No input may destroy
//! data, so an alerts file is never truncated:
//!
//! - `replay` ([`NdjsonSink::replace`]) writes to a temporary file beside the target
//!   (`.NAME.XXXXXX.tmp`, in the same directory so that the rename stays on one
//!   filesystem), fsyncs it and renames it over the target only once the whole run has
//!   succeeded ([`NdjsonSink::commit`]). A run that fails — a mistyped or unreadable input,
//!   an input refused by the sniff, an error half-way — leaves the previous alerts file as
//!   it was, byte for byte, and removes its temporary file (a killed process may leave one
//!   behind). A target that is one of the inputs — the same path, or the same file through
//!   a symlink or hard link (same device and inode) — is refused before anything is opened
//!   for writing. A replaced file keeps its permissions; through a symlink, the file it
//!   points to is replaced.
//! - `run` ([`NdjsonSink::open`]) appends: a service restarted by a crash or a deploy keeps
//!   the alerts it wrote. A restart redelivers what was not committed, so an alert may
//!   appear twice, with the same `alert_id`. A file a crash left without its final newline
//!   gets one before the first new alert.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tempfile::NamedTempFile;

use super::Sink;
use crate::alert::Alert;

enum Out {
    Stdout(io::Stdout),
    Append(File),
    /// The temporary file, and the path it is renamed to.
    Aside(NamedTempFile, PathBuf),
    /// A replay with `--state`: a partial file at a fixed place beside the target
    /// (`.NAME.partial`) that an interrupted replay goes on with, and the target.
    Partial(File, PathBuf, PathBuf),
}

impl Write for Out {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Out::Stdout(w) => w.write(b),
            Out::Append(w) => w.write(b),
            Out::Aside(w, _) => w.write(b),
            Out::Partial(w, _, _) => w.write(b),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Stdout(w) => w.flush(),
            Out::Append(w) => w.flush(),
            Out::Aside(w, _) => w.flush(),
            Out::Partial(w, _, _) => w.flush(),
        }
    }
}

/// One JSON object per line, to a file or to stdout (`-`).
pub struct NdjsonSink {
    out: BufWriter<Out>,
    name: String,
}

impl NdjsonSink {
    fn new(out: Out, name: &str) -> NdjsonSink {
        NdjsonSink { out: BufWriter::with_capacity(1 << 16, out), name: name.to_owned() }
    }

    /// For a service (`run`): appends to `target`, creating it and its directory if needed.
    pub fn open(target: &str) -> anyhow::Result<NdjsonSink> {
        if target == "-" {
            return Ok(Self::new(Out::Stdout(io::stdout()), target));
        }
        let path = Path::new(target);
        create_parent(path)?;
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .with_context(|| format!("cannot open alert file {target}"))?;
        end_with_newline(&mut f).with_context(|| format!("cannot append to alert file {target}"))?;
        Ok(Self::new(Out::Append(f), target))
    }

    /// For a run over files (`replay`): writes aside, for [`NdjsonSink::commit`] to rename
    /// over `target`. Refuses a `target` that is one of `inputs`.
    pub fn replace(target: &str, inputs: &[PathBuf]) -> anyhow::Result<NdjsonSink> {
        Self::replace_or_resume(target, inputs, None)
    }

    /// Like [`NdjsonSink::replace`], for a replay that checkpoints (`--state`): alerts go to
    /// `.NAME.partial` beside the target, which [`NdjsonSink::durable`] syncs and measures
    /// for the checkpoint. `resume` is the partial file and its length from the checkpoint
    /// an interrupted replay goes on from: what was written after it is cut off.
    pub fn resumable(target: &str, inputs: &[PathBuf], resume: Option<(&str, u64)>) -> anyhow::Result<NdjsonSink> {
        Self::replace_or_resume(target, inputs, Some(resume))
    }

    fn replace_or_resume(
        target: &str,
        inputs: &[PathBuf],
        partial: Option<Option<(&str, u64)>>,
    ) -> anyhow::Result<NdjsonSink> {
        if target == "-" {
            return Ok(Self::new(Out::Stdout(io::stdout()), target));
        }
        let path = Path::new(target);
        if let Some(input) = inputs.iter().find(|i| same_file(path, i)) {
            bail!(
                "refusing --alerts {target}: it is the input {} (the same file), and writing alerts there would \
                 destroy the events; choose another path",
                input.display()
            );
        }
        if path.is_dir() {
            bail!("--alerts {target} is a directory; name a file");
        }
        // A character device or FIFO (`/dev/null`, `/dev/stdout`, a pipe) is written to,
        // never replaced; anything else that is not a file (a disk) is refused.
        if let Some(m) = fs::metadata(path).ok().map(|m| m.file_type()).filter(|t| !t.is_file()) {
            use std::os::unix::fs::FileTypeExt;
            if !(m.is_char_device() || m.is_fifo()) {
                bail!("--alerts {target} is not a file, a character device or a pipe; name a file");
            }
            let f = OpenOptions::new().write(true).open(path).with_context(|| format!("cannot open {target}"))?;
            return Ok(Self::new(Out::Append(f), target));
        }
        // Through a symlink, the file it points to is replaced, not the link.
        let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let dir = create_parent(&path)?;
        if let Some(resume) = partial {
            let name = format!(".{}.partial", path.file_name().unwrap_or_default().to_string_lossy());
            // Absolute, so a replay resumed from another directory finds it.
            let part = fs::canonicalize(&dir).unwrap_or(dir.clone()).join(name);
            let open = || -> io::Result<File> {
                let mut f = OpenOptions::new().create(true).read(true).write(true).truncate(false).open(&part)?;
                let keep = match resume {
                    Some((p, len)) if Path::new(p) == part && f.metadata()?.len() >= len => len,
                    Some((p, len)) if len > 0 => {
                        tracing::warn!(
                            "the checkpoint's {len} bytes of alerts in {p} are not there (another --alerts, or the \
                             file was moved): the alerts of the replay before the checkpoint are not in {target}"
                        );
                        0
                    }
                    _ => 0,
                };
                f.set_len(keep)?;
                f.seek(SeekFrom::Start(keep))?;
                Ok(f)
            };
            let f = open().with_context(|| format!("cannot open {}", part.display()))?;
            return Ok(Self::new(Out::Partial(f, part, path), target));
        }
        let tmp = aside(&path, &dir).with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        Ok(Self::new(Out::Aside(tmp, path), target))
    }

    /// Flushes; when writing aside, fsyncs the temporary file and renames it over the target.
    /// Dropping the sink instead leaves the target untouched.
    pub fn commit(self) -> anyhow::Result<()> {
        let name = self.name;
        let out = self.out.into_inner().map_err(|e| e.into_error()).with_context(|| format!("flushing {name}"))?;
        if let Out::Partial(f, part, path) = out {
            f.sync_all().with_context(|| format!("syncing alerts for {name}"))?;
            fs::rename(&part, &path).with_context(|| format!("cannot rename alerts into {name}"))?;
            sync_dir(&parent(&path));
            return Ok(());
        }
        let Out::Aside(tmp, path) = out else { return Ok(()) };
        tmp.as_file().sync_all().with_context(|| format!("syncing alerts for {name}"))?;
        tmp.persist(&path).map_err(|e| e.error).with_context(|| format!("cannot rename alerts into {name}"))?;
        sync_dir(&parent(&path));
        Ok(())
    }
}

impl Sink for NdjsonSink {
    fn send(&mut self, alerts: &[Alert]) -> anyhow::Result<()> {
        for a in alerts {
            serde_json::to_writer(&mut self.out, a).with_context(|| format!("writing alerts to {}", self.name))?;
            self.out.write_all(b"\n").with_context(|| format!("writing alerts to {}", self.name))?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush().with_context(|| format!("flushing alerts to {}", self.name))
    }

    /// Flushes and syncs a partial file; its path and length (None for stdout or a device).
    fn durable(&mut self) -> anyhow::Result<Option<(String, u64)>> {
        self.flush()?;
        let Out::Partial(f, part, _) = self.out.get_mut() else { return Ok(None) };
        f.sync_data().with_context(|| format!("syncing {}", part.display()))?;
        let len = f.stream_position().with_context(|| format!("measuring {}", part.display()))?;
        Ok(Some((part.display().to_string(), len)))
    }
}

fn parent(path: &Path) -> PathBuf {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
}

fn create_parent(path: &Path) -> anyhow::Result<PathBuf> {
    let dir = parent(path);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Same file: same device and inode where the platform has them, else same canonical path.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return (x.dev(), x.ino()) == (y.dev(), y.ino());
    }
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A temporary file in `dir` for `target`, with the mode `File::create` would give it (not
/// tempfile's 0600), or the mode of the file it will replace.
fn aside(target: &Path, dir: &Path) -> io::Result<NamedTempFile> {
    let prefix = format!(".{}.", target.file_name().unwrap_or_default().to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir)?;
    if let Ok(old) = fs::metadata(target) {
        fs::set_permissions(tmp.path(), old.permissions())?;
    }
    Ok(tmp)
}

fn end_with_newline(f: &mut File) -> io::Result<()> {
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut last = [0u8];
    f.seek(SeekFrom::Start(len - 1))?;
    f.read_exact(&mut last)?;
    if last[0] != b'\n' {
        f.write_all(b"\n")?;
    }
    Ok(())
}

/// Makes a rename durable. Best effort: some filesystems cannot sync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(sink: &mut NdjsonSink, text: &str) {
        sink.out.write_all(text.as_bytes()).unwrap();
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        let names = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
        names.filter(|n| n.ends_with(".tmp")).collect()
    }

    #[test]
    fn open_appends_and_mends_a_cut_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.ndjson");
        fs::write(&path, "{\"a\":1}\n{\"cut\":").unwrap();
        let mut sink = NdjsonSink::open(path.to_str().unwrap()).unwrap();
        write(&mut sink, "{\"b\":2}\n");
        sink.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"a\":1}\n{\"cut\":\n{\"b\":2}\n");
    }

    #[test]
    fn a_resumed_partial_file_is_cut_where_the_checkpoint_stood() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.ndjson");
        let target = path.to_str().unwrap();
        let mut first = NdjsonSink::resumable(target, &[], None).unwrap();
        write(&mut first, "a\n");
        let (part, len) = first.durable().unwrap().unwrap();
        write(&mut first, "after the checkpoint\n");
        first.flush().unwrap();
        drop(first); // killed
        assert!(!path.exists(), "the target appears only on commit");
        let mut again = NdjsonSink::resumable(target, &[], Some((&part, len))).unwrap();
        write(&mut again, "b\n");
        again.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "a\nb\n");
        assert!(!Path::new(&part).exists());
        let mut fresh = NdjsonSink::resumable(target, &[], None).unwrap();
        write(&mut fresh, "c\n");
        fresh.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "c\n", "no checkpoint: a partial file starts empty");
    }

    #[test]
    fn replace_touches_the_target_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.ndjson");
        fs::write(&path, "old\n").unwrap();
        let mut failed = NdjsonSink::replace(path.to_str().unwrap(), &[]).unwrap();
        write(&mut failed, "new\n");
        failed.flush().unwrap();
        drop(failed);
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
        assert!(leftovers(dir.path()).is_empty());
        let mut ok = NdjsonSink::replace(path.to_str().unwrap(), &[]).unwrap();
        write(&mut ok, "new\n");
        ok.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn replace_keeps_the_mode_and_refuses_an_input() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.ndjson");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        NdjsonSink::replace(path.to_str().unwrap(), &[]).unwrap().commit().unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        let link = dir.path().join("events.ndjson");
        fs::hard_link(&path, &link).unwrap();
        let err = NdjsonSink::replace(path.to_str().unwrap(), &[link]).err().unwrap().to_string();
        assert!(err.contains("is the input"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn replace_through_a_symlink_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.ndjson");
        let link = dir.path().join("alerts.ndjson");
        fs::write(&real, "old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut sink = NdjsonSink::replace(link.to_str().unwrap(), &[]).unwrap();
        write(&mut sink, "new\n");
        sink.commit().unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
    }
}
