//! `TenantId` as a sqlx type (the facade's default `sqlx` feature): decoded into `FromRow`
//! structs and bound by plain sqlx queries, as its inner type.

use sqlx::Connection;
use tenant_query::{tenant_query_as, TenantId};

#[derive(sqlx::FromRow, Debug, PartialEq)]
struct Customer {
    id: i64,
    tenant_id: TenantId,
    name: String,
}

#[tokio::test]
async fn tenant_ids_round_trip_through_sqlx() {
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, name TEXT NOT NULL)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let acme = TenantId::new(1);
    sqlx::query("INSERT INTO customers (id, tenant_id, name) VALUES (?, ?, ?)")
        .bind(10_i64)
        .bind(acme)
        .bind("Ada")
        .execute(&mut conn)
        .await
        .unwrap();

    let rows: Vec<Customer> =
        tenant_query_as!(Customer, acme, "SELECT id, tenant_id, name FROM customers")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [Customer {
            id: 10,
            tenant_id: acme,
            name: "Ada".into()
        }]
    );
}
