//! RFC 5545 content lines: unfolding, parameters, components. Lenient where real
//! generators stray from the RFC and nothing is lost: a byte-order mark, `\;` and `\,` in
//! parameter values, text outside any component and unreadable lines of properties LifeOS
//! does not read (each skipped with a warning). An unreadable line of a property LifeOS
//! reads is kept on its component ([`Component::broken`]), so that only that component is
//! skipped.

use super::{ImportWarning, UnreadableEvent};
use crate::error::Error;

/// Largest document read, in bytes (50 MiB).
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// Longest content line after unfolding, in bytes (1 MiB).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Longest text property (`SUMMARY`, `DESCRIPTION`, `LOCATION`) after unescaping, in bytes
/// (64 KiB).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Most `VEVENT`s one import reads.
pub const MAX_EVENTS: usize = 100_000;
/// Most content lines (after unfolding) one document may hold: more than any file within
/// [`MAX_FILE_BYTES`] of real events has.
pub(crate) const MAX_LINES: usize = 4_000_000;
/// Deepest component nesting accepted.
const MAX_DEPTH: usize = 16;

/// One content line: `NAME;PARAM=VALUE:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Property {
    /// Uppercase name.
    pub name: String,
    /// Parameters, names uppercase, values unquoted.
    pub params: Vec<(String, String)>,
    /// The raw value (escapes not decoded).
    pub value: String,
    /// 1-based physical line where the content line starts.
    pub line: usize,
}

impl Property {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A component (`BEGIN:X` .. `END:X`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Component {
    /// Uppercase name.
    pub name: String,
    pub properties: Vec<Property>,
    pub children: Vec<Component>,
    pub line: usize,
    /// Unreadable lines of properties LifeOS reads: (line, what is wrong). The component
    /// cannot be read faithfully.
    pub broken: Vec<(usize, String)>,
}

/// A parsed document: its top-level components and what was skipped to read it.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub components: Vec<Component>,
    pub warnings: Vec<ImportWarning>,
    /// The `VEVENT`s dropped with a component nested too deeply, each by its `BEGIN`.
    pub dropped: Vec<UnreadableEvent>,
}

/// A component nested deeper than [`MAX_DEPTH`], skipped with all it holds: the names
/// opened inside it, to find its `END`.
struct TooDeep {
    open: Vec<String>,
}

/// Whether LifeOS reads a property of this (uppercase) name: an unreadable line of one
/// makes its component unreadable, of any other it is skipped.
fn is_read(name: &str) -> bool {
    const READ: &[&str] = &[
        "BEGIN",
        "END",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "UID",
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "STATUS",
        "TRANSP",
        "ATTENDEE",
        "URL",
        "X-GOOGLE-CONFERENCE",
        "X-MICROSOFT-SKYPETEAMSMEETINGURL",
        "TZID",
        "TZOFFSETFROM",
        "TZOFFSETTO",
        "X-LIC-LOCATION",
        "METHOD",
    ];
    READ.contains(&name) || name.starts_with("X-LIFEOS-")
}

impl Component {
    pub(crate) fn get(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.properties.iter().filter(move |p| p.name == name)
    }
}

fn ical_err(line: usize, message: impl Into<String>) -> Error {
    Error::Ical {
        line,
        message: message.into(),
    }
}

/// Unfolds the text into (first physical line number, content line).
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = out.last_mut()
        {
            last.1.push_str(rest);
            continue;
        }
        if raw.trim().is_empty() {
            continue;
        }
        out.push((i + 1, raw.to_string()));
    }
    out
}

fn parse_line(line: usize, text: &str) -> Result<Property, Error> {
    // The name runs to the first ';' or ':'; parameter values may be quoted.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] != b';' && bytes[i] != b':' {
        i += 1;
    }
    let name = &text[..i];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ical_err(
            line,
            format!("bad property name in {:?}", cut(text)),
        ));
    }
    let mut params = Vec::new();
    while i < bytes.len() && bytes[i] == b';' {
        i += 1;
        let start = i;
        while i < bytes.len() && bytes[i] != b'=' && bytes[i] != b':' && bytes[i] != b';' {
            i += 1;
        }
        let pname = text[start..i].trim().to_ascii_uppercase();
        if i >= bytes.len() || bytes[i] != b'=' {
            return Err(ical_err(
                line,
                format!("parameter without a value in {:?}", cut(text)),
            ));
        }
        i += 1;
        let mut values: Vec<String> = Vec::new();
        loop {
            if i < bytes.len() && bytes[i] == b'"' {
                let start = i + 1;
                let Some(end) = text[start..].find('"') else {
                    return Err(ical_err(line, "unterminated quoted parameter value"));
                };
                values.push(text[start..start + end].to_string());
                i = start + end + 1;
            } else {
                // Apple writes `\;` and `\,` inside unquoted values (structured
                // locations): the escaped character is part of the value.
                let mut value = String::new();
                let mut from = i;
                while i < bytes.len() && !matches!(bytes[i], b';' | b':' | b',') {
                    if bytes[i] == b'\\' && matches!(bytes.get(i + 1), Some(b';' | b',' | b':')) {
                        value.push_str(&text[from..i]);
                        from = i + 1;
                        i += 1;
                    }
                    i += 1;
                }
                value.push_str(&text[from..i]);
                values.push(value);
            }
            if i < bytes.len() && bytes[i] == b',' {
                i += 1;
                continue;
            }
            break;
        }
        params.push((pname, values.join(",")));
    }
    if i >= bytes.len() || bytes[i] != b':' {
        return Err(ical_err(line, format!("no ':' in {:?}", cut(text))));
    }
    Ok(Property {
        name: name.to_ascii_uppercase(),
        params,
        value: text[i + 1..].to_string(),
        line,
    })
}

