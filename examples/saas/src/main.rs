//! `cargo run -p saas-example`: the multi-tenant demo service.
//!
//! Environment: `DATABASE_URL` (default `sqlite::memory:`; `sqlite:saas.db` keeps the data and
//! the job queue across restarts), `SAAS_ADDRESS` (default `127.0.0.1:3000`), `ADMIN_TOKEN`
//! (default `admin-demo-token`).

use saas_example::db::DEMO_TENANTS;
use saas_example::{start, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let database_url = env_or("DATABASE_URL", "sqlite::memory:");
    if !database_url.starts_with("sqlite:") {
        return Err(format!(
            "DATABASE_URL={database_url}: this example's tenant-schema.toml says `sqlite`, \
             and the dialect is fixed at compile time; use sqlite::memory: or sqlite:file.db"
        )
        .into());
    }
    let config = Config {
        database_url,
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
