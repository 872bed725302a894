//! `cargo run -p saas-example`: the multi-tenant demo service.
//!
//! Environment: `DATABASE_URL` (default `sqlite::memory:`; `sqlite:saas.db` keeps the data and
//! the job queue across restarts; `postgres://…` runs the PostgreSQL build,
//! `saas-example-postgres`), `SAAS_ADDRESS` (default `127.0.0.1:3000`), `ADMIN_TOKEN`
//! (default `admin-demo-token`).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The quick start hands off to its PostgreSQL build the same way; each example stays
    // whole in its own file, for readers who copy it.
    let url = std::env::var("DATABASE_URL").unwrap_or_default();
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        return run_postgres_build();
    }
    if !url.is_empty() && !url.starts_with("sqlite:") {
        return Err(format!(
            "DATABASE_URL={url}: the example runs on SQLite (sqlite::memory:, sqlite:file.db) \
             or PostgreSQL (postgres://…)"
        )
        .into());
    }
    saas_example::run_from_env("sqlite::memory:").await
}

/// The dialect is fixed at compile time by `tenant-schema.toml`, so the PostgreSQL service is
/// its own build: runs `cargo run -p saas-example-postgres` with the same environment.
fn run_postgres_build() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "DATABASE_URL points at PostgreSQL: running the PostgreSQL build, saas-example-postgres"
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["run", "--quiet", "-p", "saas-example-postgres"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()?;
    if !status.success() {
        return Err(format!("the PostgreSQL build failed ({status})").into());
    }
    Ok(())
}
