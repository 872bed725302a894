// ---- The parity of the macros and the run-time API over the engine corpus. ----
//
// Not a module of its own: the module `parity` of each package's `tests/runtime.rs` imports
// `Db` and includes this file, which includes the tests that `runtime-tests/build.rs`
// generated from the corpus.

use std::sync::LazyLock;

use sqlx::query::Query;
use sqlx::{Database, Execute};
use tenant_query::runtime::{DynamicQuery, Engine, Error};
use tenant_query::TenantId;

/// The tenant of every scoped case: bound at every tenant placeholder, by both.
const TENANT: TenantId = TenantId::new(7);

type Arguments = <Db as Database>::Arguments;

fn engine() -> &'static Engine<Db> {
    static ENGINE: LazyLock<Engine<Db>> =
        LazyLock::new(|| Engine::new(tenant_query::embedded_manifest!()));
    &ENGINE
}

/// The macro's query and the run-time API's send the same SQL with the same arguments, in the
/// same order (the arguments are compared as sqlx encoded them).
fn assert_same_query(
    by_macro: Query<'_, Db, Arguments>,
    at_run_time: Result<Query<'static, Db, Arguments>, Error>,
) {
    let at_run_time = at_run_time.unwrap_or_else(|e| panic!("not built at run time: {e}"));
    let (macro_sql, macro_arguments) = sent(by_macro);
    let (runtime_sql, runtime_arguments) = sent(at_run_time);
    assert_eq!(runtime_sql, macro_sql);
    assert_eq!(runtime_arguments, macro_arguments, "{macro_sql}");
}

/// The SQL a query sends, and its arguments as sqlx encoded them.
fn sent(mut query: Query<'_, Db, Arguments>) -> (String, String) {
    let arguments = match query.take_arguments() {
        Ok(arguments) => arguments,
        Err(e) => panic!("the arguments do not encode: {e}"),
    };
    (query.sql().as_str().to_owned(), format!("{arguments:?}"))
}

/// The run-time API refuses what the engine refused for the macro, with the same diagnostic.
fn assert_refused(outcome: Result<DynamicQuery<'_, Db, i64>, Error>, code: &str, rendered: &str) {
    match outcome {
        Ok(query) => panic!("accepted at run time: {}", query.sql()),
        Err(e) => {
            let diagnostic = e.diagnostic().unwrap_or_else(|| panic!("not a refusal: {e}"));
            assert_eq!(diagnostic.code(), code);
            assert_eq!(e.to_string(), rendered);
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/parity.rs"));
