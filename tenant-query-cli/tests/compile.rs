//! End to end: the manifest that `init` writes for a SQLite file and for a PostgreSQL schema
//! compiles a crate that uses the macros (among its queries an `ON CONFLICT DO NOTHING`
//! without a target, which the engine accepts only because `init` declared every unique key),
//! and the same crate does not compile with a query on a column or a table that `init` did not
//! declare, or on the tenant column of a table it declared global; and an edit of the manifest
//! rebuilds the crate.
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

use support::db::{postgres_schema, sqlite_file};
use support::{run_in, transcript, write};
use tenant_query_tests::support::postgres_url;

/// A scoped table with two unique keys and a global table; `{s}` stands for the schema prefix.
const SCHEMA: &str = "\
CREATE TABLE {s}orders (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, slug TEXT NOT NULL, total BIGINT NOT NULL, PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, slug));
CREATE TABLE {s}countries (code TEXT PRIMARY KEY, name TEXT NOT NULL)";

/// The crate: `sqlx` with the workspace's features (`[workspace.dependencies]`), `tenant-query`
/// with its default ones, the workspace's dev profile; `broken` adds the queries that must not
/// compile (a feature of one crate: the failing build recompiles only the crate). `{name}`
/// stands for the package name, `{repo}` for the workspace root.
///
/// Cargo names a package's artifacts after its name and relative path, not its directory, and
/// records the sources relative to the target directory: each crate has a name of its own, so
/// that one crate's build is never taken for another's.
const CARGO_TOML: &str = r#"[package]
name = "{name}"
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

/// The crate's queries: `{s}` stands for the schema prefix, `{Pool}` for the pool type, `{1}`…
/// for the placeholders.
const LIB_RS: &str = r#"//! Queries against the manifest `tenant-query init` wrote.
use tenant_query::{tenant_query, tenant_query_as, TenantId};

#[derive(sqlx::FromRow)]
pub struct Order {
    pub id: i64,
    pub total: i64,
}

/// A scoped read, upserts on the declared tenant-local keys, a read of a global table.
pub async fn run(pool: &sqlx::{Pool}, tenant: TenantId) -> Result<Vec<Order>, sqlx::Error> {
    tenant_query!(
        tenant,
        "INSERT INTO {s}orders (id, slug, total) VALUES ({1}, {2}, {3}) ON CONFLICT (tenant_id, slug) DO UPDATE SET total = excluded.total",
        1_i64,
        "first",
        100_i64
    )
    .execute(pool)
    .await?;
    tenant_query!(tenant, "INSERT INTO {s}orders (id, slug, total) VALUES ({1}, {2}, {3}) ON CONFLICT DO NOTHING", 2_i64, "second", 5_i64)
        .execute(pool)
        .await?;
    tenant_query!(tenant, "SELECT name FROM {s}countries WHERE code = {1}", "FR")
        .fetch_optional(pool)
        .await?;
    #[cfg(feature = "broken")]
    tenant_query!(tenant, "SELECT shipped_at FROM {s}orders").fetch_all(pool).await?;
    #[cfg(feature = "broken")]
    tenant_query!(tenant, "SELECT id FROM {s}invoices").fetch_all(pool).await?;
    #[cfg(feature = "broken")]
    tenant_query!(tenant, "SELECT code FROM {s}countries WHERE tenant_id = {1}", 1_i64).fetch_all(pool).await?;
    tenant_query_as!(Order, tenant, "SELECT id, total FROM {s}orders WHERE total > {1}", 10_i64)
        .fetch_all(pool)
        .await
}
"#;

/// The crate of [`CARGO_TOML`] and [`LIB_RS`] for SQLite or PostgreSQL.
struct Dialect {
    /// The package name, and the directory's under the target directory.
    name: &'static str,
    /// The schema prefix of the table names (`schema.` or nothing).
    prefix: String,
    /// `SqlitePool` or `PgPool`.
    pool: &'static str,
    /// `?` or `$`: a placeholder is `?` or `$1`, `$2`…
    placeholder: &'static str,
}

impl Dialect {
    fn lib_rs(&self) -> String {
        let mut text = LIB_RS
            .replace("{s}", &self.prefix)
            .replace("{Pool}", self.pool);
        for n in 1..=3 {
            let placeholder = match self.placeholder {
                "$" => format!("${n}"),
                other => other.to_owned(),
            };
            text = text.replace(&format!("{{{n}}}"), &placeholder);
        }
        text
    }
}

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
        .args(["build", "--offline", "--lib"])
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

/// A fresh directory under the target directory, emptied of the last run.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove the last run's crate");
    }
    std::fs::create_dir_all(&dir).expect("a directory for the crate");
    dir
}

