//! Run-time cost on PostgreSQL: `tenant_query!` side by side with the same SQL scoped by hand
//! with `sqlx::query`, the run-time API, and row-level security (the pool-safe form with a
//! transaction-local `set_config`, and a session-level setting, which is unsafe with a pool).
//!
//! ```sh
//! cargo bench -p tenant-query-bench-postgres
//! TQ_BENCH_ROUNDS=3 TQ_BENCH_OPS=200 TQ_BENCH_ROWS=10000 cargo bench -p tenant-query-bench-postgres  # a quick look
//! ```
//!
//! It creates a schema of its own on `TQ_POSTGRES_URL` (default the local `test` database)
//! with `TQ_BENCH_TENANTS` (20) tenants of `TQ_BENCH_ROWS` (100 000) orders each, keys that
//! lead with the tenant column, and a role without BYPASSRLS for the RLS variants; it drops
//! both at the end. See `benches/harness.rs` for how the rounds are interleaved.

#[path = "../harness.rs"]
mod harness;

use std::sync::LazyLock;

use harness::{bind_all, measure, new_id, op, text, Arg, Settings, Spec, Statement, Variant};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Executor};
use tenant_query::runtime::Engine;
use tenant_query::{tenant_query, TenantId};
use tenant_query_tests::support::{unique_name, PgScratch};

static ENGINE: LazyLock<Engine<sqlx::Postgres>> =
    LazyLock::new(|| Engine::new(tenant_query::embedded_manifest!()));

const SPECS: [Spec; 5] = [
    Spec {
        name: "point lookup by key",
        sql: "SELECT total FROM orders WHERE id = $1",
        by_hand: "SELECT total FROM orders WHERE id = $1 AND tenant_id = $2",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "two-table join",
        sql: "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
        by_hand: "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id \
                  WHERE o.id = $1 AND o.tenant_id = $2 AND c.tenant_id = $2",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "aggregate over one tenant",
        sql: "SELECT count(*), sum(total) FROM orders WHERE status = $1",
        by_hand: "SELECT count(*), sum(total) FROM orders WHERE status = $1 AND tenant_id = $2",
        args: |_, _| vec![Arg::Text("paid")],
        slower: 100,
    },
    Spec {
        name: "UPDATE by key",
        sql: "UPDATE orders SET total = total + 1 WHERE id = $1",
        by_hand: "UPDATE orders SET total = total + 1 WHERE id = $1 AND tenant_id = $2",
        args: |s, i| vec![Arg::Int(s.key(i))],
        slower: 1,
    },
    Spec {
        name: "INSERT",
        sql: "INSERT INTO orders (id, customer_id, total, status) VALUES ($1, $2, 1, 'new')",
        by_hand: "INSERT INTO orders (id, customer_id, total, status, tenant_id) VALUES ($1, $2, 1, 'new', $3)",
        args: |s, i| vec![Arg::Int(new_id(s, i)), Arg::Int(s.key(i) % 1000 + 1)],
        slower: 1,
    },
];

