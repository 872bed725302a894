//! The engine cases: every file of `tests/cases/*.toml` runs every case it holds through the
//! engine and compares the whole output with its snapshot, `tests/snapshots/cases__<file>.snap`
//! (reviewed by eye: an accepted statement's rewritten SQL, bind plan and scoped tables, or
//! a refused one's diagnostic). Fail closed: what a snapshot shows refused must stay refused.
//!
//! A case file:
//!
//! ```toml
//! dialects = ["postgres"]             # the default for its cases
//!
//! # Why the case is there.
//! [[case]]
//! sql = "SELECT * FROM orders"
//! dialects = ["mysql", "sqlite"]      # optional: every dialect listed runs the case
//! entry = "check_unscoped"            # optional: `rewrite` (the default), `check_unscoped`,
//!                                     # `rewrite_for_set` or `rewrite_for_set_writes_all`
//! manifest = "…"                      # optional: instead of tests/cases/tenant-schema.toml
//! ```
//!
//! Add a file's name to [`case_files!`] below. After a change, `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test -p tenant-query-core --test cases`) and read the diff.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// The dialects a case runs in when it names none.
    dialects: Vec<String>,
    /// The cases, in order.
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

/// One statement, run in one or more dialects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The statement.
    sql: String,
    /// The dialects to run it in, instead of the file's.
    dialects: Option<Vec<String>>,
    /// The engine entry point.
    #[serde(default)]
    entry: Entry,
    /// A manifest of its own, instead of the shared one.
    manifest: Option<String>,
}

/// The engine entry point a case goes through.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Entry {
    /// `rewrite`: scope the statement to a tenant.
    #[default]
    Rewrite,
    /// `check_unscoped`: check a statement that runs for every tenant.
    CheckUnscoped,
    /// `rewrite_for_set` with `SetWrites::ReadOnly`: scope the statement to a tenant set.
    RewriteForSet,
    /// `rewrite_for_set` with `SetWrites::All`: scope it to a set, writes allowed.
    RewriteForSetWritesAll,
}

/// The manifest every case uses unless it brings its own. Scoped: orders, customers,
/// order_items, users (tenant column `org_id`, declared columns), billing.invoices. Global:
/// countries. Declared functions: slugify, billing.price_with_tax. It differs from the
/// database fixture's (`tenant-query-tests`) on purpose: it exercises declared columns,
/// schema-qualified names and declared functions, which need no rows.
const MANIFEST: &str = include_str!("cases/tenant-schema.toml");

macro_rules! case_files {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_file(stringify!($name));
            }
        )*
        /// Every case file, as listed.
        const CASE_FILES: &[&str] = &[$(stringify!($name)),*];
    };
}

case_files!(
    // Accepted statements, by construct.
    select_from_one_table,
    per_table_tenant_column,
    bare_names_that_are_not_checked_columns,
    global_tables_pass_through_unchanged,
    global_statements_with_comments_are_sent_as_parsed,
    inner_and_cross_joins,
    outer_joins_stay_outer,
    outer_joins_without_on_and_full_joins,
    subqueries_everywhere,
    ctes_and_set_operations,
    update_and_delete,
    inserts_are_stamped,
    upserts_only_update_the_tenants_row,
    tenant_or_global_tables,
    tenant_sets,
    mysql_positional_placeholders_and_bind_plan,
    mysql_multi_table_dml_and_duplicate_key_update,
    sqlite_numbered_placeholders,
    quoted_names_follow_the_dialect,
    familiar_functions,
    set_returning_functions,
    // Refused statements (with a few accepted neighbours), by reason.
    unknown_tables_and_columns,
    tenant_column_writes,
    unsafe_statements,
    inserts_that_cannot_be_stamped,
    upserts_whose_arbiter_may_be_another_tenants,
    names_the_databases_resolve_differently,
    reads_the_walk_cannot_see,
    joins_that_cannot_be_filtered_exactly,
    functions_and_placeholders,
    functions_that_are_not_allowed,
    syntax_errors_carry_sqlparser_positions,
);

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// No case file is left out of [`case_files!`], and none listed is missing.
#[test]
fn every_case_file_runs() {
    let mut on_disk: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/cases is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .filter(|stem| stem != "tenant-schema")
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = CASE_FILES.to_vec();
    listed.sort_unstable();
    assert_eq!(on_disk, listed, "tests/cases and case_files! disagree");
}

