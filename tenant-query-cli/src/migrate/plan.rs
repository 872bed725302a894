//! What the migration does, dialect by dialect the same: the scoped tables with their keys,
//! and the refusals of what cannot be done safely.

use tenant_query_core::{Dialect, Manifest, Scope, TenantIdType};

use crate::init::render::{key, same_column};
use crate::introspect::{ForeignKey, Relation, Schema, UniqueKey};
use crate::report::Failure;

/// The retrofit of one database.
#[derive(Debug)]
pub struct Plan {
    /// The dialect of the database.
    pub dialect: Dialect,
    /// The tenant registry table, as the SQL names it (`tenants`, `app.tenants`).
    pub registry: String,
    /// The manifest's tenant id type.
    pub id_type: TenantIdType,
    /// The default tenant's name.
    pub default_name: String,
    /// The rows stamped per statement of the backfill.
    pub batch_size: u64,
    /// The tables that become scoped, referenced tables first.
    pub tables: Vec<TablePlan>,
}

/// One table that becomes scoped.
#[derive(Debug)]
pub struct TablePlan {
    /// The name as the manifest (and the SQL) writes it.
    pub name: String,
    /// The new tenant column.
    pub column: String,
    /// The table as the database has it now.
    pub relation: Relation,
    /// The unique keys other than the primary key, rebuilt with the tenant column.
    pub unique_keys: Vec<UniqueKey>,
    /// The foreign keys to other scoped tables, rebuilt with both tenant columns.
    pub foreign_keys: Vec<ScopedForeignKey>,
}

/// A foreign key between two scoped tables.
#[derive(Debug)]
pub struct ScopedForeignKey {
    /// The key as the database has it now.
    pub key: ForeignKey,
    /// The referenced table, as the manifest names it.
    pub target: String,
    /// The referenced table's tenant column.
    pub target_column: String,
    /// The referenced columns (the referenced primary key when the key names none).
    pub target_columns: Vec<String>,
}

/// The choices of the command line.
pub struct Options {
    /// The registry table.
    pub registry: String,
    /// The default tenant's name.
    pub default_name: String,
    /// The rows stamped per statement of the backfill.
    pub batch_size: u64,
    /// The tenant column of the tables that use the manifest's default one.
    pub tenant_column: Option<String>,
}

/// The plan for `manifest` against `schema`, or the reason it cannot be made safely.
pub fn plan(manifest: &Manifest, schema: &Schema, options: Options) -> Result<Plan, Failure> {
    if options.batch_size == 0 {
        return Err(refuse(
            "--batch-size must be at least 1",
            "pass a positive number",
        ));
    }
    let mut tables = Vec::new();
    for table in manifest.tables() {
        if table.scope == Scope::TenantOrGlobal {
            return Err(refuse(
                &format!(
                    "`{}` is `tenant_or_global`, whose tenant column stays nullable",
                    table.name
                ),
                "retrofit it as `tenant`, or add its column by hand",
            ));
        }
        let Some(mut column) = table.tenant_column.clone().filter(|_| table.is_scoped()) else {
            continue;
        };
        if let Some(chosen) = &options.tenant_column {
            if column == manifest.tenant_column() {
                column = chosen.clone();
            }
        }
        let relation = relation_of(schema, &table.name)?;
        tables.push(table_plan(schema, &table.name, column, relation)?);
    }
    if tables.is_empty() {
        return Err(refuse(
            "the manifest declares no table with `scope = \"tenant\"`",
            "declare the tables that become scoped",
        ));
    }
    for table in &mut tables {
        table.foreign_keys = scoped_foreign_keys(manifest, schema, &table.relation);
    }
    refuse_outside_references(schema, &tables)?;
    order_parents_first(&mut tables);
    Ok(Plan {
        dialect: schema.dialect,
        registry: options.registry,
        id_type: manifest.tenant_id_type(),
        default_name: options.default_name,
        batch_size: options.batch_size,
        tables,
    })
}

/// A usage failure (exit 2) with the reason and the fix.
pub fn refuse(reason: &str, fix: &str) -> Failure {
    Failure::Input(format!("cannot retrofit: {reason}\n  help: {fix}"))
}

fn relation_of(schema: &Schema, name: &str) -> Result<Relation, Failure> {
    let found = schema.relations.iter().find(|r| key(schema, r) == name);
    match found {
        Some(r) if r.view => Err(refuse(
            &format!("`{name}` is a view"),
            "scope the tables under it; a view gets no tenant column",
        )),
        Some(r) => Ok(r.clone()),
        None => Err(refuse(
            &format!("the manifest declares `{name}` but the database has no such table"),
            "create the table, or remove it from the manifest",
        )),
    }
}

fn table_plan(
    schema: &Schema,
    name: &str,
    column: String,
    relation: Relation,
) -> Result<TablePlan, Failure> {
    let dialect = schema.dialect;
    if relation
        .columns
        .iter()
        .any(|c| same_column(dialect, &c.name, &column))
    {
        return Err(refuse(
            &format!("`{name}` already has a column `{column}`"),
            "retrofit only single-tenant tables; check an already scoped table with `tenant-query check`",
        ));
    }
    if relation.primary_key.is_empty() {
        return Err(refuse(
            &format!("`{name}` has no primary key, which the batched backfill pages over"),
            "add a primary key first",
        ));
    }
    if let Some(k) = relation.unique_keys.iter().find(|k| k.expression) {
        return Err(refuse(
            &format!(
                "the unique key `{}` of `{name}` has an expression part",
                k.name
            ),
            "rebuild that key with the tenant column by hand, then retrofit",
        ));
    }
    let unique_keys = relation.unique_keys.clone();
    Ok(TablePlan {
        name: name.to_owned(),
        column,
        relation,
        unique_keys,
        foreign_keys: Vec::new(),
    })
}

