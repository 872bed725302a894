//! The quick-start demo (`cargo run --example quickstart`) runs to completion: its own
//! assertions check the isolation it prints.

use sqlx::Connection;

type Conn = sqlx::SqliteConnection;

include!("../examples/shared/demo.rs");

#[tokio::test]
async fn the_quickstart_demo_runs_on_in_memory_sqlite() {
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .unwrap();
    demo(&mut conn).await.unwrap();
}
