//! `SELECT *` over outer joins whose scoped tables the engine filters in derived tables
//! returns the same columns, by name and in order, as the original over the tenant's copy: the
//! merged columns of USING and NATURAL first, then each side's others. (The oracle cases
//! compare the rows.)

use tenant_query_core::{rewrite, Dialect};
use tenant_query_tests::db::Env;
use tenant_query_tests::fixture::Val;

const EVERY_DIALECT: &[&str] = &[
    "SELECT * FROM orders o LEFT JOIN customers c USING (id)",
    "SELECT * FROM customers NATURAL LEFT JOIN orders",
    "SELECT * FROM customers c RIGHT JOIN countries k USING (country_code)",
    "SELECT * FROM tenants t LEFT JOIN users u USING (id)",
];

const FULL_JOINS: &[&str] = &[
    "SELECT * FROM orders o FULL JOIN customers c USING (id)",
    "SELECT * FROM orders NATURAL FULL JOIN customers",
    "SELECT * FROM orders o FULL JOIN customers c ON c.id = o.customer_id",
];

async fn same_columns(dialect: Dialect, statements: &[&str]) {
    let env = Env::new(dialect)
        .await
        .unwrap_or_else(|e| panic!("cannot set up the {dialect} fixture: {e}"));
    let Some(mut env) = env else {
        return;
    };
    for sql in statements {
        let rewritten = rewrite(&env.manifest, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert!(
            rewritten.sql.contains("(SELECT * FROM"),
            "{}",
            rewritten.sql
        );
        // No user arguments: every slot is the tenant.
        let binds = vec![Val::Int(1); rewritten.bind_plan.slots.len()];
        let expected = env.copy(1).column_names(sql, &[]).await;
        let actual = env.full.column_names(&rewritten.sql, &binds).await;
        let (expected, actual) = match (expected, actual) {
            (Ok(Some(e)), Ok(Some(a))) => (e, a),
            other => panic!("{dialect}: {sql}\n  as {}\n  gave {other:?}", rewritten.sql),
        };
        assert_eq!(actual, expected, "{dialect}: {sql}\n  as {}", rewritten.sql);
    }
    env.teardown()
        .await
        .unwrap_or_else(|e| panic!("cleaning up: {e}"));
}

#[tokio::test]
async fn select_star_over_outer_joins_without_on_keeps_its_columns() {
    for dialect in [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite] {
        same_columns(dialect, EVERY_DIALECT).await;
    }
}

#[tokio::test]
async fn select_star_over_full_joins_keeps_its_columns() {
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        same_columns(dialect, FULL_JOINS).await;
    }
}
