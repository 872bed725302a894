//! The structural checker on hand-made rewrites: correct ones pass, and every kind of wrong
//! one is caught. The bad rewrites are what a buggy rewriter could plausibly emit.

use tenant_query_assurance::check::{check, check_rewritten, TenantParam, ViolationKind};
use tenant_query_core::{rewrite, Dialect, Manifest};

/// The engine cases' manifest (`tenant-query-core/tests/cases`), shared by the tests that
/// describe that schema.
const MANIFEST: &str = include_str!("../../tenant-query-core/tests/cases/tenant-schema.toml");

fn manifest(dialect: Dialect) -> Manifest {
    Manifest::from_toml_str(MANIFEST, "tenant-schema.toml")
        .unwrap()
        .with_dialect(dialect)
}

fn numbered(dialect: Dialect, n: usize) -> TenantParam {
    TenantParam::Numbered(match dialect {
        Dialect::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    })
}

#[track_caller]
fn ok_in(dialect: Dialect, sql: &str, tenant: &TenantParam) {
    let report = check(&manifest(dialect), sql, tenant).unwrap();
    assert!(
        report.is_ok(),
        "expected to pass: {sql}\n{:#?}",
        report.violations
    );
}

#[track_caller]
fn ok(sql: &str) {
    ok_in(Dialect::Postgres, sql, &numbered(Dialect::Postgres, 1));
}

#[track_caller]
fn bad_in(dialect: Dialect, sql: &str, tenant: &TenantParam, kind: ViolationKind, says: &str) {
    let report = check(&manifest(dialect), sql, tenant).unwrap();
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.kind == kind && v.message.contains(says)),
        "expected a {kind:?} violation mentioning {says:?} for: {sql}\ngot {:#?}",
        report.violations
    );
}

#[track_caller]
fn bad(sql: &str, kind: ViolationKind, says: &str) {
    bad_in(
        Dialect::Postgres,
        sql,
        &numbered(Dialect::Postgres, 1),
        kind,
        says,
    );
}

use ViolationKind::*;

#[test]
fn correct_rewrites_pass() {
    for sql in [
        "SELECT * FROM orders WHERE orders.tenant_id = $1",
        "SELECT * FROM orders o WHERE (o.total > 3) AND o.tenant_id = $1",
        "SELECT * FROM orders o WHERE $1 = o.tenant_id",
        "SELECT * FROM public.orders WHERE public.orders.tenant_id = $1",
        "SELECT * FROM public.orders WHERE orders.tenant_id = $1",
        "SELECT * FROM billing.invoices i WHERE i.tenant_id = $1",
        "SELECT u.email FROM users u WHERE u.org_id = $1",
        "SELECT * FROM countries",
        "SELECT 1",
        "SELECT * FROM orders o JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = $1 WHERE o.tenant_id = $1",
        // An inner join's ON restricts both sides.
        "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id AND o.tenant_id = $1 AND c.tenant_id = $1",
        "SELECT * FROM orders o LEFT JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = $1 WHERE o.tenant_id = $1",
        "SELECT * FROM orders o RIGHT JOIN customers c ON (c.id = o.customer_id) AND o.tenant_id = $1 WHERE c.tenant_id = $1",
        "SELECT * FROM orders o LEFT JOIN (customers c JOIN users u ON (u.id = c.user_id) AND u.org_id = $1) ON (c.id = o.customer_id) AND c.tenant_id = $1 WHERE o.tenant_id = $1",
        "SELECT * FROM countries k LEFT JOIN (customers c CROSS JOIN order_items i) ON (c.country_id = k.id) AND c.tenant_id = $1 AND i.tenant_id = $1",
        // A FULL JOIN whose scoped table is filtered inside a nested LEFT JOIN.
        "SELECT * FROM countries k FULL JOIN (countries k2 LEFT JOIN orders o ON o.id = k2.id AND o.tenant_id = $1) ON k.id = k2.id",
        "SELECT (SELECT count(*) FROM orders WHERE orders.tenant_id = $1), id FROM customers WHERE (EXISTS (SELECT 1 FROM orders o WHERE (o.customer_id = customers.id) AND o.tenant_id = $1)) AND customers.tenant_id = $1",
        "WITH recent AS (SELECT * FROM orders WHERE orders.tenant_id = $1) SELECT * FROM recent",
        "WITH orders AS (SELECT * FROM orders WHERE orders.tenant_id = $1) SELECT * FROM orders",
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t",
        "SELECT id FROM orders WHERE orders.tenant_id = $1 UNION SELECT id FROM countries",
        "SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE (o.customer_id = c.id) AND o.tenant_id = $1) x WHERE c.tenant_id = $1",
        "UPDATE orders SET total = 1 WHERE (id = 2) AND orders.tenant_id = $1",
        "UPDATE orders o SET total = c.x FROM customers c WHERE (c.id = o.customer_id) AND o.tenant_id = $1 AND c.tenant_id = $1",
        "DELETE FROM orders WHERE orders.tenant_id = $1",
        "DELETE FROM orders o USING customers c WHERE c.id = o.customer_id AND o.tenant_id = $1 AND c.tenant_id = $1",
        "WITH d AS (DELETE FROM orders WHERE orders.tenant_id = $1 RETURNING *) SELECT * FROM d",
        "INSERT INTO orders (id, total, tenant_id) VALUES (1, 2, $1), (3, 4, $1)",
        "INSERT INTO orders (id, tenant_id) SELECT id, $1 FROM countries UNION SELECT id, $1 FROM customers WHERE customers.tenant_id = $1",
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET total = excluded.total WHERE orders.tenant_id = $1",
        "INSERT INTO orders AS o (id, tenant_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET total = 1 WHERE (o.total < 3) AND o.tenant_id = $1",
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1) ON CONFLICT DO NOTHING",
        "INSERT INTO countries (id) SELECT id FROM orders WHERE orders.tenant_id = $1",
    ] {
        ok(sql);
    }
}

