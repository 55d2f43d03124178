//! `replay --state DIR` through the CLI: a backfill in two parts gives the alerts of one
//! replay of the whole; a replay killed mid-way (SIGKILL) and started again gives the same
//! alerts file byte for byte; a corrupted or truncated checkpoint is refused by name, and
//! `--discard-bad-checkpoint` falls back to the one before.

mod common;

use std::fs;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{bin, root};

fn fixture_lines() -> Vec<String> {
    let gz = fs::File::open(root().join("fixtures/hospital/events.ndjson.gz")).unwrap();
    std::io::BufReader::new(flate2::read::GzDecoder::new(gz)).lines().map(Result::unwrap).collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut f = std::io::BufWriter::new(fs::File::create(path).unwrap());
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

fn replay(dir: &Path, input: &Path, alerts: &str, extra: &[&str]) -> std::process::Output {
    let rules = root().join("rules");
    let mut c = bin();
    c.current_dir(dir).args(["replay", "--no-progress", "--rules"]).arg(&rules).arg("--input").arg(input);
    c.args(["--alerts", alerts]).args(extra);
    c.output().unwrap()
}

fn ok(o: std::process::Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "replay failed: {err}");
    err
}

fn sorted(path: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_to_string(path).unwrap().lines().map(str::to_owned).collect();
    v.sort();
    v
}

fn checkpoints(state: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(state)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "ckpt")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn a_backfill_in_two_parts_alerts_as_one_replay() {
    let d = tempfile::tempdir().unwrap();
    let lines = fixture_lines();
    let (a, b) = lines.split_at(lines.len() * 3 / 5);
    write_lines(&d.path().join("all.ndjson"), &lines);
    write_lines(&d.path().join("a.ndjson"), a);
    write_lines(&d.path().join("b.ndjson"), b);
    ok(replay(d.path(), &d.path().join("all.ndjson"), "whole.ndjson", &[]));
    ok(replay(d.path(), &d.path().join("a.ndjson"), "a.alerts", &["--state", "st"]));
    assert_eq!(checkpoints(&d.path().join("st")).len(), 1, "one checkpoint at the end");
    // Part a again: nothing new to read (its position is at its end), no new alerts.
    ok(replay(d.path(), &d.path().join("a.ndjson"), "again.alerts", &["--state", "st"]));
    assert_eq!(fs::read_to_string(d.path().join("again.alerts")).unwrap(), "");
    ok(replay(d.path(), &d.path().join("b.ndjson"), "b.alerts", &["--state", "st"]));
    let mut parts = sorted(&d.path().join("a.alerts"));
    parts.extend(sorted(&d.path().join("b.alerts")));
    parts.sort();
    let whole = sorted(&d.path().join("whole.ndjson"));
    assert!(whole.len() > 20, "the fixture alerts: {}", whole.len());
    assert_eq!(parts, whole, "the alerts of the two parts are the alerts of the whole, byte for byte");
    // Without the state, part b alone misses what needed part a's baselines.
    ok(replay(d.path(), &d.path().join("b.ndjson"), "b-cold.alerts", &[]));
    assert_ne!(sorted(&d.path().join("b-cold.alerts")), sorted(&d.path().join("b.alerts")));
}

#[test]
fn a_replay_killed_midway_resumes_to_the_same_alerts() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("big.ndjson");
    // The fixture over and over, as that many hospitals: long enough to be killed mid-way
    // (three copies take seconds in a debug build; an optimised one needs more).
    let mut copies = 3;
    loop {
        let mut lines = Vec::new();
        for h in 0..copies {
            for l in fixture_lines() {
                let l = l.replacen("\"hospital\":\"", &format!("\"hospital\":\"K{h}-"), 1);
                lines.push(l.replacen("\"event_id\":\"", &format!("\"event_id\":\"K{h}-"), 1));
            }
        }
        write_lines(&input, &lines);
        let t = Instant::now();
        ok(replay(d.path(), &input, "whole.ndjson", &[]));
        if t.elapsed() > Duration::from_secs(3) || copies >= 96 {
            break;
        }
        copies *= 2;
    }
    let state = d.path().join("st");
    let args = ["--state", "st", "--checkpoint-interval", "1s"];
    let mut kills = 0;
    loop {
        let mut c = bin();
        c.current_dir(d.path()).args(["replay", "--no-progress", "--rules"]).arg(root().join("rules"));
        c.arg("--input").arg(&input).args(["--alerts", "resumed.ndjson"]).args(args);
        let mut child = c.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let before = checkpoints(&state);
        let t = Instant::now();
        // Kill it once a new checkpoint is on disk (at most twice), else let it finish.
        let mut killed = false;
        while child.try_wait().unwrap().is_none() {
            if kills < 2 && checkpoints(&state) != before && t.elapsed() > Duration::from_millis(300) {
                child.kill().unwrap();
                killed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = child.wait().unwrap();
        if !killed {
            assert!(status.success());
            break;
        }
        kills += 1;
        assert!(!d.path().join("resumed.ndjson").exists(), "no alerts file before the replay has finished");
    }
    assert!(kills >= 1, "the replay was never killed mid-way: it finished before its first checkpoint");
    assert_eq!(
        fs::read(d.path().join("resumed.ndjson")).unwrap(),
        fs::read(d.path().join("whole.ndjson")).unwrap(),
        "after {kills} kills, the same alerts file byte for byte"
    );
}

#[test]
fn a_bad_checkpoint_is_named_and_the_previous_one_serves_on_request() {
    let d = tempfile::tempdir().unwrap();
    let lines = fixture_lines();
    let (a, b) = lines.split_at(lines.len() / 2);
    write_lines(&d.path().join("a.ndjson"), a);
    write_lines(&d.path().join("b.ndjson"), b);
    let st = ["--state", "st"];
    ok(replay(d.path(), &d.path().join("a.ndjson"), "a.alerts", &st));
    ok(replay(d.path(), &d.path().join("a.ndjson"), "a2.alerts", &st));
    let cps = checkpoints(&d.path().join("st"));
    assert_eq!(cps.len(), 2);
    let latest = cps.last().unwrap().clone();
    let good = fs::read(&latest).unwrap();
    let name = latest.file_name().unwrap().to_string_lossy().into_owned();
    // A flipped bit in the middle, then a cut-off tail: each refused, naming the file.
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    for (bad, what) in [(flipped, "checksum mismatch"), (good[..good.len() - 100].to_vec(), "truncated")] {
        fs::write(&latest, &bad).unwrap();
        let o = replay(d.path(), &d.path().join("b.ndjson"), "b.alerts", &st);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "a bad checkpoint must stop the replay");
        assert!(err.contains(&name) && err.contains(what), "{err}");
        assert!(err.contains("--discard-bad-checkpoint"), "{err}");
        assert!(!d.path().join("b.alerts").exists());
    }
    // On request, the checkpoint before it serves (the same state here: part a at its end).
    let err =
        ok(replay(d.path(), &d.path().join("b.ndjson"), "b.alerts", &["--state", "st", "--discard-bad-checkpoint"]));
    assert!(err.contains(&name), "the discarded checkpoint is named in the log: {err}");
    fs::write(d.path().join("all.ndjson"), lines.join("\n") + "\n").unwrap();
    ok(replay(d.path(), &d.path().join("all.ndjson"), "whole.ndjson", &[]));
    let mut parts = sorted(&d.path().join("a.alerts"));
    parts.extend(sorted(&d.path().join("b.alerts")));
    parts.sort();
    assert_eq!(parts, sorted(&d.path().join("whole.ndjson")));
}
