//! Every finding of the fuzzers, the generator and the review, as a named test.
//!
//! Each test states the input and what went wrong. Tests of findings the engine has not fixed
//! yet are ignored with the reason; run them with `cargo test -p tenant-query-assurance --test
//! regressions -- --ignored`. Structural tests need no database; oracle tests use the
//! `tenant-query-tests` fixture on the real database (skipped loudly when it is unreachable,
//! failing under `CI=true`).

mod common;

use tenant_query_assurance::check::check_rewritten;
use tenant_query_assurance::generate::StmtKind;
use tenant_query_core::{rewrite, Dialect, Manifest};

use common::oracle;
use tenant_query_tests::support;

/// The engine cases' manifest (`tenant-query-core/tests/cases`), shared by the tests that
/// describe that schema.
const MANIFEST: &str = include_str!("../../tenant-query-core/tests/cases/tenant-schema.toml");

/// The engine must refuse `sql` or rewrite it into something the structural checker passes.
#[track_caller]
fn refused_or_safe(dialect: Dialect, sql: &str) {
    let m = Manifest::from_toml_str(MANIFEST, "tenant-schema.toml")
        .unwrap()
        .with_dialect(dialect);
    if let Ok(out) = rewrite(&m, sql) {
        let report = check_rewritten(&m, sql, &out).unwrap();
        assert!(
            report.is_ok(),
            "{dialect}: {sql}\n=> {}\n{:#?}",
            out.sql,
            report.violations
        );
    }
}

#[track_caller]
fn oracle_ok(dialect: Dialect, sql: &str, kind: StmtKind, returns_rows: bool) {
    if let Err(e) = oracle(dialect, sql, kind, returns_rows) {
        panic!("{dialect}: {e}");
    }
}

// ---- F1 (fixed): a CTE named like the UPDATE/DELETE target hid the target ----
//
// `WITH orders AS (SELECT 1) DELETE FROM orders` was passed through unchanged: the engine
// took the target for the CTE, while PostgreSQL and SQLite always resolve an UPDATE/DELETE
// target to the table. It deleted every tenant's orders.

#[test]
fn f1_cte_named_like_the_delete_target_structurally() {
    for d in [Dialect::Postgres, Dialect::Sqlite] {
        refused_or_safe(d, "WITH orders AS (SELECT 1) DELETE FROM orders");
        refused_or_safe(d, "WITH orders AS (SELECT 1) UPDATE orders SET total = 0");
    }
}

#[test]
fn f1_cte_named_like_the_delete_target_postgres() {
    oracle_ok(
        Dialect::Postgres,
        "WITH orders AS (SELECT 1 AS x) DELETE FROM orders WHERE total > 0",
        StmtKind::Dml,
        false,
    );
}

#[test]
fn f1_cte_named_like_the_update_target_sqlite() {
    oracle_ok(
        Dialect::Sqlite,
        "WITH orders AS (SELECT 1 AS x) UPDATE orders SET total = 0",
        StmtKind::Dml,
        false,
    );
}

// ---- F2 (open): MariaDB executable comments are passed through ----
//
// sqlparser reads `/*M! … */` as a comment; MariaDB executes its text. With no scoped table
// visible the engine returns the original text, so
// `SELECT 1 /*M! + (SELECT count(*) FROM orders) */` counts every tenant's orders.

#[test]
fn f2_mariadb_executable_comment_structurally() {
    refused_or_safe(
        Dialect::MySql,
        "SELECT 1 /*M! , (SELECT count(*) FROM orders) */",
    );
}

#[test]
fn f2_mariadb_executable_comment_leaks() {
    oracle_ok(
        Dialect::MySql,
        "SELECT 1 /*M! + (SELECT count(*) FROM orders) */ AS n",
        StmtKind::Query,
        true,
    );
}

