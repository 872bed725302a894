//! The tables, views, columns, keys, foreign keys, indexes and row-level security of a live
//! database, read by `init` and `check` with run-time sqlx queries from the catalogue
//! (`information_schema` for MySQL/MariaDB, `information_schema` and `pg_catalog` for
//! PostgreSQL, `sqlite_master` and the pragmas for SQLite).

use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Row};
use tenant_query_core::Dialect;

use crate::init::render::same_column;
use crate::report::Failure;

/// How long a connection attempt may take before `init` gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// One table or view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The schema (PostgreSQL) or database (MySQL); `None` for SQLite.
    pub schema: Option<String>,
    /// The name as the database stores it.
    pub name: String,
    /// Whether it is a view.
    pub view: bool,
    /// The columns, in table order.
    pub columns: Vec<Column>,
    /// The primary key's columns, in key order; empty when there is none.
    pub primary_key: Vec<String>,
    /// The unique constraints and unique indexes other than the primary key.
    pub unique_keys: Vec<UniqueKey>,
    /// The foreign keys from this table.
    pub foreign_keys: Vec<ForeignKey>,
    /// The first column of each index (the primary key's too), in no particular order.
    pub index_leads: Vec<String>,
    /// Why the connecting role bypasses the table's row-level security, when it is enabled and
    /// bypassed (PostgreSQL only).
    pub rls_bypass: Option<String>,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    /// Its name in the database (for SQLite, its position).
    pub name: String,
    /// The referencing columns, in key order.
    pub columns: Vec<String>,
    /// The schema of the referenced table; `None` for SQLite.
    pub target_schema: Option<String>,
    /// The referenced table.
    pub target: String,
    /// The referenced columns, in key order (empty: the referenced table's primary key).
    pub target_columns: Vec<String>,
}

/// A unique constraint or index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueKey {
    /// Its name in the database.
    pub name: String,
    /// Its columns, in key order, without its expressions.
    pub columns: Vec<String>,
    /// Whether some of its parts are expressions (`lower(email)`), which `columns` leaves out:
    /// the key is then not a list of columns that the manifest can declare.
    pub expression: bool,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The name as the database stores it.
    pub name: String,
    /// Whether it accepts `NULL`.
    pub nullable: bool,
    /// The type as the database names it (`bigint`, `varchar`, `INTEGER`), lower case.
    pub data_type: String,
}

/// What `init` read from the database.
#[derive(Debug)]
pub struct Schema {
    /// The dialect of the URL's scheme.
    pub dialect: Dialect,
    /// The schema that unqualified names resolve to: `public`, the URL's MySQL database, or
    /// `None` for SQLite.
    pub default_schema: Option<String>,
    /// The tables and views, by schema and name.
    pub relations: Vec<Relation>,
}

/// [`introspect`] on a runtime of its own, for the synchronous commands.
pub fn read(url: &str, schemas: &[String], also: &[String]) -> Result<Schema, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(introspect(url, schemas, also))
}

/// Connects to `url` and reads the relations of `schemas` (default: `public`, or the URL's
/// MySQL database) and of `also`.
pub async fn introspect(url: &str, schemas: &[String], also: &[String]) -> Result<Schema, Failure> {
    let scheme = url.split(':').next().unwrap_or_default();
    let shown = redact(url);
    let connect_error = |e: sqlx::Error| {
        Failure::Database(format!(
            "cannot connect to {shown}: {e}\n  help: check that the server runs, and the host, \
             port, user, password and database of the URL"
        ))
    };
    let read_error = |e: sqlx::Error| {
        Failure::Database(format!(
            "cannot read the schema of {shown}: {e}\n  help: the user needs to read \
             information_schema (or sqlite_master)"
        ))
    };
    match scheme {
        "postgres" | "postgresql" => {
            let options = PgConnectOptions::from_str(url).map_err(connect_error)?;
            let mut conn = timed(options.connect()).await.map_err(connect_error)?;
            postgres(&mut conn, schemas, also).await.map_err(read_error)
        }
        "mysql" | "mariadb" => {
            let url = url.replacen("mariadb:", "mysql:", 1);
            let options = MySqlConnectOptions::from_str(&url).map_err(connect_error)?;
            let mut conn = timed(options.connect()).await.map_err(connect_error)?;
            mysql(&mut conn, schemas, also).await.map_err(read_error)
        }
        "sqlite" => {
            // Never create a database that is not there.
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect_error)?
                .create_if_missing(false)
                .read_only(true);
            let mut conn = timed(options.connect()).await.map_err(connect_error)?;
            sqlite(&mut conn).await.map_err(read_error)
        }
        _ => Err(Failure::Input(format!(
            "unsupported database URL scheme `{scheme}:` in {shown}\n  help: use a \
             postgres://, mysql:// (or mariadb://) or sqlite: URL"
        ))),
    }
}

