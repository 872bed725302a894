//! The findings of `tenant-query check`, computed from the manifest and what was read from the
//! database (no database access here).

use serde::Serialize;
use tenant_query_core::{Dialect, Manifest, TableConfig, TenantIdType};

use crate::init::render::{key, quote_key, rust_type, same_column};
use crate::introspect::{Column, ForeignKey, Relation, Schema};

/// One finding: what is wrong with which table, why it leaks or breaks, and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable code, `TQC0001`…
    pub code: &'static str,
    /// The stable name of the code, `missing_table`…
    pub kind: &'static str,
    /// The table, as the manifest names it (or would).
    pub table: String,
    /// What is wrong.
    pub message: String,
    /// Why it leaks rows across tenants or breaks queries.
    pub why: String,
    /// The SQL or the manifest edit that fixes it.
    pub fix: String,
}

/// Every kind of finding: code, name.
pub const KINDS: &[(&str, &str)] = &[
    ("TQC0001", "missing_table"),
    ("TQC0002", "missing_column"),
    ("TQC0003", "undeclared_tenant_table"),
    ("TQC0004", "global_tenant_table"),
    ("TQC0005", "undeclared_columns"),
    ("TQC0006", "nullable_tenant_column"),
    ("TQC0007", "key_without_tenant_column"),
    ("TQC0008", "tenant_column_type"),
    ("TQC0009", "foreign_key_without_tenant_column"),
    ("TQC0010", "no_tenant_index"),
    ("TQC0011", "row_level_security_bypassed"),
    ("TQC0012", "missing_unique_key"),
];

fn finding(index: usize, table: &str, message: String, why: &str, fix: String) -> Finding {
    let (code, kind) = KINDS[index];
    Finding {
        code,
        kind,
        table: table.to_owned(),
        message,
        why: why.to_owned(),
        fix,
    }
}

/// The findings for `manifest` against `schema`, table by table in manifest order, then the
/// undeclared tables in schema order.
pub fn findings(manifest: &Manifest, schema: &Schema) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut matched = Vec::new();
    for relation in &schema.relations {
        let name = key(schema, relation);
        match manifest.table(&name) {
            Some(table) => matched.push((table, relation)),
            None => out.extend(undeclared(manifest, schema.dialect, &name, relation)),
        }
    }
    let mut declared = Vec::new();
    for table in manifest.tables() {
        match matched.iter().find(|(t, _)| t.name == table.name) {
            Some((_, relation)) => {
                declared.extend(table_findings(schema.dialect, manifest, table, relation));
                declared.extend(foreign_key_findings(manifest, schema, table, relation));
            }
            None => declared.push(finding(
                0,
                &table.name,
                format!(
                    "`{}` is declared but the database has no such table or view",
                    table.name
                ),
                "every statement that names it compiles and then fails at run time",
                format!(
                    "remove `[tables.{}]`, or create the table",
                    quote_key(&table.name)
                ),
            )),
        }
    }
    declared.extend(out);
    declared
}

/// An undeclared relation is a finding when it has the tenant column.
fn undeclared(
    manifest: &Manifest,
    dialect: Dialect,
    name: &str,
    relation: &Relation,
) -> Option<Finding> {
    let column = manifest.tenant_column();
    relation
        .columns
        .iter()
        .find(|c| same_column(dialect, &c.name, column))?;
    Some(finding(
        2,
        name,
        format!("`{name}` has the tenant column `{column}` but is not declared"),
        "a query on it does not compile, and declaring it global by mistake would show every \
         tenant's rows",
        format!(
            "add `[tables.{}]` with `scope = \"tenant\"` to the manifest",
            quote_key(name)
        ),
    ))
}

