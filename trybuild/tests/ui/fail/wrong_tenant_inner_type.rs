use tenant_query::{tenant_query, TenantId};

fn main() {
    // The manifest's tenant_id_type is the default, i64.
    let tenant: TenantId<i32> = TenantId::new(1);
    let _ = tenant_query!(tenant, "SELECT id FROM orders");
}
