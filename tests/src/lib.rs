//! Shared helpers for the integration tests: the fixture, connections to PostgreSQL, MariaDB
//! and SQLite, and the oracle that checks the engine's rewrites by running them.
//!
//! The oracle's contract is the engine's: running the rewritten statement for tenant *T* on
//! the whole database behaves exactly like running the original on a database where every
//! scoped table holds only *T*'s rows (global tables complete).

pub mod cases;
pub mod db;
pub mod fixture;
pub mod oracle;
pub mod support;

use tenant_query_core::Dialect;

use crate::db::Env;
use crate::oracle::{run_cases, Case};

/// Builds the environment for `dialect`, runs `cases` against the oracle, drops the
/// environment and asserts the report. Returns early (skips) when the database is
/// unreachable outside CI; under `CI=true` that panics instead.
pub async fn check(dialect: Dialect, what: &str, cases: Vec<Case>) {
    let env = Env::new(dialect)
        .await
        .unwrap_or_else(|e| panic!("{what}: cannot set up the {dialect} fixture: {e}"));
    let Some(mut env) = env else {
        return;
    };
    let report = run_cases(&mut env, &cases).await;
    let teardown = env.teardown().await;
    let report = report.unwrap_or_else(|e| panic!("{what}: {e}"));
    report.assert_ok(what);
    teardown.unwrap_or_else(|e| panic!("{what}: cleaning up: {e}"));
}

/// Runs `cases` over every tenant set of [`oracle::sets::SETS`] on `dialect` and asserts the
/// report, like [`check`] does for single tenants.
pub async fn check_sets(dialect: Dialect, what: &str, cases: Vec<Case>) {
    let env = Env::new(dialect)
        .await
        .unwrap_or_else(|e| panic!("{what}: cannot set up the {dialect} fixture: {e}"));
    let Some(mut env) = env else {
        return;
    };
    let report = oracle::sets::run_set_cases(&mut env, &cases).await;
    let teardown = env.teardown().await;
    let report = report.unwrap_or_else(|e| panic!("{what}: {e}"));
    report.assert_ok(what);
    teardown.unwrap_or_else(|e| panic!("{what}: cleaning up: {e}"));
}
