use tenant_query::{tenant_set_query, TenantId, TenantSet};

fn main() {
    // Which tenant of the set would the new row belong to? Even `writes = "all"` cannot say.
    let tenants = TenantSet::new([TenantId::new(1), TenantId::new(2)]).unwrap();
    let _ = tenant_set_query!(
        &tenants,
        writes = "all",
        "INSERT INTO orders (id, total) VALUES ($1, $2)",
        7_i64,
        100_i64
    );
}
