//! The rewrite costs nothing at run time: PostgreSQL plans it exactly as the same statement
//! written by hand with its tenant filters.
//!
//! Each statement is rewritten by the engine and compared with a hand-scoped twin, the way a
//! careful developer would write it (filters in WHERE for inner joins, in ON for the nullable
//! side of an outer join). Both are prepared untyped and explained as generic plans (what a
//! prepared statement settles on), on 20 tenants of analysed data with keys that lead with
//! the tenant column. A pair whose plans differ must say why; a stated reason whose plans no
//! longer differ fails too, so the reasons stay true.

use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection, Executor};
use tenant_query_core::{rewrite, Manifest};
use tenant_query_tests::support::PgScratch;

const SCHEMA: &str = "
CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE customers (tenant_id bigint NOT NULL, id bigint NOT NULL, name text NOT NULL,
    country text, PRIMARY KEY (tenant_id, id));
CREATE TABLE orders (tenant_id bigint NOT NULL, id bigint NOT NULL, customer_id bigint,
    total int NOT NULL, status text NOT NULL, tags text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id));
CREATE INDEX orders_customer ON orders (tenant_id, customer_id);
CREATE TABLE order_items (tenant_id bigint NOT NULL, order_id bigint NOT NULL, line int NOT NULL,
    qty int NOT NULL, PRIMARY KEY (tenant_id, order_id, line));
CREATE TABLE settings (tenant_id bigint, id bigint PRIMARY KEY, name text NOT NULL,
    value text NOT NULL, UNIQUE (tenant_id, name));
CREATE INDEX settings_tenant ON settings (tenant_id, name);
INSERT INTO countries SELECT 'C' || i, 'country ' || i FROM generate_series(1, 50) i;
INSERT INTO customers SELECT t, c, 'customer ' || c, 'C' || (c % 50 + 1)
    FROM generate_series(1, 20) t, generate_series(1, 300) c;
INSERT INTO orders SELECT t, o, CASE WHEN o % 10 = 0 THEN NULL ELSE o % 300 + 1 END, o % 97,
    (ARRAY['new', 'paid', 'shipped'])[o % 3 + 1], ARRAY['t' || (o % 5)]
    FROM generate_series(1, 20) t, generate_series(1, 2000) o;
INSERT INTO order_items SELECT t, o, l, l FROM generate_series(1, 20) t,
    generate_series(1, 2000) o, generate_series(1, 2) l;
INSERT INTO settings SELECT NULL, i, 'key ' || i, 'default' FROM generate_series(1, 50) i;
INSERT INTO settings SELECT t, 1000 * t + i, 'key ' || i, 'own' FROM generate_series(1, 20) t,
    generate_series(1, 10) i;
ANALYZE;
";

const MANIFEST: &str = r#"
dialect = "postgres"
[tables.countries]
scope = "global"
[tables.customers]
scope = "tenant"
unique = [["tenant_id", "id"]]
[tables.orders]
scope = "tenant"
unique = [["tenant_id", "id"]]
[tables.order_items]
scope = "tenant"
unique = [["tenant_id", "order_id", "line"]]
[tables.settings]
scope = "tenant_or_global"
unique = [["id"], ["tenant_id", "name"]]
"#;

/// A statement, its hand-scoped twin (the tenant is the last parameter, as in the rewrite),
/// and why their plans differ, if they do.
struct Pair {
    sql: &'static str,
    by_hand: &'static str,
    differs_because: Option<&'static str>,
}

const fn same(sql: &'static str, by_hand: &'static str) -> Pair {
    Pair {
        sql,
        by_hand,
        differs_because: None,
    }
}

