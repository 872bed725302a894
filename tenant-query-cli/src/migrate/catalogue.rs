//! What `migrate` reads beyond the shared introspection: the exact definitions it restores on
//! the way down (PostgreSQL's constraint and index definitions, SQLite's `CREATE` statements),
//! the referential actions of foreign keys, and MySQL's `AUTO_INCREMENT` columns.

use std::collections::HashMap;
use std::str::FromStr;

use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Row};
use tenant_query_core::Dialect;

use super::plan::Plan;
use crate::introspect::redact;
use crate::report::Failure;

/// The extra facts of one scoped table.
#[derive(Debug, Default, Clone)]
pub struct Extra {
    /// PostgreSQL: the primary key constraint's name.
    pub primary_key_name: Option<String>,
    /// PostgreSQL: constraint name → definition (`pg_get_constraintdef`); MySQL and SQLite:
    /// foreign key name → its referential actions (`ON DELETE CASCADE …`).
    pub definitions: HashMap<String, String>,
    /// PostgreSQL: unique index name → definition (`pg_get_indexdef`), for the unique keys that
    /// are indexes, not constraints. SQLite: every index of the table, by name, with its
    /// `CREATE` statement (none for automatic indexes).
    pub indexes: Vec<(String, Option<String>)>,
    /// MySQL: the `AUTO_INCREMENT` column, if any.
    pub auto_increment: Option<String>,
    /// SQLite: the table's `CREATE TABLE` statement.
    pub create: Option<String>,
    /// SQLite: the declared type and the default of each column, by name.
    pub column_defs: HashMap<String, (String, Option<String>)>,
    /// SQLite: the triggers' `CREATE TRIGGER` statements.
    pub triggers: Vec<String>,
    /// PostgreSQL and MySQL: the foreign keys that reference the table from any schema, as
    /// (schema, table, key).
    pub referenced_by: Vec<(String, String, String)>,
}

/// Reads the extra facts of every table of `plan`, in plan order.
pub fn read(url: &str, plan: &Plan) -> Result<Vec<Extra>, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Input(format!("cannot start the async runtime: {e}")))?;
    let error = |e: sqlx::Error| {
        Failure::Database(format!("cannot read the schema of {}: {e}", redact(url)))
    };
    runtime.block_on(async {
        let mut out = Vec::new();
        match plan.dialect {
            Dialect::Postgres => {
                let options = PgConnectOptions::from_str(url).map_err(error)?;
                // With no schema on the search path, the catalogue's definitions name every table
                // with its schema: the files do not depend on the search path they run with.
                let options = options.options([("search_path", "pg_catalog")]);
                let mut conn = options.connect().await.map_err(error)?;
                for table in &plan.tables {
                    let r = &table.relation;
                    let qualified =
                        format!("{}.{}", r.schema.as_deref().unwrap_or("public"), r.name);
                    out.push(
                        postgres(&mut conn, &plan.quote(&qualified))
                            .await
                            .map_err(error)?,
                    );
                }
            }
            Dialect::MySql => {
                let url = url.replacen("mariadb:", "mysql:", 1);
                let options = MySqlConnectOptions::from_str(&url).map_err(error)?;
                let mut conn = options.connect().await.map_err(error)?;
                for table in &plan.tables {
                    let r = &table.relation;
                    out.push(
                        mysql(&mut conn, r.schema.as_deref(), &r.name)
                            .await
                            .map_err(error)?,
                    );
                }
            }
            Dialect::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(error)?
                    .create_if_missing(false)
                    .read_only(true);
                let mut conn = options.connect().await.map_err(error)?;
                for table in &plan.tables {
                    out.push(
                        sqlite(&mut conn, &table.relation.name)
                            .await
                            .map_err(error)?,
                    );
                }
            }
        }
        Ok(out)
    })
}

