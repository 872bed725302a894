// The quick-start demo, shared by `examples/quickstart.rs` (SQLite) and the PostgreSQL build
// in `examples/quickstart-postgres` (included with `include!`). The includer defines `Conn`,
// the connection type of its manifest's database.
//
// The SQL uses `$1`-style placeholders, which both PostgreSQL and SQLite accept.

use tenant_query::{
    tenant_query, tenant_query_as, tenant_query_scalar, tenant_query_sql, unscoped_query,
    unscoped_query_as, TenantId,
};

/// Prints the SQL as written and as the macro rewrote it, then evaluates to the query.
macro_rules! show {
    ($tenant:expr, $sql:literal $(, $arg:expr)* $(,)?) => {{
        println!("    {}", $sql);
        println!("  → {}", tenant_query_sql!($sql));
        tenant_query!($tenant, $sql $(, $arg)*)
    }};
}

/// The tables of `tenant-schema.toml`; the demo creates them itself.
const DEMO_SCHEMA: &str = "
    CREATE TABLE tenants (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE customers (id BIGINT PRIMARY KEY, tenant_id BIGINT NOT NULL, name TEXT NOT NULL);
    CREATE TABLE orders (
        id BIGINT PRIMARY KEY,
        tenant_id BIGINT NOT NULL,
        customer_id BIGINT NOT NULL,
        total BIGINT NOT NULL
    );
";

#[derive(sqlx::FromRow)]
struct OrderLine {
    id: i64,
    customer: String,
    total: i64,
}

async fn demo(conn: &mut Conn) -> Result<(), sqlx::Error> {
    // Schema set-up is DDL, which the macros do not take: a direct call, allowed where the
    // example crate bans them (clippy.toml).
    #[allow(clippy::disallowed_methods)]
    sqlx::raw_sql(DEMO_SCHEMA).execute(&mut *conn).await?;

    // Two tenants. In an application, the TenantId comes from the authenticated session.
    let acme = TenantId::new(1);
    let globex = TenantId::new(2);

    println!("\n1. Tenants are global rows, written by an explicit unscoped query:");
    unscoped_query!(
        reason = "onboarding creates tenants",
        "INSERT INTO tenants (id, name) VALUES ($1, $2), ($3, $4)",
        1_i64,
        "acme",
        2_i64,
        "globex"
    )
    .execute(&mut *conn)
    .await?;
    println!("    INSERT INTO tenants (id, name) VALUES ($1, $2), ($3, $4)   (unchanged)");

    println!("\n2. Each tenant inserts its customers and orders; inserts are stamped:");
    for (tenant, base, name) in [(acme, 10_i64, "Ada"), (globex, 20_i64, "Grace")] {
        println!("  tenant {tenant}:");
        show!(
            tenant,
            "INSERT INTO customers (id, name) VALUES ($1, $2)",
            base,
            name
        )
        .execute(&mut *conn)
        .await?;
        for (n, total) in [(1_i64, 250_i64), (2, 400)] {
            tenant_query!(
                tenant,
                "INSERT INTO orders (id, customer_id, total) VALUES ($1, $2, $3)",
                base * 10 + n,
                base,
                total * (base / 10)
            )
            .execute(&mut *conn)
            .await?;
        }
    }

    println!("\n3. The same SELECT, run for each tenant, sees only that tenant's rows:");
    for (label, tenant) in [("acme", acme), ("globex", globex)] {
        let lines: Vec<OrderLine> = tenant_query_as!(
            OrderLine,
            tenant,
            "SELECT o.id, c.name AS customer, o.total FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id"
        )
        .fetch_all(&mut *conn)
        .await?;
        let shown: Vec<String> = lines
            .iter()
            .map(|l| format!("order {} for {} ({})", l.id, l.customer, l.total))
            .collect();
        println!("    {label:>6} sees: {}", shown.join(", "));
    }
    println!(
        "    (sent: {})",
        tenant_query_sql!(
            "SELECT o.id, c.name AS customer, o.total FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id"
        )
    );

    println!("\n4. globex tries to change acme's order 101 and to delete everything:");
    let updated = show!(
        globex,
        "UPDATE orders SET total = $1 WHERE id = $2",
        0_i64,
        101_i64
    )
    .execute(&mut *conn)
    .await?;
    println!("    rows affected: {}", updated.rows_affected());
    let deleted = show!(globex, "DELETE FROM orders").execute(&mut *conn).await?;
    println!("    rows affected: {} (globex's own two orders)", deleted.rows_affected());
    let acme_orders: i64 = tenant_query_scalar!(i64, acme, "SELECT COUNT(*) FROM orders")
        .fetch_one(&mut *conn)
        .await?;
    println!("    acme still has {acme_orders} orders");

    println!("\n5. An admin report across tenants must say why it may see everyone:");
    let report: Vec<(String, i64)> = unscoped_query_as!(
        (String, i64),
        reason = "platform admin: order count per tenant",
        "SELECT t.name, COUNT(o.id) FROM tenants t LEFT JOIN orders o ON o.tenant_id = t.id GROUP BY t.name ORDER BY t.name"
    )
    .fetch_all(&mut *conn)
    .await?;
    println!("    SELECT t.name, COUNT(o.id) FROM tenants t LEFT JOIN orders o ON o.tenant_id = t.id GROUP BY t.name ORDER BY t.name   (unchanged)");
    for (name, count) in &report {
        println!("    {name:>6}: {count} orders");
    }

    assert_eq!(updated.rows_affected(), 0);
    assert_eq!(deleted.rows_affected(), 2);
    assert_eq!(acme_orders, 2);
    println!("\nDone. A query without a tenant, on an undeclared table, or writing tenant_id does not compile.");
    Ok(())
}
