//! `tenant-query rls` and `tenant-query distribute`: their output (insta snapshots in
//! `tests/snapshots/`), their refusals, and the row-level security migration applied to a
//! real PostgreSQL for every `tenant_id_type` and the column types it can meet.
//!
//! The behaviour under the macros and `tenant_query::rls::begin` (pool hazards, WITH CHECK,
//! no tenant set) is proven in the `rls-tests` crate, whose `migrations/` the test
//! `the_committed_rls_tests_migration_is_the_tools_output` keeps equal to this tool's output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Row};
use tenant_query_tests::support::{unique_name, PgRolesGuard, PgScratch};

const MANIFEST: &str = r#"dialect = "postgres"
tenant_id_type = "uuid"

[tables.customers]
scope = "tenant"

[tables."billing.invoices"]
scope = "tenant"
tenant_column = "org_id"

[tables.order]
scope = "tenant"

[tables.countries]
scope = "global"

[tables.settings]
scope = "tenant_or_global"
"#;

fn tool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenant-query"))
        .args(args)
        .env_remove("TENANT_QUERY_MANIFEST")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Status, standard output and standard error, with `dir` shown as `[DIR]`.
fn transcript(out: &Output, dir: &Path) -> String {
    format!(
        "exit status: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr)
    )
    .replace(dir.to_str().unwrap(), "[DIR]")
}

