//! Connections to the three databases, and the test environment built on them: one database
//! with every tenant's rows and one copy per tenant holding only that tenant's rows.

use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, Column, Connection, Row, TypeInfo, ValueRef};
use tenant_query_core::{Dialect, Manifest};

use crate::fixture::{manifest_toml, tables, Table, Val, TENANTS};
use crate::support::{self, mysql_url, postgres_url};

/// One row, every column stringified: integers as digits, strings quoted, `NULL`, floats
/// with an `f` suffix, anything else as its type name and hex bytes.
pub type TextRow = Vec<String>;

/// An open connection to one of the three databases.
pub enum Conn {
    /// PostgreSQL.
    Pg(PgConnection),
    /// MariaDB or MySQL.
    My(MySqlConnection),
    /// SQLite.
    Lite(SqliteConnection),
}

/// Binds `vals` to a sqlx query, in order.
macro_rules! bind_all {
    ($query:expr, $vals:expr) => {{
        let mut q = $query;
        for v in $vals {
            q = match v {
                Val::Int(i) => q.bind(*i),
                Val::Text(s) => q.bind(s.clone()),
                Val::Null => q.bind(None::<i64>),
            };
        }
        q
    }};
}

impl Conn {
    /// Runs one statement without bind parameters through the simple (text) protocol.
    pub async fn batch(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        let raw = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()));
        match self {
            Conn::Pg(c) => raw.execute(c).await.map(drop),
            Conn::My(c) => raw.execute(c).await.map(drop),
            Conn::Lite(c) => raw.execute(c).await.map(drop),
        }
    }

    /// Runs a statement with `binds` and returns its rows, stringified.
    pub async fn fetch(&mut self, sql: &str, binds: &[Val]) -> Result<Vec<TextRow>, sqlx::Error> {
        let sql = AssertSqlSafe(sql.to_owned());
        match self {
            Conn::Pg(c) => bind_all!(sqlx::query(sql), binds)
                .fetch_all(c)
                .await?
                .iter()
                .map(pg_row)
                .collect(),
            Conn::My(c) => bind_all!(sqlx::query(sql), binds)
                .fetch_all(c)
                .await?
                .iter()
                .map(my_row)
                .collect(),
            Conn::Lite(c) => bind_all!(sqlx::query(sql), binds)
                .fetch_all(c)
                .await?
                .iter()
                .map(lite_row)
                .collect(),
        }
    }

    /// Runs a query with `binds` and returns the names of its columns, in order, as its first
    /// row carries them; `None` when it returns no rows.
    pub async fn column_names(
        &mut self,
        sql: &str,
        binds: &[Val],
    ) -> Result<Option<Vec<String>>, sqlx::Error> {
        fn names<R: Row>(row: Option<R>) -> Option<Vec<String>> {
            row.map(|r| r.columns().iter().map(|c| c.name().to_owned()).collect())
        }
        let sql = AssertSqlSafe(sql.to_owned());
        Ok(match self {
            Conn::Pg(c) => names(bind_all!(sqlx::query(sql), binds).fetch_optional(c).await?),
            Conn::My(c) => names(bind_all!(sqlx::query(sql), binds).fetch_optional(c).await?),
            Conn::Lite(c) => names(bind_all!(sqlx::query(sql), binds).fetch_optional(c).await?),
        })
    }

    /// Runs a statement with `binds` and returns the number of rows it affected.
    pub async fn execute(&mut self, sql: &str, binds: &[Val]) -> Result<u64, sqlx::Error> {
        let sql = AssertSqlSafe(sql.to_owned());
        Ok(match self {
            Conn::Pg(c) => bind_all!(sqlx::query(sql), binds)
                .execute(c)
                .await?
                .rows_affected(),
            Conn::My(c) => bind_all!(sqlx::query(sql), binds)
                .execute(c)
                .await?
                .rows_affected(),
            Conn::Lite(c) => bind_all!(sqlx::query(sql), binds)
                .execute(c)
                .await?
                .rows_affected(),
        })
    }

    /// Starts a transaction.
    pub async fn begin(&mut self) -> Result<(), sqlx::Error> {
        match self {
            Conn::My(_) => self.batch("START TRANSACTION").await,
            _ => self.batch("BEGIN").await,
        }
    }

    /// Rolls the open transaction back.
    pub async fn rollback(&mut self) -> Result<(), sqlx::Error> {
        self.batch("ROLLBACK").await
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stringifies a PostgreSQL row.
fn pg_row(row: &PgRow) -> Result<TextRow, sqlx::Error> {
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok("NULL".to_owned());
            }
            let ty = raw.type_info().name().to_owned();
            Ok(match ty.as_str() {
                "INT8" => row.try_get_unchecked::<i64, _>(i)?.to_string(),
                "INT4" => row.try_get_unchecked::<i32, _>(i)?.to_string(),
                "INT2" => row.try_get_unchecked::<i16, _>(i)?.to_string(),
                "BOOL" => row.try_get_unchecked::<bool, _>(i)?.to_string(),
                "FLOAT8" => format!("{:?}f", row.try_get_unchecked::<f64, _>(i)?),
                "FLOAT4" => format!("{:?}f", row.try_get_unchecked::<f32, _>(i)?),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "UNKNOWN" => {
                    format!("'{}'", row.try_get_unchecked::<String, _>(i)?)
                }
                _ => {
                    let bytes = raw.as_bytes().map_err(sqlx::Error::Decode)?;
                    format!("{ty}:{}", hex(bytes))
                }
            })
        })
        .collect()
}

