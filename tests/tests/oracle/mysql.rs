//! MariaDB: the shared cases plus backquoted names, `LIMIT offset, count`, multi-table UPDATE
//! and DELETE, ON DUPLICATE KEY UPDATE, REPLACE and INSERT IGNORE.

use tenant_query_core::Dialect;
use tenant_query_tests::cases::{common_dml, common_selects};
use tenant_query_tests::check;
use tenant_query_tests::fixture::Val;
use tenant_query_tests::oracle::Case;

fn selects() -> Vec<Case> {
    let mut cases = common_selects(Dialect::MySql);
    cases.extend([
        Case::select(
            "backquoted names",
            "SELECT `id` FROM `orders` WHERE `total` > 20",
        ),
        Case::select(
            "LIMIT offset, count",
            "SELECT id FROM customers ORDER BY id LIMIT 1, 2",
        )
        .ordered(),
        Case::select(
            "placeholders around the tenant's",
            "SELECT o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND c.id > ? \
             WHERE o.total > ? ORDER BY o.id LIMIT ?",
        )
        .args(vec![Val::Int(1), Val::Int(20), Val::Int(4)])
        .ordered(),
        Case::select(
            "STRAIGHT_JOIN",
            "SELECT o.id, c.name FROM orders o STRAIGHT_JOIN customers c ON c.id = o.customer_id",
        )
        .may_reject(),
        Case::select(
            "index hint",
            "SELECT id FROM orders FORCE INDEX (PRIMARY) WHERE total > 20",
        )
        .may_reject(),
        Case::select(
            "parenthesised set operands with LIMIT",
            "(SELECT id FROM users ORDER BY id DESC LIMIT 2) \
             UNION ALL (SELECT id FROM customers ORDER BY id LIMIT 2)",
        ),
        Case::select(
            "VALUES in FROM",
            "SELECT v.`1`, c.name FROM (VALUES (1), (2), (5)) AS v LEFT JOIN customers c ON c.id = v.`1`",
        )
        .may_reject(),
        Case::select(
            "CTE names compare case-insensitively",
            "WITH Orders AS (SELECT 1 AS id) SELECT o.id, c.name FROM orders o \
             LEFT JOIN customers c ON c.id = o.id",
        ),
        Case::select(
            "FOR UPDATE",
            "SELECT id FROM orders WHERE total > 20 FOR UPDATE",
        ),
        Case::select(
            "derived table with arguments inside and outside",
            "SELECT x.id FROM (SELECT id, total FROM orders WHERE total > ?) x \
             JOIN customers c ON c.id = x.id AND c.name <> ? WHERE x.total < ?",
        )
        .args(vec![Val::Int(15), Val::text("c2-1"), Val::Int(55)]),
    ]);
    cases
}

