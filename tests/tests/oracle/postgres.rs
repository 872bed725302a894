//! PostgreSQL: the shared cases plus LATERAL, FULL JOIN of global tables, VALUES, numbered
//! placeholders, UPDATE ... FROM, DELETE ... USING, RETURNING and ON CONFLICT.

use tenant_query_core::Dialect;
use tenant_query_tests::cases::{common_dml, common_selects};
use tenant_query_tests::check;
use tenant_query_tests::fixture::Val;
use tenant_query_tests::oracle::Case;

fn selects() -> Vec<Case> {
    let mut cases = common_selects(Dialect::Postgres);
    cases.extend([
        Case::select(
            "CROSS JOIN LATERAL",
            "SELECT c.id, x.id FROM customers c CROSS JOIN LATERAL \
             (SELECT o.id FROM orders o WHERE o.customer_id = c.id \
             ORDER BY o.total DESC, o.id LIMIT 1) x",
        ),
        Case::select(
            "LEFT JOIN LATERAL",
            "SELECT c.id, x.n FROM customers c LEFT JOIN LATERAL \
             (SELECT COUNT(*) AS n FROM orders o WHERE o.customer_id = c.id HAVING COUNT(*) > 1) x \
             ON true",
        ),
        Case::select(
            "FULL JOIN of global tables",
            "SELECT t.id, k.country_code FROM tenants t \
             FULL JOIN countries k ON k.country_code = t.home_country",
        ),
        Case::select(
            "FULL JOIN of global tables next to a scoped table",
            "SELECT t.id, k.country_code, c.id FROM tenants t \
             FULL JOIN countries k ON k.country_code = t.home_country \
             LEFT JOIN customers c ON c.country_code = k.country_code",
        ),
        Case::select(
            "FULL JOIN of a global table and a scoped derived table",
            "SELECT t.id, u.id FROM tenants t FULL JOIN (SELECT id FROM users) u ON u.id = t.id",
        ),
        Case::select(
            "VALUES in FROM",
            "SELECT v.x, c.name FROM (VALUES (1), (2), (5)) AS v (x) \
             LEFT JOIN customers c ON c.id = v.x",
        ),
        Case::select("VALUES statement", "VALUES (1, 'a'), (2, 'b')"),
        Case::select(
            "a numbered placeholder used twice",
            "SELECT id FROM orders WHERE total > $1 OR customer_id = $2 OR id = $2",
        )
        .args(vec![Val::Int(40), Val::Int(2)]),
        Case::select(
            "placeholders out of order",
            "SELECT id FROM orders WHERE status = $2 AND total > $1",
        )
        .args(vec![Val::Int(20), Val::text("paid")]),
        Case::select(
            "upper-case names",
            "SELECT ID, TOTAL FROM ORDERS WHERE TOTAL > 20",
        ),
        Case::select(
            "quoted names",
            "SELECT \"id\" FROM \"orders\" WHERE \"total\" > 20",
        ),
        Case::select(
            "DISTINCT ON",
            "SELECT DISTINCT ON (customer_id) customer_id, id FROM orders \
             ORDER BY customer_id, total DESC, id",
        )
        .ordered(),
        Case::select(
            "CTE shadowing the table it reads",
            "WITH orders AS (SELECT * FROM orders WHERE total > 30) SELECT id, total FROM orders",
        ),
        Case::select(
            "scalar subquery in LIMIT-free ORDER BY",
            "SELECT c.id FROM customers c \
             ORDER BY (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) DESC, c.id",
        )
        .ordered(),
        Case::select(
            "EXISTS in SELECT over the table with its own tenant column",
            "SELECT u.id, EXISTS (SELECT 1 FROM audit_log a WHERE a.user_id = u.id) FROM users u",
        ),
    ]);
    cases
}

fn dml() -> Vec<Case> {
    let mut cases = common_dml(Dialect::Postgres);
    cases.extend([
        Case::dml(
            "UPDATE ... FROM",
            "UPDATE orders o SET total = o.total + c.id FROM customers c WHERE c.id = o.customer_id",
        ),
        Case::dml(
            "UPDATE ... FROM with OR",
            "UPDATE orders SET status = 'matched' FROM customers c \
             WHERE c.id = orders.customer_id AND (c.country_code = 'DE' OR orders.total > 40)",
        ),
        Case::dml(
            "DELETE ... USING",
            "DELETE FROM order_items i USING orders o WHERE o.id = i.order_id AND o.status = 'paid'",
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
            "WITH ... UPDATE",
            "WITH big AS (SELECT id FROM orders WHERE total > 40) \
             UPDATE orders SET status = 'big' WHERE id IN (SELECT id FROM big)",
        ),
        Case::dml(
            "ON CONFLICT on the tenant's own key DO UPDATE",
            "INSERT INTO customers (id, name, email) VALUES (1, 'renamed', 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        ),
        Case::dml(
            "ON CONFLICT DO UPDATE with its own WHERE and arguments",
            "INSERT INTO customers (id, name, email) VALUES ($1, $2, 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name \
             WHERE customers.name <> $3 RETURNING id, name",
        )
        .args(vec![Val::Int(2), Val::text("upserted"), Val::text("c1-2")]),
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
            "ON CONFLICT across tenants DO UPDATE RETURNING",
            "INSERT INTO customers (id, name, email) VALUES (51, 'intruder', 'c3_2@example.test') \
             ON CONFLICT (email) DO UPDATE SET name = customers.name || '!' RETURNING id, name",
        )
        .isolation_only(),
    ]);
    cases
}

#[tokio::test]
async fn postgres_queries_match_the_oracle() {
    check(Dialect::Postgres, "postgres queries", selects()).await;
}

#[tokio::test]
async fn postgres_statements_match_the_oracle() {
    check(Dialect::Postgres, "postgres statements", dml()).await;
}
