//! `tenant-query check`: the manifest compared with the live database.
//!
//! It reports drift (declared tables and columns that do not exist, tables with the tenant
//! column that are global or undeclared, `columns` lists that miss columns), schema leaks
//! (nullable tenant columns, keys and foreign keys without the tenant column, a tenant column
//! of the wrong type), declared unique keys that the database lacks, missing tenant indexes,
//! and row-level security that the connecting role bypasses. Each finding has a stable code
//! (see [`drift::KINDS`]).

mod drift;

use std::io;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::args::Format;
use crate::commands::load_manifest;
use crate::introspect;
use crate::report::{Failure, Streams};

pub use self::drift::Finding;

/// The arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The tenant-schema.toml to check [default: found from the current directory].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// The database to compare with: postgres://…, mysql://… (or mariadb://…), sqlite:PATH.
    #[arg(long, value_name = "URL")]
    pub database_url: String,
    /// A PostgreSQL schema or MySQL database to read besides those the manifest names
    /// [default: public, or the URL's database].
    #[arg(long, value_name = "NAME")]
    pub schema: Vec<String>,
    /// Accept a finding: `CODE` (or its name) everywhere, or `CODE:TABLE` for one table.
    /// Repeat it for several.
    #[arg(long, value_name = "CODE[:TABLE]")]
    pub allow: Vec<String>,
}

/// The result of `check`.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// The manifest checked.
    pub manifest: String,
    /// The database, with its password hidden.
    pub database: String,
    /// The findings that were not allowed.
    pub findings: Vec<Finding>,
    /// The findings that `--allow` accepted.
    pub allowed: Vec<Finding>,
}

/// Runs `check`.
pub fn run(args: CheckArgs) -> Result<CheckReport, Failure> {
    let allow = allowances(&args.allow)?;
    let (path, manifest) = load_manifest(args.manifest)?;
    let named: Vec<String> = manifest
        .tables()
        .iter()
        .filter_map(|t| t.name.split_once('.').map(|(schema, _)| schema.to_owned()))
        .collect();
    let schema = introspect::read(&args.database_url, &args.schema, &named)?;
    if schema.dialect != manifest.dialect() {
        return Err(Failure::Input(format!(
            "the manifest `{}` is for {} but the URL is a {} database\n  help: pass the URL of \
             the database the manifest describes",
            path.display(),
            manifest.dialect(),
            schema.dialect
        )));
    }
    let (allowed, findings) = drift::findings(&manifest, &schema)
        .into_iter()
        .partition(|f| allow.iter().any(|a| a.covers(f)));
    Ok(CheckReport {
        manifest: path.display().to_string(),
        database: introspect::redact(&args.database_url),
        findings,
        allowed,
    })
}

/// One `--allow`: a code and, optionally, the one table it applies to.
struct Allowance {
    code: &'static str,
    table: Option<String>,
}

impl Allowance {
    fn covers(&self, finding: &Finding) -> bool {
        finding.code == self.code && self.table.as_ref().is_none_or(|t| *t == finding.table)
    }
}

fn allowances(values: &[String]) -> Result<Vec<Allowance>, Failure> {
    values
        .iter()
        .map(|value| {
            let (code, table) = match value.split_once(':') {
                Some((code, table)) => (code, Some(table.to_owned())),
                None => (value.as_str(), None),
            };
            let known = drift::KINDS
                .iter()
                .find(|(c, k)| c.eq_ignore_ascii_case(code) || *k == code);
            match known {
                Some((code, _)) => Ok(Allowance { code, table }),
                None => Err(Failure::Input(format!(
                    "--allow `{value}`: unknown finding `{code}`; the codes are {}",
                    drift::KINDS
                        .iter()
                        .map(|(c, k)| format!("{c} ({k})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        })
        .collect()
}

impl CheckReport {
    /// 1 when there are findings that were not allowed.
    pub fn exit_status(&self) -> u8 {
        u8::from(!self.findings.is_empty())
    }

    /// Prints the report in `format`: in text, each finding on standard output with why it
    /// matters and its fix, then a summary line.
    pub fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        if format == Format::Json {
            serde_json::to_writer_pretty(&mut *streams.out, self)?;
            return writeln!(streams.out);
        }
        let out = streams.out;
        for f in &self.findings {
            writeln!(
                out,
                "error[{}] {}: {}: {}",
                f.code, f.kind, f.table, f.message
            )?;
            writeln!(out, "  why: {}\n  fix: {}", f.why, f.fix)?;
        }
        let allowed = match self.allowed.len() {
            0 => String::new(),
            n => format!(" ({n} allowed)"),
        };
        let count = match self.findings.len() {
            0 => "no findings".to_owned(),
            1 => "1 finding".to_owned(),
            n => format!("{n} findings"),
        };
        writeln!(
            out,
            "{}: {count} against {}{allowed}",
            self.manifest, self.database
        )
    }
}
