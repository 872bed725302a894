//! Starting and stopping the service.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::db::DEMO_TENANTS;
use crate::{api, backend, db, jobs};

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite::memory:` or `sqlite:path/to/file.db` (the SQLite build), `postgres://…` (the
    /// PostgreSQL build).
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
    let pool = backend::connect(&config.database_url).await?;
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

/// Runs the service as `main` does, until Ctrl-C: the database from `DATABASE_URL` (or
/// `default_url`), the address from `SAAS_ADDRESS` (default `127.0.0.1:3000`), the admin
/// token from `ADMIN_TOKEN` (default `admin-demo-token`).
pub async fn run_from_env(default_url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config {
        database_url: env_or("DATABASE_URL", default_url),
        address: env_or("SAAS_ADDRESS", "127.0.0.1:3000").parse()?,
        admin_token: env_or("ADMIN_TOKEN", "admin-demo-token"),
        worker: true,
    };
    let admin_token = config.admin_token.clone();
    let service = start(config).await?;
    let base = format!("http://{}", service.address);
    println!("saas-example listening on {base}");
    for tenant in &DEMO_TENANTS {
        println!(
            "  tenant {} ({}): curl -H 'Authorization: Bearer {}' {base}/orders",
            tenant.id, tenant.slug, tenant.api_key
        );
    }
    println!("  admin report: curl -H 'X-Admin-Token: {admin_token}' {base}/admin/report");
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    service.stop().await;
    Ok(())
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| default.to_owned())
}
