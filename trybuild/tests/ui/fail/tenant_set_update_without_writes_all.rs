use tenant_query::{tenant_set_query, TenantId, TenantSet};

fn main() {
    // An UPDATE over a set changes every tenant's rows of the set: the call must say so.
    let tenants = TenantSet::new([TenantId::new(1), TenantId::new(2)]).unwrap();
    let _ = tenant_set_query!(&tenants, "UPDATE orders SET status = $1 WHERE id = $2", "paid", 7_i64);
}