/// Runs every case of `tests/cases/{name}.toml` and compares the output with the snapshot.
fn run_file(name: &str) {
    let path = cases_dir().join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file: CaseFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!file.cases.is_empty(), "{}: no cases", path.display());
    let mut out = String::new();
    for case in &file.cases {
        for dialect in case.dialects.as_ref().unwrap_or(&file.dialects) {
            out.push_str(&format!("── {dialect}\n{}\n", visible(&case.sql)));
            out.push_str(&engine::outcome(case, dialect));
            out.push('\n');
        }
    }
    insta::with_settings!({
        description => format!("tests/cases/{name}.toml"),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, out);
    });
}

/// `sql` with its invisible characters (a no-break space, NUL) written as escapes.
fn visible(sql: &str) -> String {
    sql.chars()
        .map(|c| match c {
            ' ' | '\n' => c.to_string(),
            c if c.is_whitespace() || c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Everything these tests know of the engine's API, in one place.
mod engine {
    use tenant_query_core::{
        check_unscoped, rewrite, rewrite_for_set, Diagnostic, Dialect, Manifest, RenderStyle,
        Rewritten, SetWrites,
    };

    use super::{Case, Entry, MANIFEST};

    /// What the engine makes of `case` in `dialect`, as the snapshot shows it.
    pub(super) fn outcome(case: &Case, dialect: &str) -> String {
        let dialect: Dialect = dialect
            .parse()
            .unwrap_or_else(|e| panic!("a case names the dialect `{dialect}`: {e}"));
        let text = case.manifest.as_deref().unwrap_or(MANIFEST);
        let manifest = Manifest::from_toml_str(text, "tenant-schema.toml")
            .unwrap_or_else(|e| panic!("the case manifest is invalid: {e}"))
            .with_dialect(dialect);
        let scoped = match case.entry {
            Entry::Rewrite => rewrite(&manifest, &case.sql),
            Entry::RewriteForSet => rewrite_for_set(&manifest, &case.sql, SetWrites::ReadOnly),
            Entry::RewriteForSetWritesAll => rewrite_for_set(&manifest, &case.sql, SetWrites::All),
            Entry::CheckUnscoped => return unscoped(&manifest, case),
        };
        match scoped {
            Ok(out) => accepted(&out),
            Err(e) => refused(&e, &case.sql),
        }
    }

    /// An accepted rewrite: the SQL, the bind plan and the scoped tables.
    fn accepted(out: &Rewritten) -> String {
        format!(
            "=> {}\n   binds: {:?} (user arguments: {})\n   scoped: {:?}\n",
            out.sql, out.bind_plan.slots, out.bind_plan.user_args, out.scoped_tables
        )
    }

    /// What `check_unscoped` makes of `case`.
    fn unscoped(manifest: &Manifest, case: &Case) -> String {
        match check_unscoped(manifest, &case.sql) {
            Ok(out) => format!(
                "=> {}\n   binds: {:?} (user arguments: {})\n",
                out.sql, out.bind_plan.slots, out.bind_plan.user_args
            ),
            Err(e) => refused(&e, &case.sql),
        }
    }

    /// A refusal: its kind and the diagnostic as a user sees it, with the SQL and the spans
    /// drawn. Every problem of a refusal offers a fix.
    fn refused(e: &Diagnostic, sql: &str) -> String {
        for problem in e.problems() {
            assert!(
                problem.help.is_some(),
                "every rejection offers a fix: {problem}"
            );
        }
        format!(
            "!! {:?}\n{}\n",
            e.kind,
            e.render(sql, "SQL", RenderStyle::Plain)
        )
    }
}