// ---- F3 (open): SQLite `expr IN table` reads the table unscoped ----
//
// SQLite reads `x IN orders` as `x IN (SELECT * FROM orders)`. sqlparser parses it as
// `InTarget::Table`, which the engine does not scope, so with row values it tests membership
// in every tenant's rows.

#[test]
fn f3_sqlite_in_table_structurally() {
    refused_or_safe(Dialect::Sqlite, "SELECT (2, 1, 42) IN orders");
    refused_or_safe(
        Dialect::Sqlite,
        "SELECT * FROM countries WHERE id IN orders",
    );
}

#[test]
fn f3_sqlite_in_table_leaks() {
    // Tenants 2 and 3 both own an organization 2 whose parent is 1: tenant 2 sees tenant 3's.
    oracle_ok(
        Dialect::Sqlite,
        "SELECT t.id FROM tenants t WHERE (t.id, 2, 'o' || t.id || '-2', 1) IN organizations",
        StmtKind::Query,
        true,
    );
}

// ---- F4 (open): PostgreSQL functions that read a table by name ----
//
// `table_to_xml('orders', …)`, `query_to_xml('SELECT … FROM orders', …)` and the other
// `*_to_xml*` functions and `ts_stat`/`ts_rewrite` read tables named in a string. No table
// reference is visible, so the statement passes through and returns every tenant's rows.

#[test]
fn f4_postgres_table_reading_functions_structurally() {
    refused_or_safe(
        Dialect::Postgres,
        "SELECT table_to_xml('orders', true, false, '')",
    );
    refused_or_safe(
        Dialect::Postgres,
        "SELECT query_to_xml('SELECT * FROM orders', true, false, '')",
    );
}

#[test]
fn f4_postgres_table_to_xml_leaks() {
    oracle_ok(
        Dialect::Postgres,
        "SELECT length(table_to_xml('orders', true, false, '')::text) AS n",
        StmtKind::Query,
        true,
    );
}

// ---- F5 (fixed): SQLite comma joins bind like JOIN ----
//
// SQLite evaluates `a, b RIGHT JOIN c` as `(a CROSS JOIN b) RIGHT JOIN c`, so `a` is on the
// nullable side; the engine read the comma with the lowest precedence and put `a`'s
// predicate in WHERE, which dropped the rows where `a` is null-extended. Not a leak: rows went
// missing. The same held for FULL JOIN. The engine now reads a SQLite FROM list as one chain
// of joins: `a`'s predicate goes into the RIGHT JOIN's ON (or `a` is filtered in a derived
// table when the join has no ON, or is a FULL JOIN).

#[test]
fn f5_sqlite_comma_then_right_join_structurally() {
    refused_or_safe(
        Dialect::Sqlite,
        "SELECT * FROM orders o, customers c RIGHT JOIN countries k ON k.id = c.country_id",
    );
}

#[test]
fn f5_sqlite_comma_then_right_join_drops_rows() {
    // Tenant 4 has no customers: every country comes back null-extended on its copy.
    oracle_ok(
        Dialect::Sqlite,
        "SELECT o.id, k.country_code FROM orders o, customers c \
         RIGHT JOIN countries k ON k.country_code = c.country_code",
        StmtKind::Query,
        true,
    );
}

// ---- F6 (open): MySQL `--` comments that MariaDB does not read as comments ----
//
// MySQL and MariaDB start a `--` comment only when a space or control character follows;
// sqlparser accepts any Unicode whitespace, such as U+00A0 (no-break space), which MariaDB
// reads as an identifier character. The rest of the line is code to MariaDB and a comment to
// the engine, which passes the original text through when it sees no scoped table: tenant 1
// gets 24 (every tenant's orders counted) instead of 8.

const F6: &str =
    "SELECT x.a --\u{a0}+ (SELECT count(*) FROM orders)\nFROM (SELECT 1 AS a, 2 AS `\u{a0}`) x";

