//! Compile-time tenant scoping for [sqlx](https://docs.rs/sqlx): every query is filtered to one
//! tenant, or it does not compile.
//!
//! Write [`tenant_query!`] where you would write `sqlx::query`. At compile time the SQL is
//! parsed against your `tenant-schema.toml`, every reference to a tenant-scoped table gets a
//! `tenant_id = ?` filter (and every `INSERT` a tenant column), and the macro expands to a
//! plain `sqlx::query("…rewritten literal…").bind(…)` chain. There is no SQL parsing at run
//! time, and a forgotten `WHERE tenant_id = ?` cannot happen.
//!
//! ```
//! use tenant_query::{tenant_query_as, TenantId};
//!
//! #[derive(sqlx::FromRow, Debug, PartialEq)]
//! struct Order {
//!     id: i64,
//!     total: i64,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), sqlx::Error> {
//! # use sqlx::Connection;
//! # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
//! # sqlx::raw_sql("CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, customer_id BIGINT, total BIGINT NOT NULL);
//! #   INSERT INTO orders VALUES (1, 1, NULL, 500), (2, 2, NULL, 700);").execute(&mut conn).await?;
//! let tenant = TenantId::new(1);
//! // SELECT id, total FROM orders WHERE (total > ?1) AND orders.tenant_id = ?2
//! let orders: Vec<Order> =
//!     tenant_query_as!(Order, tenant, "SELECT id, total FROM orders WHERE total > ?", 100)
//!         .fetch_all(&mut conn)
//!         .await?;
//! assert_eq!(orders, [Order { id: 1, total: 500 }]); // tenant 2's order is invisible
//! # Ok(())
//! # }
//! ```
//!
//! # Setting up
//!
//! Depend on `tenant-query` and on `sqlx` itself (with your database's feature, as usual), and
//! put a `tenant-schema.toml` next to your crate's `Cargo.toml` (or in the workspace root):
//!
//! ```toml
//! dialect = "postgres"          # postgres | mysql | sqlite: picks sqlx::Postgres, MySql or Sqlite
//! tenant_column = "tenant_id"   # default tenant column of scoped tables
//! tenant_id_type = "i64"        # i64 | i32 | uuid | string: the type inside TenantId
//!
//! [tables.orders]
//! scope = "tenant"
//!
//! [tables.countries]
//! scope = "global"
//! ```
//!
//! The macros find the manifest through the `TENANT_QUERY_MANIFEST` environment variable
//! (an absolute path, or one relative to the crate directory), or else by looking for
//! `tenant-schema.toml` in `CARGO_MANIFEST_DIR` and then its parents, up to the workspace root.
//! Editing the manifest recompiles the crates that use it; it is parsed once per compiler
//! process. (Cargo does not track environment variables read by proc macros: after changing
//! `TENANT_QUERY_MANIFEST`, touch a source file or add `println!("cargo:rerun-if-env-changed=TENANT_QUERY_MANIFEST")`
//! to a build script.)
//!
//! # The macros
//!
//! | macro | returns | SQL |
//! |---|---|---|
//! | [`tenant_query!`]`(tenant, "SQL", args…)` | `sqlx::query::Query` | rewritten for the tenant |
//! | [`tenant_query_as!`]`(Row, tenant, "SQL", args…)` | `sqlx::query::QueryAs` (`Row: FromRow`) | rewritten |
//! | [`tenant_query_scalar!`]`(T, tenant, "SQL", args…)` | `sqlx::query::QueryScalar` | rewritten |
//! | [`unscoped_query!`]`(reason = "…", "SQL", args…)` and `_as`, `_scalar` | as above | checked, unchanged |
//! | [`tenant_query_checked!`], [`tenant_query_as_checked!`], [`tenant_query_scalar_checked!`] | `sqlx::query!` & co. | rewritten, then verified by sqlx against the database |
//! | [`unscoped_query_checked!`], [`unscoped_query_as_checked!`], [`unscoped_query_scalar_checked!`] | `sqlx::query!` & co. | checked, unchanged, verified by sqlx |
//! | [`tenant_query_sql!`]`("SQL")` | `&'static str` | the rewritten SQL itself |
//! | [`tenant_set_query!`]`(tenants, "SQL", args…)` and `_as`, `_scalar`, `_sql` | as above | rewritten for a [`TenantSet`]; UPDATE/DELETE only with `writes = "all"`, never INSERT |
//!
//! Arguments are evaluated once, in the order written, and bound like sqlx's `.bind(value)`:
//! a `String` argument is moved, so pass `&name` to keep it. The tenant is bound at every
//! tenant placeholder; the arguments at their placeholders, in the order the dialect needs.
//! The result works with any sqlx executor: a pool, a `&mut Transaction` or a connection.
//!
//! With the `runtime` feature (off by default), the `runtime` module scopes SQL built at run
//! time with the same engine and the same manifest, embedded by `embedded_manifest!`.
//!
//! # Errors
//!
//! Every problem is a compile error pointing at the SQL literal or at the offending argument:
//! an undeclared table (with a suggestion), an undeclared column, a syntax error, a statement
//! that writes the tenant column, an unsupported statement (`TRUNCATE`, DDL, several
//! statements), a tenant that is not a [`TenantId`] (or, for `tenant_set_query!`, a
//! [`TenantSet`]), an INSERT over a tenant set, an UPDATE or DELETE over a set without
//! `writes = "all"`, a wrong number of arguments, an
//! `unscoped_query!` without a reason, a malformed or missing manifest.
#![deny(missing_docs)]

