//! Compile-fail and compile-pass cases of the tenant-query macros.
//!
//! trybuild compiles the cases in a generated crate under `target/tests/trybuild/`, whose
//! `CARGO_MANIFEST_DIR` is that generated directory (with its own `[workspace]`), so the
//! manifest search finds nothing there. The cases get their manifest through
//! `TENANT_QUERY_MANIFEST`, which this process sets and cargo and rustc inherit. The suites run
//! one after the other in a single test, because each needs a different environment.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p tenant-query-trybuild`,
//! then read every one of them as a user would.

use std::path::Path;

const MANIFEST_VAR: &str = "TENANT_QUERY_MANIFEST";

fn dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn ui() {
    // The main suite: trybuild/tenant-schema.toml (PostgreSQL).
    std::env::set_var(MANIFEST_VAR, dir().join("tenant-schema.toml"));
    {
        let t = trybuild::TestCases::new();
        t.pass("tests/ui/pass/*.rs");
        t.compile_fail("tests/ui/fail/*.rs");
    } // runs here

    // A manifest with a mistake in it.
    std::env::set_var(MANIFEST_VAR, dir().join("tests/ui/manifest/malformed.toml"));
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("tests/ui/manifest/malformed.rs");
    }

    // No manifest at all: the search from the generated crate stops at its own workspace root.
    std::env::remove_var(MANIFEST_VAR);
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("tests/ui/manifest/missing.rs");
    }
}
