//! The rewritten SQL for every construct of the contract, per dialect. Each expectation was
//! reviewed by eye: the tenant predicate sits where it restricts exactly that table.

mod common;

use tenant_query_core::{rewrite, BindSlot, Dialect};

#[track_caller]
fn check(dialect: Dialect, sql: &str, expected: &str) {
    let out = rewrite(&common::manifest(dialect), sql)
        .unwrap_or_else(|e| panic!("rewrite failed for {sql:?}:\n{e}"));
    assert_eq!(out.sql, expected, "\ninput: {sql}");
}

#[track_caller]
fn pg(sql: &str, expected: &str) {
    check(Dialect::Postgres, sql, expected);
}

#[test]
fn select_from_one_table() {
    pg(
        "SELECT * FROM orders",
        "SELECT * FROM orders WHERE orders.tenant_id = $1",
    );
    pg(
        "SELECT * FROM orders o WHERE o.total > $1",
        "SELECT * FROM orders o WHERE (o.total > $1) AND o.tenant_id = $2",
    );
    // The existing condition is parenthesised: `a OR b AND t` would leak.
    pg(
        "SELECT * FROM orders WHERE a = 1 OR b = 2",
        "SELECT * FROM orders WHERE (a = 1 OR b = 2) AND orders.tenant_id = $1",
    );
    pg(
        "SELECT * FROM public.orders",
        "SELECT * FROM public.orders WHERE public.orders.tenant_id = $1",
    );
    pg(
        "SELECT * FROM billing.invoices i",
        "SELECT * FROM billing.invoices i WHERE i.tenant_id = $1",
    );
    pg(
        "SELECT * FROM ONLY orders FOR UPDATE",
        "SELECT * FROM ONLY orders WHERE orders.tenant_id = $1 FOR UPDATE",
    );
    pg(
        "SELECT sum(total) OVER (PARTITION BY customer_id) FROM orders",
        "SELECT sum(total) OVER (PARTITION BY customer_id) FROM orders WHERE orders.tenant_id = $1",
    );
}

#[test]
fn per_table_tenant_column() {
    pg(
        "SELECT u.email FROM users u",
        "SELECT u.email FROM users u WHERE u.org_id = $1",
    );
}

#[test]
fn bare_names_that_are_not_checked_columns() {
    // Aliases, correlated names, several tables in scope and functions are not column errors.
    pg(
        "SELECT email AS e FROM users GROUP BY e HAVING count(*) > 1 ORDER BY e",
        "SELECT email AS e FROM users WHERE users.org_id = $1 GROUP BY e HAVING count(*) > 1 ORDER BY e",
    );
    pg(
        "SELECT id FROM orders o WHERE EXISTS (SELECT 1 FROM users WHERE users.id = customer_id)",
        "SELECT id FROM orders o WHERE (EXISTS (SELECT 1 FROM users WHERE (users.id = customer_id) AND users.org_id = $1)) AND o.tenant_id = $1",
    );
    pg(
        "SELECT current_date, email FROM users",
        "SELECT current_date, email FROM users WHERE users.org_id = $1",
    );
    check(
        Dialect::Sqlite,
        "SELECT id * 2 AS twice FROM users WHERE twice > 2 AND name = \"x\"",
        "SELECT id * 2 AS twice FROM users WHERE (twice > 2 AND name = \"x\") AND users.org_id = ?1",
    );
}

#[test]
fn global_tables_pass_through_unchanged() {
    for sql in [
        "SELECT * FROM countries WHERE id = $1",
        "SELECT * FROM countries a FULL JOIN countries b ON a.id = b.id",
        "SELECT * FROM countries LEFT JOIN countries c2 USING (id)",
        "INSERT INTO countries VALUES (1, 'x')",
        "SELECT 1",
        // A CTE that shadows a table is not that table.
        "WITH orders AS (SELECT 1 AS id) SELECT * FROM orders",
    ] {
        let out = rewrite(&common::manifest(Dialect::Postgres), sql).unwrap();
        assert_eq!(out.sql, sql);
        assert!(!out.bind_plan.slots.contains(&BindSlot::Tenant));
        assert!(out.scoped_tables.is_empty());
    }
}

