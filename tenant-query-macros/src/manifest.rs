//! Finding `tenant-schema.toml` and parsing it once per compiler process.
//!
//! Lookup order:
//! 1. `TENANT_QUERY_MANIFEST`, when set and non-empty (a relative path is resolved against the
//!    crate directory, `CARGO_MANIFEST_DIR`);
//! 2. `tenant-schema.toml` in `CARGO_MANIFEST_DIR`, then in each parent directory, stopping
//!    after the workspace root (the first directory whose `Cargo.toml` has a `[workspace]`
//!    table) or at the file-system root.
//!
//! The parsed manifest is cached by path, modification time and size, so a long-lived process
//! (rust-analyzer) notices edits while a `cargo build` parses each manifest once.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use tenant_query_core::Manifest;

/// The manifest file name searched for.
pub const FILE_NAME: &str = "tenant-schema.toml";
/// The environment variable that overrides the search.
pub const ENV_VAR: &str = "TENANT_QUERY_MANIFEST";

/// A manifest and the absolute path it was read from.
pub struct Loaded {
    /// Absolute path, embedded in the expansion with `include_bytes!` so that editing the
    /// manifest recompiles the crate.
    pub path: PathBuf,
    /// The parsed manifest.
    pub manifest: Arc<Manifest>,
}

/// What identifies one version of a manifest file: modification time and size.
type Stamp = (Option<SystemTime>, u64);
/// Parsed manifests by absolute path.
type Cache = Mutex<HashMap<PathBuf, (Stamp, Arc<Manifest>)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Finds and parses the manifest for the crate being compiled.
///
/// The error is the full message shown to the user.
pub fn load() -> Result<Loaded, String> {
    let path = locate(
        std::env::var_os(ENV_VAR),
        std::env::var_os("CARGO_MANIFEST_DIR"),
    )?;
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let stamp = std::fs::metadata(&path)
        .map(|m| (m.modified().ok(), m.len()))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;

    // A poisoned lock only means another expansion panicked; the map is still usable.
    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    if let Some((cached_stamp, manifest)) = cache.get(&path) {
        if *cached_stamp == stamp {
            return Ok(Loaded {
                path,
                manifest: Arc::clone(manifest),
            });
        }
    }
    let manifest = Manifest::from_path(&path).map_err(|e| {
        let name = path
            .file_name()
            .map_or_else(|| FILE_NAME.into(), |n| n.to_string_lossy());
        format!(
            "invalid manifest: {e}\n  help: fix `{name}`; every tenant-query macro in this \
             crate reads it"
        )
    })?;
    let manifest = Arc::new(manifest);
    cache.insert(path.clone(), (stamp, Arc::clone(&manifest)));
    Ok(Loaded { path, manifest })
}

/// Where the manifest is, from the two environment variables that decide it.
fn locate(env_override: Option<OsString>, crate_dir: Option<OsString>) -> Result<PathBuf, String> {
    let crate_dir = crate_dir.filter(|d| !d.is_empty()).map(PathBuf::from);

    if let Some(value) = env_override.filter(|v| !v.is_empty()) {
        let given = PathBuf::from(&value);
        let path = match &crate_dir {
            Some(dir) if given.is_relative() => dir.join(&given),
            _ => given,
        };
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "{ENV_VAR} is set to `{}`, but there is no file at {}\n  help: point \
                 {ENV_VAR} at your `{FILE_NAME}` (a relative path is resolved against the \
                 crate directory), or unset it to search from the crate directory upwards",
                value.to_string_lossy(),
                path.display()
            ))
        };
    }

    let Some(crate_dir) = crate_dir else {
        return Err(format!(
            "cannot find `{FILE_NAME}`: CARGO_MANIFEST_DIR is not set (is this crate built by \
             cargo?)\n  help: set {ENV_VAR} to the manifest's absolute path"
        ));
    };

    let mut searched = Vec::new();
    for dir in crate_dir.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Ok(candidate);
        }
        let root = is_workspace_root(dir);
        searched.push(if root {
            format!("{} (workspace root)", dir.display())
        } else {
            dir.display().to_string()
        });
        if root {
            break;
        }
    }
    Err(format!(
        "no `{FILE_NAME}` found for this crate; searched:\n{}\n  help: create `{FILE_NAME}` \
         next to this crate's Cargo.toml (or in the workspace root) and declare every table, \
         e.g.\n\n      dialect = \"postgres\"\n      [tables.orders]\n      scope = \"tenant\"\n\n  \
         or set {ENV_VAR} to its path",
        searched
            .iter()
            .map(|s| format!("    {s}"))
            .collect::<Vec<_>>()
            .join("\n")
    ))
}

/// Whether `dir/Cargo.toml` declares a `[workspace]` (cheap textual check: no TOML parser).
fn is_workspace_root(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|text| {
        text.lines().any(|line| {
            let line = line.trim_start();
            line.starts_with("[workspace]") || line.starts_with("[workspace.")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_tree(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "tq-macros-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("ws/crates/app")).unwrap();
        std::fs::write(root.join("ws/Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        std::fs::write(root.join("ws/crates/app/Cargo.toml"), "[package]\n").unwrap();
        root
    }

    #[test]
    fn finds_the_nearest_manifest_up_to_the_workspace_root() {
        let root = temp_tree("nearest");
        let app = root.join("ws/crates/app");
        std::fs::write(root.join("ws").join(FILE_NAME), "").unwrap();
        assert_eq!(
            locate(None, Some(app.clone().into())).unwrap(),
            root.join("ws").join(FILE_NAME)
        );
        std::fs::write(app.join(FILE_NAME), "").unwrap();
        assert_eq!(
            locate(None, Some(app.clone().into())).unwrap(),
            app.join(FILE_NAME)
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn stops_at_the_workspace_root() {
        let root = temp_tree("stop");
        // Above the workspace root: must not be found.
        std::fs::write(root.join(FILE_NAME), "").unwrap();
        let err = locate(None, Some(root.join("ws/crates/app").into())).unwrap_err();
        assert!(err.contains("no `tenant-schema.toml` found"), "{err}");
        assert!(err.contains("(workspace root)"), "{err}");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn the_environment_overrides_the_search() {
        let root = temp_tree("env");
        let app = root.join("ws/crates/app");
        std::fs::write(app.join(FILE_NAME), "").unwrap();
        std::fs::write(app.join("other.toml"), "").unwrap();
        assert_eq!(
            locate(Some("other.toml".into()), Some(app.clone().into())).unwrap(),
            app.join("other.toml")
        );
        let err = locate(Some("missing.toml".into()), Some(app.into())).unwrap_err();
        assert!(err.contains("TENANT_QUERY_MANIFEST is set"), "{err}");
        std::fs::remove_dir_all(root).unwrap();
    }
}
