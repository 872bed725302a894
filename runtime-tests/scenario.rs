// ---- The run-time API on real data, identical on every database (only placeholders differ). ----
//
// Not a module of its own: `runtime-tests/build.rs` writes this file into each package's
// `OUT_DIR` in that package's dialect, and the module `scenario` of `tests/runtime.rs` includes
// it after defining `Db`, `Pool`, `SCHEMA`, `setup` and `teardown`. Write placeholders as
// PostgreSQL's `$1`, `$2`, … (MySQL and SQLite get `?`).

use std::sync::Arc;

use sqlx::{Database, QueryBuilder};
use tenant_query::runtime::{DiagnosticKind, Engine, Error};
use tenant_query::TenantId;

const ACME: TenantId = TenantId::new(1);
const GLOBEX: TenantId = TenantId::new(2);
/// A tenant with no rows at all.
const INITECH: TenantId = TenantId::new(3);

/// Whether the database binds `?` by position (MySQL), where a `QueryBuilder`'s arguments
/// cannot make room for a tenant between them.
fn positional() -> bool {
    <Db as Database>::NAME == "MySQL"
}

fn new_engine() -> Engine<Db> {
    Engine::new(tenant_query::embedded_manifest!())
}

/// Runs `test` on a fresh database, then drops it, even when the test panics.
async fn with_db<F, Fut>(test: F)
where
    F: FnOnce(Pool) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(db) = setup().await else { return };
    sqlx::raw_sql(SCHEMA)
        .execute(&db.pool)
        .await
        .expect("create the test schema");
    let outcome = tokio::spawn(test(db.pool.clone())).await;
    teardown(db).await;
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("test task failed: {e}"),
        }
    }
}

/// Runs one statement through the run-time API and returns the rows it affected.
async fn execute(query: Result<sqlx::query::Query<'static, Db, <Db as Database>::Arguments>, Error>, pool: &Pool) -> u64 {
    let query = query.unwrap_or_else(|e| panic!("{e}"));
    query.execute(pool).await.expect("the statement runs").rows_affected()
}

/// Acme and globex both have customers 1 and 2 and orders 11, 12 and 13: the same ids.
/// Globex alone has customer 9, and acme's order 14 points at it: a planted cross-tenant
/// link. Initech has nothing. Everything is written through the run-time API.
async fn seed(engine: &Engine<Db>, pool: &Pool) {
    for (tenant, name) in [(ACME, "acme"), (GLOBEX, "globex")] {
        for c in 1..=2_i64 {
            let insert = engine
                .tenant_query(&tenant, "INSERT INTO customers (id, name) VALUES ($1, $2)")
                .unwrap()
                .bind(c)
                .bind(format!("{name}-customer-{c}"));
            assert_eq!(execute(insert.build(), pool).await, 1);
        }
        for o in 1..=3_i64 {
            let insert = engine
                .tenant_query(
                    &tenant,
                    "INSERT INTO orders (id, customer_id, total) VALUES ($1, $2, $3)",
                )
                .unwrap()
                .bind(10 + o)
                .bind(1 + o % 2)
                .bind(o * 100);
            assert_eq!(execute(insert.build(), pool).await, 1);
        }
    }
    let secret = engine
        .tenant_query(&GLOBEX, "INSERT INTO customers (id, name) VALUES ($1, $2)")
        .unwrap()
        .bind(9_i64)
        .bind("globex-secret");
    execute(secret.build(), pool).await;
    let link = engine
        .unscoped_query(
            "test fixture: a cross-tenant reference",
            "INSERT INTO orders (id, tenant_id, customer_id, total) VALUES ($1, $2, $3, $4)",
        )
        .unwrap()
        .bind(14_i64)
        .bind(1_i64)
        .bind(9_i64)
        .bind(5_i64);
    execute(link.build(), pool).await;
    let country = engine
        .unscoped_query(
            "test fixture: reference data",
            "INSERT INTO countries (code, name) VALUES ($1, $2)",
        )
        .unwrap()
        .bind("FR")
        .bind("France");
    execute(country.build(), pool).await;
}

