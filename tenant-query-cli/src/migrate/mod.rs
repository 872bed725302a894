//! `tenant-query migrate`: reversible sqlx migrations that retrofit multi-tenancy onto a live
//! single-tenant schema.
//!
//! From the tables that the manifest declares `scope = "tenant"`, four migrations are written,
//! each as `NNNN_name.up.sql` and `NNNN_name.down.sql`, numbered after the highest version
//! already in `--out`:
//!
//! 1. `tenant_registry`: the registry table and the default tenant;
//! 2. `tenant_columns`: the tenant column of each table, nullable (no row is rewritten);
//! 3. `tenant_backfill`: every row stamped with the default tenant, in batches over the
//!    primary key (keyset pagination);
//! 4. `tenant_keys`: the column made `NOT NULL`, the primary key, unique keys and foreign keys
//!    between scoped tables rebuilt with the tenant column first, and a foreign key to the
//!    registry.
//!
//! What cannot be done safely is refused before anything is written (exit 2).

mod catalogue;
mod mysql;
mod plan;
mod postgres;
mod render;
mod sqlite;

use std::io;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use tenant_query_core::Dialect;

use crate::args::Format;
use crate::commands::load_manifest;
use crate::introspect;
use crate::outcome::Outcome;
use crate::report::{Failure, Streams};

use self::catalogue::Extra;
use self::plan::{refuse, Options, Plan};
pub use self::render::Migration;

/// The arguments of `migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The single-tenant database to read: postgres://…, mysql://… (or mariadb://…),
    /// sqlite:PATH.
    #[arg(long, value_name = "URL")]
    pub database_url: String,
    /// The tenant-schema.toml whose `scope = "tenant"` tables become scoped [default: found
    /// from the current directory].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// The tenant column of the tables that use the manifest's default one [default: the
    /// manifest's]; set the manifest's `tenant_column` to the same name for `check`.
    #[arg(long, value_name = "NAME")]
    pub tenant_column: Option<String>,
    /// The tenant registry table to create.
    #[arg(long, value_name = "TABLE", default_value = "tenants")]
    pub registry: String,
    /// The name of the tenant that owns every existing row. Its id is 1 (`i64`, `i32`),
    /// 00000000-0000-0000-0000-000000000001 (`uuid`) or the name itself (`string`).
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub default_tenant: String,
    /// The rows stamped per statement of the backfill.
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_size: u64,
    /// The directory of the migrations (created if missing); the new ones are numbered after
    /// the highest version already there.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// The result of `migrate`.
#[derive(Debug, Serialize)]
pub struct MigrateReport {
    /// The files written, in order.
    pub files: Vec<String>,
    /// The tables that become scoped, in migration order.
    pub tables: Vec<String>,
}

/// Runs `migrate`: reads the database, plans, writes the files.
pub fn run(args: MigrateArgs) -> Result<MigrateReport, Failure> {
    let (_, manifest) = load_manifest(args.manifest.clone())?;
    let named: Vec<String> = manifest
        .tables()
        .iter()
        .filter_map(|t| t.name.split_once('.').map(|(schema, _)| schema.to_owned()))
        .collect();
    let schema = introspect::read(&args.database_url, &[], &named)?;
    if schema.dialect != manifest.dialect() {
        return Err(Failure::Input(format!(
            "the manifest is for {} but the URL is a {} database",
            manifest.dialect(),
            schema.dialect
        )));
    }
    let options = Options {
        registry: args.registry.clone(),
        default_name: args.default_tenant.clone(),
        batch_size: args.batch_size,
        tenant_column: args.tenant_column.clone(),
    };
    let plan = plan::plan(&manifest, &schema, options)?;
    let extras = catalogue::read(&args.database_url, &plan)?;
    refuse_unsafe(&plan, &extras)?;
    let migrations = render::migrations(&plan, &extras);
    let files = write(&args.out, &migrations)?;
    Ok(MigrateReport {
        files,
        tables: plan.tables.iter().map(|t| t.name.clone()).collect(),
    })
}

/// Refuses what the catalogue shows cannot be rebuilt faithfully.
fn refuse_unsafe(plan: &Plan, extras: &[Extra]) -> Result<(), Failure> {
    for (table, extra) in plan.tables.iter().zip(extras) {
        refuse_outside_references(plan, table, extra)?;
        for fk in &table.foreign_keys {
            let definition = extra
                .definitions
                .get(&fk.key.name)
                .map(|d| d.to_uppercase());
            if definition.is_some_and(|d| d.contains("SET NULL") || d.contains("SET DEFAULT")) {
                return Err(refuse(
                    &format!(
                        "the foreign key `{}` of `{}` sets its columns to NULL or the default on \
                         delete or update; with the tenant column in the key it would clear that too",
                        fk.key.name, table.name
                    ),
                    "change its action to CASCADE, RESTRICT or NO ACTION first",
                ));
            }
        }
        if plan.dialect == Dialect::Postgres {
            refuse_partial_indexes(table, extra)?;
        }
        if plan.dialect == Dialect::Sqlite {
            refuse_sqlite_table(&table.name, extra)?;
        }
    }
    Ok(())
}