#[cfg(feature = "rls")]
pub mod rls;
#[cfg(feature = "runtime")]
pub mod runtime;
mod scoped;
#[cfg(feature = "sqlx")]
mod sqlx_impls;
mod tenant_id;
mod tenant_set;

pub use tenant_id::TenantId;
pub use tenant_set::{EmptyTenantSet, TenantSet};

/// Items used by the macro expansions. Not public API: no stability guarantees.
#[doc(hidden)]
pub mod __private {
    pub use crate::scoped::{scoped_query, scoped_query_as, scoped_query_scalar, Scoped};
    pub use crate::tenant_id::TenantArg;
    pub use crate::tenant_set::{JsonTenantId, TenantSetArg};

    /// `sqlx::query`, for the expansions: the call to sqlx is then this crate's, so a crate
    /// that bans direct sqlx calls with clippy's `disallowed-methods` (README, "Adopting
    /// tenant-query") still uses the macros, with no `#[allow]` in each expansion.
    #[inline(always)]
    pub fn query<'q, DB: sqlx::Database>(
        sql: &'static str,
    ) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments> {
        sqlx::query(sql)
    }

    /// `sqlx::query_as`, for the expansions (see [`query`]).
    #[inline(always)]
    pub fn query_as<'q, DB, O>(
        sql: &'static str,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments>
    where
        DB: sqlx::Database,
        O: for<'r> sqlx::FromRow<'r, DB::Row>,
    {
        sqlx::query_as(sql)
    }

    /// `sqlx::query_scalar`, for the expansions (see [`query`]).
    #[inline(always)]
    pub fn query_scalar<'q, DB, O>(
        sql: &'static str,
    ) -> sqlx::query::QueryScalar<'q, DB, O, <DB as sqlx::Database>::Arguments>
    where
        DB: sqlx::Database,
        (O,): for<'r> sqlx::FromRow<'r, DB::Row>,
    {
        sqlx::query_scalar(sql)
    }

    /// The tenant's inner value, checking at compile time that the argument is a
    /// `TenantId<T>` with the manifest's `T`.
    #[inline]
    pub fn tenant_value<T: Clone, A: TenantArg<T> + ?Sized>(tenant: &A) -> T {
        tenant.tenant_id().get().clone()
    }

    /// The set's ids as the array PostgreSQL receives it, checking at compile time that the
    /// argument is a `TenantSet<T>` with the manifest's `T`.
    #[inline]
    pub fn tenant_set_array<T: Clone, A: TenantSetArg<T> + ?Sized>(tenants: &A) -> Vec<T> {
        tenants
            .tenant_set()
            .iter()
            .map(|t| t.get().clone())
            .collect()
    }

    /// The set as the text of a JSON array, as SQLite and MySQL receive it.
    #[inline]
    pub fn tenant_set_json<T: JsonTenantId, A: TenantSetArg<T> + ?Sized>(tenants: &A) -> String {
        crate::tenant_set::json_array(tenants.tenant_set())
    }
}

