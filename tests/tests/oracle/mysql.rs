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
