//! The events an import skipped, one line per reason: a file of 300 Outlook replies says
//! so once, with the lines, not 300 times.

use lifeos::ImportProblem;
use lifeos_examples::printable;

/// Most lines listed per reason; the rest are counted.
const MAX_LINES_SHOWN: usize = 5;

/// `1 event` or `N events`.
pub fn events(n: usize) -> String {
    if n == 1 {
        "1 event".to_owned()
    } else {
        format!("{n} events")
    }
}

/// A reason with its quoted values (`DTSTART: "2025-13-01" is not a date`) blanked, so
/// the same problem with different values is one reason.
fn reason_key(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match (c, quoted) {
            ('"', false) => {
                quoted = true;
                out.push_str("\"…");
            }
            ('"', true) => {
                quoted = false;
                out.push('"');
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    if quoted {
        // An unbalanced quote: the message as written.
        return message.to_owned();
    }
    out
}

/// One line per reason, in the order each reason first appears in the file: the reason
/// (as written when it concerns one event, its values blanked when several), how many
/// events, and their lines.
///
/// ```text
/// METHOD:REPLY answers an invitation and changes no event: 2 events (lines 14, 30)
/// ```
pub fn reasons(errors: &[ImportProblem]) -> Vec<String> {
    let mut groups: Vec<(String, Vec<&ImportProblem>)> = Vec::new();
    for problem in errors {
        let key = reason_key(&problem.message);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(problem),
            None => groups.push((key, vec![problem])),
        }
    }
    groups
        .into_iter()
        .map(|(key, members)| {
            let reason = match members.as_slice() {
                [one] => one.message.clone(),
                _ => key,
            };
            let lines: Vec<String> = members
                .iter()
                .filter(|p| p.line > 0)
                .take(MAX_LINES_SHOWN)
                .map(|p| p.line.to_string())
                .collect();
            let with_line = members.iter().filter(|p| p.line > 0).count();
            let more = with_line.saturating_sub(MAX_LINES_SHOWN);
            let place = match (lines.len(), more) {
                (0, _) => String::new(),
                (1, _) => format!(" (line {})", lines.join(", ")),
                (_, 0) => format!(" (lines {})", lines.join(", ")),
                (_, more) => format!(" (lines {} and {more} more)", lines.join(", ")),
            };
            format!("{}: {}{place}", printable(&reason), events(members.len()))
        })
        .collect()
}
