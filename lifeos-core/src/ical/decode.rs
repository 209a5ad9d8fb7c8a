//! The bytes of a calendar file as text. RFC 5545 files are UTF-8, but real exports
//! (older Outlook and Lotus versions, hand-edited files) carry Windows-1252 bytes: each
//! line that is not valid UTF-8 is decoded as Windows-1252 (the WHATWG decoder of
//! `encoding_rs`), with a warning naming the line; valid lines are untouched, so one bad
//! line in a UTF-8 file costs nothing else.

use std::borrow::Cow;

use super::ImportWarning;

/// The text of a calendar file and the lines that were not UTF-8.
///
/// ```
/// let (text, warnings) = lifeos_core::ical::decode(b"SUMMARY:Caf\xe9\r\nDESCRIPTION:ok\r\n");
/// assert_eq!(text, "SUMMARY:Café\r\nDESCRIPTION:ok\r\n");
/// assert_eq!(warnings[0].line, 1);
/// ```
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Vec<ImportWarning>) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut warnings = Vec::new();
    for (i, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Ok(line) => text.push_str(line),
            Err(_) => {
                let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(line);
                text.push_str(&decoded);
                warnings.push(ImportWarning {
                    line: i + 1,
                    message: "bytes that are not UTF-8, read as Windows-1252".into(),
                });
            }
        }
    }
    (Cow::Owned(text), warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_lines_that_are_not_utf8_are_read_as_windows_1252() {
        let bytes = "SUMMARY:Gar\u{e7}on \u{2014} ok\r\n".as_bytes().to_vec();
        let mut doc = bytes.clone();
        doc.extend_from_slice(b"LOCATION:M\xfcnchen \x80 5\r\n");
        doc.extend_from_slice(&bytes);
        let (text, warnings) = decode(&doc);
        assert_eq!(
            text,
            "SUMMARY:Gar\u{e7}on \u{2014} ok\r\nLOCATION:M\u{fc}nchen \u{20ac} 5\r\nSUMMARY:Gar\u{e7}on \u{2014} ok\r\n"
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 2);
        let (clean, none) = decode(&bytes);
        assert!(matches!(clean, Cow::Borrowed(_)) && none.is_empty());
    }
}
