//! `tenant-query init` against real PostgreSQL, MariaDB and SQLite schemas that hold every case
//! it flags, and against bad input. Outside CI an unreachable server skips its test loudly;
//! under `CI=true` it fails.

mod support;

use std::path::Path;

use sqlx::mysql::MySqlConnection;
use sqlx::{AssertSqlSafe, Connection};
use support::db::{mariadb_database, postgres_schema, runtime, sqlite_file};
use support::{run_in, temp_root, transcript};
use tenant_query_core::{rewrite, Manifest};
use tenant_query_tests::support::{mysql_url, postgres_url};

/// Every case: a scoped table, a nullable tenant column, a tenant registry, a table whose
/// tenant column is its primary key, a table with another tenant column and a unique key, a
/// global table and a view. `{s}` stands for the schema prefix.
const SCHEMA: &str = "\
CREATE TABLE {s}orders (id BIGINT PRIMARY KEY, tenant_id BIGINT NOT NULL, total INT);
CREATE TABLE {s}notes (id BIGINT PRIMARY KEY, tenant_id BIGINT, body TEXT);
CREATE TABLE {s}tenants (id BIGINT PRIMARY KEY, name TEXT);
CREATE TABLE {s}tenant_settings (tenant_id BIGINT PRIMARY KEY, plan TEXT);
CREATE TABLE {s}users (id BIGINT PRIMARY KEY, org_id BIGINT NOT NULL, email VARCHAR(100), CONSTRAINT users_email UNIQUE (org_id, email));
CREATE TABLE {s}countries (code CHAR(2) PRIMARY KEY, name TEXT);
CREATE VIEW {s}order_totals AS SELECT tenant_id, count(*) AS n FROM {s}orders GROUP BY tenant_id";

fn template() -> Vec<String> {
    SCHEMA.split(";\n").map(str::to_owned).collect()
}

/// Runs `init` in `root` with `args` and returns the transcript and the manifest it wrote.
fn init(root: &Path, args: &[&str]) -> (String, String) {
    let out = run_in(root, &[&["init"][..], args].concat());
    let shown = transcript(&out, root);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    let toml = std::fs::read_to_string(root.join("tenant-schema.toml")).unwrap();
    (shown, toml)
}

/// The manifest validates, and a statement rewritten against it runs on the database: the
/// scoped table is filtered, the view is too.
fn rewritten(toml: &str, orders: &str, placeholder: &str) -> String {
    let manifest = Manifest::from_toml_str(toml, "tenant-schema.toml").expect("it validates");
    let sql = format!("SELECT o.id FROM {orders} o WHERE o.id = {placeholder}");
    let out = rewrite(&manifest, &sql).expect("the engine accepts a query against it");
    assert_eq!(out.scoped_tables.len(), 1, "{}", out.sql);
    out.sql
}

#[test]
fn init_on_a_postgres_schema() {
    let Some((mut admin, schema, _cleanup)) = postgres_schema(&template()) else {
        return;
    };
    let (_dir, root) = temp_root();
    let url = postgres_url();
    let args = [
        "--database-url",
        &url,
        "--schema",
        &schema,
        "--tenant-column",
        "users=org_id",
    ];
    let (shown, toml) = init(&root, &args);
    insta::assert_snapshot!("init_postgres_output", shown.replace(&schema, "[SCHEMA]"));
    insta::assert_snapshot!("init_postgres_toml", toml.replace(&schema, "[SCHEMA]"));
    let sql = rewritten(&toml, &format!("{schema}.orders"), "$1");
    let query = sqlx::query(AssertSqlSafe(sql)).bind(1_i64).bind(7_i64);
    runtime()
        .block_on(query.fetch_all(&mut admin))
        .expect("the rewritten query runs");
}

#[test]
fn init_on_a_mariadb_database() {
    let Some((db, db_url, _cleanup)) = mariadb_database(&template()) else {
        return;
    };
    let (_dir, root) = temp_root();
    let args = ["--database-url", &db_url, "--tenant-column", "users=org_id"];
    let (shown, toml) = init(&root, &args);
    insta::assert_snapshot!("init_mariadb_output", shown.replace(&db, "[DB]"));
    insta::assert_snapshot!("init_mariadb_toml", toml);
    let sql = rewritten(&toml, "orders", "?");
    let mut app = runtime()
        .block_on(MySqlConnection::connect(&db_url))
        .unwrap();
    let query = sqlx::query(AssertSqlSafe(sql)).bind(1_i64).bind(7_i64);
    runtime()
        .block_on(query.fetch_all(&mut app))
        .expect("the rewritten query runs");
}

#[test]
fn sqlite_file_and_overwriting() {
    let (_dir, root) = temp_root();
    let url = sqlite_file(&root, "app.db", &template());
    let args = ["--database-url", &url, "--tenant-column", "users=org_id"];
    let (shown, toml) = init(&root, &args);
    insta::assert_snapshot!("init_sqlite_output", shown);
    insta::assert_snapshot!("init_sqlite_toml", toml);
    rewritten(&toml, "orders", "?");

    // An existing file is never overwritten without --force.
    std::fs::write(root.join("tenant-schema.toml"), "kept").unwrap();
    let refused = run_in(&root, &[&["init"][..], &args].concat());
    insta::assert_snapshot!("init_existing_file", transcript(&refused, &root));
    assert_eq!(
        std::fs::read_to_string(root.join("tenant-schema.toml")).unwrap(),
        "kept"
    );
    let forced = run_in(&root, &[&["init", "--force"][..], &args].concat());
    assert_eq!(
        forced.status.code(),
        Some(0),
        "{}",
        transcript(&forced, &root)
    );
    assert_eq!(
        std::fs::read_to_string(root.join("tenant-schema.toml")).unwrap(),
        toml
    );
}

#[test]
fn an_empty_database_writes_nothing() {
    let (_dir, root) = temp_root();
    let url = sqlite_file(&root, "empty.db", &[]);
    let out = run_in(&root, &["init", "--database-url", &url]);
    insta::assert_snapshot!("init_empty_database", transcript(&out, &root));
    assert!(!root.join("tenant-schema.toml").exists());
}

#[test]
fn unreachable_servers_bad_credentials_and_schemes_are_usage_errors() {
    let (_dir, root) = temp_root();
    let pg_bad_role = postgres_url().replacen("postgres@", "tq_no_such_role@", 1);
    let my_bad_password = mysql_url().replacen("root@", "root:wrong-secret@", 1);
    for url in [
        "postgres://postgres@127.0.0.1:1/test",
        pg_bad_role.as_str(),
        my_bad_password.as_str(),
        "sqlite:no-such-file.db",
    ] {
        let out = run_in(&root, &["init", "--database-url", url]);
        let shown = transcript(&out, &root);
        assert_eq!(out.status.code(), Some(2), "{shown}");
        assert!(shown.contains("error: cannot connect to "), "{shown}");
        assert!(
            !shown.contains("wrong-secret"),
            "the password is shown: {shown}"
        );
    }
    let out = run_in(&root, &["init", "--database-url", "oracle://db/app"]);
    insta::assert_snapshot!("init_unsupported_scheme", transcript(&out, &root));
    let out = run_in(
        &root,
        &["--format", "json", "init", "--database-url", "sqlite:no.db"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errors"][0]["kind"], "database");
    assert!(!root.join("tenant-schema.toml").exists());
}