/// Stringifies a MariaDB/MySQL row.
fn my_row(row: &MySqlRow) -> Result<TextRow, sqlx::Error> {
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok("NULL".to_owned());
            }
            let ty = raw.type_info().name().to_owned();
            Ok(if ty.contains("UNSIGNED") {
                row.try_get_unchecked::<u64, _>(i)?.to_string()
            } else if ty.contains("INT") || ty == "BOOLEAN" {
                row.try_get_unchecked::<i64, _>(i)?.to_string()
            } else if ty == "DOUBLE" {
                format!("{:?}f", row.try_get_unchecked::<f64, _>(i)?)
            } else if ty == "FLOAT" {
                format!("{:?}f", row.try_get_unchecked::<f32, _>(i)?)
            } else if ty == "DECIMAL" {
                row.try_get_unchecked::<String, _>(i)?
            } else {
                match row.try_get_unchecked::<String, _>(i) {
                    Ok(s) => format!("'{s}'"),
                    Err(_) => format!("{ty}:{}", hex(&row.try_get_unchecked::<Vec<u8>, _>(i)?)),
                }
            })
        })
        .collect()
}

/// Stringifies a SQLite row.
fn lite_row(row: &SqliteRow) -> Result<TextRow, sqlx::Error> {
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok("NULL".to_owned());
            }
            let ty = raw.type_info().name().to_owned();
            Ok(match ty.as_str() {
                "INTEGER" | "BIGINT" | "BOOLEAN" => row.try_get_unchecked::<i64, _>(i)?.to_string(),
                "REAL" => format!("{:?}f", row.try_get_unchecked::<f64, _>(i)?),
                "TEXT" => format!("'{}'", row.try_get_unchecked::<String, _>(i)?),
                _ => format!("{ty}:{}", hex(&row.try_get_unchecked::<Vec<u8>, _>(i)?)),
            })
        })
        .collect()
}

/// The schemas (PostgreSQL) or databases (MariaDB) a test created, and the connection that
/// drops them.
struct Namespaces {
    dialect: Dialect,
    admin: Option<Conn>,
    names: Vec<String>,
}

