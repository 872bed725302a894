//! The run-time API on a real PostgreSQL: `TQ_POSTGRES_URL`, by default
//! `postgres://postgres@127.0.0.1:5432/test`. Each test works in a schema of its own, dropped
//! at the end. Under `CI=true` an unreachable server fails the tests; otherwise they skip loudly.
//!
//! The scenario itself is `runtime-tests/scenario.rs`, shared by the three packages; the build
//! script (`runtime-tests/build.rs`) writes it in this package's dialect into `OUT_DIR`.
//!
//! `parity` runs the engine corpus (`tenant-query-core/tests/cases`) in this dialect through
//! `tenant_query!` and through the run-time API: the same verdict, the same SQL, the same
//! arguments in the same order, the same diagnostics. It needs no database. One test binary
//! holds both, to keep the link steps few.

type Db = sqlx::Postgres;

mod parity {
    use super::Db;

    include!("../../parity.rs");
}

mod scenario {
    use super::Db;

    use sqlx::postgres::PgPoolOptions;
    use tenant_query_tests::support::PgScratch;

    type Pool = sqlx::PgPool;

    const SCHEMA: &str = "
        CREATE TABLE customers (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
        CREATE TABLE orders (
            id BIGINT NOT NULL,
            tenant_id BIGINT NOT NULL,
            customer_id BIGINT,
            total BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, id)
        );
        CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT NOT NULL);
    ";

    struct Scratch {
        pool: Pool,
        scratch: PgScratch,
    }

    async fn setup() -> Option<Scratch> {
        let scratch = PgScratch::create("tq_runtime").await?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(scratch.connect_options())
            .await
            .expect("connect to the test schema");
        Some(Scratch { pool, scratch })
    }

    async fn teardown(db: Scratch) {
        db.pool.close().await;
        db.scratch.drop().await.expect("drop the test schema");
    }

    include!(concat!(env!("OUT_DIR"), "/scenario.rs"));
}
