//! `tenant-query init`: a `tenant-schema.toml` from a live database.
//!
//! Every table and view is declared, tenant-scoped when it has the tenant column and global
//! otherwise, with its columns and a comment saying why, and each scoped table with its unique
//! keys (`unique`, primary key included); what needs a human decision is marked `# REVIEW:` in
//! the file and printed as a warning.

pub(crate) mod render;

use std::io;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use tenant_query_core::Manifest;

use crate::args::Format;
use crate::introspect;
use crate::report::{Failure, Streams};

use self::render::{Decision, TenantColumns};

/// The arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The database to read: postgres://…, mysql://… (or mariadb://…), sqlite:PATH.
    #[arg(long, value_name = "URL")]
    pub database_url: String,
    /// The tenant column, `NAME` for every table [default: tenant_id] or `TABLE=COLUMN` for
    /// one table. Repeat it for several tables.
    #[arg(long, value_name = "NAME|TABLE=COLUMN")]
    pub tenant_column: Vec<String>,
    /// A PostgreSQL schema or MySQL database to read [default: public, or the URL's
    /// database]. Repeat it for several; names outside the default are written `schema.table`.
    #[arg(long, value_name = "NAME")]
    pub schema: Vec<String>,
    /// Where to write the manifest.
    #[arg(long, value_name = "PATH", default_value = "tenant-schema.toml")]
    pub out: PathBuf,
    /// Overwrite the file at `--out` if there is one.
    #[arg(long)]
    pub force: bool,
}

/// The result of `init`.
#[derive(Debug, Serialize)]
pub struct InitReport {
    /// The file written.
    pub path: String,
    /// `postgres`, `mysql` or `sqlite`.
    pub dialect: String,
    /// Every table and view, with its scope, the reason, and what needs review.
    pub tables: Vec<Decision>,
    /// Problems with the arguments that did not stop the run.
    pub warnings: Vec<String>,
}

/// Runs `init`: reads the database, writes the manifest, checks that it validates.
pub fn run(args: InitArgs) -> Result<InitReport, Failure> {
    let columns = tenant_columns(&args.tenant_column)?;
    if args.out.exists() && !args.force {
        return Err(Failure::Input(format!(
            "`{}` already exists; nothing was written\n  help: pass `--force` to overwrite it, \
             or `--out` to write elsewhere",
            args.out.display()
        )));
    }
    let schema = introspect::read(&args.database_url, &args.schema, &[])?;
    if schema.relations.is_empty() {
        return Err(Failure::Database(format!(
            "{} has no tables or views in {}; nothing was written\n  help: create the schema \
             first, or name the schemas (databases) that hold it with `--schema`",
            introspect::redact(&args.database_url),
            schema_names(&args.schema, schema.default_schema.as_deref())
        )));
    }
    let rendered = render::render(&schema, &columns);
    let origin = args.out.display().to_string();
    Manifest::from_toml_str(&rendered.toml, &origin).map_err(|e| {
        Failure::Input(format!(
            "the manifest for this database does not validate, so it was not written:\n{e}\n  \
             help: a name the manifest cannot hold (with a `.`, say) needs a hand-written entry"
        ))
    })?;
    std::fs::write(&args.out, &rendered.toml)
        .map_err(|e| Failure::Input(format!("cannot write `{origin}`: {e}")))?;
    Ok(InitReport {
        path: origin,
        dialect: schema.dialect.to_string(),
        warnings: unmatched_overrides(&columns, &rendered.decisions),
        tables: rendered.decisions,
    })
}

/// `--tenant-column` values: at most one `NAME`, any number of `TABLE=COLUMN`.
fn tenant_columns(values: &[String]) -> Result<TenantColumns, Failure> {
    let mut default = None;
    let mut overrides = Vec::new();
    for value in values {
        let bad = |why: &str| {
            Failure::Input(format!(
                "--tenant-column `{value}`: {why}\n  help: write `--tenant-column NAME` once for \
                 every table, `--tenant-column TABLE=COLUMN` for one table"
            ))
        };
        match value.split_once('=') {
            Some((table, column)) if table.is_empty() || column.is_empty() => {
                return Err(bad("the table and the column must both be named"))
            }
            Some((table, column)) => overrides.push((table.to_owned(), column.to_owned())),
            None if value.is_empty() => return Err(bad("the column must be named")),
            None if default.is_some() => return Err(bad("a second default tenant column")),
            None => default = Some(value.clone()),
        }
    }
    Ok(TenantColumns {
        default: default.unwrap_or_else(|| "tenant_id".to_owned()),
        overrides,
    })
}

/// Warnings for `--tenant-column TABLE=COLUMN` that name no table.
fn unmatched_overrides(columns: &TenantColumns, decisions: &[Decision]) -> Vec<String> {
    columns
        .overrides
        .iter()
        .filter(|(table, _)| {
            !decisions
                .iter()
                .any(|d| d.table == *table || d.table.rsplit('.').next() == Some(table.as_str()))
        })
        .map(|(table, column)| {
            format!("--tenant-column {table}={column}: there is no table `{table}`")
        })
        .collect()
}

fn schema_names(given: &[String], default: Option<&str>) -> String {
    match (given, default) {
        ([], Some(name)) => format!("`{name}`"),
        ([], None) => "the database".to_owned(),
        (names, _) => names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

impl InitReport {
    /// Prints the report in `format`: in text, one line per table on standard output and the
    /// review notes as warnings on standard error.
    pub fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        if format == Format::Json {
            serde_json::to_writer_pretty(&mut *streams.out, self)?;
            return writeln!(streams.out);
        }
        let tenant = self.tables.iter().filter(|t| t.scope == "tenant").count();
        writeln!(
            streams.out,
            "wrote {}: {} tables and views from {} ({tenant} tenant, {} global)",
            self.path,
            self.tables.len(),
            self.dialect,
            self.tables.len() - tenant
        )?;
        for table in &self.tables {
            writeln!(
                streams.out,
                "  {:<6}  {}: {}",
                table.scope, table.table, table.why
            )?;
        }
        for warning in &self.warnings {
            writeln!(streams.err, "warning: {warning}")?;
        }
        for table in &self.tables {
            for note in &table.review {
                writeln!(streams.err, "warning: {}: {note}", table.table)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_columns_take_one_default_and_many_overrides() {
        let Ok(columns) = tenant_columns(&["org_id".into(), "users=owner_org".into()]) else {
            panic!("a default and an override were rejected");
        };
        assert_eq!(columns.default, "org_id");
        assert_eq!(
            columns.overrides,
            vec![("users".into(), "owner_org".into())]
        );
        assert!(tenant_columns(&[]).is_ok_and(|c| c.default == "tenant_id"));
        for bad in [&["a", "b"][..], &["=x"], &["t="], &[""]] {
            let values: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
            let Err(failure) = tenant_columns(&values) else {
                panic!("{bad:?} was accepted");
            };
            assert_eq!(failure.exit_status(), 2);
        }
    }
}