fn dml() -> Vec<Case> {
    let mut cases = common_dml(Dialect::MySql);
    cases.extend([
        Case::dml(
            "multi-table UPDATE with JOIN",
            "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.total = o.total + c.id",
        ),
        Case::dml(
            "multi-table UPDATE with LEFT JOIN",
            "UPDATE orders o LEFT JOIN customers c ON c.id = o.customer_id \
             SET o.status = 'orphan' WHERE c.id IS NULL",
        ),
        Case::dml(
            "multi-table UPDATE of both tables",
            "UPDATE orders o JOIN customers c ON c.id = o.customer_id \
             SET o.status = 'seen', c.name = 'buyer' WHERE o.total > ?",
        )
        .args(vec![Val::Int(30)]),
        Case::dml(
            "multi-table DELETE",
            "DELETE i FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'paid'",
        ),
        Case::dml(
            "multi-table DELETE of both tables",
            "DELETE o, i FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.total > 40",
        ),
        Case::dml(
            "UPDATE with ORDER BY and LIMIT",
            "UPDATE orders SET status = 'first' ORDER BY total DESC, id LIMIT 2",
        ),
        Case::dml(
            "DELETE with ORDER BY and LIMIT",
            "DELETE FROM orders ORDER BY total, id LIMIT 2",
        ),
        Case::dml(
            "ON DUPLICATE KEY UPDATE on the tenant's own key",
            "INSERT INTO customers (id, name, email) VALUES (1, 'renamed', 'fresh@x.test') \
             ON DUPLICATE KEY UPDATE name = VALUES(name)",
        ),
        Case::dml(
            "ON DUPLICATE KEY UPDATE with arguments and several assignments",
            "INSERT INTO orders (id, customer_id, total, status) VALUES (1, ?, ?, 'new') \
             ON DUPLICATE KEY UPDATE total = total + ?, status = 'bumped'",
        )
        .args(vec![Val::Int(2), Val::Int(15), Val::Int(1000)]),
        Case::dml(
            "ON DUPLICATE KEY UPDATE on a key across tenants (the classic leak)",
            "INSERT INTO customers (id, name, email) VALUES (50, 'intruder', 'c2_1@example.test') \
             ON DUPLICATE KEY UPDATE name = VALUES(name)",
        )
        .isolation_only(),
        Case::dml(
            "ON DUPLICATE KEY UPDATE across tenants reading the old row",
            "INSERT INTO customers (id, name, email) VALUES (51, 'intruder', 'c3_2@example.test') \
             ON DUPLICATE KEY UPDATE name = CONCAT(name, '!'), country_code = 'XX'",
        )
        .isolation_only(),
        Case::dml(
            "REPLACE across tenants",
            "REPLACE INTO customers (id, name, email) VALUES (50, 'intruder', 'c2_1@example.test')",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "INSERT IGNORE across tenants",
            "INSERT IGNORE INTO customers (id, name, email) \
             VALUES (50, 'intruder', 'c2_1@example.test'), (1, 'dup', 'fresh@x.test')",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "DELETE ... RETURNING",
            "DELETE FROM customers WHERE id > 3 RETURNING id, name",
        )
        .may_reject(),
        Case::dml(
            "INSERT ... RETURNING the stamped tenant",
            "INSERT INTO users (id, name) VALUES (50, 'new') RETURNING id, name, tenant_id",
        )
        .may_reject(),
        Case::dml(
            "multi-table DELETE anti-join through LEFT JOIN",
            "DELETE o FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL",
        ),
        Case::dml(
            "multi-table UPDATE of the nullable side",
            "UPDATE orders o LEFT JOIN customers c ON c.id = o.customer_id \
             SET c.name = 'has orders', o.status = 'checked'",
        ),
        Case::dml(
            "comma multi-table UPDATE",
            "UPDATE orders o, customers c SET o.status = c.name WHERE c.id = o.customer_id",
        )
        .may_reject(),
        Case::dml(
            "multi-table UPDATE joining a derived table of the same table",
            "UPDATE orders o JOIN (SELECT customer_id, COUNT(*) AS n FROM orders \
             GROUP BY customer_id) x ON x.customer_id = o.customer_id SET o.total = x.n",
        ),
        Case::dml(
            "multi-table UPDATE with arguments in ON, SET and WHERE",
            "UPDATE orders o JOIN customers c ON c.id = o.customer_id AND c.id > ? \
             SET o.total = ? WHERE o.status <> ?",
        )
        .args(vec![Val::Int(1), Val::Int(999), Val::text("paid")]),
        Case::dml(
            "UPDATE with a subquery and ORDER BY LIMIT",
            "UPDATE orders SET total = total + 1 WHERE customer_id IN (SELECT id FROM customers) \
             ORDER BY id LIMIT 2",
        ),
        Case::dml(
            "INSERT ... SELECT from another table ... ON DUPLICATE KEY UPDATE",
            "INSERT INTO customers (id, name, email) \
             SELECT u.id, 'from user', CONCAT('u', u.id, '@x.test') FROM users u \
             ON DUPLICATE KEY UPDATE email = CONCAT('dup-', VALUES(email))",
        ),
        Case::dml(
            "ON DUPLICATE KEY UPDATE from a subquery",
            "INSERT INTO customers (id, name, email) VALUES (1, 'x', 'fresh@x.test') \
             ON DUPLICATE KEY UPDATE name = (SELECT COALESCE(MAX(status), 'none') FROM orders)",
        ),
        Case::dml(
            "ON DUPLICATE KEY UPDATE whose later assignment reads an earlier one",
            "INSERT INTO orders (id, total, status) VALUES (2, 5, 'new') \
             ON DUPLICATE KEY UPDATE total = total + 100, status = IF(total > 100, 'big', 'small')",
        ),
        Case::dml(
            "ON DUPLICATE KEY UPDATE of the tenant column",
            "INSERT INTO customers (id, name, email) VALUES (1, 'x', 'fresh@x.test') \
             ON DUPLICATE KEY UPDATE tenant_id = 2",
        )
        .may_reject(),
        Case::dml(
            "multi-table UPDATE of the tenant column",
            "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET c.tenant_id = 3",
        )
        .may_reject(),
        Case::dml(
            "INSERT ... SET",
            "INSERT INTO audit_log SET id = 300, action = 'set'",
        )
        .may_reject(),
        Case::dml(
            "REPLACE ... SELECT",
            "REPLACE INTO customers (id, name, email) SELECT id, 'r', email FROM customers",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "UPDATE IGNORE",
            "UPDATE IGNORE customers SET email = 'c2_1@example.test' WHERE id = 1",
        )
        .isolation_only()
        .may_reject(),
    ]);
    cases
}

#[tokio::test]
async fn mysql_queries_match_the_oracle() {
    check(Dialect::MySql, "mariadb queries", selects()).await;
}

#[tokio::test]
async fn mysql_statements_match_the_oracle() {
    check(Dialect::MySql, "mariadb statements", dml()).await;
}
