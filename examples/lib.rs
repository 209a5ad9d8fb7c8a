//! Shared helpers for the LifeOS examples; the examples themselves live in `examples/`.

use std::error::Error;
use std::fmt;
use std::io::BufRead;

use chrono::{DateTime, LocalResult, TimeZone, Utc};
use chrono_tz::Tz;

/// A stdin line that is not UTF-8: its 1-based number and the byte offset of the first bad
/// byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8 {
    /// The 1-based line number.
    pub line: usize,
    /// The 0-based byte offset of the first byte that is not UTF-8.
    pub byte: usize,
}

impl fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: not UTF-8 (invalid byte at offset {})",
            self.line, self.byte
        )
    }
}

/// The lines of `input` (split on `\n`, a trailing `\r` removed), each decoded on its own,
/// so one line with a bad byte gets its own error and every other line is still answered
/// (a batch tool's rule: one bad line never loses the batch). The outer `Err` is a read
/// error of the input itself.
pub fn lines_each_decoded<R: BufRead>(
    input: R,
) -> impl Iterator<Item = std::io::Result<Result<String, NotUtf8>>> {
    input.split(b'\n').enumerate().map(|(i, bytes)| {
        let mut bytes = bytes?;
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        Ok(String::from_utf8(bytes).map_err(|e| NotUtf8 {
            line: i + 1,
            byte: e.utf8_error().valid_up_to(),
        }))
    })
}

/// `text` made safe to print on a terminal: control characters (C0, DEL, C1: escape
/// sequences, a newline that would forge a line) and bidirectional formatting characters
/// (which reorder what follows) are shown escaped (`\u{1b}`, `\n`, `\u{202e}`); anything
/// else is unchanged. Titles come from users and imported files, so every printed title,
/// reason and message goes through this.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            )
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `t` as a local clock time; in the repeated hour of a fall-back day, with its offset, so
/// that `01:30 (UTC-04:00)–01:00 (UTC-05:00)` reads right.
pub fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    let time = local.format("%H:%M").to_string();
    match tz.from_local_datetime(&local.naive_local()) {
        LocalResult::Ambiguous(..) => format!("{time} (UTC{})", local.format("%:z")),
        _ => time,
    }
}

/// A block's span: clock times within the day, dates too when it starts before the day
/// or ends after it (a multi-day block is not `12:00–12:00`).
pub fn span(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    day: (DateTime<Utc>, DateTime<Utc>),
    tz: Tz,
) -> String {
    if start >= day.0 && end <= day.1 {
        return format!("{}–{}", clock(start, tz), clock(end, tz));
    }
    let dated = |t: DateTime<Utc>| {
        format!(
            "{} {}",
            t.with_timezone(&tz).format("%a %-d %b"),
            clock(t, tz)
        )
    };
    format!("{}–{}", dated(start), dated(end))
}

/// The error an example's `main` returns: shown as its message and its causes, one per
/// line, rather than as a `Debug` dump.
pub struct Report(Box<dyn Error + Send + Sync>);

impl<E: Into<Box<dyn Error + Send + Sync>>> From<E> for Report {
    fn from(error: E) -> Self {
        Report(error.into())
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, "\n  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_shows_the_offset_only_in_a_repeated_hour() {
        let ny = chrono_tz::America::New_York;
        let at = |h, m| Utc.with_ymd_and_hms(2026, 11, 1, h, m, 0).unwrap();
        // 05:30Z is 01:30 EDT (first pass), 06:00Z is 01:00 EST (second pass).
        assert_eq!(clock(at(5, 30), ny), "01:30 (UTC-04:00)");
        assert_eq!(clock(at(6, 0), ny), "01:00 (UTC-05:00)");
        assert_eq!(clock(at(14, 0), ny), "09:00");
    }

    #[test]
    fn span_dates_a_block_that_leaves_the_day() {
        let tz = chrono_tz::America::New_York;
        let day = (
            Utc.with_ymd_and_hms(2026, 3, 9, 4, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 10, 4, 0, 0).unwrap(),
        );
        let t = |d, h| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
        assert_eq!(span(t(9, 13), t(9, 14), day, tz), "09:00–10:00");
        assert_eq!(
            span(t(5, 17), t(12, 17), day, tz),
            "Thu 5 Mar 12:00–Thu 12 Mar 13:00"
        );
    }

    #[test]
    fn printable_escapes_controls_and_bidi_and_keeps_the_rest() {
        assert!(matches!(
            printable("Standup · café 会议"),
            std::borrow::Cow::Borrowed("Standup · café 会议")
        ));
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            printable("x\n  09:00–10:00  ■ forged"),
            "x\\n  09:00–10:00  ■ forged"
        );
        assert_eq!(printable("\u{202e}gnp.exe"), "\\u{202e}gnp.exe");
        assert_eq!(
            printable("\u{2066}a\u{2069}\u{9b}\u{7f}\t"),
            "\\u{2066}a\\u{2069}\\u{9b}\\u{7f}\\t"
        );
    }

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cannot open the database")
        }
    }
    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_bad_line_is_reported_alone_and_the_others_are_read() {
        let input: &[u8] = b"first\r\nse\xffcond\nthird";
        let lines: Vec<_> = lines_each_decoded(input)
            .map(|l| l.expect("in-memory input reads"))
            .collect();
        assert_eq!(
            lines,
            vec![
                Ok("first".to_string()),
                Err(NotUtf8 { line: 2, byte: 2 }),
                Ok("third".to_string()),
            ]
        );
        assert_eq!(
            lines[1].clone().unwrap_err().to_string(),
            "line 2: not UTF-8 (invalid byte at offset 2)"
        );
    }

    #[test]
    fn report_shows_the_message_and_each_cause() {
        let report = Report::from(Outer(std::io::Error::other("disk full")));
        assert_eq!(
            format!("{report:?}"),
            "cannot open the database\n  caused by: disk full"
        );
    }
}
