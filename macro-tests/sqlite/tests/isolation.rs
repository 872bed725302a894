//! The tenant-query macros on an in-memory SQLite database (no server needed). The pool has a
//! single connection, so every task of a test shares one in-memory database.
//!
//! The scenario itself is `macro-tests/body.rs`, shared by the three packages; the build
//! script (`macro-tests/build.rs`) writes it in this package's dialect into `OUT_DIR`.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

type Pool = sqlx::SqlitePool;

const SCHEMA: &str = "
    CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE customers (id INTEGER NOT NULL, tenant_id BIGINT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
    CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        tenant_id BIGINT NOT NULL,
        customer_id BIGINT,
        total BIGINT NOT NULL
    );
";

struct Db {
    pool: Pool,
}

async fn setup() -> Option<Db> {
    let options: SqliteConnectOptions = "sqlite::memory:".parse().expect("a valid URL");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        // The in-memory database lives as long as its only connection: keep it.
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
        .expect("open an in-memory SQLite database");
    Some(Db { pool })
}

async fn teardown(db: Db) {
    db.pool.close().await;
}

include!(concat!(env!("OUT_DIR"), "/body.rs"));
