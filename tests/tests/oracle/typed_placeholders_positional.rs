//! The statement shapes of [`super::typed_placeholders`] on MariaDB and SQLite, for an integer
//! and a string tenant. Their placeholders need no types (MySQL's `?` are separate parameters,
//! SQLite's are untyped), so each rewrite is prepared by sqlx (MariaDB: a server-side
//! prepared statement) and run with the tenant's own type, and must return or change the rows
//! of tenant A only.

use sqlx::mysql::MySqlConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Connection, Database, Executor, IntoArguments};
use tenant_query_core::{rewrite, BindSlot, Manifest, Rewritten};
use tenant_query_tests::support::MySqlScratch;

#[derive(Clone, Copy)]
enum Tenant {
    I64(i64),
    Text(&'static str),
}

impl Tenant {
    fn literal(self) -> String {
        match self {
            Tenant::I64(v) => v.to_string(),
            Tenant::Text(v) => format!("'{v}'"),
        }
    }
}

#[derive(Clone, Copy)]
enum Arg {
    Int(i32),
    Text(&'static str),
}

/// A statement, its arguments and the rows it returns (`Rows`) or changes (`Changes`) for
/// tenant A.
struct Shape {
    sql: &'static str,
    args: &'static [Arg],
    expect: Expect,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    Rows(usize),
    Changes(u64),
}

const fn shape(sql: &'static str, args: &'static [Arg], expect: Expect) -> Shape {
    Shape { sql, args, expect }
}

/// The shapes both databases run alike.
const COMMON: &[Shape] = &[
    shape("SELECT o.id, o.total FROM orders o WHERE o.id = ?", &[Arg::Int(1)], Expect::Rows(1)),
    shape(
        "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > ?",
        &[Arg::Int(0)],
        Expect::Rows(2),
    ),
    shape(
        "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id",
        &[],
        Expect::Rows(3),
    ),
    shape(
        "SELECT id FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name = ?)",
        &[Arg::Text("ann")],
        Expect::Rows(1),
    ),
    shape(
        "WITH big AS (SELECT id, customer_id FROM orders WHERE total > ?) \
         SELECT c.name FROM big JOIN customers c ON c.id = big.customer_id",
        &[Arg::Int(0)],
        Expect::Rows(2),
    ),
    shape(
        "INSERT INTO orders (id, customer_id, total) VALUES (?, ?, ?)",
        &[Arg::Int(100), Arg::Int(1), Arg::Int(5)],
        Expect::Changes(1),
    ),
    shape(
        "INSERT INTO orders (id, customer_id, total) \
         SELECT id + 200, customer_id, total FROM orders WHERE id = ?",
        &[Arg::Int(1)],
        Expect::Changes(1),
    ),
    shape(
        "INSERT INTO customers (id, name) SELECT o.id + 300, 'from an order' FROM orders o WHERE o.id = ?",
        &[Arg::Int(1)],
        Expect::Changes(1),
    ),
    shape(
        "INSERT INTO orders (id, customer_id, total) SELECT max(id) + 400, NULL, count(*) FROM orders",
        &[],
        Expect::Changes(1),
    ),
    shape(
        "UPDATE orders SET total = ? WHERE id = ?",
        &[Arg::Int(9), Arg::Int(1)],
        Expect::Changes(1),
    ),
];

/// MariaDB's joined UPDATE/DELETE and ON DUPLICATE KEY UPDATE (2 changes: an update).
const MYSQL: &[Shape] = &[
    shape(
        "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.total = o.total + 1 WHERE c.name = ?",
        &[Arg::Text("ann")],
        Expect::Changes(1),
    ),
    shape(
        "UPDATE orders o, customers c SET o.total = o.total + 1 WHERE c.id = o.customer_id AND c.name = ?",
        &[Arg::Text("ann")],
        Expect::Changes(1),
    ),
    shape(
        "DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = ?",
        &[Arg::Text("bob")],
        Expect::Changes(1),
    ),
    shape(
        "INSERT INTO customers (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)",
        &[Arg::Int(1), Arg::Text("renamed")],
        Expect::Changes(2),
    ),
];

/// SQLite's UPDATE … FROM, RETURNING and ON CONFLICT.
const SQLITE: &[Shape] = &[
    shape(
        "UPDATE orders SET total = total + 1 FROM customers c \
         WHERE c.id = orders.customer_id AND c.name = ?",
        &[Arg::Text("ann")],
        Expect::Changes(1),
    ),
    shape(
        "DELETE FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name = ?) RETURNING id",
        &[Arg::Text("bob")],
        Expect::Rows(1),
    ),
    shape(
        "INSERT INTO customers (id, name) VALUES (?, ?) \
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name RETURNING id",
        &[Arg::Int(1), Arg::Text("renamed")],
        Expect::Rows(1),
    ),
];

fn manifest(dialect: &str, tenant: Tenant) -> Manifest {
    let ty = match tenant {
        Tenant::I64(_) => "i64",
        Tenant::Text(_) => "string",
    };
    let toml = format!(
        "dialect = \"{dialect}\"\ntenant_id_type = \"{ty}\"\n\
         [tables.orders]\nscope = \"tenant\"\nunique = [[\"tenant_id\", \"id\"]]\n\
         [tables.customers]\nscope = \"tenant\"\nunique = [[\"tenant_id\", \"id\"]]\n"
    );
    Manifest::from_toml_str(&toml, "tenant-schema.toml").expect("the test manifest is valid")
}

/// The fixture of [`super::typed_placeholders`]: overlapping ids and a link to B's customer.
fn schema(column: &str, [a, b]: [Tenant; 2]) -> String {
    let (a, b) = (a.literal(), b.literal());
    format!(
        "CREATE TABLE customers (tenant_id {column} NOT NULL, id int NOT NULL, \
         name varchar(50) NOT NULL, PRIMARY KEY (tenant_id, id));
         CREATE TABLE orders (tenant_id {column} NOT NULL, id int NOT NULL, customer_id int, \
         total int NOT NULL, PRIMARY KEY (tenant_id, id));
         INSERT INTO customers VALUES ({a}, 1, 'ann'), ({a}, 2, 'bob'), \
         ({b}, 1, 'zed'), ({b}, 2, 'ann'), ({b}, 9, 'mallory');
         INSERT INTO orders VALUES ({a}, 1, 1, 10), ({a}, 2, 2, 20), ({a}, 3, 9, 30), \
         ({b}, 1, 2, 40), ({b}, 2, 9, 50), ({b}, 4, 1, 60);"
    )
}

/// Binds the user's arguments and the tenant in plan order.
fn bound<'q, DB>(
    rewritten: &Rewritten,
    args: &[Arg],
    tenant: Tenant,
) -> sqlx::query::Query<'q, DB, <DB as Database>::Arguments>
where
    DB: Database,
    <DB as Database>::Arguments: IntoArguments<DB>,
    i32: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut query = sqlx::query(AssertSqlSafe(rewritten.sql.clone()));
    for slot in &rewritten.bind_plan.slots {
        query = match (slot, tenant) {
            (BindSlot::Arg(i), _) => match args[*i] {
                Arg::Int(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
            },
            (BindSlot::Tenant, Tenant::I64(v)) => query.bind(v),
            (BindSlot::Tenant, Tenant::Text(v)) => query.bind(v),
        };
    }
    query
}

/// Runs one shape in a transaction that is rolled back; an error or a wrong count is a problem.
macro_rules! run_shape {
    ($conn:expr, $manifest:expr, $shape:expr, $tenant:expr) => {{
        let s: &Shape = $shape;
        match rewrite($manifest, s.sql) {
            Err(e) => Some(format!("refused: {e}")),
            Ok(rewritten) => {
                let mut tx = $conn.begin().await.expect("begin");
                let query = bound(&rewritten, s.args, $tenant);
                let got = match s.expect {
                    Expect::Rows(_) => query
                        .fetch_all(&mut *tx)
                        .await
                        .map(|r| Expect::Rows(r.len())),
                    Expect::Changes(_) => query
                        .execute(&mut *tx)
                        .await
                        .map(|d| Expect::Changes(d.rows_affected())),
                };
                tx.rollback().await.expect("rollback");
                match got {
                    Ok(got) if got == s.expect => None,
                    Ok(got) => Some(format!(
                        "{got:?}, expected {:?}\n    {}",
                        s.expect, rewritten.sql
                    )),
                    Err(e) => Some(format!("{e}\n    {}", rewritten.sql)),
                }
            }
        }
    }};
}

const TENANTS: [(&str, &str, [Tenant; 2]); 2] = [
    ("i64", "BIGINT", [Tenant::I64(1), Tenant::I64(2)]),
    (
        "string",
        "VARCHAR(50)",
        [Tenant::Text("acme"), Tenant::Text("globex")],
    ),
];

#[tokio::test]
async fn mariadb_statement_shapes_run_for_integer_and_string_tenants() {
    let mut problems = Vec::new();
    for (ty, column, tenants) in TENANTS {
        let Some(scratch) = MySqlScratch::create("tq_shapes").await else {
            return;
        };
        let mut conn = MySqlConnection::connect_with(&scratch.connect_options())
            .await
            .expect("connect to the scratch database");
        conn.execute(sqlx::raw_sql(AssertSqlSafe(schema(column, tenants))))
            .await
            .expect("create the fixture");
        let manifest = manifest("mysql", tenants[0]);
        for s in COMMON.iter().chain(MYSQL) {
            if let Some(p) = run_shape!(conn, &manifest, s, tenants[0]) {
                problems.push(format!("MariaDB, {ty} tenant: {}: {p}", s.sql));
            }
        }
        conn.close().await.expect("close");
        scratch.drop().await.expect("drop the scratch database");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn sqlite_statement_shapes_run_for_integer_and_string_tenants() {
    let mut problems = Vec::new();
    for (ty, _, tenants) in TENANTS {
        let column = if ty == "i64" { "INTEGER" } else { "TEXT" };
        let mut conn = SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("open SQLite in memory");
        conn.execute(sqlx::raw_sql(AssertSqlSafe(schema(column, tenants))))
            .await
            .expect("create the fixture");
        let manifest = manifest("sqlite", tenants[0]);
        for s in COMMON.iter().chain(SQLITE) {
            if let Some(p) = run_shape!(conn, &manifest, s, tenants[0]) {
                problems.push(format!("SQLite, {ty} tenant: {}: {p}", s.sql));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
