//! The manifest the engine tests share, in each dialect.

use tenant_query_core::{Dialect, Manifest};

/// Scoped: orders, customers, order_items, users (tenant column `org_id`, declared columns),
/// billing.invoices. Global: countries.
pub const MANIFEST: &str = r#"
dialect = "postgres"

[tables.orders]
scope = "tenant"

[tables.customers]
scope = "tenant"

[tables.order_items]
scope = "tenant"

[tables.users]
scope = "tenant"
tenant_column = "org_id"
columns = ["id", "org_id", "email", "name"]

[tables."billing.invoices"]
scope = "tenant"

[tables.countries]
scope = "global"
"#;

pub fn manifest(dialect: Dialect) -> Manifest {
    Manifest::from_toml_str(MANIFEST, "tenant-schema.toml")
        .expect("test manifest is valid")
        .with_dialect(dialect)
}
