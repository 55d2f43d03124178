//! Bad inputs through the real binary: none may destroy data, and a whole input that cannot
//! be events is refused with its cause named. Each test checks the message (file and
//! cause), the exit code, and that nothing else changed: the input's bytes, a previous
//! alerts file, the directory. Readable variants of a clean file (gzip without `.gz`, BOM,
//! CRLF, GB18030) must give exactly the clean file's alerts.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, root};

const PREVIOUS: &str = "{\"previous\":\"alerts, kept byte for byte\"}\n";

/// The clean file the variants are made from: its Chinese titles change its alerts when misread.
fn clean() -> PathBuf {
    root().join("fixtures/cases/antibiotic_privilege.ndjson")
}

fn clean_text() -> String {
    fs::read_to_string(clean()).unwrap()
}

/// `replay` of `inputs` with the shipped rules and the cases' catalog.
fn replay(inputs: &[&Path], alerts: &Path, extra: &[&str]) -> Output {
    let mut cmd = bin();
    cmd.arg("replay").arg("--input").args(inputs).arg("--alerts").arg(alerts);
    cmd.arg("--rules").arg(root().join("rules")).arg("--catalog").arg(root().join("fixtures/cases/catalog"));
    cmd.args(extra).env("RUST_LOG", "warn").output().expect("run rxsentinel")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

/// Replays `inputs` over a previous alerts file and checks that the run fails with exit 2
/// and a message holding every one of `says`, leaving the inputs, the previous alerts and
/// the directory as they were.
fn refused(dir: &Path, inputs: &[&Path], extra: &[&str], says: &[&str]) -> String {
    let alerts = dir.join("alerts.ndjson");
    fs::write(&alerts, PREVIOUS).unwrap();
    let before: Vec<Option<Vec<u8>>> = inputs.iter().map(|p| fs::read(p).ok()).collect();
    let files = listing(dir);
    let out = replay(inputs, &alerts, extra);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "expected exit 2: {err}");
    for s in says {
        assert!(err.contains(s), "message lacks {s:?}: {err}");
    }
    assert_eq!(fs::read_to_string(&alerts).unwrap(), PREVIOUS, "previous alerts changed");
    let after: Vec<Option<Vec<u8>>> = inputs.iter().map(|p| fs::read(p).ok()).collect();
    assert!(before == after, "an input changed");
    assert_eq!(listing(dir), files, "files appeared or vanished");
    err
}

/// Refusal of a single input, whose path the message must name.
fn refused_input(dir: &Path, input: &Path, says: &[&str]) -> String {
    let name = input.display().to_string();
    refused(dir, &[input], &[], &[&[name.as_str()], says].concat())
}

/// The alerts of `input` (over a previous alerts file, which they replace), with stderr.
fn alerts_of(dir: &Path, input: &Path, extra: &[&str]) -> (Vec<u8>, String) {
    let alerts = dir.join(format!("{}.alerts", input.file_name().unwrap().to_string_lossy()));
    fs::write(&alerts, PREVIOUS).unwrap();
    let out = replay(&[input], &alerts, extra);
    let err = stderr(&out);
    assert!(out.status.success(), "replay of {} failed: {err}", input.display());
    assert!(listing(dir).iter().all(|n| !n.ends_with(".tmp")), "a temporary file was left");
    (fs::read(&alerts).unwrap(), err)
}

/// Checks that `variant` gives the clean file's alerts without rejecting a line.
fn reads_like_clean(dir: &Path, variant: &Path, extra: &[&str]) -> String {
    let (want, _) = alerts_of(dir, &clean(), &[]);
    assert!(!want.is_empty());
    let (got, err) = alerts_of(dir, variant, extra);
    assert!(!err.contains("not_json"), "lines were rejected: {err}");
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "alerts differ from the clean file's");
    err
}

