use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    let _ = tenant_query!(tenant, "UPDATE orders SET tenant_id = $1 WHERE id = $2", 2_i64, 7_i64);
}
