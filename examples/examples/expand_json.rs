//! Expands recurrence cases: one JSON case per stdin line, one JSON answer per stdout line.
//!
//! ```sh
//! cargo run --example expand_json < cases.jsonl
//! ```
//!
//! The format is issue 3's (`lifeos::core::recurrence::expand_json_line`). A line that is
//! not UTF-8 gets `{"id": null, "error": "line N: not UTF-8 ..."}` and the lines after it
//! are still answered. The exit status is 0 unless stdin cannot be read.

use std::io::Write;

use lifeos_examples::lines_each_decoded;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in lines_each_decoded(stdin.lock()) {
        let answer = match line? {
            Ok(line) => lifeos::core::recurrence::expand_json_line(&line),
            Err(bad) => serde_json::json!({"id": null, "error": bad.to_string()}).to_string(),
        };
        writeln!(out, "{answer}")?;
    }
    out.flush()?;
    Ok(())
}
