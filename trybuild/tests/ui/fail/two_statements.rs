use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    let _ = tenant_query!(tenant, "DELETE FROM orders WHERE id = $1; DELETE FROM customers", 7_i64);
}
