//! The tenant-query macros on a real MariaDB or MySQL: `TQ_MYSQL_URL`, by default
//! `mysql://root@127.0.0.1:3306/test`. Each test works in a database of its own, dropped at the
//! end. Under `CI=true` an unreachable server fails the tests; otherwise they skip loudly.
//!
//! The scenario itself is `macro-tests/body.rs`, shared by the three packages; the build
//! script (`macro-tests/build.rs`) writes it in this package's dialect into `OUT_DIR`.

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};
use tenant_query_tests::support;

type Pool = sqlx::MySqlPool;

const SCHEMA: &str = "
    CREATE TABLE tenants (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL);
    CREATE TABLE customers (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, name VARCHAR(100) NOT NULL, PRIMARY KEY (tenant_id, id));
    CREATE TABLE orders (
        id BIGINT PRIMARY KEY,
        tenant_id BIGINT NOT NULL,
        customer_id BIGINT,
        total BIGINT NOT NULL
    );
";

struct Db {
    pool: Pool,
    admin: MySqlConnectOptions,
    database: String,
}

async fn setup() -> Option<Db> {
    let url = support::mysql_url();
    let admin: MySqlConnectOptions = url.parse().expect("TQ_MYSQL_URL is a valid URL");
    let admin = admin.disable_statement_logging();
    let mut conn = match sqlx::MySqlConnection::connect_with(&admin).await {
        Ok(conn) => conn,
        Err(e) => {
            support::unreachable("MariaDB/MySQL", &url, &e);
            return None;
        }
    };
    let database = support::unique_name("tq_macros");
    sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .execute(&mut conn)
        .await
        .expect("create a database");
    conn.close().await.ok();
    let pool = MySqlPoolOptions::new()
        .max_connections(8)
        .connect_with(admin.clone().database(&database))
        .await
        .expect("connect to the test database");
    Some(Db {
        pool,
        admin,
        database,
    })
}

async fn teardown(db: Db) {
    db.pool.close().await;
    let mut conn = sqlx::MySqlConnection::connect_with(&db.admin)
        .await
        .expect("reconnect to drop the database");
    sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE {}", db.database)))
        .execute(&mut conn)
        .await
        .expect("drop the test database");
}

include!(concat!(env!("OUT_DIR"), "/body.rs"));
