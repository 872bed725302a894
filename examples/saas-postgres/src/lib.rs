//! The SaaS example (`examples/saas`) built for PostgreSQL: the same modules, compiled against
//! this package's `tenant-schema.toml`, which says `postgres`. Only [`backend`] is its own.

#[path = "../../saas/src/api.rs"]
pub mod api;
#[path = "../../saas/src/auth.rs"]
pub mod auth;
pub mod backend;
#[path = "../../saas/src/db.rs"]
pub mod db;
#[path = "../../saas/src/jobs.rs"]
pub mod jobs;
#[path = "../../saas/src/service.rs"]
mod service;

pub use service::{run_from_env, start, Config, Service};

/// The database of this build: `tenant-schema.toml` says `postgres`.
pub type Db = sqlx::Postgres;

/// A pool of connections to [`Db`].
pub type Pool = sqlx::Pool<Db>;
