//! The tenant-query macros on a real PostgreSQL: `TQ_POSTGRES_URL`, by default
//! `postgres://postgres@127.0.0.1:5432/test`. Each test works in a schema of its own, dropped
//! at the end. Under `CI=true` an unreachable server fails the tests; otherwise they skip loudly.
//!
//! The scenario itself is `macro-tests/body.rs`, shared by the three packages; the build
//! script (`macro-tests/build.rs`) writes it in this package's dialect into `OUT_DIR`.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};
use tenant_query_tests::support;

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
    admin: PgConnectOptions,
    schema: String,
}

async fn setup() -> Option<Db> {
    let url = support::postgres_url();
    let admin: PgConnectOptions = url.parse().expect("TQ_POSTGRES_URL is a valid URL");
    let admin = admin.disable_statement_logging();
    let mut conn = match sqlx::PgConnection::connect_with(&admin).await {
        Ok(conn) => conn,
        Err(e) => {
            support::unreachable("PostgreSQL", &url, &e);
            return None;
        }
    };
    let schema = support::unique_name("tq_macros");
    sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut conn)
        .await
        .expect("create a schema");
    conn.close().await.ok();
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(admin.clone().options([("search_path", schema.as_str())]))
        .await
        .expect("connect to the test schema");
    Some(Db {
        pool,
        admin,
        schema,
    })
}

async fn teardown(db: Db) {
    db.pool.close().await;
    let mut conn = sqlx::PgConnection::connect_with(&db.admin)
        .await
        .expect("reconnect to drop the schema");
    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA {} CASCADE", db.schema)))
        .execute(&mut conn)
        .await
        .expect("drop the test schema");
}

include!(concat!(env!("OUT_DIR"), "/body.rs"));
