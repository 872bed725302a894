use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    // `orders` lists its `columns` in the manifest.
    let _ = tenant_query!(tenant, "SELECT o.id, o.totl FROM orders o WHERE o.id = $1", 7_i64);
}