/// Runs SQL for a set of tenants: `tenant_set_query!(tenants, "SQL", args...)` returns a
/// `sqlx::query::Query` for the manifest's database, with every scoped table filtered to the
/// tenants of `tenants` (a [`TenantSet`]).
///
/// For users who belong to several tenants (an accountant with many clients, a support
/// engineer): the statement behaves as if the scoped tables held only the rows of the set's
/// tenants. The set is bound as one value whatever its size, so the SQL stays a
/// `&'static str` that databases cache like any other: an array in PostgreSQL
/// (`t.tenant_id = ANY($2::BIGINT[])`), the text of a JSON array in SQLite
/// (`t.tenant_id IN (SELECT value FROM json_each(?2))`) and MySQL/MariaDB (`JSON_TABLE`).
/// Each database looks the tenants up in the index that leads with the tenant column.
///
/// It is a macro of its own, not `tenant_query!` with a set, because the set changes what a
/// statement may do: an INSERT over a set does not compile (which tenant would its rows belong
/// to?), and an UPDATE or DELETE compiles only when the call says that it writes for every
/// tenant of the set, with `writes = "all"` before the SQL. A macro cannot see the type of
/// its argument, so both rules are visible at the call site, where review and `grep` find
/// them, and the errors point into the SQL.
///
/// ```
/// use tenant_query::{tenant_set_query_as, tenant_set_query, TenantId, TenantSet};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use sqlx::Connection;
/// # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
/// # sqlx::raw_sql("CREATE TABLE orders (id INTEGER NOT NULL, tenant_id BIGINT NOT NULL, customer_id BIGINT, total BIGINT NOT NULL);
/// #   INSERT INTO orders VALUES (1, 1, NULL, 500), (1, 2, NULL, 250), (1, 3, NULL, 700);").execute(&mut conn).await?;
/// let memberships = TenantSet::new([TenantId::new(1), TenantId::new(2)])?;
///
/// // SELECT tenant_id, total FROM orders WHERE (id = ?1)
/// //   AND orders.tenant_id IN (SELECT value FROM json_each(?2)) ORDER BY tenant_id
/// let rows: Vec<(i64, i64)> = tenant_set_query_as!(
///     (i64, i64),
///     &memberships,
///     "SELECT tenant_id, total FROM orders WHERE id = ? ORDER BY tenant_id",
///     1
/// )
/// .fetch_all(&mut conn)
/// .await?;
/// assert_eq!(rows, [(1, 500), (2, 250)]);
///
/// // Writes for the whole set say so.
/// let done = tenant_set_query!(&memberships, writes = "all", "DELETE FROM orders WHERE id = ?", 1)
///     .execute(&mut conn)
///     .await?;
/// assert_eq!(done.rows_affected(), 2); // tenant 3's order 1 is untouched
/// # Ok(())
/// # }
/// ```
///
/// An INSERT over a set does not compile, nor does an UPDATE or DELETE without
/// `writes = "all"`:
///
/// ```compile_fail
/// # use tenant_query::{TenantId, TenantSet};
/// let tenants = TenantSet::single(TenantId::new(1));
/// let q = tenant_query::tenant_set_query!(&tenants, "INSERT INTO orders (id, total) VALUES (1, 2)");
/// ```
///
/// ```compile_fail
/// # use tenant_query::{TenantId, TenantSet};
/// let tenants = TenantSet::single(TenantId::new(1));
/// let q = tenant_query::tenant_set_query!(&tenants, "DELETE FROM orders");
/// ```
///
/// Nor does a `TenantId` where a set is expected (and the other way round):
///
/// ```compile_fail
/// let q = tenant_query::tenant_set_query!(tenant_query::TenantId::new(1), "SELECT id FROM orders");
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_set_query;

/// Like [`tenant_set_query!`], returning a `sqlx::query::QueryAs` of the row type given first:
/// `tenant_set_query_as!(Row, tenants, "SQL", args...)`.
///
/// See [`tenant_set_query!`] for an example.
#[doc(inline)]
pub use tenant_query_macros::tenant_set_query_as;

/// Like [`tenant_set_query!`], returning a `sqlx::query::QueryScalar` of the type given first:
/// `tenant_set_query_scalar!(i64, tenants, "SQL", args...)`.
///
/// ```
/// use tenant_query::{tenant_set_query_scalar, TenantId, TenantSet};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use sqlx::Connection;
/// # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
/// # sqlx::raw_sql("CREATE TABLE orders (id INTEGER NOT NULL, tenant_id BIGINT NOT NULL, customer_id BIGINT, total BIGINT NOT NULL);
/// #   INSERT INTO orders VALUES (1, 1, NULL, 500), (2, 2, NULL, 250), (3, 3, NULL, 700);").execute(&mut conn).await?;
/// let tenants = TenantSet::new([TenantId::new(1), TenantId::new(3)])?;
/// let revenue: i64 = tenant_set_query_scalar!(i64, &tenants, "SELECT COALESCE(SUM(total), 0) FROM orders")
///     .fetch_one(&mut conn)
///     .await?;
/// assert_eq!(revenue, 1200);
/// # Ok(())
/// # }
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_set_query_scalar;