/// The findings of one declared table that exists.
fn table_findings(
    dialect: Dialect,
    manifest: &Manifest,
    table: &TableConfig,
    relation: &Relation,
) -> Vec<Finding> {
    let name = &table.name;
    let mut out = Vec::new();
    match &table.tenant_column {
        Some(tenant_column) => match column_of(dialect, relation, tenant_column) {
            None => out.push(missing_tenant_column(name, tenant_column)),
            Some(column) => {
                out.extend(nullable_finding(dialect, name, relation, column));
                out.extend(key_findings(dialect, name, relation, tenant_column));
                out.extend(index_finding(dialect, name, relation, tenant_column));
                out.extend(type_finding(
                    dialect,
                    manifest.tenant_id_type(),
                    name,
                    column,
                ));
            }
        },
        None => out.extend(global_finding(
            dialect,
            manifest.tenant_column(),
            name,
            relation,
        )),
    }
    if let Some(columns) = &table.columns {
        out.extend(column_findings(dialect, table, relation, columns));
    }
    out.extend(unique_findings(dialect, table, relation));
    out.extend(rls_finding(name, relation));
    out
}

/// The declared unique keys of a table that no primary key, unique constraint or unique index
/// of the database has, column for column in any order. A view has no keys of its own: its
/// declared keys are not checked.
fn unique_findings(dialect: Dialect, table: &TableConfig, relation: &Relation) -> Vec<Finding> {
    let name = &table.name;
    let declared = table.unique.iter().flatten();
    declared
        .filter(|key| !relation.view && !relation.has_unique_key(dialect, key))
        .map(|key| {
            let columns = key.join(", ");
            finding(
                11,
                name,
                format!(
                    "`{name}` declares the unique key ({columns}), which the database lacks: no \
                     primary key, unique constraint or unique index has exactly these columns"
                ),
                "the engine accepts upserts on this key because the manifest declares it: \
                 without it in the database, `ON CONFLICT` on it fails at run time, an upsert \
                 inserts a duplicate instead of updating, and a lookup by the key that the \
                 code assumes unique can return several rows",
                unique_key_fix(dialect, name, key),
            )
        })
        .collect()
}

/// The statement that adds a declared unique key, or the manifest edit when the database is
/// right.
fn unique_key_fix(dialect: Dialect, table: &str, key: &[String]) -> String {
    let base = table.rsplit('.').next().unwrap_or(table);
    let index = format!("{base}_{}_key", key.join("_"));
    let columns = key.join(", ");
    let add = match dialect {
        Dialect::MySql => format!("ALTER TABLE {table} ADD UNIQUE {index} ({columns});"),
        Dialect::Sqlite => format!("CREATE UNIQUE INDEX {index} ON {table} ({columns});"),
        _ => format!("ALTER TABLE {table} ADD CONSTRAINT {index} UNIQUE ({columns});"),
    };
    let quoted: Vec<String> = key.iter().map(|c| format!("\"{c}\"")).collect();
    format!(
        "{add} or, if the key is not meant to be unique, remove [{}] from `unique` of `{}`",
        quoted.join(", "),
        section(table)
    )
}

/// The column of `relation` that the manifest calls `name`.
fn column_of<'a>(dialect: Dialect, relation: &'a Relation, name: &str) -> Option<&'a Column> {
    relation
        .columns
        .iter()
        .find(|c| same_column(dialect, &c.name, name))
}

fn section(name: &str) -> String {
    format!("[tables.{}]", quote_key(name))
}

fn missing_tenant_column(name: &str, tenant_column: &str) -> Finding {
    finding(
        1,
        name,
        format!("the tenant column `{tenant_column}` of `{name}` does not exist"),
        "every scoped statement on it filters a column that is not there and fails",
        format!(
            "ALTER TABLE {name} ADD COLUMN {tenant_column} … NOT NULL; or set `tenant_column` \
             of `{}`",
            section(name)
        ),
    )
}

/// A nullable tenant column of a table (a view's columns are nullable as far as the catalogue
/// knows).
fn nullable_finding(
    dialect: Dialect,
    name: &str,
    relation: &Relation,
    column: &Column,
) -> Option<Finding> {
    (column.nullable && !relation.view).then(|| {
        finding(
            5,
            name,
            format!(
                "the tenant column `{}` of `{name}` is nullable",
                column.name
            ),
            "a row with NULL belongs to no tenant: no tenant sees it, and an INSERT that \
             bypasses the macros can create one",
            not_null_fix(dialect, name, &column.name, &column.data_type),
        )
    })
}

