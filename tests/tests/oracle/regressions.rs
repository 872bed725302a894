//! One test per rewrite bug the oracle found, each named after what must hold.

use tenant_query_core::{rewrite, Dialect, Manifest};
use tenant_query_tests::check;
use tenant_query_tests::db::Env;
use tenant_query_tests::fixture::manifest_toml;
use tenant_query_tests::oracle::Case;

/// MySQL `INSERT ... SELECT ... ON DUPLICATE KEY UPDATE col = expr` became
/// `col = IF(customers.tenant_id = ?, expr, col)`. The added references to `col` and to
/// `customers.tenant_id` are ambiguous when the SELECT reads a table with a column `col`, or
/// the target table itself without an alias, and MariaDB refused the rewritten statement:
/// "Column 'name' in UPDATE is ambiguous", "Column 'customers.tenant_id' in UPDATE is
/// ambiguous". The engine now refuses the construct with an explanation; it must never emit
/// SQL that the database rejects or misreads. (The cases write `orders`, whose every unique
/// key holds the tenant column, so that no cross-tenant arbiter refuses them first.)
#[tokio::test]
async fn mysql_upsert_from_a_select_stays_unambiguous() {
    check(
        Dialect::MySql,
        "INSERT ... SELECT ... ON DUPLICATE KEY UPDATE",
        vec![
            Case::dml(
                "INSERT ... SELECT from the aliased target ... ON DUPLICATE KEY UPDATE",
                "INSERT INTO orders (id, total, status) \
                 SELECT o.id, o.total, 'copy' FROM orders o \
                 ON DUPLICATE KEY UPDATE status = 'dup'",
            )
            .may_reject(),
            Case::dml(
                "INSERT ... SELECT from the unaliased target ... ON DUPLICATE KEY UPDATE",
                "INSERT INTO orders (id, total, status) \
                 SELECT id, total, 'copy' FROM orders \
                 ON DUPLICATE KEY UPDATE status = CONCAT('dup-', VALUES(status))",
            )
            .may_reject(),
        ],
    )
    .await;
}

/// MySQL's `DELETE FROM alias USING table alias JOIN ...` form: the engine takes the alias
/// after `FROM` for a table name and refuses a valid statement with "table `i` is not
/// declared in fixture manifest".
#[tokio::test]
async fn mysql_delete_from_alias_using_is_scoped() {
    check(
        Dialect::MySql,
        "DELETE FROM alias USING",
        vec![Case::dml(
            "DELETE FROM alias USING",
            "DELETE FROM i USING order_items i JOIN orders o ON o.id = i.order_id \
             WHERE o.status = 'shipped'",
        )],
    )
    .await;
}

/// A CTE that reads a sibling defined after it, under `WITH RECURSIVE`.
fn recursive_forward_reference() -> Case {
    Case::select(
        "WITH RECURSIVE makes a later CTE visible to an earlier one",
        "WITH RECURSIVE x AS (SELECT id FROM orders), orders AS (SELECT 1 AS id) \
         SELECT x.id, c.name FROM x LEFT JOIN customers c ON c.id = x.id",
    )
}

/// Under `WITH RECURSIVE`, PostgreSQL lets a CTE read a sibling defined after it. The engine
/// resolves `orders` inside `x` as the table, adds `orders.tenant_id = $1`, and the rewritten
/// statement fails: "column orders.tenant_id does not exist".
#[tokio::test]
async fn postgres_recursive_with_resolves_later_siblings() {
    check(
        Dialect::Postgres,
        "WITH RECURSIVE forward reference",
        vec![recursive_forward_reference()],
    )
    .await;
}

/// MariaDB, like PostgreSQL, lets a CTE under `WITH RECURSIVE` read a later sibling, where
/// the rewritten statement failed: "Unknown column 'orders.tenant_id' in 'WHERE'". MySQL
/// documents the opposite (only earlier CTEs are visible), so for the MySQL dialect the engine
/// refuses a later sibling's name as ambiguous rather than guess.
#[test]
fn mysql_recursive_with_refuses_later_siblings() {
    let manifest = Manifest::from_toml_str(&manifest_toml(Dialect::MySql), "fixture").unwrap();
    let err = rewrite(&manifest, &recursive_forward_reference().sql).unwrap_err();
    assert!(
        err.message
            .contains("MySQL reads the table of that name here and MariaDB the CTE"),
        "{err}"
    );
}

/// SQLite lets any CTE read any sibling, earlier or later, with or without `RECURSIVE`. The
/// engine resolves `orders` inside `x` as the table, adds `orders.tenant_id = ?1`, and the
/// rewritten statement fails: "no such column: orders.tenant_id".
#[tokio::test]
async fn sqlite_with_resolves_later_siblings() {
    check(
        Dialect::Sqlite,
        "WITH forward reference",
        vec![Case::select(
            "a CTE reading a later sibling",
            "WITH x AS (SELECT id FROM orders), orders AS (SELECT 1 AS id) \
             SELECT x.id, c.name FROM x LEFT JOIN customers c ON c.id = x.id",
        )],
    )
    .await;
}