impl Namespaces {
    /// Connects the admin connection; `Ok(None)` when the server is unreachable outside CI.
    async fn connect(dialect: Dialect) -> Result<Option<Namespaces>, String> {
        let admin = match dialect {
            Dialect::Sqlite => None,
            Dialect::Postgres => {
                let url = postgres_url();
                match PgConnection::connect(&url).await {
                    Ok(c) => Some(Conn::Pg(c)),
                    Err(e) => {
                        support::unreachable("PostgreSQL", &url, &e);
                        return Ok(None);
                    }
                }
            }
            Dialect::MySql => {
                let url = mysql_url();
                match MySqlConnection::connect(&url).await {
                    Ok(c) => Some(Conn::My(c)),
                    Err(e) => {
                        support::unreachable("MariaDB", &url, &e);
                        return Ok(None);
                    }
                }
            }
        };
        Ok(Some(Namespaces {
            dialect,
            admin,
            names: vec![],
        }))
    }

    /// Creates the namespace `name` and returns a connection whose unqualified names
    /// resolve in it (for SQLite, a new in-memory database).
    async fn open(&mut self, name: &str) -> Result<Conn, String> {
        let (create, select) = match self.dialect {
            Dialect::Sqlite => {
                let c = SqliteConnection::connect("sqlite::memory:")
                    .await
                    .map_err(|e| e.to_string())?;
                return Ok(Conn::Lite(c));
            }
            Dialect::Postgres => (
                format!("CREATE SCHEMA {name}"),
                format!("SET search_path TO {name}"),
            ),
            Dialect::MySql => (format!("CREATE DATABASE {name}"), format!("USE {name}")),
        };
        let admin = self.admin.as_mut().expect("an admin connection");
        admin
            .batch(&create)
            .await
            .map_err(|e| format!("{create}: {e}"))?;
        self.names.push(name.to_owned());
        let mut conn = match self.dialect {
            Dialect::Postgres => Conn::Pg(
                PgConnection::connect(&postgres_url())
                    .await
                    .map_err(|e| e.to_string())?,
            ),
            _ => Conn::My(
                MySqlConnection::connect(&mysql_url())
                    .await
                    .map_err(|e| e.to_string())?,
            ),
        };
        conn.batch(&select)
            .await
            .map_err(|e| format!("{select}: {e}"))?;
        // A runaway statement (say, a recursive CTE that lost its tenant filter) fails
        // instead of hanging the test. Best effort: MySQL proper has no
        // `max_statement_time`, and the tests still work without a limit.
        let timeout = match self.dialect {
            Dialect::Postgres => "SET statement_timeout = '30s'",
            _ => "SET SESSION max_statement_time = 30",
        };
        let _ = conn.batch(timeout).await;
        Ok(conn)
    }

    /// Drops every namespace created so far.
    async fn drop_all(&mut self) -> Result<(), String> {
        let mut result = Ok(());
        for name in std::mem::take(&mut self.names) {
            let sql = match self.dialect {
                Dialect::Postgres => format!("DROP SCHEMA {name} CASCADE"),
                _ => format!("DROP DATABASE {name}"),
            };
            let admin = self.admin.as_mut().expect("an admin connection");
            if let Err(e) = admin.batch(&sql).await {
                result = Err(format!("{sql}: {e}"));
            }
        }
        result
    }
}

/// The full database and one copy per tenant, filled with the fixture.
pub struct Env {
    /// The dialect under test.
    pub dialect: Dialect,
    /// The fixture's manifest for that dialect.
    pub manifest: Manifest,
    /// The fixture tables.
    pub tables: Vec<Table>,
    /// Every tenant's rows.
    pub full: Conn,
    /// Per tenant in [`TENANTS`]: scoped tables hold only that tenant's rows, global tables
    /// are complete.
    pub copies: Vec<(i64, Conn)>,
    namespaces: Namespaces,
}

