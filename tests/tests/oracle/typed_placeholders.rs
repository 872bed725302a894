//! Tenant placeholders that PostgreSQL types consistently.
//!
//! PostgreSQL types an untyped parameter from where it stands. `query!` and
//! `cargo sqlx prepare` prepare a statement untyped, like `PREPARE name AS …` does, and reject
//! it when one parameter gets two types. Every statement shape is prepared untyped here, for
//! each `tenant_id_type` paired with the tenant column types that a user would pair with it,
//! then run with the database's own typing (`EXECUTE`) and with sqlx's typed binds (what the
//! unchecked macros send). The parameter that holds the tenant must be of the `TenantId`'s
//! type (what `query!` checks the tenant against), and a point lookup must still use the index
//! that leads with the tenant column.

use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection, Executor};
use tenant_query_core::{rewrite, BindSlot, Manifest, Rewritten};
use tenant_query_tests::support::PgScratch;

/// One `tenant_id_type` with the tenant column types of `orders` and `customers`.
struct Pairing {
    tenant_id_type: &'static str,
    orders_column: &'static str,
    customers_column: &'static str,
    /// Tenant A, whose rows the statements run for, and tenant B, with overlapping ids.
    tenants: [Tenant; 2],
}

#[derive(Clone, Copy)]
enum Tenant {
    I32(i32),
    I64(i64),
    Uuid(&'static str),
    Text(&'static str),
}

impl Tenant {
    fn literal(self) -> String {
        match self {
            Tenant::I32(v) => v.to_string(),
            Tenant::I64(v) => v.to_string(),
            Tenant::Uuid(v) | Tenant::Text(v) => format!("'{v}'"),
        }
    }

    /// The parameter types PostgreSQL may give the tenant so that `query!` accepts the
    /// `TenantId` for it.
    fn parameter_types(self) -> &'static [&'static str] {
        match self {
            Tenant::I32(_) => &["integer"],
            Tenant::I64(_) => &["bigint"],
            Tenant::Uuid(_) => &["uuid"],
            Tenant::Text(_) => &["text", "character varying"],
        }
    }
}

const PAIRINGS: &[Pairing] = &[
    pairing("i32", "int4", "int4", [Tenant::I32(1), Tenant::I32(2)]),
    pairing("i32", "int2", "int4", [Tenant::I32(1), Tenant::I32(2)]),
    pairing("i32", "int8", "int2", [Tenant::I32(1), Tenant::I32(2)]),
    pairing("i64", "int8", "int8", [Tenant::I64(1), Tenant::I64(2)]),
    pairing("i64", "int4", "int8", [Tenant::I64(1), Tenant::I64(2)]),
    pairing("i64", "int2", "int4", [Tenant::I64(1), Tenant::I64(2)]),
    pairing(
        "uuid",
        "uuid",
        "uuid",
        [
            Tenant::Uuid("00000000-0000-0000-0000-00000000000a"),
            Tenant::Uuid("00000000-0000-0000-0000-00000000000b"),
        ],
    ),
    pairing(
        "string",
        "text",
        "text",
        [Tenant::Text("acme"), Tenant::Text("globex")],
    ),
    pairing(
        "string",
        "varchar(50)",
        "text",
        [Tenant::Text("acme"), Tenant::Text("globex")],
    ),
    pairing(
        "string",
        "text",
        "varchar(50)",
        [Tenant::Text("acme"), Tenant::Text("globex")],
    ),
];

const fn pairing(
    tenant_id_type: &'static str,
    orders_column: &'static str,
    customers_column: &'static str,
    tenants: [Tenant; 2],
) -> Pairing {
    Pairing {
        tenant_id_type,
        orders_column,
        customers_column,
        tenants,
    }
}

#[derive(Clone, Copy)]
enum Arg {
    Int(i32),
    Text(&'static str),
}

impl Arg {
    fn literal(self) -> String {
        match self {
            Arg::Int(v) => v.to_string(),
            Arg::Text(v) => format!("'{v}'"),
        }
    }
}

/// One statement shape: the SQL as the user writes it, its arguments, and how many rows it
/// returns or changes for tenant A (a leak or a lost row changes the count).
struct Shape {
    name: &'static str,
    sql: &'static str,
    args: &'static [Arg],
    rows: u64,
}

const fn shape(name: &'static str, sql: &'static str, args: &'static [Arg], rows: u64) -> Shape {
    Shape {
        name,
        sql,
        args,
        rows,
    }
}

const SHAPES: &[Shape] = &[
    shape("SELECT", "SELECT o.id, o.total FROM orders o WHERE o.id = $1", &[Arg::Int(1)], 1),
    shape(
        "JOIN",
        "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > $1",
        &[Arg::Int(0)],
        2,
    ),
    shape(
        "LEFT JOIN",
        "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id",
        &[],
        3,
    ),
    shape(
        "subquery",
        "SELECT id FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name = $1)",
        &[Arg::Text("ann")],
        1,
    ),
    shape(
        "CTE",
        "WITH big AS (SELECT id, customer_id FROM orders WHERE total > $1) \
         SELECT c.name FROM big JOIN customers c ON c.id = big.customer_id",
        &[Arg::Int(0)],
        2,
    ),
    shape(
        "INSERT … VALUES … RETURNING",
        "INSERT INTO orders (id, customer_id, total) VALUES ($1, $2, $3) RETURNING id",
        &[Arg::Int(100), Arg::Int(1), Arg::Int(5)],
        1,
    ),
    shape(
        "INSERT … SELECT from the target",
        "INSERT INTO orders (id, customer_id, total) \
         SELECT id + 200, customer_id, total FROM orders WHERE id = $1",
        &[Arg::Int(1)],
        1,
    ),
    shape(
        "INSERT … SELECT from another scoped table",
        "INSERT INTO customers (id, name) SELECT o.id + 300, 'from an order' FROM orders o WHERE o.id = $1",
        &[Arg::Int(1)],
        1,
    ),
    shape(
        "INSERT … SELECT an aggregate",
        "INSERT INTO orders (id, customer_id, total) SELECT max(id) + 400, NULL, count(*) FROM orders",
        &[],
        1,
    ),
    shape(
        "INSERT … SELECT without FROM",
        "INSERT INTO customers (id, name) SELECT $1::int, $2::text",
        &[Arg::Int(500), Arg::Text("new")],
        1,
    ),
    shape(
        "upsert … RETURNING",
        "INSERT INTO customers (id, name) VALUES ($1, $2) \
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name RETURNING id",
        &[Arg::Int(1), Arg::Text("renamed")],
        1,
    ),
    shape(
        "UPDATE … FROM",
        "UPDATE orders SET total = total + 1 FROM customers c \
         WHERE c.id = orders.customer_id AND c.name = $1",
        &[Arg::Text("ann")],
        1,
    ),
    shape(
        "DELETE … USING … RETURNING",
        "DELETE FROM orders USING customers c \
         WHERE c.id = orders.customer_id AND c.name = $1 RETURNING orders.id",
        &[Arg::Text("bob")],
        1,
    ),
    shape(
        "UPDATE … RETURNING",
        "UPDATE orders SET total = $2 WHERE id = $1 RETURNING id, total",
        &[Arg::Int(1), Arg::Int(9)],
        1,
    ),
];

fn manifest(pairing: &Pairing) -> Manifest {
    let toml = format!(
        "dialect = \"postgres\"\ntenant_id_type = \"{}\"\n\
         [tables.orders]\nscope = \"tenant\"\n[tables.customers]\nscope = \"tenant\"\n",
        pairing.tenant_id_type
    );
    Manifest::from_toml_str(&toml, "tenant-schema.toml").expect("the test manifest is valid")
}

/// Two tenants with overlapping ids. Tenant A's order 3 names customer 9, which only B has;
/// B's customer `ann` has the id of A's `bob`.
fn schema(pairing: &Pairing) -> String {
    let [a, b] = pairing.tenants.map(Tenant::literal);
    format!(
        "CREATE TABLE customers (tenant_id {c} NOT NULL, id int NOT NULL, name text NOT NULL, \
         PRIMARY KEY (tenant_id, id));
         CREATE TABLE orders (tenant_id {o} NOT NULL, id int NOT NULL, customer_id int, \
         total int NOT NULL, PRIMARY KEY (tenant_id, id));
         INSERT INTO customers VALUES ({a}, 1, 'ann'), ({a}, 2, 'bob'), \
         ({b}, 1, 'zed'), ({b}, 2, 'ann'), ({b}, 9, 'mallory');
         INSERT INTO orders VALUES ({a}, 1, 1, 10), ({a}, 2, 2, 20), ({a}, 3, 9, 30), \
         ({b}, 1, 2, 40), ({b}, 2, 9, 50), ({b}, 4, 1, 60);
         ANALYZE customers; ANALYZE orders;",
        c = pairing.customers_column,
        o = pairing.orders_column,
    )
}

/// The parameter numbers (1-based) that hold the tenant.
fn tenant_parameters(rewritten: &Rewritten) -> Vec<usize> {
    let slots = &rewritten.bind_plan.slots;
    (0..slots.len())
        .filter(|&i| slots[i] == BindSlot::Tenant)
        .map(|i| i + 1)
        .collect()
}

/// The EXECUTE argument list, in parameter order.
fn execute_arguments(rewritten: &Rewritten, args: &[Arg], tenant: Tenant) -> String {
    let values: Vec<String> = rewritten
        .bind_plan
        .slots
        .iter()
        .map(|slot| match slot {
            BindSlot::Tenant => tenant.literal(),
            BindSlot::Arg(i) => args[*i].literal(),
        })
        .collect();
    values.join(", ")
}

/// Prepares the rewrite untyped and returns the types PostgreSQL gave its parameters.
async fn prepare_untyped(conn: &mut PgConnection, sql: &str) -> Result<Vec<String>, String> {
    let prepare = format!("PREPARE tq_shape AS {sql}");
    conn.execute(sqlx::raw_sql(AssertSqlSafe(prepare)))
        .await
        .map_err(|e| format!("PREPARE failed: {e}"))?;
    let types: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(parameter_types)::text FROM pg_prepared_statements WHERE name = 'tq_shape'",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    Ok(types)
}

/// Runs the prepared statement with PostgreSQL's own typing, in a transaction rolled back.
async fn execute_untyped(conn: &mut PgConnection, arguments: &str) -> Result<u64, String> {
    let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
    let execute = format!("EXECUTE tq_shape({arguments})");
    let done = tx
        .execute(sqlx::raw_sql(AssertSqlSafe(execute)))
        .await
        .map_err(|e| format!("EXECUTE failed: {e}"))?;
    tx.rollback().await.map_err(|e| e.to_string())?;
    Ok(done.rows_affected())
}

/// Runs the rewrite with sqlx's typed binds, as the unchecked macros do, rolled back.
/// `None` for a uuid tenant (this crate's sqlx has no uuid type; EXECUTE covers it).
async fn execute_typed(
    conn: &mut PgConnection,
    rewritten: &Rewritten,
    args: &[Arg],
    tenant: Tenant,
) -> Option<Result<u64, String>> {
    let mut query = sqlx::query(AssertSqlSafe(rewritten.sql.clone()));
    for slot in &rewritten.bind_plan.slots {
        query = match (slot, tenant) {
            (BindSlot::Arg(i), _) => match args[*i] {
                Arg::Int(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
            },
            (BindSlot::Tenant, Tenant::I32(v)) => query.bind(v),
            (BindSlot::Tenant, Tenant::I64(v)) => query.bind(v),
            (BindSlot::Tenant, Tenant::Text(v)) => query.bind(v),
            (BindSlot::Tenant, Tenant::Uuid(_)) => return None,
        };
    }
    let run = async {
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        let done = query.execute(&mut *tx).await.map_err(|e| e.to_string())?;
        tx.rollback().await.map_err(|e| e.to_string())?;
        Ok(done.rows_affected())
    };
    Some(run.await)
}

/// Every problem of one shape for one pairing; empty when it prepares, types and runs right.
async fn check_shape(
    conn: &mut PgConnection,
    manifest: &Manifest,
    p: &Pairing,
    s: &Shape,
) -> Vec<String> {
    let rewritten = match rewrite(manifest, s.sql) {
        Ok(r) => r,
        Err(e) => return vec![format!("refused: {e}")],
    };
    let mut problems = Vec::new();
    let tenant = p.tenants[0];
    match prepare_untyped(conn, &rewritten.sql).await {
        Err(e) => problems.push(e),
        Ok(types) => {
            for n in tenant_parameters(&rewritten) {
                let got = types.get(n - 1).map_or("?", String::as_str);
                if !tenant.parameter_types().contains(&got) {
                    problems.push(format!("the tenant ${n} is typed {got}"));
                }
            }
            let arguments = execute_arguments(&rewritten, s.args, tenant);
            match execute_untyped(conn, &arguments).await {
                Ok(rows) if rows != s.rows => {
                    problems.push(format!("EXECUTE: {rows} rows, expected {}", s.rows))
                }
                Ok(_) => {}
                Err(e) => problems.push(e),
            }
            let _ = conn.execute("DEALLOCATE tq_shape").await;
        }
    }
    match execute_typed(conn, &rewritten, s.args, tenant).await {
        Some(Ok(rows)) if rows != s.rows => {
            problems.push(format!("typed binds: {rows} rows, expected {}", s.rows))
        }
        Some(Err(e)) => problems.push(format!("typed binds: {e}")),
        _ => {}
    }
    problems
        .into_iter()
        .map(|e| {
            format!(
                "{} ({}: orders {}, customers {}): {}\n    {}",
                s.name, p.tenant_id_type, p.orders_column, p.customers_column, e, rewritten.sql
            )
        })
        .collect()
}

/// The plan of a point lookup by the primary key `(tenant_id, id)`, prepared untyped and run
/// as a generic plan (what a prepared statement with parameters gets), with sequential scans
/// off so that only an unusable index can keep the plan from it.
async fn point_lookup_plan(
    conn: &mut PgConnection,
    manifest: &Manifest,
    p: &Pairing,
) -> Result<String, String> {
    let rewritten =
        rewrite(manifest, "SELECT total FROM orders WHERE id = $1").map_err(|e| e.to_string())?;
    conn.execute("SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan")
        .await
        .map_err(|e| e.to_string())?;
    prepare_untyped(conn, &rewritten.sql).await?;
    let arguments = execute_arguments(&rewritten, &[Arg::Int(1)], p.tenants[0]);
    let explain = format!("EXPLAIN (COSTS OFF) EXECUTE tq_shape({arguments})");
    let plan: Vec<String> = sqlx::query_scalar(AssertSqlSafe(explain))
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    conn.execute("DEALLOCATE tq_shape; RESET enable_seqscan; RESET plan_cache_mode")
        .await
        .map_err(|e| e.to_string())?;
    Ok(plan.join("\n"))
}

/// Whether an index condition (not a filter over a whole-index scan) holds the tenant column.
fn uses_the_tenant_index(plan: &str) -> bool {
    plan.lines()
        .any(|l| l.trim_start().starts_with("Index Cond:") && l.contains("tenant_id"))
}

#[tokio::test]
async fn postgres_tenant_placeholders_prepare_untyped_run_and_keep_the_index() {
    let mut problems = Vec::new();
    for p in PAIRINGS {
        let Some(scratch) = PgScratch::create("tq_typed").await else {
            return;
        };
        let mut conn = PgConnection::connect_with(&scratch.connect_options())
            .await
            .expect("connect to the scratch schema");
        conn.execute(sqlx::raw_sql(AssertSqlSafe(schema(p))))
            .await
            .expect("create the fixture");
        let manifest = manifest(p);
        for s in SHAPES {
            problems.extend(check_shape(&mut conn, &manifest, p, s).await);
        }
        match point_lookup_plan(&mut conn, &manifest, p).await {
            Ok(plan) if uses_the_tenant_index(&plan) => {}
            Ok(plan) => problems.push(format!(
                "point lookup ({}: orders {}) does not use the tenant index:\n{plan}",
                p.tenant_id_type, p.orders_column
            )),
            Err(e) => problems.push(format!("point lookup ({}): {e}", p.tenant_id_type)),
        }
        conn.close().await.expect("close");
        scratch.drop().await.expect("drop the scratch schema");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
