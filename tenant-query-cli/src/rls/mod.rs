//! `tenant-query rls`: PostgreSQL row-level security for the manifest's tenant-scoped tables,
//! as a reversible sqlx migration (`<version>_tenant_rls.up.sql` and `.down.sql`).
//!
//! The SQL itself is in [`sql`]; this module picks the files and reports what it wrote.

pub(crate) mod sql;

use std::io;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use tenant_query_core::Dialect;

use crate::args::Format;
use crate::commands::load_manifest;
use crate::report::{Failure, Streams};

/// The arguments of `rls`.
#[derive(Debug, Args)]
pub struct RlsArgs {
    /// The tenant-schema.toml to read [default: found from the current directory].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// The application role the migration creates (NOLOGIN, NOBYPASSRLS) and grants to.
    #[arg(long, value_name = "NAME", default_value = "tenant_app")]
    pub role: String,
    /// A directory, where `<version>_tenant_rls.up.sql` and `.down.sql` are written with a UTC
    /// timestamp as the version (as `sqlx migrate add -r` names them), or the up file itself,
    /// named `….up.sql`, next to which the down file is written.
    #[arg(long, value_name = "DIR|FILE", default_value = "migrations")]
    pub out: PathBuf,
    /// Overwrite the files if they exist.
    #[arg(long)]
    pub force: bool,
}

/// The result of `rls`.
#[derive(Debug, Serialize)]
pub struct RlsReport {
    /// The up migration written.
    pub up: String,
    /// The down migration written.
    pub down: String,
    /// The application role.
    pub role: String,
    /// The tenant-scoped tables that got a policy.
    pub scoped: Vec<String>,
    /// The global tables: granted to the role, without a policy.
    pub global: Vec<String>,
}

/// Runs `rls`: reads the manifest, writes the two migration files.
pub fn run(args: RlsArgs) -> Result<RlsReport, Failure> {
    let (path, manifest) = load_manifest(args.manifest)?;
    if manifest.dialect() != Dialect::Postgres {
        return Err(Failure::Input(format!(
            "`{}` is a {} manifest; `tenant-query rls` writes PostgreSQL row-level security\n  \
             help: MySQL, MariaDB and SQLite have no row-level security; there the macros' \
             scoping is the one layer",
            path.display(),
            manifest.dialect()
        )));
    }
    if args.role.is_empty() {
        return Err(Failure::Input("--role: the role must be named".to_owned()));
    }
    let scoped = sql::scoped_tables(&manifest);
    if scoped.is_empty() {
        return Err(Failure::Input(format!(
            "`{}` declares no tenant-scoped table: there is nothing to protect\n  \
             help: declare tables with `scope = \"tenant\"`",
            path.display()
        )));
    }
    let (up, down) = migration_paths(&args.out)?;
    for file in [&up, &down] {
        if file.exists() && !args.force {
            return Err(Failure::Input(format!(
                "`{}` already exists; nothing was written\n  help: pass `--force` to overwrite \
                 it, or `--out` to write elsewhere",
                file.display()
            )));
        }
    }
    let migration = sql::migration(&manifest, &args.role);
    write(&up, &migration.up)?;
    write(&down, &migration.down)?;
    Ok(RlsReport {
        up: up.display().to_string(),
        down: down.display().to_string(),
        role: args.role,
        scoped: scoped.iter().map(|t| t.name.to_owned()).collect(),
        global: manifest
            .tables()
            .iter()
            .filter(|t| !t.is_scoped())
            .map(|t| t.name.clone())
            .collect(),
    })
}

/// The up and down files for `--out`: a directory gets a new version; a `….up.sql` file its
/// `….down.sql` sibling.
fn migration_paths(out: &Path) -> Result<(PathBuf, PathBuf), Failure> {
    if out.is_dir() {
        let stem = format!("{}_tenant_rls", utc_version(std::time::SystemTime::now()));
        return Ok((
            out.join(format!("{stem}.up.sql")),
            out.join(format!("{stem}.down.sql")),
        ));
    }
    let file_name = out.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match file_name.strip_suffix(".up.sql") {
        Some(stem) if !stem.is_empty() => Ok((
            out.to_owned(),
            out.with_file_name(format!("{stem}.down.sql")),
        )),
        _ => Err(Failure::Input(format!(
            "--out `{}` is neither a directory nor a file named `<version>_<name>.up.sql`\n  \
             help: sqlx runs reversible migrations as `.up.sql` and `.down.sql` pairs; \
             name the directory (e.g. `migrations`) or the up file",
            out.display()
        ))),
    }
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::Input(format!("cannot write `{}`: {e}", path.display())))
}

/// `YYYYMMDDHHMMSS` in UTC, the version `sqlx migrate add` gives a migration.
fn utc_version(now: std::time::SystemTime) -> String {
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

impl RlsReport {
    /// Prints the report in `format`: in text, the files and the tables on standard output.
    pub fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        if format == Format::Json {
            serde_json::to_writer_pretty(&mut *streams.out, self)?;
            return writeln!(streams.out);
        }
        writeln!(streams.out, "wrote {}", self.up)?;
        writeln!(streams.out, "wrote {}", self.down)?;
        writeln!(
            streams.out,
            "row-level security on {} for the role {}; {} granted without a policy",
            tables(self.scoped.len(), "tenant-scoped"),
            self.role,
            tables(self.global.len(), "global"),
        )?;
        for table in &self.scoped {
            writeln!(streams.out, "  tenant  {table}")?;
        }
        for table in &self.global {
            writeln!(streams.out, "  global  {table}")?;
        }
        Ok(())
    }
}

/// `1 global table`, `2 global tables`.
fn tables(count: usize, kind: &str) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} {kind} table{s}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn versions_are_utc_timestamps() {
        assert_eq!(utc_version(UNIX_EPOCH), "19700101000000");
        // 2024-02-29T23:59:58Z, a leap day.
        let leap = UNIX_EPOCH + Duration::from_secs(1_709_251_198);
        assert_eq!(utc_version(leap), "20240229235958");
    }

    #[test]
    fn out_names_a_directory_or_an_up_file() {
        let dir = std::env::temp_dir();
        let Ok((up, down)) = migration_paths(&dir) else {
            panic!("a directory was refused");
        };
        assert!(up
            .to_str()
            .is_some_and(|p| p.ends_with("_tenant_rls.up.sql")));
        assert!(down
            .to_str()
            .is_some_and(|p| p.ends_with("_tenant_rls.down.sql")));
        let Ok((up, down)) = migration_paths(Path::new("m/0007_rls.up.sql")) else {
            panic!("an up file was refused");
        };
        assert_eq!(up, Path::new("m/0007_rls.up.sql"));
        assert_eq!(down, Path::new("m/0007_rls.down.sql"));
        for bad in ["m/rls.sql", "m/.up.sql", "m/0007_rls.down.sql"] {
            assert!(
                migration_paths(Path::new(bad)).is_err(),
                "{bad} was accepted"
            );
        }
    }
}
