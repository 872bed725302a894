//! `tenant-query audit`: the inventory of every path around the tenant scoping.
//!
//! It lists each `unscoped_query*!` call (with its reason and the tables it touches), each
//! `tenant_query*!` call and each direct sqlx query function or macro, and with `--baseline`
//! fails when the unscoped and raw calls outgrow the committed inventory.

mod baseline;
mod output;
mod scan;
mod tables;
mod walk;

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use tenant_query_core::{find_manifest, DiscoveryError, Manifest, MANIFEST_ENV_VAR};

use crate::commands::load_manifest;
use crate::report::Failure;

use self::baseline::Baseline;
use self::scan::CallKind;
use self::tables::TableRef;

/// The arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Files and directories to scan [default: the current directory]. `target/` and hidden
    /// directories are skipped.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The tenant-schema.toml that resolves the tables [default: found from the current
    /// directory; without one, tables are not resolved].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// The committed inventory of unscoped and raw calls: exit 1 when there are calls beyond it.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current inventory to the `--baseline` file instead of comparing with it.
    #[arg(long, requires = "baseline")]
    pub write_baseline: bool,
}

/// One call of the inventory.
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    /// `unscoped`, `raw` or `scoped`.
    pub kind: CallKind,
    /// The file, `/`-separated, as reached from the paths given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// `unscoped_query!`, `sqlx::query_as`, …
    pub name: String,
    /// The reason of an unscoped call.
    pub reason: Option<String>,
    /// The SQL literal or string constant; `null` when the SQL is built at run time.
    pub sql: Option<String>,
    /// The declared tables the SQL names; `null` without a manifest or a parsable literal.
    pub tables: Option<Vec<TableRef>>,
    /// Why `unscoped_query!` would reject this SQL (unscoped and raw calls, with a manifest).
    pub problem: Option<String>,
}

/// A source file the audit could not read or parse; it was skipped.
#[derive(Debug, Clone, Serialize)]
pub struct Unparsed {
    /// The file.
    pub file: String,
    /// 1-based line of the error, when known.
    pub line: Option<usize>,
    /// 1-based column of the error, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// The verdict of `--baseline`.
#[derive(Debug, Serialize)]
pub struct BaselineVerdict {
    /// The baseline file.
    pub path: String,
    /// Whether this run wrote it (`--write-baseline`).
    pub written: bool,
    /// The unscoped and raw calls beyond the baseline.
    pub new: Vec<Call>,
    /// How many baseline entries no call matches any more.
    pub gone: usize,
}

/// The result of `audit`.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// The manifest that resolved the tables, or `null`.
    pub manifest: Option<String>,
    /// How many files were scanned.
    pub files: usize,
    /// Every call found, by file, line and column.
    pub calls: Vec<Call>,
    /// The files that were skipped.
    pub unparsed: Vec<Unparsed>,
    /// The `--baseline` verdict, or `null`.
    pub baseline: Option<BaselineVerdict>,
}

impl AuditReport {
    /// 1 when calls outgrew the baseline, else 0.
    pub fn exit_status(&self) -> u8 {
        match &self.baseline {
            Some(verdict) if !verdict.new.is_empty() => 1,
            _ => 0,
        }
    }
}

/// Runs `audit`.
pub fn run(args: AuditArgs) -> Result<AuditReport, Failure> {
    let manifest = audit_manifest(args.manifest)?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let files = walk::rust_files(&paths)?;
    let mut calls = Vec::new();
    let mut unparsed = Vec::new();
    for path in &files {
        scan_file(path, manifest.as_ref(), &mut calls, &mut unparsed);
    }
    let baseline = match &args.baseline {
        None => None,
        Some(path) => Some(compare(path, args.write_baseline, &calls)?),
    };
    Ok(AuditReport {
        manifest: manifest.map(|m| m.origin().to_owned()),
        files: files.len(),
        calls,
        unparsed,
        baseline,
    })
}

/// The manifest given, else the one found from the current directory, else none.
fn audit_manifest(given: Option<PathBuf>) -> Result<Option<Manifest>, Failure> {
    if given.is_some() {
        return load_manifest(given).map(|(_, m)| Some(m));
    }
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(None);
    };
    let env_override = std::env::var_os(MANIFEST_ENV_VAR);
    match find_manifest(env_override.as_deref(), &cwd) {
        Ok(path) => load_manifest(Some(path)).map(|(_, m)| Some(m)),
        Err(DiscoveryError::NotFound { .. }) => Ok(None),
        Err(e) => Err(Failure::ManifestNotFound(e.to_string())),
    }
}

/// Adds the calls of the file at `path` to `calls`, or the reason it was skipped to `unparsed`.
fn scan_file(
    path: &std::path::Path,
    manifest: Option<&Manifest>,
    calls: &mut Vec<Call>,
    unparsed: &mut Vec<Unparsed>,
) {
    let file = walk::shown(path);
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(e) => {
            let message = format!("cannot read: {e}");
            unparsed.push(Unparsed {
                file,
                line: None,
                column: None,
                message,
            });
            return;
        }
    };
    match scan::scan(&source) {
        Ok(found) => calls.extend(found.into_iter().map(|c| resolve(&file, c, manifest))),
        Err(failure) => unparsed.push(Unparsed {
            file,
            line: Some(failure.line),
            column: Some(failure.column),
            message: failure.message,
        }),
    }
}

/// A found call, with what the manifest makes of its SQL.
fn resolve(file: &str, found: scan::FoundCall, manifest: Option<&Manifest>) -> Call {
    let resolved = manifest.zip(found.sql.as_deref());
    let tables = resolved.and_then(|(m, sql)| tables::tables(m, sql));
    let problem = match found.kind {
        CallKind::Scoped => None,
        CallKind::Unscoped | CallKind::Raw => resolved.and_then(|(m, sql)| tables::problem(m, sql)),
    };
    Call {
        kind: found.kind,
        file: file.to_owned(),
        line: found.line,
        column: found.column,
        name: found.name,
        reason: found.reason,
        sql: found.sql,
        tables,
        problem,
    }
}

/// Writes the baseline, or compares the calls with it.
fn compare(
    path: &std::path::Path,
    write: bool,
    calls: &[Call],
) -> Result<BaselineVerdict, Failure> {
    let shown = path.display().to_string();
    if write {
        Baseline::of(calls).write(path)?;
        return Ok(BaselineVerdict {
            path: shown,
            written: true,
            new: Vec::new(),
            gone: 0,
        });
    }
    let (new, gone) = Baseline::read(path)?.compare(calls);
    Ok(BaselineVerdict {
        path: shown,
        written: false,
        new: new.into_iter().map(|i| calls[i].clone()).collect(),
        gone,
    })
}
