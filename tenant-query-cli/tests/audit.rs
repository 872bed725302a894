//! `tenant-query audit` on source trees in temporary directories, as a user runs it. Whole
//! outputs are insta snapshots in `tests/snapshots/`.

mod support;

use std::path::Path;

use support::{run_in, temp_root, transcript, write};

const MANIFEST: &str = "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n\
                        [tables.invoices]\nscope = \"tenant\"\n[tables.countries]\nscope = \"global\"\n";

const MAIN: &str = r#"use sqlx::query;
use tenant_query::{tenant_query, unscoped_query};

const REPORT: &str = "SELECT tenant_id, count(*) FROM orders GROUP BY tenant_id";

async fn handlers(pool: &sqlx::PgPool, tenant: tenant_query::TenantId, table: &str) {
    tenant_query!(tenant, "SELECT * FROM orders WHERE id = $1", 1).fetch_all(pool).await;
    unscoped_query!(
        reason = "nightly billing across tenants",
        "SELECT o.tenant_id, sum(o.total)
         FROM orders o JOIN countries c ON c.code = o.country
         GROUP BY 1"
    )
    .fetch_all(pool)
    .await;
    query(REPORT).fetch_all(pool).await;
    sqlx::query_as::<_, (i64,)>(&format!("SELECT id FROM {table}")).fetch_all(pool).await;
    let counts = vec![sqlx::query_scalar!("SELECT count(*) FROM invoice")];
}
"#;

/// A crate with a manifest, one file of every kind of call, one file that does not parse and
/// a build directory that must be skipped.
fn application(root: &Path) {
    write(root, "Cargo.toml", "[workspace]\n");
    write(root, "tenant-schema.toml", MANIFEST);
    write(root, "src/main.rs", MAIN);
    write(root, "src/broken.rs", "fn broken( {\n");
    write(
        root,
        "target/debug/build/generated.rs",
        "fn f() { sqlx::query(\"SELECT 1\"); }\n",
    );
    write(
        root,
        ".git/hooks/x.rs",
        "fn f() { sqlx::query(\"SELECT 1\"); }\n",
    );
}

#[test]
fn the_inventory_lists_every_kind_of_call_with_its_tables() {
    let (_dir, root) = temp_root();
    application(&root);
    let out = run_in(&root, &["audit"]);
    insta::assert_snapshot!("audit_text", transcript(&out, &root));
}

#[test]
fn the_json_inventory_is_one_document() {
    let (_dir, root) = temp_root();
    application(&root);
    let out = run_in(&root, &["audit", "src", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str::<serde_json::Value>(&stdout).expect("one JSON document");
    insta::assert_snapshot!(
        "audit_json",
        stdout.replace(root.to_str().unwrap(), "[ROOT]")
    );
}

#[test]
fn without_a_manifest_tables_are_unknown() {
    let (_dir, root) = temp_root();
    write(&root, "Cargo.toml", "[workspace]\n");
    write(&root, "src/lib.rs", MAIN);
    let out = run_in(&root, &["audit"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("    tables: unknown (no manifest)\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("; no manifest, so tables are not resolved\n"),
        "{stdout}"
    );
}

#[test]
fn the_baseline_fails_only_on_new_unscoped_or_raw_calls() {
    let (_dir, root) = temp_root();
    application(&root);
    let baseline = ["audit", "src", "--baseline", "audit.json"];
    let written = run_in(&root, &[&baseline[..], &["--write-baseline"]].concat());
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        transcript(&written, &root)
    );
    let text = std::fs::read_to_string(root.join("audit.json")).unwrap();
    insta::assert_snapshot!("audit_baseline_file", text);

    // Lines moved and a scoped call added: still within the baseline.
    let moved = format!("// moved\n\n{MAIN}fn more() {{ tenant_query!(t, \"SELECT 1\"); }}\n");
    write(&root, "src/main.rs", &moved);
    let same = run_in(&root, &baseline);
    assert_eq!(same.status.code(), Some(0), "{}", transcript(&same, &root));

    // A second copy of an accepted raw call and a new unscoped one: both are new.
    write(
        &root,
        "src/jobs.rs",
        "fn purge() {\n    unscoped_query!(reason = \"purge\", \"DELETE FROM orders\");\n}\n",
    );
    let grown = moved + "fn again() { query(REPORT); }\n";
    write(&root, "src/main.rs", &grown);
    let out = run_in(&root, &baseline);
    insta::assert_snapshot!("audit_baseline_grown", transcript(&out, &root));
}

#[test]
fn a_removed_call_lets_the_baseline_be_tightened() {
    let (_dir, root) = temp_root();
    application(&root);
    let baseline = ["audit", "src", "--baseline", "audit.json"];
    run_in(&root, &[&baseline[..], &["--write-baseline"]].concat());
    write(
        &root,
        "src/main.rs",
        &MAIN.replace("query(REPORT)", "drop(REPORT)"),
    );
    let out = run_in(&root, &baseline);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.ends_with(
            "baseline audit.json: no new unscoped or raw calls; 1 recorded call is gone, \
             tighten it with `--write-baseline`\n"
        ),
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let (_dir, root) = temp_root();
    application(&root);
    write(&root, "not-a-baseline.json", "{\"entries\": 3}");
    for args in [
        &["audit", "no/such/dir"][..],
        &["audit", "--baseline", "missing.json"],
        &["audit", "--baseline", "not-a-baseline.json"],
        &["audit", "--write-baseline"],
    ] {
        let out = run_in(&root, args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            transcript(&out, &root)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = run_in(&root, &["audit", "--baseline", "not-a-baseline.json"]);
    insta::assert_snapshot!("audit_bad_baseline", transcript(&out, &root));
}

#[test]
fn an_invalid_manifest_is_rejected() {
    let (_dir, root) = temp_root();
    application(&root);
    write(
        &root,
        "tenant-schema.toml",
        "dialect = \"postgres\"\n[tables.orders]\n",
    );
    let out = run_in(&root, &["audit"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out, &root));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tables.orders.scope"));
}
