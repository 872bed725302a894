//! What is particular to PostgreSQL: opening the pool, and the job table's id column.

use sqlx::postgres::PgPoolOptions;

use crate::Pool;

/// The job queue's table: its id column is the one thing PostgreSQL spells its own way.
pub const JOBS_TABLE: &str = "
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
