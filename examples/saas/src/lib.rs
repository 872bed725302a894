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

pub mod api;
pub mod auth;
pub mod db;
pub mod jobs;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite::memory:` or `sqlite:path/to/file.db`.
    pub database_url: String,
    /// Where to listen; port 0 picks a free one.
    pub address: SocketAddr,
    /// The operator's token for `/admin/report`.
    pub admin_token: String,
    /// Whether to run the job worker.
    pub worker: bool,
}

/// A running service.
pub struct Service {
    /// The address it listens on.
    pub address: SocketAddr,
    server: JoinHandle<()>,
    worker: Option<JoinHandle<()>>,
}

impl Service {
    /// Stops the server and the worker (as a crash would: a running job is queued again on
    /// the next start).
    pub async fn stop(self) {
        self.server.abort();
        let _ = self.server.await;
        if let Some(worker) = self.worker {
            worker.abort();
            let _ = worker.await;
        }
    }
}

/// Opens the database, creates the schema and demo tenants if needed, and starts the server
/// and (if configured) the job worker.
pub async fn start(config: Config) -> Result<Service, Box<dyn std::error::Error>> {
    let pool = db::connect(&config.database_url).await?;
    db::prepare(&pool).await?;
    jobs::requeue_interrupted(&pool).await?;
    let listener = TcpListener::bind(config.address).await?;
    let address = listener.local_addr()?;
    let app = api::router(api::AppState {
        pool: pool.clone(),
        admin_token: config.admin_token,
    });
    let server = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "server");
        }
    });
    let worker = config.worker.then(|| tokio::spawn(jobs::work(pool)));
    Ok(Service {
        address,
        server,
        worker,
    })
}
