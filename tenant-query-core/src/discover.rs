//! Finding `tenant-schema.toml`: the one search shared by the macros and the command-line tool.
//!
//! Lookup order:
//! 1. [`MANIFEST_ENV_VAR`] (`TENANT_QUERY_MANIFEST`), when set and non-empty; a relative path
//!    is resolved against the start directory;
//! 2. [`MANIFEST_FILE_NAME`] (`tenant-schema.toml`) in the start directory, then in each parent
//!    directory, stopping after the workspace root (the first directory whose `Cargo.toml` has
//!    a `[workspace]` table) or at the file-system root.
//!
//! The macros start from the crate directory (`CARGO_MANIFEST_DIR`), the command-line tool from
//! the current directory.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};

/// The manifest file name searched for.
pub const MANIFEST_FILE_NAME: &str = "tenant-schema.toml";

/// The environment variable that overrides the search.
pub const MANIFEST_ENV_VAR: &str = "TENANT_QUERY_MANIFEST";

/// Finds the manifest that applies to `start_dir`.
///
/// `env_override` is the value of [`MANIFEST_ENV_VAR`]; `None` or an empty value means unset.
/// A set value must name an existing file: it is never ignored in favour of the search.
///
/// ```
/// use std::path::Path;
/// use tenant_query_core::{find_manifest, DiscoveryError, MANIFEST_ENV_VAR};
///
/// let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
///
/// // The search from a crate directory: here it finds nothing up to the workspace root.
/// match find_manifest(None, crate_dir) {
///     Ok(path) => assert!(path.ends_with("tenant-schema.toml")),
///     Err(DiscoveryError::NotFound { searched, .. }) => assert_eq!(searched[0], crate_dir),
///     Err(other) => panic!("{other}"),
/// }
///
/// // The override names the file directly, relative to the start directory.
/// let path = find_manifest(Some("Cargo.toml".as_ref()), crate_dir)?;
/// assert_eq!(path, crate_dir.join("Cargo.toml"));
///
/// let err = find_manifest(Some("no-such.toml".as_ref()), crate_dir).unwrap_err();
/// assert!(err.to_string().starts_with(&format!("{MANIFEST_ENV_VAR} is set to `no-such.toml`")));
/// # Ok::<(), DiscoveryError>(())
/// ```
pub fn find_manifest(
    env_override: Option<&OsStr>,
    start_dir: &Path,
) -> Result<PathBuf, DiscoveryError> {
    match env_override.filter(|value| !value.is_empty()) {
        Some(value) => from_override(value, start_dir),
        None => search(start_dir),
    }
}

/// The file [`MANIFEST_ENV_VAR`] names.
fn from_override(value: &OsStr, start_dir: &Path) -> Result<PathBuf, DiscoveryError> {
    // `join` keeps an absolute `value` as it is.
    let path = start_dir.join(value);
    if path.is_file() {
        Ok(path)
    } else {
        Err(DiscoveryError::OverrideNotFound {
            value: value.to_owned(),
            path,
            start_dir: start_dir.to_path_buf(),
        })
    }
}

/// The nearest [`MANIFEST_FILE_NAME`] from `start_dir` up to the workspace root.
fn search(start_dir: &Path) -> Result<PathBuf, DiscoveryError> {
    let mut searched = Vec::new();
    for dir in start_dir.ancestors() {
        let candidate = dir.join(MANIFEST_FILE_NAME);
        if candidate.is_file() {
            return Ok(candidate);
        }
        searched.push(dir.to_path_buf());
        if is_workspace_root(dir) {
            return Err(DiscoveryError::NotFound {
                searched,
                stopped_at_workspace_root: true,
            });
        }
    }
    Err(DiscoveryError::NotFound {
        searched,
        stopped_at_workspace_root: false,
    })
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

/// Why [`find_manifest`] found no manifest.
///
/// Its [`Display`](fmt::Display) form is the message a user sees: what was looked at, and the
/// fix.
///
/// ```
/// use std::path::PathBuf;
/// use tenant_query_core::DiscoveryError;
///
/// let err = DiscoveryError::NotFound {
///     searched: vec![PathBuf::from("/ws/app"), PathBuf::from("/ws")],
///     stopped_at_workspace_root: true,
/// };
/// let message = err.to_string();
/// assert!(message.starts_with(
///     "no `tenant-schema.toml` found for this crate; searched:\n    /ws/app\n    /ws (workspace root)\n"
/// ));
/// assert!(message.ends_with("or set TENANT_QUERY_MANIFEST to its path"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// [`MANIFEST_ENV_VAR`] is set, but names no file.
    OverrideNotFound {
        /// The variable's value, as given.
        value: OsString,
        /// Where it points, resolved against `start_dir`.
        path: PathBuf,
        /// The directory a relative value is resolved against.
        start_dir: PathBuf,
    },
    /// No directory from the start directory up holds a manifest.
    NotFound {
        /// The directories looked in, nearest first.
        searched: Vec<PathBuf>,
        /// Whether the last directory searched is a workspace root (otherwise the search
        /// reached the file-system root).
        stopped_at_workspace_root: bool,
    },
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoveryError::OverrideNotFound {
                value,
                path,
                start_dir,
            } => write!(
                f,
                "{MANIFEST_ENV_VAR} is set to `{}`, but there is no file at {}\n  help: point \
                 {MANIFEST_ENV_VAR} at your `{MANIFEST_FILE_NAME}` (a relative path is \
                 resolved against {start}), or unset it to search from there upwards",
                value.to_string_lossy(),
                path.display(),
                start = start_dir.display(),
            ),
            DiscoveryError::NotFound {
                searched,
                stopped_at_workspace_root,
            } => {
                writeln!(
                    f,
                    "no `{MANIFEST_FILE_NAME}` found for this crate; searched:"
                )?;
                for (i, dir) in searched.iter().enumerate() {
                    let root = *stopped_at_workspace_root && i + 1 == searched.len();
                    let note = if root { " (workspace root)" } else { "" };
                    writeln!(f, "    {}{note}", dir.display())?;
                }
                write!(
                    f,
                    "  help: create `{MANIFEST_FILE_NAME}` next to this crate's Cargo.toml (or \
                     in the workspace root) and declare every table, e.g.\n\n      \
                     dialect = \"postgres\"\n      [tables.orders]\n      scope = \"tenant\"\n\n  \
                     or set {MANIFEST_ENV_VAR} to its path"
                )
            }
        }
    }
}

