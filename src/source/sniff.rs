//! Sniffing an input before replay: its first 64 KiB (inflated first when gzip) say whether
//! the file is NDJSON text this program can read, and how to read it. A whole input that
//! cannot be events is refused with its cause and the fix, instead of being rejected line
//! by line into an empty result.
//!
//! The rule, applied to the head (`HEAD_BYTES` of content, a UTF-8 BOM skipped):
//!
//! 1. Magic bytes refuse at once: zstd, xz, bzip2, zip (and .xlsx), 7z, an Excel 97-2003
//!    workbook, a UTF-16 byte-order mark, or any NUL byte (binary; UTF-8 and GB18030 text
//!    never contain one). Gzip (`1f 8b`) is inflated whatever the file is called.
//! 2. The encoding: `--encoding auto` reads GB18030 when more of the head's lines are
//!    invalid UTF-8 but valid GB18030 than are valid UTF-8 but invalid GB18030; otherwise
//!    UTF-8. (A line valid in both says nothing: short GBK text is often valid UTF-8.)
//! 3. Each complete non-empty line of the head is tried as an event. If none decodes and
//!    more than half of them fail for the same whole-input cause, the input is refused:
//!    a JSON array (the head starts with `[`; its last element, alone on a line, may
//!    decode), a pretty-printed JSON document (it starts with `{` and its first line is not
//!    complete JSON; at least 3 such lines), not JSON at all (at least 8 such lines), or
//!    (with `--encoding auto`) neither UTF-8 nor GB18030. A file of a few truncated records
//!    is bad records, counted and skipped, not a file of another format.
//!
//! Records that are JSON objects but not valid events (a missing or mistyped field) never
//! refuse a file: they are counted and skipped by reason, as is any bad line past the head.

use std::io::{self, Read};
use std::path::Path;

use anyhow::Context;
use encoding_rs::GB18030;
use flate2::read::MultiGzDecoder;

use crate::event::{decode, RejectReason};

/// Bytes of content examined at the start of each input.
pub const HEAD_BYTES: usize = 64 * 1024;

pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const GZIP: &[u8] = b"\x1F\x8B";

/// `--encoding`: how the text of an input is read.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum EncodingChoice {
    /// UTF-8, or GB18030 when the head says so.
    #[default]
    Auto,
    /// UTF-8 only: lines that are not are rejected one by one.
    #[value(name = "utf-8")]
    Utf8,
    /// GB18030 (and so GBK and GB2312): every line is transcoded.
    Gb18030,
}

/// The text encoding an input is read in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Text {
    Utf8,
    Gb18030,
}

/// What the sniff found: how to open the input.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub gzip: bool,
    pub text: Text,
}

/// Why a whole input is refused. The message names the cause and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("it is {what}, not NDJSON text; {fix}")]
    Format { what: &'static str, fix: &'static str },
    #[error(
        "{failing} of the {lines} non-empty lines in its first 64 KiB (from line {first}) {cause}, and {events} \
         decode as events; {fix}"
    )]
    Lines { cause: &'static str, fix: &'static str, failing: usize, lines: usize, first: u64, events: usize },
}

/// Reads the head of `input` (the file at `path`) and judges it (module doc). Returns the
/// raw bytes it read, to be read again before the rest: the input is read once, so a pipe
/// (`--input /dev/stdin`) loses nothing to the sniff.
pub fn sniff(path: &Path, input: &mut impl Read, choice: EncodingChoice) -> anyhow::Result<(Sniffed, Vec<u8>)> {
    let mut raw = Vec::with_capacity(HEAD_BYTES + 1);
    input
        .take(HEAD_BYTES as u64 + 1)
        .read_to_end(&mut raw)
        .with_context(|| format!("cannot read input {}", path.display()))?;
    let whole = raw.len() <= HEAD_BYTES;
    let gzip = raw.starts_with(GZIP);
    let judged = if gzip {
        let (head, complete) = inflate_head(&raw, whole)
            .with_context(|| format!("cannot read input {}: not valid gzip data", path.display()))?;
        judge(&head, complete, choice)
    } else {
        judge(&raw[..raw.len().min(HEAD_BYTES)], whole, choice)
    };
    let text = judged.map_err(|r| anyhow::anyhow!("refusing input {}: {r}", path.display()))?;
    Ok((Sniffed { gzip, text }, raw))
}

