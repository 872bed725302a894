//! Tests of PostgreSQL row-level security under the tenant-query macros, on a real server
//! (`TQ_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/test`):
//!
//! - `tests/rls.rs` applies the migration `tenant-query rls` writes for this crate's
//!   `tenant-schema.toml` (`migrations/`), connects as a login member of the generated
//!   application role, and proves the pool hazards and the second layer with
//!   `tenant_query::rls::begin`;
//! - `tests/partitions.rs` runs the engine's PostgreSQL corpus, rewritten, against tables
//!   partitioned by hash of the tenant column (what Citus distributes by) and checks that each
//!   plan touches one partition per scoped table.
