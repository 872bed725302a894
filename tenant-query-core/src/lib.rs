//! The engine behind `tenant-query`: manifest, SQL analysis, tenant-scoping rewrite and
//! diagnostics.
//!
//! This crate has no proc-macro dependencies. The `tenant-query` macros and the
//! `tenant-query` command-line tool both call [`rewrite`] and [`check_unscoped`], which
//! return one [`Rewritten`]: the SQL to run, its [`BindPlan`] and the tables it names.
//! [`rewrite_for_set`] scopes a statement to a set of tenants bound as one value (an array in
//! PostgreSQL, a JSON array's text in SQLite and MySQL), for `tenant_set_query!`.
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
//!     "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = $2::BIGINT \
//!      WHERE (o.total > $1) AND o.tenant_id = $2::BIGINT"
//! );
//! assert_eq!(out.bind_plan.slots, vec![BindSlot::Arg(0), BindSlot::Tenant]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Typed tenant placeholders
//!
//! PostgreSQL types an untyped parameter from where it stands, and sqlx's `query!` prepares
//! statements untyped. So on PostgreSQL an integer tenant compared with its column is cast to
//! the type of `tenant_id_type` (`$2::BIGINT`, `$2::INTEGER`): the parameter then has the
//! `TenantId`'s type whether the column is `int2`, `int4` or `int8`, and btree compares
//! integers across these types, so the tenant index is still used. A string or uuid tenant
//! compared with its column keeps the column's type. A tenant standing alone as a value (a
//! stamped `VALUES` row, a projection) is always cast, so it cannot conflict with the type a
//! comparison gives it. `INSERT … SELECT` projects the tenant column of the SELECT's first
//! table instead, when WHERE pins it to the tenant:
//!
//! ```
//! use tenant_query_core::{rewrite, Manifest};
//!
//! let manifest = Manifest::from_toml_str(
//!     "dialect = \"postgres\"\ntenant_id_type = \"string\"\n[tables.folder]\nscope = \"tenant\"\ntenant_column = \"workspace_id\"\n",
//!     "tenant-schema.toml",
//! )?;
//! let out = rewrite(&manifest, "INSERT INTO folder (name) SELECT name FROM folder WHERE name = $1")?;
//! assert_eq!(
//!     out.sql,
//!     "INSERT INTO folder (name, workspace_id) SELECT name, folder.workspace_id FROM folder \
//!      WHERE (name = $1) AND folder.workspace_id = $2"
//! );
//! let out = rewrite(&manifest, "INSERT INTO folder (name) VALUES ($1)")?;
//! assert_eq!(out.sql, "INSERT INTO folder (name, workspace_id) VALUES ($1, $2::TEXT)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Tables that mix tenant and shared rows
//!
//! A `scope = "tenant_or_global"` table holds the tenants' rows and shared ones whose tenant
//! column is NULL. Where it is read, its predicate is `(t.tenant_id = $1 OR t.tenant_id IS
//! NULL)`; where it is written (the target of UPDATE, DELETE and upserts), only the tenant's
//! rows match. See [`TableConfig::shares_null_tenant_rows`].
//!
//! ## Outer joins without ON, and FULL JOIN
//!
//! A scoped table's predicate goes into WHERE or into a join's ON wherever that is exact, and
//! the table stays a base table. Where it is not — on the nullable side of an outer join written
//! with `USING`, `NATURAL` or no condition, and on either side of a `FULL JOIN` — the table is
//! filtered in a derived table of its own, under its alias (or its name when it has none):
//! `payments p` becomes `(SELECT * FROM payments p WHERE p.tenant_id = $1) AS p`. The derived
//! table has the table's columns in the table's order, so `SELECT *`, the merged column of
//! `USING` and `NATURAL` and every `p.col` read the same, and it is exact whatever the data (a
//! row whose tenant column is NULL never appears). Tables before a `FULL JOIN` or a `RIGHT
//! JOIN` without ON that an inner join's ON can filter stay base tables.
//!
//! ```
//! use tenant_query_core::{rewrite, Manifest};
//!
//! let manifest = Manifest::from_toml_str(
//!     "dialect = \"postgres\"\n[tables.invoices]\nscope = \"tenant\"\n[tables.payments]\nscope = \"tenant\"\n",
//!     "tenant-schema.toml",
//! )?;
//! let out = rewrite(&manifest, "SELECT i.id, p.amount FROM invoices i FULL JOIN payments p ON p.invoice_id = i.id")?;
//! assert_eq!(
//!     out.sql,
//!     "SELECT i.id, p.amount FROM (SELECT * FROM invoices i WHERE i.tenant_id = $1::BIGINT) AS i \
//!      FULL JOIN (SELECT * FROM payments p WHERE p.tenant_id = $1::BIGINT) AS p ON p.invoice_id = i.id"
//! );
//! let out = rewrite(&manifest, "SELECT * FROM invoices LEFT JOIN payments USING (id)")?;
//! assert_eq!(
//!     out.sql,
//!     "SELECT * FROM invoices LEFT JOIN (SELECT * FROM payments WHERE payments.tenant_id = $1::BIGINT) AS payments \
//!      USING(id) WHERE invoices.tenant_id = $1::BIGINT"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A derived table cannot do all a base table can, and the engine refuses those cases: a table
//! an UPDATE or DELETE writes through (MySQL's multi-table forms), a schema-qualified table
//! without an alias (`billing.invoices.id` would no longer resolve), and a query with a locking
//! clause (`FOR UPDATE`), and in PostgreSQL a query that selects the table's columns ungrouped
//! because `GROUP BY` holds its primary key (a derived table has none). MySQL and MariaDB have
//! no FULL JOIN.
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
//!      WHERE (p.value = $1) AND g.tenant_id = $2::BIGINT"
//! );
//! let err = rewrite(&manifest, "SELECT setval('groups_id_seq', 1)").unwrap_err();
//! assert_eq!(err.kind, DiagnosticKind::UnknownFunction);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod comma_update;
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
pub use rewrite::{check_unscoped, rewrite, rewrite_for_set, Rewritten, SetWrites};

/// What identifies this build of the engine: the crate's version and a hash of the files that
/// decide what it writes (its sources, its data, and its `Cargo.toml`, which pins the SQL
/// parser). Two engines with the same fingerprint write the same SQL for the same manifest
/// and statement, so a rewrite kept under it (the macros keep them across builds) is the one
/// the engine would write again.
///
/// ```
/// let fingerprint = tenant_query_core::ENGINE_FINGERPRINT;
/// assert!(fingerprint.starts_with(concat!(env!("CARGO_PKG_VERSION"), "+")));
/// ```
pub const ENGINE_FINGERPRINT: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "+",
    env!("TENANT_QUERY_ENGINE_SOURCES")
);
