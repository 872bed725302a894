//! `DATABASE_URL=postgres://… cargo run -p saas-example-postgres`: the SaaS example on
//! PostgreSQL (see `saas-example` for the environment it reads).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var("DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        saas_example_postgres::run_from_env("").await
    } else {
        Err("set DATABASE_URL=postgres://user@host/database".into())
    }
}