#[test]
fn global_statements_with_comments_are_sent_as_parsed() {
    // What the parser took for a comment is not sent: a database that reads it differently
    // cannot run hidden SQL.
    let m = common::manifest(Dialect::MySql);
    let out = rewrite(
        &m,
        "SELECT x.a -- + (SELECT count(*) FROM orders)\nFROM countries x WHERE x.id = ?",
    )
    .unwrap();
    assert_eq!(out.sql, "SELECT x.a FROM countries x WHERE x.id = ?");
    // MySQL reads `--` followed by a no-break space as code, the parser as a comment.
    let err = rewrite(
        &m,
        "SELECT x.a --\u{a0}+ (SELECT count(*) FROM orders)\nFROM countries x",
    )
    .unwrap_err();
    assert!(err.message.contains("only when a space follows"), "{err}");
    assert_eq!(out.bind_plan.slots, [BindSlot::Arg(0)]);
    let out = rewrite(
        &common::manifest(Dialect::Sqlite),
        "SELECT * FROM countries /* note */ WHERE id = ? AND code = ?",
    )
    .unwrap();
    assert_eq!(
        out.sql,
        "SELECT * FROM countries WHERE id = ?1 AND code = ?2"
    );
    let checked = tenant_query_core::check_unscoped(
        &common::manifest(Dialect::Postgres),
        "SELECT count(*) FROM orders -- every tenant\n WHERE total > $1",
    )
    .unwrap();
    assert_eq!(checked.sql, "SELECT count(*) FROM orders WHERE total > $1");
}

#[test]
fn inner_and_cross_joins() {
    pg(
        "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id",
        "SELECT o.id, c.name FROM orders o JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = $1 WHERE o.tenant_id = $1",
    );
    pg(
        "SELECT * FROM orders o, customers c, countries k WHERE o.customer_id = c.id",
        "SELECT * FROM orders o, customers c, countries k WHERE (o.customer_id = c.id) AND o.tenant_id = $1 AND c.tenant_id = $1",
    );
    pg(
        "SELECT * FROM orders o CROSS JOIN customers c",
        "SELECT * FROM orders o CROSS JOIN customers c WHERE o.tenant_id = $1 AND c.tenant_id = $1",
    );
    pg(
        "SELECT * FROM orders NATURAL JOIN customers",
        "SELECT * FROM orders NATURAL JOIN customers WHERE orders.tenant_id = $1 AND customers.tenant_id = $1",
    );
    pg(
        "SELECT * FROM orders JOIN customers USING (id)",
        "SELECT * FROM orders JOIN customers USING(id) WHERE orders.tenant_id = $1 AND customers.tenant_id = $1",
    );
}

#[test]
fn outer_joins_stay_outer() {
    // The nullable side's predicate goes into ON; in WHERE it would drop the unmatched rows.
    pg(
        "SELECT o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL",
        "SELECT o.id FROM orders o LEFT JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = $1 WHERE (c.id IS NULL) AND o.tenant_id = $1",
    );
    pg(
        "SELECT * FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id",
        "SELECT * FROM orders o RIGHT JOIN customers c ON (c.id = o.customer_id) AND o.tenant_id = $1 WHERE c.tenant_id = $1",
    );
    // Everything left of a RIGHT JOIN is its nullable side.
    pg(
        "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN order_items i ON i.order_id = o.id RIGHT JOIN users u ON u.id = c.user_id",
        "SELECT * FROM orders o JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = $1 LEFT JOIN order_items i ON (i.order_id = o.id) AND i.tenant_id = $1 RIGHT JOIN users u ON (u.id = c.user_id) AND o.tenant_id = $1 WHERE u.org_id = $1",
    );
    // A parenthesised join on the nullable side: its own predicates stay inside or in the ON.
    pg(
        "SELECT * FROM orders o LEFT JOIN (customers c JOIN users u ON u.id = c.user_id) ON c.id = o.customer_id",
        "SELECT * FROM orders o LEFT JOIN (customers c JOIN users u ON (u.id = c.user_id) AND u.org_id = $1) ON (c.id = o.customer_id) AND c.tenant_id = $1 WHERE o.tenant_id = $1",
    );
    pg(
        "SELECT * FROM countries k LEFT JOIN (customers c CROSS JOIN order_items i) ON c.country_id = k.id",
        "SELECT * FROM countries k LEFT JOIN (customers c CROSS JOIN order_items i) ON (c.country_id = k.id) AND c.tenant_id = $1 AND i.tenant_id = $1",
    );
}

