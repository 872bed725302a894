//! Every unchecked macro builds a query of the manifest's database (PostgreSQL here), and
//! accepts the tenant by value, by reference and through a field.

use tenant_query::{
    tenant_query, tenant_query_as, tenant_query_scalar, tenant_query_sql, unscoped_query,
    unscoped_query_as, unscoped_query_scalar, TenantId,
};

type Order = (i64, i64);

struct Job {
    tenant: TenantId,
}

fn main() {
    let tenant = TenantId::new(1);
    let job = Job {
        tenant: TenantId::new(2),
    };
    let name = String::from("Ada");

    let _: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> =
        tenant_query!(tenant, "UPDATE customers SET name = $1 WHERE id = $2", &name, 7_i64);
    let _: sqlx::query::QueryAs<'_, sqlx::Postgres, Order, sqlx::postgres::PgArguments> =
        tenant_query_as!(Order, &tenant, "SELECT id, total FROM orders WHERE total > $1", 100_i64);
    let _: sqlx::query::QueryScalar<'_, sqlx::Postgres, i64, sqlx::postgres::PgArguments> =
        tenant_query_scalar!(i64, job.tenant, "SELECT COUNT(*) FROM orders");
    // Trailing commas, temporaries and owned values as arguments.
    let _ = tenant_query!(
        TenantId::new(3),
        "INSERT INTO customers (id, name) VALUES ($1, $2)",
        7_i64,
        format!("{name}!"),
    );
    // A statement on global tables only is not rewritten, and the tenant is still required.
    let _ = tenant_query!(tenant, "SELECT code FROM countries");

    let _ = unscoped_query!(reason = "nightly cleanup", "DELETE FROM orders WHERE total = $1", 0_i64);
    let _ = unscoped_query_as!(Order, reason = "admin page", "SELECT id, total FROM orders");
    let _ = unscoped_query_scalar!(i64, reason = "metrics", "SELECT COUNT(*) FROM orders");
    // Unscoped statements may call any function; scoped ones the declared ones too.
    let _ = unscoped_query!(reason = "reset after import", "SELECT setval('orders_id_seq', 1)");
    let _ = tenant_query!(tenant, "SELECT slugify(status), lower(status) FROM orders");

    const SQL: &str = tenant_query_sql!("SELECT id FROM orders WHERE id = $1");
    assert_eq!(SQL, "SELECT id FROM orders WHERE (id = $1) AND orders.tenant_id = $2::BIGINT");

    // `name` was only borrowed.
    assert_eq!(name, "Ada");
}