/// The target of UPDATE and DELETE is always a table, even when a CTE of the same name is in
/// scope (PostgreSQL and SQLite both resolve it so). The engine takes the target for the CTE
/// and passes the statement through without a tenant filter: every tenant's rows are
/// deleted or updated.
fn dml_targets_named_like_a_cte() -> Vec<Case> {
    vec![
        Case::dml(
            "DELETE whose target is named like a CTE",
            "WITH orders AS (SELECT 1 AS id) DELETE FROM orders WHERE id IN (SELECT id FROM orders)",
        ),
        Case::dml(
            "UPDATE whose target is named like a CTE",
            "WITH customers AS (SELECT 2 AS id) \
             UPDATE customers SET name = 'cte' WHERE id IN (SELECT id FROM customers)",
        ),
    ]
}

/// See [`dml_targets_named_like_a_cte`]: a cross-tenant write on PostgreSQL, also from a
/// data-modifying CTE whose target shares a sibling CTE's name.
#[tokio::test]
async fn postgres_dml_target_named_like_a_cte_is_scoped() {
    let mut cases = dml_targets_named_like_a_cte();
    cases.push(Case::dml(
        "data-modifying CTE whose target is named like a sibling CTE",
        "WITH orders AS (SELECT 1 AS id), \
         d AS (DELETE FROM orders WHERE id IN (SELECT id FROM orders) RETURNING id) \
         SELECT id FROM d",
    ));
    check(Dialect::Postgres, "DML target named like a CTE", cases).await;
}

/// See [`dml_targets_named_like_a_cte`]. MariaDB cannot run `WITH ... UPDATE`, but MySQL 8
/// can, and resolves the target to the table: the engine must refuse the statement or
/// scope the target. It passes it through unchanged.
#[test]
fn mysql_dml_target_named_like_a_cte_is_scoped_or_refused() {
    let manifest = Manifest::from_toml_str(&manifest_toml(Dialect::MySql), "fixture").unwrap();
    for sql in [
        "WITH customers AS (SELECT 2 AS id) \
         UPDATE customers SET name = 'cte' WHERE id IN (SELECT id FROM customers)",
        "WITH orders AS (SELECT 1 AS id) DELETE FROM orders WHERE id IN (SELECT id FROM orders)",
    ] {
        if let Ok(out) = rewrite(&manifest, sql) {
            let target = if sql.contains("UPDATE") {
                "customers.tenant_id = ?"
            } else {
                "orders.tenant_id = ?"
            };
            assert!(
                out.sql.contains(target),
                "the target is not scoped:\n  original:  {sql}\n  rewritten: {}",
                out.sql
            );
        }
    }
}

/// See [`dml_targets_named_like_a_cte`]: a cross-tenant write on SQLite.
#[tokio::test]
async fn sqlite_dml_target_named_like_a_cte_is_scoped() {
    check(
        Dialect::Sqlite,
        "DML target named like a CTE",
        dml_targets_named_like_a_cte(),
    )
    .await;
}

/// sqlparser's MySQL tokenizer reads the text of `/*!99999 … */` as SQL, so the engine
/// accepted `DELETE … WHERE id = ? /*!99999 OR 1 = 1 */` and copied the text into the
/// statement without the comment: a statement that the server may run with or without the
/// text, depending on its version, always ran it, and deleted every one of the tenant's rows.
/// The engine cannot know the server's version, so it refuses every executable comment. The
/// database shows that the text runs on some servers: MariaDB 10.11 runs `/*!100000 … */`,
/// which MySQL 8.0 skips.
#[tokio::test]
async fn mysql_versioned_executable_comments_are_refused() {
    let manifest = Manifest::from_toml_str(&manifest_toml(Dialect::MySql), "fixture").unwrap();
    for sql in [
        "DELETE FROM orders WHERE id = ? /*!99999 OR 1 = 1 */",
        "SELECT id FROM orders WHERE id = ? /*!50700 OR 1 = 1 */",
        "SELECT id FROM orders WHERE id = ? /*! OR 1 = 1 */",
        "SELECT id FROM orders WHERE id = ? /*!100000 OR 1 = 1 */",
        "SELECT id FROM orders WHERE id = ? /*M! OR 1 = 1 */",
    ] {
        if let Ok(r) = rewrite(&manifest, sql) {
            panic!("the engine accepted\n  {sql}\nas\n  {}", r.sql);
        }
    }
    let Some(mut env) = Env::new(Dialect::MySql).await.unwrap() else {
        return;
    };
    let all = env
        .full
        .fetch(
            "SELECT COUNT(*) FROM orders WHERE id = -1 /*!100000 OR 1 = 1 */",
            &[],
        )
        .await;
    env.teardown().await.unwrap();
    let all = all.unwrap();
    assert_ne!(
        all,
        vec![vec!["0".to_string()]],
        "the database skipped the comment's text"
    );
}
