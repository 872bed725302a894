//! `tenant-query init` against real PostgreSQL, MariaDB and SQLite schemas that hold every case
//! it flags, and against bad input. Outside CI an unreachable server skips its test loudly;
//! under `CI=true` it fails.

mod support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

use sqlx::mysql::MySqlConnection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor};
use support::{run_in, temp_root, transcript};
use tenant_query_core::{rewrite, Manifest};
use tenant_query_tests::db::{mysql_url, postgres_url, under_ci};

/// Every case: a scoped table, a nullable tenant column, a tenant registry, a table whose
/// tenant column is its primary key, a table with another tenant column, a global table and a
/// view. `{s}` is the schema prefix.
const SCHEMA: &str = "\
CREATE TABLE {s}orders (id BIGINT PRIMARY KEY, tenant_id BIGINT NOT NULL, total INT);
CREATE TABLE {s}notes (id BIGINT PRIMARY KEY, tenant_id BIGINT, body TEXT);
CREATE TABLE {s}tenants (id BIGINT PRIMARY KEY, name TEXT);
CREATE TABLE {s}tenant_settings (tenant_id BIGINT PRIMARY KEY, plan TEXT);
CREATE TABLE {s}users (id BIGINT PRIMARY KEY, org_id BIGINT NOT NULL, email TEXT);
CREATE TABLE {s}countries (code CHAR(2) PRIMARY KEY, name TEXT);
CREATE VIEW {s}order_totals AS SELECT tenant_id, count(*) AS n FROM {s}orders GROUP BY tenant_id";

fn statements(prefix: &str) -> Vec<String> {
    SCHEMA
        .replace("{s}", prefix)
        .split(";\n")
        .map(str::to_owned)
        .collect()
}

/// A schema or database name that no concurrent run shares.
fn unique(what: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("tq_init_{what}_{}_{nanos}_{n}", std::process::id())
}

/// `None` (a loud skip) when the server is unreachable outside CI; under CI, a failure.
fn reachable<C>(what: &str, url: &str, conn: Result<C, sqlx::Error>) -> Option<C> {
    match conn {
        Ok(conn) => Some(conn),
        Err(e) if under_ci() => panic!("{what} at {url} is unreachable under CI=true: {e}"),
        Err(e) => {
            eprintln!("!! SKIPPED: {what} at {url} is unreachable: {e} (a failure under CI=true)");
            None
        }
    }
}

/// The one runtime of this test binary: connections live on the runtime that opened them.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    });
    &RUNTIME
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

/// Runs its closure when the test ends, passed or failed: drops what the test created.
struct OnDrop(Option<Box<dyn FnOnce() -> Result<(), sqlx::Error>>>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        let Some(cleanup) = self.0.take() else { return };
        match cleanup() {
            Err(e) if !std::thread::panicking() => panic!("cleaning up: {e}"),
            Err(e) => eprintln!("cleaning up after a failure: {e}"),
            Ok(()) => {}
        }
    }
}

/// Runs `sql` on a new connection to `url`, the statement that undoes the test's setup.
fn drop_later<C: Connection + 'static>(url: &str, sql: String) -> OnDrop
where
    for<'c> &'c mut C: Executor<'c>,
{
    let url = url.to_owned();
    OnDrop(Some(Box::new(move || {
        runtime().block_on(async {
            let mut conn = C::connect(&url).await?;
            conn.execute(AssertSqlSafe(sql)).await.map(drop)
        })
    })))
}

/// Runs `statements` on `conn`, in order.
fn setup<C: Connection>(conn: &mut C, statements: &[String])
where
    for<'c> &'c mut C: Executor<'c>,
{
    runtime().block_on(async {
        for sql in statements {
            if let Err(e) = conn.execute(AssertSqlSafe(sql.clone())).await {
                panic!("{sql}: {e}");
            }
        }
    });
}

#[test]
fn postgres_schema() {
    let url = postgres_url();
    let conn = runtime().block_on(PgConnection::connect(&url));
    let Some(mut admin) = reachable("PostgreSQL", &url, conn) else {
        return;
    };
    let schema = unique("pg");
    let _cleanup =
        drop_later::<PgConnection>(&url, format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    let mut sql = vec![format!("CREATE SCHEMA {schema}")];
    sql.extend(statements(&format!("{schema}.")));
    setup(&mut admin, &sql);

    let (_dir, root) = temp_root();
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
fn mariadb_database() {
    let url = mysql_url();
    let conn = runtime().block_on(MySqlConnection::connect(&url));
    let Some(mut admin) = reachable("MariaDB", &url, conn) else {
        return;
    };
    let db = unique("my");
    let _cleanup = drop_later::<MySqlConnection>(&url, format!("DROP DATABASE IF EXISTS {db}"));
    let mut sql = vec![format!("CREATE DATABASE {db}")];
    sql.extend(statements(&format!("{db}.")));
    setup(&mut admin, &sql);

    let (_dir, root) = temp_root();
    let db_url = format!(
        "{}/{db}",
        url.rsplit_once('/').expect("a URL with a path").0
    );
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

/// A SQLite database file in `root` holding `statements`.
fn sqlite_file(root: &Path, name: &str, statements: &[String]) -> String {
    let path = root.join(name);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let mut conn: SqliteConnection = runtime().block_on(options.connect()).unwrap();
    setup(&mut conn, statements);
    runtime().block_on(conn.close()).unwrap();
    format!("sqlite:{}", path.display())
}

#[test]
fn sqlite_file_and_overwriting() {
    let (_dir, root) = temp_root();
    let url = sqlite_file(&root, "app.db", &statements(""));
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
