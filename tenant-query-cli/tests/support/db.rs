//! Fresh PostgreSQL schemas, MariaDB databases and SQLite files for the `init` and `check`
//! tests, dropped when the test ends. Outside CI an unreachable server skips its test loudly;
//! under `CI=true` it fails.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::LazyLock;

use sqlx::mysql::MySqlConnection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor};
use tenant_query_tests::support::{mysql_url, postgres_url, MySqlScratch, PgScratch};

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

/// The cleanup that undoes a test's setup.
type Cleanup = Pin<Box<dyn Future<Output = Result<(), sqlx::Error>>>>;

/// Runs its cleanup when the test ends, passed or failed: drops what the test created.
pub struct OnDrop(Option<Cleanup>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        let Some(cleanup) = self.0.take() else { return };
        match runtime().block_on(cleanup) {
            Err(e) if !std::thread::panicking() => panic!("cleaning up: {e}"),
            Err(e) => eprintln!("cleaning up after a failure: {e}"),
            Ok(()) => {}
        }
    }
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
    let scratch = runtime().block_on(PgScratch::create("tq_cli_pg"))?;
    let schema = scratch.name().to_owned();
    let cleanup = OnDrop(Some(Box::pin(scratch.drop())));
    let admin = filled(&postgres_url(), &schema, template);
    Some((admin, schema, cleanup))
}

/// A new MariaDB database holding `statements` (`{s}` stands for `database.`), dropped when the
/// returned guard goes: the database's name, a URL that connects to it, and the guard; `None`
/// when the server is unreachable outside CI.
pub fn mariadb_database(template: &[String]) -> Option<(String, String, OnDrop)> {
    let scratch = runtime().block_on(MySqlScratch::create("tq_cli_my"))?;
    let (db, db_url) = (scratch.name().to_owned(), scratch.url());
    let cleanup = OnDrop(Some(Box::pin(scratch.drop())));
    filled::<MySqlConnection>(&mysql_url(), &db, template);
    Some((db, db_url, cleanup))
}

/// A new connection to `url` that has run `template` (`{s}` stands for `namespace.`).
fn filled<C: Connection>(url: &str, namespace: &str, template: &[String]) -> C
where
    for<'c> &'c mut C: Executor<'c>,
{
    let mut conn = match runtime().block_on(C::connect(url)) {
        Ok(conn) => conn,
        Err(e) => panic!("connect to {url}: {e}"),
    };
    let qualifier = format!("{namespace}.");
    let sql: Vec<String> = template
        .iter()
        .map(|t| t.replace("{s}", &qualifier))
        .collect();
    setup(&mut conn, &sql);
    conn
}
