//! SQL built at run time, scoped by the same engine as the macros (feature `runtime`).
//!
//! Some SQL only exists at run time: filters assembled by a `sqlx::QueryBuilder`, column
//! lists chosen by the request. An [`Engine`] runs such a statement through the engine the
//! macros use, with the manifest the macros read, embedded at compile time by
//! [`embedded_manifest!`](crate::embedded_manifest): the same contract, the same refusals,
//! the same [`Diagnostic`]s, and the same rewritten SQL. A refusal is an [`Error`], never a
//! panic and never a pass-through.
//!
//! ```
//! use std::sync::LazyLock;
//! use tenant_query::runtime::Engine;
//! use tenant_query::TenantId;
//!
//! // One engine per manifest: it parses the embedded manifest once and caches rewrites.
//! static ENGINE: LazyLock<Engine<sqlx::Sqlite>> =
//!     LazyLock::new(|| Engine::new(tenant_query::embedded_manifest!()));
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use sqlx::Connection;
//! # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
//! # sqlx::raw_sql("CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, customer_id BIGINT, total BIGINT NOT NULL);
//! #   INSERT INTO orders VALUES (1, 1, NULL, 500), (2, 2, NULL, 700), (3, 1, NULL, 50);").execute(&mut conn).await?;
//! let tenant = TenantId::new(1);
//! let min_total: Option<i64> = Some(100); // say, from the request
//!
//! let mut sql = String::from("SELECT id FROM orders");
//! if min_total.is_some() {
//!     sql.push_str(" WHERE total >= ?");
//! }
//! let mut query = ENGINE.tenant_query(&tenant, &sql)?;
//! if let Some(min) = min_total {
//!     query = query.bind(min);
//! }
//! // SELECT id FROM orders WHERE (total >= ?1) AND orders.tenant_id = ?2
//! let ids: Vec<i64> = query.build_query_scalar()?.fetch_all(&mut conn).await?;
//! assert_eq!(ids, [1]); // tenant 2's order is invisible
//! # Ok(())
//! # }
//! ```
//!
//! # Cost
//!
//! The first time an engine sees a statement text it parses, checks and rewrites it, as a
//! macro does at compile time: about 0.1 ms for a two-table join (BENCHMARKS.md). The result
//! is cached by the exact text, in a bounded concurrent cache ([`Engine::with_capacity`]),
//! so a repeated statement costs one lookup: building the query then takes about 0.25 µs,
//! against 0.07 µs for `tenant_query!`. Prefer the macros for SQL that is known when the
//! crate is compiled: they cost nothing at run time, refuse at compile time, and can be
//! checked against the database by sqlx. Keep values in bind arguments, never formatted into
//! the text: each distinct text is one more rewrite and one more cache entry.
//!
//! # `QueryBuilder`
//!
//! [`Engine::tenant_query_builder`] takes a `sqlx::QueryBuilder` whose values were bound with
//! `push_bind`, and appends the tenant to its arguments. That works whenever the scoped
//! statement binds the tenant after every argument: always for PostgreSQL and SQLite, whose
//! placeholders are numbered. MySQL binds `?` by position, and sqlx has already encoded the
//! builder's arguments in its order, so when a tenant falls between them (a join, a
//! `LIMIT ?`) the result is [`Error::BuilderArgumentOrder`]. For MySQL, build the SQL with
//! `push` and `?`, and bind the values through [`Engine::tenant_query`].

mod error;
mod plan;
mod query;

use std::marker::PhantomData;
use std::sync::Arc;

use quick_cache::sync::Cache;
use sqlx::{Database, Encode, Execute, IntoArguments, QueryBuilder, Type};
use tenant_query_core::{check_unscoped, rewrite, Manifest};

pub use self::error::Error;
pub use self::query::DynamicQuery;
pub use tenant_query_core::{Diagnostic, DiagnosticKind, RenderStyle};

use self::plan::{Prepared, Scope};
use crate::TenantId;

