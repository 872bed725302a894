//! The query that the unchecked tenant-scoped macros build: a sqlx query being bound, with the
//! tenant value it binds at each tenant placeholder.
//!
//! An expansion is one method chain, with no block and no variable of its own:
//!
//! ```text
//! scoped_query::<sqlx::Postgres, i64>("… $1 … $2", &tenant).bind(a).tenant_last()
//! ```
//!
//! The tenant is converted first, where the macro's first argument is, so it is evaluated before
//! the arguments, as written. Each placeholder is then bound in order: an argument with
//! `.bind(value)`, the tenant with `.tenant()`; the last one with `.bind_last(value)` or
//! `.tenant_last()`, which return the sqlx query itself (`.finish()` when there is no
//! placeholder). rustc's work on an expansion grows with its size (paths to resolve, calls,
//! borrows and locals, kept in the incremental cache of every function that holds one), and
//! this chain holds little more than the hand-written `sqlx::query(…).bind(a).bind(tenant)`.

use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Database, Encode, Type};

use crate::tenant_id::TenantArg;

/// A sqlx query being bound, and the tenant value (or tenant set) that it binds at each tenant
/// placeholder.
///
/// Built by the expansions of the unchecked tenant-scoped macros: not public API.
///
/// ```
/// use tenant_query::__private::{scoped_query, Scoped};
/// use tenant_query::TenantId;
///
/// let tenant = TenantId::new(7_i64);
/// let query: sqlx::query::Query<'_, sqlx::Sqlite, _> =
///     scoped_query::<sqlx::Sqlite, i64>("SELECT ?1 + ?2", &tenant)
///         .bind(1_i64)
///         .tenant_last();
/// # let _ = query;
/// ```
#[must_use = "a query does nothing until it is executed"]
pub struct Scoped<Q, T> {
    query: Q,
    tenant: T,
}

impl<Q, T> Scoped<Q, T> {
    /// `query`, which binds `tenant` at each tenant placeholder.
    #[inline]
    pub fn new(query: Q, tenant: T) -> Self {
        Scoped { query, tenant }
    }

    /// The query, when the statement has no placeholder at all.
    #[inline]
    pub fn finish(self) -> Q {
        self.query
    }
}

/// `sqlx::query(sql)`, scoped to `tenant`'s value: checks at compile time that the tenant is
/// a `TenantId<T>` (or a reference to one), with the manifest's `T`.
#[inline]
pub fn scoped_query<'q, DB: Database, T: Clone>(
    sql: &'static str,
    tenant: &(impl TenantArg<T> + ?Sized),
) -> Scoped<Query<'q, DB, <DB as Database>::Arguments>, T> {
    Scoped::new(sqlx::query(sql), tenant.tenant_id().get().clone())
}

/// `sqlx::query_as(sql)`, scoped to `tenant`'s value (see [`scoped_query`]).
#[inline]
pub fn scoped_query_as<'q, DB, O, T: Clone>(
    sql: &'static str,
    tenant: &(impl TenantArg<T> + ?Sized),
) -> Scoped<QueryAs<'q, DB, O, <DB as Database>::Arguments>, T>
where
    DB: Database,
    O: for<'r> sqlx::FromRow<'r, DB::Row>,
{
    Scoped::new(sqlx::query_as(sql), tenant.tenant_id().get().clone())
}

/// `sqlx::query_scalar(sql)`, scoped to `tenant`'s value (see [`scoped_query`]).
#[inline]
pub fn scoped_query_scalar<'q, DB, O, T: Clone>(
    sql: &'static str,
    tenant: &(impl TenantArg<T> + ?Sized),
) -> Scoped<QueryScalar<'q, DB, O, <DB as Database>::Arguments>, T>
where
    DB: Database,
    (O,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    Scoped::new(sqlx::query_scalar(sql), tenant.tenant_id().get().clone())
}