/// The SQL that [`tenant_set_query!`] runs, as a `&'static str`, for logs and tests:
/// `tenant_set_query_sql!("SQL")` or `tenant_set_query_sql!(writes = "all", "SQL")`.
///
/// ```
/// let sql = tenant_query::tenant_set_query_sql!("SELECT id FROM orders");
/// assert_eq!(sql, "SELECT id FROM orders WHERE orders.tenant_id IN (SELECT value FROM json_each(?1))");
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_set_query_sql;

/// Runs SQL for one tenant: `tenant_query!(tenant, "SQL", args...)` returns a
/// `sqlx::query::Query` for the manifest's database.
///
/// The SQL is rewritten at compile time so that every scoped table it reads or writes is
/// filtered to `tenant` (a [`TenantId`]), and `INSERT`s into scoped tables are stamped with
/// it. Placeholders are the dialect's own (`$1` for PostgreSQL, `?` for MySQL, `?` or `?1`
/// for SQLite); pass one argument per placeholder. The tenant is bound automatically.
///
/// ```
/// use tenant_query::{tenant_query, TenantId};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sqlx::Error> {
/// # use sqlx::Connection;
/// # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
/// # sqlx::raw_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, name TEXT NOT NULL)").execute(&mut conn).await?;
/// let acme = TenantId::new(1);
/// let globex = TenantId::new(2);
///
/// // INSERT INTO customers (id, name, tenant_id) VALUES (?1, ?2, ?3)
/// tenant_query!(acme, "INSERT INTO customers (id, name) VALUES (?, ?)", 10, "Ada")
///     .execute(&mut conn)
///     .await?;
///
/// // UPDATE customers SET name = ?1 WHERE (id = ?2) AND customers.tenant_id = ?3
/// let done = tenant_query!(globex, "UPDATE customers SET name = ? WHERE id = ?", "Eve", 10)
///     .execute(&mut conn)
///     .await?;
/// assert_eq!(done.rows_affected(), 0); // customer 10 belongs to acme
/// # Ok(())
/// # }
/// ```
///
/// A tenant that is not a `TenantId` does not compile:
///
/// ```compile_fail
/// let q = tenant_query::tenant_query!(1_i64, "SELECT id FROM customers");
/// ```
///
/// Neither does a statement that would move a row to another tenant:
///
/// ```compile_fail
/// let tenant = tenant_query::TenantId::new(1);
/// let q = tenant_query::tenant_query!(tenant, "UPDATE customers SET tenant_id = 2");
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_query;

/// Like [`tenant_query!`], mapping each row to `Row` through `sqlx::FromRow`:
/// `tenant_query_as!(Row, tenant, "SQL", args...)` returns a `sqlx::query::QueryAs`.
///
/// ```
/// use tenant_query::{tenant_query_as, TenantId};
///
/// #[derive(sqlx::FromRow)]
/// struct Customer {
///     id: i64,
///     name: String,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sqlx::Error> {
/// # use sqlx::Connection;
/// # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
/// # sqlx::raw_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, name TEXT NOT NULL);
/// #   INSERT INTO customers VALUES (1, 1, 'Ada'), (2, 2, 'Eve');").execute(&mut conn).await?;
/// let tenant = TenantId::new(1);
/// let customers: Vec<Customer> =
///     tenant_query_as!(Customer, tenant, "SELECT id, name FROM customers ORDER BY id")
///         .fetch_all(&mut conn)
///         .await?;
/// assert_eq!(customers.len(), 1);
/// assert_eq!((customers[0].id, customers[0].name.as_str()), (1, "Ada"));
/// # Ok(())
/// # }
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_query_as;

