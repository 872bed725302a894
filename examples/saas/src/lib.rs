//! A small multi-tenant API on tenant-query and tenant-query-axum: customers, orders, an admin
//! report and a background job, on SQLite.
//!
//! - Requests authenticate with `Authorization: Bearer <api key>`; the key decides the tenant
//!   ([`auth::ApiKeyResolver`]). Without one, 401, and no handler runs.
//! - Every tenant handler queries with `tenant_query!` ([`api`]); `/admin/report` is the one
//!   `unscoped_query!`, behind the operator's `X-Admin-Token`.
//! - `POST /jobs/flag-large-orders` queues a job whose JSON payload carries the tenant; the
//!   worker runs it for exactly that tenant, also after a restart ([`jobs`]).
//!
//! `cargo run -p saas-example` starts it on an in-memory database with two demo tenants.
//! The SQL is written once, with `$n` placeholders that SQLite and PostgreSQL both accept;
//! the package `saas-example-postgres` builds the same modules against a `postgres`
//! manifest (`DATABASE_URL=postgres://… cargo run -p saas-example` runs it).

pub mod api;
pub mod auth;
#[path = "sqlite.rs"]
pub mod backend;
pub mod db;
pub mod jobs;
mod service;

pub use service::{run_from_env, start, Config, Service};

/// The database of this build: `tenant-schema.toml` says `sqlite`.
pub type Db = sqlx::Sqlite;

/// A pool of connections to [`Db`].
pub type Pool = sqlx::Pool<Db>;
