//! The subcommands: read the input, load the manifest, run the engine.

use std::io::Read;
use std::path::PathBuf;

use tenant_query_core::{find_manifest, Manifest, Rewritten, MANIFEST_ENV_VAR};

use crate::args::{CheckManifestArgs, RewriteArgs};
use crate::report::{Failure, ManifestSummary, Success, TableSummary};

/// `rewrite`: the statement as `tenant_query!` (or, with `--unscoped`, `unscoped_query!`) runs
/// it.
pub fn rewrite(args: RewriteArgs) -> Result<Success, Failure> {
    let sql = read_sql(args.sql)?;
    let (_, mut manifest) = load_manifest(args.manifest)?;
    if let Some(dialect) = args.dialect {
        manifest = manifest.with_dialect(dialect);
    }
    match run_engine(&manifest, &sql, args.unscoped) {
        Ok(rewrite) => Ok(Success::Rewrite {
            rewrite,
            plan: args.plan,
        }),
        Err(diagnostic) => Err(Failure::Statement { diagnostic, sql }),
    }
}

/// `check-manifest`: the manifest's settings and tables, once it validates.
pub fn check_manifest(args: CheckManifestArgs) -> Result<Success, Failure> {
    let (path, manifest) = load_manifest(args.manifest)?;
    let tables = manifest
        .tables()
        .iter()
        .map(|table| TableSummary {
            name: table.name.clone(),
            scope: if table.is_scoped() {
                "tenant"
            } else {
                "global"
            },
            tenant_column: table.tenant_column.clone(),
        })
        .collect();
    Ok(Success::Manifest(ManifestSummary {
        path: path.display().to_string(),
        dialect: manifest.dialect().to_string(),
        tenant_id_type: manifest.tenant_id_type().as_str().to_owned(),
        tables,
    }))
}

/// The engine's verdict on `sql`.
fn run_engine(
    manifest: &Manifest,
    sql: &str,
    unscoped: bool,
) -> Result<Rewritten, tenant_query_core::Diagnostic> {
    if unscoped {
        tenant_query_core::check_unscoped(manifest, sql)
    } else {
        tenant_query_core::rewrite(manifest, sql)
    }
}

/// The SQL argument, or standard input for `-`.
fn read_sql(arg: String) -> Result<String, Failure> {
    if arg != "-" {
        return Ok(arg);
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::Input(format!("cannot read the SQL from standard input: {e}")))?;
    Ok(text)
}

/// The manifest at `given`, or else the one found from the current directory.
pub(crate) fn load_manifest(given: Option<PathBuf>) -> Result<(PathBuf, Manifest), Failure> {
    let path = match given {
        Some(path) => path,
        None => discover()?,
    };
    match Manifest::from_path(&path) {
        Ok(manifest) => Ok((path, manifest)),
        Err(e) => Err(Failure::InvalidManifest(e)),
    }
}

/// The macros' search, started from the current directory.
fn discover() -> Result<PathBuf, Failure> {
    let cwd = std::env::current_dir().map_err(|e| {
        Failure::ManifestNotFound(format!(
            "cannot search for the manifest: the current directory is unavailable ({e})\n  \
             help: pass `--manifest PATH`"
        ))
    })?;
    let env_override = std::env::var_os(MANIFEST_ENV_VAR);
    find_manifest(env_override.as_deref(), &cwd)
        .map_err(|e| Failure::ManifestNotFound(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn an_explicit_path_that_is_not_a_file_is_a_manifest_rejection() {
        let Err(failure) = load_manifest(Some(Path::new("/nonexistent/tenant-schema.toml").into()))
        else {
            panic!("loaded a manifest that does not exist");
        };
        assert_eq!(failure.exit_status(), 1);
    }
}
