//! The build script of the three runtime-test packages (each `Cargo.toml` says
//! `build = "../build.rs"`). It writes into `OUT_DIR`, in the package's dialect:
//!
//! - `tenant-schema.toml`: the engine corpus's manifest
//!   (`tenant-query-core/tests/cases/tenant-schema.toml`) in this dialect, which every macro of
//!   the package and `embedded_manifest!()` read (through `TENANT_QUERY_MANIFEST`);
//! - `parity.rs`: one test per case of the engine corpus (`tests/cases/*.toml`) that runs in
//!   this dialect. An accepted case expands `tenant_query!` (or `unscoped_query!`) and builds
//!   the same statement through the run-time API: both must send the same SQL with the same
//!   arguments in the same order. A refused case must be refused at run time with the
//!   diagnostic the engine gave the macro here, drawn the same way;
//! - `scenario.rs`: `runtime-tests/scenario.rs` with the dialect's placeholders.
//!
//! Everything is derived from its source on every change, so nothing can go stale.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tenant_query_core::{check_unscoped, rewrite, Diagnostic, Manifest, RenderStyle};

fn main() {
    let package = env("CARGO_PKG_NAME");
    let dialect = package
        .strip_prefix("tenant-query-runtime-tests-")
        .expect("a runtime-test package is named tenant-query-runtime-tests-<dialect>")
        .to_owned();
    let dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env("OUT_DIR"));
    let cases = dir.join("../../tenant-query-core/tests/cases");

    let manifest_text = in_dialect(&read(&cases.join("tenant-schema.toml")), &dialect);
    let manifest_path = out.join("tenant-schema.toml");
    write(&manifest_path, &manifest_text);
    println!(
        "cargo:rustc-env=TENANT_QUERY_MANIFEST={}",
        manifest_path.display()
    );
    let manifest = Manifest::from_toml_str(&manifest_text, "tenant-schema.toml")
        .unwrap_or_else(|e| panic!("the corpus manifest in {dialect}: {e}"));

    write(&out.join("parity.rs"), &parity(&cases, &dialect, &manifest));
    let scenario = read(&dir.join("../scenario.rs"));
    write(&out.join("scenario.rs"), &placeholders(&scenario, &dialect));

    println!("cargo:rerun-if-changed=../build.rs");
    println!("cargo:rerun-if-changed=../scenario.rs");
    println!("cargo:rerun-if-changed={}", cases.display());
}

/// The corpus manifest with `dialect` in place of its own.
fn in_dialect(manifest: &str, dialect: &str) -> String {
    let line = "dialect = \"postgres\"";
    assert!(
        manifest.lines().any(|l| l == line),
        "the corpus manifest has the line `{line}`"
    );
    manifest.replace(line, &format!("dialect = \"{dialect}\""))
}

/// One case file of the corpus (see `tenant-query-core/tests/cases.rs`).
#[derive(Deserialize)]
struct CaseFile {
    dialects: Vec<String>,
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    sql: String,
    dialects: Option<Vec<String>>,
    entry: Option<String>,
    manifest: Option<String>,
}

/// The parity tests of every corpus case that runs in `dialect` with the shared manifest.
/// A case with a manifest of its own is left out: a crate's macros read one manifest.
fn parity(cases: &Path, dialect: &str, manifest: &Manifest) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", cases.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !p.ends_with("tenant-schema.toml"))
        .collect();
    files.sort();
    let mut out = String::new();
    let (mut accepted, mut refused) = (0, 0);
    for path in &files {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("a name");
        let file: CaseFile =
            toml::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (i, case) in file.cases.iter().enumerate() {
            let dialects = case.dialects.as_ref().unwrap_or(&file.dialects);
            // Tenant sets have no run-time API (yet): their cases are the engine's alone.
            let over_set = case
                .entry
                .as_deref()
                .is_some_and(|e| e.starts_with("rewrite_for_set"));
            if over_set || case.manifest.is_some() || !dialects.iter().any(|d| d == dialect) {
                continue;
            }
            let name = format!("{stem}_{}", i + 1);
            let unscoped = case.entry.as_deref() == Some("check_unscoped");
            let outcome = if unscoped {
                check_unscoped(manifest, &case.sql)
            } else {
                rewrite(manifest, &case.sql)
            };
            match outcome {
                Ok(plan) => {
                    accepted += 1;
                    accepted_test(
                        &mut out,
                        &name,
                        &case.sql,
                        unscoped,
                        plan.bind_plan.user_args,
                    );
                }
                Err(diagnostic) => {
                    refused += 1;
                    refused_test(&mut out, &name, &case.sql, unscoped, &diagnostic);
                }
            }
        }
    }
    assert!(
        accepted > 0 && refused > 0,
        "the corpus has accepted and refused cases in {dialect}"
    );
    format!(
        "// Generated by runtime-tests/build.rs from tenant-query-core/tests/cases: \
         {accepted} accepted and {refused} refused cases in {dialect}.\n\n{out}"
    )
}

/// The value bound for user argument `i`: distinct, so that the order shows.
fn argument(i: usize) -> String {
    format!("{}_i64", 1001 + i)
}

fn accepted_test(out: &mut String, name: &str, sql: &str, unscoped: bool, user_args: usize) {
    let args: String = (0..user_args)
        .map(|i| format!(", {}", argument(i)))
        .collect();
    let binds: String = (0..user_args)
        .map(|i| format!(".bind({})", argument(i)))
        .collect();
    let (by_macro, at_run_time) = if unscoped {
        (
            format!("tenant_query::unscoped_query!(reason = \"parity test\", {sql:?}{args})"),
            format!("engine().unscoped_query(\"parity test\", {sql:?})"),
        )
    } else {
        (
            format!("tenant_query::tenant_query!(TENANT, {sql:?}{args})"),
            format!("engine().tenant_query(&TENANT, {sql:?})"),
        )
    };
    let _ = writeln!(
        out,
        "#[test]\nfn {name}() {{\n    let by_macro = {by_macro};\n    \
         let at_run_time = {at_run_time}.expect(\"accepted at run time\"){binds}.build();\n    \
         assert_same_query(by_macro, at_run_time);\n}}\n"
    );
}

fn refused_test(out: &mut String, name: &str, sql: &str, unscoped: bool, diagnostic: &Diagnostic) {
    let call = if unscoped {
        format!("engine().unscoped_query(\"parity test\", {sql:?})")
    } else {
        format!("engine().tenant_query(&TENANT, {sql:?})")
    };
    let rendered = diagnostic.render(sql, "SQL", RenderStyle::Plain);
    let _ = writeln!(
        out,
        "#[test]\nfn {name}() {{\n    assert_refused({call}, {code:?}, {rendered:?});\n}}\n",
        code = diagnostic.code(),
    );
}

/// `text` with PostgreSQL's `$1`, `$2`, … written as `?` for MySQL and SQLite.
fn placeholders(text: &str, dialect: &str) -> String {
    if dialect == "postgres" {
        return text.to_owned();
    }
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

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("cargo sets {name}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
