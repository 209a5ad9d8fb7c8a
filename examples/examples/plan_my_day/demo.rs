//! The demo week seeded on first run: a profile, a realistic backlog and a calendar of
//! recurring and one-off meetings around the local date of `now`.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use lifeos_core::{
    EventStatus, EventTime, NewProfile, NewTask, PreferencesPatch, Profile, Provider, Transparency,
    UserId,
};
use lifeos_store::prelude::*;
use lifeos_store::{CalendarEventInput, SqliteStore, TaskOp};

type Result<T> = std::result::Result<T, lifeos_examples::Report>;

/// Creates the demo user's profile, tasks and calendar.
pub async fn seed(
    store: &SqliteStore,
    user: UserId,
    tz_name: &str,
    now: DateTime<Utc>,
) -> Result<Profile> {
    let profile = store
        .create_profile(
            user,
            NewProfile {
                email: "demo@lifeos.invalid".into(),
                name: Some("Demo User".into()),
                avatar_url: None,
                preferences: PreferencesPatch {
                    timezone: Some(tz_name.to_owned()),
                    ..PreferencesPatch::default()
                },
            },
        )
        .await?;
    let tz = profile.preferences.timezone;
    let today = now.with_timezone(&tz).date_naive();
    seed_calendar(store, user, tz, today).await?;
    seed_tasks(store, user, tz, today).await?;
    Ok(profile)
}

fn at(day: NaiveDate, h: u32, m: u32, tz: Tz) -> EventTime {
    EventTime::Zoned {
        local: day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)),
        tz,
    }
}

fn instant(day: NaiveDate, h: u32, m: u32, tz: Tz) -> DateTime<Utc> {
    lifeos_core::time::resolve_local(
        day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)),
        tz,
    )
}

async fn seed_calendar(store: &SqliteStore, user: UserId, tz: Tz, today: NaiveDate) -> Result<()> {
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let mut events = Vec::new();

    let mut standup = CalendarEventInput::new(
        Provider::Manual,
        "Standup",
        at(monday, 9, 30, tz),
        at(monday, 9, 45, tz),
    );
    standup.rrule = Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".parse()?);
    standup.conference_url = Some("https://meet.example.invalid/standup".into());
    events.push(standup);

    let mut one_on_one = CalendarEventInput::new(
        Provider::Manual,
        "1:1 with Sam",
        at(monday, 14, 0, tz),
        at(monday, 14, 30, tz),
    );
    one_on_one.rrule = Some("FREQ=WEEKLY;BYDAY=MO,TH".parse()?);
    events.push(one_on_one);

    let mut planning = CalendarEventInput::new(
        Provider::Manual,
        "Team planning",
        at(monday + Days::new(2), 11, 0, tz),
        at(monday + Days::new(2), 12, 0, tz),
    );
    planning.rrule = Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=WE".parse()?);
    events.push(planning);

    let mut lunch = CalendarEventInput::new(
        Provider::Manual,
        "Lunch",
        at(monday, 12, 30, tz),
        at(monday, 13, 15, tz),
    );
    lunch.rrule = Some("FREQ=DAILY".parse()?);
    events.push(lunch);

    // One-offs: a customer call today, and a tentative design review tomorrow that still
    // blocks time.
    events.push(CalendarEventInput::new(
        Provider::Manual,
        "Customer call",
        at(today, 16, 0, tz),
        at(today, 16, 30, tz),
    ));
    let tomorrow = today + Days::new(1);
    let mut review = CalendarEventInput::new(
        Provider::Manual,
        "Design review",
        at(tomorrow, 10, 30, tz),
        at(tomorrow, 11, 0, tz),
    );
    review.status = EventStatus::Tentative;
    events.push(review);

    // A free all-day reminder does not block anything.
    let mut reminder = CalendarEventInput::new(
        Provider::Manual,
        "Mum's birthday",
        EventTime::Date(today + Days::new(2)),
        EventTime::Date(today + Days::new(3)),
    );
    reminder.transparency = Transparency::Free;
    events.push(reminder);

    for event in events {
        store.upsert_calendar_event(user, event).await?;
    }
    Ok(())
}

async fn seed_tasks(store: &SqliteStore, user: UserId, tz: Tz, today: NaiveDate) -> Result<()> {
    let tomorrow = today + Days::new(1);
    let task = |title: &str, priority: i64, minutes: i64| NewTask {
        priority,
        estimated_minutes: Some(minutes),
        ..NewTask::titled(title)
    };
    let report = store
        .create_task(
            user,
            NewTask {
                due_date: Some(instant(today, 17, 0, tz)),
                labels: vec!["work".into()],
                ..task("Write Q3 report", 3, 90)
            },
        )
        .await?;
    store
        .create_task(
            user,
            NewTask {
                depends_on: vec![report.id],
                due_date: Some(instant(tomorrow, 12, 0, tz)),
                labels: vec!["work".into()],
                ..task("Send Q3 report to finance", 2, 15)
            },
        )
        .await?;
    store
        .create_task(
            user,
            NewTask {
                due_date: Some(instant(today, 12, 0, tz)),
                hard_deadline: true,
                labels: vec!["work".into()],
                ..task("Review Alex's pull request", 2, 45)
            },
        )
        .await?;
    store
        .create_task(
            user,
            NewTask {
                due_date: Some(instant(today - Days::new(2), 17, 0, tz)),
                labels: vec!["admin".into()],
                ..task("Submit expense claims", 1, 20)
            },
        )
        .await?;
    store
        .create_task(
            user,
            NewTask {
                labels: vec!["learning".into()],
                ..task("Read the SQLite WAL docs", 0, 30)
            },
        )
        .await?;
    store
        .create_task(
            user,
            NewTask {
                labels: vec!["work".into()],
                due_date: Some(instant(today + Days::new(4), 17, 0, tz)),
                ..task("Draft the hiring plan", 2, 120)
            },
        )
        .await?;
    store
        .create_task(
            user,
            NewTask {
                labels: vec!["home".into()],
                ..task("Book the car service", 1, 10)
            },
        )
        .await?;
    store
        .create_task(
            user,
            NewTask {
                labels: vec!["health".into()],
                pinned_start: Some(instant(today, 17, 30, tz)),
                ..task("Gym", 1, 60)
            },
        )
        .await?;
    let done = store
        .create_task(user, task("Plan the offsite agenda", 2, 60))
        .await?;
    store
        .change_task(
            user,
            lifeos_store::TaskChange::new(
                done.id,
                None,
                TaskOp::Complete {
                    actual_minutes: Some(50),
                    via_ai: false,
                },
            ),
        )
        .await?;
    Ok(())
}