async fn postgres(conn: &mut PgConnection, quoted: &str) -> Result<Extra, sqlx::Error> {
    let mut extra = Extra::default();
    let rows = sqlx::query(
        "SELECT conname::text, contype::text, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid = $1::regclass ORDER BY conname",
    )
    .bind(quoted)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let (name, kind): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        if kind == "p" {
            extra.primary_key_name = Some(name.clone());
        }
        extra.definitions.insert(name, row.try_get(2)?);
    }
    let rows = sqlx::query(
        "SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         WHERE ix.indrelid = $1::regclass AND ix.indisunique AND NOT ix.indisprimary \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY 1",
    )
    .bind(quoted)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        extra.indexes.push((row.try_get(0)?, Some(row.try_get(1)?)));
    }
    let rows = sqlx::query(
        "SELECT n.nspname::text, t.relname::text, c.conname::text FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE c.contype = 'f' AND c.confrelid = $1::regclass ORDER BY 1, 2, 3",
    )
    .bind(quoted)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        extra
            .referenced_by
            .push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
    }
    Ok(extra)
}

async fn mysql(
    conn: &mut MySqlConnection,
    schema: Option<&str>,
    table: &str,
) -> Result<Extra, sqlx::Error> {
    let mut extra = Extra::default();
    let schema = schema.unwrap_or_default();
    extra.auto_increment = sqlx::query_scalar(
        "SELECT CAST(column_name AS CHAR(255)) FROM information_schema.columns \
         WHERE table_schema = ? AND table_name = ? AND extra LIKE '%auto_increment%'",
    )
    .bind(schema)
    .bind(table)
    .fetch_optional(&mut *conn)
    .await?;
    let rows = sqlx::query(
        "SELECT CAST(constraint_name AS CHAR(255)), CAST(update_rule AS CHAR(64)), \
         CAST(delete_rule AS CHAR(64)) FROM information_schema.referential_constraints \
         WHERE constraint_schema = ? AND table_name = ?",
    )
    .bind(schema)
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let actions = actions(&row.try_get::<String, _>(1)?, &row.try_get::<String, _>(2)?);
        // InnoDB's RESTRICT is NO ACTION, the default, which the catalogue reports as RESTRICT.
        let actions = actions
            .replace(" ON UPDATE RESTRICT", "")
            .replace(" ON DELETE RESTRICT", "");
        extra.definitions.insert(row.try_get(0)?, actions);
    }
    let rows = sqlx::query(
        "SELECT CAST(constraint_schema AS CHAR(255)), CAST(table_name AS CHAR(255)), \
         CAST(constraint_name AS CHAR(255)) FROM information_schema.referential_constraints \
         WHERE unique_constraint_schema = ? AND referenced_table_name = ? ORDER BY 1, 2, 3",
    )
    .bind(schema)
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        extra
            .referenced_by
            .push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
    }
    Ok(extra)
}

async fn sqlite(conn: &mut SqliteConnection, table: &str) -> Result<Extra, sqlx::Error> {
    let mut extra = Extra::default();
    let rows = sqlx::query(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY type DESC, name",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let (kind, name, sql): (String, String, Option<String>) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        match kind.as_str() {
            "table" => extra.create = sql,
            "trigger" => extra.triggers.extend(sql),
            _ => extra.indexes.push((name, sql)),
        }
    }
    let rows = sqlx::query("SELECT name, type, dflt_value FROM pragma_table_info(?)")
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    for row in rows {
        extra
            .column_defs
            .insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?));
    }
    let rows = sqlx::query(
        "SELECT DISTINCT id, on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let actions = actions(&row.try_get::<String, _>(1)?, &row.try_get::<String, _>(2)?);
        extra.definitions.insert(format!("#{id}"), actions);
    }
    Ok(extra)
}

/// `ON UPDATE … ON DELETE …`, leaving out the default `NO ACTION`.
fn actions(update: &str, delete: &str) -> String {
    let mut out = String::new();
    for (event, action) in [("UPDATE", update), ("DELETE", delete)] {
        if !action.eq_ignore_ascii_case("NO ACTION") && !action.is_empty() {
            out.push_str(&format!(" ON {event} {}", action.to_uppercase()));
        }
    }
    out
}

/// The referential actions of a PostgreSQL foreign key definition: what follows the
/// referenced column list (`ON DELETE CASCADE`, `DEFERRABLE`, …).
pub fn postgres_actions(definition: &str) -> String {
    let Some(at) = definition.find(" REFERENCES ") else {
        return String::new();
    };
    let rest = &definition[at..];
    match rest.find(')') {
        Some(end) => rest[end + 1..].to_owned(),
        None => String::new(),
    }
}
