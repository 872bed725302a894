//! From the introspected schema to `tenant-schema.toml` text: each table's scope, the reason
//! for it, and what a human has to decide.

use std::fmt::Write;

use serde::Serialize;
use tenant_query_core::Dialect;

use crate::introspect::{Relation, Schema};

/// Names of tables that usually list the tenants themselves.
const REGISTRY_NAMES: &[&str] = &[
    "tenant",
    "tenants",
    "workspace",
    "workspaces",
    "account",
    "accounts",
    "organization",
    "organizations",
    "organisation",
    "organisations",
    "org",
    "orgs",
];

/// Which column holds the tenant: one default, and overrides per table.
#[derive(Debug, Clone)]
pub struct TenantColumns {
    /// The default tenant column (`tenant_id` unless `--tenant-column NAME`).
    pub default: String,
    /// `--tenant-column TABLE=COLUMN`, as given.
    pub overrides: Vec<(String, String)>,
}

/// One table's decision.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The manifest key.
    pub table: String,
    /// `tenant` or `global`.
    pub scope: &'static str,
    /// Why it got that scope.
    pub why: String,
    /// What a human must decide about it.
    pub review: Vec<String>,
}

/// The manifest text and the decisions behind it.
pub struct Rendered {
    /// The `tenant-schema.toml` text.
    pub toml: String,
    /// One per table and view, in manifest order.
    pub decisions: Vec<Decision>,
}

impl TenantColumns {
    /// The tenant column of `relation` and whether an override chose it.
    fn of(&self, key: &str, relation: &Relation) -> (&str, bool) {
        let named = |table: &str| table == key || table == relation.name;
        match self.overrides.iter().find(|(table, _)| named(table)) {
            Some((_, column)) => (column, true),
            None => (&self.default, false),
        }
    }
}

/// The manifest for `schema`.
pub fn render(schema: &Schema, columns: &TenantColumns) -> Rendered {
    let dialect = schema.dialect;
    let mut body = String::new();
    let mut decisions = Vec::new();
    let mut tenant_types = Vec::new();
    for relation in &schema.relations {
        let key = key(schema, relation);
        let (tenant_column, overridden) = columns.of(&key, relation);
        let found = relation
            .columns
            .iter()
            .find(|c| same_column(dialect, &c.name, tenant_column));
        let mut decision = decide(
            &key,
            relation,
            tenant_column,
            overridden,
            found.map(|c| c.nullable),
        );
        // Only scoped tables get `unique`: the engine reads it for upserts into scoped tables
        // (statements on global tables pass through unchanged), so on a global table it would
        // decide nothing and only give `check` more to compare. A view has no keys of its own,
        // but an insert through it can conflict on its base table's: no list, so the engine
        // assumes nothing.
        let mut unique = None;
        if let Some(column) = found.filter(|_| !relation.view) {
            match unique_keys(dialect, relation, &column.name) {
                Ok(keys) => unique = Some(keys),
                Err(note) => decision.review.push(note),
            }
        }
        if let Some(column) = found {
            tenant_types.push(column.data_type.clone());
        }
        let entry = Entry {
            tenant_column: found.map(|c| c.name.as_str()),
            unique: unique.as_deref(),
        };
        write_table(&mut body, &decision, relation, &entry, &columns.default);
        decisions.push(decision);
    }
    let mut toml = header(schema, columns, &tenant_types);
    toml.push_str(&body);
    Rendered { toml, decisions }
}

/// The manifest key: the bare name in the default schema, else `schema.table`.
pub(crate) fn key(schema: &Schema, relation: &Relation) -> String {
    match &relation.schema {
        Some(s) if Some(s) != schema.default_schema.as_ref() => format!("{s}.{}", relation.name),
        _ => relation.name.clone(),
    }
}

/// Whether the database's `column` is the manifest's `wanted`, by the dialect's rules.
pub(crate) fn same_column(dialect: Dialect, column: &str, wanted: &str) -> bool {
    match dialect {
        Dialect::Postgres => column == wanted,
        _ => column.eq_ignore_ascii_case(wanted),
    }
}

/// The scope of one relation, why, and what needs review.
fn decide(
    key: &str,
    relation: &Relation,
    tenant_column: &str,
    overridden: bool,
    nullable: Option<bool>,
) -> Decision {
    let what = if relation.view { "view" } else { "table" };
    let (scope, why) = match nullable {
        Some(_) if overridden => (
            "tenant",
            format!("`{tenant_column}` is its tenant column (--tenant-column)"),
        ),
        Some(_) => (
            "tenant",
            format!("the {what} has the tenant column `{tenant_column}`"),
        ),
        None if overridden => (
            "global",
            format!("no column `{tenant_column}`, although --tenant-column names it"),
        ),
        None => (
            "global",
            format!("the {what} has no column `{tenant_column}`"),
        ),
    };
    let mut review = Vec::new();
    // A view's columns are nullable as far as the catalogue knows; its base table decides.
    if nullable == Some(true) && !relation.view {
        review.push(format!(
            "`{tenant_column}` is nullable: a row with NULL belongs to no tenant and no tenant \
             sees it; make it NOT NULL"
        ));
    }
    if REGISTRY_NAMES.contains(&relation.name.to_lowercase().as_str()) {
        review.push(
            "named like a tenant registry: its rows may be the tenants themselves; decide \
             whether each tenant may see only its own row (tenant) or all of them (global)"
                .to_owned(),
        );
    }
    if nullable.is_some()
        && relation.primary_key.len() == 1
        && relation.primary_key[0] == tenant_column
    {
        review.push(format!(
            "`{tenant_column}` is this table's own primary key: one row per tenant, or the \
             tenant registry itself; check that tenant scope is meant"
        ));
    }
    Decision {
        table: key.to_owned(),
        scope,
        why,
        review,
    }
}