/// The words after `key` on its line of the replay summary.
fn summary(stderr: &str, key: &str) -> Vec<String> {
    let line = stderr.lines().find(|l| l.trim_start().starts_with(key)).unwrap_or_default();
    line.split_whitespace().skip(1).map(str::to_owned).collect()
}

fn gb18030(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

// --- outputs that would destroy an input -------------------------------------------------

#[test]
fn alerts_naming_the_input_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "events.ndjson", clean_text());
    let out = replay(&[&input], &input, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("refusing --alerts") && err.contains("is the input"), "{err}");
    assert_eq!(fs::read_to_string(&input).unwrap(), clean_text(), "the input was overwritten");
    assert_eq!(listing(dir.path()), ["events.ndjson"]);
}

#[cfg(unix)]
#[test]
fn alerts_through_a_symlink_to_the_input_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "events.ndjson", clean_text());
    let link = dir.path().join("alerts.ndjson");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let err = stderr(&replay(&[&input], &link, &[]));
    assert!(err.contains("is the input") && err.contains(&input.display().to_string()), "{err}");
    assert_eq!(fs::read_to_string(&input).unwrap(), clean_text(), "the input was overwritten");
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
}

#[cfg(unix)]
#[test]
fn alerts_hard_linked_to_the_input_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "events.ndjson", clean_text());
    let link = dir.path().join("alerts.ndjson");
    fs::hard_link(&input, &link).unwrap();
    let out = replay(&[&input], &link, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is the input"), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&input).unwrap(), clean_text(), "the input was overwritten");
}

// --- failed runs keep the previous alerts ------------------------------------------------

#[test]
fn a_mistyped_input_keeps_the_previous_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("evnets.ndjson");
    refused_input(dir.path(), &missing, &["cannot open input", "No such file"]);
}

#[test]
fn an_unreadable_input_keeps_the_previous_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let unreadable = dir.path().join("events.d");
    fs::create_dir(&unreadable).unwrap();
    refused_input(dir.path(), &unreadable, &["cannot read input"]);
}

#[test]
fn a_refused_second_input_keeps_the_previous_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "a.ndjson", clean_text());
    let bad = write(dir.path(), "b.json", "[\n  {\"type\": \"rx\"}\n]\n");
    refused(dir.path(), &[&good, &bad], &[], &["refusing input", "b.json", "JSON array"]);
}

#[test]
fn a_gzip_cut_short_keeps_the_previous_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let whole = fs::read(root().join("fixtures/hospital/events.ndjson.gz")).unwrap();
    let cut = write(dir.path(), "events.ndjson.gz", &whole[..200_000]);
    let err = refused(dir.path(), &[&cut], &[], &["events.ndjson.gz: read error after line"]);
    assert!(!err.contains("refusing"), "the sniff saw a good head; the run failed half-way: {err}");
}

#[test]
fn a_successful_run_replaces_the_previous_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (alerts, _) = alerts_of(dir.path(), &clean(), &[]);
    let text = String::from_utf8(alerts).unwrap();
    assert!(!text.contains("previous") && text.lines().count() == 3, "{text}");
}

// --- whole inputs refused, with the cause and the fix ------------------------------------

#[test]
fn a_json_array_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = clean_text();
    let objects: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let array = write(dir.path(), "events.json", format!("[\n{}\n]\n", objects.join(",\n")));
    refused_input(dir.path(), &array, &["JSON array", "jq -c '.[]'"]);
}

#[test]
fn a_pretty_printed_document_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut pretty = String::new();
    for line in clean_text().lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        pretty.push_str(&serde_json::to_string_pretty(&v).unwrap());
        pretty.push('\n');
    }
    let doc = write(dir.path(), "events.ndjson", pretty);
    refused_input(dir.path(), &doc, &["pretty-printed JSON", "jq -c ."]);
}

#[test]
fn zstd_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zst = write(dir.path(), "events.ndjson.zst", b"\x28\xB5\x2F\xFD\x64\x00\x02\x95\x16\x00");
    refused_input(dir.path(), &zst, &["zstd-compressed", "zstd -d"]);
}

