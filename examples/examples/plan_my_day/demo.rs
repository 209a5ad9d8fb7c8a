//! The demo week seeded on first run: a profile, a realistic backlog and a calendar of
//! recurring and one-off meetings around the local date of `now`.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use lifeos::LifeOs;
use lifeos::core::{
    EventStatus, EventTime, NewProfile, NewTask, PreferencesPatch, Profile, Provider, Transparency,
    UserId,
};
use lifeos::store::{CalendarEventInput, ErrorKind, SeedTask, UserSeed};

type Result<T> = std::result::Result<T, lifeos_examples::Report>;

/// Creates the demo user's profile, tasks and calendar in one transaction: all of it or
/// nothing. `None` when the user already has a profile (another run seeded it first).
/// With `max_chunk`, tasks longer than it are chunked, and a 10-hour task joins them.
pub async fn seed(
    app: &LifeOs,
    user: UserId,
    tz_name: &str,
    now: DateTime<Utc>,
    max_chunk: Option<i64>,
) -> Result<Option<Profile>> {
    let profile = NewProfile {
        email: "demo@lifeos.invalid".into(),
        name: Some("Demo User".into()),
        avatar_url: None,
        preferences: PreferencesPatch {
            timezone: Some(tz_name.to_owned()),
            ..PreferencesPatch::default()
        },
    };
    // The zone is checked by the store with the rest; an unknown one is its error.
    let tz: Tz = tz_name.parse().unwrap_or(Tz::UTC);
    let today = now.with_timezone(&tz).date_naive();
    let mut seed = UserSeed::new(profile);
    for event in calendar(tz, today)? {
        seed = seed.event(event);
    }
    seed_tasks(&mut seed, tz, today, max_chunk);
    match app.store().seed_user(user, seed).await {
        Ok(profile) => Ok(Some(profile)),
        Err(e) if e.kind() == ErrorKind::Conflict => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn at(day: NaiveDate, h: u32, m: u32, tz: Tz) -> EventTime {
    EventTime::Zoned {
        local: day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)),
        tz,
    }
}

fn instant(day: NaiveDate, h: u32, m: u32, tz: Tz) -> DateTime<Utc> {
    lifeos::core::time::resolve_local(
        day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)),
        tz,
    )
}

fn calendar(tz: Tz, today: NaiveDate) -> Result<Vec<CalendarEventInput>> {
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

    Ok(events)
}

fn seed_tasks(seed: &mut UserSeed, tz: Tz, today: NaiveDate, max_chunk: Option<i64>) {
    let tomorrow = today + Days::new(1);
    let task = |title: &str, priority: i64, minutes: i64| NewTask {
        priority,
        estimated_minutes: Some(minutes),
        max_chunk_minutes: max_chunk.filter(|&max| max < minutes),
        ..NewTask::titled(title)
    };
    if max_chunk.is_some() {
        seed.task(SeedTask::new(NewTask {
            labels: vec!["work".into()],
            due_date: Some(instant(today + Days::new(9), 17, 0, tz)),
            ..task("Write the design doc", 2, 600)
        }));
    }
    let report = seed.task(SeedTask::new(NewTask {
        due_date: Some(instant(today, 17, 0, tz)),
        labels: vec!["work".into()],
        ..task("Write Q3 report", 3, 90)
    }));
    let tasks = [
        SeedTask::new(NewTask {
            due_date: Some(instant(tomorrow, 12, 0, tz)),
            labels: vec!["work".into()],
            ..task("Send Q3 report to finance", 2, 15)
        })
        .after([report]),
        SeedTask::new(NewTask {
            due_date: Some(instant(today, 12, 0, tz)),
            hard_deadline: true,
            labels: vec!["work".into()],
            ..task("Review Alex's pull request", 2, 45)
        }),
        SeedTask::new(NewTask {
            due_date: Some(instant(today - Days::new(2), 17, 0, tz)),
            labels: vec!["admin".into()],
            ..task("Submit expense claims", 1, 20)
        }),
        SeedTask::new(NewTask {
            labels: vec!["learning".into()],
            ..task("Read the SQLite WAL docs", 0, 30)
        }),
        SeedTask::new(NewTask {
            labels: vec!["work".into()],
            due_date: Some(instant(today + Days::new(4), 17, 0, tz)),
            ..task("Draft the hiring plan", 2, 120)
        }),
        SeedTask::new(NewTask {
            labels: vec!["home".into()],
            ..task("Book the car service", 1, 10)
        }),
        SeedTask::new(NewTask {
            labels: vec!["health".into()],
            pinned_start: Some(instant(today, 17, 30, tz)),
            ..task("Gym", 1, 60)
        }),
        SeedTask::new(task("Plan the offsite agenda", 2, 60)).completed(Some(50)),
    ];
    for t in tasks {
        seed.task(t);
    }
}