/// The orders of `tenant` with at least `min_total`, by a statement assembled at run time as
/// an application's filter code does: `(order id, customer name)`.
async fn orders_with_names(
    engine: &Engine<Db>,
    pool: &Pool,
    tenant: TenantId,
    min_total: Option<i64>,
) -> Vec<(i64, Option<String>)> {
    let mut sql =
        String::from("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id");
    if min_total.is_some() {
        sql.push_str(" WHERE o.total >= $1");
    }
    sql.push_str(" ORDER BY o.id");
    let mut query = engine.tenant_query(&tenant, &sql).unwrap_or_else(|e| panic!("{e}"));
    if let Some(min) = min_total {
        query = query.bind(min);
    }
    query
        .build_query_as()
        .unwrap()
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_built_at_run_time_see_only_the_tenants_rows() {
    with_db(|pool| async move {
        let engine = new_engine();
        seed(&engine, &pool).await;

        let acme = orders_with_names(&engine, &pool, ACME, None).await;
        let acme_ids: Vec<i64> = acme.iter().map(|(id, _)| *id).collect();
        assert_eq!(acme_ids, [11, 12, 13, 14]);
        for (id, name) in &acme {
            match id {
                // The planted link reaches globex's customer 9: the join must not show it.
                14 => assert_eq!(name, &None),
                _ => assert!(name.as_deref().is_some_and(|n| n.starts_with("acme-")), "{acme:?}"),
            }
        }
        let globex = orders_with_names(&engine, &pool, GLOBEX, Some(200)).await;
        assert_eq!(
            globex,
            [
                (12, Some("globex-customer-1".to_owned())),
                (13, Some("globex-customer-2".to_owned()))
            ]
        );
        assert!(orders_with_names(&engine, &pool, INITECH, None).await.is_empty());
        assert!(orders_with_names(&engine, &pool, INITECH, Some(0)).await.is_empty());

        // Subqueries and global tables.
        let in_subquery: i64 = engine
            .tenant_query(
                &GLOBEX,
                "SELECT COUNT(*) FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name LIKE $1)",
            )
            .unwrap()
            .bind("acme%")
            .build_query_scalar()
            .unwrap()
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(in_subquery, 0);
        let country: String = engine
            .tenant_query(&INITECH, "SELECT name FROM countries WHERE code = $1")
            .unwrap()
            .bind("FR")
            .build_query_scalar()
            .unwrap()
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(country, "France");
    })
    .await;
}

/// `SELECT o.id … JOIN … WHERE o.total >= <min> ORDER BY o.id LIMIT <limit>` from a
/// `QueryBuilder`, with its values bound by `push_bind`.
fn orders_builder(min_total: i64, limit: i64) -> QueryBuilder<Db> {
    let mut builder = QueryBuilder::new(
        "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total >= ",
    );
    builder.push_bind(min_total);
    builder.push(" ORDER BY o.id LIMIT ");
    builder.push_bind(limit);
    builder
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_builder_statements_are_scoped() {
    with_db(|pool| async move {
        let engine = new_engine();
        seed(&engine, &pool).await;

        // An IN list: the tenant comes after every value, on every database.
        let mut builder = QueryBuilder::<Db>::new("SELECT id FROM orders WHERE id IN (");
        let mut ids = builder.separated(", ");
        for id in [11_i64, 12, 99] {
            ids.push_bind(id);
        }
        builder.push(") ORDER BY id");
        let found: Vec<i64> = engine
            .tenant_query_builder(&INITECH, builder)
            .unwrap()
            .build_query_scalar()
            .unwrap()
            .fetch_all(&pool)
            .await
            .unwrap();
        assert!(found.is_empty(), "{found:?}");

        // A join and a LIMIT: MySQL binds the join's tenant before the builder's values.
        let expected = [12_i64, 13];
        match engine.tenant_query_builder(&GLOBEX, orders_builder(200, 5)) {
            Ok(query) => {
                assert!(!positional(), "{}", query.sql());
                let found: Vec<i64> = query
                    .build_query_scalar()
                    .unwrap()
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                assert_eq!(found, expected);
            }
            Err(Error::BuilderArgumentOrder { sql }) => assert!(positional(), "{sql}"),
            Err(e) => panic!("{e}"),
        }
        // The builder's SQL, bound through the run-time API, works everywhere.
        let sql = orders_builder(0, 0).into_string();
        let found: Vec<i64> = engine
            .tenant_query(&GLOBEX, &sql)
            .unwrap()
            .bind(200_i64)
            .bind(5_i64)
            .build_query_scalar()
            .unwrap()
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(found, expected);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_and_deletes_touch_only_the_tenants_rows() {
    with_db(|pool| async move {
        let engine = new_engine();
        seed(&engine, &pool).await;

        let rename = |tenant: TenantId| {
            engine
                .tenant_query(&tenant, "UPDATE customers SET name = $1 WHERE id = $2")
                .unwrap()
                .bind("renamed")
                .bind(1_i64)
                .build()
        };
        assert_eq!(execute(rename(GLOBEX), &pool).await, 1);
        assert_eq!(execute(rename(INITECH), &pool).await, 0);
        let delete = |tenant: TenantId| {
            engine
                .tenant_query(&tenant, "DELETE FROM orders WHERE id = $1")
                .unwrap()
                .bind(11_i64)
                .build()
        };
        assert_eq!(execute(delete(GLOBEX), &pool).await, 1);
        assert_eq!(execute(delete(INITECH), &pool).await, 0);

        let names: Vec<(i64, String)> = engine
            .unscoped_query(
                "test oracle",
                "SELECT tenant_id, name FROM customers WHERE id = $1 ORDER BY tenant_id",
            )
            .unwrap()
            .bind(1_i64)
            .build_query_as()
            .unwrap()
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(names, [(1, "acme-customer-1".to_owned()), (2, "renamed".to_owned())]);
        let orders: i64 = engine
            .unscoped_query("test oracle", "SELECT COUNT(*) FROM orders WHERE id = $1")
            .unwrap()
            .bind(11_i64)
            .build_query_scalar()
            .unwrap()
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(orders, 1, "acme's order 11 is still there");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_statements_are_errors_and_nothing_runs() {
    with_db(|pool| async move {
        let engine = new_engine();
        seed(&engine, &pool).await;

        let refused = [
            ("SELECT * FROM invoices", DiagnosticKind::UnknownTable),
            ("UPDATE orders SET tenant_id = $1", DiagnosticKind::TenantColumnWrite),
            ("DROP TABLE orders", DiagnosticKind::Unsupported),
            ("DELETE FROM orders; DELETE FROM customers", DiagnosticKind::StatementCount),
            ("SELEC * FROM orders", DiagnosticKind::Syntax),
        ];
        for (sql, kind) in refused {
            // Twice: the second answer comes from the cache and must be the same.
            for _ in 0..2 {
                let err = engine.tenant_query(&ACME, sql).unwrap_err();
                assert_eq!(err.diagnostic().map(|d| d.kind), Some(kind), "{sql}: {err}");
            }
        }
        let too_few = engine
            .tenant_query(&ACME, "DELETE FROM orders WHERE id = $1")
            .unwrap()
            .build();
        assert!(matches!(too_few, Err(Error::ArgumentCount { expected: 1, got: 0 })));
        let too_many = engine
            .tenant_query(&ACME, "DELETE FROM orders")
            .unwrap()
            .bind(11_i64)
            .build();
        assert!(matches!(too_many, Err(Error::ArgumentCount { expected: 0, got: 1 })));
        assert!(matches!(
            engine.unscoped_query("", "DELETE FROM orders"),
            Err(Error::MissingReason)
        ));
        let all: i64 = engine
            .unscoped_query("test oracle", "SELECT COUNT(*) FROM orders")
            .unwrap()
            .build_query_scalar()
            .unwrap()
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(all, 7, "no refused statement ran");
    })
    .await;
}

/// The name of the customer of one order of `tenant`, by one of three statement texts, so
/// that concurrent tasks also race on the first rewrite of each.
async fn customer_of(engine: &Engine<Db>, pool: &Pool, tenant: TenantId, round: i64) -> Vec<String> {
    let order = 11 + round % 3;
    let base = "SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1";
    let query = match round % 3 {
        0 => engine.tenant_query(&tenant, base).unwrap().bind(order),
        1 => engine
            .tenant_query(&tenant, &format!("{base} AND o.total >= $2"))
            .unwrap()
            .bind(order)
            .bind(0_i64),
        _ => engine
            .tenant_query(&tenant, &format!("{base} ORDER BY c.name LIMIT $2"))
            .unwrap()
            .bind(order)
            .bind(10_i64),
    };
    query.build_query_scalar().unwrap().fetch_all(pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_tenants_on_one_pool_never_cross() {
    with_db(|pool| async move {
        let engine = Arc::new(new_engine());
        seed(&engine, &pool).await;

        let tasks: Vec<_> = (0..16)
            .map(|task| {
                let (engine, pool) = (Arc::clone(&engine), pool.clone());
                tokio::spawn(async move {
                    for round in 0..24_i64 {
                        // Two tenants alternating, from task to task and from round to round.
                        let (tenant, prefix) = match (task + round) % 2 {
                            0 => (ACME, "acme-"),
                            _ => (GLOBEX, "globex-"),
                        };
                        let names = customer_of(&engine, &pool, tenant, round).await;
                        assert_eq!(names.len(), 1, "task {task} round {round}: {names:?}");
                        assert!(names[0].starts_with(prefix), "task {task} round {round}: {names:?}");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a task panicked");
        }
        // Seeding went through 4 statement texts, the tasks through 3.
        assert_eq!(engine.cached_statements(), 4 + 3);
    })
    .await;
}