// The binding methods for each sqlx query type, with the bounds of its own `bind`, written out
// (not generated), so that a value that cannot be bound is reported against a plain signature:
// `Query::bind` takes values of any lifetime, `QueryAs::bind` and `QueryScalar::bind` values
// that outlive the query.

impl<'q, DB: Database, T> Scoped<Query<'q, DB, <DB as Database>::Arguments>, T> {
    /// Binds an argument at the next placeholder.
    #[inline]
    pub fn bind<'t, V: Encode<'t, DB> + Type<DB>>(self, value: V) -> Self {
        Scoped::new(self.query.bind(value), self.tenant)
    }

    /// Binds an argument at the last placeholder, and returns the query.
    #[inline]
    pub fn bind_last<'t, V: Encode<'t, DB> + Type<DB>>(
        self,
        value: V,
    ) -> Query<'q, DB, <DB as Database>::Arguments> {
        self.query.bind(value)
    }

    /// Binds the tenant at the next placeholder.
    #[inline]
    pub fn tenant<'t>(self) -> Self
    where
        T: Clone + Encode<'t, DB> + Type<DB>,
    {
        let tenant = self.tenant.clone();
        self.bind(tenant)
    }

    /// Binds the tenant at the last placeholder, and returns the query.
    #[inline]
    pub fn tenant_last<'t>(self) -> Query<'q, DB, <DB as Database>::Arguments>
    where
        T: Encode<'t, DB> + Type<DB>,
    {
        self.query.bind(self.tenant)
    }
}

impl<'q, DB: Database, O, T> Scoped<QueryAs<'q, DB, O, <DB as Database>::Arguments>, T> {
    /// Binds an argument at the next placeholder.
    #[inline]
    pub fn bind<V: 'q + Encode<'q, DB> + Type<DB>>(self, value: V) -> Self {
        Scoped::new(self.query.bind(value), self.tenant)
    }

    /// Binds an argument at the last placeholder, and returns the query.
    #[inline]
    pub fn bind_last<V: 'q + Encode<'q, DB> + Type<DB>>(
        self,
        value: V,
    ) -> QueryAs<'q, DB, O, <DB as Database>::Arguments> {
        self.query.bind(value)
    }

    /// Binds the tenant at the next placeholder.
    #[inline]
    pub fn tenant(self) -> Self
    where
        T: 'q + Clone + Encode<'q, DB> + Type<DB>,
    {
        let tenant = self.tenant.clone();
        self.bind(tenant)
    }

    /// Binds the tenant at the last placeholder, and returns the query.
    #[inline]
    pub fn tenant_last(self) -> QueryAs<'q, DB, O, <DB as Database>::Arguments>
    where
        T: 'q + Encode<'q, DB> + Type<DB>,
    {
        self.query.bind(self.tenant)
    }
}

impl<'q, DB: Database, O, T> Scoped<QueryScalar<'q, DB, O, <DB as Database>::Arguments>, T> {
    /// Binds an argument at the next placeholder.
    #[inline]
    pub fn bind<V: 'q + Encode<'q, DB> + Type<DB>>(self, value: V) -> Self {
        Scoped::new(self.query.bind(value), self.tenant)
    }

    /// Binds an argument at the last placeholder, and returns the query.
    #[inline]
    pub fn bind_last<V: 'q + Encode<'q, DB> + Type<DB>>(
        self,
        value: V,
    ) -> QueryScalar<'q, DB, O, <DB as Database>::Arguments> {
        self.query.bind(value)
    }

    /// Binds the tenant at the next placeholder.
    #[inline]
    pub fn tenant(self) -> Self
    where
        T: 'q + Clone + Encode<'q, DB> + Type<DB>,
    {
        let tenant = self.tenant.clone();
        self.bind(tenant)
    }

    /// Binds the tenant at the last placeholder, and returns the query.
    #[inline]
    pub fn tenant_last(self) -> QueryScalar<'q, DB, O, <DB as Database>::Arguments>
    where
        T: 'q + Encode<'q, DB> + Type<DB>,
    {
        self.query.bind(self.tenant)
    }
}
