//! Fresh PostgreSQL schemas, MariaDB databases and SQLite files for the `init` and `check`
//! tests, dropped when the test ends. Outside CI an unreachable server skips its test loudly;
//! under `CI=true` it fails.

use std::path::Path;
use std::sync::LazyLock;

use sqlx::mysql::MySqlConnection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor};
use tenant_query_tests::support::{in_ci, mysql_url, postgres_url, unique_name};

/// A schema or database name that no concurrent run shares.
pub fn unique(what: &str) -> String {
    unique_name(&format!("tq_cli_{what}"))
}

/// `None` (a loud skip) when the server is unreachable outside CI; under CI, a failure.
pub fn reachable<C>(what: &str, url: &str, conn: Result<C, sqlx::Error>) -> Option<C> {
    match conn {
        Ok(conn) => Some(conn),
        Err(e) if in_ci() => panic!("{what} at {url} is unreachable under CI=true: {e}"),
        Err(e) => {
            eprintln!("!! SKIPPED: {what} at {url} is unreachable: {e} (a failure under CI=true)");
            None
        }
    }
}

/// The one runtime of this test binary: connections live on the runtime that opened them.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    });
    &RUNTIME
}

/// Runs its closure when the test ends, passed or failed: drops what the test created.
pub struct OnDrop(Option<Box<dyn FnOnce() -> Result<(), sqlx::Error>>>);

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
pub fn drop_later<C: Connection + 'static>(url: &str, sql: String) -> OnDrop
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
pub fn setup<C: Connection>(conn: &mut C, statements: &[String])
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

/// A SQLite database file in `root` holding `statements` (`{s}` stands for nothing); its URL.
pub fn sqlite_file(root: &Path, name: &str, template: &[String]) -> String {
    let statements: Vec<String> = template.iter().map(|t| t.replace("{s}", "")).collect();
    let path = root.join(name);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let mut conn: SqliteConnection = runtime().block_on(options.connect()).unwrap();
    setup(&mut conn, &statements);
    runtime().block_on(conn.close()).unwrap();
    format!("sqlite:{}", path.display())
}

/// A new PostgreSQL schema holding `statements` (`{s}` stands for `schema.`), dropped when the
/// returned guard goes: the admin connection, the schema's name and the guard; `None` when the
/// server is unreachable outside CI.
pub fn postgres_schema(template: &[String]) -> Option<(PgConnection, String, OnDrop)> {
    let url = postgres_url();
    let mut admin = reachable(
        "PostgreSQL",
        &url,
        runtime().block_on(PgConnection::connect(&url)),
    )?;
    let schema = unique("pg");
    let cleanup =
        drop_later::<PgConnection>(&url, format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    let mut sql = vec![format!("CREATE SCHEMA {schema}")];
    sql.extend(
        template
            .iter()
            .map(|t| t.replace("{s}", &format!("{schema}."))),
    );
    setup(&mut admin, &sql);
    Some((admin, schema, cleanup))
}

/// A new MariaDB database holding `statements` (`{s}` stands for `database.`), dropped when the
/// returned guard goes: the database's name, a URL that connects to it, and the guard; `None`
/// when the server is unreachable outside CI.
pub fn mariadb_database(template: &[String]) -> Option<(String, String, OnDrop)> {
    let url = mysql_url();
    let mut admin = reachable(
        "MariaDB",
        &url,
        runtime().block_on(MySqlConnection::connect(&url)),
    )?;
    let db = unique("my");
    let cleanup = drop_later::<MySqlConnection>(&url, format!("DROP DATABASE IF EXISTS {db}"));
    let mut sql = vec![format!("CREATE DATABASE {db}")];
    sql.extend(template.iter().map(|t| t.replace("{s}", &format!("{db}."))));
    setup(&mut admin, &sql);
    let db_url = format!(
        "{}/{db}",
        url.rsplit_once('/').expect("a URL with a path").0
    );
    Some((db, db_url, cleanup))
}