#[test]
fn typed_tenant_placeholders_and_pinned_projections_pass() {
    // The manifest's tenant is an i64: the engine casts it to BIGINT on PostgreSQL.
    for sql in [
        "SELECT * FROM orders o WHERE o.tenant_id = $1::BIGINT",
        "SELECT * FROM orders o WHERE o.tenant_id = CAST($1 AS BIGINT)",
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1::BIGINT)",
        "INSERT INTO orders (id, tenant_id) SELECT $2, CAST($1 AS BIGINT)",
        // The projected column is pinned to the tenant by WHERE in every row.
        "INSERT INTO orders (id, tenant_id) SELECT o.id + 1, o.tenant_id FROM orders o WHERE (o.id = 1) AND o.tenant_id = $1::BIGINT",
        "INSERT INTO countries (id) SELECT id FROM orders WHERE orders.tenant_id = $1",
    ] {
        ok(sql);
    }
}

#[test]
fn shared_rows_are_read_but_never_written() {
    // `settings` is tenant_or_global: reads may see the shared rows (NULL tenant).
    for sql in [
        "SELECT * FROM settings s WHERE (s.tenant_id = $1::BIGINT OR s.tenant_id IS NULL)",
        "SELECT o.id FROM orders o LEFT JOIN settings s ON (s.name = 'x') AND (s.tenant_id = $1 OR s.tenant_id IS NULL) WHERE o.tenant_id = $1",
        "UPDATE settings SET value = 'x' WHERE settings.tenant_id = $1",
        "UPDATE orders SET note = s.value FROM settings s WHERE orders.tenant_id = $1 AND (s.tenant_id = $1 OR s.tenant_id IS NULL)",
        "DELETE FROM settings WHERE (value IN (SELECT value FROM settings d WHERE (d.tenant_id = $1 OR d.tenant_id IS NULL))) AND settings.tenant_id = $1",
    ] {
        ok(sql);
    }
    // The written table must not match the shared rows.
    bad(
        "UPDATE settings SET value = 'x' WHERE (settings.tenant_id = $1 OR settings.tenant_id IS NULL)",
        Unrestricted,
        "`settings`",
    );
    bad(
        "DELETE FROM settings WHERE (settings.tenant_id = $1 OR settings.tenant_id IS NULL)",
        Unrestricted,
        "`settings`",
    );
    // A table that is tenant-only has no shared rows; the IS NULL must test the tenant column.
    bad(
        "SELECT * FROM orders o WHERE (o.tenant_id = $1 OR o.tenant_id IS NULL)",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM settings s WHERE (s.tenant_id = $1 OR s.value IS NULL)",
        Unrestricted,
        "`settings`",
    );
}

