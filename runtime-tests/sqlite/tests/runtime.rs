//! The run-time API on an in-memory SQLite database (no server needed). The pool has a
//! single connection, so every task of a test shares one in-memory database.
//!
//! The scenario itself is `runtime-tests/scenario.rs`, shared by the three packages; the build
//! script (`runtime-tests/build.rs`) writes it in this package's dialect into `OUT_DIR`.
//!
//! `parity` runs the engine corpus (`tenant-query-core/tests/cases`) in this dialect through
//! `tenant_query!` and through the run-time API: the same verdict, the same SQL, the same
//! arguments in the same order, the same diagnostics. It needs no database. One test binary
//! holds both, to keep the link steps few.

type Db = sqlx::Sqlite;

mod parity {
    use super::Db;

    include!("../../parity.rs");
}

mod scenario {
    use super::Db;

    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    type Pool = sqlx::SqlitePool;

    const SCHEMA: &str = "
        CREATE TABLE customers (id INTEGER NOT NULL, tenant_id BIGINT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
        CREATE TABLE orders (
            id INTEGER NOT NULL,
            tenant_id BIGINT NOT NULL,
            customer_id BIGINT,
            total BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, id)
        );
        CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT NOT NULL);
    ";

    struct Scratch {
        pool: Pool,
    }

    async fn setup() -> Option<Scratch> {
        let options: SqliteConnectOptions = "sqlite::memory:".parse().expect("a valid URL");
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            // The in-memory database lives as long as its only connection: keep it.
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .expect("open an in-memory SQLite database");
        Some(Scratch { pool })
    }

    async fn teardown(db: Scratch) {
        db.pool.close().await;
    }

    include!(concat!(env!("OUT_DIR"), "/scenario.rs"));
}
