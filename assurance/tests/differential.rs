//! The differential oracle on generated statements, on real databases.
//!
//! For every generated statement and every tenant *T* of the fixture (three tenants with
//! overlapping ids and planted cross-tenant links, and one without rows): the rewritten
//! statement runs on the full data and the original on the copy that holds only *T*'s rows.
//! Queries must return the same multiset of rows. Data-changing statements run in a
//! transaction that is rolled back; their result (rows or affected count) must match, *T*'s
//! rows of every scoped table afterwards must equal the copy's, global tables must equal the
//! copy's, and every other tenant's rows must be unchanged. A statement that fails on both
//! sides agrees; one that fails on one side only is a finding. Every accepted rewrite must
//! also pass the structural checker.
//!
//! The fixture, connections and copies are the `tenant-query-tests` harness's. Outside CI an
//! unreachable database skips the test loudly; under `CI=true` it fails.
//!
//! `TQ_ASSURANCE_CASES` sets the number of statements per database (default 120).

mod common;

use std::cell::RefCell;

use proptest::prelude::*;
use tenant_query_assurance::generate::{statements, GenConfig, StmtKind};
use tenant_query_core::Dialect;
use tenant_query_tests::db::Env;
use tenant_query_tests::oracle::{Baseline, Report};

use common::{cases, compare, fixture_schema, runner};

fn differential(dialect: Dialect) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let env = rt
        .block_on(Env::new(dialect))
        .unwrap_or_else(|e| panic!("{dialect}: cannot set up the fixture: {e}"));
    let Some(mut env) = env else {
        return;
    };
    let baseline = rt
        .block_on(Baseline::take(&mut env))
        .unwrap_or_else(|e| panic!("{dialect}: {e}"));
    let schema = fixture_schema(&env.tables);
    let env = RefCell::new(env);
    let tally = RefCell::new(Report::default());
    let dml = RefCell::new(0_usize);
    let mut runner = runner(cases(), &format!("differential {dialect}"));
    let result = runner.run(&statements(schema, GenConfig::new(dialect)), |stmt| {
        let mut env = env.borrow_mut();
        let mut tally = tally.borrow_mut();
        let refused = tally.rejected.len();
        let result = rt.block_on(compare(&mut env, &baseline, &stmt, &mut tally, true));
        // The accepted data-changing statements.
        *dml.borrow_mut() +=
            usize::from(stmt.kind == StmtKind::Dml && tally.rejected.len() == refused);
        result.map_err(|e| TestCaseError::fail(format!("{e}\n   statement: {stmt:?}")))
    });
    let teardown = rt.block_on(env.into_inner().teardown());
    let t = tally.into_inner();
    println!(
        "{dialect}: {} generated statements ({} DML), {} refused, {} tenant runs, {} failed on both sides, {} non-vacuous, {} would notice a missing filter",
        t.cases,
        dml.into_inner(),
        t.rejected.len(),
        t.runs,
        t.both_failed,
        t.non_vacuous,
        t.scope_sensitive
    );
    if let Err(e) = result {
        panic!("{dialect}: {e}");
    }
    teardown.unwrap_or_else(|e| panic!("{dialect}: cleaning up: {e}"));
    let ran = t.cases - t.rejected.len();
    assert!(
        ran * 2 > t.cases,
        "{dialect}: most statements must be accepted: {t:?}"
    );
    assert!(
        t.non_vacuous * 2 > ran,
        "{dialect}: most statements must see data: {t:?}"
    );
}

#[test]
fn postgres() {
    differential(Dialect::Postgres);
}

#[test]
fn sqlite() {
    differential(Dialect::Sqlite);
}

#[test]
fn mariadb() {
    differential(Dialect::MySql);
}
