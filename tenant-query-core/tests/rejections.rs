//! The reject corpus: every construct the engine refuses, with the message a user sees.
//! Fail closed: none of these may ever be passed through.

mod common;

use tenant_query_core::{rewrite, DiagnosticKind, Dialect};

#[track_caller]
fn rejects(dialect: Dialect, sql: &str, kind: DiagnosticKind, at: &str, says: &str) {
    let err =
        rewrite(&common::manifest(dialect), sql).expect_err(&format!("must be rejected: {sql}"));
    assert_eq!(err.kind, kind, "{sql}\n{err}");
    let rendered = err.to_string();
    assert!(
        rendered.starts_with(&format!("{at}: ")),
        "{sql}\nexpected position {at}:\n{rendered}"
    );
    assert!(
        rendered.contains(says),
        "{sql}\nexpected {says:?} in:\n{rendered}"
    );
    assert!(
        err.help.is_some(),
        "every rejection offers a fix: {rendered}"
    );
}

use DiagnosticKind::*;
const PG: Dialect = Dialect::Postgres;

#[test]
fn unknown_tables_and_columns() {
    rejects(
        PG,
        "SELECT * FROM invoice",
        UnknownTable,
        "1:15",
        "table `invoice` is not declared in tenant-schema.toml",
    );
    rejects(
        PG,
        "SELECT *\n  FROM ordrs",
        UnknownTable,
        "2:8",
        "did you mean `orders`?",
    );
    rejects(
        PG,
        "SELECT * FROM \"Orders\"",
        UnknownTable,
        "1:15",
        "did you mean `orders`?",
    );
    // `invoices` lives in the billing schema only.
    rejects(
        PG,
        "SELECT * FROM invoices",
        UnknownTable,
        "1:15",
        "did you mean `billing.invoices`?",
    );
    rejects(
        PG,
        "SELECT u.emial FROM users u",
        UnknownColumn,
        "1:10",
        "table `users` has no column `emial`",
    );
    rejects(
        PG,
        "SELECT u.emial FROM users u",
        UnknownColumn,
        "1:10",
        "did you mean `email`?",
    );
    rejects(
        PG,
        "INSERT INTO users (id, mail) VALUES (1, 'a')",
        UnknownColumn,
        "1:24",
        "no column `mail`",
    );
    rejects(
        PG,
        "UPDATE users SET nmae = 'x'",
        UnknownColumn,
        "1:18",
        "did you mean `name`?",
    );
    rejects(
        PG,
        "SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM nope)",
        UnknownTable,
        "1:50",
        "`nope`",
    );
}

#[test]
fn tenant_column_writes() {
    rejects(
        PG,
        "UPDATE orders SET tenant_id = 5",
        TenantColumnWrite,
        "1:19",
        "would move rows to another tenant",
    );
    rejects(
        PG,
        "UPDATE users SET org_id = 5",
        TenantColumnWrite,
        "1:18",
        "tenant column `org_id` of `users`",
    );
    rejects(
        PG,
        "UPDATE orders SET (total, tenant_id) = (1, 2)",
        TenantColumnWrite,
        "1:27",
        "tenant_id",
    );
    rejects(
        PG,
        "UPDATE orders SET \"tenant_id\" = 5",
        TenantColumnWrite,
        "1:19",
        "tenant_id",
    );
    rejects(
        PG,
        "INSERT INTO orders (id, tenant_id) VALUES (1, 2)",
        TenantColumnWrite,
        "1:25",
        "INSERT must not set the tenant column",
    );
    rejects(PG, "INSERT INTO orders (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id", TenantColumnWrite, "1:67", "tenant_id");
    rejects(
        Dialect::MySql,
        "INSERT INTO orders (id) VALUES (1) ON DUPLICATE KEY UPDATE tenant_id = 2",
        TenantColumnWrite,
        "1:60",
        "tenant_id",
    );
    rejects(
        Dialect::MySql,
        "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET c.tenant_id = ?",
        TenantColumnWrite,
        "1:62",
        "of `customers`",
    );
}

