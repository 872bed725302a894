use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    let sql = "SELECT id FROM orders";
    let _ = tenant_query!(tenant, sql);
}