#[test]
fn f6_mysql_dash_dash_nbsp_structurally() {
    refused_or_safe(Dialect::MySql, F6);
}

#[test]
fn f6_mysql_dash_dash_nbsp_leaks() {
    oracle_ok(Dialect::MySql, F6, StmtKind::Query, true);
}

// ---- F7 (open, needs NO_BACKSLASH_ESCAPES): a string literal that the database ends early ----
//
// sqlparser's MySQL dialect reads `\'` inside a string as an escaped quote. A server running
// with `sql_mode` NO_BACKSLASH_ESCAPES reads it as a backslash that ends the string, so the
// rest is code. sqlparser sees one string and no comment, the engine sees no table and passes
// the text through, and MariaDB runs `(SELECT count(*) FROM orders)` over every tenant.
// Sending every statement as parsed (the string re-rendered with `''`) would close it.

const F7: &str = "SELECT 'a\\' + (SELECT count(*) FROM orders) -- '\n AS x";

#[test]
fn f7_backslash_string_is_not_passed_through_as_written() {
    let m = Manifest::from_toml_str(MANIFEST, "tenant-schema.toml")
        .unwrap()
        .with_dialect(Dialect::MySql);
    if let Ok(out) = rewrite(&m, F7) {
        assert_ne!(out.sql, F7, "passed through as written");
    }
}

#[test]
fn f7_backslash_string_leaks_under_no_backslash_escapes() {
    use sqlx::{AssertSqlSafe, Connection, Row};
    let m = Manifest::from_toml_str(MANIFEST, "tenant-schema.toml")
        .unwrap()
        .with_dialect(Dialect::MySql);
    let Ok(out) = rewrite(&m, F7) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = support::mysql_url();
        let mut conn = match sqlx::mysql::MySqlConnection::connect(&url).await {
            Ok(c) => c,
            Err(e) => {
                support::unreachable("MariaDB", &url, &e);
                return;
            }
        };
        let db = support::unique_name("tq_f7");
        for sql in [
            "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')".to_owned(),
            format!("CREATE DATABASE {db}"),
            format!("USE {db}"),
            "CREATE TABLE orders (tenant_id BIGINT, id BIGINT)".to_owned(),
            "INSERT INTO orders VALUES (1, 1), (2, 1), (2, 2)".to_owned(),
        ] {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let mut q = sqlx::query(AssertSqlSafe(out.sql.clone()));
        for _ in &out.bind_plan.slots {
            q = q.bind(1_i64);
        }
        let row = q.fetch_one(&mut conn).await;
        sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE {db}")))
            .execute(&mut conn)
            .await
            .unwrap();
        // Tenant 1 owns one order; the statement must not count the other tenant's two.
        let row = row.unwrap();
        match row.try_get::<f64, _>(0) {
            Ok(n) => assert!(n <= 1.0, "tenant 1 counted {n} orders:\n{}", out.sql),
            // Sent as parsed, the subquery stays inside one string literal in every mode.
            Err(_) => {
                let text: String = row.try_get(0).unwrap();
                assert!(text.contains("SELECT count(*) FROM orders"), "{text}");
            }
        }
    });
}

// ---- Checker findings: the fuzzer's crashes where the engine was right ----

// C1: sqlparser's MySQL dialect reads `"O".tenant_id` in an expression as a field of the
// string `"O"`, though it reads `"O"` in FROM as an identifier. MySQL runs neither (default
// mode) or reads both as identifiers (ANSI_QUOTES); the checker now does the latter.
#[test]
fn c1_mysql_double_quoted_qualifier() {
    refused_or_safe(Dialect::MySql, "SELECT * FROM \"orders\" \"O\"");
    refused_or_safe(Dialect::MySql, "SELECT * FROM \"ORDERS\"");
    refused_or_safe(
        Dialect::MySql,
        "SELECT * FROM \"orders\" \"O\" WHERE \"O\".tenant_id = $1",
    );
}

