//! `tenant-query migrate` on real PostgreSQL, MariaDB and SQLite databases with data: the
//! generated files, applied and reverted by sqlx's own migrator, keep every row, leave a schema
//! that `tenant-query check` accepts and that rewritten statements run against, and restore the
//! original schema and data on the way down.

mod support;

use std::ops::Deref;
use std::path::Path;

use sqlx::migrate::{Migrate, Migrator};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Database, Executor};
use support::db::{mariadb_database, runtime, setup, sqlite_file};
use support::{run_in, temp_root, transcript, write};
use tenant_query_core::{BindSlot, Manifest};
use tenant_query_tests::support::PgScratch;

/// A single-tenant application: a global table, three tables that become scoped with foreign
/// keys between them (one with `ON DELETE CASCADE`, one to the global table), a unique
/// constraint, a unique index, a composite primary key and a plain index.
const SCHEMA: &str = "\
CREATE TABLE {s}countries (code CHAR(2) NOT NULL PRIMARY KEY, name VARCHAR(50));
CREATE TABLE {s}customers (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(100) NOT NULL, country CHAR(2), CONSTRAINT customers_email UNIQUE (email), CONSTRAINT customers_country FOREIGN KEY (country) REFERENCES {s}countries (code));
CREATE TABLE {s}orders (id BIGINT NOT NULL PRIMARY KEY, customer_id BIGINT NOT NULL, total INT DEFAULT 0, CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES {s}customers (id) ON DELETE CASCADE);
CREATE UNIQUE INDEX orders_ref ON {s}orders (customer_id, id);
CREATE TABLE {s}order_lines (order_id BIGINT NOT NULL, line INT NOT NULL, sku VARCHAR(20), PRIMARY KEY (order_id, line), CONSTRAINT order_lines_order FOREIGN KEY (order_id) REFERENCES {s}orders (id) ON DELETE CASCADE);
CREATE INDEX order_lines_sku ON {s}order_lines (sku);
INSERT INTO {s}countries (code, name) VALUES ('fr', 'France'), ('de', 'Germany');
INSERT INTO {s}customers (id, email, country) VALUES (1, 'a@example.com', 'fr'), (2, 'b@example.com', 'de'), (3, 'c@example.com', NULL);
INSERT INTO {s}orders (id, customer_id, total) VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30), (4, 3, NULL), (5, 3, 50);
INSERT INTO {s}order_lines (order_id, line, sku) VALUES (1, 1, 'x'), (1, 2, 'y'), (2, 1, 'x'), (3, 1, 'z'), (5, 1, NULL)";

