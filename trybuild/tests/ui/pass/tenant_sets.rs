//! The tenant set macros build queries of the manifest's database (PostgreSQL here) and accept
//! the set by value and by reference; writes over a set compile with `writes = "all"`.

use tenant_query::{
    tenant_set_query, tenant_set_query_as, tenant_set_query_scalar, tenant_set_query_sql,
    TenantId, TenantSet,
};

fn main() {
    let tenants = TenantSet::new([TenantId::new(1), TenantId::new(2)]).unwrap();
    let _: sqlx::query::QueryAs<'_, sqlx::Postgres, (i64, i64), sqlx::postgres::PgArguments> =
        tenant_set_query_as!((i64, i64), &tenants, "SELECT id, total FROM orders WHERE total > $1", 1_i64);
    let _: sqlx::query::QueryScalar<'_, sqlx::Postgres, i64, sqlx::postgres::PgArguments> =
        tenant_set_query_scalar!(i64, tenants.clone(), "SELECT COUNT(*) FROM orders");
    let _ = tenant_set_query!(&tenants, writes = "all", "DELETE FROM orders WHERE id = $1", 7_i64);
    const SQL: &str = tenant_set_query_sql!("SELECT id FROM orders");
    assert_eq!(SQL, "SELECT id FROM orders WHERE orders.tenant_id = ANY($1::BIGINT[])");
}
