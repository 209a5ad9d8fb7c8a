//! Tests only PostgreSQL needs: Row Level Security and the append-only log, by raw SQL
//! through the application role.

use chrono::Duration;
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_core::{NewProfile, NewProject, NewTask, SubscriptionStatus, TaskPatch, Tier, UserId};
use lifeos_store::prelude::*;
use lifeos_store::{
    CalendarEventInput, EventQuery, MemoryStore, OAuthSecret, PostgresConfig, PostgresStore, Store,
    SubscriptionInput, TaskQuery,
};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::conformance::{options, t0, user};
use crate::pg_support;

const TABLES: [&str; 7] = [
    "profiles",
    "projects",
    "tasks",
    "calendar_events",
    "subscriptions",
    "oauth_tokens",
    "events",
];

/// One row in every table for `u`.
async fn fill(store: &PostgresStore, u: UserId, n: u8) {
    store
        .create_profile(
            u,
            NewProfile {
                email: format!("u{n}@example.com"),
                ..NewProfile::default()
            },
        )
        .await
        .unwrap();
    let p = store
        .create_project(
            u,
            NewProject {
                name: format!("p{n}"),
                ..NewProject::default()
            },
        )
        .await
        .unwrap();
    let mut t = NewTask::titled(format!("task {n}"));
    t.project_id = Some(p.id);
    store.create_task(u, t).await.unwrap();
    let start = t0() + Duration::hours(i64::from(n));
    store
        .upsert_calendar_event(
            u,
            CalendarEventInput::new(
                Provider::Manual,
                "meeting",
                EventTime::Utc(start),
                EventTime::Utc(start + Duration::hours(1)),
            ),
        )
        .await
        .unwrap();
    store
        .upsert_subscription(
            u,
            SubscriptionInput {
                stripe_customer_id: format!("cus_{n}"),
                stripe_subscription_id: format!("sub_{n}"),
                stripe_price_id: "price_1".into(),
                status: SubscriptionStatus::Active,
                tier: Tier::Pro,
                current_period_start: Some(t0()),
                current_period_end: Some(t0() + Duration::days(30)),
                cancel_at: None,
                canceled_at: None,
                ai_requests_this_period: 0,
                mrr_cents: 1200,
            },
        )
        .await
        .unwrap();
    store
        .put_oauth_token(
            u,
            "google",
            OAuthSecret {
                access_token: "access".into(),
                refresh_token: "refresh".into(),
                expires_at: t0() + Duration::hours(1),
                scopes: vec![],
            },
        )
        .await
        .unwrap();
}

async fn raw(url: &str, schema: &str) -> PgConnection {
    let options: PgConnectOptions = url.parse().unwrap();
    PgConnection::connect_with(&options.options([("search_path", schema)]))
        .await
        .unwrap()
}

