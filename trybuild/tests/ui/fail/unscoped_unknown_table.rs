use tenant_query::unscoped_query;

fn main() {
    // Unscoped queries are not rewritten, but every table must still be declared.
    let _ = unscoped_query!(reason = "nightly cleanup", "DELETE FROM sessions");
}