/// Like [`tenant_query!`], returning the first column of each row as `T`:
/// `tenant_query_scalar!(T, tenant, "SQL", args...)` returns a `sqlx::query::QueryScalar`.
///
/// ```
/// use tenant_query::{tenant_query_scalar, TenantId};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sqlx::Error> {
/// # use sqlx::Connection;
/// # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
/// # sqlx::raw_sql("CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, customer_id BIGINT, total BIGINT NOT NULL);
/// #   INSERT INTO orders VALUES (1, 1, NULL, 500), (2, 1, NULL, 250), (3, 2, NULL, 700);").execute(&mut conn).await?;
/// let tenant = TenantId::new(1);
/// let revenue: i64 = tenant_query_scalar!(i64, tenant, "SELECT COALESCE(SUM(total), 0) FROM orders")
///     .fetch_one(&mut conn)
///     .await?;
/// assert_eq!(revenue, 750);
/// # Ok(())
/// # }
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_query_scalar;

/// The rewritten SQL of a tenant-scoped statement, as a `&'static str`: what
/// [`tenant_query!`] sends to the database for `tenant_query!(tenant, "SQL", …)`.
///
/// For logging, reviews and tests of the rewrite itself.
///
/// ```
/// let sql: &'static str = tenant_query::tenant_query_sql!("SELECT id FROM orders WHERE total > ?");
/// assert_eq!(sql, "SELECT id FROM orders WHERE (total > ?1) AND orders.tenant_id = ?2");
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_query_sql;

/// Runs SQL across tenants, deliberately: `unscoped_query!(reason = "…", "SQL", args...)`
/// returns a `sqlx::query::Query`.
///
/// For admin pages, migrations and jobs that sweep all tenants. The SQL is not rewritten, but
/// it is still parsed and every table must be declared in the manifest. The reason is
/// required and must not be empty: it documents at the call site why this statement may see
/// every tenant's rows, and `grep unscoped_query` lists every such place.
///
/// ```
/// use tenant_query::unscoped_query_scalar;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sqlx::Error> {
/// # use sqlx::Connection;
/// # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
/// # sqlx::raw_sql("CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, customer_id BIGINT, total BIGINT NOT NULL);
/// #   INSERT INTO orders VALUES (1, 1, NULL, 500), (2, 2, NULL, 700);").execute(&mut conn).await?;
/// let all: i64 = unscoped_query_scalar!(
///     i64,
///     reason = "platform-wide revenue dashboard",
///     "SELECT SUM(total) FROM orders"
/// )
/// .fetch_one(&mut conn)
/// .await?;
/// assert_eq!(all, 1200);
/// # Ok(())
/// # }
/// ```
///
/// Without a reason it does not compile:
///
/// ```compile_fail
/// let q = tenant_query::unscoped_query!("DELETE FROM orders");
/// ```
#[doc(inline)]
pub use tenant_query_macros::unscoped_query;

/// [`unscoped_query!`] mapping rows through `sqlx::FromRow`:
/// `unscoped_query_as!(Row, reason = "…", "SQL", args...)`.
///
/// ```
/// use tenant_query::unscoped_query_as;
///
/// #[derive(sqlx::FromRow)]
/// struct Tenant {
///     id: i64,
///     name: String,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sqlx::Error> {
/// # use sqlx::Connection;
/// # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
/// # sqlx::raw_sql("CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
/// #   INSERT INTO tenants VALUES (1, 'acme'), (2, 'globex');").execute(&mut conn).await?;
/// let tenants: Vec<Tenant> = unscoped_query_as!(
///     Tenant,
///     reason = "the sign-in page lists every tenant",
///     "SELECT id, name FROM tenants ORDER BY id"
/// )
/// .fetch_all(&mut conn)
/// .await?;
/// assert_eq!(tenants.len(), 2);
/// # Ok(())
/// # }
/// ```
#[doc(inline)]
pub use tenant_query_macros::unscoped_query_as;

/// [`unscoped_query!`] returning the first column as `T`:
/// `unscoped_query_scalar!(T, reason = "…", "SQL", args...)`. See [`unscoped_query!`] for an
/// example.
///
/// ```
/// let q = tenant_query::unscoped_query_scalar!(
///     i64,
///     reason = "health check counts all orders",
///     "SELECT COUNT(*) FROM orders"
/// );
/// # let _ = q;
/// ```
#[doc(inline)]
pub use tenant_query_macros::unscoped_query_scalar;