#[test]
fn subqueries_everywhere() {
    pg(
        "SELECT * FROM (SELECT * FROM orders) AS x",
        "SELECT * FROM (SELECT * FROM orders WHERE orders.tenant_id = $1) AS x",
    );
    pg(
        "SELECT (SELECT count(*) FROM orders), id FROM customers WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customers.id) AND id IN (SELECT customer_id FROM orders)",
        "SELECT (SELECT count(*) FROM orders WHERE orders.tenant_id = $1), id FROM customers WHERE (EXISTS (SELECT 1 FROM orders o WHERE (o.customer_id = customers.id) AND o.tenant_id = $1) AND id IN (SELECT customer_id FROM orders WHERE orders.tenant_id = $1)) AND customers.tenant_id = $1",
    );
    pg(
        "SELECT customer_id, count(*) FROM orders GROUP BY customer_id HAVING count(*) > (SELECT count(*) FROM customers)",
        "SELECT customer_id, count(*) FROM orders WHERE orders.tenant_id = $1 GROUP BY customer_id HAVING count(*) > (SELECT count(*) FROM customers WHERE customers.tenant_id = $1)",
    );
    pg(
        "SELECT * FROM orders o JOIN customers c ON c.id = (SELECT max(id) FROM customers)",
        "SELECT * FROM orders o JOIN customers c ON (c.id = (SELECT max(id) FROM customers WHERE customers.tenant_id = $1)) AND c.tenant_id = $1 WHERE o.tenant_id = $1",
    );
    pg(
        "SELECT * FROM orders o ORDER BY (SELECT max(id) FROM customers) LIMIT 5",
        "SELECT * FROM orders o WHERE o.tenant_id = $1 ORDER BY (SELECT max(id) FROM customers WHERE customers.tenant_id = $1) LIMIT 5",
    );
    pg(
        "SELECT * FROM orders o WHERE o.id = ANY(SELECT order_id FROM order_items)",
        "SELECT * FROM orders o WHERE (o.id = ANY(SELECT order_id FROM order_items WHERE order_items.tenant_id = $1)) AND o.tenant_id = $1",
    );
    pg(
        "SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.customer_id = c.id) x",
        "SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE (o.customer_id = c.id) AND o.tenant_id = $1) x WHERE c.tenant_id = $1",
    );
    pg(
        "SELECT * FROM orders o JOIN LATERAL (SELECT * FROM customers c WHERE c.id = o.customer_id) x ON true",
        "SELECT * FROM orders o JOIN LATERAL (SELECT * FROM customers c WHERE (c.id = o.customer_id) AND c.tenant_id = $1) x ON true WHERE o.tenant_id = $1",
    );
}