/// `connect`, or a timeout error after [`CONNECT_TIMEOUT`].
async fn timed<C>(
    connect: impl std::future::Future<Output = Result<C, sqlx::Error>>,
) -> Result<C, sqlx::Error> {
    tokio::time::timeout(CONNECT_TIMEOUT, connect)
        .await
        .unwrap_or(Err(sqlx::Error::PoolTimedOut))
}

/// The URL with its password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The string rows of one catalogue query whose first column, the schema, is wanted.
type Rows = Vec<Vec<String>>;

/// What the catalogue queries return: [`COLUMNS_SQL`], [`KEYS_SQL`], [`FOREIGN_KEYS_SQL`],
/// [`LEADS_SQL`] (or their PostgreSQL forms) and [`PG_RLS_SQL`] (none elsewhere), in that
/// order.
struct Catalogue([Rows; 5]);

/// The relations of the catalogue, in the order of the columns' rows.
fn assemble(Catalogue([columns, keys, foreign, leads, rls]): &Catalogue) -> Vec<Relation> {
    let mut relations: Vec<Relation> = Vec::new();
    for row in columns {
        let [schema, table, kind, column, nullable, data_type] = row.as_slice() else {
            continue;
        };
        if find(&mut relations, schema, table).is_none() {
            relations.push(Relation::new(
                Some(schema.clone()),
                table.clone(),
                kind == "VIEW",
            ));
        }
        if let Some(relation) = find(&mut relations, schema, table) {
            relation.columns.push(Column {
                name: column.clone(),
                nullable: nullable == "YES",
                data_type: data_type.to_lowercase(),
            });
        }
    }
    for row in keys {
        if let [schema, table, key, kind, column] = row.as_slice() {
            if let Some(relation) = find(&mut relations, schema, table) {
                relation.add_key_column(key, kind == "PRIMARY KEY", column);
            }
        }
    }
    for row in foreign {
        if let [schema, table, key, target_schema, target, column, to] = row.as_slice() {
            if let Some(relation) = find(&mut relations, schema, table) {
                let fk = ForeignKey {
                    name: key.clone(),
                    columns: Vec::new(),
                    target_schema: Some(target_schema.clone()),
                    target: target.clone(),
                    target_columns: Vec::new(),
                };
                relation.add_foreign_key_column(fk, column, Some(to));
            }
        }
    }
    for row in leads {
        if let [schema, table, column] = row.as_slice() {
            if let Some(relation) = find(&mut relations, schema, table) {
                relation.index_leads.push(column.clone());
            }
        }
    }
    for row in rls {
        if let [schema, table, reason] = row.as_slice() {
            if let Some(relation) = find(&mut relations, schema, table) {
                relation.rls_bypass = Some(reason.clone()).filter(|r| !r.is_empty());
            }
        }
    }
    relations
}

fn find<'a>(relations: &'a mut [Relation], schema: &str, table: &str) -> Option<&'a mut Relation> {
    relations
        .iter_mut()
        .find(|r| r.schema.as_deref() == Some(schema) && r.name == table)
}

impl Relation {
    /// A relation with no columns or keys yet.
    fn new(schema: Option<String>, name: String, view: bool) -> Relation {
        Relation {
            schema,
            name,
            view,
            columns: Vec::new(),
            primary_key: Vec::new(),
            unique_keys: Vec::new(),
            foreign_keys: Vec::new(),
            index_leads: Vec::new(),
            rls_bypass: None,
        }
    }

    /// Adds a column pair to the foreign key named like `fk`, which is added if new.
    fn add_foreign_key_column(&mut self, fk: ForeignKey, column: &str, target: Option<&str>) {
        let index = match self.foreign_keys.iter().position(|k| k.name == fk.name) {
            Some(index) => index,
            None => {
                self.foreign_keys.push(fk);
                self.foreign_keys.len() - 1
            }
        };
        let key = &mut self.foreign_keys[index];
        key.columns.push(column.to_owned());
        key.target_columns.extend(target.map(str::to_owned));
    }