/// Runs `init` in `root` with `args`; the manifest it wrote, which declares the two unique
/// keys of `orders`.
fn init(root: &Path, args: &[&str]) -> PathBuf {
    let out = run_in(root, &[&["init"][..], args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out, root));
    let manifest = root.join("tenant-schema.toml");
    let toml = std::fs::read_to_string(&manifest).expect("init wrote the manifest");
    assert!(
        toml.contains("unique = [[\"tenant_id\", \"id\"], [\"tenant_id\", \"slug\"]]\n"),
        "{toml}"
    );
    manifest
}

/// Writes the crate in `root/app` and builds it against `manifest`: it compiles, and with the
/// `broken` feature it fails with one error for each query outside the manifest.
fn compile_against(root: &Path, manifest: &Path, dialect: &Dialect) {
    let (repo, target) = workspace();
    let crate_dir = root.join("app");
    let repo_text = repo.to_str().expect("a UTF-8 workspace path");
    write(
        &crate_dir,
        "Cargo.toml",
        &CARGO_TOML
            .replace("{name}", dialect.name)
            .replace("{repo}", repo_text),
    );
    write(&crate_dir, "src/lib.rs", &dialect.lib_rs());
    std::fs::copy(repo.join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("copy the lock");

    let passing = build(&crate_dir, manifest, &target, &[]);
    let text = shown(&passing);
    assert!(passing.status.success(), "{text}");
    // Compiled now, against this manifest: not a build of an earlier run taken as fresh.
    let compiling = format!("Compiling {} v0.0.0", dialect.name);
    assert!(text.contains(&compiling), "{text}");

    let failing = build(&crate_dir, manifest, &target, &["broken"]);
    let text = shown(&failing);
    assert!(!failing.status.success(), "{text}");
    let prefix = &dialect.prefix;
    for expected in [
        format!("table `{prefix}orders` has no column `shipped_at`"),
        format!("table `{prefix}invoices` is not declared in "),
        format!("table `{prefix}countries` has no column `tenant_id`"),
    ] {
        assert!(text.contains(&expected), "`{expected}` is missing:\n{text}");
    }
    assert_eq!(
        text.matches("error: ").count(),
        4,
        "three errors and the summary:\n{text}"
    );
}

#[test]
fn init_manifest_of_a_sqlite_file_compiles_a_crate() {
    let root = fresh_dir("tq-init-e2e-sqlite");
    let schema: Vec<String> = SCHEMA.split(";\n").map(str::to_owned).collect();
    let url = sqlite_file(&root, "app.db", &schema);
    let manifest = init(&root, &["--database-url", &url]);
    let sqlite = Dialect {
        name: "tq-init-e2e-sqlite",
        prefix: String::new(),
        pool: "SqlitePool",
        placeholder: "?",
    };
    compile_against(&root, &manifest, &sqlite);
    a_manifest_edit_rebuilds_the_crate(&root.join("app"), &manifest);
}

/// Cargo rebuilds the crate when its manifest changes (the first macro call of a crate reads
/// the manifest with `include_bytes!`, which puts it in the crate's dep-info): with the global
/// table renamed in the manifest, the crate that compiled a moment ago no longer does, and with
/// the manifest restored it does again.
fn a_manifest_edit_rebuilds_the_crate(crate_dir: &Path, manifest: &Path) {
    let (_, target) = workspace();
    let original = std::fs::read_to_string(manifest).expect("the manifest");
    assert!(original.contains("[tables.countries]"), "{original}");
    let edited = original.replace("[tables.countries]", "[tables.nations]");
    std::fs::write(manifest, edited).expect("edit the manifest");
    let failing = build(crate_dir, manifest, &target, &[]);
    let text = shown(&failing);
    assert!(!failing.status.success(), "{text}");
    assert!(
        text.contains("table `countries` is not declared in "),
        "{text}"
    );

    std::fs::write(manifest, original).expect("restore the manifest");
    let passing = build(crate_dir, manifest, &target, &[]);
    assert!(passing.status.success(), "{}", shown(&passing));
}

#[test]
fn init_manifest_of_a_postgres_schema_compiles_a_crate() {
    let schema: Vec<String> = SCHEMA.split(";\n").map(str::to_owned).collect();
    let Some((_admin, name, _cleanup)) = postgres_schema(&schema) else {
        return;
    };
    let root = fresh_dir("tq-init-e2e-postgres");
    let manifest = init(
        &root,
        &["--database-url", &postgres_url(), "--schema", &name],
    );
    let postgres = Dialect {
        name: "tq-init-e2e-postgres",
        prefix: format!("{name}."),
        pool: "PgPool",
        placeholder: "$",
    };
    compile_against(&root, &manifest, &postgres);
}
