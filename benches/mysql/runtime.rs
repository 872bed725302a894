//! Run-time cost on MariaDB/MySQL: `tenant_query!` side by side with the same SQL scoped by
//! hand with `sqlx::query`, and the run-time API (no row-level security on MySQL).
//!
//! ```sh
//! cargo bench -p tenant-query-bench-mysql
//! TQ_BENCH_ROUNDS=3 TQ_BENCH_OPS=200 TQ_BENCH_ROWS=10000 cargo bench -p tenant-query-bench-mysql  # a quick look
//! ```
//!
//! It creates a database of its own on `TQ_MYSQL_URL` (default the local server) with
//! `TQ_BENCH_TENANTS` (20) tenants of `TQ_BENCH_ROWS` (100 000) orders each, keys that lead
//! with the tenant column, and drops it at the end. See `benches/harness.rs` for the method.

#[path = "../harness.rs"]
mod harness;

use std::sync::LazyLock;

use harness::{bind_all, measure, new_id, op, text, Arg, Settings, Spec, Statement, Variant};
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};
use sqlx::{AssertSqlSafe, Executor};
use tenant_query::runtime::Engine;
use tenant_query::{tenant_query, TenantId};
use tenant_query_tests::support::MySqlScratch;

static ENGINE: LazyLock<Engine<sqlx::MySql>> =
    LazyLock::new(|| Engine::new(tenant_query::embedded_manifest!()));

const SPECS: [Spec; 5] = [
    Spec {
        name: "point lookup by key",
        sql: "SELECT total FROM orders WHERE id = ?",
        by_hand: "SELECT total FROM orders WHERE id = ? AND tenant_id = ?",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "two-table join",
        sql: "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?",
        by_hand: "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id \
                  AND c.tenant_id = o.tenant_id WHERE o.id = ? AND o.tenant_id = ?",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "aggregate over one tenant",
        sql: "SELECT count(*), sum(total) FROM orders WHERE status = ?",
        by_hand: "SELECT count(*), sum(total) FROM orders WHERE status = ? AND tenant_id = ?",
        args: |_, _| vec![Arg::Text("paid")],
        slower: 100,
    },
    Spec {
        name: "UPDATE by key",
        sql: "UPDATE orders SET total = total + 1 WHERE id = ?",
        by_hand: "UPDATE orders SET total = total + 1 WHERE id = ? AND tenant_id = ?",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "INSERT",
        sql: "INSERT INTO orders (id, customer_id, total, status) VALUES (?, ?, 1, 'new')",
        by_hand: "INSERT INTO orders (id, customer_id, total, status, tenant_id) VALUES (?, ?, 1, 'new', ?)",
        args: |s, i| vec![Arg::Int(new_id(s, i)), Arg::Int(s.key(i) % 1000 + 1)],
        slower: 1,
    },
];

harness::scoped_variants!(MySqlPool);

/// The tenant's operation through `tenant_query!`: the macro needs the SQL as a literal.
fn through_macro(k: usize, pool: &MySqlPool, s: Settings) -> harness::Op {
    let pool = pool.clone();
    op(move |i| {
        let pool = pool.clone();
        async move {
            let tenant = TenantId::new(s.tenant(i));
            let key = s.key(i);
            let done = match k {
                0 => tenant_query!(tenant, "SELECT total FROM orders WHERE id = ?", key)
                    .fetch_optional(&pool)
                    .await
                    .map(drop),
                1 => tenant_query!(
                    tenant,
                    "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?",
                    key
                )
                .fetch_optional(&pool)
                .await
                .map(drop),
                2 => tenant_query!(tenant, "SELECT count(*), sum(total) FROM orders WHERE status = ?", "paid")
                    .fetch_one(&pool)
                    .await
                    .map(drop),
                3 => tenant_query!(tenant, "UPDATE orders SET total = total + 1 WHERE id = ?", key)
                    .execute(&pool)
                    .await
                    .map(drop),
                _ => tenant_query!(
                    tenant,
                    "INSERT INTO orders (id, customer_id, total, status) VALUES (?, ?, 1, 'new')",
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
        "CREATE TABLE customers (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL,
             name VARCHAR(64) NOT NULL, PRIMARY KEY (tenant_id, id)) ENGINE=InnoDB;
         CREATE TABLE orders (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, customer_id BIGINT,
             total BIGINT NOT NULL, status VARCHAR(16) NOT NULL, PRIMARY KEY (tenant_id, id)) ENGINE=InnoDB;
         INSERT INTO customers SELECT t.seq, c.seq, CONCAT('customer ', c.seq)
             FROM seq_1_to_{t} t, seq_1_to_{c} c;
         INSERT INTO orders SELECT t.seq, o.seq, o.seq % {c} + 1, o.seq % 1000,
             ELT(o.seq % 3 + 1, 'new', 'paid', 'shipped')
             FROM seq_1_to_{t} t, seq_1_to_{r} o;
         ANALYZE TABLE customers, orders;"
    )
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_env();
    let Some(scratch) = MySqlScratch::create("tq_bench").await else {
        return;
    };
    let pool = MySqlPoolOptions::new()
        .max_connections(8)
        .connect_with(scratch.connect_options())
        .await
        .expect("connect");
    pool.execute(sqlx::raw_sql(AssertSqlSafe(schema(&settings))))
        .await
        .expect("create and fill the schema (MariaDB's sequence engine)");
    for clients in [1, 8] {
        measure(
            "MariaDB",
            &statements_with(&pool, settings, |_| Vec::new()),
            clients,
            &settings,
        )
        .await;
    }
    pool.close().await;
    scratch.drop().await.expect("drop the benchmark database");
}