/// [`tenant_query!`] verified by sqlx: expands to `sqlx::query!("…rewritten…", args…)`.
///
/// Rows are typed and the rewritten SQL is checked against the database at compile time,
/// exactly like `sqlx::query!`: it needs `DATABASE_URL` (or sqlx offline data from
/// `cargo sqlx prepare`, which works with these macros since they expand to sqlx's own) when
/// the crate is compiled. Arguments are taken by reference, as `sqlx::query!` does.
///
/// ```ignore
/// let tenant = TenantId::new(1);
/// let row = tenant_query_checked!(tenant, "SELECT id, total FROM orders WHERE id = $1", 7)
///     .fetch_one(&pool)
///     .await?;
/// println!("{} {}", row.id, row.total);
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_query_checked;

/// [`tenant_query_as!`] verified by sqlx: expands to `sqlx::query_as!(Row, "…rewritten…", …)`.
/// Needs `DATABASE_URL` or offline data at compile time; see [`tenant_query_checked!`].
///
/// ```ignore
/// struct Order { id: i64, total: i64 }
/// let orders: Vec<Order> = tenant_query_as_checked!(Order, tenant, "SELECT id, total FROM orders")
///     .fetch_all(&pool)
///     .await?;
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_query_as_checked;

/// [`tenant_query_scalar!`] verified by sqlx: expands to `sqlx::query_scalar!("…rewritten…", …)`,
/// which infers the scalar type from the database, so there is no type argument:
/// `tenant_query_scalar_checked!(tenant, "SQL", args...)`. Needs `DATABASE_URL` or offline
/// data at compile time; see [`tenant_query_checked!`].
///
/// ```ignore
/// let count: i64 = tenant_query_scalar_checked!(tenant, "SELECT COUNT(*) AS \"n!\" FROM orders")
///     .fetch_one(&pool)
///     .await?;
/// ```
#[doc(inline)]
pub use tenant_query_macros::tenant_query_scalar_checked;

/// [`unscoped_query!`] verified by sqlx: expands to `sqlx::query!("…", args…)` after checking
/// that every table is declared. Needs `DATABASE_URL` or offline data at compile time.
///
/// ```ignore
/// unscoped_query_checked!(reason = "retention job for all tenants", "DELETE FROM orders WHERE total = 0")
///     .execute(&pool)
///     .await?;
/// ```
#[doc(inline)]
pub use tenant_query_macros::unscoped_query_checked;

/// [`unscoped_query_as!`] verified by sqlx: expands to `sqlx::query_as!`. Needs
/// `DATABASE_URL` or offline data at compile time.
///
/// ```ignore
/// let tenants: Vec<Tenant> =
///     unscoped_query_as_checked!(Tenant, reason = "tenant picker", "SELECT id, name FROM tenants")
///         .fetch_all(&pool)
///         .await?;
/// ```
#[doc(inline)]
pub use tenant_query_macros::unscoped_query_as_checked;

/// [`unscoped_query_scalar!`] verified by sqlx: expands to `sqlx::query_scalar!` (the type is
/// inferred from the database). Needs `DATABASE_URL` or offline data at compile time.
///
/// ```ignore
/// let n: i64 = unscoped_query_scalar_checked!(reason = "metrics", "SELECT COUNT(*) AS \"n!\" FROM orders")
///     .fetch_one(&pool)
///     .await?;
/// ```
#[doc(inline)]
pub use tenant_query_macros::unscoped_query_scalar_checked;

/// The crate's `tenant-schema.toml`, embedded at compile time for the run-time API (feature
/// `runtime`): `embedded_manifest!()` returns a
/// [`runtime::EmbeddedManifest`] typed with the manifest's database and tenant id type.
///
/// The manifest is the one every other macro of the crate reads, found the same way
/// (`TENANT_QUERY_MANIFEST`, else `tenant-schema.toml` in the crate directory or a parent up
/// to the workspace root) and validated at compile time, so an invalid manifest is a compile
/// error. Its text is embedded with `include_str!`: nothing is read from disk at run time,
/// and editing the file recompiles the crate.
///
/// ```
/// use tenant_query::runtime::Engine;
///
/// let engine: Engine<sqlx::Sqlite, i64> = Engine::new(tenant_query::embedded_manifest!());
/// # let _ = engine;
/// ```
///
/// It takes no arguments:
///
/// ```compile_fail
/// let manifest = tenant_query::embedded_manifest!("tenant-schema.toml");
/// ```
#[cfg(feature = "runtime")]
#[doc(inline)]
pub use tenant_query_macros::embedded_manifest;