#[test]
fn ctes_and_set_operations() {
    pg(
        "WITH recent AS (SELECT * FROM orders WHERE created > now()) SELECT * FROM recent",
        "WITH recent AS (SELECT * FROM orders WHERE (created > now()) AND orders.tenant_id = $1) SELECT * FROM recent",
    );
    pg(
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM t WHERE n < 5) SELECT * FROM t JOIN orders ON orders.id = t.n",
        "WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t JOIN orders ON (orders.id = t.n) AND orders.tenant_id = $1",
    );
    // `orders` inside the first CTE is the table: the CTE of that name comes later.
    pg(
        "WITH a AS (SELECT * FROM orders), orders AS (SELECT * FROM a) SELECT * FROM orders",
        "WITH a AS (SELECT * FROM orders WHERE orders.tenant_id = $1), orders AS (SELECT * FROM a) SELECT * FROM orders",
    );
    // A non-recursive CTE that names itself reads the table.
    pg(
        "WITH orders AS (SELECT * FROM orders) SELECT * FROM orders",
        "WITH orders AS (SELECT * FROM orders WHERE orders.tenant_id = $1) SELECT * FROM orders",
    );
    // A schema-qualified name is never a CTE.
    pg(
        "WITH orders AS (SELECT 1) SELECT * FROM public.orders",
        "WITH orders AS (SELECT 1) SELECT * FROM public.orders WHERE public.orders.tenant_id = $1",
    );
    pg(
        "SELECT id FROM orders UNION SELECT id FROM customers INTERSECT SELECT id FROM order_items EXCEPT SELECT id FROM countries",
        "SELECT id FROM orders WHERE orders.tenant_id = $1 UNION SELECT id FROM customers WHERE customers.tenant_id = $1 INTERSECT SELECT id FROM order_items WHERE order_items.tenant_id = $1 EXCEPT SELECT id FROM countries",
    );
    // Under RECURSIVE, PostgreSQL resolves a later sibling CTE too.
    pg(
        "WITH RECURSIVE x AS (SELECT id FROM orders), orders AS (SELECT 1 AS id) SELECT * FROM x",
        "WITH RECURSIVE x AS (SELECT id FROM orders), orders AS (SELECT 1 AS id) SELECT * FROM x",
    );
    // SQLite resolves every sibling, with or without RECURSIVE.
    check(
        Dialect::Sqlite,
        "WITH x AS (SELECT id FROM orders), orders AS (SELECT 1 AS id) SELECT * FROM x JOIN customers c ON c.id = x.id",
        "WITH x AS (SELECT id FROM orders), orders AS (SELECT 1 AS id) SELECT * FROM x JOIN customers c ON (c.id = x.id) AND c.tenant_id = ?1",
    );
    // The target of UPDATE and DELETE is the table even when a CTE of that name is in scope;
    // the subquery reads the CTE.
    pg(
        "WITH orders AS (SELECT 1 AS id) DELETE FROM orders WHERE id IN (SELECT id FROM orders)",
        "WITH orders AS (SELECT 1 AS id) DELETE FROM orders WHERE (id IN (SELECT id FROM orders)) AND orders.tenant_id = $1",
    );
    pg(
        "WITH customers AS (SELECT 2 AS id) UPDATE customers SET name = 'cte' WHERE id IN (SELECT id FROM customers)",
        "WITH customers AS (SELECT 2 AS id) UPDATE customers SET name = 'cte' WHERE (id IN (SELECT id FROM customers)) AND customers.tenant_id = $1",
    );
    pg(
        "WITH orders AS (SELECT 1 AS id), d AS (DELETE FROM orders WHERE id IN (SELECT id FROM orders) RETURNING id) SELECT id FROM d",
        "WITH orders AS (SELECT 1 AS id), d AS (DELETE FROM orders WHERE (id IN (SELECT id FROM orders)) AND orders.tenant_id = $1 RETURNING id) SELECT id FROM d",
    );
    pg(
        "VALUES (1), ((SELECT max(id) FROM orders))",
        "VALUES (1), ((SELECT max(id) FROM orders WHERE orders.tenant_id = $1))",
    );
    pg(
        "WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING *) SELECT * FROM d",
        "WITH d AS (DELETE FROM orders WHERE (id = 1) AND orders.tenant_id = $1 RETURNING *) SELECT * FROM d",
    );
}

#[test]
fn update_and_delete() {
    pg(
        "UPDATE orders SET total = $1 WHERE id = $2",
        "UPDATE orders SET total = $1 WHERE (id = $2) AND orders.tenant_id = $3",
    );
    pg(
        "UPDATE orders o SET total = c.x FROM customers c WHERE c.id = o.customer_id",
        "UPDATE orders o SET total = c.x FROM customers c WHERE (c.id = o.customer_id) AND o.tenant_id = $1 AND c.tenant_id = $1",
    );
    pg(
        "UPDATE orders SET total = (SELECT max(total) FROM orders) RETURNING id",
        "UPDATE orders SET total = (SELECT max(total) FROM orders WHERE orders.tenant_id = $1) WHERE orders.tenant_id = $1 RETURNING id",
    );
    pg(
        "DELETE FROM orders",
        "DELETE FROM orders WHERE orders.tenant_id = $1",
    );
    pg(
        "DELETE FROM orders o USING customers c WHERE c.id = o.customer_id",
        "DELETE FROM orders o USING customers c WHERE (c.id = o.customer_id) AND o.tenant_id = $1 AND c.tenant_id = $1",
    );
    pg(
        "DELETE FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name = $1)",
        "DELETE FROM orders WHERE (customer_id IN (SELECT id FROM customers WHERE (name = $1) AND customers.tenant_id = $2)) AND orders.tenant_id = $2",
    );
}

