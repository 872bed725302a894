use tenant_query::{tenant_query, TenantId};

struct Customer {
    id: i64,
}

fn main() {
    let tenant = TenantId::new(1);
    let customer = Customer { id: 7 };
    // A value sqlx cannot bind: the error points at the argument, as with `sqlx::query`.
    let _ = tenant_query!(tenant, "SELECT id FROM orders WHERE customer_id = $1", customer);
    let _ = customer.id;
}
