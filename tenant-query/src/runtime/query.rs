//! [`DynamicQuery`]: the binder of a statement the engine accepted at run time.

use std::marker::PhantomData;
use std::sync::Arc;

use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Arguments, AssertSqlSafe, Database, Encode, FromRow, IntoArguments, Type};
use tenant_query_core::BindSlot;

use super::plan::Prepared;
use super::Error;

/// A statement accepted by the engine at run time, collecting its arguments.
///
/// Returned by [`Engine::tenant_query`](super::Engine::tenant_query) and
/// [`Engine::unscoped_query`](super::Engine::unscoped_query). Bind one value per placeholder
/// with [`bind`](DynamicQuery::bind), in placeholder order, exactly as with `sqlx::query`;
/// the tenant is bound for you wherever the rewritten statement needs it. Then
/// [`build`](DynamicQuery::build) (or [`build_query_as`](DynamicQuery::build_query_as),
/// [`build_query_scalar`](DynamicQuery::build_query_scalar)) returns the sqlx query, with the
/// values bound in the order the rewritten statement needs them.
///
/// Values are encoded as soon as the rewritten statement can take them; a value it needs
/// again later (a MySQL `?` copied by the rewrite) is kept until then.
///
/// ```
/// use tenant_query::runtime::Engine;
/// use tenant_query::TenantId;
///
/// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
/// let query = engine
///     .tenant_query(&TenantId::new(1), "UPDATE orders SET total = ? WHERE id = ?")?
///     .bind(250_i64)
///     .bind(7_i64);
/// assert_eq!(
///     query.sql(),
///     "UPDATE orders SET total = ?1 WHERE (id = ?2) AND orders.tenant_id = ?3"
/// );
/// let query = query.build()?; // a sqlx::query::Query, ready for `.execute(&pool)`
/// # let _ = query;
/// # Ok::<(), tenant_query::runtime::Error>(())
/// ```
#[must_use = "build the query and run it"]
pub struct DynamicQuery<'q, DB: Database, T> {
    prepared: Arc<Prepared>,
    tenant: Option<T>,
    arguments: DB::Arguments,
    /// Arguments a later stage binds again, by index.
    kept: Vec<Option<Box<dyn KeptValue<DB> + Send + 'q>>>,
    /// How many arguments the user bound.
    bound: usize,
    /// The first problem, reported by `build`.
    failed: Option<Error>,
}

