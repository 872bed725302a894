//! Row-level security as `tenant-query rls` writes it, under the macros and
//! `tenant_query::rls::begin`, on a real PostgreSQL.
//!
//! Each test works in a schema of its own: it creates the tables and their rows as the owner
//! (the server's superuser), applies `migrations/0001_tenant_rls.up.sql` with a role name of
//! its own in place of `tq_rls_app`, creates a LOGIN member of that role, and asserts only
//! over connections of that member, which is neither a superuser, nor BYPASSRLS, nor the
//! owner. The roles are dropped at the end. Under `CI=true` an unreachable server fails the
//! tests; otherwise they skip loudly.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Row};
use tenant_query::{rls, tenant_query, tenant_query_scalar, unscoped_query, TenantId};
use tenant_query_tests::support::{unique_name, PgRolesGuard, PgScratch};

const UP: &str = include_str!("../migrations/0001_tenant_rls.up.sql");
const DOWN: &str = include_str!("../migrations/0001_tenant_rls.down.sql");
/// The role name the committed migration was written for.
const GENERATED_ROLE: &str = "tq_rls_app";

/// Tenants 1 to 15 own customers 1..=(tenant + 1) (ids overlap across tenants) and one order
/// each; tenant 16 exists and owns nothing. A second order of tenant 1 names customer 16,
/// which only tenant 15 has.
const SCHEMA: &str = "
    CREATE TABLE tenants (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE customers (
        id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, name TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id)
    );
    CREATE TABLE orders (
        id BIGSERIAL, tenant_id BIGINT NOT NULL, customer_id BIGINT, total BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, id)
    );
    INSERT INTO tenants SELECT t, 'tenant ' || t FROM generate_series(1, 16) t;
    INSERT INTO customers
        SELECT c, t, 't' || t || 'c' || c FROM generate_series(1, 15) t, generate_series(1, t + 1) c;
    INSERT INTO orders (tenant_id, customer_id, total) SELECT t, 1, 100 * t FROM generate_series(1, 15) t;
    -- A link planted across tenants: tenant 1's order names customer 16, which only tenant 15 has.
    INSERT INTO orders (tenant_id, customer_id, total) VALUES (1, 16, 7);
";

/// The customers tenant `t` owns.
fn customers_of(t: i64) -> i64 {
    if (1..=15).contains(&t) {
        t + 1
    } else {
        0
    }
}

/// One test's schema, roles and pools.
struct Db {
    scratch: PgScratch,
    /// The superuser: tables, rows and migrations only; never used for an RLS assertion.
    owner: PgPool,
    /// The member of the generated role that the application logs in as.
    app: PgPool,
    role: String,
    /// Drops the roles even when the test fails; declared last, so dropped last.
    _roles: PgRolesGuard,
}

/// The schema with its rows and the up migration, and `connections` connections of the
/// application's login role; `None` when the server is unreachable outside CI.
async fn setup(connections: u32) -> Option<Db> {
    let scratch = PgScratch::create("tq_rls").await?;
    let owner = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(scratch.connect_options())
        .await
        .expect("connect as the owner");
    let role = unique_name("tq_rls_app");
    let login = format!("{role}_login");
    let roles = PgRolesGuard {
        roles: vec![login.clone(), role.clone()],
        schema: scratch.name().to_owned(),
    };
    run(&owner, SCHEMA).await;
    run(&owner, &UP.replace(GENERATED_ROLE, &role)).await;
    run(
        &owner,
        &format!("CREATE ROLE {login} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE {role}"),
    )
    .await;
    let app = PgPoolOptions::new()
        .max_connections(connections)
        .connect_with(scratch.connect_options().username(&login))
        .await
        .expect("connect as the application role");
    Some(Db {
        scratch,
        owner,
        app,
        role,
        _roles: roles,
    })
}

/// Closes the pools and drops the schema; the roles go with the guard.
async fn teardown(db: Db) {
    db.app.close().await;
    db.owner.close().await;
    db.scratch.drop().await.expect("drop the test schema");
}

async fn run(pool: &PgPool, sql: &str) {
    if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(pool)
        .await
    {
        panic!("{sql}\n: {e}");
    }
}

/// The tenant setting on `conn` as a statement outside any transaction sees it: `None` when
/// unset or empty.
async fn setting<'e, E: sqlx::PgExecutor<'e>>(conn: E) -> Option<String> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT current_setting('tenant_query.tenant', true)")
            .fetch_one(conn)
            .await
            .expect("read the setting");
    value.filter(|v| !v.is_empty())
}

