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
//!
//! Functions fail closed, like tables. A statement may call the dialect's built-in functions
//! that compute only from their arguments and the current row ([`Dialect::builtin_function`])
//! and the functions the manifest declares ([`Manifest::functions`]); any other call is
//! [`DiagnosticKind::UnknownFunction`]. Set-returning functions over values already in scope
//! stand in FROM wherever the database allows them, and need no filter of their own: their rows
//! derive from their arguments, which are scoped like any other expression.
//!
//! ```
//! use tenant_query_core::{rewrite, DiagnosticKind, Manifest};
//!
//! let manifest = Manifest::from_toml_str(
//!     "dialect = \"postgres\"\n[tables.groups]\nscope = \"tenant\"\n",
//!     "tenant-schema.toml",
//! )?;
//! let out = rewrite(
//!     &manifest,
//!     "SELECT g.id, p.key FROM groups g, jsonb_each_text(g.extra_perms) p WHERE p.value = $1",
//! )?;
//! assert_eq!(
//!     out.sql,
//!     "SELECT g.id, p.key FROM groups g, jsonb_each_text(g.extra_perms) p \
//!      WHERE (p.value = $1) AND g.tenant_id = $2"
//! );
//! let err = rewrite(&manifest, "SELECT setval('groups_id_seq', 1)").unwrap_err();
//! assert_eq!(err.kind, DiagnosticKind::UnknownFunction);
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
