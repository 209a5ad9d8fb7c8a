//! Where and how a PostgreSQL store connects, and preparing its server: roles,
//! pg_trgm, the schema and its migrations.

use std::future::Future;
use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};

use super::{APP_ROLE, RELAY_ROLE};
use crate::error::{Error, Result};
use crate::sql::db;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Creates the roles if missing (idempotent, safe when several processes race), makes the
/// connecting owner a member of `lifeos_app` (so it may `SET ROLE`), and creates pg_trgm.
const ROLES_SQL: &str = "DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeos_app') THEN
        CREATE ROLE lifeos_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeos_relay') THEN
        CREATE ROLE lifeos_relay LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$ BEGIN
    IF NOT pg_has_role(current_user, 'lifeos_app', 'MEMBER') THEN
        EXECUTE format('GRANT lifeos_app TO %I', current_user);
    END IF;
END $$;
DO $$ BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;";

/// Where and how a [`super::PostgresStore`] connects. Built with [`PostgresConfig::new`].
///
/// Defaults: schema `public`, at most 8 connections.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostgresConfig {
    /// The connection URL (`postgres://owner@host:5432/db`): the schema owner's role.
    pub url: String,
    /// The schema the tables live in (created if missing): lowercase ASCII letters,
    /// digits and `_`, starting with a letter or `_`, at most 48 characters.
    pub schema: String,
    /// The pool size (one more connection listens for notifications).
    pub max_connections: u32,
}

impl PostgresConfig {
    /// `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        PostgresConfig {
            url: url.into(),
            schema: "public".into(),
            max_connections: 8,
        }
    }

    /// Keeps the tables in `schema`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// At most `n` pooled connections (at least 1).
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// The connect options, with `search_path` set to the schema.
    pub(crate) fn connect_options(&self) -> Result<PgConnectOptions> {
        check_schema(&self.schema)?;
        let options = PgConnectOptions::from_str(&self.url)
            .map_err(|e| Error::backend("parsing the database URL", e))?;
        Ok(options.options([("search_path", self.schema.as_str())]))
    }
}

impl From<&str> for PostgresConfig {
    fn from(url: &str) -> Self {
        PostgresConfig::new(url)
    }
}

impl From<String> for PostgresConfig {
    fn from(url: String) -> Self {
        PostgresConfig::new(url)
    }
}

pub(crate) fn check_schema(schema: &str) -> Result<()> {
    let ok = !schema.is_empty()
        && schema.len() <= 48
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !schema.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "schema",
            schema,
            "lowercase ASCII letters, digits and _, not starting with a digit, at most 48",
        ))
    }
}

/// Connects to `config.url` as the schema owner and creates the roles, the extension, the
/// schema and its tables (idempotent).
///
/// Boxed so that callers' futures are provably `Send` (sqlx executors on `&mut` borrows
/// otherwise trip the compiler's higher-ranked lifetime check).
pub(crate) fn prepare(
    config: &PostgresConfig,
) -> std::pin::Pin<Box<dyn Future<Output = Result<PgPool>> + Send + '_>> {
    Box::pin(prepare_inner(config))
}

async fn prepare_inner(config: &PostgresConfig) -> Result<PgPool> {
    let connect = config.connect_options()?;
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .connect_with(connect)
        .await
        .map_err(db("connecting to the database"))?;
    // Processes connecting to a new database at once take turns, on a session lock of a
    // connection of its own: without it, each saw no schema and all but one failed
    // creating it (a unique key of the catalog).
    let mut lock = PgConnection::connect_with(&config.connect_options()?)
        .await
        .map_err(db("connecting to the database"))?;
    advisory(
        &mut lock,
        "SELECT pg_advisory_lock($1, 0)",
        "locking the database",
    )
    .await?;
    let setup = set_up(&pool, config).await;
    // Closing the connection releases the lock too; unlock first to say so.
    let unlock = advisory(
        &mut lock,
        "SELECT pg_advisory_unlock($1, 0)",
        "unlocking it",
    )
    .await;
    let _ = lock.close().await;
    setup?;
    unlock?;
    Ok(pool)
}

/// The advisory-lock namespace that serialises setting a database up.
const SETUP_LOCK_NAMESPACE: i32 = 0x4c69_6666;

type Boxed<'a, T> = std::pin::Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// Takes or releases the setup lock (boxed, as `prepare` is, for a provably `Send` future).
fn advisory<'a>(
    conn: &'a mut PgConnection,
    sql: &'static str,
    context: &'static str,
) -> Boxed<'a, ()> {
    Box::pin(async move {
        sqlx::query(sql)
            .bind(SETUP_LOCK_NAMESPACE)
            .execute(conn)
            .await
            .map_err(db(context))?;
        Ok(())
    })
}

/// Creates the roles, the extension, the schema and its tables (under the setup lock).
async fn set_up(pool: &PgPool, config: &PostgresConfig) -> Result<()> {
    sqlx::raw_sql(ROLES_SQL)
        .execute(pool)
        .await
        .map_err(db("creating the roles"))?;
    let unsafe_role: Option<String> = sqlx::query_scalar(
        "SELECT rolname::text FROM pg_roles WHERE rolname IN ($1, $2) \
         AND (rolsuper OR rolbypassrls) LIMIT 1",
    )
    .bind(APP_ROLE)
    .bind(RELAY_ROLE)
    .fetch_optional(pool)
    .await
    .map_err(db("checking the roles"))?;
    if let Some(role) = unsafe_role {
        return Err(Error::invalid(
            "role",
            role,
            "a role that is neither a superuser nor BYPASSRLS (RLS would not apply)",
        ));
    }
    // The schema name was checked to be a plain identifier.
    sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS {}", config.schema))
        .execute(pool)
        .await
        .map_err(db("creating the schema"))?;
    MIGRATOR
        .run(pool)
        .await
        .map_err(|e| Error::backend("migrating the database", e))
}