/// Opens a transaction as the application role scoped to `u`.
async fn as_app<'c>(
    conn: &'c mut PgConnection,
    u: UserId,
) -> sqlx::Transaction<'c, sqlx::Postgres> {
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE lifeos_app")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("SELECT set_config('lifeos.user_id', $1, true)")
        .bind(u.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rls_hides_other_users_rows_and_the_log_is_append_only() {
    let url = pg_support::database_url().await;
    let schema = pg_support::schema();
    let store = PostgresStore::connect(
        PostgresConfig::new(url.clone()).schema(schema.clone()),
        options(1),
    )
    .await
    .unwrap();
    let (a, b) = (user(1), user(2));
    fill(&store, a, 1).await;
    fill(&store, b, 2).await;

    let mut conn = raw(&url, &schema).await;
    // The application role is neither a superuser nor exempt from RLS, and owns nothing.
    let (sup, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'lifeos_app'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(!sup && !bypass);
    let owned: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner \
         WHERE r.rolname = 'lifeos_app'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(owned, 0);
    // The SECURITY DEFINER functions search this schema, then pg_temp, nothing else.
    let configs: Vec<String> = sqlx::query_scalar(
        "SELECT array_to_string(proconfig, ',') FROM pg_proc \
         WHERE prosecdef AND pronamespace = $1::regnamespace ORDER BY proname",
    )
    .bind(&schema)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(configs.len(), 2);
    for c in configs {
        assert_eq!(c, format!("search_path={schema}, pg_temp"));
    }

    {
        let mut tx = as_app(&mut conn, a).await;
        for table in TABLES {
            // No WHERE clause: the policies alone decide what A sees.
            let (all, others): (i64, i64) = sqlx::query_as(&format!(
                "SELECT count(*), count(*) FILTER (WHERE user_id <> $1) FROM {table}"
            ))
            .bind(*a.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            assert!(all > 0, "{table}: A sees its own rows");
            assert_eq!(others, 0, "{table}: A sees none of B's rows");
        }
        // The owner-run search function sees only A's tasks too.
        let found: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT search_task_ids('%')")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        // Writes to B's rows touch nothing; rows for B cannot be inserted.

        for table in &TABLES[..6] {
            let done = sqlx::query(&format!(
                "UPDATE {table} SET data = data WHERE user_id = $1"
            ))
            .bind(*b.as_uuid())
            .execute(&mut *tx)
            .await
            .unwrap();
            assert_eq!(done.rows_affected(), 0, "{table}");
            let done = sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(*b.as_uuid())
                .execute(&mut *tx)
                .await
                .unwrap();
            assert_eq!(done.rows_affected(), 0, "{table}");
        }
        tx.rollback().await.unwrap();
    }
    {
        let mut tx = as_app(&mut conn, a).await;
        let err = sqlx::query("INSERT INTO profiles (user_id, version, data) VALUES ($1, 1, '{}')")
            .bind(*b.as_uuid())
            .execute(&mut *tx)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("row-level security"), "{err}");
    }
    // The log: UPDATE and DELETE fail for the application role, even on its own events.
    for sql in [
        "UPDATE events SET event_type = 'task.forged'",
        "DELETE FROM events",
        "TRUNCATE events",
    ] {
        let mut tx = as_app(&mut conn, a).await;
        let err = sqlx::query(sql).execute(&mut *tx).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
    // Erasing another user through the SECURITY DEFINER function is refused.
    {
        let mut tx = as_app(&mut conn, a).await;
        let err = sqlx::query("SELECT erase_user_events($1)")
            .bind(*b.as_uuid())
            .execute(&mut *tx)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("only the current user"), "{err}");
    }
    // Without a user setting the application role sees nothing at all.
    {
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("SET LOCAL ROLE lifeos_app")
            .execute(&mut *tx)
            .await
            .unwrap();
        for table in TABLES {
            let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            assert_eq!(n, 0, "{table}");
        }
    }
    // Even the owner (a superuser here) meets the trigger.
    for sql in [
        "UPDATE events SET event_type = 'task.forged'",
        "DELETE FROM events",
    ] {
        let err = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // Erasure goes through the function and keeps B's rows.
    let before = store
        .read_all_events(b, &lifeos_store::EventQuery::new())
        .await
        .unwrap();
    let erased = store.erase_user(a).await.unwrap();
    assert!(erased.counts["events"] > 0);
    let after = store
        .read_all_events(b, &lifeos_store::EventQuery::new())
        .await
        .unwrap();
    assert_eq!(before, after);
    conn.close().await.unwrap();
}

/// `subscribe` goes through LISTEN/NOTIFY: a store sees another store's (another
/// process's) commits on the same schema, only its user's, in `seq` order, read through
/// RLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_see_other_stores_commits() {
    let url = pg_support::database_url().await;
    let schema = pg_support::schema();
    let config = PostgresConfig::new(url).schema(schema);
    let reader = PostgresStore::connect(config.clone(), options(1))
        .await
        .unwrap();
    let writer = PostgresStore::connect(config, options(2)).await.unwrap();
    let (u, v) = (user(1), user(2));
    let mut stream = reader.subscribe(u);
    let t = writer.create_task(u, NewTask::titled("a")).await.unwrap();
    writer.create_task(v, NewTask::titled("b")).await.unwrap();
    writer.complete_task(u, t.id).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..2 {
        let e = tokio::time::timeout(std::time::Duration::from_secs(10), stream.recv())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.push(e);
    }
    let log = writer.read_all_events(u, &EventQuery::new()).await.unwrap();
    assert_eq!(got, log);
    drop(reader);
    // Dropping the store ends its streams.
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(10), stream.recv())
            .await
            .unwrap()
            .is_none()
    );
}

/// One script on both backends with the same clock and seed: every answer is identical.
/// (Title search goes through the trigram index and RLS here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_equal_the_memory_backend() {
    let memory = MemoryStore::new(options(42));
    let url = pg_support::database_url().await;
    let postgres = PostgresStore::connect(
        PostgresConfig::new(url).schema(pg_support::schema()),
        options(42),
    )
    .await
    .unwrap();
    assert_eq!(script(&memory).await, script(&postgres).await);
}

async fn script<S: Store>(store: &S) -> Vec<String> {
    let (u, v) = (user(1), user(2));
    let titles = [
        "Alpha",
        "alphabet soup",
        "ΑΛΦΑ",
        "Straße",
        "50% off",
        "under_score",
        "Ǆ",
        "plain",
    ];
    let mut ids = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        let new = NewTask {
            labels: vec![format!("l{}", i % 3)],
            due_date: Some(t0() + Duration::hours(i as i64 * 5)),
            priority: (i % 4) as i64,
            ..NewTask::titled(*title)
        };
        ids.push(store.create_task(u, new).await.unwrap().id);
        store
            .create_task(v, NewTask::titled(format!("v {title}")))
            .await
            .unwrap();
    }
    store.complete_task(u, ids[1]).await.unwrap();
    store.delete_task(u, ids[2]).await.unwrap();
    store
        .update_task(
            u,
            ids[3],
            1,
            TaskPatch {
                title: Some("STRASSE".into()),
                ..TaskPatch::default()
            },
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    for q in ["alpha", "ΑΛΦΑ", "strasse", "%", "_", "ǆ", "", "x"] {
        let page = store.search_tasks(u, q, None, 100).await.unwrap();
        out.push(format!("{q}: {:?}", page.items));
    }
    for q in [
        TaskQuery::new().limit(3),
        TaskQuery::actionable(),
        TaskQuery::new().label("l1").include_deleted(true),
        TaskQuery::new().due(lifeos_store::TimeRange::new(
            t0() + Duration::hours(6),
            t0() + Duration::hours(26),
        )),
    ] {
        let page = store.list_tasks(u, &q).await.unwrap();
        out.push(format!(
            "{:?} {:?}",
            page.items,
            page.next.map(|c| c.to_string())
        ));
    }
    out.push(format!(
        "{:?}",
        store.read_all_events(u, &EventQuery::new()).await.unwrap()
    ));
    out.push(
        store
            .export_user(u)
            .await
            .unwrap()
            .to_json()
            .unwrap()
            .to_string(),
    );
    out
}