/// Up to `HEAD_BYTES` inflated from the start of a gzip file, and whether that is all of it.
/// When `raw` is not the `whole` file, the stream it holds is cut short: what it gave is
/// the head.
fn inflate_head(raw: &[u8], whole: bool) -> io::Result<(Vec<u8>, bool)> {
    let mut head = Vec::with_capacity(HEAD_BYTES + 1);
    match MultiGzDecoder::new(raw).take(HEAD_BYTES as u64 + 1).read_to_end(&mut head) {
        Err(e) if whole => return Err(e),
        _ => {}
    }
    let complete = whole && head.len() <= HEAD_BYTES;
    head.truncate(HEAD_BYTES);
    Ok((head, complete))
}

/// The encoding to read `head` in, or why the input cannot be read at all. `complete`: the
/// head is the whole content (its last line is not cut short).
/// Lines of plain non-JSON a head must show before the whole input is refused as not NDJSON.
const MIN_NOT_JSON_LINES: usize = 8;

fn judge(head: &[u8], complete: bool, choice: EncodingChoice) -> Result<Text, Refusal> {
    if let Some((what, fix)) = foreign_format(head) {
        return Err(Refusal::Format { what, fix });
    }
    let body = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    let lines = head_lines(body, complete);
    let text = resolve(choice, &lines);
    let document = document_cause(body, &lines);
    let (mut counts, mut first, mut events) = ([0usize; Cause::COUNT], [0u64; Cause::COUNT], 0usize);
    for &(number, line) in &lines {
        let cause = match verdict(line, text, choice) {
            Verdict::Event => {
                events += 1;
                continue;
            }
            Verdict::Other => continue,
            Verdict::Cause(Cause::NotJson) => document,
            Verdict::Cause(c) => c,
        };
        counts[cause as usize] += 1;
        if first[cause as usize] == 0 {
            first[cause as usize] = number;
        }
    }
    let worst = Cause::ALL.into_iter().max_by_key(|c| counts[*c as usize]).unwrap_or(Cause::NotJson);
    let failing = counts[worst as usize];
    // An array written one object per line ends with an element that is itself a good line.
    let tolerated = usize::from(worst == Cause::JsonArray);
    // A few lines of garbage are bad records, not a file of another format: plain "not
    // JSON" needs a head of several lines to say so.
    let too_few = match worst {
        Cause::NotJson => failing < MIN_NOT_JSON_LINES,
        Cause::JsonDocument => failing < 3,
        _ => false,
    };
    if failing * 2 <= lines.len() || events > tolerated || too_few {
        return Ok(text);
    }
    let (cause, fix) = worst.explain();
    Err(Refusal::Lines { cause, fix, failing, lines: lines.len(), first: first[worst as usize], events })
}

/// Containers, other compressions and binary data, by their first bytes.
fn foreign_format(head: &[u8]) -> Option<(&'static str, &'static str)> {
    const MAGIC: &[(&[u8], &str, &str)] = &[
        (b"\x28\xB5\x2F\xFD", "zstd-compressed", "decompress it first (`zstd -d FILE`) or recompress it with gzip"),
        (b"\xFD7zXZ\x00", "xz-compressed", "decompress it first (`xz -d FILE`) or recompress it with gzip"),
        (b"BZh", "bzip2-compressed", "decompress it first (`bzip2 -d FILE`) or recompress it with gzip"),
        (b"PK\x03\x04", "a zip archive (or an .xlsx workbook)", "extract the NDJSON inside (`unzip FILE`)"),
        (b"PK\x05\x06", "an empty zip archive", "extract the NDJSON it should hold"),
        (b"7z\xBC\xAF\x27\x1C", "a 7z archive", "extract the NDJSON inside (`7z x FILE`)"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an Excel 97-2003 workbook", "export the events as NDJSON"),
        (b"\xFF\xFE", "UTF-16 text", "convert it: `iconv -f UTF-16 -t UTF-8 FILE > out.ndjson`"),
        (b"\xFE\xFF", "UTF-16 text", "convert it: `iconv -f UTF-16 -t UTF-8 FILE > out.ndjson`"),
    ];
    if let Some((_, what, fix)) = MAGIC.iter().find(|(magic, _, _)| head.starts_with(magic)) {
        return Some((what, fix));
    }
    memchr::memchr(0, head).map(|_| {
        (
            "binary data (a NUL byte in its first 64 KiB)",
            "replay reads NDJSON: one JSON object per line, UTF-8 or GB18030, optionally gzip-compressed \
             (UTF-16 without a byte-order mark: `iconv -f UTF-16LE -t UTF-8`)",
        )
    })
}

/// The head's non-empty lines with their 1-based numbers, `\r` stripped; a last line cut
/// short by the head's end is left out.
fn head_lines(body: &[u8], complete: bool) -> Vec<(u64, &[u8])> {
    let mut segments: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    if !complete {
        segments.pop();
    }
    let numbered = segments.into_iter().enumerate().map(|(i, s)| (i as u64 + 1, s.strip_suffix(b"\r").unwrap_or(s)));
    numbered.filter(|(_, s)| !s.iter().all(u8::is_ascii_whitespace)).collect()
}

fn resolve(choice: EncodingChoice, lines: &[(u64, &[u8])]) -> Text {
    match choice {
        EncodingChoice::Utf8 => Text::Utf8,
        EncodingChoice::Gb18030 => Text::Gb18030,
        EncodingChoice::Auto => {
            // Short GBK text is often valid UTF-8 by chance (住院医师 is), and UTF-8 Chinese
            // often valid GBK: only a line that is one and not the other is evidence.
            let (mut utf8, mut gb) = (0usize, 0usize);
            for (_, line) in lines.iter().filter(|(_, l)| !l.is_ascii()) {
                let is_utf8 = std::str::from_utf8(line).is_ok();
                let is_gb = GB18030.decode_without_bom_handling_and_without_replacement(line).is_some();
                utf8 += usize::from(is_utf8 && !is_gb);
                gb += usize::from(is_gb && !is_utf8);
            }
            if gb > utf8 {
                Text::Gb18030
            } else {
                Text::Utf8
            }
        }
    }
}

/// Whole-input causes of failing lines. A line that is JSON but not an event is `Other`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Cause {
    NotJson,
    JsonArray,
    JsonDocument,
    Encoding,
}