/// The crate's `tenant-schema.toml`, embedded at compile time by
/// [`embedded_manifest!`](crate::embedded_manifest) and typed with its database (`DB`) and
/// tenant id type (`T`). Give it to [`Engine::new`].
///
/// The macro finds the manifest exactly as the query macros do, and validates it at compile
/// time: an invalid manifest is a compile error. Editing the file recompiles the crate.
///
/// ```
/// use tenant_query::runtime::EmbeddedManifest;
///
/// let manifest: EmbeddedManifest<sqlx::Sqlite, i64> = tenant_query::embedded_manifest!();
/// assert!(manifest.text().contains("[tables.orders]"));
/// ```
pub struct EmbeddedManifest<DB, T> {
    text: &'static str,
    origin: &'static str,
    types: PhantomData<fn() -> (DB, T)>,
}

impl<DB, T> EmbeddedManifest<DB, T> {
    /// Used by `embedded_manifest!`. Not public API.
    #[doc(hidden)]
    pub const fn __new(text: &'static str, origin: &'static str) -> Self {
        EmbeddedManifest {
            text,
            origin,
            types: PhantomData,
        }
    }

    /// The manifest's text, as it was when the crate was compiled.
    pub fn text(&self) -> &'static str {
        self.text
    }
}

impl<DB, T> Clone for EmbeddedManifest<DB, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<DB, T> Copy for EmbeddedManifest<DB, T> {}

impl<DB, T> std::fmt::Debug for EmbeddedManifest<DB, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedManifest")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// What the engine made of one statement text, as cached.
#[derive(Clone)]
enum Outcome {
    Accepted(Arc<Prepared>),
    Refused(Arc<Diagnostic>),
    Internal(Arc<str>),
}

/// The engine at run time: the embedded manifest, and a bounded cache of rewrites.
///
/// `DB` is the manifest's database (`sqlx::Postgres`, `sqlx::MySql` or `sqlx::Sqlite`) and
/// `T` the type inside its [`TenantId`]; [`embedded_manifest!`](crate::embedded_manifest)
/// picks both from the manifest, so a mismatch does not compile. An engine is `Send + Sync`:
/// keep one in a `static` or in the application state and share it between tasks.
///
/// ```
/// use tenant_query::runtime::Engine;
/// use tenant_query::TenantId;
///
/// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
/// let query = engine.tenant_query(&TenantId::new(1), "SELECT id FROM orders WHERE total > ?")?;
/// assert_eq!(query.sql(), "SELECT id FROM orders WHERE (total > ?1) AND orders.tenant_id = ?2");
/// # Ok::<(), tenant_query::runtime::Error>(())
/// ```
pub struct Engine<DB, T = i64> {
    /// The parsed manifest, or why it does not parse (then every statement is refused).
    manifest: Result<Manifest, String>,
    scoped: Cache<String, Outcome>,
    unscoped: Cache<String, Outcome>,
    types: PhantomData<fn() -> (DB, T)>,
}

impl<DB, T> Engine<DB, T> {
    /// How many statements [`Engine::new`] caches, of each kind (scoped, unscoped).
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// An engine for the embedded manifest, caching up to [`Engine::DEFAULT_CAPACITY`]
    /// statements.
    ///
    /// ```
    /// let engine: tenant_query::runtime::Engine<sqlx::Sqlite> =
    ///     tenant_query::runtime::Engine::new(tenant_query::embedded_manifest!());
    /// # let _ = engine;
    /// ```
    pub fn new(manifest: EmbeddedManifest<DB, T>) -> Self {
        Self::with_capacity(manifest, Self::DEFAULT_CAPACITY)
    }

    /// An engine caching up to about `statements` rewritten statements (and as many unscoped
    /// ones); the least valuable are evicted first. At least one is cached.
    ///
    /// ```
    /// use tenant_query::runtime::Engine;
    ///
    /// let engine: Engine<sqlx::Sqlite> = Engine::with_capacity(tenant_query::embedded_manifest!(), 64);
    /// # let _ = engine;
    /// ```
    pub fn with_capacity(manifest: EmbeddedManifest<DB, T>, statements: usize) -> Self {
        // The manifest was validated at compile time from the same text; should it fail now,
        // every statement is refused with the reason.
        let manifest =
            Manifest::from_toml_str(manifest.text, manifest.origin).map_err(|e| e.to_string());
        let statements = statements.max(1);
        Engine {
            manifest,
            scoped: Cache::new(statements),
            unscoped: Cache::new(statements),
            types: PhantomData,
        }
    }

