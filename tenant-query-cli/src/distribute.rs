//! `tenant-query distribute`: the Citus DDL that shards the manifest's tables by tenant.
//!
//! Every tenant-scoped table is distributed on its tenant column, all in one co-location
//! group (the first scoped table's), so that a statement the macros rewrote, which filters
//! every scoped table it touches on `tenant = $n`, runs on the one worker that holds the
//! tenant (Citus's router executor). Global tables become reference tables, copied to every
//! worker, so that joins with them stay local too.

use std::io;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use tenant_query_core::Dialect;

use crate::args::Format;
use crate::commands::load_manifest;
use crate::pg_name::{literal, table};
use crate::report::{Failure, Streams};
use crate::rls::sql::scoped_tables;

/// The arguments of `distribute`.
#[derive(Debug, Args)]
pub struct DistributeArgs {
    /// The tenant-schema.toml to read [default: found from the current directory].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
}

/// The Citus statements, in the order they run.
#[derive(Debug, Serialize)]
pub struct DistributeReport {
    /// `create_reference_table` for the global tables, then `create_distributed_table` for the
    /// scoped ones.
    pub statements: Vec<String>,
}

/// Runs `distribute`: the statements for the manifest's tables.
pub fn run(args: DistributeArgs) -> Result<DistributeReport, Failure> {
    let (path, manifest) = load_manifest(args.manifest)?;
    if manifest.dialect() != Dialect::Postgres {
        return Err(Failure::Input(format!(
            "`{}` is a {} manifest; Citus distributes PostgreSQL tables",
            path.display(),
            manifest.dialect()
        )));
    }
    let mut statements: Vec<String> = manifest
        .tables()
        .iter()
        // A tenant_or_global table's shared rows have no tenant to place them by: every node
        // gets the whole table, which Citus joins with any shard.
        .filter(|t| !t.is_scoped() || t.shares_null_tenant_rows())
        .map(|t| {
            format!(
                "SELECT create_reference_table({});",
                literal(&table(&t.name))
            )
        })
        .collect();
    let mut scoped = scoped_tables(&manifest);
    scoped.retain(|t| !t.shared);
    let group = scoped.first().map(|t| literal(&table(t.name)));
    for (i, t) in scoped.iter().enumerate() {
        let colocate = match (&group, i) {
            (Some(first), 1..) => first.clone(),
            _ => literal("none"),
        };
        statements.push(format!(
            "SELECT create_distributed_table({}, {}, colocate_with => {colocate});",
            literal(&table(t.name)),
            literal(t.column),
        ));
    }
    Ok(DistributeReport { statements })
}

impl DistributeReport {
    /// Prints the statements: as a SQL script in text, as `{"statements": […]}` in JSON.
    pub fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        if format == Format::Json {
            serde_json::to_writer_pretty(&mut *streams.out, self)?;
            return writeln!(streams.out);
        }
        writeln!(
            streams.out,
            "\
-- Citus: shard the tenant-scoped tables by tenant, all co-located, and copy the global
-- tables to every worker, written by `tenant-query distribute`. Run it on the coordinator
-- once the tables exist. Global tables come first, so that foreign keys to them hold; a
-- foreign key between two scoped tables needs the referenced table distributed first.
-- Co-located tables need tenant columns of the same type."
        )?;
        for statement in &self.statements {
            writeln!(streams.out, "{statement}")?;
        }
        Ok(())
    }
}
