//! The engine behind `tenant-query`: manifest, SQL analysis, tenant-scoping rewrite and
//! diagnostics.
//!
//! This crate has no proc-macro dependencies. The `tenant-query` macros and the
//! `tenant-query` command-line tool both call [`rewrite`] and [`check_unscoped`], which
//! return one [`Rewritten`]: the SQL to run, its [`BindPlan`] and the tables it names.
//!
//! # The rewrite contract
//!
//! Running the rewritten statement for tenant *T* on the whole database behaves exactly like
//! running the original statement on a database where every scoped table holds only *T*'s rows
//! and the global tables are complete. Anything the engine cannot rewrite exactly is rejected
//! with a [`Diagnostic`]; it is never passed through.
//!
//! ```
//! use tenant_query_core::{rewrite, BindSlot, Manifest};
//!
//! let manifest = Manifest::from_toml_str(
//!     r#"
//!     dialect = "postgres"
//!     [tables.orders]
//!     scope = "tenant"
//!     [tables.customers]
//!     scope = "tenant"
//!     "#,
//!     "tenant-schema.toml",
//! )?;
//! let out = rewrite(
//!     &manifest,
//!     "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.total > $1",
//! )?;
//! assert_eq!(
//!     out.sql,
//!     "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = $2 \
//!      WHERE (o.total > $1) AND o.tenant_id = $2"
//! );
//! assert_eq!(out.bind_plan.slots, vec![BindSlot::Arg(0), BindSlot::Tenant]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod declared;
mod diagnostic;
mod dialect;
mod discover;
mod functions;
mod manifest;
mod parse;
mod placeholders;
mod rewrite;

pub use diagnostic::{Diagnostic, DiagnosticKind, Label, Location, RenderStyle, Span};
pub use dialect::Dialect;
pub use discover::{find_manifest, DiscoveryError, MANIFEST_ENV_VAR, MANIFEST_FILE_NAME};
pub use functions::FunctionKind;
pub use manifest::{Manifest, ManifestError, Scope, TableConfig, TenantIdType};
pub use placeholders::{BindPlan, BindSlot};
pub use rewrite::{check_unscoped, rewrite, Rewritten};
