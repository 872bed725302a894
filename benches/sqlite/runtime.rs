//! Run-time cost on SQLite: `tenant_query!` side by side with the same SQL scoped by hand with
//! `sqlx::query`, and the run-time API (SQLite has no row-level security).
//!
//! ```sh
//! cargo bench -p tenant-query-bench-sqlite
//! TQ_BENCH_ROUNDS=3 TQ_BENCH_OPS=200 TQ_BENCH_ROWS=10000 cargo bench -p tenant-query-bench-sqlite  # a quick look
//! ```
//!
//! It builds a database file in a temporary directory with `TQ_BENCH_TENANTS` (20) tenants of
//! `TQ_BENCH_ROWS` (100 000) orders each, keys that lead with the tenant column, in WAL mode.
//! See `benches/harness.rs` for the method.

#[path = "../harness.rs"]
mod harness;

use std::sync::LazyLock;

use harness::{bind_all, measure, new_id, op, text, Arg, Settings, Spec, Statement, Variant};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Executor};
use tenant_query::runtime::Engine;
use tenant_query::{tenant_query, TenantId};

static ENGINE: LazyLock<Engine<sqlx::Sqlite>> =
    LazyLock::new(|| Engine::new(tenant_query::embedded_manifest!()));

const SPECS: [Spec; 5] = [
    Spec {
        name: "point lookup by key",
        sql: "SELECT total FROM orders WHERE id = ?1",
        by_hand: "SELECT total FROM orders WHERE id = ?1 AND tenant_id = ?2",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "two-table join",
        sql: "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
        by_hand: "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id \
                  WHERE o.id = ?1 AND o.tenant_id = ?2 AND c.tenant_id = ?2",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "aggregate over one tenant",
        sql: "SELECT count(*), sum(total) FROM orders WHERE status = ?1",
        by_hand: "SELECT count(*), sum(total) FROM orders WHERE status = ?1 AND tenant_id = ?2",
        args: |_, _| vec![Arg::Text("paid")],
        slower: 100,
    },
    Spec {
        name: "UPDATE by key",
        sql: "UPDATE orders SET total = total + 1 WHERE id = ?1",
        by_hand: "UPDATE orders SET total = total + 1 WHERE id = ?1 AND tenant_id = ?2",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "INSERT",
        sql: "INSERT INTO orders (id, customer_id, total, status) VALUES (?1, ?2, 1, 'new')",
        by_hand: "INSERT INTO orders (id, customer_id, total, status, tenant_id) VALUES (?1, ?2, 1, 'new', ?3)",
        args: |s, i| vec![Arg::Int(new_id(s, i)), Arg::Int(s.key(i) % 1000 + 1)],
        slower: 1,
    },
];

harness::scoped_variants!(SqlitePool);

/// The tenant's operation through `tenant_query!`: the macro needs the SQL as a literal.
fn through_macro(k: usize, pool: &SqlitePool, s: Settings) -> harness::Op {
    let pool = pool.clone();
    op(move |i| {
        let pool = pool.clone();
        async move {
            let tenant = TenantId::new(s.tenant(i));
            let key = s.key(i);
            let done = match k {
                0 => tenant_query!(tenant, "SELECT total FROM orders WHERE id = ?1", key)
                    .fetch_optional(&pool)
                    .await
                    .map(drop),
                1 => tenant_query!(
                    tenant,
                    "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
                    key
                )
                .fetch_optional(&pool)
                .await
                .map(drop),
                2 => tenant_query!(tenant, "SELECT count(*), sum(total) FROM orders WHERE status = ?1", "paid")
                    .fetch_one(&pool)
                    .await
                    .map(drop),
                3 => tenant_query!(tenant, "UPDATE orders SET total = total + 1 WHERE id = ?1", key)
                    .execute(&pool)
                    .await
                    .map(drop),
                _ => tenant_query!(
                    tenant,
                    "INSERT INTO orders (id, customer_id, total, status) VALUES (?1, ?2, 1, 'new')",
                    new_id(&s, i),
                    key % 1000 + 1
                )
                .execute(&pool)
                .await
                .map(drop),
            };
            done.map_err(text)
        }
    })
}

fn schema(s: &Settings) -> String {
    let (t, r, c) = (
        s.tenants,
        s.rows_per_tenant,
        (s.rows_per_tenant / 10).max(1),
    );
    format!(
        "CREATE TABLE customers (tenant_id INTEGER NOT NULL, id INTEGER NOT NULL,
             name TEXT NOT NULL, PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
         CREATE TABLE orders (tenant_id INTEGER NOT NULL, id INTEGER NOT NULL, customer_id INTEGER,
             total INTEGER NOT NULL, status TEXT NOT NULL, PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
         WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < {t}),
              c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {c})
         INSERT INTO customers SELECT t.n, c.n, 'customer ' || c.n FROM t, c;
         WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < {t}),
              o(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM o WHERE n < {r})
         INSERT INTO orders SELECT t.n, o.n, o.n % {c} + 1, o.n % 1000,
             CASE o.n % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' ELSE 'shipped' END FROM t, o;
         ANALYZE;"
    )
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_env();
    let dir = std::env::temp_dir().join(tenant_query_tests::support::unique_name("tq_bench"));
    std::fs::create_dir_all(&dir).expect("create the benchmark directory");
    let options = SqliteConnectOptions::new()
        .filename(dir.join("bench.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .expect("open the benchmark database");
    pool.execute(sqlx::raw_sql(AssertSqlSafe(schema(&settings))))
        .await
        .expect("create and fill the schema");
    for clients in [1, 8] {
        measure(
            "SQLite",
            &statements_with(&pool, settings, |_| Vec::new()),
            clients,
            &settings,
        )
        .await;
    }
    pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