#[test]
fn unsafe_statements() {
    rejects(
        PG,
        "TRUNCATE orders",
        Unsupported,
        "1:1",
        "`TRUNCATE` statements cannot be scoped to a tenant: it removes every tenant's rows",
    );
    rejects(
        PG,
        "  DROP TABLE orders",
        Unsupported,
        "1:3",
        "`DROP TABLE` statements cannot be scoped",
    );
    rejects(
        PG,
        "CREATE TABLE x (id int)",
        Unsupported,
        "1:1",
        "`CREATE TABLE` statements",
    );
    rejects(
        PG,
        "SELECT 1; SELECT 2",
        StatementCount,
        "1:11",
        "holds 2 statements",
    );
    rejects(
        PG,
        "SELECT * INTO copy FROM orders",
        Unsupported,
        "1:1",
        "SELECT … INTO",
    );
    rejects(PG, "TABLE orders", Syntax, "1:1", "found: TABLE");
    rejects(
        PG,
        "MERGE INTO orders USING customers c ON true WHEN MATCHED THEN DELETE",
        Unsupported,
        "1:1",
        "`MERGE` statements",
    );
}

#[test]
fn inserts_that_cannot_be_stamped() {
    rejects(
        PG,
        "INSERT INTO orders VALUES (1, 2)",
        Unsupported,
        "1:13",
        "needs a column list",
    );
    rejects(
        PG,
        "INSERT INTO orders DEFAULT VALUES",
        Unsupported,
        "1:13",
        "needs a column list",
    );
    rejects(
        Dialect::MySql,
        "REPLACE INTO orders (id) VALUES (1)",
        Unsupported,
        "1:1",
        "could delete another tenant's row",
    );
    rejects(
        Dialect::MySql,
        "INSERT INTO orders SET id = 1",
        Unsupported,
        "1:1",
        "INSERT … SET",
    );
    rejects(
        Dialect::Sqlite,
        "INSERT OR REPLACE INTO orders (id) VALUES (1)",
        Unsupported,
        "1:1",
        "could delete another tenant's row",
    );
    rejects(
        Dialect::Sqlite,
        "UPDATE OR REPLACE orders SET id = 1",
        Unsupported,
        "1:1",
        "UPDATE OR REPLACE",
    );
}

#[test]
fn names_the_databases_resolve_differently() {
    rejects(
        Dialect::MySql,
        "WITH RECURSIVE x AS (SELECT id FROM orders), orders AS (SELECT 1 AS id) SELECT * FROM x",
        Unsupported,
        "1:37",
        "MySQL reads the table of that name here and MariaDB the CTE",
    );
    rejects(
        Dialect::MySql,
        "INSERT INTO customers (id, name) SELECT id, 'copy' FROM customers ON DUPLICATE KEY UPDATE name = 'dup'",
        Unsupported,
        "1:1",
        "ON DUPLICATE KEY UPDATE after INSERT … SELECT that reads `customers` under its own name",
    );
    rejects(
        Dialect::MySql,
        "DELETE FROM x USING order_items i JOIN orders o ON o.id = i.order_id",
        Unsupported,
        "1:13",
        "DELETE target `x` is not a table or alias of the USING clause",
    );
}

#[test]
fn reads_the_walk_cannot_see() {
    // MariaDB runs `/*M! … */` and `/*! … */`; the parser skips them as comments.
    rejects(
        Dialect::MySql,
        "SELECT 1 /*M! + (SELECT count(*) FROM orders) */ AS n",
        Unsupported,
        "1:10",
        "MySQL runs the text of `/*! … */` comments",
    );
    // sqlparser reads the text of `/*!50000 … */` as SQL, so it is scoped like the rest.
    let out = tenant_query_core::rewrite(
        &common::manifest(Dialect::MySql),
        "SELECT id FROM countries /*!50000 UNION SELECT id FROM orders */",
    )
    .unwrap();
    assert_eq!(
        out.sql,
        "SELECT id FROM countries UNION SELECT id FROM orders WHERE orders.tenant_id = ?"
    );
    assert!(tenant_query_core::check_unscoped(
        &common::manifest(Dialect::MySql),
        "SELECT 1 /*M! FROM nope */"
    )
    .is_err());
    // SQLite's `x IN table` reads every tenant's rows.
    rejects(
        Dialect::Sqlite,
        "SELECT id FROM countries WHERE id IN orders",
        Unsupported,
        "1:38",
        "write it as a subquery",
    );
    // Functions that read a table by name or run SQL text.
    rejects(
        PG,
        "SELECT length(table_to_xml('orders', true, false, '')::text)",
        Unsupported,
        "1:15",
        "`table_to_xml` reads rows the engine cannot see",
    );
    rejects(
        PG,
        "SELECT * FROM orders WHERE note = query_to_xml('SELECT 1', true, false, '')::text",
        Unsupported,
        "1:35",
        "`query_to_xml`",
    );
    rejects(
        PG,
        "SELECT dblink_exec('x', 'DELETE FROM orders')",
        Unsupported,
        "1:8",
        "`dblink_exec`",
    );
    // SQLite binds a comma like JOIN: `o` would be on the nullable side.
    rejects(
        Dialect::Sqlite,
        "SELECT o.id FROM orders o, customers c RIGHT JOIN countries k ON k.code = c.code",
        Unsupported,
        "1:28",
        "a comma binds like JOIN",
    );
    rejects(
        Dialect::Sqlite,
        "SELECT o.id FROM orders o, countries c FULL JOIN countries k ON k.code = c.code",
        Unsupported,
        "1:28",
        "a comma binds like JOIN",
    );
}