fn cut(s: &str) -> String {
    s.chars().take(60).collect()
}

/// The (uppercase) property name an unreadable line starts with, if it has one.
fn name_of(text: &str) -> Option<String> {
    let name = text.split([';', ':']).next()?.trim();
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| name.to_ascii_uppercase())
}

/// Parses a document into its top-level components.
///
/// # Errors
/// [`Error::Ical`] only when it is no calendar at all: larger than [`MAX_FILE_BYTES`],
/// more than [`MAX_LINES`] lines, or no `VCALENDAR`. Broken structure is repaired with a
/// warning: an unreadable `BEGIN` or `END`, a missing or stray `END`, a component begun
/// inside an open one of its own kind (none nests in its kind: the open one is closed
/// there), and a component nested deeper than 16 (skipped with what it holds, each
/// `VEVENT` in it reported in [`Parsed::dropped`]).
pub(crate) fn parse(text: &str) -> Result<Parsed, Error> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ical_err(
            0,
            format!(
                "the file is larger than {} MiB",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = unfold(text);
    if lines.len() > MAX_LINES {
        return Err(ical_err(0, format!("more than {MAX_LINES} content lines")));
    }
    let mut stack: Vec<Component> = Vec::new();
    let mut parsed = Parsed::default();
    // The line where the current run of text outside any component began, if in one.
    let mut outside_since: Option<usize> = None;
    let mut too_deep: Option<TooDeep> = None;
    for (line, text) in lines {
        let read = if text.len() > MAX_LINE_BYTES {
            Err(ical_err(
                line,
                format!(
                    "a content line longer than {} MiB",
                    MAX_LINE_BYTES / (1024 * 1024)
                ),
            ))
        } else {
            parse_line(line, &text)
        };
        let prop = match read {
            Ok(prop) => prop,
            // A line of a component skipped for its depth goes with it.
            Err(_) if too_deep.is_some() => continue,
            Err(e) => {
                let message = match e {
                    Error::Ical { message, .. } => message,
                    other => other.to_string(),
                };
                match (name_of(&text), stack.last_mut()) {
                    (Some(name), _) if name == "BEGIN" || name == "END" => {
                        parsed.warnings.push(ImportWarning {
                            line,
                            message: format!("an unreadable {name} line was skipped ({message})"),
                        });
                    }
                    (Some(name), Some(c)) if is_read(&name) => c.broken.push((line, message)),
                    (_, Some(_)) => parsed.warnings.push(ImportWarning {
                        line,
                        message: format!("an unreadable line was skipped ({message})"),
                    }),
                    (_, None) => {
                        outside_since.get_or_insert(line);
                    }
                }
                continue;
            }
        };
        if let Some(skipping) = &mut too_deep {
            let swallowed = skipping.swallows(&prop, &mut parsed);
            if !swallowed || skipping.ended() {
                too_deep = None;
            }
            if swallowed {
                continue;
            }
        }
        match prop.name.as_str() {
            "BEGIN" => {
                if let Some(since) = outside_since.take() {
                    parsed.warnings.push(outside(since));
                }
                let name = prop.value.trim().to_ascii_uppercase();
                // No component nests in one of its own kind: an open one never ended.
                if let Some(at) = stack.iter().rposition(|c| c.name == name) {
                    close_above(&mut stack, at, &format!("BEGIN:{name}"), line, &mut parsed);
                }
                if stack.len() >= MAX_DEPTH {
                    parsed.warnings.push(ImportWarning {
                        line,
                        message: format!(
                            "BEGIN:{name} is nested deeper than {MAX_DEPTH} components; \
                             skipped with all it holds"
                        ),
                    });
                    let mut skipping = TooDeep { open: Vec::new() };
                    skipping.swallows(&prop, &mut parsed);
                    too_deep = Some(skipping);
                    continue;
                }
                stack.push(Component {
                    name,
                    line,
                    ..Component::default()
                });
            }
            "END" => {
                let name = prop.value.trim().to_ascii_uppercase();
                // Real files drop an END or write a stray one: an END closes the nearest
                // open component of its name (and, with a warning, any opened inside it
                // and never closed); an END that matches none is skipped.
                match stack.iter().rposition(|c| c.name == name) {
                    None => parsed.warnings.push(ImportWarning {
                        line,
                        message: format!("END:{name} closes no open component and was skipped"),
                    }),
                    Some(at) => {
                        close_above(
                            &mut stack,
                            at + 1,
                            &format!("END:{name}"),
                            line,
                            &mut parsed,
                        );
                        close_top(&mut stack, &mut parsed);
                    }
                }
            }
            _ => match stack.last_mut() {
                Some(c) => c.properties.push(prop),
                // Text before BEGIN:VCALENDAR or after END:VCALENDAR (mail headers, a
                // second copy, junk): not part of the calendar.
                None => {
                    outside_since.get_or_insert(line);
                }
            },
        }
    }
    // A file cut short: what was read is kept.
    while let Some(open) = stack.last() {
        parsed.warnings.push(ImportWarning {
            line: open.line,
            message: format!(
                "BEGIN:{} is never closed; read to the end of the file",
                open.name
            ),
        });
        close_top(&mut stack, &mut parsed);
    }
    if let Some(since) = outside_since {
        parsed.warnings.push(outside(since));
    }
    if !parsed.components.iter().any(|c| c.name == "VCALENDAR") {
        return Err(ical_err(1, "no VCALENDAR in the text"));
    }
    Ok(parsed)
}

/// Closes, each with a warning, the open components but the outer `keep`: they never
/// ended, `by` (at `line`) ends them.
fn close_above(
    stack: &mut Vec<Component>,
    keep: usize,
    by: &str,
    line: usize,
    parsed: &mut Parsed,
) {
    while stack.len() > keep {
        if let Some(open) = stack.last() {
            parsed.warnings.push(ImportWarning {
                line: open.line,
                message: format!(
                    "BEGIN:{} has no END; closed by {by} at line {line}",
                    open.name
                ),
            });
        }
        close_top(stack, parsed);
    }
}

impl TooDeep {
    /// Whether `prop` belongs to the skipped component (`false`: an `END` of a component
    /// around it, which ends the skipping). Each `VEVENT` begun inside is reported.
    fn swallows(&mut self, prop: &Property, parsed: &mut Parsed) -> bool {
        let name = prop.value.trim().to_ascii_uppercase();
        match prop.name.as_str() {
            "BEGIN" => {
                if name == "VEVENT" {
                    parsed.dropped.push(UnreadableEvent {
                        line: prop.line,
                        begin_line: prop.line,
                        uid: None,
                        message: format!(
                            "BEGIN:VEVENT is nested deeper than {MAX_DEPTH} components"
                        ),
                    });
                }
                self.open.push(name);
                true
            }
            "END" => match self.open.iter().rposition(|open| *open == name) {
                Some(at) => {
                    self.open.truncate(at);
                    true
                }
                None => false,
            },
            _ => true,
        }
    }

    /// Whether the skipped component has ended.
    fn ended(&self) -> bool {
        self.open.is_empty()
    }
}

/// Closes the innermost open component: a child of the one around it, or top-level.
fn close_top(stack: &mut Vec<Component>, parsed: &mut Parsed) {
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => parsed.components.push(done),
        }
    }
}

