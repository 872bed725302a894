//! Statements the engine must refuse: they cannot be scoped exactly.

use tenant_query_core::{rewrite, Dialect, Manifest};
use tenant_query_tests::fixture::manifest_toml;

fn refuses(dialect: Dialect, sql: &str) {
    let manifest = Manifest::from_toml_str(&manifest_toml(dialect), "fixture").unwrap();
    if let Ok(r) = rewrite(&manifest, sql) {
        panic!("{dialect}: the engine accepted\n  {sql}\nas\n  {}", r.sql);
    }
}

/// MySQL and MariaDB have no FULL JOIN: they read `a FULL JOIN b` as `a AS full JOIN b`, an
/// inner join. PostgreSQL and SQLite run these (the oracle cases).
#[test]
fn full_join_on_a_scoped_table_is_refused_on_mysql() {
    for sql in [
        "SELECT o.id, c.id FROM orders o FULL JOIN customers c ON c.id = o.customer_id",
        "SELECT k.country_code, c.id FROM countries k FULL OUTER JOIN customers c \
         ON c.country_code = k.country_code",
    ] {
        refuses(Dialect::MySql, sql);
    }
}

/// A scoped table on the nullable side of an outer join without ON is filtered in a derived
/// table, which a MySQL UPDATE or DELETE cannot write through.
#[test]
fn outer_joins_without_on_in_mysql_update_and_delete_are_refused() {
    for sql in [
        "UPDATE memberships m LEFT JOIN audit_log a USING (user_id) SET m.role = 'x'",
        "DELETE m FROM memberships m LEFT JOIN audit_log a USING (user_id) WHERE a.id IS NULL",
        "DELETE FROM m USING memberships m LEFT JOIN audit_log a USING (user_id) WHERE a.id IS NULL",
        "UPDATE audit_log a RIGHT JOIN memberships m USING (user_id) SET m.role = 'x'",
    ] {
        refuses(Dialect::MySql, sql);
    }
}

/// PostgreSQL accepts `o.total` ungrouped here because `GROUP BY` holds the primary key of
/// `orders`; filtered in a derived table for the FULL JOIN, `o` has no primary key and the
/// statement would fail. The engine refuses it with the fix instead.
#[test]
fn grouping_by_a_primary_key_through_a_derived_table_is_refused_on_postgres() {
    refuses(
        Dialect::Postgres,
        "SELECT o.id, o.total, count(c.id) FROM orders o FULL JOIN customers c \
         ON c.id = o.customer_id GROUP BY o.tenant_id, o.id",
    );
}

/// In the fixture, `customers.email` is unique across tenants. An upsert that can conflict on
/// it would, on another tenant's row, silently do nothing and tell the caller that the email
/// exists in another tenant; the oracle cases of each dialect run the accepted forms.
#[test]
fn upserts_whose_arbiter_may_be_another_tenants_are_refused() {
    let values =
        "INSERT INTO customers (id, name, email) VALUES (50, 'intruder', 'c2_1@example.test')";
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        for tail in [
            "ON CONFLICT (email) DO UPDATE SET name = excluded.name",
            "ON CONFLICT (email) DO NOTHING",
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            "ON CONFLICT DO NOTHING",
        ] {
            refuses(dialect, &format!("{values} {tail}"));
        }
    }
    refuses(
        Dialect::Postgres,
        &format!("{values} ON CONFLICT ON CONSTRAINT customers_email_key DO UPDATE SET name = excluded.name"),
    );
    refuses(
        Dialect::MySql,
        &format!("{values} ON DUPLICATE KEY UPDATE name = VALUES(name)"),
    );
}

/// Functions fail closed: built-ins that act on the server or read what every tenant holds,
/// and the application's own functions unless the manifest declares them.
#[test]
fn functions_that_reach_past_the_tenant_are_refused() {
    for sql in [
        "SELECT setval('orders_id_seq', 1)",
        "SELECT pg_terminate_backend(1)",
        "SELECT lo_import('/etc/hostname')",
        "SELECT pg_stat_get_live_tuples('orders'::regclass)",
        "SELECT id FROM orders WHERE total > orders_report()",
        "SELECT * FROM customers c, LATERAL customer_orders(c.id) AS o",
        "SELECT * FROM pg_ls_dir('.') AS f",
    ] {
        refuses(Dialect::Postgres, sql);
    }
    for sql in [
        "SELECT SLEEP(1) FROM orders",
        "SELECT GET_LOCK('orders', 10)",
        "SELECT LOAD_FILE('/etc/hostname')",
        "SELECT id FROM orders WHERE total > orders_report()",
    ] {
        refuses(Dialect::MySql, sql);
    }
    for sql in [
        "SELECT load_extension('x')",
        "SELECT * FROM orders WHERE id = last_insert_rowid()",
        "SELECT * FROM generate_series(1, 3)",
    ] {
        refuses(Dialect::Sqlite, sql);
    }
}