    /// Adds `column` to the primary key, or to the unique key `key`; an empty `column` is an
    /// expression part of the key.
    fn add_key_column(&mut self, key: &str, primary: bool, column: &str) {
        if primary {
            self.primary_key.push(column.to_owned());
            return;
        }
        let index = match self.unique_keys.iter().position(|k| k.name == key) {
            Some(index) => index,
            None => {
                self.unique_keys.push(UniqueKey {
                    name: key.to_owned(),
                    columns: Vec::new(),
                    expression: false,
                });
                self.unique_keys.len() - 1
            }
        };
        let unique = &mut self.unique_keys[index];
        match column {
            "" => unique.expression = true,
            column => unique.columns.push(column.to_owned()),
        }
    }

    /// Whether the primary key or a unique key has exactly `columns`, in any order (compared
    /// by the dialect's rules for names). A key with expression parts never matches.
    pub fn has_unique_key(&self, dialect: Dialect, columns: &[String]) -> bool {
        let same = |key: &[String]| {
            key.len() == columns.len()
                && key
                    .iter()
                    .all(|k| columns.iter().any(|c| same_column(dialect, k, c)))
        };
        (!self.primary_key.is_empty() && same(&self.primary_key))
            || self
                .unique_keys
                .iter()
                .any(|k| !k.expression && same(&k.columns))
    }
}

const COLUMNS_SQL: &str = "\
SELECT CAST(c.table_schema AS CHAR(255)), CAST(c.table_name AS CHAR(255)), \
       CAST(t.table_type AS CHAR(64)), CAST(c.column_name AS CHAR(255)), \
       CAST(c.is_nullable AS CHAR(3)), CAST(c.data_type AS CHAR(255)) \
FROM information_schema.columns c \
JOIN information_schema.tables t \
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
WHERE t.table_type IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED') \
ORDER BY 1, 2, c.ordinal_position";

/// The primary key and every unique index of MySQL's tables (a unique constraint is an
/// index); a functional key part (MySQL 8) has no column name and reads as empty.
const KEYS_SQL: &str = "\
SELECT CAST(table_schema AS CHAR(255)), CAST(table_name AS CHAR(255)), \
       CAST(index_name AS CHAR(255)), \
       CASE WHEN index_name = 'PRIMARY' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, \
       CAST(COALESCE(column_name, '') AS CHAR(255)) \
FROM information_schema.statistics \
WHERE non_unique = 0 \
ORDER BY 1, 2, 3, seq_in_index";

const FOREIGN_KEYS_SQL: &str = "\
SELECT CAST(k.table_schema AS CHAR(255)), CAST(k.table_name AS CHAR(255)), \
       CAST(k.constraint_name AS CHAR(255)), CAST(k.referenced_table_schema AS CHAR(255)), \
       CAST(k.referenced_table_name AS CHAR(255)), CAST(k.column_name AS CHAR(255)), \
       CAST(k.referenced_column_name AS CHAR(255)) \
FROM information_schema.key_column_usage k \
WHERE k.referenced_table_name IS NOT NULL \
ORDER BY 1, 2, 3, k.ordinal_position";

const PG_FOREIGN_KEYS_SQL: &str = "\
SELECT n.nspname::text, t.relname::text, c.conname::text, fn.nspname::text, ft.relname::text, \
       a.attname::text, fa.attname::text \
FROM pg_constraint c \
JOIN pg_class t ON t.oid = c.conrelid \
JOIN pg_namespace n ON n.oid = t.relnamespace \
JOIN pg_class ft ON ft.oid = c.confrelid \
JOIN pg_namespace fn ON fn.oid = ft.relnamespace \
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord) \
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
JOIN pg_attribute fa ON fa.attrelid = ft.oid AND fa.attnum = k.fattnum \
WHERE c.contype = 'f' \
ORDER BY 1, 2, 3, k.ord";

/// The first column of every index (empty for an expression).
const LEADS_SQL: &str = "\
SELECT CAST(table_schema AS CHAR(255)), CAST(table_name AS CHAR(255)), \
       CAST(COALESCE(column_name, '') AS CHAR(255)) \
FROM information_schema.statistics WHERE seq_in_index = 1 ORDER BY 1, 2, 3";