/// The tenant's operation through `tenant_query!`: the macro needs the SQL as a literal.
fn through_macro(k: usize, pool: &PgPool, s: Settings) -> harness::Op {
    let pool = pool.clone();
    op(move |i| {
        let pool = pool.clone();
        async move {
            let tenant = TenantId::new(s.tenant(i));
            let key = s.key(i);
            let done = match k {
                0 => tenant_query!(tenant, "SELECT total FROM orders WHERE id = $1", key)
                    .fetch_optional(&pool)
                    .await
                    .map(drop),
                1 => tenant_query!(
                    tenant,
                    "SELECT o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
                    key
                )
                .fetch_optional(&pool)
                .await
                .map(drop),
                2 => tenant_query!(tenant, "SELECT count(*), sum(total) FROM orders WHERE status = $1", "paid")
                    .fetch_one(&pool)
                    .await
                    .map(drop),
                3 => tenant_query!(tenant, "UPDATE orders SET total = total + 1 WHERE id = $1", key)
                    .execute(&pool)
                    .await
                    .map(drop),
                _ => tenant_query!(
                    tenant,
                    "INSERT INTO orders (id, customer_id, total, status) VALUES ($1, $2, 1, 'new')",
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

harness::scoped_variants!(PgPool);

/// RLS, pool-safe: the setting lives in the statement's transaction only.
fn rls_in_transaction(spec: &Spec, app: &PgPool, s: Settings) -> harness::Op {
    let (app, sql, args) = (app.clone(), spec.sql, spec.args);
    op(move |i| {
        let app = app.clone();
        async move {
            let mut tx = app.begin().await.map_err(text)?;
            sqlx::query("SELECT set_config('tenant_query.tenant', $1, true)")
                .bind(s.tenant(i).to_string())
                .execute(&mut *tx)
                .await
                .map_err(text)?;
            let query = bind_all(sqlx::query(sql), &args(&s, i));
            query.fetch_all(&mut *tx).await.map_err(text)?;
            tx.commit().await.map_err(text)
        }
    })
}

/// RLS with a session-level setting: one round trip less, but a pooled connection keeps the
/// last tenant. Unsafe with a pool; measured because teams consider it.
fn rls_in_session(spec: &Spec, app: &PgPool, s: Settings) -> harness::Op {
    let (app, sql, args) = (app.clone(), spec.sql, spec.args);
    op(move |i| {
        let app = app.clone();
        async move {
            let mut conn = app.acquire().await.map_err(text)?;
            sqlx::query("SELECT set_config('tenant_query.tenant', $1, false)")
                .bind(s.tenant(i).to_string())
                .execute(&mut *conn)
                .await
                .map_err(text)?;
            let query = bind_all(sqlx::query(sql), &args(&s, i));
            query.fetch_all(&mut *conn).await.map(drop).map_err(text)
        }
    })
}

/// Row-level security in its two forms, connected as the application role.
fn rls_variants(spec: &Spec, app: &PgPool, s: Settings) -> Vec<Variant> {
    vec![
        Variant {
            name: "RLS, transaction-local set_config (pool-safe)",
            op: rls_in_transaction(spec, app, s),
        },
        Variant {
            name: "RLS, session set_config (unsafe with a pool)",
            op: rls_in_session(spec, app, s),
        },
    ]
}

fn schema(s: &Settings, schema: &str, role: &str) -> String {
    let (t, r, c) = (
        s.tenants,
        s.rows_per_tenant,
        (s.rows_per_tenant / 10).max(1),
    );
    let setting = "NULLIF(current_setting('tenant_query.tenant', true), '')::bigint";
    format!(
        "CREATE TABLE customers (tenant_id bigint NOT NULL DEFAULT {setting}, id bigint NOT NULL,
             name text NOT NULL, PRIMARY KEY (tenant_id, id));
         CREATE TABLE orders (tenant_id bigint NOT NULL DEFAULT {setting}, id bigint NOT NULL,
             customer_id bigint, total bigint NOT NULL, status text NOT NULL,
             PRIMARY KEY (tenant_id, id));
         INSERT INTO customers SELECT t, c, 'customer ' || c
             FROM generate_series(1, {t}) t, generate_series(1, {c}) c;
         INSERT INTO orders SELECT t, o, o % {c} + 1, o % 1000, (ARRAY['new', 'paid', 'shipped'])[o % 3 + 1]
             FROM generate_series(1, {t}) t, generate_series(1, {r}) o;
         ANALYZE customers; ANALYZE orders;
         CREATE ROLE {role} LOGIN NOBYPASSRLS;
         GRANT USAGE ON SCHEMA {schema} TO {role};
         GRANT SELECT, INSERT, UPDATE ON customers, orders TO {role};
         ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
         ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
         CREATE POLICY tenant ON customers USING (tenant_id = {setting}) WITH CHECK (tenant_id = {setting});
         CREATE POLICY tenant ON orders USING (tenant_id = {setting}) WITH CHECK (tenant_id = {setting});"
    )
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_env();
    let Some(scratch) = PgScratch::create("tq_bench").await else {
        return;
    };
    let role = unique_name("tq_bench_app");
    let owner = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(scratch.connect_options())
        .await
        .expect("connect as the owner");
    owner
        .execute(sqlx::raw_sql(AssertSqlSafe(schema(
            &settings,
            scratch.name(),
            &role,
        ))))
        .await
        .expect("create and fill the schema");
    let app = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(scratch.connect_options().username(&role))
        .await
        .expect("connect as the application role");
    for clients in [1, 8] {
        let statements =
            statements_with(&owner, settings, |spec| rls_variants(spec, &app, settings));
        measure("PostgreSQL", &statements, clients, &settings).await;
    }
    app.close().await;
    owner.close().await;
    scratch.drop().await.expect("drop the benchmark schema");
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&tenant_query_tests::support::postgres_url())
        .await
        .expect("connect to drop the role");
    admin
        .execute(sqlx::raw_sql(AssertSqlSafe(format!("DROP ROLE {role}"))))
        .await
        .expect("drop the benchmark role");
}