enum Verdict {
    Event,
    Cause(Cause),
    Other,
}

impl Cause {
    const COUNT: usize = 4;
    const ALL: [Cause; Cause::COUNT] = [Cause::NotJson, Cause::JsonArray, Cause::JsonDocument, Cause::Encoding];

    fn explain(self) -> (&'static str, &'static str) {
        match self {
            Cause::NotJson => (
                "are not JSON",
                "replay reads NDJSON, one JSON object per line (CONTRACT §1); is it CSV or a log? Export the events \
                 as NDJSON",
            ),
            Cause::JsonArray => (
                "form a JSON array, not NDJSON",
                "convert it to one object per line: `jq -c '.[]' in.json > out.ndjson`",
            ),
            Cause::JsonDocument => (
                "form a pretty-printed JSON document, not NDJSON",
                "convert it to one object per line: `jq -c . in.json > out.ndjson`",
            ),
            Cause::Encoding => (
                "are neither UTF-8 nor GB18030",
                "convert it: `iconv -f ENCODING -t UTF-8 FILE > out.ndjson` (or pass --encoding utf-8 or gb18030 to \
                 reject such lines one by one)",
            ),
        }
    }
}

/// JSON that fails line by line because it spans lines: a document, not NDJSON.
fn document_cause(body: &[u8], lines: &[(u64, &[u8])]) -> Cause {
    let start = body.iter().find(|b| !b.is_ascii_whitespace());
    let first_is_json = lines.first().is_some_and(|(_, l)| serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok());
    match start {
        Some(b'[') => Cause::JsonArray,
        Some(b'{') if !first_is_json => Cause::JsonDocument,
        _ => Cause::NotJson,
    }
}

