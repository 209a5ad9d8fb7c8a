//! Shared helpers for the LifeOS criterion benchmarks; benches live in `benches/`.

use lifeos_core::plan::{PlanDayRequest, PlanError};

/// The planner bench's deterministic day: `n` tasks (mixed priorities, lengths, due dates,
/// hard deadlines and some dependencies) and 8 meetings, some overlapping.
///
/// Shared by the `planner` bench and the `plan_bench_day` profiling example so that both
/// measure the very same request.
///
/// # Errors
/// [`PlanError`] if the generated request does not parse (a bug in this generator).
pub fn bench_day(n: usize) -> Result<PlanDayRequest, PlanError> {
    let mut tasks = Vec::new();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let minutes = [10, 15, 20, 25, 30, 45, 60, 90, 120, 7, 13];
    for i in 0..n {
        let r = next();
        let due = match r % 5 {
            0 => r#","dueDate":"2026-03-10T16:00:00Z""#.to_owned(),
            1 => r#","dueDate":"2026-03-12T16:00:00Z","hardDeadline":true"#.to_owned(),
            2 => r#","dueDate":"2026-03-09T12:00:00Z""#.to_owned(),
            _ => String::new(),
        };
        let dep = if i > 3 && r % 7 == 0 {
            format!(r#","dependsOn":["00000000-0000-4000-8000-{:012x}"]"#, i - 3)
        } else {
            String::new()
        };
        tasks.push(format!(
            r#"{{"id":"00000000-0000-4000-8000-{i:012x}","title":"Task {i}","priority":{},"estimatedMinutes":{}{due}{dep}}}"#,
            (r >> 8) % 4,
            minutes[((r >> 16) % minutes.len() as u64) as usize]
        ));
    }
    day_request(&tasks, &MEETINGS)
}

/// The bench day's 8 meetings (UTC), some overlapping.
const MEETINGS: [(&str, &str); 8] = [
    ("08:00", "08:15"),
    ("09:30", "10:00"),
    ("09:45", "10:30"),
    ("11:00", "11:30"),
    ("12:00", "13:00"),
    ("14:00", "14:25"),
    ("15:00", "15:45"),
    ("16:30", "17:00"),
];

/// A day of `n` tasks where each task depends on the one before it: one chain of `n`.
///
/// The planner must handle dependency chains far longer than a neighbourhood of its local
/// search without recursion as deep as the chain (issue 13).
///
/// # Errors
/// [`PlanError`] if the generated request does not parse (a bug in this generator).
pub fn bench_chain(n: usize) -> Result<PlanDayRequest, PlanError> {
    bench_dependencies(n, |i, _| vec![i - 1])
}

/// A day of `n` tasks where each task depends on `k` earlier ones (all of them when there
/// are fewer), chosen by a seeded generator: a dense dependency graph with long paths.
///
/// # Errors
/// [`PlanError`] if the generated request does not parse (a bug in this generator).
pub fn bench_deps(n: usize, k: usize) -> Result<PlanDayRequest, PlanError> {
    bench_dependencies(n, |i, r| {
        if i <= k {
            return (0..i).collect();
        }
        // Distinct earlier tasks, drawn until there are k of them.
        let mut picked = std::collections::BTreeSet::new();
        while picked.len() < k {
            picked.insert((r() % i as u64) as usize);
        }
        picked.into_iter().collect()
    })
}

/// `n` tasks of mixed priorities, lengths and due dates; task `i > 0` depends on the
/// earlier tasks `deps(i, rng)` names, task 0 on none.
fn bench_dependencies(
    n: usize,
    deps: impl Fn(usize, &mut dyn FnMut() -> u64) -> Vec<usize>,
) -> Result<PlanDayRequest, PlanError> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let minutes = [10, 15, 20, 25, 30, 45, 60];
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let r = next();
        let due = match r % 4 {
            0 => r#","dueDate":"2026-03-10T16:00:00Z""#,
            1 => r#","dueDate":"2026-03-12T16:00:00Z","hardDeadline":true"#,
            _ => "",
        };
        let on: Vec<String> = if i == 0 {
            Vec::new()
        } else {
            deps(i, &mut next)
                .into_iter()
                .map(|d| format!(r#""00000000-0000-4000-8000-{d:012x}""#))
                .collect()
        };
        tasks.push(format!(
            r#"{{"id":"00000000-0000-4000-8000-{i:012x}","title":"Task {i}","priority":{},"estimatedMinutes":{}{due},"dependsOn":[{}]}}"#,
            (r >> 8) % 4,
            minutes[((r >> 16) % minutes.len() as u64) as usize],
            on.join(",")
        ));
    }
    // Three meetings leave gaps long enough for a chain to run through the day.
    day_request(
        &tasks,
        &[("09:30", "10:00"), ("12:00", "13:00"), ("15:00", "15:30")],
    )
}

/// The bench day around `tasks` (JSON objects) and `meetings` (UTC): Europe/London,
/// 2026-03-10, a 08:00-18:00 workday with a 7 h cap.
fn day_request(tasks: &[String], meetings: &[(&str, &str)]) -> Result<PlanDayRequest, PlanError> {
    let events: Vec<String> = meetings
        .iter()
        .enumerate()
        .map(|(i, (s, e))| {
            format!(
                r#"{{"title":"Meeting {i}","start":"2026-03-10T{s}:00Z","end":"2026-03-10T{e}:00Z"}}"#
            )
        })
        .collect();
    let json = format!(
        r#"{{"timezone":"Europe/London","today":"2026-03-10","currentTime":"2026-03-10T07:12:31Z",
        "preferences":{{"workdayStart":"08:00","workdayEnd":"18:00","maxFocusHours":7}},
        "tasks":[{}],"blockedTime":[{}]}}"#,
        tasks.join(","),
        events.join(",")
    );
    PlanDayRequest::from_json(&json)
}

