//! Malformed records of the kinds real HIS exports contain: cut-off lines, proxy error
//! pages, missing required fields, wrong types, impossible values, unknown event types.
//! A consumer must count and skip them without losing the good records around them.

use rand::Rng;
use rand_pcg::Pcg64;

/// The `n`th malformed line (ids `<hospital>-bad<n>` so they never collide with real ones).
pub fn bad_line(rng: &mut Pcg64, hospital: &str, n: u64) -> String {
    let id = format!("{hospital}-bad{n:06}");
    let ts = "2026-01-05T10:00:00+08:00";
    match rng.gen_range(0..6) {
        // Truncated mid-record (a writer killed during a flush).
        0 => format!(r#"{{"type":"rx","event_id":"{id}","ts":"{ts}","hospital":"{hospital}","rx_id":"RX9"#),
        1 => "<html><head><title>502 Bad Gateway</title></head></html>".to_string(),
        // `drug` missing.
        2 => format!(
            r#"{{"type":"rx","event_id":"{id}","ts":"{ts}","hospital":"{hospital}","rx_id":"RX99999999","dept":"0301","doctor":"D0001","qty":1,"amount":10.0}}"#
        ),
        // `qty` as a string.
        3 => format!(
            r#"{{"type":"rx","event_id":"{id}","ts":"{ts}","hospital":"{hospital}","rx_id":"RX99999999","dept":"0301","doctor":"D0001","drug":"Y0001","qty":"2","amount":10.0}}"#
        ),
        // Negative quantity.
        4 => format!(
            r#"{{"type":"return","event_id":"{id}","ts":"{ts}","hospital":"{hospital}","rx_id":"RX99999999","drug":"Y0001","doctor":"D0001","dept":"0301","qty":-1,"amount":5.0}}"#
        ),
        _ => format!(r#"{{"type":"lab_result","event_id":"{id}","ts":"{ts}","hospital":"{hospital}","value":3.2}}"#),
    }
}