    /// How many statements are cached now (scoped and unscoped together).
    ///
    /// ```
    /// use tenant_query::runtime::Engine;
    /// use tenant_query::TenantId;
    ///
    /// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
    /// for _ in 0..3 {
    ///     let _ = engine.tenant_query(&TenantId::new(1), "SELECT id FROM orders")?;
    /// }
    /// assert_eq!(engine.cached_statements(), 1);
    /// # Ok::<(), tenant_query::runtime::Error>(())
    /// ```
    pub fn cached_statements(&self) -> usize {
        self.scoped.len() + self.unscoped.len()
    }

    /// The prepared statement for `sql`, from the cache or from the engine.
    fn prepare(&self, scope: Scope, sql: &str) -> Result<Arc<Prepared>, Error> {
        let cache = match scope {
            Scope::Tenant => &self.scoped,
            Scope::Unscoped => &self.unscoped,
        };
        let outcome = match cache.get(sql) {
            Some(outcome) => outcome,
            None => {
                let manifest = self.manifest.as_ref().map_err(|message| Error::Manifest {
                    message: message.clone(),
                })?;
                let outcome = analyze(manifest, scope, sql);
                cache.insert(sql.to_owned(), outcome.clone());
                outcome
            }
        };
        match outcome {
            Outcome::Accepted(prepared) => Ok(prepared),
            Outcome::Refused(diagnostic) => Err(Error::Refused {
                sql: sql.to_owned(),
                diagnostic: Diagnostic::clone(&diagnostic),
            }),
            Outcome::Internal(message) => Err(Error::Internal {
                message: message.to_string(),
            }),
        }
    }
}