impl std::error::Error for DiscoveryError {}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    /// `ws/` is a workspace root holding the crate `ws/crates/app/`.
    fn workspace() -> TempDir {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("ws/crates/app")).unwrap();
        std::fs::write(
            root.path().join("ws/Cargo.toml"),
            "[workspace]\nmembers = []\n",
        )
        .unwrap();
        std::fs::write(root.path().join("ws/crates/app/Cargo.toml"), "[package]\n").unwrap();
        root
    }

    #[test]
    fn finds_the_nearest_manifest_up_to_the_workspace_root() {
        let root = workspace();
        let ws = root.path().join("ws");
        let app = ws.join("crates/app");
        std::fs::write(ws.join(MANIFEST_FILE_NAME), "").unwrap();
        assert_eq!(
            find_manifest(None, &app).unwrap(),
            ws.join(MANIFEST_FILE_NAME)
        );
        std::fs::write(app.join(MANIFEST_FILE_NAME), "").unwrap();
        assert_eq!(
            find_manifest(None, &app).unwrap(),
            app.join(MANIFEST_FILE_NAME)
        );
    }

    #[test]
    fn stops_at_the_workspace_root() {
        let root = workspace();
        // Above the workspace root: must not be found.
        std::fs::write(root.path().join(MANIFEST_FILE_NAME), "").unwrap();
        let ws = root.path().join("ws");
        let err = find_manifest(None, &ws.join("crates/app")).unwrap_err();
        assert_eq!(
            err,
            DiscoveryError::NotFound {
                searched: vec![ws.join("crates/app"), ws.join("crates"), ws.clone()],
                stopped_at_workspace_root: true,
            }
        );
        let message = err.to_string();
        assert!(
            message.starts_with("no `tenant-schema.toml` found for this crate; searched:\n"),
            "{message}"
        );
        assert!(
            message.contains(&format!("    {} (workspace root)\n", ws.display())),
            "{message}"
        );
    }

    #[test]
    fn without_a_workspace_the_search_reaches_the_file_system_root() {
        let root = tempfile::tempdir().unwrap();
        let err = find_manifest(None, root.path()).unwrap_err();
        let DiscoveryError::NotFound {
            searched,
            stopped_at_workspace_root,
        } = &err
        else {
            panic!("{err:?}");
        };
        // Unless a directory above the temporary one happens to be a workspace root.
        if !stopped_at_workspace_root {
            assert_eq!(searched.last().unwrap().parent(), None);
            assert!(!err.to_string().contains("(workspace root)"));
        }
        assert_eq!(searched[0], root.path());
    }

    #[test]
    fn the_environment_overrides_the_search() {
        let root = workspace();
        let app = root.path().join("ws/crates/app");
        std::fs::write(app.join(MANIFEST_FILE_NAME), "").unwrap();
        std::fs::write(app.join("other.toml"), "").unwrap();
        let found = |value: &OsStr| find_manifest(Some(value), &app);
        assert_eq!(
            found("other.toml".as_ref()).unwrap(),
            app.join("other.toml")
        );
        let absolute = app.join("other.toml");
        assert_eq!(found(absolute.as_os_str()).unwrap(), absolute);
        // Empty means unset.
        assert_eq!(found("".as_ref()).unwrap(), app.join(MANIFEST_FILE_NAME));

        let err = found("missing.toml".as_ref()).unwrap_err();
        assert_eq!(
            err,
            DiscoveryError::OverrideNotFound {
                value: "missing.toml".into(),
                path: app.join("missing.toml"),
                start_dir: app.clone(),
            }
        );
        let message = err.to_string();
        assert!(
            message.starts_with(
                "TENANT_QUERY_MANIFEST is set to `missing.toml`, but there is no file at "
            ),
            "{message}"
        );
        // A directory is not a manifest.
        assert!(found(".".as_ref()).is_err());
    }
}
