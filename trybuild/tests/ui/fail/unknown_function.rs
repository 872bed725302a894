use tenant_query::{tenant_query, TenantId};

fn main() {
    let tenant = TenantId::new(1);
    // Functions fail closed like tables: a misspelt function of the application's, and a
    // built-in that acts on the whole server.
    let _ = tenant_query!(
        tenant,
        "SELECT slugfy(status), pg_terminate_backend(1) FROM orders WHERE id = $1",
        7_i64
    );
}
