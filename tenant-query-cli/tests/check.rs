//! `tenant-query check` against real PostgreSQL, MariaDB and SQLite schemas that hold every
//! drift finding, against the manifest `init` writes for a clean schema, and against bad input.

mod support;

use std::path::Path;

use sqlx::{AssertSqlSafe, Executor};
use support::db::{mariadb_database, postgres_schema, runtime, sqlite_file};
use support::{run_in, temp_root, transcript, write};
use tenant_query_tests::support::postgres_url;

/// `orders` and `countries` are clean; every other table holds one finding or more.
const DEFECTS: &str = "\
CREATE TABLE {s}orders (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, total INT, PRIMARY KEY (tenant_id, id));
CREATE TABLE {s}notes (id BIGINT NOT NULL, tenant_id BIGINT, body TEXT);
CREATE TABLE {s}invoices (id BIGINT PRIMARY KEY, tenant_id BIGINT NOT NULL);
CREATE TABLE {s}payments (id BIGINT PRIMARY KEY, tenant_id BIGINT NOT NULL);
CREATE TABLE {s}users (id BIGINT PRIMARY KEY, tenant_id BIGINT NOT NULL, email VARCHAR(100), CONSTRAINT users_email UNIQUE (email));
CREATE TABLE {s}tags (id BIGINT NOT NULL, tenant_id VARCHAR(20) NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE {s}order_lines (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, order_id BIGINT NOT NULL, PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, order_id) REFERENCES {s}orders (tenant_id, id));
CREATE TABLE {s}refunds (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, user_id BIGINT NOT NULL, PRIMARY KEY (tenant_id, id), CONSTRAINT refunds_user FOREIGN KEY (user_id) REFERENCES {s}users (id));
CREATE TABLE {s}countries (code CHAR(2) PRIMARY KEY, name TEXT)";