const PAIRS: &[Pair] = &[
    same(
        "SELECT total FROM orders WHERE id = $1",
        "SELECT total FROM orders WHERE id = $1 AND tenant_id = $2",
    ),
    same(
        "SELECT id, total FROM orders WHERE total > $1 AND status <> $2",
        "SELECT id, total FROM orders WHERE total > $1 AND status <> $2 AND tenant_id = $3",
    ),
    same(
        "SELECT id FROM orders WHERE status = 'new' OR total > 40",
        "SELECT id FROM orders WHERE (status = 'new' OR total > 40) AND tenant_id = $1",
    ),
    same(
        "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
        "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id \
         WHERE o.id = $1 AND o.tenant_id = $2 AND c.tenant_id = $2",
    ),
    same(
        "SELECT o.id, c.name FROM orders o, customers c WHERE o.customer_id = c.id AND o.total > $1",
        "SELECT o.id, c.name FROM orders o, customers c WHERE o.customer_id = c.id AND o.total > $1 \
         AND o.tenant_id = $2 AND c.tenant_id = $2",
    ),
    same(
        "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id",
        "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id \
         AND c.tenant_id = $1 WHERE o.tenant_id = $1",
    ),
    same(
        "SELECT c.id, o.id FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id",
        "SELECT c.id, o.id FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id \
         AND o.tenant_id = $1 WHERE c.tenant_id = $1",
    ),
    same(
        "SELECT o.id, i.qty, c.name FROM orders o JOIN order_items i ON i.order_id = o.id \
         LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id < $1",
        "SELECT o.id, i.qty, c.name FROM orders o JOIN order_items i ON i.order_id = o.id \
         LEFT JOIN customers c ON c.id = o.customer_id AND c.tenant_id = $2 \
         WHERE o.id < $1 AND o.tenant_id = $2 AND i.tenant_id = $2",
    ),
    same(
        "SELECT c.name, k.name FROM customers c JOIN countries k ON k.code = c.country WHERE c.id = $1",
        "SELECT c.name, k.name FROM customers c JOIN countries k ON k.code = c.country \
         WHERE c.id = $1 AND c.tenant_id = $2",
    ),
    same(
        "SELECT status, count(*), sum(total) FROM orders GROUP BY status",
        "SELECT status, count(*), sum(total) FROM orders WHERE tenant_id = $1 GROUP BY status",
    ),
    same(
        "SELECT c.id, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id \
         GROUP BY c.id HAVING count(o.id) > $1",
        "SELECT c.id, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id \
         AND o.tenant_id = $2 WHERE c.tenant_id = $2 GROUP BY c.id HAVING count(o.id) > $1",
    ),
    same(
        "SELECT id FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE country = $1)",
        "SELECT id FROM orders WHERE customer_id IN \
         (SELECT id FROM customers WHERE country = $1 AND tenant_id = $2) AND tenant_id = $2",
    ),
    same(
        "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > $1)",
        "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o \
         WHERE o.customer_id = c.id AND o.total > $1 AND o.tenant_id = $2) AND c.tenant_id = $2",
    ),
    same(
        "SELECT c.id, (SELECT max(total) FROM orders o WHERE o.customer_id = c.id) FROM customers c WHERE c.id < $1",
        "SELECT c.id, (SELECT max(total) FROM orders o WHERE o.customer_id = c.id AND o.tenant_id = $2) \
         FROM customers c WHERE c.id < $1 AND c.tenant_id = $2",
    ),
    same(
        "WITH big AS (SELECT id, customer_id FROM orders WHERE total > $1) \
         SELECT c.name FROM big JOIN customers c ON c.id = big.customer_id",
        "WITH big AS (SELECT id, customer_id FROM orders WHERE total > $1 AND tenant_id = $2) \
         SELECT c.name FROM big JOIN customers c ON c.id = big.customer_id WHERE c.tenant_id = $2",
    ),
    same(
        "SELECT id FROM orders WHERE total > 90 UNION SELECT id FROM customers WHERE country = 'C1'",
        "SELECT id FROM orders WHERE total > 90 AND tenant_id = $1 \
         UNION SELECT id FROM customers WHERE country = 'C1' AND tenant_id = $1",
    ),
    same(
        "SELECT c.id, x.total FROM customers c CROSS JOIN LATERAL \
         (SELECT total FROM orders o WHERE o.customer_id = c.id ORDER BY total DESC LIMIT 1) x WHERE c.id < $1",
        "SELECT c.id, x.total FROM customers c CROSS JOIN LATERAL \
         (SELECT total FROM orders o WHERE o.customer_id = c.id AND o.tenant_id = $2 \
         ORDER BY total DESC LIMIT 1) x WHERE c.id < $1 AND c.tenant_id = $2",
    ),
    same(
        "SELECT o.id, t FROM orders o CROSS JOIN LATERAL unnest(o.tags) AS t WHERE o.id = $1",
        "SELECT o.id, t FROM orders o CROSS JOIN LATERAL unnest(o.tags) AS t \
         WHERE o.id = $1 AND o.tenant_id = $2",
    ),
    same(
        "SELECT name, value FROM settings WHERE name = $1",
        "SELECT name, value FROM settings WHERE name = $1 AND (tenant_id = $2 OR tenant_id IS NULL)",
    ),
    same(
        "SELECT o.id, s.value FROM orders o LEFT JOIN settings s ON s.name = o.status WHERE o.id = $1",
        "SELECT o.id, s.value FROM orders o LEFT JOIN settings s ON s.name = o.status \
         AND (s.tenant_id = $2 OR s.tenant_id IS NULL) WHERE o.id = $1 AND o.tenant_id = $2",
    ),
    same(
        "SELECT i.id, c.name FROM orders i FULL JOIN customers c ON c.id = i.customer_id WHERE i.total > $1",
        "SELECT i.id, c.name FROM (SELECT * FROM orders i WHERE tenant_id = $2) i \
         FULL JOIN (SELECT * FROM customers c WHERE tenant_id = $2) c ON c.id = i.customer_id WHERE i.total > $1",
    ),
    same(
        "SELECT * FROM orders o LEFT JOIN customers c USING (tenant_id) WHERE o.id = $1 AND c.id = 1",
        "SELECT * FROM orders o LEFT JOIN (SELECT * FROM customers c WHERE tenant_id = $2) c USING (tenant_id) \
         WHERE o.id = $1 AND c.id = 1 AND o.tenant_id = $2",
    ),
    same(
        "UPDATE orders SET status = $1 WHERE id = $2",
        "UPDATE orders SET status = $1 WHERE id = $2 AND tenant_id = $3",
    ),
    same(
        "UPDATE orders SET total = total + 1 FROM customers c WHERE c.id = orders.customer_id AND c.country = $1",
        "UPDATE orders SET total = total + 1 FROM customers c WHERE c.id = orders.customer_id \
         AND c.country = $1 AND orders.tenant_id = $2 AND c.tenant_id = $2",
    ),
    same(
        "DELETE FROM order_items WHERE order_id = $1",
        "DELETE FROM order_items WHERE order_id = $1 AND tenant_id = $2",
    ),
    same(
        "DELETE FROM orders USING customers c WHERE c.id = orders.customer_id AND c.name = $1",
        "DELETE FROM orders USING customers c WHERE c.id = orders.customer_id AND c.name = $1 \
         AND orders.tenant_id = $2 AND c.tenant_id = $2",
    ),
    same(
        "INSERT INTO orders (id, customer_id, total, status) VALUES ($1, $2, $3, 'new')",
        "INSERT INTO orders (id, customer_id, total, status, tenant_id) VALUES ($1, $2, $3, 'new', $4)",
    ),
    same(
        "INSERT INTO orders (id, customer_id, total, status) \
         SELECT id + 100000, customer_id, total, status FROM orders WHERE id = $1",
        "INSERT INTO orders (id, customer_id, total, status, tenant_id) \
         SELECT id + 100000, customer_id, total, status, tenant_id FROM orders WHERE id = $1 AND tenant_id = $2",
    ),
    same(
        "INSERT INTO customers (id, name) VALUES ($1, $2) \
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        "INSERT INTO customers (id, name, tenant_id) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name WHERE customers.tenant_id = $3",
    ),
];

