//! SQLite: the shared cases plus numbered `?NNN` placeholders, VALUES, FULL JOIN of global
//! tables, UPDATE ... FROM, RETURNING, ON CONFLICT and INSERT OR REPLACE.

use tenant_query_core::Dialect;
use tenant_query_tests::cases::{common_dml, common_selects};
use tenant_query_tests::check;
use tenant_query_tests::fixture::Val;
use tenant_query_tests::oracle::Case;

fn selects() -> Vec<Case> {
    let mut cases = common_selects(Dialect::Sqlite);
    cases.extend([
        Case::select(
            "numbered placeholders out of order",
            "SELECT id FROM orders WHERE total > ?2 AND status <> ?1",
        )
        .args(vec![Val::text("new"), Val::Int(20)]),
        Case::select(
            "a numbered placeholder used twice",
            "SELECT id FROM orders WHERE customer_id = ?1 OR id = ?1",
        )
        .args(vec![Val::Int(2)]),
        Case::select(
            "VALUES in FROM",
            "SELECT v.column1, c.name FROM (VALUES (1), (2), (5)) AS v \
             LEFT JOIN customers c ON c.id = v.column1",
        ),
        Case::select(
            "FULL JOIN of global tables",
            "SELECT t.id, k.country_code FROM tenants t \
             FULL JOIN countries k ON k.country_code = t.home_country",
        ),
        Case::select(
            "FULL JOIN of a global table and a scoped derived table",
            "SELECT t.id, u.id FROM tenants t FULL JOIN (SELECT id FROM users) u ON u.id = t.id",
        ),
        Case::select(
            "upper-case names",
            "SELECT ID, TOTAL FROM ORDERS WHERE TOTAL > 20",
        ),
        Case::select(
            "quoted names",
            "SELECT \"id\" FROM \"orders\" WHERE \"total\" > 20",
        ),
    ]);
    cases
}

fn dml() -> Vec<Case> {
    let mut cases = common_dml(Dialect::Sqlite);
    cases.extend([
        Case::dml(
            "UPDATE ... FROM",
            "UPDATE orders SET total = orders.total + c.id FROM customers c \
             WHERE c.id = orders.customer_id",
        ),
        Case::dml(
            "UPDATE ... RETURNING",
            "UPDATE orders SET total = total * 2 WHERE status = 'paid' RETURNING id, total",
        ),
        Case::dml(
            "DELETE ... RETURNING",
            "DELETE FROM customers WHERE id > 3 RETURNING id, name",
        ),
        Case::dml(
            "INSERT ... RETURNING the stamped tenant",
            "INSERT INTO users (id, name) VALUES (50, 'new') RETURNING id, name, tenant_id",
        ),
        Case::dml(
            "ON CONFLICT on the tenant's own key DO UPDATE",
            "INSERT INTO customers (id, name, email) VALUES (1, 'renamed', 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        ),
        Case::dml(
            "ON CONFLICT DO UPDATE with numbered arguments",
            "INSERT INTO customers (id, name, email) VALUES (?1, ?2, 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = ?2 || '!'",
        )
        .args(vec![Val::Int(2), Val::text("upserted")]),
        Case::dml(
            "ON CONFLICT DO NOTHING",
            "INSERT INTO customers (id, name, email) VALUES (1, 'x', 'fresh@x.test'), \
             (60, 'y', 'other@x.test') ON CONFLICT DO NOTHING",
        ),
        Case::dml(
            "ON CONFLICT on a key across tenants DO UPDATE (the classic leak)",
            "INSERT INTO customers (id, name, email) VALUES (50, 'intruder', 'c2_1@example.test') \
             ON CONFLICT (email) DO UPDATE SET name = excluded.name",
        )
        .isolation_only(),
        Case::dml(
            "INSERT OR REPLACE across tenants",
            "INSERT OR REPLACE INTO customers (id, name, email) \
             VALUES (50, 'intruder', 'c2_1@example.test')",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "REPLACE across tenants",
            "REPLACE INTO customers (id, name, email) VALUES (50, 'intruder', 'c3_1@example.test')",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "UPDATE OR REPLACE onto another tenant's unique key",
            "UPDATE OR REPLACE customers SET email = 'c2_1@example.test' WHERE id = 1",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "UPDATE OR IGNORE",
            "UPDATE OR IGNORE customers SET email = 'c2_1@example.test' WHERE id = 1",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "ON CONFLICT across tenants DO UPDATE WHERE with OR",
            "INSERT INTO customers (id, name, email) VALUES (52, 'intruder', 'c1_1@example.test') \
             ON CONFLICT (email) DO UPDATE SET name = excluded.name \
             WHERE customers.country_code IS NULL OR customers.id > 100",
        )
        .isolation_only(),
        Case::dml(
            "INSERT ... SELECT ... ON CONFLICT DO UPDATE",
            "INSERT INTO customers (id, name, email) \
             SELECT id, 'copy', 'copy' || id || '@x.test' FROM customers WHERE true \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        ),
        Case::dml(
            "ON CONFLICT DO UPDATE of the tenant column",
            "INSERT INTO customers (id, name, email) VALUES (1, 'x', 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET tenant_id = 2",
        )
        .may_reject(),
        Case::dml(
            "UPDATE SET a row from a subquery",
            "UPDATE orders SET (total, status) = \
             (SELECT COALESCE(MAX(i.price), 0), COALESCE(MAX(i.product), 'none') \
             FROM order_items i WHERE i.order_id = orders.id) WHERE id < 4",
        ),
        Case::dml(
            "UPDATE ... FROM a LEFT JOIN of scoped tables",
            "UPDATE customers SET name = COALESCE(o.status, 'no order') \
             FROM customers c2 LEFT JOIN orders o ON o.customer_id = c2.id AND o.total > 40 \
             WHERE c2.id = customers.id",
        ),
        Case::dml(
            "RETURNING a scalar subquery",
            "UPDATE orders SET total = total + 1 WHERE id < 4 \
             RETURNING id, (SELECT c.name FROM customers c WHERE c.id = orders.customer_id)",
        ),
        Case::dml(
            "INSERT OR IGNORE",
            "INSERT OR IGNORE INTO customers (id, name, email) \
             VALUES (50, 'intruder', 'c2_1@example.test'), (1, 'dup', 'fresh@x.test')",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "aliased upsert target across tenants",
            "INSERT INTO customers AS c (id, name, email) \
             VALUES (53, 'intruder', 'c2_2@example.test') \
             ON CONFLICT (email) DO UPDATE SET name = excluded.name WHERE c.id > 0",
        )
        .isolation_only()
        .may_reject(),
        Case::dml(
            "aliased upsert target on the tenant's own key",
            "INSERT INTO customers AS c (id, name, email) VALUES (2, 'renamed', 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = c.name || '+' || excluded.name",
        )
        .may_reject(),
        Case::dml(
            "INSERT whose target is named like a CTE",
            "WITH audit_log AS (SELECT 7 AS id) \
             INSERT INTO audit_log (id, action) SELECT id + 600, 'cte' FROM audit_log",
        ),
    ]);
    cases
}

#[tokio::test]
async fn sqlite_queries_match_the_oracle() {
    check(Dialect::Sqlite, "sqlite queries", selects()).await;
}

#[tokio::test]
async fn sqlite_statements_match_the_oracle() {
    check(Dialect::Sqlite, "sqlite statements", dml()).await;
}
