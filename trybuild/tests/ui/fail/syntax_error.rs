use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    let _ = tenant_query!(
        tenant,
        "SELECT id, total
         FROM orders
         WHERE total >"
    );
}
