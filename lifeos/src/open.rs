//! Opening a store from a location string, as the server and the Python bindings take it.

use std::sync::Arc;

use lifeos_store::{MemoryStore, Store, StoreOptions};

use crate::error::{Error, Result};

/// Opens the store at `location`:
/// - `postgres://…` or `postgresql://…`: PostgreSQL (feature `postgres`);
/// - `sqlite://PATH`, `sqlite:PATH` or a plain file path: a SQLite file, created and
///   migrated if new (feature `sqlite`); `sqlite::memory:` or `:memory:` a private
///   in-memory database;
/// - `memory:`: the in-memory reference store (nothing persists).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let store = lifeos::open("memory:", lifeos::store::StoreOptions::new()).await?;
/// let app = lifeos::LifeOs::new(store);
/// # let _ = app;
/// # Ok::<(), lifeos::Error>(())
/// # })?;
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`Error::Invalid`] on field `location` for an empty location or a backend this build
/// lacks; [`Error::Storage`] when the database cannot be opened or migrated.
pub async fn open(location: &str, options: StoreOptions) -> Result<Arc<dyn Store>> {
    let location = location.trim();
    if location.is_empty() {
        return Err(invalid(
            location,
            "a file path or a sqlite://, postgres:// or memory: URL",
        ));
    }
    if location == "memory:" {
        return Ok(Arc::new(MemoryStore::new(options)));
    }
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        return open_postgres(location, options).await;
    }
    let path = location
        .strip_prefix("sqlite://")
        .or_else(|| location.strip_prefix("sqlite:"))
        .unwrap_or(location);
    open_sqlite(path, options).await
}

fn invalid(location: &str, expected: &str) -> Error {
    Error::from(lifeos_core::Error::invalid("location", location, expected))
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str, options: StoreOptions) -> Result<Arc<dyn Store>> {
    let store =
        lifeos_store::PostgresStore::connect(lifeos_store::PostgresConfig::new(url), options)
            .await
            .map_err(Error::store("connecting to PostgreSQL"))?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(url: &str, _options: StoreOptions) -> Result<Arc<dyn Store>> {
    Err(invalid(
        url,
        "a location this build supports (enable the `postgres` feature)",
    ))
}

#[cfg(feature = "sqlite")]
async fn open_sqlite(path: &str, options: StoreOptions) -> Result<Arc<dyn Store>> {
    let store = if path == ":memory:" {
        lifeos_store::SqliteStore::open_in_memory(options).await
    } else {
        lifeos_store::SqliteStore::open(path, options).await
    }
    .map_err(Error::store("opening the SQLite database"))?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "sqlite"))]
async fn open_sqlite(path: &str, _options: StoreOptions) -> Result<Arc<dyn Store>> {
    Err(invalid(
        path,
        "a location this build supports (enable the `sqlite` feature)",
    ))
}
