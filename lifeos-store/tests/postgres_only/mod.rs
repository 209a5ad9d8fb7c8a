//! Tests only PostgreSQL needs: Row Level Security and the append-only log, by raw SQL
//! through the application role.

use chrono::Duration;
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_core::{NewProfile, NewProject, NewTask, SubscriptionStatus, Tier, UserId};
use lifeos_store::prelude::*;
use lifeos_store::{
    CalendarEventInput, EventQuery, MemoryStore, OAuthSecret, PostgresConfig, PostgresStore, Store,
    SubscriptionInput,
};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::conformance::{options, t0, user};
use crate::pg_support;

mod first_connect;

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

pub async fn rls_hides_other_users_rows_and_the_log_is_append_only() {
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
pub async fn subscribers_see_other_stores_commits() {
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
pub async fn answers_equal_the_memory_backend() {
    let memory = MemoryStore::new(options(42));
    let url = pg_support::database_url().await;
    let postgres = PostgresStore::connect(
        PostgresConfig::new(url).schema(pg_support::schema()),
        options(42),
    )
    .await
    .unwrap();
    assert_eq!(
        crate::differential::script(&memory).await,
        crate::differential::script(&postgres).await
    );
}

/// These tests as trials for the binary's harness.
pub fn trials() -> crate::conformance::Trials {
    use crate::conformance::block_on;
    vec![
        (
            "postgres_only::ten_simultaneous_first_connects_all_succeed",
            Box::new(first_connect::ten_simultaneous_first_connects_all_succeed),
        ),
        (
            "postgres_only::rls_hides_other_users_rows_and_the_log_is_append_only",
            Box::new(|| block_on(rls_hides_other_users_rows_and_the_log_is_append_only())),
        ),
        (
            "postgres_only::subscribers_see_other_stores_commits",
            Box::new(|| block_on(subscribers_see_other_stores_commits())),
        ),
        (
            "postgres_only::answers_equal_the_memory_backend",
            Box::new(|| block_on(answers_equal_the_memory_backend())),
        ),
        (
            "postgres_only::listener_reconnect_lags_subscribers",
            Box::new(|| block_on(listener_reconnect_lags_subscribers())),
        ),
    ]
}

/// A subscriber whose store's LISTEN connection dropped and reconnected gets
/// `Error::Lagged` naming the last `seq` it saw, instead of silently missing the events
/// committed meanwhile; the stream then goes on.
pub async fn listener_reconnect_lags_subscribers() {
    let url = pg_support::database_url().await;
    let schema = pg_support::schema();
    let store = PostgresStore::connect(
        PostgresConfig::new(url.clone()).schema(schema.clone()),
        options(5),
    )
    .await
    .unwrap();
    let u = user(1);
    let mut stream = store.subscribe(u);
    store.create_task(u, NewTask::titled("seen")).await.unwrap();
    let seen = tokio::time::timeout(std::time::Duration::from_secs(10), stream.recv())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // End the listener's connection from outside, as a network failure would.
    let mut admin = PgConnection::connect(&url).await.unwrap();
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND query ILIKE 'LISTEN %' AND query LIKE '%' || $1 || '.events%'",
    )
    .bind(&schema)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(ended, [true], "one listener connection ended");
    let err = loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), stream.recv())
            .await
            .unwrap()
            .unwrap()
        {
            Err(e) => break e,
            // An event committed just before the connection ended may still arrive.
            Ok(e) => assert!(e.seq > seen.seq),
        }
    };
    match err {
        lifeos_store::Error::Lagged { last_seq, .. } => assert_eq!(last_seq, Some(seen.seq)),
        other => panic!("{other:?}"),
    }
    // The stream goes on once the listener has reconnected.
    let later = store
        .create_task(u, NewTask::titled("later"))
        .await
        .unwrap();
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            if let Ok(e) = stream.recv().await.unwrap()
                && e.event.entity_id() == *later.id.as_uuid()
            {
                return e;
            }
        }
    })
    .await
    .unwrap();
    assert!(next.seq > seen.seq);
}
