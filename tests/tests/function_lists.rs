//! The allowlists of built-in functions (`tenant-query-core/data/functions/*.txt`) match what
//! their sources say, in the style of rust-analyzer's generated-file tests: the PostgreSQL list
//! is what `scripts/function-lists/postgres.sql` reads from PostgreSQL 15's `pg_proc`, the SQLite
//! list what `scripts/function-lists/sqlite.sql` reads from the SQLite that sqlx bundles, and
//! every name of the hand-curated MySQL list is a function MariaDB knows (or one of the few that
//! only MySQL 8.0 has).
//!
//! With `UPDATE_FUNCTION_LISTS=1` (as `scripts/function-lists.sh` sets it) a stale list is
//! rewritten instead of failing the test; review the diff like any other change.

use std::path::PathBuf;

use sqlx::mysql::{MySqlConnection, MySqlDatabaseError};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Row};
use tenant_query_tests::support::{in_ci, mysql_url, postgres_url, unreachable};

/// The PostgreSQL major version the list is generated from: the one CI runs.
const POSTGRES_MAJOR: i32 = 15;

/// Names of the MySQL list that MariaDB 10.11 does not have: MySQL 8.0 alone does.
const MYSQL_ONLY: &[&str] = &[
    "any_value",
    "bin_to_uuid",
    "grouping",
    "is_uuid",
    "json_schema_valid",
    "regexp_like",
    "uuid_to_bin",
];

/// MariaDB's error for a call of a function it does not have (`ER_SP_DOES_NOT_EXIST`).
const NO_SUCH_FUNCTION: u16 = 1305;

#[tokio::test]
async fn the_postgres_list_is_what_pg_proc_gives() {
    let url = postgres_url();
    let mut conn = match PgConnection::connect(&url).await {
        Ok(c) => c,
        Err(e) => return unreachable("PostgreSQL", &url, &e),
    };
    let version: String = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(&mut conn)
        .await
        .expect("the server version");
    let major = version.parse::<i32>().map_or(0, |v| v / 10000);
    if major != POSTGRES_MAJOR {
        let found = format!("version {major}, and the list is generated from {POSTGRES_MAJOR}");
        return unreachable("PostgreSQL 15", &url, &found);
    }
    let sql = include_str!("../../scripts/function-lists/postgres.sql");
    let rows = sqlx::raw_sql(sql)
        .fetch_all(&mut conn)
        .await
        .expect("run postgres.sql");
    let names: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    conn.close().await.expect("close");
    check_list("postgres.txt", &names);
}

#[tokio::test]
async fn the_sqlite_list_is_what_pragma_function_list_gives() {
    let mut conn = SqliteConnection::connect("sqlite::memory:")
        .await
        .expect("an in-memory SQLite database");
    let sql = include_str!("../../scripts/function-lists/sqlite.sql");
    let rows = sqlx::raw_sql(sql)
        .fetch_all(&mut conn)
        .await
        .expect("run sqlite.sql");
    let names: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    check_list("sqlite.txt", &names);
}

#[tokio::test]
async fn mariadb_knows_every_function_of_the_mysql_list() {
    let url = mysql_url();
    let mut conn = match MySqlConnection::connect(&url).await {
        Ok(c) => c,
        Err(e) => return unreachable("MariaDB", &url, &e),
    };
    let mut wrong = Vec::new();
    for line in body(&read_list("mysql.txt")) {
        let name = line.split(' ').next().unwrap_or_default();
        // Called without arguments: a function MariaDB has fails for its arity or syntax, one
        // it does not have fails with NO_SUCH_FUNCTION.
        let call = format!("SELECT {name}()");
        let missing = match sqlx::raw_sql(sqlx::AssertSqlSafe(call))
            .execute(&mut conn)
            .await
        {
            Err(sqlx::Error::Database(e)) => (e.try_downcast_ref::<MySqlDatabaseError>())
                .is_some_and(|e| e.number() == NO_SUCH_FUNCTION),
            _ => false,
        };
        if missing != MYSQL_ONLY.contains(&name) {
            wrong.push(format!("{name} (MariaDB has it: {})", !missing));
        }
    }
    conn.close().await.expect("close");
    assert!(
        wrong.is_empty(),
        "mysql.txt or MYSQL_ONLY is wrong about these names: {wrong:?}"
    );
}

fn list_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tenant-query-core/data/functions")
        .join(file)
}

fn read_list(file: &str) -> String {
    std::fs::read_to_string(list_path(file)).unwrap_or_else(|e| panic!("read {file}: {e}"))
}

/// The lines of a list after its `#` header.
fn body(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}

/// Compares the committed list with `generated`, or rewrites it under `UPDATE_FUNCTION_LISTS`.
fn check_list(file: &str, generated: &[String]) {
    let text = read_list(file);
    let committed = body(&text);
    if committed == generated {
        return;
    }
    if std::env::var_os("UPDATE_FUNCTION_LISTS").is_some() {
        let header: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
        let updated = format!("{}\n{}\n", header.join("\n"), generated.join("\n"));
        std::fs::write(list_path(file), updated).unwrap_or_else(|e| panic!("write {file}: {e}"));
        return;
    }
    let added: Vec<&String> = (generated.iter())
        .filter(|n| !committed.contains(&n.as_str()))
        .collect();
    let removed: Vec<&&str> = (committed.iter())
        .filter(|n| !generated.iter().any(|g| g == *n))
        .collect();
    panic!(
        "tenant-query-core/data/functions/{file} is stale (CI: {}): the source adds {added:?} and drops {removed:?}; run scripts/function-lists.sh and review the diff",
        in_ci()
    );
}