/// A declared table that does not exist, a nullable tenant column, a global table with the
/// tenant column, a `columns` list with a missing and without an existing column, a primary
/// and a unique key without the tenant column, a text tenant column where ids are `i64`, a
/// foreign key without the tenant columns (`refunds`; `order_lines` has them), tables without
/// an index that starts with the tenant column (`notes`, `users`), a declared unique key that
/// the database lacks (`order_lines (tenant_id, order_id)`; `orders` declares its primary key
/// in another order, which matches); `payments` is not declared. `{s}` stands for the schema
/// prefix of the keys.
const MANIFEST: &str = "dialect = \"{dialect}\"
[tables.\"{s}orders\"]
scope = \"tenant\"
unique = [[\"id\", \"tenant_id\"]]
[tables.\"{s}notes\"]
scope = \"tenant\"
[tables.\"{s}invoices\"]
scope = \"global\"
[tables.\"{s}users\"]
scope = \"tenant\"
columns = [\"id\", \"tenant_id\", \"name\"]
[tables.\"{s}tags\"]
scope = \"tenant\"
[tables.\"{s}order_lines\"]
scope = \"tenant\"
unique = [[\"tenant_id\", \"id\"], [\"tenant_id\", \"order_id\"]]
[tables.\"{s}refunds\"]
scope = \"tenant\"
[tables.\"{s}countries\"]
scope = \"global\"
[tables.\"{s}ghosts\"]
scope = \"tenant\"
";

/// A schema `init` can describe completely, with keys that hold the tenant column: a primary
/// key, a unique constraint, and a unique index whose columns are in another order.
const CLEAN: &str = "\
CREATE TABLE {s}orders (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, slug VARCHAR(50) NOT NULL, ref VARCHAR(50), total INT, PRIMARY KEY (tenant_id, id), CONSTRAINT orders_slug UNIQUE (tenant_id, slug));
CREATE UNIQUE INDEX orders_ref ON {s}orders (ref, tenant_id);
CREATE TABLE {s}countries (code CHAR(2) PRIMARY KEY, name TEXT)";

fn template(sql: &str) -> Vec<String> {
    sql.split(";\n").map(str::to_owned).collect()
}

/// Runs `check` in `root` against `url` with the defects manifest and `args`; the transcript
/// with the schema name and the URL shown as placeholders.
fn check_defects(root: &Path, dialect: &str, prefix: &str, url: &str, args: &[&str]) -> String {
    let manifest = MANIFEST
        .replace("{dialect}", dialect)
        .replace("{s}", prefix);
    write(root, "tenant-schema.toml", &manifest);
    let out = run_in(
        root,
        &[&["check", "--database-url", url][..], args].concat(),
    );
    let shown = transcript(&out, root).replace(url, "[URL]");
    match prefix.strip_suffix('.') {
        Some(schema) => shown.replace(schema, "[SCHEMA]"),
        None => shown,
    }
}

/// `init` then `check` on the same database: the manifest declares the three unique keys of
/// `orders` and `more` (none of the global `countries`), and there is nothing to report.
fn init_then_check(root: &Path, url: &str, init_args: &[&str], more: &[&str]) {
    let init = run_in(
        root,
        &[&["init", "--database-url", url][..], init_args].concat(),
    );
    assert_eq!(init.status.code(), Some(0), "{}", transcript(&init, root));
    let toml = std::fs::read_to_string(root.join("tenant-schema.toml")).unwrap();
    let unique: Vec<&str> = toml.lines().filter(|l| l.starts_with("unique")).collect();
    let [keys] = unique.as_slice() else {
        panic!("one `unique` list expected:\n{toml}");
    };
    assert!(
        keys.starts_with("unique = [[\"tenant_id\", \"id\"], "),
        "{keys}"
    );
    let expected = ["[\"tenant_id\", \"slug\"]", "[\"ref\", \"tenant_id\"]"];
    for key in expected.iter().chain(more) {
        assert!(keys.contains(key), "{key} is missing: {keys}");
    }
    assert_eq!(keys.matches('[').count(), 4 + more.len(), "{keys}");
    let out = run_in(root, &["check", "--database-url", url]);
    let shown = transcript(&out, root);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains(": no findings against "), "{shown}");
}

/// PostgreSQL also enables row-level security on `orders`, which the test's superuser bypasses.
#[test]
fn check_on_a_postgres_schema() {
    let Some((mut admin, schema, _cleanup)) = postgres_schema(&template(DEFECTS)) else {
        return;
    };
    let (_dir, root) = temp_root();
    let url = postgres_url();
    let rls = format!("ALTER TABLE {schema}.orders ENABLE ROW LEVEL SECURITY");
    runtime()
        .block_on(admin.execute(AssertSqlSafe(rls)))
        .unwrap();
    let shown = check_defects(&root, "postgres", &format!("{schema}."), &url, &[]);
    insta::assert_snapshot!("check_postgres", shown);

    // A covering index: its INCLUDE column is no part of the key.
    let Some((mut admin, clean, _cleanup)) = postgres_schema(&template(CLEAN)) else {
        return;
    };
    let covering = format!(
        "CREATE UNIQUE INDEX orders_total ON {clean}.orders (tenant_id, total) INCLUDE (slug)"
    );
    runtime()
        .block_on(admin.execute(AssertSqlSafe(covering)))
        .unwrap();
    let (_dir, root) = temp_root();
    init_then_check(
        &root,
        &url,
        &["--schema", &clean],
        &["[\"tenant_id\", \"total\"]"],
    );
}

#[test]
fn check_on_a_mariadb_database() {
    let Some((_db, url, _cleanup)) = mariadb_database(&template(DEFECTS)) else {
        return;
    };
    let (_dir, root) = temp_root();
    insta::assert_snapshot!(
        "check_mariadb",
        check_defects(&root, "mysql", "", &url, &[])
    );

    let Some((_db, clean_url, _cleanup)) = mariadb_database(&template(CLEAN)) else {
        return;
    };
    let (_dir, root) = temp_root();
    init_then_check(&root, &clean_url, &[], &[]);
}

#[test]
fn check_on_a_sqlite_file_and_allowed_findings() {
    let (_dir, root) = temp_root();
    sqlite_file(&root, "app.db", &template(DEFECTS));
    let url = "sqlite:app.db";
    insta::assert_snapshot!("check_sqlite", check_defects(&root, "sqlite", "", url, &[]));

    let allow = [
        "--allow",
        "TQC0006",
        "--allow",
        "undeclared_tenant_table:payments",
    ];
    let shown = check_defects(&root, "sqlite", "", url, &allow);
    assert!(shown.starts_with("exit status: 1\n"), "{shown}");
    assert!(
        !shown.contains("TQC0006") && !shown.contains("TQC0003"),
        "{shown}"
    );
    assert!(
        shown.contains(": 11 findings against [URL] (2 allowed)\n"),
        "{shown}"
    );
    let all = [
        "TQC0001", "TQC0002", "TQC0004", "TQC0005", "TQC0006", "TQC0003", "TQC0007", "TQC0008",
        "TQC0009", "TQC0010", "TQC0011", "TQC0012",
    ]
    .map(|code| ["--allow", code])
    .concat();
    let shown = check_defects(&root, "sqlite", "", url, &all);
    assert!(shown.starts_with("exit status: 0\n"), "{shown}");

    let clean_dir = root.join("clean");
    std::fs::create_dir(&clean_dir).unwrap();
    let clean_url = sqlite_file(&clean_dir, "clean.db", &template(CLEAN));
    init_then_check(&clean_dir, &clean_url, &[], &[]);
}

#[test]
fn usage_errors_and_an_invalid_manifest() {
    let (_dir, root) = temp_root();
    let url = sqlite_file(&root, "app.db", &template(CLEAN));
    let manifest = MANIFEST.replace("{s}", "");
    write(
        &root,
        "tenant-schema.toml",
        &manifest.replace("{dialect}", "postgres"),
    );
    let mismatch = run_in(&root, &["check", "--database-url", &url]);
    insta::assert_snapshot!("check_dialect_mismatch", transcript(&mismatch, &root));

    write(
        &root,
        "tenant-schema.toml",
        &manifest.replace("{dialect}", "sqlite"),
    );
    let unknown = run_in(&root, &["check", "--database-url", &url, "--allow", "TQC9"]);
    insta::assert_snapshot!("check_unknown_allow", transcript(&unknown, &root));

    write(
        &root,
        "tenant-schema.toml",
        "dialect = \"sqlite\"\n[tables.orders]\n",
    );
    let invalid = run_in(&root, &["check", "--database-url", &url]);
    assert_eq!(
        invalid.status.code(),
        Some(1),
        "{}",
        transcript(&invalid, &root)
    );

    write(
        &root,
        "tenant-schema.toml",
        &manifest.replace("{dialect}", "sqlite"),
    );
    let unreachable = run_in(&root, &["check", "--database-url", "sqlite:missing.db"]);
    assert_eq!(
        unreachable.status.code(),
        Some(2),
        "{}",
        transcript(&unreachable, &root)
    );
}

/// A unique index over an expression is no list of columns: `init` leaves out the `unique`
/// list of a table whose expression key lacks the tenant column and says why, and lists the
/// other keys of a table whose expression key holds it; `check` names the expression.
#[test]
fn expression_keys_on_sqlite() {
    let (_dir, root) = temp_root();
    let url = sqlite_file(
        &root,
        "app.db",
        &template(
            "\
CREATE TABLE people (id INTEGER NOT NULL, tenant_id BIGINT NOT NULL, email TEXT, PRIMARY KEY (tenant_id, id));
CREATE UNIQUE INDEX people_email ON people (lower(email));
CREATE TABLE tags (id INTEGER NOT NULL, tenant_id BIGINT NOT NULL, name TEXT, PRIMARY KEY (tenant_id, id));
CREATE UNIQUE INDEX tags_name ON tags (tenant_id, lower(name))",
        ),
    );
    let init = run_in(&root, &["init", "--database-url", &url]);
    let shown = transcript(&init, &root);
    assert_eq!(init.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("warning: people: the unique index `people_email` has expression parts"),
        "{shown}"
    );
    let toml = std::fs::read_to_string(root.join("tenant-schema.toml")).unwrap();
    let unique: Vec<&str> = toml.lines().filter(|l| l.starts_with("unique")).collect();
    assert_eq!(unique, ["unique = [[\"tenant_id\", \"id\"]]"], "{toml}");
    assert!(toml.contains("[tables.tags]\nscope = \"tenant\"\ncolumns = [\"id\", \"tenant_id\", \"name\"]\nunique ="), "{toml}");

    let check = run_in(&root, &["check", "--database-url", &url]);
    let shown = transcript(&check, &root);
    assert_eq!(check.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains(
            "error[TQC0007] key_without_tenant_column: people: the unique key `people_email` \
             (an expression) of `people` does not include the tenant column `tenant_id`\n"
        ),
        "{shown}"
    );
    assert!(shown.contains(": 1 finding against "), "{shown}");
}
