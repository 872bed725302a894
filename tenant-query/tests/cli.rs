//! The `tenant-query` command-line tool, run as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn manifest() -> tempfile_path::TempManifest {
    tempfile_path::TempManifest::new(
        "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n[tables.invoices]\nscope = \"tenant\"\n[tables.countries]\nscope = \"global\"\n",
    )
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenant-query"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn rewrite_prints_the_scoped_statement() {
    let m = manifest();
    let out = run(
        &[
            "rewrite",
            "--manifest",
            m.path(),
            "SELECT * FROM orders WHERE id = $1",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "SELECT * FROM orders WHERE (id = $1) AND orders.tenant_id = $2\n"
    );
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn rewrite_reads_standard_input_and_overrides_the_dialect() {
    let m = manifest();
    let out = run(
        &[
            "rewrite",
            "--manifest",
            m.path(),
            "--dialect",
            "mysql",
            "--plan",
            "-",
        ],
        Some("DELETE FROM orders WHERE id = ?"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "DELETE FROM orders WHERE (id = ?) AND orders.tenant_id = ?\n"
    );
    assert_eq!(
        text(&out.stderr),
        "binds: 1=argument 1, 2=tenant\nscoped tables: orders\n"
    );
}

#[test]
fn rejections_go_to_standard_error_with_the_position_and_a_fix() {
    let m = manifest();
    let out = run(
        &["rewrite", "--manifest", m.path(), "-"],
        Some("SELECT *\nFROM invoice"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let err = text(&out.stderr);
    assert!(
        err.starts_with(
            "error: table `invoice` is not declared in tenant-schema.toml\n --> SQL 2:6\n"
        ),
        "{err}"
    );
    assert!(err.contains("2 | FROM invoice\n  |      ^\n"), "{err}");
    assert!(err.contains("did you mean `invoices`?"), "{err}");
}

#[test]
fn unscoped_checks_tables_without_rewriting() {
    let m = manifest();
    let sql = "SELECT tenant_id, count(*) FROM orders GROUP BY 1";
    let out = run(
        &["rewrite", "--manifest", m.path(), "--unscoped", sql],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), format!("{sql}\n"));
    let out = run(
        &[
            "rewrite",
            "--manifest",
            m.path(),
            "--unscoped",
            "TRUNCATE invoice",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_manifest_validates_and_lists_tables() {
    let m = manifest();
    let out = run(&["check-manifest", m.path()], None);
    assert_eq!(out.status.code(), Some(0));
    let listing = text(&out.stdout);
    assert!(
        listing.contains("ok (postgres dialect, tenant ids are i64, 3 tables)"),
        "{listing}"
    );
    assert!(listing.contains("  countries: global\n"), "{listing}");
    assert!(
        listing.contains("  orders: tenant (tenant_id)\n"),
        "{listing}"
    );

    let bad = tempfile_path::TempManifest::new(
        "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenent\"\n",
    );
    let out = run(&["check-manifest", bad.path()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("`tables.orders.scope`: unknown scope \"tenent\""));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&[], None).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], None).status.code(), Some(2));
    assert_eq!(run(&["rewrite", "SELECT 1"], None).status.code(), Some(2));
    let help = run(&["--help"], None);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("tenant-query rewrite --manifest PATH"));
}

/// A manifest file named `tenant-schema.toml` in a fresh directory, removed on drop.
mod tempfile_path {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub struct TempManifest {
        dir: PathBuf,
        path: String,
    }

    impl TempManifest {
        pub fn new(text: &str) -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "tenant-query-cli-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("tenant-schema.toml");
            std::fs::write(&path, text).unwrap();
            TempManifest {
                dir,
                path: path.to_str().unwrap().to_owned(),
            }
        }

        pub fn path(&self) -> &str {
            &self.path
        }
    }

    impl Drop for TempManifest {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