fn outside(since: usize) -> ImportWarning {
    ImportWarning {
        line: since,
        message: "text outside any component was skipped".into(),
    }
}

/// Decodes TEXT escapes (`\\`, `\;`, `\,`, `\n`).
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Encodes TEXT escapes.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Splits a list value at unescaped commas.
pub(crate) fn split_list(s: &str) -> Vec<&str> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect()
}

/// Folds a content line at 75 octets (on character boundaries).
pub(crate) fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_and_keeps_line_numbers() {
        let doc = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:a long\r\n  title\r\nATTENDEE;CN=\"Doe, J\";ROLE=REQ-PARTICIPANT:mailto:j@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let top = parse(doc).unwrap().components;
        let ev = &top[0].children[0];
        assert_eq!(ev.get("SUMMARY").unwrap().value, "a long title");
        let a = ev.get("ATTENDEE").unwrap();
        assert_eq!(a.param("CN"), Some("Doe, J"));
        assert_eq!(a.value, "mailto:j@x");
        assert_eq!(a.line, 5);
        // A VEVENT without END is closed by the calendar's END, with a warning naming it.
        let repaired = parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n").unwrap();
        assert_eq!(repaired.components[0].children[0].name, "VEVENT");
        assert_eq!(repaired.warnings.len(), 1);
        assert_eq!(repaired.warnings[0].line, 2);
        assert!(
            repaired.warnings[0]
                .message
                .contains("closed by END:VCALENDAR at line 3")
        );
    }

    #[test]
    fn text_escapes_round_trip() {
        let s = "a;b,c\\d\ne";
        assert_eq!(unescape(&escape(s)), s);
    }
}