impl Env {
    /// Connects and builds the environment for `dialect`. `Ok(None)` means the database is
    /// unreachable outside CI and the test is skipped (under CI it panics instead).
    pub async fn new(dialect: Dialect) -> Result<Option<Env>, String> {
        let manifest = Manifest::from_toml_str(&manifest_toml(dialect), "fixture manifest")
            .map_err(|e| e.to_string())?;
        let Some(mut namespaces) = Namespaces::connect(dialect).await? else {
            return Ok(None);
        };
        let tables = tables();
        match fill(&mut namespaces, dialect, &tables).await {
            Ok((full, copies)) => Ok(Some(Env {
                dialect,
                manifest,
                tables,
                full,
                copies,
                namespaces,
            })),
            Err(e) => {
                let _ = namespaces.drop_all().await;
                Err(e)
            }
        }
    }

    /// Drops the schemas or databases this environment created.
    pub async fn teardown(mut self) -> Result<(), String> {
        self.namespaces.drop_all().await
    }

    /// The copy holding only `tenant`'s rows.
    pub fn copy(&mut self, tenant: i64) -> &mut Conn {
        copy_of(&mut self.copies, tenant)
    }

    /// A new copy holding the rows of every tenant of `tenants` (and the shared rows of the
    /// `tenant_or_global` tables; global tables complete): the oracle of a tenant set. It is
    /// dropped with the environment.
    pub async fn set_copy(&mut self, tenants: &[i64]) -> Result<Conn, String> {
        let ids: Vec<String> = tenants.iter().map(i64::to_string).collect();
        let name = support::unique_name(&format!("tq_{}_set_{}", self.dialect, ids.join("_")));
        let mut conn = self.namespaces.open(&name).await?;
        for table in &self.tables {
            let create = table.create_sql(self.dialect, None);
            conn.batch(&create)
                .await
                .map_err(|e| format!("{create}: {e}"))?;
            if let Some(insert) = table.insert_sql(&table.rows_for_set(tenants)) {
                conn.batch(&insert)
                    .await
                    .map_err(|e| format!("{insert}: {e}"))?;
            }
        }
        Ok(conn)
    }

    /// Every table's rows, sorted, in fixture order.
    pub async fn snapshot(conn: &mut Conn, tables: &[Table]) -> Result<Vec<Vec<TextRow>>, String> {
        let mut out = Vec::new();
        for table in tables {
            let sql = format!("SELECT * FROM {}", table.name);
            let mut rows = conn
                .fetch(&sql, &[])
                .await
                .map_err(|e| format!("{sql}: {e}"))?;
            rows.sort();
            out.push(rows);
        }
        Ok(out)
    }
}

/// The copy in `copies` holding only `tenant`'s rows.
pub fn copy_of(copies: &mut [(i64, Conn)], tenant: i64) -> &mut Conn {
    &mut copies
        .iter_mut()
        .find(|(t, _)| *t == tenant)
        .expect("a copy per tenant")
        .1
}

/// Creates the full database and the tenant copies and fills them with the fixture.
async fn fill(
    namespaces: &mut Namespaces,
    dialect: Dialect,
    tables: &[Table],
) -> Result<(Conn, Vec<(i64, Conn)>), String> {
    let prefix = support::unique_name(&format!("tq_{dialect}"));
    let mut full = None;
    let mut copies = Vec::new();
    let targets = std::iter::once(None).chain(TENANTS.iter().copied().map(Some));
    for tenant in targets {
        let name = match tenant {
            None => format!("{prefix}_full"),
            Some(t) => format!("{prefix}_t{t}"),
        };
        let mut conn = namespaces.open(&name).await?;
        for table in tables {
            let create = table.create_sql(dialect, tenant);
            conn.batch(&create)
                .await
                .map_err(|e| format!("{create}: {e}"))?;
            let rows = match tenant {
                None => table.rows.clone(),
                Some(t) => table.rows_for(t),
            };
            if let Some(insert) = table.insert_sql(&rows) {
                conn.batch(&insert)
                    .await
                    .map_err(|e| format!("{insert}: {e}"))?;
            }
        }
        match tenant {
            None => full = Some(conn),
            Some(t) => copies.push((t, conn)),
        }
    }
    Ok((full.expect("the full database"), copies))
}
