//! Running the built tool in a directory and showing what it did, for the `audit` and `init`
//! tests.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

pub mod db;

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs the tool in `dir` with `args`, nothing on standard input and no
/// `TENANT_QUERY_MANIFEST` from outside.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenant-query"))
        .current_dir(dir)
        .env_remove("TENANT_QUERY_MANIFEST")
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Status, standard output and standard error, with `root` shown as `[ROOT]`.
pub fn transcript(out: &Output, root: &Path) -> String {
    let text = format!(
        "exit status: {}\n--- stdout\n{}--- stderr\n{}",
        out.status
            .code()
            .map_or_else(|| out.status.to_string(), |code| code.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.replace(root.to_str().expect("a UTF-8 temporary path"), "[ROOT]")
}

/// A temporary directory, with symbolic links resolved as the tool sees its current directory.
pub fn temp_root() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir
        .path()
        .canonicalize()
        .expect("the temporary directory resolves");
    (dir, root)
}

/// Writes `text` to `root/relative`, creating the directories on the way.
pub fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("a file in a directory")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}
