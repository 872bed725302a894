//! The `tenant-query` command-line tool, run as a user runs it.
//!
//! Whole outputs are compared with insta snapshots in `tests/snapshots/`; after a deliberate
//! change, run `INSTA_UPDATE=always cargo test -p tenant-query-cli` (or `cargo insta review`) and
//! read every changed `.snap` file as a user would.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

const MANIFEST: &str = "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n[tables.invoices]\nscope = \"tenant\"\n[tables.countries]\nscope = \"global\"\n";

/// A workspace in a temporary directory: `Cargo.toml` with `[workspace]`, the crate directory
/// `app/src/`, and optionally a `tenant-schema.toml` at the root.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new(manifest: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
        std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
        if let Some(text) = manifest {
            std::fs::write(dir.path().join("tenant-schema.toml"), text).unwrap();
        }
        Workspace { dir }
    }

    /// The root, as the tool sees it (`current_dir` resolves symbolic links).
    fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    fn manifest(&self) -> String {
        self.root()
            .join("tenant-schema.toml")
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// The tool, run in `dir` under the root, with no `TENANT_QUERY_MANIFEST` from outside.
    fn tool(&self, dir: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tenant-query"));
        command
            .current_dir(self.root().join(dir))
            .env_remove("TENANT_QUERY_MANIFEST");
        command
    }

    /// Runs the tool in `dir` with `args` and nothing on standard input.
    fn run_in(&self, dir: &str, args: &[&str]) -> Output {
        run(self.tool(dir).args(args), "")
    }

    /// Status, standard output and standard error, with the root shown as `[ROOT]`.
    fn transcript(&self, out: &Output) -> String {
        let text = format!(
            "exit status: {}\n--- stdout\n{}--- stderr\n{}",
            out.status
                .code()
                .map_or_else(|| out.status.to_string(), |code| code.to_string()),
            text(&out.stdout),
            text(&out.stderr)
        );
        text.replace(self.root().to_str().unwrap(), "[ROOT]")
    }
}

