use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    let _ = tenant_query!(tenant, "SELECT id, total FROM invoice WHERE id = $1", 7_i64);
}
