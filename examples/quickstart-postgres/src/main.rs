//! The tenant-query quick start on PostgreSQL:
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run -p tenant-query-quickstart-postgres`
//! (or `cargo run --example quickstart` with the same `DATABASE_URL`).
//!
//! The demo is the one of `tenant-query/examples/quickstart.rs`, compiled against this
//! package's `tenant-schema.toml`, which says `dialect = "postgres"`. It works in a schema of
//! its own and drops it at the end, so it leaves the database as it found it.

use sqlx::{AssertSqlSafe, Connection};

type Conn = sqlx::PgConnection;

include!("../../../tenant-query/examples/shared/demo.rs");

// Creating and dropping the demo's schema is DDL, which the macros do not take: direct calls,
// allowed here although this crate bans them (clippy.toml).
#[allow(clippy::disallowed_methods)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").map_err(|_| {
        "set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
    })?;
    println!("tenant-query quick start on PostgreSQL ({url})");
    let mut conn = sqlx::PgConnection::connect(&url).await?;
    let schema = format!("tq_quickstart_{}", std::process::id());
    sqlx::raw_sql(AssertSqlSafe(format!(
        "CREATE SCHEMA {schema}; SET search_path TO {schema}"
    )))
    .execute(&mut conn)
    .await?;
    let outcome = demo(&mut conn).await;
    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&mut conn)
        .await?;
    outcome?;
    Ok(())
}
