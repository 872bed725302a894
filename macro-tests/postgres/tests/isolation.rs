//! The tenant-query macros on a real PostgreSQL: `TQ_POSTGRES_URL`, by default
//! `postgres://postgres@127.0.0.1:5432/test`. Each test works in a schema of its own, dropped
//! at the end. Under `CI=true` an unreachable server fails the tests; otherwise they skip loudly.
//!
//! The scenario itself is `macro-tests/body.rs`, shared by the three packages; the build
//! script (`macro-tests/build.rs`) writes it in this package's dialect into `OUT_DIR`.

use sqlx::postgres::PgPoolOptions;
use tenant_query_tests::support::PgScratch;

type Pool = sqlx::PgPool;

const SCHEMA: &str = "
    CREATE TABLE tenants (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE customers (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
    CREATE TABLE orders (
        id BIGINT PRIMARY KEY,
        tenant_id BIGINT NOT NULL,
        customer_id BIGINT,
        total BIGINT NOT NULL
    );
";

struct Db {
    pool: Pool,
    scratch: PgScratch,
}

async fn setup() -> Option<Db> {
    let scratch = PgScratch::create("tq_macros").await?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(scratch.connect_options())
        .await
        .expect("connect to the test schema");
    Some(Db { pool, scratch })
}

async fn teardown(db: Db) {
    db.pool.close().await;
    db.scratch.drop().await.expect("drop the test schema");
}

include!(concat!(env!("OUT_DIR"), "/body.rs"));
