//! The service over real HTTP on a loopback port, as two tenants whose rows have the same ids,
//! on PostgreSQL: `TQ_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/test`, in a
//! schema of its own per test, dropped at the end. Under `CI=true` an unreachable server fails
//! the tests; otherwise they skip loudly.

use saas_example_postgres as saas;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tenant_query_tests::support;

/// A schema of its own on the test server.
struct TestDatabase {
    url: String,
    admin: String,
    schema: String,
}

impl TestDatabase {
    async fn new() -> Option<Self> {
        let admin = support::postgres_url();
        let mut conn = match PgConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(error) => {
                support::unreachable("PostgreSQL", &admin, &error);
                return None;
            }
        };
        let schema = support::unique_name("saas_e2e");
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut conn)
            .await
            .expect("create the test schema");
        let separator = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{separator}options=-c%20search_path%3D{schema}");
        Some(TestDatabase { url, admin, schema })
    }

    async fn drop(self) {
        let mut conn = PgConnection::connect(&self.admin)
            .await
            .expect("reconnect to drop the schema");
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP SCHEMA {} CASCADE",
            self.schema
        )))
        .execute(&mut conn)
        .await
        .expect("drop the test schema");
    }
}

include!("../../saas/tests/shared/scenarios.rs");
