use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    let _ = tenant_query!(
        tenant,
        "INSERT INTO customers (id, email) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING",
        7_i64,
        "a@x.test"
    );
}