#[test]
fn joins_that_cannot_be_filtered_exactly() {
    rejects(
        PG,
        "SELECT * FROM orders o FULL JOIN customers c ON c.id = o.customer_id",
        Unsupported,
        "1:34",
        "FULL JOIN",
    );
    rejects(
        PG,
        "SELECT * FROM orders o FULL JOIN countries c ON c.id = o.id",
        Unsupported,
        "1:34",
        "FULL JOIN a derived table or CTE",
    );
    rejects(
        PG,
        "SELECT * FROM orders LEFT JOIN customers USING (id)",
        Unsupported,
        "1:32",
        "LEFT JOIN with USING",
    );
    rejects(
        PG,
        "SELECT * FROM orders NATURAL LEFT JOIN customers",
        Unsupported,
        "1:40",
        "LEFT JOIN",
    );
    rejects(
        PG,
        "SELECT * FROM orders RIGHT JOIN countries USING (id)",
        Unsupported,
        "1:33",
        "RIGHT JOIN",
    );
    rejects(
        PG,
        "SELECT * FROM (orders o JOIN customers c ON true) AS x",
        Unsupported,
        "1:16",
        "aliased parenthesised join",
    );
    rejects(
        PG,
        "SELECT * FROM orders AS o(a, b)",
        Unsupported,
        "1:25",
        "column alias list",
    );
}

#[test]
fn functions_and_placeholders() {
    rejects(
        PG,
        "SELECT * FROM generate_series(1, 10)",
        Unsupported,
        "1:15",
        "table-valued function `generate_series` cannot be vetted",
    );
    rejects(
        PG,
        "SELECT * FROM orders WHERE id = $0",
        Placeholder,
        "1:33",
        "placeholder `$0`",
    );
    rejects(
        Dialect::Sqlite,
        "SELECT * FROM orders WHERE id = :id",
        Placeholder,
        "1:33",
        "placeholder `:id`",
    );
    rejects(
        Dialect::Sqlite,
        "SELECT * FROM orders WHERE a = ? AND b = ?2",
        Placeholder,
        "1:32",
        "mixes `?` with numbered",
    );
}

#[test]
fn syntax_errors_carry_sqlparser_positions() {
    rejects(
        PG,
        "SELECT * FORM orders",
        Syntax,
        "1:15",
        "syntax error: Expected: end of statement, found: orders",
    );
    rejects(
        PG,
        "SELECT *\nFROM orders WHERE",
        Syntax,
        "2:18",
        "syntax error",
    );
}

#[test]
fn no_input_makes_the_engine_panic() {
    let m = common::manifest(PG);
    for sql in [
        "",
        ";",
        "'",
        "\"",
        "$",
        "SELECT $99999999999999999999",
        "\u{0}",
        "SELECT * FROM orders WHERE x = '\u{1F600}' AND y = ?",
        &"(".repeat(10_000),
        &format!("SELECT {}", "1 + ".repeat(5_000) + "1"),
        &format!(
            "SELECT * FROM {}",
            "(SELECT * FROM orders) x, ".repeat(200) + "orders"
        ),
    ] {
        let _ = rewrite(&m, sql);
        let _ = tenant_query_core::check_unscoped(&m, sql);
    }
}
