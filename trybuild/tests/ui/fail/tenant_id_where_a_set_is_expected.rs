use tenant_query::{tenant_query, tenant_set_query, TenantId, TenantSet};

fn main() {
    // One tenant is not a set, and a set is not one tenant.
    let tenant = TenantId::new(1);
    let _ = tenant_set_query!(tenant, "SELECT id FROM orders");
    let tenants = TenantSet::single(TenantId::new(1));
    let _ = tenant_query!(tenants, "SELECT id FROM orders");
}