/// A global table with the manifest's default tenant column.
fn global_finding(
    dialect: Dialect,
    default_column: &str,
    name: &str,
    relation: &Relation,
) -> Option<Finding> {
    column_of(dialect, relation, default_column)?;
    Some(finding(
        3,
        name,
        format!("`{name}` is declared global but has the tenant column `{default_column}`"),
        "a global table is never filtered: every tenant sees and changes every tenant's rows",
        format!(
            "set `scope = \"tenant\"` in `{}`, unless the rows are shared on purpose",
            section(name)
        ),
    ))
}

/// Row-level security that is enabled but does not apply to the connecting role.
fn rls_finding(name: &str, relation: &Relation) -> Option<Finding> {
    let reason = relation.rls_bypass.as_deref()?;
    let fix = if reason.ends_with("FORCE is off") {
        format!("ALTER TABLE {name} FORCE ROW LEVEL SECURITY;")
    } else {
        "connect as a role without SUPERUSER and BYPASSRLS (ALTER ROLE … NOSUPERUSER \
         NOBYPASSRLS;)"
            .to_owned()
    };
    Some(finding(
        10,
        name,
        format!("row-level security on `{name}` does not apply to this connection: {reason}"),
        "the policies meant as a second line of defence are skipped: a statement that escapes \
         the macros sees every tenant's rows",
        fix,
    ))
}

/// A scoped table without an index that starts with its tenant column.
fn index_finding(
    dialect: Dialect,
    name: &str,
    relation: &Relation,
    tenant_column: &str,
) -> Option<Finding> {
    let indexed = relation
        .index_leads
        .iter()
        .any(|c| same_column(dialect, c, tenant_column));
    (!indexed && !relation.view).then(|| {
        let base = name.rsplit('.').next().unwrap_or(name);
        finding(
            9,
            name,
            format!("no index of `{name}` starts with the tenant column `{tenant_column}`"),
            "every scoped statement filters on it: without such an index each one scans the \
             whole table, every tenant's rows",
            format!("CREATE INDEX {base}_{tenant_column}_idx ON {name} ({tenant_column});"),
        )
    })
}

/// A tenant column whose type does not hold the manifest's `tenant_id_type`.
fn type_finding(
    dialect: Dialect,
    wanted: TenantIdType,
    name: &str,
    column: &Column,
) -> Option<Finding> {
    let found = rust_type(dialect, &column.data_type);
    let integer = |t: &str| t == "i64" || t == "i32";
    // SQLite stores every integer in 64 bits: both integer types fit.
    let fits = found == Some(wanted.as_str())
        || (dialect == Dialect::Sqlite && found.is_some_and(integer) && integer(wanted.as_str()));
    (!fits).then(|| {
        let wanted = wanted.as_str();
        finding(
            7,
            name,
            format!(
                "the tenant column `{}` of `{name}` is `{}`, which does not hold the manifest's \
                 tenant_id_type `{wanted}`",
                column.name, column.data_type
            ),
            "the tenant is bound as a value of another type: the comparison casts, fails, or \
             never matches",
            format!(
                "set `tenant_id_type = \"{}\"` in the manifest, or change the column's type",
                found.unwrap_or("…")
            ),
        )
    })
}

