//! The differential test against python-dateutil (data from `tools/recurrence/gen_cases.py`).

use lifeos_core::recurrence::expand_json_line;
use serde_json::Value;

const DATA: &str = include_str!("../data/recurrence_cases.jsonl");

#[test]
fn tz_release_matches_chrono_tz() {
    let header: Value = serde_json::from_str(DATA.lines().next().unwrap()).unwrap();
    assert_eq!(
        header["tzdb"].as_str().unwrap(),
        chrono_tz::IANA_TZDB_VERSION
    );
}

#[test]
fn agrees_with_dateutil_on_every_case() {
    let mut cases = 0;
    let mut failures = Vec::new();
    for line in DATA.lines().skip(1) {
        let case: Value = serde_json::from_str(line).unwrap();
        let out: Value = serde_json::from_str(&expand_json_line(line)).unwrap();
        cases += 1;
        let expected = &case["expected"];
        let ok = if let Some(part) = expected.get("error_part") {
            out.get("error")
                .and_then(Value::as_str)
                .is_some_and(|e| e.contains(part.as_str().unwrap()))
        } else {
            out.get("occurrences") == expected.get("occurrences")
                && out["truncated"] == Value::Bool(false)
        };
        if !ok {
            let short = |v: &Value| v.to_string().chars().take(400).collect::<String>();
            failures.push(format!(
                "{}\n  rule {}\n  expected {}\n  got      {}",
                case["id"],
                case["rrule"],
                short(expected),
                short(&out)
            ));
        }
    }
    assert!(cases >= 1000, "only {cases} cases");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases disagree:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
