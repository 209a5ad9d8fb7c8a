//! Running statements: the [`Fetch`] half of a dialect, implemented for each backend by
//! `impl_fetch!`, which differs between them only in the sqlx database type and how
//! labels are bound.

use async_trait::async_trait;

use super::{DataRow, EventRow, KeyedRow, Stmt};
use crate::error::Result;

/// Runs the SQL layer's statements on a backend's connection.
#[async_trait]
pub(crate) trait Fetch: Send + Sync {
    /// The connection statements run on.
    type Conn: Send;

    /// Rows of `(key, data)`.
    async fn data_rows(&self, conn: &mut Self::Conn, stmt: Stmt<'_>) -> Result<Vec<DataRow>>;
    /// Rows of `(created_at, id, data)`.
    async fn keyed_rows(&self, conn: &mut Self::Conn, stmt: Stmt<'_>) -> Result<Vec<KeyedRow>>;
    /// Rows of `(seq, envelope)`.
    async fn event_rows(&self, conn: &mut Self::Conn, stmt: Stmt<'_>) -> Result<Vec<EventRow>>;
    /// The first column of the first row, an integer.
    async fn int(&self, conn: &mut Self::Conn, stmt: Stmt<'_>) -> Result<Option<i64>>;
    /// Runs a statement; the number of rows it changed.
    async fn execute(&self, conn: &mut Self::Conn, stmt: Stmt<'_>) -> Result<u64>;
}

/// `impl_fetch!(Store, Database, Connection, |labels| bound value)`.
macro_rules! impl_fetch {
    ($store:ty, $db:ty, $conn:ty, $labels:expr) => {
        /// `args` bound in order to `q`.
        fn bind<'q>(
            mut q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
            args: Vec<$crate::sql::Arg>,
        ) -> $crate::Result<sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>> {
            use $crate::sql::Arg;
            for arg in args {
                q = match arg {
                    Arg::Uuid(v) => q.bind(v),
                    Arg::OptUuid(v) => q.bind(v),
                    Arg::Int(v) => q.bind(v),
                    Arg::OptInt(v) => q.bind(v),
                    Arg::Text(v) => q.bind(v),
                    Arg::OptText(v) => q.bind(v),
                    Arg::Labels(v) => q.bind(($labels)(v)?),
                };
            }
            Ok(q)
        }

        async fn rows(
            conn: &mut $conn,
            stmt: $crate::sql::Stmt<'_>,
        ) -> $crate::Result<Vec<<$db as sqlx::Database>::Row>> {
            bind(sqlx::query(stmt.sql), stmt.args)?
                .fetch_all(&mut *conn)
                .await
                .map_err($crate::sql::db(stmt.context))
        }

        fn col<'r, T>(row: &'r <$db as sqlx::Database>::Row, i: usize) -> $crate::Result<T>
        where
            T: sqlx::Decode<'r, $db> + sqlx::Type<$db>,
        {
            sqlx::Row::try_get(row, i).map_err($crate::sql::db("decoding a column"))
        }

        #[async_trait::async_trait]
        impl $crate::sql::Fetch for $store {
            type Conn = $conn;

            async fn data_rows(
                &self,
                conn: &mut $conn,
                stmt: $crate::sql::Stmt<'_>,
            ) -> $crate::Result<Vec<$crate::sql::DataRow>> {
                let rows = rows(conn, stmt).await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::sql::DataRow {
                            id: col(r, 0)?,
                            data: col(r, 1)?,
                        })
                    })
                    .collect()
            }

            async fn keyed_rows(
                &self,
                conn: &mut $conn,
                stmt: $crate::sql::Stmt<'_>,
            ) -> $crate::Result<Vec<$crate::sql::KeyedRow>> {
                let rows = rows(conn, stmt).await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::sql::KeyedRow {
                            created_at: col(r, 0)?,
                            id: col(r, 1)?,
                            data: col(r, 2)?,
                        })
                    })
                    .collect()
            }

            async fn event_rows(
                &self,
                conn: &mut $conn,
                stmt: $crate::sql::Stmt<'_>,
            ) -> $crate::Result<Vec<$crate::sql::EventRow>> {
                let rows = rows(conn, stmt).await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::sql::EventRow {
                            seq: col(r, 0)?,
                            envelope: col(r, 1)?,
                        })
                    })
                    .collect()
            }

            async fn int(
                &self,
                conn: &mut $conn,
                stmt: $crate::sql::Stmt<'_>,
            ) -> $crate::Result<Option<i64>> {
                let row = bind(sqlx::query(stmt.sql), stmt.args)?
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err($crate::sql::db(stmt.context))?;
                row.as_ref().map(|r| col(r, 0)).transpose()
            }

            async fn execute(
                &self,
                conn: &mut $conn,
                stmt: $crate::sql::Stmt<'_>,
            ) -> $crate::Result<u64> {
                let done = bind(sqlx::query(stmt.sql), stmt.args)?
                    .execute(&mut *conn)
                    .await
                    .map_err($crate::sql::db(stmt.context))?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_fetch;
