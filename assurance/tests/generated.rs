//! Generated statements through the engine, without a database: every statement is either
//! rewritten into SQL that parses again and passes the structural checker, or refused with a
//! diagnostic. Never a panic, never an internal error.
//!
//! `TQ_ASSURANCE_CASES` sets the number of statements per dialect (default 300).

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use proptest::prelude::*;
use tenant_query_assurance::check::{check_rewritten, parse_one};
use tenant_query_assurance::generate::{statements, GenConfig};
use tenant_query_assurance::schema::Schema;
use tenant_query_core::{rewrite, DiagnosticKind, Dialect};

fn cases() -> u32 {
    std::env::var("TQ_ASSURANCE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

fn run(dialect: Dialect) {
    let schema = Schema::example();
    let manifest = schema.manifest(dialect);
    let accepted = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    let reasons: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());
    let mut runner = common::runner(cases(), &format!("generated {dialect}"));
    let result = runner.run(&statements(schema, GenConfig::new(dialect)), |stmt| {
        match rewrite(&manifest, &stmt.sql) {
            Ok(out) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = parse_one(dialect, &out.sql) {
                    return Err(TestCaseError::fail(format!(
                        "the rewrite does not parse again: {e}\n{}",
                        out.sql
                    )));
                }
                let report = check_rewritten(&manifest, &stmt.sql, &out)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(
                    report.is_ok(),
                    "unsafe rewrite\ninput:  {}\noutput: {}\nslots:  {:?}\n{:#?}",
                    stmt.sql,
                    out.sql,
                    out.bind_plan.slots,
                    report.violations
                );
                prop_assert_eq!(out.bind_plan.user_args, stmt.args.len(), "{}", stmt.sql);
            }
            Err(d) => {
                refused.fetch_add(1, Ordering::Relaxed);
                let reason: String = d.message.chars().take(70).collect();
                *reasons.lock().unwrap().entry(reason).or_default() += 1;
                prop_assert!(
                    d.kind != DiagnosticKind::Internal,
                    "internal error for {}: {d}",
                    stmt.sql
                );
            }
        }
        Ok(())
    });
    let (a, r) = (accepted.into_inner(), refused.into_inner());
    println!("{dialect}: {a} statements rewritten and checked, {r} refused");
    for (reason, n) in reasons.into_inner().unwrap() {
        println!("  refused {n}x: {reason}");
    }
    if let Err(e) = result {
        panic!("{dialect}: {e}");
    }
    assert!(
        a * 2 > a + r,
        "{dialect}: most generated statements must be accepted ({a} of {})",
        a + r
    );
}

#[test]
fn postgres() {
    run(Dialect::Postgres);
}

#[test]
fn mysql() {
    run(Dialect::MySql);
}

#[test]
fn sqlite() {
    run(Dialect::Sqlite);
}
