//! The run-time API on a real MariaDB or MySQL: `TQ_MYSQL_URL`, by default
//! `mysql://root@127.0.0.1:3306/test`. Each test works in a database of its own, dropped at the
//! end. Under `CI=true` an unreachable server fails the tests; otherwise they skip loudly.
//!
//! The scenario itself is `runtime-tests/scenario.rs`, shared by the three packages; the build
//! script (`runtime-tests/build.rs`) writes it in this package's dialect into `OUT_DIR`.
//!
//! `parity` runs the engine corpus (`tenant-query-core/tests/cases`) in this dialect through
//! `tenant_query!` and through the run-time API: the same verdict, the same SQL, the same
//! arguments in the same order, the same diagnostics. It needs no database. One test binary
//! holds both, to keep the link steps few.

type Db = sqlx::MySql;

mod parity {
    use super::Db;

    include!("../../parity.rs");
}

mod scenario {
    use super::Db;

    use sqlx::mysql::MySqlPoolOptions;
    use tenant_query_tests::support::MySqlScratch;

    type Pool = sqlx::MySqlPool;

    const SCHEMA: &str = "
        CREATE TABLE customers (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, name VARCHAR(100) NOT NULL, PRIMARY KEY (tenant_id, id));
        CREATE TABLE orders (
            id BIGINT NOT NULL,
            tenant_id BIGINT NOT NULL,
            customer_id BIGINT,
            total BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, id)
        );
        CREATE TABLE countries (code VARCHAR(2) PRIMARY KEY, name VARCHAR(100) NOT NULL);
    ";

    struct Scratch {
        pool: Pool,
        scratch: MySqlScratch,
    }

    async fn setup() -> Option<Scratch> {
        let scratch = MySqlScratch::create("tq_runtime").await?;
        let pool = MySqlPoolOptions::new()
            .max_connections(8)
            .connect_with(scratch.connect_options())
            .await
            .expect("connect to the test database");
        Some(Scratch { pool, scratch })
    }

    async fn teardown(db: Scratch) {
        db.pool.close().await;
        db.scratch.drop().await.expect("drop the test database");
    }

    include!(concat!(env!("OUT_DIR"), "/scenario.rs"));
}
