use tenant_query::{tenant_set_query, TenantId, TenantSet};

fn main() {
    let tenants = TenantSet::single(TenantId::new(1));
    let _ = tenant_set_query!(&tenants, writes = "some", "DELETE FROM orders WHERE id = $1", 7_i64);
}