const MANIFEST: &str = "dialect = \"{dialect}\"
[tables.\"{s}countries\"]
scope = \"global\"
[tables.\"{s}customers\"]
scope = \"tenant\"
[tables.\"{s}orders\"]
scope = \"tenant\"
[tables.\"{s}order_lines\"]
scope = \"tenant\"
";

/// One number per table that changes when a row is lost, added or altered.
const FINGERPRINTS: [&str; 4] = [
    "SELECT CAST(COUNT(*) + 100 * SUM(LENGTH(code) + LENGTH(name)) AS {int}) FROM {s}countries",
    "SELECT CAST(COUNT(*) + 100 * SUM(id * 7 + LENGTH(email)) AS {int}) FROM {s}customers",
    "SELECT CAST(COUNT(*) + 100 * SUM(id * 7 + customer_id * 11 + COALESCE(total, 3)) AS {int}) FROM {s}orders",
    "SELECT CAST(COUNT(*) + 100 * SUM(order_id * 7 + line * 11 + COALESCE(LENGTH(sku), 5)) AS {int}) FROM {s}order_lines",
];

const SCOPED: [(&str, i64); 3] = [("customers", 3), ("orders", 5), ("order_lines", 5)];

/// A dialect's spelling of the test's SQL.
struct Case<'a> {
    dialect: &'a str,
    /// `schema.` for PostgreSQL, empty elsewhere.
    prefix: &'a str,
    /// The integer type of `CAST`.
    int: &'a str,
    url: &'a str,
    root: &'a Path,
    /// The manifest, with `{dialect}` and `{s}`.
    manifest: &'a str,
}

impl Case<'_> {
    fn sql(&self, template: &str) -> String {
        template
            .replace("{s}", self.prefix)
            .replace("{int}", self.int)
    }

    fn manifest(&self) -> String {
        self.sql(&self.manifest.replace("{dialect}", self.dialect))
    }

    /// Runs `migrate` into `dir` and returns the generated files, concatenated with their names,
    /// the schema shown as `[SCHEMA]`.
    fn migrate(&self, dir: &str, args: &[&str]) -> String {
        write(self.root, "tenant-schema.toml", &self.manifest());
        let registry = self.sql("{s}tenants");
        let base = [
            "migrate",
            "--database-url",
            self.url,
            "--registry",
            &registry,
            "--out",
            dir,
        ];
        let out = run_in(self.root, &[&base[..], args].concat());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            transcript(&out, self.root)
        );
        let mut names: Vec<_> = std::fs::read_dir(self.root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut shown = String::new();
        for name in names {
            let text = std::fs::read_to_string(self.root.join(dir).join(&name)).unwrap();
            shown.push_str(&format!("==> {name}\n{text}"));
        }
        match self.prefix.strip_suffix('.') {
            Some(schema) => shown.replace(schema, "[SCHEMA]"),
            None => shown,
        }
    }

    /// The manifest `init` writes for the database (sqlx's own table left out): its tables,
    /// columns and, with a key column taken for the tenant column, their unique keys.
    fn described(&self, name: &str) -> String {
        let schema = self.prefix.strip_suffix('.');
        let columns = [
            self.sql("{s}customers=id"),
            self.sql("{s}orders=id"),
            self.sql("{s}order_lines=order_id"),
        ];
        let mut args = vec!["init", "--database-url", self.url, "--out", name];
        for column in &columns {
            args.extend(["--tenant-column", column]);
        }
        if let Some(schema) = schema {
            args.extend(["--schema", schema]);
        }
        let out = run_in(self.root, &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            transcript(&out, self.root)
        );
        let text = std::fs::read_to_string(self.root.join(name)).unwrap();
        let tables: Vec<&str> = text
            .split("\n\n")
            .filter(|table| !table.contains("_sqlx_migrations"))
            .collect();
        assert!(text.contains("unique = "), "{text}");
        tables.join("\n\n").trim_end().to_owned()
    }

    fn check(&self) {
        write(self.root, "tenant-schema.toml", &self.manifest());
        let out = run_in(self.root, &["check", "--database-url", self.url]);
        let shown = transcript(&out, self.root);
        assert_eq!(out.status.code(), Some(0), "{shown}");
        assert!(shown.contains(": no findings against "), "{shown}");
    }
}

/// The whole round trip on `conn`: migrate, check, run rewritten statements, revert.
async fn round_trip<DB: Database>(case: &Case<'_>, conn: &mut DB::Connection) -> String
where
    for<'a> &'a mut DB::Connection: sqlx::Acquire<'a>,
    for<'a> <<&'a mut DB::Connection as sqlx::Acquire<'a>>::Connection as Deref>::Target: Migrate,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB> + for<'q> sqlx::Encode<'q, DB>,
{
    let described = case.described("before.toml");
    let before = fingerprints(case, conn).await;
    let generated = case.migrate("migrations", &["--batch-size", "2"]);
    let migrator = Migrator::new(case.root.join("migrations")).await.unwrap();
    // The application, still single-tenant, inserts a row between the column and the backfill.
    migrator.run_to(2, &mut *conn).await.unwrap();
    let late = case.sql("INSERT INTO {s}customers (id, email) VALUES (4, 'd@example.com')");
    conn.execute(AssertSqlSafe(late)).await.unwrap();
    migrator.run(&mut *conn).await.unwrap();
    let stamped =
        case.sql("SELECT CAST(COUNT(*) AS {int}) FROM {s}customers WHERE id = 4 AND tenant_id = 1");
    assert_eq!(
        scalar(conn, &stamped).await,
        1,
        "the late row is the default tenant's"
    );
    let late = case.sql("DELETE FROM {s}customers WHERE id = 4");
    conn.execute(AssertSqlSafe(late)).await.unwrap();

    assert_eq!(fingerprints(case, conn).await, before, "a row changed");
    for (table, rows) in SCOPED {
        let stamped =
            format!("SELECT CAST(COUNT(*) AS {{int}}) FROM {{s}}{table} WHERE tenant_id = 1");
        assert_eq!(scalar(conn, &case.sql(&stamped)).await, rows, "{table}");
    }
    case.check();
    rewritten_statements_run(case, conn).await;

    migrator.undo(&mut *conn, 0).await.unwrap();
    assert_eq!(
        fingerprints(case, conn).await,
        before,
        "a row changed on the way down"
    );
    assert_eq!(case.described("after.toml"), described);
    // The original foreign key is back: an order line needs its order.
    let orphan = case.sql("INSERT INTO {s}order_lines (order_id, line) VALUES (99, 1)");
    assert!(conn.execute(AssertSqlSafe(orphan)).await.is_err());
    generated
}

/// A second tenant with the same ids and email as the first (the keys are per tenant now), a
/// planted cross-tenant link that the composite foreign key refuses, and reads and a cascading
/// delete that each see one tenant.
async fn rewritten_statements_run<DB: Database>(case: &Case<'_>, conn: &mut DB::Connection)
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB> + for<'q> sqlx::Encode<'q, DB>,
{
    let manifest = Manifest::from_toml_str(&case.manifest(), "tenant-schema.toml").unwrap();
    let add = case.sql("INSERT INTO {s}tenants (id, name) VALUES (2, 'second')");
    conn.execute(AssertSqlSafe(add)).await.unwrap();
    for statement in [
        "INSERT INTO {s}customers (id, email) VALUES (1, 'a@example.com')",
        "INSERT INTO {s}orders (id, customer_id, total) VALUES (1, 1, 5)",
        "INSERT INTO {s}order_lines (order_id, line) VALUES (1, 1)",
    ] {
        scoped(&manifest, conn, &case.sql(statement), 2)
            .await
            .unwrap();
    }
    // Customer 2 belongs to tenant 1 only.
    let planted = case.sql("INSERT INTO {s}orders (tenant_id, id, customer_id) VALUES (2, 2, 2)");
    assert!(
        conn.execute(AssertSqlSafe(planted)).await.is_err(),
        "a cross-tenant link was accepted"
    );
    let count = case.sql("SELECT CAST(COUNT(*) AS {int}) FROM {s}orders");
    for (tenant, orders) in [(1, 5), (2, 1), (3, 0)] {
        let query = tenant_query_core::rewrite(&manifest, &count).unwrap();
        let mut q = sqlx::query_scalar::<DB, i64>(AssertSqlSafe(query.sql));
        for _ in &query.bind_plan.slots {
            q = q.bind(tenant);
        }
        assert_eq!(
            q.fetch_one(&mut *conn).await.unwrap(),
            orders,
            "tenant {tenant}"
        );
    }
    scoped(&manifest, conn, &case.sql("DELETE FROM {s}customers"), 2)
        .await
        .unwrap();
    let left = case.sql("SELECT CAST(COUNT(*) AS {int}) FROM {s}order_lines WHERE tenant_id = 2");
    assert_eq!(
        scalar(conn, &left).await,
        0,
        "the delete cascaded along the composite keys"
    );
    let remove = case.sql("DELETE FROM {s}tenants WHERE id = 2");
    conn.execute(AssertSqlSafe(remove)).await.unwrap();
}

/// Runs `sql` as `tenant_query!` rewrites it, for `tenant`.
async fn scoped<DB: Database>(
    manifest: &Manifest,
    conn: &mut DB::Connection,
    sql: &str,
    tenant: i64,
) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
{
    let rewritten = tenant_query_core::rewrite(manifest, sql).unwrap();
    let mut query = sqlx::query::<DB>(AssertSqlSafe(rewritten.sql));
    for slot in &rewritten.bind_plan.slots {
        assert_eq!(*slot, BindSlot::Tenant);
        query = query.bind(tenant);
    }
    query.execute(&mut *conn).await.map(|_| ())
}

async fn scalar<DB: Database>(conn: &mut DB::Connection, sql: &str) -> i64
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
{
    sqlx::query_scalar::<DB, i64>(AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn fingerprints<DB: Database>(case: &Case<'_>, conn: &mut DB::Connection) -> Vec<i64>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
{
    let mut out = Vec::new();
    for sql in FINGERPRINTS {
        out.push(scalar(conn, &case.sql(sql)).await);
    }
    out
}

fn statements(template: &str, prefix: &str) -> Vec<String> {
    template
        .split(";\n")
        .map(|s| s.replace("{s}", prefix))
        .collect()
}

/// A scratch PostgreSQL schema, dropped at the end of the test.
struct Scratch(Option<PgScratch>);

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(scratch) = self.0.take() {
            if let Err(e) = runtime().block_on(scratch.drop()) {
                eprintln!("dropping the test schema: {e}");
            }
        }
    }
}

/// A PostgreSQL schema holding `template` and a connection whose `search_path` is it.
fn postgres(template: &str) -> Option<(Scratch, PgConnection)> {
    let scratch = runtime().block_on(PgScratch::create("tq_cli_migrate"))?;
    let prefix = format!("{}.", scratch.name());
    let mut conn: PgConnection = runtime()
        .block_on(scratch.connect_options().connect())
        .unwrap();
    setup(&mut conn, &statements(template, &prefix));
    Some((Scratch(Some(scratch)), conn))
}

fn sqlite(root: &Path, template: &str) -> (String, SqliteConnection) {
    let url = sqlite_file(root, "app.db", &statements(template, ""));
    let options = SqliteConnectOptions::new().filename(root.join("app.db"));
    (url, runtime().block_on(options.connect()).unwrap())
}

#[test]
fn migrate_a_postgres_schema_and_back() {
    let Some((scratch, mut conn)) = postgres(SCHEMA) else {
        return;
    };
    let (_dir, root) = temp_root();
    let url = scratch.0.as_ref().unwrap().url();
    let prefix = format!("{}.", scratch.0.as_ref().unwrap().name());
    let case = Case {
        dialect: "postgres",
        prefix: &prefix,
        int: "BIGINT",
        url: &url,
        root: &root,
        manifest: MANIFEST,
    };
    let generated = runtime().block_on(round_trip::<sqlx::Postgres>(&case, &mut conn));
    insta::assert_snapshot!("migrate_postgres", generated);
}

#[test]
fn migrate_a_mariadb_database_and_back() {
    let template: Vec<String> = SCHEMA.split(";\n").map(str::to_owned).collect();
    let Some((_db, url, _cleanup)) = mariadb_database(&template) else {
        return;
    };
    let (_dir, root) = temp_root();
    let options: MySqlConnectOptions = url.parse().unwrap();
    let mut conn: MySqlConnection = runtime().block_on(options.connect()).unwrap();
    let case = Case {
        dialect: "mysql",
        prefix: "",
        int: "SIGNED",
        url: &url,
        root: &root,
        manifest: MANIFEST,
    };
    let generated = runtime().block_on(round_trip::<sqlx::MySql>(&case, &mut conn));
    insta::assert_snapshot!("migrate_mariadb", generated);
}

#[test]
fn migrate_a_sqlite_file_and_back() {
    let (_dir, root) = temp_root();
    let (url, mut conn) = sqlite(&root, SCHEMA);
    let case = Case {
        dialect: "sqlite",
        prefix: "",
        int: "INTEGER",
        url: &url,
        root: &root,
        manifest: MANIFEST,
    };
    let generated = runtime().block_on(round_trip::<sqlx::Sqlite>(&case, &mut conn));
    insta::assert_snapshot!("migrate_sqlite", generated);
}

const BIG_MANIFEST: &str = "dialect = \"{dialect}\"
[tables.\"{s}events\"]
scope = \"tenant\"
";

/// A table of `rows` rows, filled by one `INSERT … SELECT`, migrated with batches smaller
/// than the table and reverted: every row is stamped, then kept.
async fn big_table<DB: Database>(case: &Case<'_>, conn: &mut DB::Connection, rows: i64)
where
    for<'a> &'a mut DB::Connection: sqlx::Acquire<'a>,
    for<'a> <<&'a mut DB::Connection as sqlx::Acquire<'a>>::Connection as Deref>::Target: Migrate,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB> + for<'q> sqlx::Encode<'q, DB>,
{
    let count = case.sql("SELECT CAST(COUNT(*) AS {int}) FROM {s}events");
    let sum = case.sql("SELECT CAST(SUM(id) AS {int}) FROM {s}events");
    assert_eq!(scalar(conn, &count).await, rows);
    let before = scalar(conn, &sum).await;
    case.migrate("migrations", &["--batch-size", "7000"]);
    let migrator = Migrator::new(case.root.join("migrations")).await.unwrap();
    migrator.run(&mut *conn).await.unwrap();
    let stamped = case.sql("SELECT CAST(COUNT(*) AS {int}) FROM {s}events WHERE tenant_id = 1");
    assert_eq!(scalar(conn, &stamped).await, rows);
    case.check();
    migrator.undo(&mut *conn, 0).await.unwrap();
    assert_eq!(scalar(conn, &count).await, rows);
    assert_eq!(scalar(conn, &sum).await, before);
}

#[test]
fn migrate_a_big_postgres_table_in_batches() {
    let schema = "CREATE TABLE {s}events (id BIGINT PRIMARY KEY, payload VARCHAR(20));
INSERT INTO {s}events SELECT g, 'p' || g FROM generate_series(1, 120000) AS g";
    let Some((scratch, mut conn)) = postgres(schema) else {
        return;
    };
    let (_dir, root) = temp_root();
    let url = scratch.0.as_ref().unwrap().url();
    let prefix = format!("{}.", scratch.0.as_ref().unwrap().name());
    let case = Case {
        dialect: "postgres",
        prefix: &prefix,
        int: "BIGINT",
        url: &url,
        root: &root,
        manifest: BIG_MANIFEST,
    };
    runtime().block_on(big_table::<sqlx::Postgres>(&case, &mut conn, 120_000));
}

#[test]
fn migrate_a_big_sqlite_table_in_batches() {
    let schema = "CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000) INSERT INTO events SELECT i, 'p' || i FROM n";
    let (_dir, root) = temp_root();
    let (url, mut conn) = sqlite(&root, schema);
    let case = Case {
        dialect: "sqlite",
        prefix: "",
        int: "INTEGER",
        url: &url,
        root: &root,
        manifest: BIG_MANIFEST,
    };
    runtime().block_on(big_table::<sqlx::Sqlite>(&case, &mut conn, 120_000));
}

#[test]
fn migrate_a_big_mariadb_table_in_batches() {
    let digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
    let fill = format!(
        "INSERT INTO {{s}}events SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d, 'p' \
         FROM {digits} a, {digits} b, {digits} c, {digits} e, {digits} f"
    );
    let template = vec![
        "CREATE TABLE {s}events (id BIGINT PRIMARY KEY, payload VARCHAR(20))".to_owned(),
        fill,
    ];
    let Some((_db, url, _cleanup)) = mariadb_database(&template) else {
        return;
    };
    let (_dir, root) = temp_root();
    let options: MySqlConnectOptions = url.parse().unwrap();
    let mut conn: MySqlConnection = runtime().block_on(options.connect()).unwrap();
    let case = Case {
        dialect: "mysql",
        prefix: "",
        int: "SIGNED",
        url: &url,
        root: &root,
        manifest: BIG_MANIFEST,
    };
    runtime().block_on(big_table::<sqlx::MySql>(&case, &mut conn, 100_000));
}

/// What the generator cannot do safely is refused with the reason, exit 2, and no file.
#[test]
fn unsafe_retrofits_are_refused() {
    let cases = [
        ("CREATE TABLE logs (line TEXT)", "logs"),
        ("CREATE TABLE notes (id INTEGER PRIMARY KEY, tenant_id INTEGER)", "notes"),
        (
            "CREATE TABLE users (id INTEGER PRIMARY KEY);
CREATE TABLE audit (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id))",
            "users",
        ),
        (
            "CREATE TABLE users (id INTEGER PRIMARY KEY);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE SET NULL)",
            "users\", \"posts",
        ),
        ("CREATE TABLE items (id INTEGER PRIMARY KEY, qty INT CHECK (qty > 0))", "items"),
    ];
    let mut shown = String::new();
    for (schema, tables) in cases {
        let (_dir, root) = temp_root();
        let url = sqlite_file(&root, "app.db", &statements(schema, ""));
        let mut manifest = "dialect = \"sqlite\"\n".to_owned();
        for table in tables.split("\", \"") {
            manifest.push_str(&format!("[tables.{table}]\nscope = \"tenant\"\n"));
        }
        write(&root, "tenant-schema.toml", &manifest);
        let out = run_in(
            &root,
            &["migrate", "--database-url", &url, "--out", "migrations"],
        );
        assert_eq!(out.status.code(), Some(2), "{}", transcript(&out, &root));
        assert!(
            !root.join("migrations").exists(),
            "a refused retrofit wrote files"
        );
        shown.push_str(&format!("{schema}\n{}\n", transcript(&out, &root)));
    }
    insta::assert_snapshot!("migrate_refusals", shown);
}

/// `--tenant-column` names the new column of the tables that use the manifest's default;
/// `--default-tenant` names the registry's first row.
#[test]
fn the_tenant_column_and_the_default_tenant_can_be_chosen() {
    let (_dir, root) = temp_root();
    let (url, _conn) = sqlite(
        &root,
        "CREATE TABLE events (id BIGINT PRIMARY KEY, payload TEXT)",
    );
    let case = Case {
        dialect: "sqlite",
        prefix: "",
        int: "INTEGER",
        url: &url,
        root: &root,
        manifest: BIG_MANIFEST,
    };
    let generated = case.migrate(
        "out",
        &["--tenant-column", "account_id", "--default-tenant", "acme"],
    );
    assert!(
        generated.contains("ALTER TABLE \"events\" ADD COLUMN \"account_id\" INTEGER DEFAULT 1;"),
        "{generated}"
    );
    assert!(
        generated.contains("PRIMARY KEY (\"account_id\", \"id\")"),
        "{generated}"
    );
    assert!(generated.contains("VALUES (1, 'acme');"), "{generated}");
    assert!(!generated.contains("tenant_id"), "{generated}");
}

/// A foreign key from another schema, which the manifest does not name, is found in the
/// catalogue and refused.
#[test]
fn a_reference_from_another_postgres_schema_is_refused() {
    let Some((scratch, _conn)) = postgres("CREATE TABLE {s}users (id BIGINT PRIMARY KEY)") else {
        return;
    };
    let schema = scratch.0.as_ref().unwrap().name().to_owned();
    let audit = format!("CREATE TABLE {{s}}audit (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES {schema}.users (id))");
    let Some((other, _other_conn)) = postgres(&audit) else {
        return;
    };
    let (_dir, root) = temp_root();
    write(
        &root,
        "tenant-schema.toml",
        &format!("dialect = \"postgres\"\n[tables.\"{schema}.users\"]\nscope = \"tenant\"\n"),
    );
    let url = scratch.0.as_ref().unwrap().url();
    let out = run_in(
        &root,
        &["migrate", "--database-url", &url, "--out", "migrations"],
    );
    let shown = transcript(&out, &root);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    let other = other.0.as_ref().unwrap().name();
    assert!(
        shown.contains(&format!(
            "`{other}.audit`, which stays unscoped, references `{schema}.users`"
        )),
        "{shown}"
    );
    assert!(!root.join("migrations").exists());
}
