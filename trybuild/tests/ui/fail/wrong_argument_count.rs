use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    // One argument short.
    let _ = tenant_query!(tenant, "UPDATE orders SET total = $1 WHERE id = $2", 100_i64);
    // One argument too many.
    let _ = tenant_query!(tenant, "SELECT id FROM orders WHERE id = $1", 7_i64, 8_i64);
}