impl<DB: Database, T> Engine<DB, T> {
    /// Scopes `sql` to `tenant`, like [`tenant_query!`](crate::tenant_query) does at compile
    /// time; bind the arguments on the result and build the sqlx query.
    ///
    /// `sql` is written in the manifest's dialect with its placeholders (`$1` for PostgreSQL,
    /// `?` for MySQL, `?` or `?1` for SQLite).
    ///
    /// # Errors
    ///
    /// [`Error::Refused`] with the engine's diagnostic when the engine refuses the statement:
    /// the very statements a macro refuses, with the same diagnostics.
    ///
    /// ```
    /// use tenant_query::runtime::Engine;
    /// use tenant_query::TenantId;
    ///
    /// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
    /// let query = engine
    ///     .tenant_query(&TenantId::new(1), "INSERT INTO customers (id, name) VALUES (?, ?)")?
    ///     .bind(10_i64)
    ///     .bind("Ada");
    /// assert_eq!(query.sql(), "INSERT INTO customers (id, name, tenant_id) VALUES (?1, ?2, ?3)");
    /// assert_eq!(query.sql(), tenant_query::tenant_query_sql!("INSERT INTO customers (id, name) VALUES (?, ?)"));
    /// # Ok::<(), tenant_query::runtime::Error>(())
    /// ```
    pub fn tenant_query<'q>(
        &self,
        tenant: &TenantId<T>,
        sql: &str,
    ) -> Result<DynamicQuery<'q, DB, T>, Error>
    where
        T: Clone + Encode<'q, DB> + Type<DB> + Send + 'q,
    {
        let prepared = self.prepare(Scope::Tenant, sql)?;
        Ok(DynamicQuery::new(prepared, Some(tenant.get().clone())))
    }

    /// Runs `sql` across tenants, deliberately, like [`unscoped_query!`](crate::unscoped_query):
    /// the statement is checked (it parses, and every table is declared) but not rewritten.
    ///
    /// The reason is required, and a `&'static str` so that it is written at the call site,
    /// where review can read it.
    ///
    /// # Errors
    ///
    /// [`Error::MissingReason`] for an empty reason; [`Error::Refused`] when the engine refuses
    /// the statement.
    ///
    /// ```
    /// use tenant_query::runtime::{Engine, Error};
    ///
    /// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
    /// let query = engine.unscoped_query("nightly report over every tenant", "SELECT SUM(total) FROM orders")?;
    /// assert_eq!(query.sql(), "SELECT SUM(total) FROM orders");
    ///
    /// let err = engine.unscoped_query(" ", "SELECT SUM(total) FROM orders").unwrap_err();
    /// assert!(matches!(err, Error::MissingReason));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn unscoped_query<'q>(
        &self,
        reason: &'static str,
        sql: &str,
    ) -> Result<DynamicQuery<'q, DB, T>, Error>
    where
        T: Encode<'q, DB> + Type<DB> + Send + 'q,
    {
        if reason.trim().is_empty() {
            return Err(Error::MissingReason);
        }
        let prepared = self.prepare(Scope::Unscoped, sql)?;
        Ok(DynamicQuery::new(prepared, None))
    }

    /// Scopes the statement of a `sqlx::QueryBuilder` to `tenant`, keeping the values bound
    /// with `push_bind` and appending the tenant's.
    ///
    /// # Errors
    ///
    /// As [`tenant_query`](Engine::tenant_query), and [`Error::BuilderArgumentOrder`] when the
    /// tenant must be bound between the builder's values (MySQL only; see the
    /// [module documentation](self)).
    ///
    /// ```
    /// use sqlx::QueryBuilder;
    /// use tenant_query::runtime::Engine;
    /// use tenant_query::TenantId;
    ///
    /// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
    /// let mut builder = QueryBuilder::<sqlx::Sqlite>::new("SELECT id FROM orders WHERE id IN (");
    /// let mut ids = builder.separated(", ");
    /// for id in [1_i64, 2, 3] {
    ///     ids.push_bind(id);
    /// }
    /// builder.push(")");
    /// let query = engine.tenant_query_builder(&TenantId::new(1), builder)?;
    /// assert_eq!(
    ///     query.sql(),
    ///     "SELECT id FROM orders WHERE (id IN (?1, ?2, ?3)) AND orders.tenant_id = ?4"
    /// );
    /// let query = query.build()?;
    /// # let _ = query;
    /// # Ok::<(), tenant_query::runtime::Error>(())
    /// ```
    pub fn tenant_query_builder(
        &self,
        tenant: &TenantId<T>,
        mut builder: QueryBuilder<DB>,
    ) -> Result<DynamicQuery<'static, DB, T>, Error>
    where
        DB::Arguments: IntoArguments<DB>,
        T: Clone + Encode<'static, DB> + Type<DB> + Send + 'static,
    {
        let mut built = builder.build();
        let arguments = built
            .take_arguments()
            .map_err(|e| Error::Internal {
                message: format!("the QueryBuilder's arguments cannot be taken: {e}"),
            })?
            .unwrap_or_default();
        let sql = built.sql();
        let prepared = self.prepare(Scope::Tenant, sql.as_str())?;
        if !prepared.appends_tenants_only() {
            return Err(Error::BuilderArgumentOrder {
                sql: prepared.sql.to_string(),
            });
        }
        Ok(DynamicQuery::with_arguments(
            prepared,
            tenant.get().clone(),
            arguments,
        ))
    }
}

/// Runs the engine on `sql`; a panic in the engine is a refusal, never a pass-through.
fn analyze(manifest: &Manifest, scope: Scope, sql: &str) -> Outcome {
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match scope {
        Scope::Tenant => rewrite(manifest, sql),
        Scope::Unscoped => check_unscoped(manifest, sql),
    }));
    match run {
        Ok(Ok(rewritten)) => match Prepared::new(rewritten, scope) {
            Ok(prepared) => Outcome::Accepted(Arc::new(prepared)),
            Err(message) => Outcome::Internal(message.into()),
        },
        Ok(Err(diagnostic)) => Outcome::Refused(Arc::new(diagnostic)),
        Err(_) => Outcome::Internal("the engine panicked on this statement".into()),
    }
}