/// The `unique` list of a scoped table: its primary key and unique keys, each once, in the
/// catalogue's order (`[]` when it has none, which tells the engine that no upsert can
/// conflict). A key with expression parts (`lower(email)`) cannot be listed: when it holds the
/// tenant column it is tenant-local and leaving it out changes nothing the engine decides;
/// when it does not, the list would wrongly say every key is tenant-local, so there is no list
/// (the engine then assumes nothing) and the error is the review note.
fn unique_keys(
    dialect: Dialect,
    relation: &Relation,
    tenant_column: &str,
) -> Result<Vec<Vec<String>>, String> {
    let has_tenant = |key: &[String]| key.iter().any(|c| same_column(dialect, c, tenant_column));
    let cross_tenant_expression = relation
        .unique_keys
        .iter()
        .find(|k| k.expression && !has_tenant(&k.columns));
    if let Some(key) = cross_tenant_expression {
        return Err(format!(
            "the unique index `{}` has expression parts and no `{tenant_column}`: the manifest \
             cannot list it, so `unique` is left out and the engine refuses the upserts that \
             could conflict on it; make the key tenant-local",
            key.name
        ));
    }
    let primary = Some(relation.primary_key.clone()).filter(|k| !k.is_empty());
    let listed = relation
        .unique_keys
        .iter()
        .filter(|k| !k.expression)
        .map(|k| k.columns.clone());
    let mut keys: Vec<Vec<String>> = Vec::new();
    for key in primary.into_iter().chain(listed) {
        let mut sorted = key.clone();
        sorted.sort();
        let seen = keys.iter().any(|k| {
            let mut other = k.clone();
            other.sort();
            other == sorted
        });
        if !seen {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// What one `[tables.…]` entry holds besides its scope and columns.
struct Entry<'a> {
    /// The tenant column as the table names it, when scoped.
    tenant_column: Option<&'a str>,
    /// The unique keys, when they are written.
    unique: Option<&'a [Vec<String>]>,
}

/// The comments and keys of one `[tables.…]` entry.
fn write_table(
    out: &mut String,
    decision: &Decision,
    relation: &Relation,
    entry: &Entry<'_>,
    default_column: &str,
) {
    let _ = writeln!(out, "\n# {}: {}.", decision.scope, decision.why);
    for note in &decision.review {
        let _ = writeln!(out, "# REVIEW: {note}.");
    }
    let _ = writeln!(out, "[tables.{}]", quote_key(&decision.table));
    let _ = writeln!(out, "scope = \"{}\"", decision.scope);
    if let Some(column) = entry.tenant_column.filter(|c| *c != default_column) {
        let _ = writeln!(out, "tenant_column = {}", quote(column));
    }
    let names: Vec<String> = relation.columns.iter().map(|c| quote(&c.name)).collect();
    let _ = writeln!(out, "columns = [{}]", names.join(", "));
    if let Some(keys) = entry.unique {
        let keys: Vec<String> = keys
            .iter()
            .map(|key| {
                let names: Vec<String> = key.iter().map(|c| quote(c)).collect();
                format!("[{}]", names.join(", "))
            })
            .collect();
        let _ = writeln!(out, "unique = [{}]", keys.join(", "));
    }
}

/// The file's opening comment and settings.
fn header(schema: &Schema, columns: &TenantColumns, tenant_types: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `tenant-query init` from a live {} database.\n\
         # A table is tenant-scoped when it has the tenant column. Review every table, above\n\
         # all those marked REVIEW, before relying on this file.",
        schema.dialect
    );
    let _ = writeln!(out, "dialect = \"{}\"", schema.dialect);
    let _ = writeln!(out, "tenant_column = {}", quote(&columns.default));
    match id_type(schema.dialect, tenant_types) {
        Some(ty) => {
            let _ = writeln!(out, "tenant_id_type = \"{ty}\"");
        }
        None if !tenant_types.is_empty() => {
            let _ = writeln!(
                out,
                "# REVIEW: the tenant columns' types ({}) do not name one tenant_id_type; set it.",
                distinct(tenant_types).join(", ")
            );
        }
        None => {}
    }
    out
}

/// The `tenant_id_type` every tenant column's type fits, when they agree on one.
fn id_type(dialect: Dialect, types: &[String]) -> Option<&'static str> {
    let mapped: Vec<Option<&'static str>> = types.iter().map(|t| rust_type(dialect, t)).collect();
    let first = (*mapped.first()?)?;
    mapped.iter().all(|m| *m == Some(first)).then_some(first)
}

/// The `tenant_id_type` of a column type, as PostgreSQL, MySQL or SQLite names it.
pub(crate) fn rust_type(dialect: Dialect, data_type: &str) -> Option<&'static str> {
    let base = data_type.split('(').next().unwrap_or_default().trim();
    match base {
        // SQLite's integers are 64-bit whatever the declared name.
        "integer" | "int" | "bigint" if dialect == Dialect::Sqlite => Some("i64"),
        "bigint" | "int8" | "bigserial" => Some("i64"),
        "integer" | "int" | "int4" | "serial" => Some("i32"),
        "uuid" => Some("uuid"),
        "text" | "varchar" | "char" | "character varying" | "character" => Some("string"),
        _ => None,
    }
}

fn distinct(types: &[String]) -> Vec<String> {
    let mut out = types.to_vec();
    out.sort();
    out.dedup();
    out
}

/// A TOML basic string (JSON's escapes are TOML's).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

/// A TOML key: bare when it can be, quoted otherwise.
pub(crate) fn quote_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_owned()
    } else {
        quote(key)
    }
}