#[test]
fn zip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zip = write(dir.path(), "events.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00events.ndjson");
    refused_input(dir.path(), &zip, &["zip archive", "unzip"]);
}

#[test]
fn bzip2_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bz2 = write(dir.path(), "events.ndjson", b"BZh91AY&SY\x9a\x1f\x2e\x00\x00\x00");
    refused_input(dir.path(), &bz2, &["bzip2-compressed", "bzip2 -d"]);
}

#[test]
fn corrupt_gzip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let gz = write(dir.path(), "events.ndjson.gz", b"\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03not deflate at all");
    refused_input(dir.path(), &gz, &["cannot read input", "not valid gzip data"]);
}

#[test]
fn binary_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut elf = b"\x7FELF\x02\x01\x01\x00".to_vec();
    elf.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let binary = write(dir.path(), "events.ndjson", elf);
    refused_input(dir.path(), &binary, &["binary data", "NUL byte"]);
}

#[test]
fn alerts_to_a_device_write_through_it_and_leave_it_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let out = replay(&[&clean()], Path::new("/dev/null"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device(), "/dev/null was replaced");
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn a_few_truncated_records_are_rejected_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "cut.ndjson", "{\"type\":\"rx\",\"event_id\":\"e1\n{\"type\":\"charge\",\n");
    let out = replay(&[&file], &dir.path().join("alerts.ndjson"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(summary(&stderr(&out), "rejected")[0], "2", "{}", stderr(&out));
}

#[test]
fn a_csv_export_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (1..=10).map(|i| format!("rx,e{i},2026-03-02T09:13:22+08:00\n")).collect();
    let csv = write(dir.path(), "events.csv", format!("type,event_id,ts\n{rows}"));
    refused_input(dir.path(), &csv, &["are not JSON", "NDJSON"]);
}

#[test]
fn an_encoding_neither_utf8_nor_gb18030_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Latin-1: "é" before a quote is invalid in both.
    let text = clean_text().replace("主任医师", "chief").replace("住院医师", "resident");
    let text = text.replace("\"days\"", "\"drug_name\":\"caf\u{e9}\",\"days\"");
    let latin1: Vec<u8> = text.chars().map(|c| u8::try_from(c).unwrap()).collect();
    let file = write(dir.path(), "events.ndjson", latin1);
    refused_input(dir.path(), &file, &["neither UTF-8 nor GB18030", "iconv"]);
}

// --- readable variants give the clean file's alerts --------------------------------------

#[test]
fn gzip_without_gz_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let gz = root().join("fixtures/hospital/events.ndjson.gz");
    let renamed = dir.path().join("events.ndjson");
    fs::copy(&gz, &renamed).unwrap();
    let run = |input: &Path| {
        let alerts = dir.path().join("alerts.ndjson");
        let mut cmd = bin();
        cmd.args(["replay", "--rules"])
            .arg(root().join("rules"))
            .arg("--input")
            .arg(input)
            .arg("--alerts")
            .arg(&alerts);
        let out = cmd.env("RUST_LOG", "error").output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        fs::read(&alerts).unwrap()
    };
    let want = run(&gz);
    assert!(want.len() > 1000, "the hospital fixture raises alerts");
    assert_eq!(run(&renamed), want, "gzip named .ndjson gives other alerts");
}

#[test]
fn a_utf8_bom_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let bom = write(dir.path(), "bom.ndjson", format!("\u{FEFF}{}", clean_text()));
    reads_like_clean(dir.path(), &bom, &[]);
}

#[test]
fn crlf_line_endings_are_read() {
    let dir = tempfile::tempdir().unwrap();
    // A blank line 2 and a record without `doctor` on line 4: numbers must still be right.
    let mut lines: Vec<String> = clean_text().lines().map(str::to_owned).collect();
    lines.insert(1, String::new());
    lines.insert(3, lines[2].replace("\"doctor\":", "\"prescriber\":"));
    let crlf = write(dir.path(), "crlf.ndjson", lines.join("\r\n") + "\r\n");
    let err = reads_like_clean(dir.path(), &crlf, &[]);
    let warning = format!("{}:4: field `doctor`", crlf.display());
    assert!(err.contains(&warning) && !err.contains('\r'), "{err}");
}

