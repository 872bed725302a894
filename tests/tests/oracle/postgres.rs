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
        Case::select(
            "subquery in LIMIT",
            "SELECT id FROM customers ORDER BY id LIMIT (SELECT COUNT(*) FROM orders WHERE total > 40)",
        )
        .ordered(),
        Case::select("TABLE statement", "TABLE orders").may_reject(),
        Case::select("FROM ONLY", "SELECT id FROM ONLY orders").may_reject(),
        Case::select(
            "table alias with a column list",
            "SELECT o.b, o.c FROM orders AS o (a, b, c, d, e) WHERE o.d > 20",
        )
        .may_reject(),
        Case::select(
            "set-returning function LEFT JOIN scoped table",
            "SELECT g, c.name FROM generate_series(1, 5) AS g LEFT JOIN customers c ON c.id = g",
        )
        .may_reject(),
        Case::select(
            "parenthesised set operands with LIMIT",
            "(SELECT id FROM users ORDER BY id DESC LIMIT 2) \
             UNION ALL (SELECT id FROM customers ORDER BY id LIMIT 2)",
        ),
        Case::select(
            "ARRAY subquery",
            "SELECT c.id, ARRAY(SELECT o.id FROM orders o WHERE o.customer_id = c.id ORDER BY o.id) \
             FROM customers c",
        ),
        Case::select(
            "aggregate FILTER with a subquery",
            "SELECT COUNT(*) FILTER (WHERE customer_id IN (SELECT id FROM customers)), COUNT(*) \
             FROM orders",
        ),
        Case::select(
            "GROUP BY a subquery expression",
            "SELECT customer_id IN (SELECT id FROM customers) AS known, COUNT(*) FROM orders \
             GROUP BY customer_id IN (SELECT id FROM customers)",
        ),
        Case::select(
            "VALUES of a scalar subquery",
            "VALUES ((SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM audit_log))",
        ),
        Case::select(
            "IS DISTINCT FROM and CAST around subqueries",
            "SELECT id, CAST((SELECT MAX(name) FROM customers) AS TEXT) FROM users \
             WHERE manager_id IS DISTINCT FROM (SELECT MIN(id) FROM users WHERE id > 1)",
        ),
        Case::select(
            "comma LATERAL",
            "SELECT c.id, x.n FROM customers c, \
             LATERAL (SELECT COUNT(*) AS n FROM order_items i JOIN orders o ON o.id = i.order_id \
             WHERE o.customer_id = c.id) x",
        ),
        Case::select(
            "MATERIALIZED CTE",
            "WITH x AS MATERIALIZED (SELECT customer_id FROM orders WHERE total > 25) \
             SELECT c.id, COUNT(x.customer_id) FROM customers c \
             LEFT JOIN x ON x.customer_id = c.id GROUP BY c.id",
        ),
        Case::select(
            "= ANY of an ARRAY subquery",
            "SELECT id FROM customers WHERE id = ANY (ARRAY(SELECT customer_id FROM orders))",
        ),
        Case::select(
            "a quoted CTE name does not shadow the unquoted table",
            "WITH \"Orders\" AS (SELECT 1 AS id) SELECT o.id, c.name FROM orders o \
             LEFT JOIN customers c ON c.id = o.id",
        ),
        Case::select(
            "FOR UPDATE",
            "SELECT id FROM orders WHERE total > 20 FOR UPDATE",
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
        Case::dml(
            "RETURNING a scalar subquery",
            "UPDATE orders SET total = total + 1 WHERE id < 4 \
             RETURNING id, (SELECT c.name FROM customers c WHERE c.id = orders.customer_id)",
        ),
        Case::dml(
            "DELETE RETURNING a correlated count",
            "DELETE FROM orders WHERE status = 'new' \
             RETURNING id, (SELECT COUNT(*) FROM order_items i WHERE i.order_id = orders.id)",
        ),
        Case::dml(
            "data-modifying CTE",
            "WITH gone AS (DELETE FROM order_items WHERE qty = 1 RETURNING order_id) \
             UPDATE orders SET status = 'trimmed' WHERE id IN (SELECT order_id FROM gone)",
        )
        .may_reject(),
        Case::dml(
            "SELECT from a data-modifying CTE",
            "WITH changed AS (UPDATE customers SET name = 'x' WHERE id < 3 RETURNING id) \
             SELECT id FROM changed",
        )
        .may_reject(),
        Case::dml(
            "UPDATE SET a row from a subquery",
            "UPDATE orders SET (total, status) = \
             (SELECT COALESCE(MAX(i.price), 0), COALESCE(MAX(i.product), 'none') \
             FROM order_items i WHERE i.order_id = orders.id) WHERE id < 4",
        ),
        Case::dml(
            "UPDATE ... FROM the same table",
            "UPDATE orders o SET total = o2.total FROM orders o2 WHERE o2.id = o.id + 1",
        ),
        Case::dml(
            "UPDATE ... FROM a LEFT JOIN",
            "UPDATE orders o SET status = COALESCE(k.country_name, 'unknown') \
             FROM customers c LEFT JOIN countries k ON k.country_code = c.country_code \
             WHERE c.id = o.customer_id",
        ),
        Case::dml(
            "UPDATE ... FROM a LEFT JOIN of scoped tables",
            "UPDATE customers c SET name = COALESCE(o.status, 'no order') \
             FROM customers c2 LEFT JOIN orders o ON o.customer_id = c2.id AND o.total > 40 \
             WHERE c2.id = c.id",
        ),
        Case::dml(
            "DELETE ... USING with a subquery",
            "DELETE FROM orders o USING customers c WHERE c.id = o.customer_id \
             AND c.id IN (SELECT customer_id FROM orders WHERE total > 40)",
        ),
        Case::dml(
            "INSERT ... SELECT ... ON CONFLICT DO UPDATE",
            "INSERT INTO customers (id, name, email) \
             SELECT id, 'copy', 'copy' || id || '@x.test' FROM customers \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        ),
        Case::dml(
            "ON CONFLICT DO UPDATE SET from a subquery",
            "INSERT INTO customers (id, name, email) VALUES (1, 'x', 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE \
             SET name = (SELECT COALESCE(MAX(status), 'none') FROM orders)",
        ),
        Case::dml(
            "ON CONFLICT across tenants DO UPDATE WHERE with OR",
            "INSERT INTO customers (id, name, email) VALUES (52, 'intruder', 'c1_1@example.test') \
             ON CONFLICT (email) DO UPDATE SET name = excluded.name \
             WHERE customers.country_code IS NULL OR customers.id > 100",
        )
        .isolation_only(),
        Case::dml(
            "ON CONFLICT DO UPDATE of the tenant column",
            "INSERT INTO customers (id, name, email) VALUES (1, 'x', 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET tenant_id = 2",
        )
        .may_reject(),
        Case::dml(
            "MERGE",
            "MERGE INTO customers c USING orders o ON o.customer_id = c.id \
             WHEN MATCHED THEN UPDATE SET name = 'merged'",
        )
        .may_reject(),
        Case::dml(
            "ON CONFLICT ON CONSTRAINT across tenants",
            "INSERT INTO customers (id, name, email) VALUES (54, 'intruder', 'c3_3@example.test') \
             ON CONFLICT ON CONSTRAINT customers_email_key DO UPDATE SET name = excluded.name",
        )
        .isolation_only(),
        Case::dml(
            "aliased upsert target across tenants",
            "INSERT INTO customers AS c (id, name, email) \
             VALUES (53, 'intruder', 'c2_2@example.test') \
             ON CONFLICT (email) DO UPDATE SET name = excluded.name WHERE c.id > 0",
        )
        .isolation_only(),
        Case::dml(
            "aliased upsert target on the tenant's own key",
            "INSERT INTO customers AS c (id, name, email) VALUES (2, 'renamed', 'fresh@x.test') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = c.name || '+' || excluded.name",
        ),
        Case::dml(
            "INSERT whose target is named like a CTE",
            "WITH audit_log AS (SELECT 7 AS id) \
             INSERT INTO audit_log (id, action) SELECT id + 600, 'cte' FROM audit_log",
        ),
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
