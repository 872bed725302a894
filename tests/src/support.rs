//! What every database test shares: the database URLs, the one rule for an unreachable
//! database (a failure under CI, a loud skip elsewhere), unique names for the schemas and
//! databases a test creates, and those schemas and databases themselves ([`PgScratch`],
//! [`MySqlScratch`]).
//!
//! ```
//! use tenant_query_tests::support;
//!
//! let name = support::unique_name("tq_doc");
//! assert!(name.starts_with("tq_doc_"));
//! assert_ne!(name, support::unique_name("tq_doc"));
//! ```

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, ConnectOptions as _, Connection, Executor};

/// The default PostgreSQL URL; `TQ_POSTGRES_URL` overrides it.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// The default MariaDB/MySQL URL; `TQ_MYSQL_URL` overrides it.
pub const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/test";

/// Whether this run is CI's, where an unreachable database fails the test instead of
/// skipping it: `CI` is set to anything but the empty string, `false` or `0`. The one
/// predicate every database test uses; when in doubt it says yes, so that a misspelt `CI`
/// never turns failures into skips.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The URL in the environment variable `var`, or `default` when it is unset or empty.
pub fn url(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The PostgreSQL URL: `TQ_POSTGRES_URL` or [`DEFAULT_POSTGRES_URL`].
pub fn postgres_url() -> String {
    url("TQ_POSTGRES_URL", DEFAULT_POSTGRES_URL)
}

/// The MariaDB URL: `TQ_MYSQL_URL` or [`DEFAULT_MYSQL_URL`].
pub fn mysql_url() -> String {
    url("TQ_MYSQL_URL", DEFAULT_MYSQL_URL)
}

/// Handles a database that cannot be reached: panics under CI (see [`in_ci`]), otherwise
/// prints a loud notice and returns, so that the caller skips the test and says so.
pub fn unreachable(what: &str, url: &str, error: &dyn std::fmt::Display) {
    if in_ci() {
        panic!("{what} at {url} is unreachable under CI=true: {error}");
    }
    // Straight to the file descriptor: libtest captures `eprintln!`, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {what} at {url} is unreachable: {error}\n\
         *** Start it (scripts/test.sh does) or set the URL's environment variable.\n\
         *** Under CI=true this is a failure.\n"
    );
}

/// A name (for a schema or database) that no other test or concurrent run uses:
/// `{prefix}_{process}_{counter}_{nanoseconds}`.
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A PostgreSQL schema of one test's own, uniquely named, on the server at [`postgres_url`].
/// Connections from [`connect_options`](PgScratch::connect_options) or
/// [`url`](PgScratch::url) resolve unqualified names in it; [`drop`](PgScratch::drop) drops
/// it with everything in it.
///
/// ```no_run
/// use tenant_query_tests::support::PgScratch;
///
/// # async fn demo() {
/// // `None`: the server is unreachable outside CI, and the test is skipped loudly.
/// let Some(scratch) = PgScratch::create("tq_doc").await else { return };
/// let pool = sqlx::PgPool::connect_with(scratch.connect_options()).await.unwrap();
/// sqlx::raw_sql("CREATE TABLE t (id BIGINT)").execute(&pool).await.unwrap();
/// pool.close().await;
/// scratch.drop().await.expect("drop the test schema");
/// # }
/// ```
pub struct PgScratch {
    url: String,
    admin: PgConnectOptions,
    schema: String,
}

impl PgScratch {
    /// Creates a schema named [`unique_name`]`(prefix)`. `None` after [`unreachable()`] when the
    /// server cannot be reached (under CI that panics); panics when the schema cannot be
    /// created.
    pub async fn create(prefix: &str) -> Option<PgScratch> {
        let url = postgres_url();
        let (admin, schema) =
            create_on::<PgConnection>("PostgreSQL", &url, "CREATE SCHEMA", prefix).await?;
        Some(PgScratch { url, admin, schema })
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.schema
    }

    /// Options for connections whose `search_path` is the schema.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.admin
            .clone()
            .options([("search_path", self.schema.as_str())])
    }

    /// A URL for connections whose `search_path` is the schema, for code that takes a URL.
    pub fn url(&self) -> String {
        with_search_path(&self.url, &self.schema)
    }

    /// Drops the schema and everything in it (`DROP SCHEMA … CASCADE`) over a new connection.
    /// Close the test's pools first.
    pub async fn drop(self) -> Result<(), sqlx::Error> {
        let drop = format!("DROP SCHEMA {} CASCADE", self.schema);
        run_on::<PgConnection>(&self.admin, drop).await
    }
}

/// A MariaDB/MySQL database of one test's own, uniquely named, on the server at
/// [`mysql_url`]. Connections from [`connect_options`](MySqlScratch::connect_options) or
/// [`url`](MySqlScratch::url) use it; [`drop`](MySqlScratch::drop) drops it.
///
/// ```no_run
/// use tenant_query_tests::support::MySqlScratch;
///
/// # async fn demo() {
/// // `None`: the server is unreachable outside CI, and the test is skipped loudly.
/// let Some(scratch) = MySqlScratch::create("tq_doc").await else { return };
/// let pool = sqlx::MySqlPool::connect_with(scratch.connect_options()).await.unwrap();
/// sqlx::raw_sql("CREATE TABLE t (id BIGINT)").execute(&pool).await.unwrap();
/// pool.close().await;
/// scratch.drop().await.expect("drop the test database");
/// # }
/// ```
pub struct MySqlScratch {
    url: String,
    admin: MySqlConnectOptions,
    database: String,
}