impl<'q, DB, T> DynamicQuery<'q, DB, T>
where
    DB: Database,
    T: Encode<'q, DB> + Type<DB> + Send + 'q,
{
    /// A query for `prepared` with `tenant` (`None` for an unscoped statement), with the
    /// tenants that come before any argument already bound.
    pub(crate) fn new(prepared: Arc<Prepared>, tenant: Option<T>) -> Self {
        let mut query = DynamicQuery {
            kept: Vec::new(),
            tenant,
            arguments: DB::Arguments::default(),
            bound: 0,
            failed: None,
            prepared,
        };
        query.add_stage(0, &NoValue);
        query
    }

    /// A query for `prepared` whose user arguments are `arguments`, already encoded in
    /// placeholder order (a `QueryBuilder`'s): the remaining slots must all be tenants.
    pub(crate) fn with_arguments(
        prepared: Arc<Prepared>,
        tenant: T,
        arguments: DB::Arguments,
    ) -> Self {
        let mut query = DynamicQuery {
            kept: Vec::new(),
            tenant: Some(tenant),
            bound: arguments.len(),
            arguments,
            failed: None,
            prepared: Arc::clone(&prepared),
        };
        for slot in prepared.after_arguments() {
            query.add(*slot, &NoValue);
        }
        query
    }

    /// Binds the value of the next placeholder, as `sqlx::query(…).bind(value)` does: any
    /// value sqlx can encode, owned or borrowed.
    ///
    /// A value that cannot be encoded, or one too many, is reported by
    /// [`build`](DynamicQuery::build).
    ///
    /// ```
    /// use tenant_query::runtime::{Engine, Error};
    /// use tenant_query::TenantId;
    ///
    /// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
    /// let name = String::from("Ada");
    /// let query = engine
    ///     .tenant_query(&TenantId::new(1), "SELECT id FROM customers WHERE name = ?")?
    ///     .bind(&name) // borrowed: `name` stays usable
    ///     .bind(2_i64); // one too many
    /// assert!(matches!(query.build(), Err(Error::ArgumentCount { expected: 1, got: 2 })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn bind<V>(mut self, value: V) -> Self
    where
        V: Encode<'q, DB> + Type<DB> + Send + 'q,
    {
        let index = self.bound;
        self.bound += 1;
        if self.failed.is_some() || index >= self.prepared.user_args {
            return self;
        }
        let current = Current {
            index,
            value: &value,
            lifetime: PhantomData,
        };
        self.add_stage(index + 1, &current);
        if self.prepared.keeps(index) {
            self.kept
                .resize_with(self.prepared.user_args, Default::default);
            self.kept[index] = Some(Box::new(Kept(value, PhantomData)));
        }
        self
    }

    /// The SQL that will be sent: the statement as the engine rewrote it (or checked it),
    /// for logs and reviews. See the example of [`DynamicQuery`].
    pub fn sql(&self) -> &str {
        &self.prepared.sql
    }

    /// The sqlx query: the SQL with every value bound in the order it needs.
    ///
    /// # Errors
    ///
    /// [`Error::ArgumentCount`] when the number of bound values differs from the number of
    /// placeholders, [`Error::Encode`] when a value could not be encoded.
    pub fn build(self) -> Result<Query<'static, DB, DB::Arguments>, Error>
    where
        DB::Arguments: IntoArguments<DB>,
    {
        let (sql, arguments) = self.finish()?;
        Ok(sqlx::query_with(sql, arguments))
    }

    /// Like [`build`](DynamicQuery::build), mapping each row to `O` through `sqlx::FromRow`,
    /// as `sqlx::query_as` does.
    ///
    /// # Errors
    ///
    /// As [`build`](DynamicQuery::build).
    ///
    /// ```
    /// use tenant_query::runtime::Engine;
    /// use tenant_query::TenantId;
    ///
    /// #[derive(sqlx::FromRow)]
    /// struct Customer {
    ///     id: i64,
    ///     name: String,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use sqlx::Connection;
    /// # let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
    /// # sqlx::raw_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY, tenant_id BIGINT NOT NULL, name TEXT NOT NULL);
    /// #   INSERT INTO customers VALUES (1, 1, 'Ada'), (2, 2, 'Eve');").execute(&mut conn).await?;
    /// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
    /// let customers: Vec<Customer> = engine
    ///     .tenant_query(&TenantId::new(2), "SELECT id, name FROM customers ORDER BY id")?
    ///     .build_query_as()?
    ///     .fetch_all(&mut conn)
    ///     .await?;
    /// assert_eq!(customers.len(), 1);
    /// assert_eq!((customers[0].id, customers[0].name.as_str()), (2, "Eve"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn build_query_as<O>(self) -> Result<QueryAs<'static, DB, O, DB::Arguments>, Error>
    where
        DB::Arguments: IntoArguments<DB>,
        O: for<'r> FromRow<'r, DB::Row>,
    {
        let (sql, arguments) = self.finish()?;
        Ok(sqlx::query_as_with(sql, arguments))
    }

    /// Like [`build`](DynamicQuery::build), returning the first column of each row as `O`,
    /// as `sqlx::query_scalar` does.
    ///
    /// # Errors
    ///
    /// As [`build`](DynamicQuery::build).
    pub fn build_query_scalar<O>(self) -> Result<QueryScalar<'static, DB, O, DB::Arguments>, Error>
    where
        DB::Arguments: IntoArguments<DB>,
        (O,): for<'r> FromRow<'r, DB::Row>,
    {
        let (sql, arguments) = self.finish()?;
        Ok(sqlx::query_scalar_with(sql, arguments))
    }

    /// The SQL and the arguments, once every placeholder has its value.
    fn finish(self) -> Result<(AssertSqlSafe<Arc<str>>, DB::Arguments), Error> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        if self.bound != self.prepared.user_args {
            return Err(Error::ArgumentCount {
                expected: self.prepared.user_args,
                got: self.bound,
            });
        }
        // The engine produced this text from the caller's statement: it is as safe as that
        // statement, and every tenant-scoped table in it is filtered.
        Ok((
            AssertSqlSafe(Arc::clone(&self.prepared.sql)),
            self.arguments,
        ))
    }

    /// Adds the slots of `stage`; `current` is the argument just bound, if any.
    fn add_stage(&mut self, stage: usize, current: &dyn CurrentValue<DB>) {
        let prepared = Arc::clone(&self.prepared);
        for slot in prepared.stage(stage) {
            if self.failed.is_some() {
                return;
            }
            self.add(*slot, current);
        }
    }

    /// Adds the value of one slot, recording the first failure.
    fn add(&mut self, slot: BindSlot, current: &dyn CurrentValue<DB>) {
        let position = self.arguments.len() + 1;
        let added = match slot {
            BindSlot::Tenant => match &self.tenant {
                Some(tenant) => self.arguments.add(tenant),
                None => Err("a tenant slot in a statement without a tenant".into()),
            },
            BindSlot::Arg(i) => match current.add_if(i, &mut self.arguments) {
                Some(added) => added,
                None => match self.kept.get(i).and_then(Option::as_ref) {
                    Some(kept) => kept.add_to(&mut self.arguments),
                    None => Err(format!("argument {i} is not available").into()),
                },
            },
        };
        if let Err(source) = added {
            self.failed = Some(Error::Encode { position, source });
        }
    }
}