/// Runs `command` with `stdin` on its standard input (`""` for none).
fn run(command: &mut Command, stdin: impl AsRef<[u8]>) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut pipe = child.stdin.take().unwrap();
    // The tool may exit (a usage error) before it reads its input.
    if let Err(e) = pipe.write_all(stdin.as_ref()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Runs the tool in the workspace root with `args`, with `--manifest` pointing at its manifest.
fn rewrite_with_manifest(ws: &Workspace, args: &[&str], stdin: &str) -> Output {
    let manifest = ws.manifest();
    let mut command = ws.tool(".");
    command
        .args(["rewrite", "--manifest", &manifest])
        .args(args);
    run(&mut command, stdin)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn rewrite_prints_the_scoped_statement() {
    let ws = Workspace::new(Some(MANIFEST));
    let out = rewrite_with_manifest(&ws, &["SELECT * FROM orders WHERE id = $1"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "SELECT * FROM orders WHERE (id = $1) AND orders.tenant_id = $2::BIGINT\n"
    );
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn rewrite_reads_standard_input_and_overrides_the_dialect() {
    let ws = Workspace::new(Some(MANIFEST));
    let out = rewrite_with_manifest(
        &ws,
        &["--dialect", "mysql", "--plan", "-"],
        "DELETE FROM orders WHERE id = ?",
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
    let ws = Workspace::new(Some(MANIFEST));
    let out = rewrite_with_manifest(&ws, &["-"], "SELECT *\nFROM invoice");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let err = text(&out.stderr);
    assert!(
        err.starts_with(
            "error[TQ0001]: table `invoice` is not declared in tenant-schema.toml\n --> SQL:2:6\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("2 | FROM invoice\n  |      ^^^^^^^ not declared\n"),
        "{err}"
    );
    assert!(err.contains("did you mean `invoices`?"), "{err}");
    insta::assert_snapshot!(ws.transcript(&out));
}

#[test]
fn unscoped_checks_tables_without_rewriting() {
    let ws = Workspace::new(Some(MANIFEST));
    let sql = "SELECT tenant_id, count(*) FROM orders GROUP BY 1";
    let out = rewrite_with_manifest(&ws, &["--unscoped", sql], "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), format!("{sql}\n"));
    let out = rewrite_with_manifest(&ws, &["--unscoped", "TRUNCATE invoice"], "");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn sql_that_starts_with_a_comment_goes_after_double_dash() {
    let ws = Workspace::new(Some(MANIFEST));
    let sql = "-- the big ones\nSELECT id FROM orders WHERE total > $1";
    let out = rewrite_with_manifest(&ws, &["--", sql], "");
    insta::assert_snapshot!("comment_after_double_dash", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(0));

    // Without `--` it is an unknown option, and clap says how to pass it.
    let out = rewrite_with_manifest(&ws, &[sql], "");
    insta::assert_snapshot!("comment_without_double_dash", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_manifest_is_found_from_a_nested_directory() {
    let ws = Workspace::new(Some(MANIFEST));
    let out = ws.run_in(
        "app/src",
        &["rewrite", "--plan", "SELECT name FROM countries"],
    );
    insta::assert_snapshot!("discovered_rewrite", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(0));

    let out = ws.run_in("app/src", &["check-manifest"]);
    insta::assert_snapshot!("discovered_check_manifest", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_environment_variable_names_the_manifest() {
    let ws = Workspace::new(None);
    std::fs::write(ws.root().join("app/schema.toml"), MANIFEST).unwrap();
    let with_variable = |dir: &str, value: &str, args: &[&str]| {
        run(
            ws.tool(dir).env("TENANT_QUERY_MANIFEST", value).args(args),
            "",
        )
    };
    // A relative value is resolved against the current directory.
    let out = with_variable(
        "app",
        "schema.toml",
        &["rewrite", "UPDATE invoices SET paid = true"],
    );
    insta::assert_snapshot!("env_rewrite", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(0));

    let out = with_variable("app/src", "schema.toml", &["rewrite", "SELECT 1"]);
    insta::assert_snapshot!("env_missing", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(1));

    // An explicit path wins over the variable.
    let out = with_variable(
        "app/src",
        "missing.toml",
        &["check-manifest", "../schema.toml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", ws.transcript(&out));
}

#[test]
fn a_missing_manifest_lists_the_directories_searched() {
    let ws = Workspace::new(None);
    let out = ws.run_in("app/src", &["rewrite", "SELECT 1"]);
    insta::assert_snapshot!(ws.transcript(&out));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_manifest_validates_and_lists_tables() {
    let ws = Workspace::new(Some(MANIFEST));
    let out = ws.run_in(".", &["check-manifest", &ws.manifest()]);
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

    let bad = Workspace::new(Some(
        "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenent\"\n",
    ));
    let out = bad.run_in(".", &["check-manifest", &bad.manifest()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("`tables.orders.scope`: unknown scope \"tenent\""));
    insta::assert_snapshot!("malformed_check_manifest", bad.transcript(&out));

    // `rewrite` finds it and refuses to run against it, with the same message.
    let out = bad.run_in("app", &["rewrite", "SELECT 1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown scope \"tenent\""));
    let out = bad.run_in("app", &["rewrite", "--format", "json", "SELECT 1"]);
    insta::assert_snapshot!("malformed_rewrite_json", bad.transcript(&out));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn json_output_for_success_and_rejection() {
    let ws = Workspace::new(Some(MANIFEST));
    let sql = "SELECT o.id, c.name FROM orders o JOIN countries c ON c.code = o.country WHERE o.total > $1";
    let out = rewrite_with_manifest(&ws, &["--format", "json", sql], "");
    insta::assert_snapshot!("json_rewrite", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["scoped_tables"], serde_json::json!(["orders"]));

    let out = rewrite_with_manifest(&ws, &["--format=json", "-"], "SELECT *\nFROM invoice");
    insta::assert_snapshot!("json_rejection", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["errors"][0]["kind"], "unknown_table");
    assert_eq!(value["errors"][0]["code"], "TQ0001");

    let out = ws.run_in(".", &["--format", "json", "check-manifest", &ws.manifest()]);
    insta::assert_snapshot!("json_check_manifest", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn usage_errors_exit_2() {
    let ws = Workspace::new(Some(MANIFEST));
    let status = |args: &[&str]| ws.run_in(".", args).status.code();
    assert_eq!(status(&[]), Some(2));
    assert_eq!(status(&["frobnicate"]), Some(2));
    assert_eq!(status(&["rewrite"]), Some(2));
    assert_eq!(
        status(&["rewrite", "--dialect", "oracle", "SELECT 1"]),
        Some(2)
    );
    assert_eq!(
        status(&["rewrite", "--format", "yaml", "SELECT 1"]),
        Some(2)
    );
    assert_eq!(status(&["rewrite", "SELECT 1", "SELECT 2"]), Some(2));

    let out = ws.run_in(".", &["rewrite", "--dialet", "mysql", "SELECT 1"]);
    insta::assert_snapshot!("unknown_option", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(2));

    let help = ws.run_in(".", &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("tenant-query rewrite \"SELECT"));
    insta::assert_snapshot!("help", ws.transcript(&help));
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_are_refused_without_a_panic() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    let ws = Workspace::new(Some(MANIFEST));
    let invalid = OsString::from_vec(b"SELECT * FROM orders WHERE name = '\xff'".to_vec());
    let out = run(ws.tool(".").arg("rewrite").arg(&invalid), "");
    insta::assert_snapshot!("non_utf8_sql", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(2));

    // A path need not be UTF-8: this one simply does not exist.
    let path = OsString::from_vec(b"schema-\xff.toml".to_vec());
    let out = run(
        ws.tool(".")
            .args(["rewrite", "--manifest"])
            .arg(&path)
            .arg("SELECT 1"),
        "",
    );
    insta::assert_snapshot!("non_utf8_manifest_path", ws.transcript(&out));
    assert_eq!(out.status.code(), Some(1));
}

#[cfg(unix)]
#[test]
fn standard_input_that_is_not_utf8_is_a_usage_error() {
    let ws = Workspace::new(Some(MANIFEST));
    let manifest = ws.manifest();
    let out = run(
        ws.tool(".").args(["rewrite", "--manifest", &manifest, "-"]),
        b"SELECT '\xff'",
    );
    assert_eq!(out.status.code(), Some(2), "{}", ws.transcript(&out));
    assert!(text(&out.stderr).starts_with("error: cannot read the SQL from standard input: "));
}