/// A temporary directory holding `manifest` as `tenant-schema.toml`.
fn with_manifest(manifest: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant-schema.toml");
    std::fs::write(&path, manifest).unwrap();
    (dir, path.to_str().unwrap().to_owned())
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn rls_writes_the_up_and_down_migrations() {
    let (dir, manifest) = with_manifest(MANIFEST);
    let up = dir.path().join("0003_tenant_rls.up.sql");
    let out = tool(&["rls", "--manifest", &manifest, "--out", path_str(&up)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("rls_transcript", transcript(&out, dir.path()));
    insta::assert_snapshot!("rls_up", std::fs::read_to_string(&up).unwrap());
    let down = dir.path().join("0003_tenant_rls.down.sql");
    insta::assert_snapshot!("rls_down", std::fs::read_to_string(down).unwrap());
}

#[test]
fn rls_names_the_files_in_a_directory_with_a_timestamp_and_never_overwrites() {
    let (dir, manifest) = with_manifest(MANIFEST);
    let out = tool(&[
        "rls",
        "--manifest",
        &manifest,
        "--out",
        path_str(dir.path()),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let up = report["up"].as_str().unwrap();
    let name = Path::new(up).file_name().unwrap().to_str().unwrap();
    let version = name.strip_suffix("_tenant_rls.up.sql").unwrap();
    assert!(
        version.len() == 14 && version.bytes().all(|b| b.is_ascii_digit()),
        "{name}"
    );
    assert_eq!(report["down"], up.replace(".up.sql", ".down.sql"));
    assert_eq!(report["role"], "tenant_app");
    assert_eq!(
        report["scoped"],
        serde_json::json!(["billing.invoices", "customers", "order", "settings"])
    );
    assert_eq!(report["global"], serde_json::json!(["countries"]));
    let again = tool(&["rls", "--manifest", &manifest, "--out", up]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists; nothing was written"));
}

#[test]
fn rls_refuses_what_it_cannot_protect() {
    let (dir, mysql) = with_manifest("dialect = \"mysql\"\n[tables.orders]\nscope = \"tenant\"\n");
    let out = tool(&["rls", "--manifest", &mysql, "--out", path_str(dir.path())]);
    insta::assert_snapshot!("rls_mysql", transcript(&out, dir.path()));
    let (dir, global) =
        with_manifest("dialect = \"postgres\"\n[tables.countries]\nscope = \"global\"\n");
    let out = tool(&["rls", "--manifest", &global, "--out", path_str(dir.path())]);
    insta::assert_snapshot!("rls_no_scoped_table", transcript(&out, dir.path()));
    let (dir, manifest) = with_manifest(MANIFEST);
    let bad = dir.path().join("rls.sql");
    let out = tool(&["rls", "--manifest", &manifest, "--out", path_str(&bad)]);
    insta::assert_snapshot!("rls_bad_out", transcript(&out, dir.path()));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a file was written"
    );
}

#[test]
fn the_committed_rls_tests_migration_is_the_tools_output() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rls-tests");
    let dir = tempfile::tempdir().unwrap();
    let up = dir.path().join("0001_tenant_rls.up.sql");
    let manifest = crate_dir.join("tenant-schema.toml");
    let out = tool(&[
        "rls",
        "--manifest",
        path_str(&manifest),
        "--role",
        "tq_rls_app",
        "--out",
        path_str(&up),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for file in ["0001_tenant_rls.up.sql", "0001_tenant_rls.down.sql"] {
        let committed = std::fs::read_to_string(crate_dir.join("migrations").join(file)).unwrap();
        let written = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert_eq!(
            committed, written,
            "rls-tests/migrations/{file} is stale: regenerate it with `tenant-query rls \
             --manifest rls-tests/tenant-schema.toml --role tq_rls_app --out \
             rls-tests/migrations/0001_tenant_rls.up.sql --force`"
        );
    }
}

#[test]
fn distribute_prints_the_citus_ddl() {
    let (dir, manifest) = with_manifest(MANIFEST);
    let out = tool(&["distribute", "--manifest", &manifest]);
    insta::assert_snapshot!("distribute", transcript(&out, dir.path()));
    let out = tool(&["distribute", "--manifest", &manifest, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["statements"].as_array().map(Vec::len), Some(5));
    let (dir, sqlite) =
        with_manifest("dialect = \"sqlite\"\n[tables.orders]\nscope = \"tenant\"\n");
    let out = tool(&["distribute", "--manifest", &sqlite]);
    insta::assert_snapshot!("distribute_sqlite", transcript(&out, dir.path()));
}

/// One `tenant_id_type` and a tenant column type it can meet, with two tenants' values.
struct Variant {
    tenant_id_type: &'static str,
    column_type: &'static str,
    tenants: [&'static str; 2],
}

const VARIANTS: &[Variant] = &[
    Variant {
        tenant_id_type: "i64",
        column_type: "bigint",
        tenants: ["1", "2"],
    },
    Variant {
        tenant_id_type: "i64",
        column_type: "integer",
        tenants: ["1", "2"],
    },
    Variant {
        tenant_id_type: "i32",
        column_type: "integer",
        tenants: ["1", "2"],
    },
    Variant {
        tenant_id_type: "i32",
        column_type: "smallint",
        tenants: ["1", "2"],
    },
    Variant {
        tenant_id_type: "uuid",
        column_type: "uuid",
        tenants: [
            "7f0c1c52-0d2a-4c55-9d3e-0b6f5b0c1a01",
            "7f0c1c52-0d2a-4c55-9d3e-0b6f5b0c1a02",
        ],
    },
    Variant {
        tenant_id_type: "string",
        column_type: "text",
        tenants: ["acme", "globex"],
    },
    Variant {
        tenant_id_type: "string",
        column_type: "varchar(64)",
        tenants: ["acme", "globex"],
    },
];

/// For every variant: the generated migration applies as the owner; a login member of the
/// role sees one tenant's rows through the tenant index, none without a tenant, and its
/// inserts get the tenant by default; `check` reports the superuser's bypass (TQC0011) and not
/// the member's; the down migration removes the policy.
#[test]
fn the_migration_is_correct_for_every_tenant_id_type_and_column_type() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for variant in VARIANTS {
        runtime.block_on(apply_and_probe(variant));
    }
}

async fn apply_and_probe(v: &Variant) {
    let Some(scratch) = PgScratch::create("tq_cli_rls").await else {
        return;
    };
    let mut owner = scratch.connect_options().connect().await.unwrap();
    let [a, b] = v.tenants;
    exec(
        &mut owner,
        &format!(
        "CREATE TABLE accounts (id integer NOT NULL, tenant_id {ty} NOT NULL, name text NOT NULL,
             PRIMARY KEY (tenant_id, id));
         INSERT INTO accounts SELECT i, '{a}', 'a' || i FROM generate_series(1, 3) i;
         INSERT INTO accounts SELECT i, '{b}', 'b' || i FROM generate_series(1, 3000) i;
         ANALYZE accounts",
        ty = v.column_type
    ),
    )
    .await;
    let applied = apply_rls(
        &scratch,
        &mut owner,
        &format!(
            "dialect = \"postgres\"\ntenant_id_type = \"{}\"\n[tables.accounts]\nscope = \"tenant\"\n",
            v.tenant_id_type
        ),
    )
    .await;
    let login = &applied.login;
    let app = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(scratch.connect_options().username(login))
        .await
        .unwrap();
    let what = format!(
        "{} column for tenant_id_type {}",
        v.column_type, v.tenant_id_type
    );
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT set_config('tenant_query.tenant', $1, true)")
        .bind(a)
        .execute(&mut *tx)
        .await
        .unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM accounts ORDER BY id")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(names, ["a1", "a2", "a3"], "{what}");
    let plan: Vec<String> =
        sqlx::query_scalar("EXPLAIN (COSTS OFF) SELECT name FROM accounts WHERE id = 2")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    let plan = plan.join("\n");
    assert!(
        plan.contains("accounts_pkey") && !plan.contains("Seq Scan"),
        "{what}:\n{plan}"
    );
    sqlx::query("INSERT INTO accounts (id, name) VALUES (9999, 'defaulted')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let unset: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&app)
        .await
        .unwrap();
    assert_eq!(unset, 0, "{what}: rows visible with no tenant set");
    let stamped: String =
        sqlx::query_scalar("SELECT tenant_id::text FROM accounts WHERE id = 9999")
            .fetch_one(&mut owner)
            .await
            .unwrap();
    assert_eq!(stamped, a, "{what}: the default");
    // `check` reads `public` unless the manifest names the schema.
    let (_check_dir, qualified) = with_manifest(&format!(
        "dialect = \"postgres\"\ntenant_id_type = \"{}\"\n[tables.\"{}.accounts\"]\nscope = \"tenant\"\n",
        v.tenant_id_type,
        scratch.name()
    ));
    let login_url = scratch.url().replacen("postgres@", &format!("{login}@"), 1);
    assert_bypass_report(&qualified, &scratch.url(), true, &what);
    assert_bypass_report(&qualified, &login_url, false, &what);
    app.close().await;
    let down = std::fs::read_to_string(applied.dir.path().join("1_rls.down.sql")).unwrap();
    exec(&mut owner, &down).await;
    let row = sqlx::query(
        "SELECT relrowsecurity, relforcerowsecurity, (SELECT COUNT(*) FROM pg_policy WHERE polrelid = c.oid)
         FROM pg_class c WHERE oid = 'accounts'::regclass",
    )
    .fetch_one(&mut owner)
    .await
    .unwrap();
    let state: (bool, bool, i64) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(state, (false, false, 0), "{what}: after the down migration");
    owner.close().await.unwrap();
    scratch.drop().await.unwrap();
}

/// A `tenant_or_global` table under the generated policies: the application role reads the
/// tenant's rows and the shared ones, but updates, deletes and inserts only the tenant's.
#[tokio::test]
async fn shared_rows_are_read_only_under_the_policies() {
    let Some(scratch) = PgScratch::create("tq_cli_rls_shared").await else {
        return;
    };
    let mut owner = scratch.connect_options().connect().await.unwrap();
    exec(
        &mut owner,
        "CREATE TABLE settings (tenant_id bigint, id integer PRIMARY KEY, name text NOT NULL);
         INSERT INTO settings VALUES (NULL, 1, 'default'), (NULL, 2, 'default'),
             (1, 11, 'own'), (2, 21, 'other')",
    )
    .await;
    let applied = apply_rls(
        &scratch,
        &mut owner,
        "dialect = \"postgres\"\n[tables.settings]\nscope = \"tenant_or_global\"\n",
    )
    .await;
    let mut app = scratch
        .connect_options()
        .username(&applied.login)
        .connect()
        .await
        .unwrap();
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT set_config('tenant_query.tenant', '1', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen: Vec<i32> = sqlx::query_scalar("SELECT id FROM settings ORDER BY id")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, [1, 2, 11], "the tenant's rows and the shared ones");
    let updated = sqlx::query("UPDATE settings SET name = 'changed'")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        updated.rows_affected(),
        1,
        "UPDATE touches the tenant's row only"
    );
    let deleted = sqlx::query("DELETE FROM settings")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        deleted.rows_affected(),
        1,
        "DELETE touches the tenant's row only"
    );
    let shared_insert = sqlx::query("INSERT INTO settings VALUES (NULL, 3, 'mine?')")
        .execute(&mut *tx)
        .await;
    assert!(shared_insert.is_err(), "a shared row cannot be inserted");
    tx.rollback().await.unwrap();
    app.close().await.unwrap();
    owner.close().await.unwrap();
    scratch.drop().await.unwrap();
}

/// A migration `tenant-query rls` wrote and the owner applied, and a login member of its role.
struct Applied {
    /// Holds the manifest and the up and down files.
    dir: tempfile::TempDir,
    login: String,
    /// Drops the roles (and the schema) when the test ends, passed or failed.
    _roles: PgRolesGuard,
}

/// Writes the migration for `manifest` with a role of its own, applies it as `owner`, and
/// creates a login member of the role, which the test connects as.
async fn apply_rls(scratch: &PgScratch, owner: &mut PgConnection, manifest: &str) -> Applied {
    let (dir, manifest) = with_manifest(manifest);
    let role = unique_name("tq_cli_app");
    let login = format!("{role}_login");
    let roles = PgRolesGuard {
        roles: vec![login.clone(), role.clone()],
        schema: scratch.name().to_owned(),
    };
    let up = dir.path().join("1_rls.up.sql");
    let out = tool(&[
        "rls",
        "--manifest",
        &manifest,
        "--role",
        &role,
        "--out",
        path_str(&up),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    exec(owner, &std::fs::read_to_string(&up).unwrap()).await;
    exec(owner, &format!("CREATE ROLE {login} LOGIN IN ROLE {role}")).await;
    Applied {
        dir,
        login,
        _roles: roles,
    }
}

/// Whether `tenant-query check` as the user of `url` reports that it bypasses the policy.
fn assert_bypass_report(manifest: &str, url: &str, bypassed: bool, what: &str) {
    let out = tool(&[
        "check",
        "--manifest",
        manifest,
        "--database-url",
        url,
        "--format",
        "json",
    ]);
    let report = text(&out.stdout);
    assert!(
        !report.is_empty(),
        "{what}: check printed nothing: {}",
        text(&out.stderr)
    );
    assert_eq!(
        report.contains("TQC0011"),
        bypassed,
        "{what}, {url}:\n{report}"
    );
}

async fn exec(conn: &mut PgConnection, sql: &str) {
    if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
    {
        panic!("{sql}\n: {e}");
    }
}
