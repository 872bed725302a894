//! End to end: the manifest that `init` writes for a SQLite schema compiles a crate that uses
//! the macros (an `INSERT OR IGNORE` among them, which the engine accepts only because `init`
//! declared every unique key), and the same crate does not compile with a query on a column
//! or a table that `init` did not declare, or on the tenant column of a table it declared
//! global.
//!
//! The crate is built offline by the cargo that runs the tests, with the workspace's
//! `Cargo.lock`, its dev profile and its target directory, and asks for `sqlx` with the
//! features of `[workspace.dependencies]`, so that what the workspace built is reused (tokio,
//! libsqlite3-sys, syn, sqlparser…). Cargo unifies features per build command, so sqlx's own
//! crates and tenant-query's resolve to other feature sets than in a workspace build and are
//! built once more, the first time only (about 40 s on two cores; 3 s after). The crate lies
//! in one fixed directory under the target directory, so that a run replaces the artifacts of
//! the last one, and the workspace's `rust-toolchain.toml` picks the compiler.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use support::db::sqlite_file;
use support::{run_in, transcript, write};

/// A scoped table with a unique key and a global table.
const SCHEMA: &str = "\
CREATE TABLE orders (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, slug TEXT NOT NULL, total BIGINT NOT NULL, PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, slug));
CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT NOT NULL)";

/// The crate: `sqlx` with the workspace's features (`[workspace.dependencies]`), `tenant-query`
/// with its default ones, the workspace's dev profile; `broken` adds the queries that must not
/// compile (as `--cfg` of one crate: the failing build recompiles only the crate). `{repo}`
/// stands for the workspace root.
const CARGO_TOML: &str = r#"[package]
name = "tenant-query-init-e2e"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[features]
broken = []

[dependencies]
tenant-query = { path = "{repo}/tenant-query" }
sqlx = { version = "0.9", default-features = false, features = ["runtime-tokio", "macros", "postgres", "mysql", "sqlite"] }

[profile.dev.package."*"]
debug = false
"#;

const LIB_RS: &str = r#"//! Queries against the manifest `tenant-query init` wrote.
use tenant_query::{tenant_query, tenant_query_as, TenantId};

#[derive(sqlx::FromRow)]
pub struct Order {
    pub id: i64,
    pub total: i64,
}

/// A scoped read, upserts on the declared tenant-local keys, a read of a global table.
pub async fn run(pool: &sqlx::SqlitePool, tenant: TenantId) -> Result<Vec<Order>, sqlx::Error> {
    tenant_query!(
        tenant,
        "INSERT INTO orders (id, slug, total) VALUES (?, ?, ?) ON CONFLICT (tenant_id, slug) DO UPDATE SET total = excluded.total",
        1_i64,
        "first",
        100_i64
    )
    .execute(pool)
    .await?;
    tenant_query!(tenant, "INSERT OR IGNORE INTO orders (id, slug, total) VALUES (?, ?, ?)", 2_i64, "second", 5_i64)
        .execute(pool)
        .await?;
    tenant_query!(tenant, "SELECT name FROM countries WHERE code = ?", "FR")
        .fetch_optional(pool)
        .await?;
    #[cfg(feature = "broken")]
    tenant_query!(tenant, "SELECT shipped_at FROM orders").fetch_all(pool).await?;
    #[cfg(feature = "broken")]
    tenant_query!(tenant, "SELECT id FROM invoices").fetch_all(pool).await?;
    #[cfg(feature = "broken")]
    tenant_query!(tenant, "SELECT code FROM countries WHERE tenant_id = ?", 1_i64).fetch_all(pool).await?;
    tenant_query_as!(Order, tenant, "SELECT id, total FROM orders WHERE total > ?", 10_i64)
        .fetch_all(pool)
        .await
}
"#;

/// The workspace root and its target directory.
fn workspace() -> (PathBuf, PathBuf) {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = cli.parent().expect("the CLI crate is in the workspace");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the temporary directory is in the target directory");
    (repo.to_path_buf(), target.to_path_buf())
}

/// `cargo build --offline` of the crate in `dir` with `features`, against `manifest`; the
/// output and the time it took.
fn build(dir: &Path, manifest: &Path, target: &Path, features: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let out = Command::new(cargo)
        .current_dir(dir)
        .args(["build", "--offline", "--quiet", "--lib"])
        .args(features.iter().flat_map(|f| ["--features", f]))
        .env("CARGO_TARGET_DIR", target)
        .env("TENANT_QUERY_MANIFEST", manifest)
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    eprintln!(
        "cargo build {features:?} of the end-to-end crate: {:.1}s",
        started.elapsed().as_secs_f64()
    );
    out
}

fn shown(out: &Output) -> String {
    format!(
        "exit status: {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn init_manifest_compiles_a_crate_that_uses_the_macros() {
    let (repo, target) = workspace();
    let root = &Path::new(env!("CARGO_TARGET_TMPDIR")).join("init-e2e");
    if root.exists() {
        std::fs::remove_dir_all(root).expect("remove the last run's crate");
    }
    std::fs::create_dir_all(root).expect("a directory for the crate");
    let schema: Vec<String> = SCHEMA.split(";\n").map(str::to_owned).collect();
    let url = sqlite_file(root, "app.db", &schema);
    let init = run_in(root, &["init", "--database-url", &url]);
    assert_eq!(init.status.code(), Some(0), "{}", transcript(&init, root));
    let manifest = root.join("tenant-schema.toml");
    let toml = std::fs::read_to_string(&manifest).expect("init wrote the manifest");
    assert!(
        toml.contains("unique = [[\"tenant_id\", \"id\"], [\"tenant_id\", \"slug\"]]\n"),
        "{toml}"
    );

    let crate_dir = root.join("app");
    let repo_text = repo.to_str().expect("a UTF-8 workspace path");
    write(
        &crate_dir,
        "Cargo.toml",
        &CARGO_TOML.replace("{repo}", repo_text),
    );
    write(&crate_dir, "src/lib.rs", LIB_RS);
    std::fs::copy(repo.join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("copy the lock");

    let passing = build(&crate_dir, &manifest, &target, &[]);
    assert!(passing.status.success(), "{}", shown(&passing));

    let failing = build(&crate_dir, &manifest, &target, &["broken"]);
    let text = shown(&failing);
    assert!(!failing.status.success(), "{text}");
    for expected in [
        "table `orders` has no column `shipped_at`",
        "table `invoices` is not declared in ",
        "table `countries` has no column `tenant_id`",
    ] {
        assert!(text.contains(expected), "`{expected}` is missing:\n{text}");
    }
    assert_eq!(
        text.matches("error: ").count(),
        4,
        "three errors and the summary:\n{text}"
    );
}