/// The primary key and unique keys of a scoped table that do not include its tenant column.
fn key_findings(
    dialect: Dialect,
    name: &str,
    relation: &Relation,
    tenant_column: &str,
) -> Vec<Finding> {
    let primary =
        (!relation.primary_key.is_empty()).then_some((None, &relation.primary_key, false));
    let unique = relation
        .unique_keys
        .iter()
        .map(|k| (Some(k.name.as_str()), &k.columns, k.expression));
    primary
        .into_iter()
        .chain(unique)
        .filter(|(_, columns, _)| !columns.iter().any(|c| same_column(dialect, c, tenant_column)))
        .map(|(key, columns, expression)| {
            let what = key.map_or_else(|| "primary key".to_owned(), |k| format!("unique key `{k}`"));
            // An expression part is named in the message and left to the reader in the fix.
            let (mut shown, mut fixed) = (columns.clone(), columns.clone());
            if expression {
                shown.push("an expression".to_owned());
                fixed.push("…".to_owned());
            }
            finding(
                6,
                name,
                format!(
                    "the {what} ({}) of `{name}` does not include the tenant column `{tenant_column}`",
                    shown.join(", ")
                ),
                "the key is unique across tenants: an upsert on it (ON CONFLICT, ON DUPLICATE KEY) \
                 can hit another tenant's row, and a tenant can learn that a value is taken",
                key_fix(dialect, name, key, tenant_column, &fixed),
            )
        })
        .collect()
}

/// The statement that puts the tenant column first in a key.
fn key_fix(
    dialect: Dialect,
    table: &str,
    key: Option<&str>,
    tenant_column: &str,
    columns: &[String],
) -> String {
    let columns = format!("{tenant_column}, {}", columns.join(", "));
    match (dialect, key) {
        (Dialect::MySql, None) => {
            format!("ALTER TABLE {table} DROP PRIMARY KEY, ADD PRIMARY KEY ({columns});")
        }
        (Dialect::MySql, Some(key)) => {
            format!("ALTER TABLE {table} DROP INDEX {key}, ADD UNIQUE {key} ({columns});")
        }
        (Dialect::Sqlite, None) => {
            format!("rebuild {table} with PRIMARY KEY ({columns}) (SQLite cannot alter a key)")
        }
        (Dialect::Sqlite, Some(key)) if key.starts_with("sqlite_autoindex_") => {
            format!("rebuild {table} with UNIQUE ({columns}) (SQLite cannot alter a constraint)")
        }
        (Dialect::Sqlite, Some(key)) => {
            format!("DROP INDEX {key}; CREATE UNIQUE INDEX {key} ON {table} ({columns});")
        }
        (_, None) => format!(
            "ALTER TABLE {table} DROP CONSTRAINT {}_pkey, ADD PRIMARY KEY ({columns});",
            table.rsplit('.').next().unwrap_or(table)
        ),
        (_, Some(key)) => format!(
            "ALTER TABLE {table} DROP CONSTRAINT {key}; (or DROP INDEX {key}, for an index) \
             CREATE UNIQUE INDEX {key} ON {table} ({columns});"
        ),
    }
}

/// Declared columns the table lacks, and table columns the manifest does not list.
fn column_findings(
    dialect: Dialect,
    table: &TableConfig,
    relation: &Relation,
    columns: &[String],
) -> Vec<Finding> {
    let name = &table.name;
    let section = section(name);
    let mut out = Vec::new();
    for column in columns {
        if !relation
            .columns
            .iter()
            .any(|c| same_column(dialect, &c.name, column))
        {
            out.push(finding(
                1,
                name,
                format!("the declared column `{column}` of `{name}` does not exist"),
                "statements that use it compile and then fail at run time",
                format!("remove \"{column}\" from `columns` of `{section}`"),
            ));
        }
    }
    let extra: Vec<&str> = relation
        .columns
        .iter()
        .filter(|c| !columns.iter().any(|d| same_column(dialect, &c.name, d)))
        .map(|c| c.name.as_str())
        .collect();
    if !extra.is_empty() {
        let listed: Vec<String> = relation
            .columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect();
        out.push(finding(
            4,
            name,
            format!(
                "`{name}` has columns that `columns` does not list: {}",
                extra.join(", ")
            ),
            "statements that use them do not compile",
            format!("columns = [{}]", listed.join(", ")),
        ));
    }
    out
}

