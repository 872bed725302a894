//! The service over real HTTP on a loopback port, as two tenants whose rows have the same ids,
//! on PostgreSQL: `TQ_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/test`, in a
//! schema of its own per test, dropped at the end. Under `CI=true` an unreachable server fails
//! the tests; otherwise they skip loudly.

use saas_example_postgres as saas;
use tenant_query_tests::support::PgScratch;

/// A schema of its own on the test server.
struct TestDatabase {
    url: String,
    scratch: PgScratch,
}

impl TestDatabase {
    async fn new() -> Option<Self> {
        let scratch = PgScratch::create("saas_e2e").await?;
        let url = scratch.url();
        Some(TestDatabase { url, scratch })
    }

    async fn drop(self) {
        self.scratch.drop().await.expect("drop the test schema");
    }
}

include!("../../saas/tests/shared/scenarios.rs");
