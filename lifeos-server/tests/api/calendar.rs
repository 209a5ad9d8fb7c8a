//! `/calendar/import`, `/calendar/occurrences`, `/calendar/export`.

use serde_json::json;

use crate::on_backends;
use crate::support::*;

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:standup@test\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261204T090000Z\r\nDTEND:20261204T093000Z\r\nSUMMARY:Standup\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:lunch@test\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261204T120000Z\r\nDTEND:20261204T130000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:broken@test\r\nDTSTART:not-a-date\r\nSUMMARY:Broken\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

async fn calendar(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let import = || {
        s.post("/api/v1/calendar/import", me)
            .header("content-type", "text/calendar")
            .body(ICS)
    };
    let a = answer(import()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        (a.body["imported"].as_u64(), a.body["updated"].as_u64()),
        (Some(2), Some(0)),
        "{}",
        a.text
    );
    assert_eq!(a.body["skipped"], 1);
    assert_eq!(a.body["cancelled"], 0, "no METHOD:CANCEL in the file");
    // The failing VEVENT's DTSTART is on physical line 21.
    assert_eq!(a.body["errors"][0]["line"], 21, "{}", a.text);
    // Importing the same file again changes nothing.
    let again = answer(import()).await;
    assert_eq!(
        (
            again.body["imported"].as_u64(),
            again.body["skipped"].as_u64()
        ),
        (Some(0), Some(3)),
        "{}",
        again.text
    );

    let o = answer(s.get(
        "/api/v1/calendar/occurrences?from=2026-12-04T00:00:00Z&to=2026-12-06T00:00:00Z",
        me,
    ))
    .await;
    assert_eq!(o.status, 200, "{}", o.text);
    let titles: Vec<&str> = o.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Standup", "Lunch", "Standup"]);
    assert_eq!(o.body["results"][0]["start"], "2026-12-04T09:00:00Z");
    assert_eq!(o.body["truncated"], false);
    for (query, field) in [
        ("from=2026-12-04T00:00:00Z", "to"),
        ("from=2026-12-06T00:00:00Z&to=2026-12-04T00:00:00Z", "to"),
        ("from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z", "to"),
        (
            "from=2026-12-04T00:00:00Z&to=2026-12-05T00:00:00Z&tz=Mars/Base",
            "tz",
        ),
    ] {
        let a = answer(s.get(&format!("/api/v1/calendar/occurrences?{query}"), me)).await;
        assert_eq!(
            a.problem(400, "bad-request").as_deref(),
            Some(field),
            "{query}"
        );
    }

    let e = s.get("/api/v1/calendar/export", me).send().await.unwrap();
    assert_eq!(e.status(), 200);
    assert_eq!(e.headers()["content-type"], "text/calendar; charset=utf-8");
    let text = e.text().await.unwrap();
    assert!(
        text.contains("BEGIN:VCALENDAR") && text.contains("SUMMARY:Lunch"),
        "{text}"
    );

    let none = answer(
        s.post("/api/v1/calendar/import", me)
            .header("content-type", "text/calendar")
            .body("hello"),
    )
    .await;
    none.problem(422, "ical");
    let wrong = answer(s.post("/api/v1/calendar/import", me).json(&json!({}))).await;
    wrong.problem(415, "unsupported-media-type");
}
on_backends!(calendar_import_occurrences_export, calendar);

/// API.md: only text with no VCALENDAR at all is 422 `ical`; a calendar with unbalanced
/// components (a VEVENT never ended, a stray END, garbage nested past the depth limit, no
/// END:VCALENDAR) imports what it can and reports the rest.
async fn unbalanced(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let mut lines: Vec<String> = [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "UID:open@test",
        "DTSTART:20261204T090000Z",
        "BEGIN:VEVENT",
        "UID:next@test",
        "DTSTART:20261205T090000Z",
        "END:VEVENT",
        "END:VTODO",
    ]
    .map(String::from)
    .to_vec();
    for i in 0..20 {
        lines.push(format!("BEGIN:X-NEST-{i}"));
    }
    let deep_begin = lines.len() + 1;
    lines.extend(
        [
            "BEGIN:VEVENT",
            "UID:deep@test",
            "DTSTART:20261206T090000Z",
            "END:VEVENT",
        ]
        .map(String::from),
    );
    let a = answer(
        s.post("/api/v1/calendar/import", me)
            .header("content-type", "text/calendar")
            .body(lines.join("\r\n") + "\r\n"),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        (a.body["imported"].as_u64(), a.body["skipped"].as_u64()),
        (Some(2), Some(1)),
        "{}",
        a.text
    );
    assert_eq!(a.body["errors"][0]["line"], deep_begin, "{}", a.text);
    let listed = answer(s.get("/api/v1/calendar/events", me)).await;
    assert_eq!(
        listed.body["results"].as_array().map(Vec::len),
        Some(2),
        "{}",
        listed.text
    );
}
on_backends!(unbalanced_components_import_leniently, unbalanced);