/// The statement that makes a tenant column NOT NULL, once no row holds NULL.
fn not_null_fix(dialect: Dialect, table: &str, column: &str, data_type: &str) -> String {
    match dialect {
        Dialect::MySql => format!(
            "DELETE FROM {table} WHERE {column} IS NULL; ALTER TABLE {table} MODIFY {column} \
             {data_type} NOT NULL;"
        ),
        Dialect::Sqlite => format!(
            "DELETE FROM {table} WHERE {column} IS NULL; then rebuild {table} with `{column} \
             {data_type} NOT NULL` (SQLite cannot alter a column)"
        ),
        _ => format!(
            "DELETE FROM {table} WHERE {column} IS NULL; ALTER TABLE {table} ALTER COLUMN \
             {column} SET NOT NULL;"
        ),
    }
}

/// The foreign keys from a scoped table to a scoped table that do not pair the two tenant
/// columns: a row can reference another tenant's row.
fn foreign_key_findings(
    manifest: &Manifest,
    schema: &Schema,
    table: &TableConfig,
    relation: &Relation,
) -> Vec<Finding> {
    let Some(tenant_column) = table.tenant_column.as_deref() else {
        return Vec::new();
    };
    let dialect = schema.dialect;
    let mut out = Vec::new();
    for fk in &relation.foreign_keys {
        let Some(target) = schema.relations.iter().find(|r| references(dialect, fk, r)) else {
            continue;
        };
        let target_name = key(schema, target);
        let Some(target_column) = manifest
            .table(&target_name)
            .and_then(|t| t.tenant_column.clone())
        else {
            continue;
        };
        let target_columns = if fk.target_columns.is_empty() {
            &target.primary_key
        } else {
            &fk.target_columns
        };
        let paired = fk.columns.iter().zip(target_columns).any(|(from, to)| {
            same_column(dialect, from, tenant_column) && same_column(dialect, to, &target_column)
        });
        if !paired {
            out.push(finding(
                8,
                &table.name,
                format!(
                    "the foreign key `{}` ({}) of `{}` references `{target_name}` ({}) without \
                     the tenant columns",
                    fk.name,
                    fk.columns.join(", "),
                    table.name,
                    target_columns.join(", ")
                ),
                "a row can reference another tenant's row, and a join along the key (or a lazy \
                 load) reaches it",
                foreign_key_fix(
                    dialect,
                    &table.name,
                    fk,
                    &target_name,
                    tenant_column,
                    &target_column,
                    target_columns,
                ),
            ));
        }
    }
    out
}

/// Whether `fk` references `relation`.
fn references(dialect: Dialect, fk: &ForeignKey, relation: &Relation) -> bool {
    relation.schema == fk.target_schema
        && match dialect {
            Dialect::Postgres => relation.name == fk.target,
            _ => relation.name.eq_ignore_ascii_case(&fk.target),
        }
}

/// The statement that makes the foreign key composite, tenant column first on both sides; the
/// referenced table needs a unique key on the referenced columns with its tenant column.
fn foreign_key_fix(
    dialect: Dialect,
    table: &str,
    fk: &ForeignKey,
    target: &str,
    tenant_column: &str,
    target_tenant_column: &str,
    target_columns: &[String],
) -> String {
    let from = format!("{tenant_column}, {}", fk.columns.join(", "));
    let to = format!("{target_tenant_column}, {}", target_columns.join(", "));
    let name = &fk.name;
    match dialect {
        Dialect::Sqlite => format!(
            "rebuild {table} with FOREIGN KEY ({from}) REFERENCES {target} ({to}) (SQLite cannot \
             alter a key)"
        ),
        Dialect::MySql => format!(
            "ALTER TABLE {table} DROP FOREIGN KEY {name}, ADD CONSTRAINT {name} FOREIGN KEY \
             ({from}) REFERENCES {target} ({to});"
        ),
        _ => format!(
            "ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} FOREIGN KEY \
             ({from}) REFERENCES {target} ({to});"
        ),
    }
}