const PG_LEADS_SQL: &str = "\
SELECT n.nspname::text, t.relname::text, a.attname::text \
FROM pg_index ix \
JOIN pg_class t ON t.oid = ix.indrelid \
JOIN pg_namespace n ON n.oid = t.relnamespace \
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ix.indkey[0] \
ORDER BY 1, 2, 3";

/// The tables with row-level security enabled, and why the connecting role bypasses it (empty
/// when it does not).
const PG_RLS_SQL: &str = "\
SELECT n.nspname::text, c.relname::text, \
       CASE WHEN r.rolsuper THEN 'the role `' || current_user || '` is a superuser' \
            WHEN r.rolbypassrls THEN 'the role `' || current_user || '` has BYPASSRLS' \
            WHEN c.relowner = r.oid AND NOT c.relforcerowsecurity \
              THEN 'the role `' || current_user || '` owns the table and FORCE is off' \
            ELSE '' END \
FROM pg_class c \
JOIN pg_namespace n ON n.oid = c.relnamespace \
JOIN pg_roles r ON r.rolname = current_user \
WHERE c.relrowsecurity AND c.relkind IN ('r', 'p') \
ORDER BY 1, 2";

/// The primary key and every unique index (constraint or not) of PostgreSQL's tables, without
/// the `INCLUDE` columns of a covering index; an expression part (attribute number 0) reads
/// as an empty column name.
const PG_KEYS_SQL: &str = "\
SELECT n.nspname::text, t.relname::text, i.relname::text, \
       CASE WHEN ix.indisprimary THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, \
       COALESCE(a.attname::text, '') \
FROM pg_index ix \
JOIN pg_class i ON i.oid = ix.indexrelid \
JOIN pg_class t ON t.oid = ix.indrelid \
JOIN pg_namespace n ON n.oid = t.relnamespace \
CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum <> 0 \
WHERE ix.indisunique AND k.ord <= ix.indnkeyatts \
ORDER BY 1, 2, 3, k.ord";

/// Every column of `rows` as a string, for the rows of the wanted schemas.
fn string_rows<R: Row>(rows: &[R], wanted: &[String]) -> Result<Rows, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    let mut out = Vec::new();
    for row in rows {
        let values = (0..row.len())
            .map(|i| row.try_get::<String, _>(i))
            .collect::<Result<Vec<String>, _>>()?;
        if values.first().is_some_and(|schema| wanted.contains(schema)) {
            out.push(values);
        }
    }
    Ok(out)
}

async fn postgres(
    conn: &mut PgConnection,
    schemas: &[String],
    also: &[String],
) -> Result<Schema, sqlx::Error> {
    let mut wanted = if schemas.is_empty() {
        vec!["public".to_owned()]
    } else {
        schemas.to_vec()
    };
    wanted.extend_from_slice(also);
    // PostgreSQL has no CHAR(n) cast that keeps long names whole; `text` it is.
    let columns_sql = COLUMNS_SQL
        .replace("CHAR(255)", "text")
        .replace("CHAR(64)", "text")
        .replace("CHAR(3)", "text");
    let mut catalogue = Vec::new();
    for sql in [
        columns_sql.as_str(),
        PG_KEYS_SQL,
        PG_FOREIGN_KEYS_SQL,
        PG_LEADS_SQL,
        PG_RLS_SQL,
    ] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await?;
        catalogue.push(string_rows(&rows, &wanted)?);
    }
    Ok(Schema {
        dialect: Dialect::Postgres,
        default_schema: Some("public".to_owned()),
        relations: assemble(&Catalogue(five(catalogue))),
    })
}

/// The five result sets of the catalogue queries; missing ones are empty.
fn five(mut rows: Vec<Rows>) -> [Rows; 5] {
    rows.resize_with(5, Vec::new);
    rows.try_into().unwrap_or_default()
}

async fn mysql(
    conn: &mut MySqlConnection,
    schemas: &[String],
    also: &[String],
) -> Result<Schema, sqlx::Error> {
    let current: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut *conn)
        .await?;
    let mut wanted = match (&current, schemas.is_empty()) {
        (_, false) => schemas.to_vec(),
        (Some(db), true) => vec![db.clone()],
        (None, true) => Vec::new(),
    };
    wanted.extend_from_slice(also);
    let mut catalogue = Vec::new();
    for sql in [COLUMNS_SQL, KEYS_SQL, FOREIGN_KEYS_SQL, LEADS_SQL] {
        let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
        catalogue.push(string_rows(&rows, &wanted)?);
    }
    Ok(Schema {
        dialect: Dialect::MySql,
        default_schema: current,
        relations: assemble(&Catalogue(five(catalogue))),
    })
}