#[cfg(test)]
mod tests {
    use sqlx::mysql::MySqlArguments;
    use sqlx::{Arguments, MySql};

    use super::*;

    const MYSQL: &str = "dialect = \"mysql\"\n\
        [tables.orders]\nscope = \"tenant\"\n\
        [tables.customers]\nscope = \"tenant\"\n";

    fn mysql_engine(capacity: usize) -> Engine<MySql> {
        Engine::with_capacity(
            EmbeddedManifest::__new(MYSQL, "tenant-schema.toml"),
            capacity,
        )
    }

    #[test]
    fn a_repeated_statement_is_rewritten_once_and_the_cache_is_bounded() {
        let engine = mysql_engine(16);
        for _ in 0..100 {
            let query = engine.tenant_query(&TenantId::new(1), "SELECT id FROM orders");
            assert!(query.is_ok());
        }
        assert_eq!(engine.cached_statements(), 1);
        for limit in 0..1000 {
            let sql = format!("SELECT id FROM orders LIMIT {limit}");
            assert!(engine.tenant_query(&TenantId::new(1), &sql).is_ok());
        }
        let cached = engine.cached_statements();
        assert!((1..=32).contains(&cached), "{cached} statements cached");
    }

    #[test]
    fn mysql_binds_the_tenant_between_the_arguments() {
        let engine = mysql_engine(16);
        let query = engine
            .tenant_query(
                &TenantId::new(7),
                "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > ? LIMIT ?",
            )
            .unwrap()
            .bind(100_i64)
            .bind(5_i64);
        assert_eq!(
            query.sql(),
            "SELECT o.id FROM orders o JOIN customers c ON (c.id = o.customer_id) AND c.tenant_id = ? \
             WHERE (o.total > ?) AND o.tenant_id = ? LIMIT ?"
        );
        let mut query = query.build().unwrap();
        let mut expected = MySqlArguments::default();
        for value in [7_i64, 100, 7, 5] {
            expected.add(value).unwrap();
        }
        let sent = query.take_arguments().unwrap();
        assert_eq!(format!("{sent:?}"), format!("{:?}", Some(expected)));
    }

    #[test]
    fn a_mysql_query_builder_keeps_its_arguments_only_when_the_tenant_comes_last() {
        let engine = mysql_engine(16);
        let mut builder = QueryBuilder::<MySql>::new("SELECT id FROM orders WHERE total > ");
        builder.push_bind(100_i64);
        let query = engine.tenant_query_builder(&TenantId::new(7), builder);
        assert_eq!(
            query.unwrap().sql(),
            "SELECT id FROM orders WHERE (total > ?) AND orders.tenant_id = ?"
        );

        let mut builder = QueryBuilder::<MySql>::new("SELECT id FROM orders WHERE total > ");
        builder.push_bind(100_i64);
        builder.push(" LIMIT ");
        builder.push_bind(5_i64);
        match engine.tenant_query_builder(&TenantId::new(7), builder) {
            Err(Error::BuilderArgumentOrder { sql }) => assert_eq!(
                sql,
                "SELECT id FROM orders WHERE (total > ?) AND orders.tenant_id = ? LIMIT ?"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn engines_and_queries_can_be_shared_and_sent_between_tasks() {
        fn send_sync<S: Send + Sync>() {}
        fn send<S: Send>() {}
        send_sync::<Engine<MySql>>();
        send_sync::<Engine<sqlx::Postgres, String>>();
        send::<DynamicQuery<'static, MySql, i64>>();
        send::<Error>();
        send_sync::<Error>();
    }

    #[test]
    fn a_manifest_that_does_not_parse_refuses_every_statement() {
        let engine: Engine<MySql> = Engine::new(EmbeddedManifest::__new("dialect = 1", "x.toml"));
        let err = engine
            .tenant_query(&TenantId::new(1), "SELECT 1")
            .unwrap_err();
        assert!(matches!(err, Error::Manifest { .. }), "{err}");
        assert_eq!(engine.cached_statements(), 0);
    }
}