/// The foreign keys of `relation` to scoped tables.
fn scoped_foreign_keys(
    manifest: &Manifest,
    schema: &Schema,
    relation: &Relation,
) -> Vec<ScopedForeignKey> {
    let mut out = Vec::new();
    for fk in &relation.foreign_keys {
        let Some(target) = schema
            .relations
            .iter()
            .find(|r| references(schema.dialect, fk, r))
        else {
            continue;
        };
        let target_name = key(schema, target);
        let Some(target_column) = manifest
            .table(&target_name)
            .filter(|t| t.is_scoped())
            .and_then(|t| t.tenant_column.clone())
        else {
            continue;
        };
        let target_columns = if fk.target_columns.is_empty() {
            target.primary_key.clone()
        } else {
            fk.target_columns.clone()
        };
        out.push(ScopedForeignKey {
            key: fk.clone(),
            target: target_name,
            target_column,
            target_columns,
        });
    }
    out
}

/// Refuses when a table that stays unscoped references a table that becomes scoped: its key
/// changes, and the reference would lose its target.
fn refuse_outside_references(schema: &Schema, tables: &[TablePlan]) -> Result<(), Failure> {
    for relation in &schema.relations {
        let name = key(schema, relation);
        if tables.iter().any(|t| t.name == name) {
            continue;
        }
        for fk in &relation.foreign_keys {
            if let Some(t) = tables
                .iter()
                .find(|t| references(schema.dialect, fk, &t.relation))
            {
                return Err(refuse(
                    &format!(
                        "`{name}`, which stays unscoped, references `{}` with the foreign key `{}`; \
                         the key of `{}` becomes composite",
                        t.name, fk.name, t.name
                    ),
                    &format!("declare `{name}` with `scope = \"tenant\"` too, or drop that foreign key first"),
                ));
            }
        }
    }
    Ok(())
}

fn references(dialect: Dialect, fk: &ForeignKey, relation: &Relation) -> bool {
    relation.schema == fk.target_schema
        && match dialect {
            Dialect::Postgres => relation.name == fk.target,
            _ => relation.name.eq_ignore_ascii_case(&fk.target),
        }
}

/// Sorts the tables so that a referenced table comes before the tables that reference it
/// (cycles keep their manifest order).
fn order_parents_first(tables: &mut Vec<TablePlan>) {
    let mut ordered: Vec<TablePlan> = Vec::new();
    let mut rest = std::mem::take(tables);
    while !rest.is_empty() {
        let ready = rest.iter().position(|t| {
            t.foreign_keys.iter().all(|fk| {
                fk.target == t.name
                    || ordered.iter().any(|o| o.name == fk.target)
                    || !rest.iter().any(|r| r.name == fk.target)
            })
        });
        ordered.push(rest.remove(ready.unwrap_or(0)));
    }
    *tables = ordered;
}

impl Plan {
    /// The default tenant's id as a SQL literal: 1 for integer ids, a fixed UUID for `uuid`,
    /// the name for `string`.
    pub fn default_id(&self) -> String {
        match self.id_type {
            TenantIdType::I64 | TenantIdType::I32 => "1".to_owned(),
            TenantIdType::Uuid => "'00000000-0000-0000-0000-000000000001'".to_owned(),
            TenantIdType::String => literal(&self.default_name),
        }
    }

    /// The SQL type of the tenant column and the registry's id.
    pub fn id_sql_type(&self) -> &'static str {
        match (self.dialect, self.id_type) {
            (Dialect::Sqlite, TenantIdType::I64 | TenantIdType::I32) => "INTEGER",
            (Dialect::Sqlite, _) => "TEXT",
            (_, TenantIdType::I64) => "BIGINT",
            (Dialect::MySql, TenantIdType::I32) => "INT",
            (_, TenantIdType::I32) => "INTEGER",
            (Dialect::MySql, TenantIdType::Uuid) => "CHAR(36)",
            (_, TenantIdType::Uuid) => "UUID",
            (Dialect::MySql, TenantIdType::String) => "VARCHAR(255)",
            (_, TenantIdType::String) => "TEXT",
        }
    }

    /// An identifier, quoted for the dialect; `schema.table` is quoted part by part.
    pub fn quote(&self, name: &str) -> String {
        name.split('.')
            .map(|part| match self.dialect {
                Dialect::MySql => format!("`{}`", part.replace('`', "``")),
                _ => format!("\"{}\"", part.replace('"', "\"\"")),
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Quoted columns, comma-separated.
    pub fn columns(&self, columns: &[String]) -> String {
        columns
            .iter()
            .map(|c| self.quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The tenant column then `columns`, quoted.
    pub fn with_tenant(&self, tenant: &str, columns: &[String]) -> String {
        let mut all = vec![tenant.to_owned()];
        all.extend(columns.iter().cloned());
        self.columns(&all)
    }
}

/// A SQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The last part of a possibly qualified name.
pub fn base(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}
