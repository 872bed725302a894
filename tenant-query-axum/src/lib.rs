//! [axum](https://docs.rs/axum) integration for [tenant-query](https://docs.rs/tenant-query):
//! from an HTTP request to the [`TenantId`](tenant_query::TenantId) that `tenant_query!`
//! needs.
//!
//! - A [`TenantResolver`], supplied by the application, finds the tenant of a request: from a
//!   header ([`HeaderResolver`]), a subdomain ([`SubdomainResolver`]), a path segment or a
//!   claim of an already-verified token (your own resolver, or [`resolver_fn`]), sync or async.
//! - A [`TenantLayer`] installs the resolver on a router. By default it requires a tenant on
//!   every route but the ones it is told to [`skip`](TenantLayer::skip) (health checks);
//!   [`TenantLayer::on_demand`] leaves it to the handlers.
//! - The [`Tenant`] extractor gives a handler the tenant: `Tenant(tenant): Tenant`.
//! - A request without a tenant never reaches a handler: it is answered 401 (missing), 400
//!   (malformed) or 500 (the resolver failed; the cause is logged with `tracing`, never sent),
//!   with a small JSON body ([`TenantRejection`]).
//! - Tests pin the tenant with [`TenantLayer::pinned`] ([`PinnedTenant`]) instead of the real
//!   resolver.
//! - For users who belong to several tenants, the [`Tenants`] extractor gives a handler a
//!   `TenantSet` for `tenant_set_query!`, found by a [`TenantSetResolver`] that a
//!   [`TenantSetLayer`] installs (a `TenantSet` itself pins the set in tests).
//!
//! # Example
//!
//! ```
//! use axum::{extract::State, routing::get, Json, Router};
//! use sqlx::SqlitePool;
//! use tenant_query::tenant_query_scalar;
//! use tenant_query_axum::{HeaderResolver, Tenant, TenantLayer};
//!
//! async fn order_count(
//!     State(pool): State<SqlitePool>,
//!     Tenant(tenant): Tenant,
//! ) -> Result<Json<i64>, String> {
//!     // SELECT count(*) FROM orders WHERE orders.tenant_id = ?1
//!     let count = tenant_query_scalar!(i64, tenant, "SELECT count(*) FROM orders")
//!         .fetch_one(&pool)
//!         .await
//!         .map_err(|error| error.to_string())?;
//!     Ok(Json(count))
//! }
//!
//! fn app(pool: SqlitePool) -> Router {
//!     Router::new()
//!         .route("/orders/count", get(order_count))
//!         .route("/health", get(|| async { "ok" }))
//!         // every route needs X-Tenant-Id: <integer>, except /health
//!         .layer(TenantLayer::new(HeaderResolver::<i64>::default()).skip("/health"))
//!         .with_state(pool)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use axum::body::Body;
//! use axum::http::{Request, StatusCode};
//! use tower::ServiceExt;
//!
//! let pool = SqlitePool::connect("sqlite::memory:").await?;
//! sqlx::raw_sql(
//!     "CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, total BIGINT);
//!      INSERT INTO orders VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30);",
//! )
//! .execute(&pool)
//! .await?;
//!
//! let request = Request::get("/orders/count").header("x-tenant-id", "1").body(Body::empty())?;
//! let response = app(pool.clone()).oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! let body = axum::body::to_bytes(response.into_body(), 1024).await?;
//! assert_eq!(&body[..], b"2"); // tenant 2's order is not counted
//!
//! let request = Request::get("/orders/count").body(Body::empty())?;
//! let response = app(pool.clone()).oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! let body = axum::body::to_bytes(response.into_body(), 1024).await?;
//! assert_eq!(
//!     &body[..],
//!     br#"{"detail":"header `x-tenant-id` is absent","error":"tenant_missing"}"#
//! );
//!
//! let request = Request::get("/health").body(Body::empty())?;
//! assert_eq!(app(pool).oneshot(request).await?.status(), StatusCode::OK);
//! # Ok(())
//! # }
//! ```
//!
//! # Trusting the tenant
//!
//! The resolver decides which tenant's rows a request can reach, so it must only accept what
//! the caller is entitled to: a header set by an authenticating gateway, a claim of a verified
//! token, or a subdomain checked against the authenticated user's memberships. Everything after
//! the resolver (the macros) is exact; the resolver is where an attacker would aim.

mod extract;
mod header;
mod layer;
mod rejection;
mod resolver;
mod set;
mod subdomain;

pub use extract::Tenant;
pub use header::HeaderResolver;
pub use layer::{TenantLayer, TenantService};
pub use rejection::{BoxError, TenantRejection};
pub use resolver::{resolver_fn, FnResolver, PinnedTenant, TenantResolver};
pub use set::{TenantSetLayer, TenantSetResolver, TenantSetService, Tenants};
pub use subdomain::SubdomainResolver;