impl<DB: Database, T> std::fmt::Debug for DynamicQuery<'_, DB, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicQuery")
            .field("sql", &self.prepared.sql)
            .field("bound", &self.bound)
            .field("expected", &self.prepared.user_args)
            .finish_non_exhaustive()
    }
}

/// A kept argument, type-erased so that arguments of any types can wait in one list.
trait KeptValue<DB: Database> {
    fn add_to(&self, arguments: &mut DB::Arguments) -> Result<(), sqlx::error::BoxDynError>;
}

/// A kept argument of type `V`.
struct Kept<'q, V>(V, PhantomData<fn() -> &'q ()>);

impl<'q, DB: Database, V: Encode<'q, DB> + Type<DB>> KeptValue<DB> for Kept<'q, V> {
    fn add_to(&self, arguments: &mut DB::Arguments) -> Result<(), sqlx::error::BoxDynError> {
        arguments.add(&self.0)
    }
}

/// The argument being bound, if any: adds itself when the slot is its own.
trait CurrentValue<DB: Database> {
    /// Adds the value if it is argument `index`; `None` when it is not.
    fn add_if(
        &self,
        index: usize,
        arguments: &mut DB::Arguments,
    ) -> Option<Result<(), sqlx::error::BoxDynError>>;
}

/// No argument is being bound (at creation).
struct NoValue;

impl<DB: Database> CurrentValue<DB> for NoValue {
    fn add_if(
        &self,
        _: usize,
        _: &mut DB::Arguments,
    ) -> Option<Result<(), sqlx::error::BoxDynError>> {
        None
    }
}

/// Argument `index`, being bound.
struct Current<'v, 'q, V> {
    index: usize,
    value: &'v V,
    lifetime: PhantomData<fn() -> &'q ()>,
}