#[test]
fn inserts_are_stamped() {
    pg(
        "INSERT INTO orders (id, total) VALUES ($1, $2), ($3, $4)",
        "INSERT INTO orders (id, total, tenant_id) VALUES ($1, $2, $5), ($3, $4, $5)",
    );
    pg(
        "INSERT INTO orders (id, total) SELECT id, total FROM orders WHERE id = $1",
        "INSERT INTO orders (id, total, tenant_id) SELECT id, total, $2 FROM orders WHERE (id = $1) AND orders.tenant_id = $2",
    );
    pg(
        "INSERT INTO orders (id) SELECT id FROM countries UNION SELECT id FROM customers",
        "INSERT INTO orders (id, tenant_id) SELECT id, $1 FROM countries UNION SELECT id, $1 FROM customers WHERE customers.tenant_id = $1",
    );
    pg(
        "INSERT INTO users (id, email) VALUES ($1, $2) RETURNING id",
        "INSERT INTO users (id, email, org_id) VALUES ($1, $2, $3) RETURNING id",
    );
}

#[test]
fn upserts_only_update_the_tenants_row() {
    pg(
        "INSERT INTO orders (id, total) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET total = excluded.total RETURNING id",
        "INSERT INTO orders (id, total, tenant_id) VALUES ($1, $2, $3) ON CONFLICT(id) DO UPDATE SET total = excluded.total WHERE orders.tenant_id = $3 RETURNING id",
    );
    pg(
        "INSERT INTO orders AS o (id, total) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET total = excluded.total WHERE o.total < excluded.total",
        "INSERT INTO orders AS o (id, total, tenant_id) VALUES ($1, $2, $3) ON CONFLICT(id) DO UPDATE SET total = excluded.total WHERE (o.total < excluded.total) AND o.tenant_id = $3",
    );
    pg(
        "INSERT INTO orders (id, total) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        "INSERT INTO orders (id, total, tenant_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    );
}

#[test]
fn mysql_positional_placeholders_and_bind_plan() {
    let m = common::manifest(Dialect::MySql);
    let out = rewrite(
        &m,
        "SELECT id FROM orders WHERE total > ? AND customer_id IN (SELECT id FROM customers WHERE name = ?) LIMIT ?",
    )
    .unwrap();
    assert_eq!(
        out.sql,
        "SELECT id FROM orders WHERE (total > ? AND customer_id IN (SELECT id FROM customers WHERE (name = ?) AND customers.tenant_id = ?)) AND orders.tenant_id = ? LIMIT ?"
    );
    use BindSlot::*;
    assert_eq!(
        out.bind_plan.slots,
        [Arg(0), Arg(1), Tenant, Tenant, Arg(2)]
    );
    // A `?` inside a string literal is not a placeholder.
    let out = rewrite(
        &m,
        "SELECT `o`.id FROM `orders` `o` WHERE o.note = 'it''s ?' AND o.id = ?",
    )
    .unwrap();
    assert_eq!(
        out.sql,
        "SELECT `o`.id FROM `orders` `o` WHERE (o.note = 'it''s ?' AND o.id = ?) AND `o`.tenant_id = ?"
    );
    assert_eq!(out.bind_plan.slots, [Arg(0), Tenant]);
}

#[test]
fn mysql_multi_table_dml_and_duplicate_key_update() {
    let m = Dialect::MySql;
    check(
        m,
        "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.total = ? WHERE c.name = ?",
        "UPDATE orders o JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = ? SET o.total = ? WHERE (c.name = ?) AND o.tenant_id = ?",
    );
    check(
        m,
        "DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = ?",
        "DELETE o FROM orders o JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = ? WHERE (c.name = ?) AND o.tenant_id = ?",
    );
    // Another tenant's conflicting row keeps every value.
    check(
        m,
        "INSERT INTO orders (id, total) VALUES (?, ?) ON DUPLICATE KEY UPDATE total = VALUES(total), note = 'a?b'",
        "INSERT INTO orders (id, total, tenant_id) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE total = IF(orders.tenant_id = ?, VALUES(total), orders.total), note = IF(orders.tenant_id = ?, 'a?b', orders.note)",
    );
    // After INSERT … SELECT, the old value and the guard are qualified with the target's name,
    // which the SELECT does not expose.
    check(
        m,
        "INSERT INTO customers (id, name) SELECT c.id, 'copy' FROM customers c ON DUPLICATE KEY UPDATE name = 'dup'",
        "INSERT INTO customers (id, name, tenant_id) SELECT c.id, 'copy', ? FROM customers c WHERE c.tenant_id = ? ON DUPLICATE KEY UPDATE name = IF(customers.tenant_id = ?, 'dup', customers.name)",
    );
    // The names after FROM are targets naming relations of USING, which are scoped.
    check(
        m,
        "DELETE FROM i USING order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'shipped'",
        "DELETE FROM i USING order_items i JOIN orders o ON (o.id = i.order_id) AND o.tenant_id = ? WHERE (o.status = 'shipped') AND i.tenant_id = ?",
    );
    check(
        m,
        "SELECT * FROM orders o STRAIGHT_JOIN customers c ON c.id = o.customer_id",
        "SELECT * FROM orders o STRAIGHT_JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = ? WHERE o.tenant_id = ?",
    );
}

#[test]
fn sqlite_numbered_placeholders() {
    let s = Dialect::Sqlite;
    // Bare `?` are numbered in text order so the tenant's `?N` cannot shift them.
    let out = rewrite(
        &common::manifest(s),
        "SELECT id FROM orders WHERE total > ? AND note = ? LIMIT ?",
    )
    .unwrap();
    assert_eq!(
        out.sql,
        "SELECT id FROM orders WHERE (total > ?1 AND note = ?2) AND orders.tenant_id = ?4 LIMIT ?3"
    );
    assert_eq!(out.bind_plan.user_args, 3);
    check(
        s,
        "SELECT id FROM orders WHERE total > ?2 AND note = ?1",
        "SELECT id FROM orders WHERE (total > ?2 AND note = ?1) AND orders.tenant_id = ?3",
    );
    check(
        s,
        "INSERT INTO orders (id, total) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET total = excluded.total",
        "INSERT INTO orders (id, total, tenant_id) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET total = excluded.total WHERE orders.tenant_id = ?3",
    );
    // `$1` would get SQLite's next free index rather than index 1.
    check(
        s,
        "SELECT id FROM orders WHERE total > $2 AND note = $1",
        "SELECT id FROM orders WHERE (total > ?2 AND note = ?1) AND orders.tenant_id = ?3",
    );
    check(
        s,
        "INSERT OR IGNORE INTO orders (id) VALUES (1)",
        "INSERT OR IGNORE INTO orders (id, tenant_id) VALUES (1, ?1)",
    );
    check(
        s,
        "SELECT * FROM main.orders",
        "SELECT * FROM main.orders WHERE main.orders.tenant_id = ?1",
    );
}

#[test]
fn quoted_names_follow_the_dialect() {
    pg(
        "SELECT * FROM \"orders\" \"O\"",
        "SELECT * FROM \"orders\" \"O\" WHERE \"O\".tenant_id = $1",
    );
    pg(
        "SELECT * FROM ORDERS",
        "SELECT * FROM ORDERS WHERE ORDERS.tenant_id = $1",
    );
    check(
        Dialect::Sqlite,
        "SELECT * FROM \"ORDERS\"",
        "SELECT * FROM \"ORDERS\" WHERE \"ORDERS\".tenant_id = ?1",
    );
}
