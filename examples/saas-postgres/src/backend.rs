//! What is particular to PostgreSQL: opening the pool, and the schema.

use sqlx::postgres::PgPoolOptions;

use crate::Pool;

/// The tables of `tenant-schema.toml`. Ids are per tenant, so two tenants can both have an
/// order 1: the primary keys include the tenant.
pub const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS tenants (
        id BIGINT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        api_key TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS customers (
        tenant_id BIGINT NOT NULL REFERENCES tenants (id),
        id BIGINT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id)
    );
    CREATE TABLE IF NOT EXISTS orders (
        tenant_id BIGINT NOT NULL REFERENCES tenants (id),
        id BIGINT NOT NULL,
        customer_id BIGINT NOT NULL,
        total BIGINT NOT NULL,
        flagged BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
    );
    CREATE TABLE IF NOT EXISTS jobs (
        id BIGSERIAL PRIMARY KEY,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued'
    );
";

/// Connects to the database at `url` (`postgres://…`; `?options=-c%20search_path%3Dname`
/// puts the tables into another schema).
pub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {
    PgPoolOptions::new().max_connections(8).connect(url).await
}
