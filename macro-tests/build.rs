//! The build script of the three macro-test packages (each `Cargo.toml` says
//! `build = "../build.rs"`).
//!
//! It writes the shared scenario, `macro-tests/body.rs`, into `OUT_DIR/body.rs` in the
//! package's dialect, and `tests/isolation.rs` includes it. The scenario is written once with
//! PostgreSQL placeholders (`$1`, `$2`, …); MySQL and SQLite get positional `?`, and the
//! `UPSERT_CUSTOMER` marker becomes the dialect's upsert. The SQL stays a string literal, as
//! the macros require, and the copy can never be stale: cargo reruns this script whenever
//! the scenario changes.
//!
//! For SQLite it also points sqlx's compile-time checks (the `*_checked!` macros in
//! `tests/checked.rs`) at `schema.db`, a SQLite database holding `schema.sql`, whatever
//! `DATABASE_URL` the environment has: the checked macros must be verified against SQLite.

use std::path::PathBuf;

fn main() {
    let package = std::env::var("CARGO_PKG_NAME").expect("cargo sets CARGO_PKG_NAME");
    let dialect = package
        .strip_prefix("tenant-query-macro-tests-")
        .expect("a macro-test package is named tenant-query-macro-tests-<dialect>");
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let source = dir.join("../body.rs");
    let body = std::fs::read_to_string(&source)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", source.display()));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("body.rs"), for_dialect(&body, dialect))
        .expect("cannot write OUT_DIR/body.rs");
    println!("cargo:rerun-if-changed=../body.rs");
    println!("cargo:rerun-if-changed=../build.rs");
    if dialect == "sqlite" {
        println!(
            "cargo:rustc-env=DATABASE_URL=sqlite://{}/schema.db?mode=ro",
            dir.display()
        );
        println!("cargo:rustc-env=SQLX_OFFLINE=false");
        println!("cargo:rerun-if-changed=schema.db");
    }
}

/// The scenario in `dialect`: its placeholders and its upsert.
fn for_dialect(body: &str, dialect: &str) -> String {
    let upsert = match dialect {
        "postgres" => "INSERT INTO customers (id, name) VALUES ($1, $2) ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        "sqlite" => "INSERT INTO customers (id, name) VALUES (?, ?) ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        "mysql" => "INSERT INTO customers (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)",
        other => panic!("no upsert for the dialect `{other}`"),
    };
    let body = if dialect == "postgres" {
        body.to_owned()
    } else {
        positional(body)
    };
    body.replace("UPSERT_CUSTOMER", &format!("{upsert:?}"))
}

/// Replaces every `$` followed by digits with `?`.
fn positional(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}