#[test]
fn other_casts_and_unpinned_projections_are_not_the_tenant() {
    // A cast to another type may change the value (`int2` overflows, text compares as text).
    bad(
        "SELECT * FROM orders o WHERE o.tenant_id = $1::SMALLINT",
        Unrestricted,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1::TEXT)",
        Unstamped,
        "`orders`",
    );
    // Pinned only under OR (rows of other tenants), or only by an ON condition, which the
    // checker does not follow (the engine projects only a column that WHERE pins).
    bad(
        "INSERT INTO orders (id, tenant_id) SELECT o.id, o.tenant_id FROM orders o WHERE o.id = 1 OR o.tenant_id = $1",
        Unstamped,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (id, tenant_id) SELECT o.id, c.tenant_id FROM orders o JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = $1 WHERE o.tenant_id = $1",
        Unstamped,
        "`orders`",
    );
}

#[test]
fn predicate_under_or_or_not_restricts_nothing() {
    bad(
        "SELECT * FROM orders o WHERE o.total > 3 OR o.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    // Without the parentheses the engine adds, AND binds tighter than OR.
    bad(
        "SELECT * FROM orders o WHERE a = 1 OR b = 2 AND o.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o WHERE NOT (o.tenant_id = $1)",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o WHERE CASE WHEN o.tenant_id = $1 THEN true ELSE true END",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id OR c.tenant_id = $1 WHERE o.tenant_id = $1",
        Unrestricted,
        "`customers`",
    );
    // In HAVING the rows are already grouped.
    bad(
        "SELECT o.tenant_id, count(*) FROM orders o GROUP BY o.tenant_id HAVING o.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
}

#[test]
fn outer_joins_need_the_predicate_on_the_right_side() {
    // The nullable side filtered in WHERE turns the LEFT JOIN into an inner join.
    bad(
        "SELECT * FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.tenant_id = $1 AND c.tenant_id = $1",
        Unrestricted,
        "`customers`",
    );
    // The preserved side filtered in ON keeps every tenant's rows, null-extended.
    bad(
        "SELECT * FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND o.tenant_id = $1 AND c.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id AND c.tenant_id = $1 WHERE o.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    // Everything left of a RIGHT JOIN is nullable, including earlier inner joins.
    bad(
        "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id RIGHT JOIN countries k ON k.id = c.country_id WHERE o.tenant_id = $1 AND c.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o FULL JOIN customers c ON c.id = o.customer_id AND o.tenant_id = $1 AND c.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    // An inner join's ON above a LEFT JOIN does not restrict that LEFT JOIN's nullable side.
    bad(
        "SELECT * FROM (orders o LEFT JOIN customers c ON c.id = o.customer_id) JOIN countries k ON k.id = c.country_id AND c.tenant_id = $1 WHERE o.tenant_id = $1",
        Unrestricted,
        "`customers`",
    );
    // A LEFT JOIN without ON cannot restrict its nullable side at all.
    bad(
        "SELECT * FROM orders o NATURAL LEFT JOIN customers c WHERE o.tenant_id = $1 AND c.tenant_id = $1",
        Unrestricted,
        "`customers`",
    );
}

#[test]
fn every_query_needs_its_own_predicates() {
    bad(
        "SELECT * FROM orders o WHERE o.tenant_id = $1 AND EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)",
        Unrestricted,
        "`customers`",
    );
    // A predicate on the outer table inside the subquery does not restrict the outer table.
    bad(
        "SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = $1 AND o.tenant_id = $1)",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT (SELECT max(id) FROM customers) FROM orders o WHERE o.tenant_id = $1",
        Unrestricted,
        "`customers`",
    );
    bad(
        "SELECT * FROM (SELECT * FROM orders) x",
        Unrestricted,
        "`orders`",
    );
    bad(
        "WITH a AS (SELECT * FROM orders) SELECT * FROM a",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT id FROM countries UNION SELECT id FROM orders",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o WHERE o.tenant_id = $1 ORDER BY (SELECT max(id) FROM customers)",
        Unrestricted,
        "`customers`",
    );
    bad(
        "UPDATE orders SET total = (SELECT max(total) FROM orders) WHERE orders.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1) RETURNING (SELECT count(*) FROM customers)",
        Unrestricted,
        "`customers`",
    );
}

#[test]
fn the_predicate_must_name_the_table_and_the_tenant() {
    // Another alias.
    bad(
        "SELECT * FROM orders o, customers c WHERE c.tenant_id = $1 AND c.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    // The table name when the table has an alias.
    bad(
        "SELECT * FROM orders o WHERE orders.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    // Another column.
    bad(
        "SELECT * FROM users u WHERE u.tenant_id = $1",
        Unrestricted,
        "`users`",
    );
    // A user's placeholder, a literal, an unqualified column.
    bad(
        "SELECT * FROM orders o WHERE o.tenant_id = $2",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o WHERE o.tenant_id = 1",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o WHERE tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o WHERE o.tenant_id <> $1",
        Unrestricted,
        "`orders`",
    );
}

#[test]
fn writes_to_the_tenant_column() {
    bad(
        "UPDATE orders SET tenant_id = 2 WHERE orders.tenant_id = $1",
        TenantColumnWrite,
        "`orders`",
    );
    bad(
        "UPDATE users SET (email, org_id) = ('a', 2) WHERE users.org_id = $1",
        TenantColumnWrite,
        "`users`",
    );
    bad(
        "UPDATE orders SET \"tenant_id\" = 2 WHERE orders.tenant_id = $1",
        TenantColumnWrite,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET tenant_id = 3 WHERE orders.tenant_id = $1",
        TenantColumnWrite,
        "`orders`",
    );
    let my = TenantParam::Positional(vec![true, false, true]);
    bad_in(
        Dialect::MySql,
        "UPDATE orders o JOIN customers c ON c.id = o.customer_id AND c.tenant_id = ? SET c.tenant_id = ? WHERE o.tenant_id = ?",
        &my,
        TenantColumnWrite,
        "`customers`",
    );
    // A quoted upper-case name is another column in PostgreSQL.
    ok("UPDATE orders SET \"TENANT_ID\" = 2 WHERE orders.tenant_id = $1");
}

#[test]
fn inserts_must_stamp_every_row() {
    bad(
        "INSERT INTO orders (id) VALUES (1)",
        Unstamped,
        "does not list its tenant column",
    );
    bad(
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1), (2, 5)",
        Unstamped,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (id, tenant_id) VALUES (1, $2)",
        Unstamped,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (id, tenant_id) SELECT id, $1 FROM countries UNION SELECT id, tenant_id FROM customers WHERE customers.tenant_id = $1",
        Unstamped,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (tenant_id, id) SELECT *, $1 FROM countries",
        Unstamped,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (id, tenant_id, tenant_id) VALUES (1, $1, $1)",
        Unstamped,
        "more than once",
    );
    bad("INSERT INTO orders DEFAULT VALUES", Unstamped, "`orders`");
}

#[test]
fn upserts_only_touch_the_tenants_row() {
    bad(
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET total = 1",
        UnscopedUpsert,
        "`orders`",
    );
    bad(
        "INSERT INTO orders (id, tenant_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET total = 1 WHERE orders.total > 1 OR orders.tenant_id = $1",
        UnscopedUpsert,
        "`orders`",
    );
    let my = TenantParam::Positional(vec![false, true, true]);
    ok_in(
        Dialect::MySql,
        "INSERT INTO orders (id, tenant_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE total = IF(orders.tenant_id = ?, VALUES(total), total)",
        &my,
    );
    bad_in(
        Dialect::MySql,
        "INSERT INTO orders (id, tenant_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE total = VALUES(total)",
        &TenantParam::Positional(vec![false, true]),
        UnscopedUpsert,
        "`orders`",
    );
    // The fallback must keep the column's own value.
    bad_in(
        Dialect::MySql,
        "INSERT INTO orders (id, tenant_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE total = IF(orders.tenant_id = ?, VALUES(total), 0)",
        &my,
        UnscopedUpsert,
        "`orders`",
    );
    bad_in(
        Dialect::MySql,
        "REPLACE INTO orders (id, tenant_id) VALUES (?, ?)",
        &TenantParam::Positional(vec![false, true]),
        Unverifiable,
        "REPLACE",
    );
}

#[test]
fn mysql_positional_placeholders_are_told_apart() {
    // The second `?` is the user's, not the tenant's.
    let user_second = TenantParam::Positional(vec![true, false]);
    bad_in(
        Dialect::MySql,
        "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id AND c.tenant_id = ? WHERE o.tenant_id = ?",
        &user_second,
        Unrestricted,
        "`orders`",
    );
    ok_in(
        Dialect::MySql,
        "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id AND c.tenant_id = ? WHERE o.tenant_id = ?",
        &TenantParam::Positional(vec![true, true]),
    );
}

#[test]
fn dml_targets_are_tables_even_when_a_cte_has_their_name() {
    bad(
        "WITH orders AS (SELECT 1) DELETE FROM orders",
        Unrestricted,
        "`orders`",
    );
    bad(
        "WITH orders AS (SELECT 1) UPDATE orders SET total = 0",
        Unrestricted,
        "`orders`",
    );
    // The CTE is still a CTE in USING.
    ok("WITH orders AS (SELECT 1 AS id) DELETE FROM customers c USING orders WHERE c.id = orders.id AND c.tenant_id = $1");
}

#[test]
fn sqlite_comma_joins_bind_like_join() {
    let t = numbered(Dialect::Sqlite, 1);
    // `o, c RIGHT JOIN k` is `(o CROSS JOIN c) RIGHT JOIN k` in SQLite: `o` is nullable.
    bad_in(
        Dialect::Sqlite,
        "SELECT * FROM orders o, customers c RIGHT JOIN countries k ON (k.id = c.country_id) AND c.tenant_id = ?1 WHERE o.tenant_id = ?1",
        &t,
        Unrestricted,
        "`orders`",
    );
    ok_in(
        Dialect::Sqlite,
        "SELECT * FROM orders o, customers c RIGHT JOIN countries k ON (k.id = c.country_id) AND c.tenant_id = ?1 AND o.tenant_id = ?1",
        &t,
    );
    // PostgreSQL gives the comma the lowest precedence.
    ok("SELECT * FROM orders o, customers c RIGHT JOIN countries k ON (k.id = c.country_id) AND c.tenant_id = $1 WHERE o.tenant_id = $1");
}

/// The engine filters a scoped table on the nullable side of an outer join without ON, and
/// on either side of a FULL JOIN, in a derived table of its own: the derived table's WHERE
/// restricts it, as in any subquery, and nothing outside does.
#[test]
fn tables_filtered_in_derived_tables() {
    ok("SELECT * FROM (SELECT * FROM orders o WHERE o.tenant_id = $1) AS o FULL JOIN (SELECT * FROM customers c WHERE c.tenant_id = $1) AS c ON c.id = o.customer_id");
    ok("SELECT * FROM orders o LEFT JOIN (SELECT * FROM customers c WHERE c.tenant_id = $1) AS c USING(id) WHERE o.tenant_id = $1");
    ok("SELECT * FROM orders o JOIN customers c ON (c.id = o.customer_id) AND o.tenant_id = $1 AND c.tenant_id = $1 FULL JOIN (SELECT * FROM order_items i WHERE i.tenant_id = $1) AS i ON i.order_id = o.id");
    ok("SELECT * FROM countries k FULL JOIN ((SELECT * FROM orders o WHERE o.tenant_id = $1) AS o LEFT JOIN (SELECT * FROM customers c WHERE c.tenant_id = $1) AS c USING(id)) ON o.id = k.id");
    bad(
        "SELECT * FROM (SELECT * FROM orders o) AS o FULL JOIN (SELECT * FROM customers c WHERE c.tenant_id = $1) AS c ON c.id = o.customer_id",
        Unrestricted,
        "`orders`",
    );
    // Above the derived table, the predicate restricts nothing inside it.
    bad(
        "SELECT * FROM orders o LEFT JOIN (SELECT * FROM customers c) AS c USING(id) WHERE o.tenant_id = $1 AND c.tenant_id = $1",
        Unrestricted,
        "`customers`",
    );
    bad(
        "SELECT * FROM (SELECT * FROM orders o) AS o FULL JOIN (SELECT * FROM customers c WHERE c.tenant_id = $1) AS c ON c.id = o.customer_id AND o.tenant_id = $1",
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT * FROM orders o LEFT JOIN (SELECT * FROM customers c WHERE c.tenant_id = $1 OR c.id = 1) AS c USING(id) WHERE o.tenant_id = $1",
        Unrestricted,
        "`customers`",
    );
    // The inner join at the top of a FULL JOIN's left side restricts both of its tables; a
    // LEFT JOIN there does not restrict its preserved side.
    bad(
        "SELECT * FROM orders o LEFT JOIN customers c ON (c.id = o.customer_id) AND o.tenant_id = $1 AND c.tenant_id = $1 FULL JOIN (SELECT * FROM order_items i WHERE i.tenant_id = $1) AS i ON i.order_id = o.id",
        Unrestricted,
        "`orders`",
    );
    let t = numbered(Dialect::Sqlite, 1);
    ok_in(
        Dialect::Sqlite,
        "SELECT * FROM (SELECT * FROM orders o WHERE o.tenant_id = ?1) AS o, (SELECT * FROM customers c WHERE c.tenant_id = ?1) AS c RIGHT JOIN order_items i USING(id) WHERE i.tenant_id = ?1",
        &t,
    );
    bad_in(
        Dialect::Sqlite,
        "SELECT * FROM orders o, (SELECT * FROM customers c WHERE c.tenant_id = ?1) AS c RIGHT JOIN order_items i USING(id) WHERE o.tenant_id = ?1 AND i.tenant_id = ?1",
        &t,
        Unrestricted,
        "`orders`",
    );
}

#[test]
fn hidden_reads() {
    bad_in(
        Dialect::Sqlite,
        "SELECT (2, 1, 42) IN orders",
        &numbered(Dialect::Sqlite, 1),
        Unrestricted,
        "`orders`",
    );
    bad(
        "SELECT table_to_xml('orders', true, false, '')",
        HiddenRead,
        "table_to_xml",
    );
    bad(
        "SELECT query_to_xml('SELECT * FROM orders', true, false, '')",
        HiddenRead,
        "query_to_xml",
    );
    bad_in(
        Dialect::MySql,
        "SELECT 1 /*M! , (SELECT count(*) FROM orders) */",
        &TenantParam::Positional(vec![]),
        HiddenRead,
        "executable comment",
    );
    for sql in [
        "SELECT 1 /*!99999 , (SELECT count(*) FROM orders) */",
        "SELECT 1\n  /*!50700 , (SELECT count(*) FROM orders) */",
        "SELECT 1 /*! , (SELECT count(*) FROM orders) */",
    ] {
        bad_in(
            Dialect::MySql,
            sql,
            &TenantParam::Positional(vec![]),
            HiddenRead,
            "executable comment",
        );
    }
    bad_in(
        Dialect::MySql,
        "SELECT x.a --\u{a0}+ (SELECT count(*) FROM orders)\nFROM (SELECT 1 AS a) x",
        &TenantParam::Positional(vec![]),
        HiddenRead,
        "does not read",
    );
    // An ordinary comment is fine.
    ok_in(
        Dialect::MySql,
        "SELECT 1 -- (SELECT count(*) FROM orders)\n",
        &TenantParam::Positional(vec![]),
    );
    bad(
        "SELECT * FROM query_to_xml('SELECT * FROM orders', true, false, '') AS x",
        HiddenRead,
        "query_to_xml",
    );
    bad(
        "SELECT * FROM orders o, LATERAL query_to_xml('SELECT 1', true, false, '') AS x WHERE o.tenant_id = $1",
        HiddenRead,
        "query_to_xml",
    );
    // A set-returning function's rows come from its arguments; the subqueries in them are
    // checked like any other.
    ok("SELECT * FROM generate_series(1, 3)");
    ok("SELECT o.id, t.x FROM orders o CROSS JOIN LATERAL unnest(o.tags) AS t(x) WHERE o.tenant_id = $1");
    bad(
        "SELECT * FROM unnest(ARRAY(SELECT id FROM orders)) AS t(id)",
        Unrestricted,
        "orders",
    );
    bad("SELECT * FROM invoices", UndeclaredTable, "`invoices`");
    bad("TRUNCATE orders", Unverifiable, "TRUNCATE");
    bad(
        "SELECT * FROM orders AS o (a, b) WHERE o.tenant_id = $1",
        Unverifiable,
        "column alias list",
    );
}

#[test]
fn engine_outputs_pass_with_their_bind_plans() {
    for (dialect, sql) in [
        (Dialect::Postgres, "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.total > $1"),
        (Dialect::Postgres, "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN order_items i ON i.order_id = o.id RIGHT JOIN users u ON u.id = c.user_id"),
        (Dialect::Postgres, "INSERT INTO orders (id, total) SELECT id, total FROM orders WHERE id = $1"),
        (Dialect::Postgres, "INSERT INTO orders AS o (id, total) VALUES ($1, $2) ON CONFLICT (tenant_id, id) DO UPDATE SET total = excluded.total WHERE o.total < excluded.total"),
        (Dialect::Postgres, "WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING *) SELECT * FROM d"),
        (Dialect::Sqlite, "SELECT id FROM orders WHERE total > ? AND note = ? LIMIT ?"),
        (Dialect::Sqlite, "INSERT INTO orders (id, total) VALUES (?, ?) ON CONFLICT (tenant_id, id) DO UPDATE SET total = excluded.total"),
        (Dialect::MySql, "SELECT id FROM orders WHERE total > ? AND customer_id IN (SELECT id FROM customers WHERE name = ?) LIMIT ?"),
        (Dialect::MySql, "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.total = ? WHERE c.name = ?"),
        (Dialect::MySql, "DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = ?"),
        (Dialect::MySql, "INSERT INTO orders (id, total) VALUES (?, ?) ON DUPLICATE KEY UPDATE total = VALUES(total), note = 'a?b'"),
        (Dialect::Postgres, "SELECT * FROM countries WHERE id = $1"),
        (Dialect::Postgres, "SELECT i.id, p.id FROM orders i FULL JOIN customers p ON p.id = i.customer_id WHERE i.total > $1"),
        (Dialect::Postgres, "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id FULL JOIN order_items i USING (id)"),
        (Dialect::Postgres, "SELECT * FROM order_items i FULL JOIN (orders o LEFT JOIN customers c USING (id)) ON o.id = i.order_id"),
        (Dialect::Sqlite, "SELECT * FROM orders NATURAL FULL JOIN customers WHERE id > ?"),
        (Dialect::Sqlite, "SELECT * FROM orders o, customers c RIGHT JOIN order_items i USING (id)"),
        (Dialect::Sqlite, "SELECT * FROM orders o, customers c RIGHT JOIN countries k ON k.id = c.country_id"),
        (Dialect::MySql, "SELECT id, c.name FROM orders o LEFT JOIN customers c USING (id) WHERE o.total > ?"),
        (Dialect::MySql, "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id RIGHT JOIN countries k USING (id)"),
        (Dialect::Postgres, "SELECT o.id, p.key FROM orders o, jsonb_each_text(o.extra) p WHERE o.total > $1"),
        (Dialect::Postgres, "SELECT o.id, t.x FROM orders o LEFT JOIN LATERAL unnest(o.tags) AS t(x) ON true"),
        (Dialect::Postgres, "SELECT o.id, (SELECT count(*) FROM jsonb_object_keys(o.extra)) FROM orders o"),
        (Dialect::Postgres, "SELECT x FROM unnest(ARRAY(SELECT id FROM orders WHERE total > $1)) AS x"),
        (Dialect::Sqlite, "SELECT o.id, j.value FROM orders o, json_each(o.extra) AS j WHERE o.total > ?"),
        (Dialect::MySql, "SELECT o.id, j.a FROM orders o CROSS JOIN JSON_TABLE(o.extra, '$[*]' COLUMNS (a INT PATH '$.a')) AS j WHERE o.total > ?"),
    ] {
        let m = manifest(dialect);
        let out = rewrite(&m, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let report = check_rewritten(&m, sql, &out).unwrap();
        assert!(report.is_ok(), "{sql}\n=> {}\n{:#?}", out.sql, report.violations);
    }
}

#[test]
fn bind_plans_that_disagree_are_caught() {
    let m = manifest(Dialect::Postgres);
    let sql = "SELECT * FROM orders o WHERE o.id = $1";
    let mut out = rewrite(&m, sql).unwrap();
    // The tenant bound at the user's position.
    out.bind_plan.slots.swap(0, 1);
    let report = check_rewritten(&m, sql, &out).unwrap();
    assert!(
        report.violations.iter().any(|v| v.kind == BindPlan),
        "{:#?}",
        report.violations
    );
}

#[test]
fn tenant_set_rewrites_pass_and_a_set_predicate_on_the_wrong_placeholder_does_not() {
    use tenant_query_core::{rewrite_for_set, SetWrites};
    for (dialect, sql) in [
        (Dialect::Postgres, "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.total > $1"),
        (Dialect::Postgres, "SELECT name, value FROM settings WHERE name = $1"),
        (Dialect::Postgres, "UPDATE orders SET total = $1 WHERE id = $2"),
        (Dialect::Sqlite, "SELECT o.id FROM orders o WHERE o.id IN (SELECT order_id FROM order_items) AND o.total > ?"),
        (Dialect::Sqlite, "DELETE FROM orders WHERE id = ?"),
        (Dialect::MySql, "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > ?"),
        (Dialect::MySql, "DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = ?"),
    ] {
        let m = manifest(dialect);
        let out = rewrite_for_set(&m, sql, SetWrites::All).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let report = check_rewritten(&m, sql, &out).unwrap();
        assert!(report.is_ok(), "{sql}\n=> {}\n{:#?}", out.sql, report.violations);
    }
    // The membership of the user's own argument restricts nothing.
    bad_in(
        Dialect::Postgres,
        "SELECT * FROM orders o WHERE o.tenant_id = ANY($1::BIGINT[])",
        &numbered(Dialect::Postgres, 2),
        ViolationKind::Unrestricted,
        "orders",
    );
    bad_in(
        Dialect::Sqlite,
        "SELECT * FROM orders o WHERE o.tenant_id IN (SELECT value FROM json_each(?1))",
        &numbered(Dialect::Sqlite, 2),
        ViolationKind::Unrestricted,
        "orders",
    );
    // Nor does a subquery that reads more than the bound set.
    bad_in(
        Dialect::Sqlite,
        "SELECT * FROM orders o WHERE o.tenant_id IN (SELECT value FROM json_each(?1) UNION SELECT 7)",
        &numbered(Dialect::Sqlite, 1),
        ViolationKind::Unrestricted,
        "orders",
    );
}