/// A foreign key from a table that stays unscoped, in any schema, would lose the key it
/// references.
fn refuse_outside_references(
    plan: &Plan,
    table: &plan::TablePlan,
    extra: &Extra,
) -> Result<(), Failure> {
    let planned = |schema: &str, name: &str| {
        plan.tables
            .iter()
            .any(|t| t.relation.schema.as_deref() == Some(schema) && t.relation.name == name)
    };
    match extra.referenced_by.iter().find(|(s, n, _)| !planned(s, n)) {
        Some((schema, name, key)) => Err(refuse(
            &format!(
                "`{schema}.{name}`, which stays unscoped, references `{}` with the foreign key \
                 `{key}`; the key of `{}` becomes composite",
                table.name, table.name
            ),
            &format!("declare `{schema}.{name}` with `scope = \"tenant\"` too, or drop that foreign key first"),
        )),
        None => Ok(()),
    }
}

fn refuse_partial_indexes(table: &plan::TablePlan, extra: &Extra) -> Result<(), Failure> {
    for (name, definition) in &extra.indexes {
        if definition.as_deref().is_some_and(|d| d.contains(" WHERE ")) {
            return Err(refuse(
                &format!("the unique index `{name}` of `{}` is partial", table.name),
                "rebuild it with the tenant column by hand, then retrofit",
            ));
        }
    }
    Ok(())
}

/// SQLite's rebuild writes each column from the catalogue: what it cannot carry over is
/// refused.
fn refuse_sqlite_table(name: &str, extra: &Extra) -> Result<(), Failure> {
    let create = extra.create.as_deref().unwrap_or_default().to_uppercase();
    let words: Vec<&str> = create
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let unsupported = [
        "CHECK",
        "COLLATE",
        "AUTOINCREMENT",
        "GENERATED",
        "WITHOUT",
        "STRICT",
    ];
    if let Some(word) = unsupported.iter().find(|w| words.contains(w)) {
        return Err(refuse(
            &format!(
                "the SQLite table `{name}` uses {word}, which the rebuild does not carry over"
            ),
            "rebuild that table with the tenant column by hand, then retrofit",
        ));
    }
    if !create.contains('(') {
        return Err(refuse(
            &format!("cannot read the CREATE TABLE statement of `{name}`"),
            "rebuild that table with the tenant column by hand",
        ));
    }
    for (index, statement) in &extra.indexes {
        if statement
            .as_deref()
            .is_some_and(|s| s.to_uppercase().contains(" WHERE "))
        {
            return Err(refuse(
                &format!("the index `{index}` of `{name}` is partial"),
                "rebuild it by hand, then retrofit",
            ));
        }
    }
    Ok(())
}

/// Writes each migration's two files into `dir`, numbered after the highest version there.
fn write(dir: &Path, migrations: &[Migration]) -> Result<Vec<String>, Failure> {
    let error = |e: io::Error| Failure::Input(format!("cannot write to `{}`: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(error)?;
    if let Some(existing) = existing_retrofit(dir).map_err(error)? {
        return Err(refuse(
            &format!("`{}` already holds `{existing}`", dir.display()),
            "the retrofit is written once; delete those files to write it again",
        ));
    }
    let mut version = highest_version(dir).map_err(error)?;
    let mut files = Vec::new();
    for migration in migrations {
        version += 1;
        for (direction, sql) in [("up", &migration.up), ("down", &migration.down)] {
            let path = dir.join(format!("{version:04}_{}.{direction}.sql", migration.name));
            std::fs::write(&path, sql).map_err(error)?;
            files.push(path.display().to_string());
        }
    }
    Ok(files)
}

/// A file of an earlier `migrate` run in `dir`, if there is one.
fn existing_retrofit(dir: &Path) -> io::Result<Option<String>> {
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with("_tenant_registry.up.sql") {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// The highest version of the migrations in `dir`, 0 when there are none.
fn highest_version(dir: &Path) -> io::Result<i64> {
    let mut highest = 0;
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
        if name.ends_with(".sql") {
            highest = highest.max(digits.parse().unwrap_or(0));
        }
    }
    Ok(highest)
}

impl Outcome for MigrateReport {
    fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        if format == Format::Json {
            serde_json::to_writer_pretty(&mut *streams.out, self)?;
            return writeln!(streams.out);
        }
        for file in &self.files {
            writeln!(streams.out, "wrote {file}")?;
        }
        let count = match self.tables.len() {
            1 => "1 table becomes".to_owned(),
            n => format!("{n} tables become"),
        };
        writeln!(
            streams.out,
            "{count} tenant-scoped: {}\nrun the migrations (sqlx migrate run), then \
             `tenant-query check`",
            self.tables.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_migrations_are_numbered_after_the_existing_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("20240101000000_init.up.sql"), "").unwrap();
        std::fs::write(dir.path().join("README"), "").unwrap();
        let migration = Migration {
            name: "tenant_registry",
            up: "SELECT 1;\n".to_owned(),
            down: String::new(),
        };
        let Ok(files) = write(dir.path(), &[migration]) else {
            panic!("the files were not written");
        };
        assert!(
            files[0].ends_with("20240101000001_tenant_registry.up.sql"),
            "{files:?}"
        );
        assert!(
            files[1].ends_with("20240101000001_tenant_registry.down.sql"),
            "{files:?}"
        );
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(highest_version(empty.path()).unwrap(), 0);
        let again = Migration {
            name: "tenant_registry",
            up: String::new(),
            down: String::new(),
        };
        let Err(refused) = write(dir.path(), &[again]) else {
            panic!("the retrofit was written twice");
        };
        assert_eq!(refused.exit_status(), 2);
    }
}
