//! The conformance suite on PostgreSQL (each store in its own schema of this binary's
//! database), and the RLS and append-only tests by raw SQL through the application role.
//! Needs `LIFEOS_TEST_DATABASE_URL`: without it every test reports itself ignored with the
//! reason (with `CI=true` the binary fails). Runs under libtest-mimic (`harness = false`).
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

mod differential;
mod postgres_only;

fn main() {
    let mut trials = conformance_suite!(trials make);
    trials.extend(postgres_only::trials());
    pg_support::run(trials, &["LIFEOS_TEST_DATABASE_URL"]);
}
