use tenant_query::tenant_query;

fn main() {
    let _ = tenant_query!("SELECT id FROM orders WHERE id = $1", 7_i64);
}
