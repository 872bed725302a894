// ---- The scenario, identical on every database (only the placeholders differ). ----
//
// Not a module of its own: `macro-tests/build.rs` writes this file into each package's
// `OUT_DIR` in that package's dialect, and `tests/isolation.rs` includes it after defining
// `Pool`, `SCHEMA`, `setup` and `teardown`. Write placeholders as PostgreSQL's `$1`, `$2`, …
// (MySQL and SQLite get `?`) and the upsert as `UPSERT_CUSTOMER`.

use tenant_query::{
    tenant_query, tenant_query_as, tenant_query_scalar, tenant_query_sql, tenant_set_query,
    tenant_set_query_as, tenant_set_query_scalar, tenant_set_query_sql, unscoped_query,
    unscoped_query_as, unscoped_query_scalar, TenantId, TenantSet,
};

const ACME: TenantId = TenantId::new(1);
const GLOBEX: TenantId = TenantId::new(2);

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

/// Two tenants, each with two customers and three orders, all inserted through the macros.
async fn seed(pool: &Pool) {
    unscoped_query!(
        reason = "test fixture: the tenant registry",
        "INSERT INTO tenants (id, name) VALUES ($1, $2), ($3, $4)",
        1_i64,
        "acme",
        2_i64,
        "globex"
    )
    .execute(pool)
    .await
    .unwrap();
    for (tenant, base, name) in [(ACME, 100_i64, "acme"), (GLOBEX, 200_i64, "globex")] {
        for c in 1..=2_i64 {
            tenant_query!(
                tenant,
                "INSERT INTO customers (id, name) VALUES ($1, $2)",
                base + c,
                format!("{name}-customer-{c}")
            )
            .execute(pool)
            .await
            .unwrap();
        }
        for o in 1..=3_i64 {
            tenant_query!(
                tenant,
                "INSERT INTO orders (id, customer_id, total) VALUES ($1, $2, $3)",
                base + 10 + o,
                base + 1 + (o % 2),
                o * 100
            )
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_sees_only_its_rows_including_through_joins() {
    with_db(|pool| async move {
        seed(&pool).await;

        let rows: Vec<(i64, String, i64)> = tenant_query_as!(
            (i64, String, i64),
            ACME,
            "SELECT o.id, c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id"
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows.iter().all(|(_, name, _)| name.starts_with("acme-")), "{rows:?}");

        // A dangling reference from acme's order to globex's customer must not leak globex's
        // name through the join.
        unscoped_query!(
            reason = "test fixture: a cross-tenant reference",
            "INSERT INTO orders (id, tenant_id, customer_id, total) VALUES ($1, $2, $3, $4)",
            150_i64,
            1_i64,
            201_i64,
            5_i64
        )
        .execute(&pool)
        .await
        .unwrap();
        let leaked: Option<String> = tenant_query_scalar!(
            Option<String>,
            ACME,
            "SELECT c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
            150_i64
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(leaked, None);
        let inner_join: Vec<(i64,)> = tenant_query_as!(
            (i64,),
            ACME,
            "SELECT o.id FROM orders o, customers c WHERE c.id = o.customer_id AND o.id = $1",
            150_i64
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(inner_join.is_empty());

        // Subqueries are scoped too.
        let in_subquery: i64 = tenant_query_scalar!(
            i64,
            GLOBEX,
            "SELECT COUNT(*) FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name LIKE $1)",
            "acme%"
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(in_subquery, 0);

        let counts = (
            tenant_query_scalar!(i64, ACME, "SELECT COUNT(*) FROM orders")
                .fetch_one(&pool)
                .await
                .unwrap(),
            tenant_query_scalar!(i64, GLOBEX, "SELECT COUNT(*) FROM orders")
                .fetch_one(&pool)
                .await
                .unwrap(),
            unscoped_query_scalar!(i64, reason = "test oracle", "SELECT COUNT(*) FROM orders")
                .fetch_one(&pool)
                .await
                .unwrap(),
        );
        assert_eq!(counts, (4, 3, 7));

        // Global tables are shared by every tenant.
        let tenants: Vec<(i64, String)> =
            tenant_query_as!((i64, String), GLOBEX, "SELECT id, name FROM tenants ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(tenants.len(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inserts_are_stamped_with_the_tenant() {
    with_db(|pool| async move {
        tenant_query!(
            GLOBEX,
            "INSERT INTO customers (id, name) VALUES ($1, $2)",
            300_i64,
            "new"
        )
        .execute(&pool)
        .await
        .unwrap();
        // Inside a transaction, through `&mut *tx`, like any sqlx query.
        let mut tx = pool.begin().await.unwrap();
        tenant_query!(
            ACME,
            "INSERT INTO customers (id, name) VALUES ($1, $2)",
            301_i64,
            "in a transaction"
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        let inside: i64 = tenant_query_scalar!(i64, ACME, "SELECT COUNT(*) FROM customers")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(inside, 1);
        tx.commit().await.unwrap();

        let stamped: Vec<(i64, i64)> = unscoped_query_as!(
            (i64, i64),
            reason = "test oracle",
            "SELECT id, tenant_id FROM customers ORDER BY id"
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(stamped, [(300, 2), (301, 1)]);
        println!(
            "stamped insert: {}",
            tenant_query_sql!("INSERT INTO customers (id, name) VALUES ($1, $2)")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_and_delete_never_touch_other_tenants() {
    with_db(|pool| async move {
        seed(&pool).await;
        let oracle = |pool: Pool| async move {
            unscoped_query_as!(
                (i64, i64, i64),
                reason = "test oracle",
                "SELECT id, tenant_id, total FROM orders ORDER BY id"
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        };
        let before = oracle(pool.clone()).await;
        let acme_rows: Vec<_> = before.iter().filter(|r| r.1 == 1).cloned().collect();

        // A blanket UPDATE touches globex's three orders and nothing else.
        let done = tenant_query!(GLOBEX, "UPDATE orders SET total = $1", 0_i64)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 3);
        // Targeting acme's rows by id, or through a subquery, changes nothing. (The arguments
        // are any expressions, generic calls with their `<` outside brackets included.)
        let by_id = tenant_query!(
            GLOBEX,
            "UPDATE orders SET total = $1 WHERE id = $2",
            i64::from(0_u8),
            std::convert::identity::<i64>(111)
        )
        .execute(&pool)
        .await
        .unwrap();
        assert_eq!(by_id.rows_affected(), 0);
        let by_subquery = tenant_query!(
            GLOBEX,
            "UPDATE customers SET name = $1 WHERE id IN (SELECT customer_id FROM orders WHERE id = $2)",
            "stolen",
            111_i64
        )
        .execute(&pool)
        .await
        .unwrap();
        assert_eq!(by_subquery.rows_affected(), 0);
        let deleted = tenant_query!(GLOBEX, "DELETE FROM orders WHERE id = $1", 111_i64)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(deleted.rows_affected(), 0);

        let after = oracle(pool.clone()).await;
        let acme_after: Vec<_> = after.iter().filter(|r| r.1 == 1).cloned().collect();
        assert_eq!(acme_after, acme_rows);
        assert!(after.iter().filter(|r| r.1 == 2).all(|r| r.2 == 0), "{after:?}");

        // A blanket DELETE empties globex only.
        let deleted = tenant_query!(GLOBEX, "DELETE FROM orders")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(deleted.rows_affected(), 3);
        let after = oracle(pool.clone()).await;
        assert_eq!(after, acme_rows);
        let names: Vec<(String,)> =
            unscoped_query_as!((String,), reason = "test oracle", "SELECT name FROM customers ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert!(names.iter().all(|(n,)| n != "stolen"), "{names:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upsert_cannot_overwrite_another_tenants_row() {
    with_db(|pool| async move {
        seed(&pool).await;
        // Customer 101 is acme's. The key is (tenant_id, id), so globex's upsert of 101 inserts
        // globex's own customer 101 ...
        tenant_query!(GLOBEX, UPSERT_CUSTOMER, 101_i64, "globex-takeover")
            .execute(&pool)
            .await
            .unwrap();
        // ... and never touches acme's row.
        let rows: Vec<(i64, String)> = unscoped_query_as!(
            (i64, String),
            reason = "test oracle",
            "SELECT tenant_id, name FROM customers WHERE id = $1 ORDER BY tenant_id",
            101_i64
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            rows,
            [
                (1, "acme-customer-1".to_owned()),
                (2, "globex-takeover".to_owned())
            ]
        );

        // The same upsert on globex's own row does update it.
        tenant_query!(GLOBEX, UPSERT_CUSTOMER, 201_i64, "globex-renamed")
            .execute(&pool)
            .await
            .unwrap();
        let name: String = tenant_query_scalar!(
            String,
            GLOBEX,
            "SELECT name FROM customers WHERE id = $1",
            201_i64
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(name, "globex-renamed");
        // And a fresh key is inserted for globex.
        tenant_query!(GLOBEX, UPSERT_CUSTOMER, 250_i64, "globex-new")
            .execute(&pool)
            .await
            .unwrap();
        let owner: i64 = unscoped_query_scalar!(
            i64,
            reason = "test oracle",
            "SELECT tenant_id FROM customers WHERE id = $1",
            250_i64
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(owner, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tenants_on_one_pool_never_see_each_other() {
    with_db(|pool| async move {
        const TENANTS: i64 = 16;
        const ROWS: i64 = 5;
        let mut tasks = Vec::new();
        for t in 0..TENANTS {
            let pool = pool.clone();
            tasks.push(tokio::spawn(async move {
                let id = 1000 + t;
                let tenant = TenantId::new(id);
                for k in 0..ROWS {
                    tenant_query!(
                        tenant,
                        "INSERT INTO customers (id, name) VALUES ($1, $2)",
                        id * 100 + k,
                        format!("t{id}-{k}")
                    )
                    .execute(&pool)
                    .await
                    .unwrap();
                    tokio::task::yield_now().await;
                }
                for round in 0..20 {
                    let names: Vec<(String,)> =
                        tenant_query_as!((String,), tenant, "SELECT name FROM customers")
                            .fetch_all(&pool)
                            .await
                            .unwrap();
                    assert_eq!(
                        names.len() as i64,
                        ROWS,
                        "tenant {id} round {round}: {names:?}"
                    );
                    let prefix = format!("t{id}-");
                    assert!(
                        names.iter().all(|(n,)| n.starts_with(&prefix)),
                        "tenant {id} saw another tenant's rows: {names:?}"
                    );
                    let renamed = tenant_query!(
                        tenant,
                        "UPDATE customers SET name = $1 WHERE id = $2",
                        format!("t{id}-{round}"),
                        id * 100
                    )
                    .execute(&pool)
                    .await
                    .unwrap();
                    assert_eq!(renamed.rows_affected(), 1);
                    tokio::task::yield_now().await;
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let total: i64 = unscoped_query_scalar!(
            i64,
            reason = "test oracle",
            "SELECT COUNT(*) FROM customers"
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(total, TENANTS * ROWS);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_set_sees_the_rows_of_its_tenants_and_writes_only_when_told() {
    with_db(|pool| async move {
        seed(&pool).await;
        // Globex gets a customer whose id is acme's too: joins must pair rows per tenant.
        tenant_query!(GLOBEX, "INSERT INTO customers (id, name) VALUES ($1, $2)", 101_i64, "globex-twin")
            .execute(&pool)
            .await
            .unwrap();
        let both = TenantSet::new([GLOBEX, ACME]).unwrap();
        // Tenant 3 has no rows.
        let acme_and_empty = TenantSet::new([ACME, TenantId::new(3)]).unwrap();

        let rows: Vec<(i64, i64, String)> = tenant_set_query_as!(
            (i64, i64, String),
            &both,
            "SELECT o.tenant_id, o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id AND c.tenant_id = o.tenant_id ORDER BY o.tenant_id, o.id"
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(rows.len(), 6, "{rows:?}");
        assert!(rows.iter().all(|(t, _, name)| name.starts_with(if *t == 1 { "acme-" } else { "globex-" })), "{rows:?}");

        let count = |set: TenantSet| {
            let pool = pool.clone();
            async move {
                tenant_set_query_scalar!(i64, &set, "SELECT COUNT(*) FROM orders WHERE total >= $1", 100_i64)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(count(both.clone()).await, 6);
        assert_eq!(count(acme_and_empty.clone()).await, 3);
        assert_eq!(count(TenantSet::single(TenantId::new(3))).await, 0);

        // A write over a set says so, and touches the set's rows only.
        let done = tenant_set_query!(
            &acme_and_empty,
            writes = "all",
            "UPDATE customers SET name = $1 WHERE id = $2",
            "renamed",
            101_i64
        )
        .execute(&pool)
        .await
        .unwrap();
        assert_eq!(done.rows_affected(), 1);
        let twin: String = tenant_query_scalar!(String, GLOBEX, "SELECT name FROM customers WHERE id = $1", 101_i64)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(twin, "globex-twin");
        println!("set read: {}", tenant_set_query_sql!("SELECT id FROM orders WHERE total > $1"));
    })
    .await;
}
