//! The tenant-query quick start: `cargo run --example quickstart`.
//!
//! With no setup, it runs on an in-memory SQLite database: two tenants, isolation, an explicit
//! unscoped admin query, and every rewritten statement printed.
//!
//! The SQL dialect is fixed at compile time by `tenant-schema.toml` (this crate's says
//! `sqlite`), so one binary cannot switch databases at run time. With
//! `DATABASE_URL=postgres://…`, this example therefore runs the PostgreSQL build of the same
//! demo, the `tenant-query-quickstart-postgres` package, whose manifest says `postgres`:
//!
//! ```text
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run --example quickstart
//! # is the same as
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run -p tenant-query-quickstart-postgres
//! ```

use sqlx::Connection;

type Conn = sqlx::SqliteConnection;

include!("shared/demo.rs");

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").unwrap_or_default();
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        return run_postgres_build();
    }
    if !url.is_empty() && !url.starts_with("sqlite:") {
        return Err(format!(
            "DATABASE_URL={url}: the quick start runs on SQLite (default) or PostgreSQL; \
             unset DATABASE_URL for the in-memory SQLite demo"
        )
        .into());
    }
    let url = if url.is_empty() {
        "sqlite::memory:".to_owned()
    } else {
        url
    };
    println!("tenant-query quick start on SQLite ({url})");
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    demo(&mut conn).await?;
    Ok(())
}

/// Runs `cargo run -p tenant-query-quickstart-postgres` with the same environment.
fn run_postgres_build() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "DATABASE_URL points at PostgreSQL. The dialect is a compile-time property of \
         tenant-schema.toml, so the PostgreSQL demo is its own build:\n  \
         cargo run -p tenant-query-quickstart-postgres\n"
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace directory")?;
    let status = std::process::Command::new(cargo)
        .args(["run", "--quiet", "-p", "tenant-query-quickstart-postgres"])
        .current_dir(workspace)
        .status()?;
    if !status.success() {
        return Err(format!("the PostgreSQL demo failed ({status})").into());
    }
    Ok(())
}
