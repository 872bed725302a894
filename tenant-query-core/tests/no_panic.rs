//! No input makes the engine panic: degenerate, huge and deeply nested statements are
//! refused (or accepted) like any other. The cases with a meaningful answer are data, in
//! `tests/cases`; these are built in code because of their size.

use tenant_query_core::{check_unscoped, rewrite, Dialect, Manifest};

#[test]
fn no_input_makes_the_engine_panic() {
    let manifest = Manifest::from_toml_str(
        include_str!("cases/tenant-schema.toml"),
        "tenant-schema.toml",
    )
    .expect("the case manifest is valid")
    .with_dialect(Dialect::Postgres);
    for sql in [
        "",
        ";",
        "'",
        "\"",
        "$",
        "SELECT $99999999999999999999",
        "\u{0}",
        "SELECT * FROM orders WHERE x = '\u{1F600}' AND y = ?",
        &"(".repeat(10_000),
        &format!("SELECT {}", "1 + ".repeat(5_000) + "1"),
        &format!(
            "SELECT * FROM {}",
            "(SELECT * FROM orders) x, ".repeat(200) + "orders"
        ),
    ] {
        let _ = rewrite(&manifest, sql);
        let _ = check_unscoped(&manifest, sql);
    }
}