/// Every `(tenant_id, id)` of customers that a statement with no tenant filter sees.
async fn all_customers<'e, E: sqlx::PgExecutor<'e>>(conn: E) -> Vec<(i64, i64)> {
    unscoped_query!(
        reason = "proves that the policy, not a filter, limits the rows",
        "SELECT tenant_id, id FROM customers ORDER BY tenant_id, id"
    )
    .fetch_all(conn)
    .await
    .expect("read the customers")
    .iter()
    .map(|row| (row.get(0), row.get(1)))
    .collect()
}

fn expect_only(rows: &[(i64, i64)], tenant: i64) {
    assert_eq!(
        rows.len() as i64,
        customers_of(tenant),
        "tenant {tenant} sees {rows:?}"
    );
    assert!(
        rows.iter().all(|(t, _)| *t == tenant),
        "tenant {tenant} sees another tenant's rows: {rows:?}"
    );
}

#[tokio::test]
async fn the_application_role_is_subject_to_the_policies() {
    let Some(db) = setup(1).await else { return };
    let row = sqlx::query(
        "SELECT r.rolsuper, r.rolbypassrls, \
                pg_has_role(current_user, c.relowner, 'MEMBER') \
         FROM pg_roles r, pg_class c \
         WHERE r.rolname = current_user AND c.oid = 'customers'::regclass",
    )
    .fetch_one(&db.app)
    .await
    .unwrap();
    let (superuser, bypass, owner): (bool, bool, bool) = (row.get(0), row.get(1), row.get(2));
    assert!(
        !superuser && !bypass && !owner,
        "the login role bypasses RLS"
    );
    teardown(db).await;
}

#[tokio::test]
async fn commit_rollback_and_drop_leave_no_tenant_on_the_pooled_connection() {
    let Some(db) = setup(1).await else { return };
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&db.app)
        .await
        .unwrap();
    for end in ["commit", "rollback", "drop"] {
        let tenant = TenantId::new(3_i64);
        let mut tx = rls::begin(&db.app, &tenant).await.unwrap();
        assert_eq!(setting(&mut *tx).await.as_deref(), Some("3"));
        expect_only(&all_customers(&mut *tx).await, 3);
        match end {
            "commit" => tx.commit().await.unwrap(),
            "rollback" => tx.rollback().await.unwrap(),
            _ => drop(tx),
        }
        let mut conn = db.app.acquire().await.unwrap();
        let same: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(same, pid, "the pool of one handed out another connection");
        assert_eq!(setting(&mut *conn).await, None, "after {end}");
        assert_eq!(all_customers(&mut *conn).await, vec![], "after {end}");
    }
    teardown(db).await;
}

#[tokio::test]
async fn a_connection_used_by_one_tenant_then_another_never_shows_the_first_ones_rows() {
    let Some(db) = setup(1).await else { return };
    let (a, b) = (TenantId::new(2_i64), TenantId::new(5_i64));
    let mut tx = rls::begin(&db.app, &a).await.unwrap();
    let names: Vec<String> =
        tenant_query_scalar!(String, a, "SELECT name FROM customers ORDER BY id")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(names, ["t2c1", "t2c2", "t2c3"]);
    tx.commit().await.unwrap();
    let mut tx = rls::begin(&db.app, &b).await.unwrap();
    expect_only(&all_customers(&mut *tx).await, 5);
    tx.commit().await.unwrap();
    teardown(db).await;
}

