//! Statements the engine must refuse: they cannot be scoped exactly.

use tenant_query_core::{rewrite, Dialect, Manifest};
use tenant_query_tests::fixture::manifest_toml;

fn refuses(dialect: Dialect, sql: &str) {
    let manifest = Manifest::from_toml_str(&manifest_toml(dialect), "fixture").unwrap();
    if let Ok(r) = rewrite(&manifest, sql) {
        panic!("{dialect}: the engine accepted\n  {sql}\nas\n  {}", r.sql);
    }
}

#[test]
fn full_join_on_a_scoped_table_is_refused() {
    for sql in [
        "SELECT o.id, c.id FROM orders o FULL JOIN customers c ON c.id = o.customer_id",
        "SELECT k.country_code, c.id FROM countries k FULL OUTER JOIN customers c \
         ON c.country_code = k.country_code",
    ] {
        refuses(Dialect::Postgres, sql);
        refuses(Dialect::Sqlite, sql);
    }
}

#[test]
fn left_join_using_on_a_scoped_nullable_side_is_refused() {
    for dialect in [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite] {
        refuses(
            dialect,
            "SELECT user_id, a.id FROM memberships m LEFT JOIN audit_log a USING (user_id)",
        );
        refuses(
            dialect,
            "SELECT user_id, m.org_id FROM audit_log a RIGHT JOIN memberships m USING (user_id)",
        );
    }
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