fn verdict(line: &[u8], text: Text, choice: EncodingChoice) -> Verdict {
    let encoding_failure =
        if choice == EncodingChoice::Auto { Verdict::Cause(Cause::Encoding) } else { Verdict::Other };
    let utf8 = match text {
        Text::Utf8 => std::str::from_utf8(line).ok().map(std::borrow::Cow::Borrowed),
        Text::Gb18030 => GB18030.decode_without_bom_handling_and_without_replacement(line),
    };
    let Some(utf8) = utf8 else { return encoding_failure };
    match decode(utf8.as_bytes(), None) {
        Ok(_) => Verdict::Event,
        Err(r) if r.reason == RejectReason::NotJson => Verdict::Cause(Cause::NotJson),
        Err(_) => Verdict::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"type":"charge","event_id":"c1","ts":"2026-03-02T09:15:02+08:00","hospital":"H01","dept":"0301","category":"lab","amount":86.0}"#;

    fn judge_auto(head: &[u8]) -> Result<Text, Refusal> {
        judge(head, true, EncodingChoice::Auto)
    }

    #[test]
    fn a_few_garbage_lines_are_bad_records_not_a_foreign_file() {
        assert!(judge_auto(b"{\"type\":\"rx\",\"event_id\n").is_ok());
        assert!(judge_auto(b"not json\nnor this\n").is_ok());
        let many = "a,b,c\n".repeat(MIN_NOT_JSON_LINES);
        assert!(judge_auto(many.as_bytes()).is_err(), "a CSV file is refused");
    }

    #[test]
    fn one_event_among_garbage_is_enough() {
        let head = format!("garbage\nmore garbage\n{EVENT}\n");
        assert_eq!(judge_auto(head.as_bytes()), Ok(Text::Utf8));
    }

    #[test]
    fn records_with_bad_fields_never_refuse() {
        let head = format!("{}\n", EVENT.replace(r#""ts":"2026-03-02T09:15:02+08:00","#, "")).repeat(5);
        assert_eq!(judge_auto(head.as_bytes()), Ok(Text::Utf8));
    }

    #[test]
    fn a_cut_last_line_is_not_judged() {
        let head = format!("{EVENT}\n{{\"type\":\"rx");
        assert_eq!(judge(head.as_bytes(), false, EncodingChoice::Auto), Ok(Text::Utf8));
        assert_eq!(judge(b"{\"type\":\"rx", false, EncodingChoice::Auto), Ok(Text::Utf8), "no whole line: no verdict");
    }

    #[test]
    fn names_documents_and_arrays() {
        let pretty = b"{\n  \"type\": \"rx\",\n  \"event_id\": \"e1\"\n}\n";
        assert!(matches!(judge_auto(pretty), Err(Refusal::Lines { fix, .. }) if fix.contains("jq -c .")));
        let array = format!("[\n{EVENT},\n{EVENT}\n]\n");
        assert!(matches!(judge_auto(array.as_bytes()), Err(Refusal::Lines { fix, .. }) if fix.contains(".[]")));
        let one_line = format!("[{EVENT},{EVENT}]");
        assert!(matches!(judge_auto(one_line.as_bytes()), Err(Refusal::Lines { fix, .. }) if fix.contains(".[]")));
    }

    #[test]
    fn half_is_not_more_than_half() {
        let bad_field = format!("{}\n", EVENT.replace("\"hospital\":\"H01\",", ""));
        let garbage = "not json\n".repeat(MIN_NOT_JSON_LINES);
        let head = garbage.clone() + &bad_field.repeat(MIN_NOT_JSON_LINES);
        assert_eq!(judge_auto(head.as_bytes()), Ok(Text::Utf8));
        let head = garbage + &bad_field.repeat(MIN_NOT_JSON_LINES - 1);
        assert!(matches!(judge_auto(head.as_bytes()), Err(Refusal::Lines { failing: 8, lines: 15, first: 1, .. })));
    }

    #[test]
    fn detects_gb18030_and_respects_a_forced_encoding() {
        let utf8 = EVENT.replace("\"lab\"", "\"lab\",\"doctor\":\"张三\"");
        let (gb, _, _) = GB18030.encode(&utf8);
        assert_eq!(judge_auto(&gb), Ok(Text::Gb18030));
        assert_eq!(judge(&gb, true, EncodingChoice::Utf8), Ok(Text::Utf8), "forced: rejected line by line later");
        assert_eq!(judge_auto(utf8.as_bytes()), Ok(Text::Utf8));
        // 住院医师 in GBK is also valid UTF-8; the line beside it decides.
        let lines = format!("{}\n{}\n", utf8.replace("张三", "住院医师"), utf8.replace("张三", "主任医师"));
        let (gb, _, _) = GB18030.encode(&lines);
        assert!(std::str::from_utf8(&gb[..gb.iter().position(|&b| b == b'\n').unwrap()]).is_ok());
        assert_eq!(judge_auto(&gb), Ok(Text::Gb18030));
    }

    #[test]
    fn latin1_is_neither() {
        let latin1 = b"{\"drug_name\":\"caf\xE9\"}\n".repeat(3);
        let refused = judge_auto(&latin1).unwrap_err().to_string();
        assert!(refused.contains("neither UTF-8 nor GB18030"), "{refused}");
        assert_eq!(judge(&latin1, true, EncodingChoice::Utf8), Ok(Text::Utf8));
    }

    #[test]
    fn magic_and_nul() {
        assert!(judge_auto(b"\x28\xB5\x2F\xFD\x00\x00").unwrap_err().to_string().contains("zstd"));
        assert!(judge_auto(b"PK\x03\x04rest").unwrap_err().to_string().contains("zip"));
        assert!(judge_auto(b"BZh91AY&SY").unwrap_err().to_string().contains("bzip2"));
        assert!(judge_auto(b"{\"a\":1}\n\x00\x01").unwrap_err().to_string().contains("NUL"));
        assert_eq!(judge_auto(b""), Ok(Text::Utf8), "an empty file is empty, not refused");
    }
}
