//! Shared helpers for the LifeOS examples; the examples themselves live in `examples/`.

use std::error::Error;
use std::fmt;
use std::io::BufRead;

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