/// The generic plan of `sql`, prepared untyped.
async fn generic_plan(conn: &mut PgConnection, sql: &str) -> Result<String, String> {
    let prepare = format!("PREPARE tq_plan AS {sql}");
    conn.execute(sqlx::raw_sql(AssertSqlSafe(prepare)))
        .await
        .map_err(|e| format!("PREPARE: {e}"))?;
    let count: i64 = sqlx::query_scalar(
        "SELECT coalesce(array_length(parameter_types, 1), 0)::int8 FROM pg_prepared_statements WHERE name = 'tq_plan'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    // With plan_cache_mode = force_generic_plan the arguments do not shape the plan.
    let nulls = vec!["NULL"; usize::try_from(count).unwrap_or(0)].join(", ");
    let explain = if nulls.is_empty() {
        "EXPLAIN (COSTS OFF) EXECUTE tq_plan".to_owned()
    } else {
        format!("EXPLAIN (COSTS OFF) EXECUTE tq_plan({nulls})")
    };
    let lines: Result<Vec<String>, _> = sqlx::query_scalar(AssertSqlSafe(explain))
        .fetch_all(&mut *conn)
        .await;
    conn.execute("DEALLOCATE tq_plan")
        .await
        .map_err(|e| e.to_string())?;
    Ok(lines.map_err(|e| format!("EXPLAIN: {e}"))?.join("\n"))
}

/// The problem with one pair, if any.
async fn compare(conn: &mut PgConnection, manifest: &Manifest, pair: &Pair) -> Option<String> {
    let rewritten = match rewrite(manifest, pair.sql) {
        Ok(r) => r,
        Err(e) => return Some(format!("refused: {e}")),
    };
    let plans = (
        generic_plan(conn, &rewritten.sql).await,
        generic_plan(conn, pair.by_hand).await,
    );
    let (rewritten_plan, by_hand_plan) = match plans {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => return Some(format!("rewrite: {a:?}\nby hand: {b:?}")),
    };
    let differs = rewritten_plan != by_hand_plan;
    match (differs, pair.differs_because) {
        (false, None) | (true, Some(_)) => None,
        (true, None) => Some(format!(
            "the plans differ\n  rewrite: {}\n{rewritten_plan}\n  by hand:\n{by_hand_plan}",
            rewritten.sql
        )),
        (false, Some(why)) => Some(format!("the plans no longer differ (stated reason: {why})")),
    }
}

#[tokio::test]
async fn postgres_plans_the_rewrite_like_the_hand_scoped_statement() {
    assert!(PAIRS.len() >= 25);
    let Some(scratch) = PgScratch::create("tq_plans").await else {
        return;
    };
    let mut conn = PgConnection::connect_with(&scratch.connect_options())
        .await
        .expect("connect to the scratch schema");
    conn.execute(SCHEMA)
        .await
        .expect("create and fill the schema");
    conn.execute("SET plan_cache_mode = force_generic_plan")
        .await
        .expect("force generic plans");
    let manifest = Manifest::from_toml_str(MANIFEST, "tenant-schema.toml").expect("manifest");
    let mut problems = Vec::new();
    for pair in PAIRS {
        if let Some(p) = compare(&mut conn, &manifest, pair).await {
            problems.push(format!("{}\n{p}\n", pair.sql));
        }
    }
    conn.close().await.expect("close");
    scratch.drop().await.expect("drop the scratch schema");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
