//! Every case of `tests/cases` over tenant sets on every database that can run it (see
//! `tenant_query_tests::oracle::sets`), and the plans: a lookup by key over a set uses the
//! index that leads with the tenant column.

use tenant_query_core::{rewrite_for_set, Dialect, SetWrites};
use tenant_query_tests::cases::cases;
use tenant_query_tests::check_sets;
use tenant_query_tests::db::{Conn, Env};
use tenant_query_tests::fixture::Val;
use tenant_query_tests::oracle::sets::set_value;
use tenant_query_tests::oracle::Kind;

async fn run(dialect: Dialect, kind: Kind, what: &str) {
    check_sets(dialect, what, cases(dialect, kind)).await;
}

#[tokio::test]
async fn postgres_queries_over_sets_match_the_oracle() {
    run(
        Dialect::Postgres,
        Kind::Select,
        "postgres queries over sets",
    )
    .await;
}

#[tokio::test]
async fn postgres_statements_over_sets_match_the_oracle() {
    run(
        Dialect::Postgres,
        Kind::Dml,
        "postgres statements over sets",
    )
    .await;
}

#[tokio::test]
async fn mysql_queries_over_sets_match_the_oracle() {
    run(Dialect::MySql, Kind::Select, "mariadb queries over sets").await;
}

#[tokio::test]
async fn mysql_statements_over_sets_match_the_oracle() {
    run(Dialect::MySql, Kind::Dml, "mariadb statements over sets").await;
}

#[tokio::test]
async fn sqlite_queries_over_sets_match_the_oracle() {
    run(Dialect::Sqlite, Kind::Select, "sqlite queries over sets").await;
}

#[tokio::test]
async fn sqlite_statements_over_sets_match_the_oracle() {
    run(Dialect::Sqlite, Kind::Dml, "sqlite statements over sets").await;
}

/// The plan of a lookup by the primary key `(tenant_id, id)` of `orders` over the set
/// {1, 2}, in `dialect`, one line per row of the database's EXPLAIN; `None` when the database
/// is unreachable outside CI.
async fn point_lookup_plan(dialect: Dialect) -> Option<String> {
    let mut env = Env::new(dialect).await.expect("the fixture")?;
    let sql = match dialect {
        Dialect::Postgres => "SELECT total FROM orders WHERE id = $1",
        _ => "SELECT total FROM orders WHERE id = ?",
    };
    let rewritten = rewrite_for_set(&env.manifest, sql, SetWrites::ReadOnly).expect("accepted");
    // A plan over a handful of rows tells nothing: 20 000 orders of 50 other tenants, and
    // fresh statistics.
    let grow = match dialect {
        Dialect::Postgres => {
            "INSERT INTO orders SELECT 100 + i % 50, i, NULL, i, 'new' FROM generate_series(1, 20000) AS i; ANALYZE orders"
        }
        Dialect::MySql => {
            "INSERT INTO orders SELECT 100 + seq % 50, seq, NULL, seq, 'new' FROM seq_1_to_20000; ANALYZE TABLE orders"
        }
        Dialect::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
             INSERT INTO orders SELECT 100 + i % 50, i, NULL, i, 'new' FROM n; ANALYZE"
        }
    };
    env.full.batch(grow).await.expect("more orders");
    let set = set_value(dialect, &[1, 2]);
    let plan = explain(&mut env.full, dialect, &rewritten.sql, set).await;
    env.teardown().await.expect("cleaning up");
    Some(plan.unwrap_or_else(|e| panic!("EXPLAIN of {}: {e}", rewritten.sql)))
}

/// EXPLAIN of `sql` (the id and the set bound, in that order). PostgreSQL: prepared untyped
/// (as `query!` and `cargo sqlx prepare` do) with the set's parameter typed `bigint[]`, run
/// as a generic plan with sequential scans off, so that only an unusable index keeps the plan
/// from it.
async fn explain(conn: &mut Conn, dialect: Dialect, sql: &str, set: Val) -> Result<String, String> {
    let rows = match dialect {
        Dialect::Postgres => {
            let setup = format!(
                "SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan; PREPARE tq_set AS {sql}"
            );
            conn.batch(&setup).await.map_err(|e| e.to_string())?;
            let types =
                "SELECT parameter_types::text FROM pg_prepared_statements WHERE name = 'tq_set'";
            let types = conn.fetch(types, &[]).await.map_err(|e| e.to_string())?;
            assert_eq!(types, [["'{bigint,bigint[]}'"]], "the parameters of {sql}");
            let Val::Text(array) = set else {
                unreachable!("a set is bound as text")
            };
            let explain = format!("EXPLAIN (COSTS OFF) EXECUTE tq_set(1, '{array}')");
            conn.fetch(&explain, &[]).await.map_err(|e| e.to_string())?
        }
        Dialect::MySql => {
            let explain = format!("EXPLAIN {sql}");
            conn.fetch(&explain, &[Val::Int(1), set])
                .await
                .map_err(|e| e.to_string())?
        }
        Dialect::Sqlite => {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            conn.fetch(&explain, &[Val::Int(1), set])
                .await
                .map_err(|e| e.to_string())?
        }
    };
    Ok(rows
        .iter()
        .map(|r| r.join(" | "))
        .collect::<Vec<_>>()
        .join("\n"))
}

#[tokio::test]
async fn postgres_looks_the_set_up_in_the_tenant_index() {
    let Some(plan) = point_lookup_plan(Dialect::Postgres).await else {
        return;
    };
    let index_cond = plan
        .lines()
        .any(|l| l.contains("Index Cond:") && l.contains("tenant_id = ANY"));
    assert!(index_cond, "{plan}");
}

#[tokio::test]
async fn mariadb_looks_the_set_up_in_the_tenant_index() {
    let Some(plan) = point_lookup_plan(Dialect::MySql).await else {
        return;
    };
    // id | select_type | table | type | possible_keys | key | key_len | ref | rows | Extra
    let orders = plan
        .lines()
        .find(|l| l.split(" | ").nth(2) == Some("'orders'"))
        .unwrap_or_else(|| panic!("no row for orders: {plan}"));
    let columns: Vec<&str> = orders.split(" | ").collect();
    assert_eq!(columns[5], "'PRIMARY'", "{plan}");
    assert!(
        ["'eq_ref'", "'ref'", "'const'", "'range'"].contains(&columns[3]),
        "{plan}"
    );
}

#[tokio::test]
async fn sqlite_looks_the_set_up_in_the_tenant_index() {
    let Some(plan) = point_lookup_plan(Dialect::Sqlite).await else {
        return;
    };
    let search = plan
        .lines()
        .any(|l| l.contains("SEARCH orders USING") && l.contains("tenant_id=? AND id=?"));
    assert!(search, "{plan}");
}
