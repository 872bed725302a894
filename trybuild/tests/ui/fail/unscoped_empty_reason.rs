use tenant_query::unscoped_query;

fn main() {
    let _ = unscoped_query!(reason = "  ", "DELETE FROM orders WHERE total = 0");
}
