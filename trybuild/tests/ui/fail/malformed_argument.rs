use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    // A missing comma between two arguments.
    let _ = tenant_query!(tenant, "UPDATE orders SET total = $1 WHERE id = $2", 100_i64 7_i64);
    // An empty argument.
    let _ = tenant_query!(tenant, "SELECT id FROM orders WHERE id = $1", , 7_i64);
}
