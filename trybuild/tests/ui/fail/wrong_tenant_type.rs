use tenant_query::tenant_query;

fn main() {
    // A bare integer is not a tenant: it could be any id.
    let tenant: i64 = 1;
    let _ = tenant_query!(tenant, "SELECT id FROM orders");
}