impl<'q, DB: Database, V: Encode<'q, DB> + Type<DB>> CurrentValue<DB> for Current<'_, 'q, V> {
    fn add_if(
        &self,
        index: usize,
        arguments: &mut DB::Arguments,
    ) -> Option<Result<(), sqlx::error::BoxDynError>> {
        (index == self.index).then(|| arguments.add(self.value))
    }
}

#[cfg(test)]
mod tests {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::sqlite::SqliteArguments;
    use sqlx::{Execute, Sqlite};
    use tenant_query_core::{BindPlan, Rewritten};

    use super::*;
    use crate::runtime::plan::Scope;
    use BindSlot::{Arg, Tenant};

    fn prepared(slots: Vec<BindSlot>, user_args: usize) -> Arc<Prepared> {
        let rewritten = Rewritten {
            sql: "SQL".to_owned(),
            bind_plan: BindPlan { slots, user_args },
            scoped_tables: Vec::new(),
            tables: Vec::new(),
        };
        Arc::new(Prepared::new(rewritten, Scope::Tenant).expect("a consistent plan"))
    }

    /// The arguments a query sends, as sqlx encoded them.
    fn sent(query: Result<Query<'static, Sqlite, SqliteArguments>, Error>) -> String {
        let mut query = query.unwrap_or_else(|e| panic!("{e}"));
        format!("{:?}", query.take_arguments().expect("encoded"))
    }

    fn expected(values: [&dyn Fn(&mut SqliteArguments); 4]) -> String {
        let mut arguments = SqliteArguments::default();
        values.iter().for_each(|add| add(&mut arguments));
        format!("{:?}", Some(arguments))
    }

    #[test]
    fn an_argument_bound_again_later_is_sent_twice() {
        let query = DynamicQuery::<Sqlite, i64>::new(
            prepared(vec![Arg(0), Arg(1), Tenant, Arg(0)], 2),
            Some(7),
        )
        .bind(10_i64)
        .bind("x");
        assert_eq!(
            sent(query.build()),
            expected([
                &|a| a.add(10_i64).unwrap(),
                &|a| a.add("x").unwrap(),
                &|a| a.add(7_i64).unwrap(),
                &|a| a.add(10_i64).unwrap(),
            ])
        );
    }

    /// A value sqlx cannot encode.
    struct Unencodable;

    impl Type<Sqlite> for Unencodable {
        fn type_info() -> <Sqlite as Database>::TypeInfo {
            <i64 as Type<Sqlite>>::type_info()
        }
    }

    impl Encode<'_, Sqlite> for Unencodable {
        fn encode_by_ref(
            &self,
            _: &mut <Sqlite as Database>::ArgumentBuffer,
        ) -> Result<IsNull, BoxDynError> {
            Err("cannot encode this".into())
        }
    }

    #[test]
    fn a_value_that_does_not_encode_is_an_error_at_its_position() {
        let query = DynamicQuery::<Sqlite, i64>::new(prepared(vec![Tenant, Arg(0)], 1), Some(7))
            .bind(Unencodable);
        match query.build() {
            Err(Error::Encode { position, source }) => {
                assert_eq!(position, 2);
                assert_eq!(source.to_string(), "cannot encode this");
            }
            other => panic!("{:?}", other.map(|q| q.sql().as_str().to_owned())),
        }
    }

    #[test]
    fn the_count_of_arguments_must_match() {
        let plan = prepared(vec![Arg(0), Tenant], 1);
        let none = DynamicQuery::<Sqlite, i64>::new(Arc::clone(&plan), Some(7));
        assert!(matches!(
            none.build(),
            Err(Error::ArgumentCount {
                expected: 1,
                got: 0
            })
        ));
        let two = DynamicQuery::<Sqlite, i64>::new(plan, Some(7))
            .bind(1_i64)
            .bind(2_i64);
        assert!(matches!(
            two.build(),
            Err(Error::ArgumentCount {
                expected: 1,
                got: 2
            })
        ));
    }
}
