//! Tests of the tenant-query run-time API on SQLite live in `tests/`. The build script
//! (`runtime-tests/build.rs`) gives this crate the engine corpus's manifest in the sqlite
//! dialect, and generates the parity tests from the corpus.
