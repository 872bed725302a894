//! The Rust files under the paths given to `audit`.

use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use crate::report::Failure;

/// Every `.rs` file under `paths` (a file given by name is taken whatever its extension), in
/// a stable order; `target/` and hidden directories are skipped, symbolic links not followed.
pub fn rust_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for root in paths {
        if root.is_file() {
            files.push(root.clone());
            continue;
        }
        if !root.is_dir() {
            return Err(Failure::Input(format!(
                "`{}` is neither a file nor a directory\n  help: pass the source directories to \
                 audit, e.g. `tenant-query audit src`",
                root.display()
            )));
        }
        let walk = WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.depth() == 0 || !skipped(entry));
        for entry in walk {
            let entry = entry
                .map_err(|e| Failure::Input(format!("cannot list `{}`: {e}", root.display())))?;
            if entry.file_type().is_file() && entry.path().extension() == Some("rs".as_ref()) {
                files.push(entry.into_path());
            }
        }
    }
    Ok(files)
}

/// Build output and hidden directories (`.git`) hold no application source.
fn skipped(entry: &DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    entry.file_type().is_dir() && (name == "target" || name.starts_with('.'))
}

/// The path as the report and the baseline show it: `/`-separated, without a leading `./`.
pub fn shown(path: &Path) -> String {
    let path = path.strip_prefix(".").unwrap_or(path);
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