impl MySqlScratch {
    /// Creates a database named [`unique_name`]`(prefix)`. `None` after [`unreachable()`] when
    /// the server cannot be reached (under CI that panics); panics when the database cannot
    /// be created.
    pub async fn create(prefix: &str) -> Option<MySqlScratch> {
        let url = mysql_url();
        let (admin, database) =
            create_on::<MySqlConnection>("MariaDB/MySQL", &url, "CREATE DATABASE", prefix).await?;
        Some(MySqlScratch {
            url,
            admin,
            database,
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.database
    }

    /// Options for connections that use the database.
    pub fn connect_options(&self) -> MySqlConnectOptions {
        self.admin.clone().database(&self.database)
    }

    /// A URL for connections that use the database, for code that takes a URL: the server's
    /// URL with the database as its path.
    pub fn url(&self) -> String {
        with_database(&self.url, &self.database)
    }

    /// Drops the database (`DROP DATABASE`) over a new connection. Close the test's pools
    /// first.
    pub async fn drop(self) -> Result<(), sqlx::Error> {
        let drop = format!("DROP DATABASE {}", self.database);
        run_on::<MySqlConnection>(&self.admin, drop).await
    }
}

/// The PostgreSQL `url` with `schema` as the connections' `search_path`.
fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}")
}

/// The MySQL `url` with `database` as its path, in place of the path it had.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{server}/{database}{query}")
}

/// Creates a schema or database (`create` is the statement's keywords) named
/// [`unique_name`]`(prefix)` over a new connection to `url`, whose statements are not logged;
/// the connection's options and the name. `None` after [`unreachable()`] when `what` at `url`
/// cannot be reached. Panics when `url` is not valid or the statement fails.
async fn create_on<C>(
    what: &str,
    url: &str,
    create: &str,
    prefix: &str,
) -> Option<(C::Options, String)>
where
    C: Connection,
    for<'c> &'c mut C: Executor<'c>,
{
    let admin: C::Options = match url.parse() {
        Ok(options) => options,
        Err(e) => panic!("{url} is not a valid URL for {what}: {e}"),
    };
    let admin = admin.disable_statement_logging();
    let mut conn = match C::connect_with(&admin).await {
        Ok(conn) => conn,
        Err(e) => {
            unreachable(what, url, &e);
            return None;
        }
    };
    let name = unique_name(prefix);
    let sql = format!("{create} {name}");
    if let Err(e) = conn.execute(AssertSqlSafe(sql.clone())).await {
        panic!("{sql}: {e}");
    }
    conn.close().await.ok();
    Some((admin, name))
}

/// Runs `sql` over a new connection to `admin`.
async fn run_on<C>(admin: &C::Options, sql: String) -> Result<(), sqlx::Error>
where
    C: Connection,
    for<'c> &'c mut C: Executor<'c>,
{
    let mut conn = C::connect_with(admin).await?;
    conn.execute(AssertSqlSafe(sql)).await?;
    conn.close().await
}

/// Drops a test's PostgreSQL roles, and its schema if it is still there, when it goes out of scope,
/// passed or failed: roles belong to the whole cluster and would outlive a failed test. The
/// cleanup runs on a thread of its own, with its own runtime and connection, so that it also
/// runs while a test's runtime unwinds.
pub struct PgRolesGuard {
    /// The roles to drop, members before the roles they are members of.
    pub roles: Vec<String>,
    /// The schema to drop first, if it is still there.
    pub schema: String,
}

impl Drop for PgRolesGuard {
    fn drop(&mut self) {
        let mut sql = format!("DROP SCHEMA IF EXISTS {} CASCADE;", self.schema);
        for role in &self.roles {
            sql.push_str(&format!(
                "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN \
                 EXECUTE 'DROP OWNED BY {role}'; EXECUTE 'DROP ROLE {role}'; END IF; END $$;"
            ));
        }
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&postgres_url()).await?;
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                conn.close().await
            })?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        });
        match cleanup.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) if !std::thread::panicking() => panic!("dropping the test roles: {e}"),
            _ => eprintln!("the test roles could not be dropped"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{with_database, with_search_path};

    #[test]
    fn a_postgres_url_gains_the_search_path() {
        assert_eq!(
            with_search_path("postgres://u@h:5432/test", "s1"),
            "postgres://u@h:5432/test?options=-c%20search_path%3Ds1"
        );
        assert_eq!(
            with_search_path("postgres://u@h/test?sslmode=disable", "s1"),
            "postgres://u@h/test?sslmode=disable&options=-c%20search_path%3Ds1"
        );
    }

    #[test]
    fn a_mysql_url_gets_the_database_as_its_path() {
        assert_eq!(
            with_database("mysql://root@h:3306/test", "d1"),
            "mysql://root@h:3306/d1"
        );
        assert_eq!(
            with_database("mysql://root@h:3306", "d1"),
            "mysql://root@h:3306/d1"
        );
        assert_eq!(
            with_database("mysql://root@h/test?ssl-mode=disabled", "d1"),
            "mysql://root@h/d1?ssl-mode=disabled"
        );
    }
}
