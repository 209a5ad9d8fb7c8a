//! The conformance suite on PostgreSQL (each store in its own schema of this binary's
//! database), and the RLS and append-only tests by raw SQL through the application role.
//! Needs `LIFEOS_TEST_DATABASE_URL` (skips without it; fails without it when `CI=true`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod conformance;
mod pg_support;

use lifeos_store::{PostgresConfig, PostgresStore, StoreOptions};

fn make(
    options: StoreOptions,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = PostgresStore> + Send>> {
    Box::pin(async move {
        let url = pg_support::database_url().await;
        let config = PostgresConfig::new(url)
            .schema(pg_support::schema())
            .max_connections(4);
        PostgresStore::connect(config, options).await.unwrap()
    })
}

conformance_suite!(make);

mod postgres_only;
