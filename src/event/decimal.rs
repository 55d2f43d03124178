//! Debezium's `decimal.handling.mode = precise` (its default): a DECIMAL/NUMERIC column
//! arrives as the base64 of the big-endian two's-complement unscaled integer (Kafka
//! Connect's `org.apache.kafka.connect.data.Decimal`), its value `unscaled × 10^-scale`.
//! The scale is in the schema (`parameters.scale`), in the value itself
//! (`io.debezium.data.VariableScaleDecimal`: `{"scale": 2, "value": "MDk="}`), or, with
//! schemas off, nowhere: the mapping file says it. Used by the HIS adapters only.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Scales beyond this are refused: Oracle and MySQL stop at 38 and 30 digits.
pub const MAX_SCALE: i32 = 38;

/// Java's `Base64.getEncoder()` pads; some re-encoders do not.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The exact decimal text (`"123.45"`, `"-0.05"`, `"1200"`) of a precise decimal given as
/// base64 of its unscaled bytes, or why it is not one.
pub fn precise_text(b64: &str, scale: i32) -> Result<String, String> {
    if scale.abs() > MAX_SCALE {
        return Err(format!("scale {scale} is outside -{MAX_SCALE}..={MAX_SCALE}"));
    }
    let bytes = B64.decode(b64.trim()).map_err(|e| format!("`{b64}` is not base64 ({e})"))?;
    Ok(text(unscaled(&bytes)?, scale))
}

/// Big-endian two's complement, at most 16 bytes (any 38-digit number fits).
fn unscaled(bytes: &[u8]) -> Result<i128, String> {
    let Some(&first) = bytes.first() else { return Err("no bytes".into()) };
    // Sign extension may lengthen the encoding without changing the value.
    let pad = if first & 0x80 != 0 { 0xff } else { 0x00 };
    let lead = bytes.iter().take_while(|b| **b == pad).count().min(bytes.len() - 1);
    let keep = if lead > 0 && (bytes[lead] & 0x80) != (pad & 0x80) { lead - 1 } else { lead };
    let significant = &bytes[keep..];
    if significant.len() > 16 {
        return Err(format!("{} bytes: beyond any 38-digit number", bytes.len()));
    }
    let mut buf = [pad; 16];
    buf[16 - significant.len()..].copy_from_slice(significant);
    Ok(i128::from_be_bytes(buf))
}

fn text(unscaled: i128, scale: i32) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale <= 0 {
        let zeros = if unscaled == 0 { 0 } else { scale.unsigned_abs() as usize };
        return format!("{sign}{digits}{}", "0".repeat(zeros));
    }
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// Whether a string could be a base64 value: for pointing at a missing scale in errors.
pub fn looks_base64(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s.len() % 4 == 0 && B64.decode(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors from Python, independently of this code:
    /// `base64.b64encode(n.to_bytes((n.bit_length() + 8) // 8, 'big', signed=True))` and
    /// `format(Decimal(n).scaleb(-scale), 'f')`.
    #[test]
    fn decodes_independent_vectors() {
        let cases: &[(&str, i32, &str)] = &[
            ("MDk=", 2, "123.45"),
            ("z8c=", 2, "-123.45"),
            ("AA==", 2, "0.00"),
            ("AA==", 0, "0"),
            ("BQ==", 2, "0.05"),
            ("+w==", 2, "-0.05"),
            ("CcQ=", 2, "25.00"),
            ("TQ==", 2, "0.77"),
            ("fw==", 0, "127"),
            ("AIA=", 0, "128"),
            ("/4A=", 0, "-128"),
            ("/38=", 0, "-129"),
            ("AP8=", 0, "255"),
            ("BLE=", 0, "1201"),
            ("DA==", -2, "1200"),
            ("ESIQ9H3pgRU=", 9, "1234567890.123456789"),
            ("BWvHXi1jEAAB", 4, "10000000000000000.0001"),
            ("+HoR7yoluSb/C8lf////+Q==", 6, "-10000000000000000000000000000000.000007"),
            ("f////////////////////w==", 0, "170141183460469231731687303715884105727"),
            ("/4AAAAAAAAAAAAAAAAAAAAA=", 0, "-170141183460469231731687303715884105728"),
            // Not minimal (sign-extended to four bytes): the same values.
            ("AAAwOQ==", 2, "123.45"),
            ("///Pxw==", 2, "-123.45"),
            // Unpadded.
            ("MDk", 2, "123.45"),
        ];
        for (b64, scale, want) in cases {
            assert_eq!(precise_text(b64, *scale).as_deref(), Ok(*want), "{b64} scale {scale}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_precise_decimal() {
        // 2^127 needs 17 bytes.
        assert!(precise_text("AIAAAAAAAAAAAAAAAAAAAAA=", 0).unwrap_err().contains("38-digit"));
        assert!(precise_text("", 2).is_err());
        assert!(precise_text("12.50", 2).unwrap_err().contains("not base64"));
        assert!(precise_text("MDk=", 39).unwrap_err().contains("scale"));
    }

    #[test]
    fn tells_base64_from_numbers_and_words() {
        assert!(looks_base64("CcQ="));
        assert!(looks_base64("MDk="));
        assert!(!looks_base64("25.00"));
        assert!(!looks_base64("two"));
        assert!(!looks_base64(""));
    }
}