/// A pipe can be read once: sniffing it must not eat the events it looked at.
#[cfg(unix)]
#[test]
fn a_pipe_is_read_whole() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let (want, _) = alerts_of(dir.path(), &clean(), &[]);
    let alerts = dir.path().join("piped.alerts");
    let mut cmd = bin();
    cmd.args(["replay", "--input", "/dev/stdin", "--alerts"]).arg(&alerts);
    cmd.arg("--rules").arg(root().join("rules")).arg("--catalog").arg(root().join("fixtures/cases/catalog"));
    cmd.stdin(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).env("RUST_LOG", "warn");
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(clean_text().as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read(&alerts).unwrap(), want, "{}", stderr(&out));
}

#[test]
fn alerts_to_stdout_stay_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (want, _) = alerts_of(dir.path(), &clean(), &[]);
    let out = replay(&[&clean()], Path::new("-"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, want);
    assert!(!Path::new("-").exists() && !dir.path().join("-").exists());
}

#[test]
fn gb18030_is_detected_and_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "gbk.ndjson", gb18030(&clean_text()));
    let err = reads_like_clean(dir.path(), &file, &[]);
    let warned: Vec<&str> = err.lines().filter(|l| l.contains("GB18030")).collect();
    assert_eq!(warned.len(), 1, "one warning: {err}");
    assert!(warned[0].contains(&file.display().to_string()), "{err}");
}

#[test]
fn gb18030_can_be_forced_and_utf8_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "gbk.ndjson", gb18030(&clean_text()));
    let err = reads_like_clean(dir.path(), &file, &["--encoding", "gb18030"]);
    assert!(!err.contains("detected"), "a forced encoding is not a detection: {err}");
    let (_, err) = alerts_of(dir.path(), &file, &["--encoding", "utf-8"]);
    assert!(err.contains("gbk.ndjson:5:") && err.contains("not_json=1"), "read as UTF-8, rejected by line: {err}");
}

// --- long lines and partly bad files -----------------------------------------------------

#[test]
fn a_file_without_newlines_is_one_rejected_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "flat.ndjson", "{\"type\":\"rx\",\"pad\":\"".to_owned() + &"x".repeat(5 << 20));
    let (alerts, err) = alerts_of(dir.path(), &file, &["--max-line-bytes", "65536"]);
    assert!(alerts.is_empty());
    assert!(err.contains(&format!("{}:1:", file.display())) && err.contains("--max-line-bytes 65536"), "{err}");
    assert_eq!(summary(&err, "rejected"), ["1", "too_long=1"], "{err}");
}

#[test]
fn a_long_line_among_events_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = clean_text().lines().map(str::to_owned).collect();
    lines.insert(2, format!("{{\"blob\":\"{}\"}}", "x".repeat(3 << 20)));
    let file = write(dir.path(), "long.ndjson", lines.join("\n") + "\n");
    let (got, err) = alerts_of(dir.path(), &file, &["--max-line-bytes", "100000"]);
    assert!(err.contains(&format!("{}:3:", file.display())) && err.contains("too_long"), "{err}");
    assert_eq!(got, alerts_of(dir.path(), &clean(), &[]).0, "the other lines give the clean alerts");
}

#[test]
fn mostly_bad_lines_with_some_events_still_replay() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = "not json at all\n".repeat(10);
    let file = write(dir.path(), "partly.ndjson", garbage + &clean_text());
    let (got, err) = alerts_of(dir.path(), &file, &[]);
    assert!(err.contains("not_json=10"), "{err}");
    assert_eq!(got, alerts_of(dir.path(), &clean(), &[]).0);
}
