//! Expands recurrence cases: one JSON case per stdin line, one JSON answer per stdout line.
//!
//! ```sh
//! cargo run --example expand_json < cases.jsonl
//! ```
//!
//! The format is issue 3's (`lifeos::core::recurrence::expand_json_line`). The exit status is
//! 0 unless stdin cannot be read.

use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let line = line?;
        writeln!(out, "{}", lifeos::core::recurrence::expand_json_line(&line))?;
    }
    out.flush()?;
    Ok(())
}
