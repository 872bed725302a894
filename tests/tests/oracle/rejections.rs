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
