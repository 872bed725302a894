use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    // Every undeclared table is reported by one compile.
    let _ = tenant_query!(
        tenant,
        "SELECT o.id FROM order o
         JOIN customer c ON c.id = o.customer_id
         JOIN countries k ON k.code = c.country_code"
    );
}