// C2: in MySQL's `DELETE FROM a USING a JOIN b …` the FROM list names targets declared in
// USING; the checker took `i` for an undeclared table.
#[test]
fn c2_mysql_delete_using_names_its_targets() {
    refused_or_safe(
        Dialect::MySql,
        "DELETE FROM i USING order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'shipped'",
    );
}

// C3: an INSERT whose rows do not match its column list never runs; the checker demanded
// the tenant placeholder at a position the row does not have.
#[test]
fn c3_insert_rows_of_the_wrong_width() {
    refused_or_safe(
        Dialect::Sqlite,
        "INSERT INTO orders (id, total) SELECT NOT total FROM orders WHERE id = $1",
    );
}

// C5: a manifest may declare `public.x`, which is the table `x`; the checker compared the
// declared name with the default schema still on it (found by the `manifest` fuzzer).
#[test]
fn c5_declared_names_with_the_default_schema() {
    let m = Manifest::from_toml_str(
        "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n[tables.\"public.,orders\"]\nscope = \"global\"\n",
        "tenant-schema.toml",
    )
    .unwrap();
    let sql =
        "SELECT * FROM \"public\".\",orders\" a LEFT JOIN \"public\".\",orders\" b ON a.x = b.x";
    let out = rewrite(&m, sql).unwrap();
    let report = check_rewritten(&m, sql, &out).unwrap();
    assert!(report.is_ok(), "{:#?}", report.violations);
}

// ---- Oracle findings that were the database's ----

// M1: MariaDB 10.11 fails the second execution of this prepared statement ("Unknown column
// 'd4.c1' in 'WHERE'"), the original as much as the rewrite. The oracle now prepares every
// run afresh; this statement must pass.
#[test]
fn m1_mariadb_reexecuted_prepared_statement() {
    oracle_ok(
        Dialect::MySql,
        "SELECT t1.role AS c0 FROM memberships AS t1 LEFT OUTER JOIN (SELECT d4.c0 AS c0, d4.c0 AS c1, \
         (SELECT count(*) FROM orders AS t5 WHERE t5.total = d4.c1 AND t2.tenant_id IN (3, 3, 2) \
         AND d4.c2 IS NOT NULL) AS c2 FROM orders AS t2 LEFT JOIN (SELECT min(t3.status) AS c0, \
         t3.tenant_id AS c1, t3.status AS c2 FROM orders AS t3 GROUP BY t3.tenant_id, t3.status) AS d4 \
         ON d4.c2 = t2.status) AS d6 ON d6.c2 = t1.org_id, users AS t7 WHERE t1.tenant_id = 0",
        StmtKind::Query,
        true,
    );
}

// M2: MariaDB 10.11 answers `(SELECT min(…)) IN (SELECT count(…) …)` wrongly: on tenant 1's
// copy this statement returned no row where the answer is one row (the rewrite on the full
// data got it right). Reduced: with `o(id, parent_id) = {(1, NULL), (2, 3)}`,
// `SELECT count(*) FROM u WHERE (SELECT min(id) FROM o) IN (SELECT count(parent_id) FROM o)`
// returns 0 for any non-empty `u`. The generator keeps the left side of `IN (subquery)` a
// column or literal on MariaDB; the rewrite itself is safe:
#[test]
fn m2_mariadb_scalar_in_aggregate_rewrite_is_safe() {
    refused_or_safe(
        Dialect::MySql,
        "SELECT DISTINCT (SELECT min(t7.id) FROM countries AS t7) AS c0, t1.tenant_id AS c1 \
         FROM orders AS t1 STRAIGHT_JOIN countries AS t2 ON t2.id = t1.tenant_id \
         WHERE (SELECT min(t4.id) FROM orders AS t4 CROSS JOIN customers t5) \
         IN (SELECT DISTINCT count(t6.customer_id) AS c0 FROM orders t6)",
    );
}