#[tokio::test]
async fn a_cancelled_future_or_a_panic_inside_the_transaction_leaves_nothing_set() {
    let Some(db) = setup(1).await else { return };
    // Cancelled in the middle of a statement of the transaction.
    let app = db.app.clone();
    let cancelled = tokio::time::timeout(Duration::from_millis(300), async move {
        let mut tx = rls::begin(&app, &TenantId::new(4_i64)).await.unwrap();
        sqlx::query("SELECT pg_sleep(2)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    })
    .await;
    assert!(cancelled.is_err(), "the future was not cancelled");
    assert_eq!(setting(&db.app).await, None, "after a cancelled future");
    assert_eq!(all_customers(&db.app).await, vec![]);
    // A panic with the transaction open.
    let app = db.app.clone();
    let panicked = tokio::spawn(async move {
        let mut tx = rls::begin(&app, &TenantId::new(6_i64)).await.unwrap();
        expect_only(&all_customers(&mut *tx).await, 6);
        panic!("the handler fails with the transaction open");
    })
    .await;
    assert!(panicked.is_err_and(|e| e.is_panic()));
    assert_eq!(setting(&db.app).await, None, "after a panic");
    assert_eq!(all_customers(&db.app).await, vec![]);
    teardown(db).await;
}

#[tokio::test]
async fn sixteen_tenants_on_four_connections_never_cross() {
    let Some(db) = setup(4).await else { return };
    let tasks: Vec<_> = (1..=16_i64)
        .map(|t| {
            let app = db.app.clone();
            tokio::spawn(async move {
                let tenant = TenantId::new(t);
                for round in 0..10 {
                    let mut tx = rls::begin(&app, &tenant).await.unwrap();
                    tokio::task::yield_now().await;
                    expect_only(&all_customers(&mut *tx).await, t);
                    let mine: i64 =
                        tenant_query_scalar!(i64, tenant, "SELECT COUNT(*) FROM customers")
                            .fetch_one(&mut *tx)
                            .await
                            .unwrap();
                    assert_eq!(mine, customers_of(t));
                    assert_eq!(setting(&mut *tx).await, Some(t.to_string()));
                    if round % 2 == 0 {
                        tx.commit().await.unwrap();
                    } else {
                        tx.rollback().await.unwrap();
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a tenant's task failed");
    }
    teardown(db).await;
}

#[tokio::test]
async fn an_unscoped_statement_in_a_tenant_transaction_sees_one_tenant() {
    let Some(db) = setup(1).await else { return };
    let tenant = TenantId::new(1_i64);
    let mut tx = rls::begin(&db.app, &tenant).await.unwrap();
    expect_only(&all_customers(&mut *tx).await, 1);
    // The planted link: tenant 1's order names customer 16, which only tenant 15 has.
    let joined: Vec<(i64, Option<String>)> = unscoped_query!(
        reason = "an unfiltered join under row-level security",
        "SELECT o.total, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id \
         ORDER BY o.total"
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get(0), row.get(1)))
    .collect();
    assert_eq!(joined, vec![(7, None), (100, Some("t1c1".to_owned()))]);
    let tenants: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenants")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(tenants, 16, "a global table has no policy");
    tx.commit().await.unwrap();
    teardown(db).await;
}

#[tokio::test]
async fn with_check_refuses_writes_of_another_tenants_rows() {
    let Some(db) = setup(1).await else { return };
    let tenant = TenantId::new(1_i64);
    let mut tx = rls::begin(&db.app, &tenant).await.unwrap();
    for refused in [
        "INSERT INTO customers (id, tenant_id, name) VALUES (99, 2, 'intruder')",
        "UPDATE customers SET tenant_id = 2 WHERE id = 1",
    ] {
        let mut savepoint = sqlx::Acquire::begin(&mut *tx).await.unwrap();
        let Err(sqlx::Error::Database(e)) = sqlx::query(refused).execute(&mut *savepoint).await
        else {
            panic!("{refused} was accepted");
        };
        assert_eq!(e.code().as_deref(), Some("42501"), "{refused}: {e}");
        assert!(e.message().contains("row-level security policy"), "{e}");
        savepoint.rollback().await.unwrap();
    }
    // Another tenant's rows are invisible to UPDATE and DELETE.
    for unseen in [
        "UPDATE customers SET name = 'taken' WHERE tenant_id = 2",
        "DELETE FROM customers WHERE tenant_id = 2",
    ] {
        let done = sqlx::query(unseen).execute(&mut *tx).await.unwrap();
        assert_eq!(done.rows_affected(), 0, "{unseen}");
    }
    // The tenant column's default is the transaction's tenant; the serial id is granted.
    sqlx::query("INSERT INTO customers (id, name) VALUES (50, 'defaulted')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tenant_query!(
        tenant,
        "INSERT INTO orders (customer_id, total) VALUES ($1, $2)",
        50_i64,
        9_i64
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let stamped: Vec<(i64, String)> =
        sqlx::query_as("SELECT tenant_id, name FROM customers WHERE id = 50")
            .fetch_all(&db.owner)
            .await
            .unwrap();
    assert_eq!(stamped, vec![(1, "defaulted".to_owned())]);
    let untouched: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM customers WHERE tenant_id = 2 AND name LIKE 't2c%'",
    )
    .fetch_one(&db.owner)
    .await
    .unwrap();
    assert_eq!(untouched, customers_of(2));
    teardown(db).await;
}

#[tokio::test]
async fn without_a_tenant_no_scoped_row_is_visible_or_writable() {
    let Some(db) = setup(1).await else { return };
    assert_eq!(all_customers(&db.app).await, vec![]);
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&db.app)
        .await
        .unwrap();
    assert_eq!(orders, 0);
    let insert = sqlx::query("INSERT INTO customers (id, tenant_id, name) VALUES (1, 1, 'x')")
        .execute(&db.app)
        .await;
    assert!(insert.is_err(), "a write with no tenant set was accepted");
    // An empty setting is no tenant either, and raises no error.
    let mut tx = sqlx::Acquire::begin(&db.app).await.unwrap();
    sqlx::query("SELECT set_config('tenant_query.tenant', '', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(all_customers(&mut *tx).await, vec![]);
    tx.rollback().await.unwrap();
    // A malformed setting fails the statement; the message holds the setting, no row.
    let mut tx = sqlx::Acquire::begin(&db.app).await.unwrap();
    sqlx::query("SELECT set_config('tenant_query.tenant', 'x1', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let Err(sqlx::Error::Database(e)) = sqlx::query("SELECT name FROM customers")
        .fetch_all(&mut *tx)
        .await
    else {
        panic!("a malformed tenant setting read rows");
    };
    assert_eq!(e.message(), "invalid input syntax for type bigint: \"x1\"");
    tx.rollback().await.unwrap();
    teardown(db).await;
}

#[tokio::test]
async fn a_point_lookup_under_the_policy_uses_the_tenant_index() {
    let Some(db) = setup(1).await else { return };
    run(
        &db.owner,
        "INSERT INTO customers SELECT c, 100 + c % 50, 'bulk' FROM generate_series(1, 20000) c;
         ANALYZE customers",
    )
    .await;
    let tenant = TenantId::new(3_i64);
    let mut tx = rls::begin(&db.app, &tenant).await.unwrap();
    let plan: Vec<String> =
        sqlx::query_scalar("EXPLAIN (COSTS OFF) SELECT name FROM customers WHERE id = 2")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("Index Scan using customers_pkey"), "{plan}");
    assert!(
        plan.contains("tenant_id = (NULLIF(current_setting("),
        "{plan}"
    );
    assert!(!plan.contains("Seq Scan"), "{plan}");
    let name: String = tenant_query_scalar!(
        String,
        tenant,
        "SELECT name FROM customers WHERE id = $1",
        2_i64
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(name, "t3c2");
    tx.commit().await.unwrap();
    teardown(db).await;
}

#[tokio::test]
async fn the_down_migration_restores_the_schema_without_policies() {
    let Some(db) = setup(1).await else { return };
    db.app.close().await;
    run(&db.owner, &DOWN.replace(GENERATED_ROLE, &db.role)).await;
    let schema = db.scratch.name().to_owned();
    let left: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM pg_policies WHERE schemaname = $1), \
                (SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND (c.relrowsecurity OR c.relforcerowsecurity)), \
                (SELECT COUNT(*) FROM pg_attrdef d JOIN pg_attribute a \
                   ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
                 WHERE d.adrelid IN ('customers'::regclass, 'orders'::regclass) \
                 AND a.attname = 'tenant_id'), \
                (SELECT COUNT(*) FROM information_schema.role_table_grants \
                 WHERE table_schema = $1 AND grantee = $2)",
    )
    .bind(&schema)
    .bind(&db.role)
    .fetch_one(&db.owner)
    .await
    .unwrap();
    assert_eq!(left, (0, 0, 0, 0), "policies, RLS flags, defaults, grants");
    let sequence: bool =
        sqlx::query_scalar("SELECT has_sequence_privilege($1, 'orders_id_seq', 'USAGE')")
            .bind(&db.role)
            .fetch_one(&db.owner)
            .await
            .unwrap();
    assert!(!sequence, "the sequence grant was kept");
    // The up migration applies again on the restored schema.
    run(&db.owner, &UP.replace(GENERATED_ROLE, &db.role)).await;
    teardown(db).await;
}
