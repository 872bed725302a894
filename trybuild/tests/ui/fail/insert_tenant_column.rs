use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    let _ = tenant_query!(
        tenant,
        "INSERT INTO orders (id, tenant_id, total) VALUES ($1, $2, $3)",
        7_i64,
        2_i64,
        100_i64
    );
}