async fn sqlite(conn: &mut SqliteConnection) -> Result<Schema, sqlx::Error> {
    let tables = sqlx::query(
        "SELECT name, type FROM sqlite_master \
         WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut relations = Vec::new();
    for table in tables {
        let kind: String = table.try_get(1)?;
        let mut relation = Relation::new(None, table.try_get(0)?, kind == "view");
        sqlite_columns(conn, &mut relation).await?;
        sqlite_unique_keys(conn, &mut relation).await?;
        sqlite_foreign_keys(conn, &mut relation).await?;
        sqlite_index_leads(conn, &mut relation).await?;
        relations.push(relation);
    }
    Ok(Schema {
        dialect: Dialect::Sqlite,
        default_schema: None,
        relations,
    })
}

/// The columns and the primary key of a SQLite table.
async fn sqlite_columns(
    conn: &mut SqliteConnection,
    relation: &mut Relation,
) -> Result<(), sqlx::Error> {
    let info =
        sqlx::query("SELECT name, \"notnull\", pk, type FROM pragma_table_info(?) ORDER BY cid")
            .bind(&relation.name)
            .fetch_all(&mut *conn)
            .await?;
    let mut key: Vec<(i64, String)> = Vec::new();
    for column in info {
        let name: String = column.try_get(0)?;
        let not_null: i64 = column.try_get(1)?;
        let pk: i64 = column.try_get(2)?;
        if pk > 0 {
            key.push((pk, name.clone()));
        }
        relation.columns.push(Column {
            name,
            nullable: not_null == 0 && pk == 0,
            data_type: column.try_get::<String, _>(3)?.to_lowercase(),
        });
    }
    key.sort();
    relation.primary_key = key.into_iter().map(|(_, name)| name).collect();
    Ok(())
}

/// The first column of each index of a SQLite table, the primary key's first.
async fn sqlite_index_leads(
    conn: &mut SqliteConnection,
    relation: &mut Relation,
) -> Result<(), sqlx::Error> {
    let leads: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT ii.name FROM pragma_index_list(?1) il, pragma_index_info(il.name) ii \
         WHERE ii.seqno = 0",
    )
    .bind(&relation.name)
    .fetch_all(&mut *conn)
    .await?;
    // An INTEGER PRIMARY KEY is the rowid, an index of its own.
    relation.index_leads = relation
        .primary_key
        .first()
        .cloned()
        .into_iter()
        .chain(leads.into_iter().flatten())
        .collect();
    Ok(())
}

/// The unique constraints and indexes of a SQLite table, other than its primary key.
async fn sqlite_unique_keys(
    conn: &mut SqliteConnection,
    relation: &mut Relation,
) -> Result<(), sqlx::Error> {
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1 AND origin <> 'pk' ORDER BY name",
    )
    .bind(&relation.name)
    .fetch_all(&mut *conn)
    .await?;
    for index in indexes {
        let columns: Vec<Option<String>> =
            sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                .bind(&index)
                .fetch_all(&mut *conn)
                .await?;
        // An expression (or the rowid) has no name.
        for column in columns {
            relation.add_key_column(&index, false, column.as_deref().unwrap_or_default());
        }
    }
    Ok(())
}

/// The foreign keys of a SQLite table; a key that names no referenced columns refers to the
/// referenced table's primary key (its `target_columns` stay empty).
async fn sqlite_foreign_keys(
    conn: &mut SqliteConnection,
    relation: &mut Relation,
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq",
    )
    .bind(&relation.name)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let fk = ForeignKey {
            name: format!("#{id}"),
            columns: Vec::new(),
            target_schema: None,
            target: row.try_get(1)?,
            target_columns: Vec::new(),
        };
        let column: String = row.try_get(2)?;
        let target: Option<String> = row.try_get(3)?;
        relation.add_foreign_key_column(fk, &column, target.as_deref());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redact("postgres://app:s3cr:et@db:5432/app"),
            "postgres://app:***@db:5432/app"
        );
        assert_eq!(redact("mysql://root@db/app"), "mysql://root@db/app");
        assert_eq!(redact("sqlite:app.db"), "sqlite:app.db");
    }
}
