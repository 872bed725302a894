//! A transaction-local tenant for PostgreSQL row-level security (feature `rls`).
//!
//! `tenant-query rls` writes policies that show each scoped table's rows of the tenant in the
//! setting `tenant_query.tenant`, and no row when it is not set. [`begin`] opens a
//! transaction and sets it with `set_config('tenant_query.tenant', $1, true)`: the `true`
//! makes the setting local to the transaction, so that it ends with the commit or rollback
//! and can never outlive the transaction on a pooled connection, whether the transaction is
//! committed, rolled back, dropped (sqlx rolls it back) or abandoned with a cancelled future
//! or a panic. A session-level `SET` would stay on the connection for the next tenant.
//!
//! The macros' queries run in the transaction like any sqlx query: their own tenant filter
//! and the policy then agree, and a statement that has no filter (an [`unscoped_query!`],
//! a raw `sqlx::query`) still sees one tenant's rows.
//!
//! ```no_run
//! use tenant_query::{rls, TenantId};
//!
//! # async fn demo(pool: sqlx::PgPool) -> Result<(), sqlx::Error> {
//! let acme = TenantId::new(1_i64);
//! let mut tx = rls::begin(&pool, &acme).await?;
//! // Run `tenant_query!(acme, …).execute(&mut *tx)` here as in any transaction. Even a
//! // statement without a tenant filter sees only acme's orders:
//! let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
//!     .fetch_one(&mut *tx)
//!     .await?;
//! tx.commit().await?;
//! # let _ = count;
//! # Ok(())
//! # }
//! ```
//!
//! [`unscoped_query!`]: crate::unscoped_query

use sqlx::{Acquire, Postgres, Transaction};

use crate::TenantId;

/// The setting the generated policies read: `tenant_query.tenant`.
pub const SETTING: &str = "tenant_query.tenant";

/// Opens a transaction on `conn` (a `&PgPool`, a `&mut PgConnection`, or a `&mut` transaction,
/// where it opens a savepoint) and sets [`SETTING`] to `tenant` for it.
///
/// The tenant is sent as text (its `Display` form: `42`, a hyphenated UUID, the string) and
/// cast by the policy to the tenant column's type. The setting ends with the transaction:
/// commit it, or drop it to roll back. Inside a savepoint it lasts until the outer transaction
/// ends, unless the savepoint is rolled back.
///
/// ```no_run
/// use tenant_query::{rls, TenantId};
///
/// # async fn demo(pool: sqlx::PgPool) -> Result<(), sqlx::Error> {
/// let tenant = TenantId::new(42_i64);
/// let mut tx = rls::begin(&pool, &tenant).await?;
/// let set: String = sqlx::query_scalar("SELECT current_setting('tenant_query.tenant')")
///     .fetch_one(&mut *tx)
///     .await?;
/// assert_eq!(set, "42");
/// tx.commit().await?; // the setting is gone with the transaction
/// # Ok(())
/// # }
/// ```
pub async fn begin<'c, A, T>(
    conn: A,
    tenant: &TenantId<T>,
) -> Result<Transaction<'c, Postgres>, sqlx::Error>
where
    A: Acquire<'c, Database = Postgres>,
    T: std::fmt::Display,
{
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT set_config('tenant_query.tenant', $1, true)")
        .bind(tenant.get().to_string())
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}
