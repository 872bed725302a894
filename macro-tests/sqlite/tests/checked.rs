//! The sqlx-checked macros: the rewritten SQL goes through `sqlx::query!` & co., which verify it
//! against `schema.db` at compile time (see build.rs) and type the rows. At run time they work
//! on an in-memory database created from the same `schema.sql`.

use sqlx::{Connection, Row, SqliteConnection};
use tenant_query::{
    tenant_query_as_checked, tenant_query_checked, tenant_query_scalar_checked,
    unscoped_query_as_checked, unscoped_query_checked, unscoped_query_scalar_checked, TenantId,
};

const SCHEMA: &str = include_str!("../schema.sql");

async fn connect() -> SqliteConnection {
    let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
    sqlx::raw_sql(SCHEMA).execute(&mut conn).await.unwrap();
    conn
}

struct Customer {
    id: i64,
    name: String,
}

#[tokio::test]
async fn checked_macros_are_scoped_and_typed() {
    let mut conn = connect().await;
    let acme = TenantId::new(1);
    let globex = TenantId::new(2);

    unscoped_query_checked!(
        reason = "test fixture: the tenant registry",
        "INSERT INTO tenants (id, name) VALUES (?, ?), (?, ?)",
        1_i64,
        "acme",
        2_i64,
        "globex"
    )
    .execute(&mut conn)
    .await
    .unwrap();
    for (tenant, id, name) in [(acme, 10_i64, "Ada"), (globex, 20, "Grace")] {
        tenant_query_checked!(
            tenant,
            "INSERT INTO customers (id, name) VALUES (?, ?)",
            id,
            name
        )
        .execute(&mut conn)
        .await
        .unwrap();
    }

    // Rows are typed by sqlx: `row.id` is an i64, `row.name` a String.
    let rows = tenant_query_checked!(acme, "SELECT id, name FROM customers WHERE id > ?", 0_i64)
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let seen: Vec<(i64, String)> = rows.into_iter().map(|r| (r.id, r.name)).collect();
    assert_eq!(seen, [(10, "Ada".to_owned())]);

    let customers: Vec<Customer> =
        tenant_query_as_checked!(Customer, globex, "SELECT id, name FROM customers")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(customers.len(), 1);
    assert_eq!((customers[0].id, customers[0].name.as_str()), (20, "Grace"));

    let count: i64 =
        tenant_query_scalar_checked!(acme, r#"SELECT COUNT(*) AS "n!: i64" FROM customers"#)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(count, 1);

    // globex cannot rename acme's customer.
    let done = tenant_query_checked!(
        globex,
        "UPDATE customers SET name = ? WHERE id = ?",
        "x",
        10_i64
    )
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 0);

    let all: i64 = unscoped_query_scalar_checked!(
        reason = "test oracle",
        r#"SELECT COUNT(*) AS "n!: i64" FROM customers"#
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(all, 2);
    let everyone: Vec<Customer> = unscoped_query_as_checked!(
        Customer,
        reason = "test oracle",
        "SELECT id, name FROM customers ORDER BY id"
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(everyone.iter().map(|c| c.id).collect::<Vec<_>>(), [10, 20]);
    assert_eq!(everyone[0].name, "Ada");
}

/// schema.db, which the macros are checked against, holds exactly schema.sql.
#[tokio::test]
async fn schema_db_matches_schema_sql() {
    let query = "SELECT type, name, sql FROM sqlite_master ORDER BY name";
    let mut fresh = connect().await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.db");
    let mut stored = SqliteConnection::connect(&format!("sqlite://{path}?mode=ro"))
        .await
        .unwrap();
    let dump = |rows: Vec<sqlx::sqlite::SqliteRow>| -> Vec<(String, String, Option<String>)> {
        rows.iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    };
    let fresh = dump(sqlx::query(query).fetch_all(&mut fresh).await.unwrap());
    let stored = dump(sqlx::query(query).fetch_all(&mut stored).await.unwrap());
    assert_eq!(
        fresh, stored,
        "schema.db is stale: rm -f schema.db && sqlite3 schema.db < schema.sql"
    );
}
