//! The engine on arbitrary SQL: the first byte picks the dialect, the rest is the statement.
//!
//! Invariants: `rewrite` and `check_unscoped` never panic; every statement `rewrite` accepts
//! parses again as one statement; the independent structural checker finds nothing wrong with
//! it; `check_unscoped` returns the statement as written or (when it holds comments) as parsed,
//! which parses again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenant_query_assurance::check::{check_rewritten, parse_one};
use tenant_query_core::{check_unscoped, rewrite, Dialect, Manifest};

/// The engine cases' manifest (`tenant-query-core/tests/cases`), shared by the tests that
/// describe that schema.
const MANIFEST: &str = include_str!("../../tenant-query-core/tests/cases/tenant-schema.toml");

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(sql) = std::str::from_utf8(rest) else {
        return;
    };
    let dialect = match first % 3 {
        0 => Dialect::Postgres,
        1 => Dialect::MySql,
        _ => Dialect::Sqlite,
    };
    let manifest = Manifest::from_toml_str(MANIFEST, "tenant-schema.toml")
        .expect("the fuzz manifest is valid")
        .with_dialect(dialect);

    if let Ok(checked) = check_unscoped(&manifest, sql) {
        // Returned as written, or as parsed when it holds comments: then it must parse again.
        if checked.sql != sql {
            if let Err(e) = parse_one(dialect, &checked.sql) {
                panic!(
                    "{dialect}: check_unscoped({sql:?}) returned SQL that does not parse: {e}\n{}",
                    checked.sql
                );
            }
        }
    }
    let Ok(out) = rewrite(&manifest, sql) else {
        return;
    };
    if let Err(e) = parse_one(dialect, &out.sql) {
        panic!(
            "{dialect}: the rewrite of {sql:?} does not parse again: {e}\n{}",
            out.sql
        );
    }
    let report = check_rewritten(&manifest, sql, &out).expect("parsed above");
    assert!(
        report.is_ok(),
        "{dialect}: unsafe rewrite\ninput:  {sql}\noutput: {}\nslots:  {:?}\n{:#?}",
        out.sql,
        out.bind_plan.slots,
        report.violations
    );
});