/// The week planner bench's deterministic week (Monday to Sunday, Europe/Berlin): `n` tasks
/// (a third of them split into chunks, mixed priorities and due dates over the week, hard
/// deadlines, some dependencies), a daily standup and 12 meetings over the week.
///
/// # Errors
/// [`PlanError`] if the generated request does not parse (a bug in this generator).
pub fn bench_week(n: usize) -> Result<lifeos_core::plan::PlanWeekRequest, PlanError> {
    let mut tasks = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let minutes = [15, 20, 30, 45, 60, 90, 120, 25, 40];
    for i in 0..n {
        let r = next();
        let day = 9 + (r >> 24) % 5;
        let due = match r % 6 {
            0 => format!(r#","dueDate":"2026-03-{day:02}T15:00:00Z""#),
            1 => format!(r#","dueDate":"2026-03-{day:02}T16:00:00Z","hardDeadline":true"#),
            2 => r#","dueDate":"2026-03-25T12:00:00Z""#.to_owned(),
            _ => String::new(),
        };
        let dep = if i > 3 && r % 9 == 0 {
            format!(r#","dependsOn":["00000000-0000-4000-8000-{:012x}"]"#, i - 3)
        } else {
            String::new()
        };
        let size = if i % 3 == 0 {
            let max = [60, 90, 120][((r >> 12) % 3) as usize];
            format!(
                r#""estimatedMinutes":{},"maxChunkMinutes":{max},"minChunkMinutes":30"#,
                max * (2 + (r >> 20) % 3)
            )
        } else {
            format!(
                r#""estimatedMinutes":{}"#,
                minutes[((r >> 16) % minutes.len() as u64) as usize]
            )
        };
        tasks.push(format!(
            r#"{{"id":"00000000-0000-4000-8000-{i:012x}","title":"Task {i}","priority":{},{size}{due}{dep}}}"#,
            (r >> 8) % 4
        ));
    }
    let mut events = Vec::new();
    for d in 9..14 {
        events.push(format!(
            r#"{{"title":"Standup","start":"2026-03-{d:02}T08:30:00Z","end":"2026-03-{d:02}T08:45:00Z"}}"#
        ));
    }
    for i in 0..12u32 {
        let d = 9 + i % 5;
        let h = 9 + (i * 7) % 7;
        events.push(format!(
            r#"{{"title":"Meeting {i}","start":"2026-03-{d:02}T{h:02}:00:00Z","end":"2026-03-{d:02}T{h:02}:45:00Z"}}"#
        ));
    }
    let json = format!(
        r#"{{"timezone":"Europe/Berlin","today":"2026-03-09","currentTime":"2026-03-09T06:12:31Z",
        "horizonDays":7,"preferences":{{"workdayStart":"08:00","workdayEnd":"18:00","maxFocusHours":6}},
        "tasks":[{}],"blockedTime":[{}]}}"#,
        tasks.join(","),
        events.join(",")
    );
    lifeos_core::plan::PlanWeekRequest::from_json(&json)
}
