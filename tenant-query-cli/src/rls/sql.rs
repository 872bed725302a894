//! The SQL of the row-level security migration: the up file and the down file that undoes it.
//!
//! Every scoped table gets one policy comparing its tenant column with the setting
//! `tenant_query.tenant`:
//!
//! ```sql
//! tenant_id = NULLIF(current_setting('tenant_query.tenant', true), '')::bigint
//! ```
//!
//! - The setting is cast, never the column, so the btree index on the column still serves
//!   the comparison (`current_setting` is stable: the planner evaluates it once, as an index
//!   key). An `integer` or `smallint` column compared with a `bigint` keeps its index too:
//!   the integer btree operator family holds the cross-type operators.
//! - `current_setting(…, true)` is NULL when the setting was never defined, and `NULLIF`
//!   turns the empty string it holds after a transaction-local `set_config` ended into NULL:
//!   `column = NULL` matches no row and raises no error.

use tenant_query_core::{Manifest, TableConfig, TenantIdType};

use crate::pg_name::{ident, literal, schema_of, table};

/// The setting the policies read and `tenant_query::rls::begin` sets.
pub const SETTING: &str = "tenant_query.tenant";
/// The name of the policy on every scoped table.
pub const POLICY: &str = "tenant_query_isolation";
/// The name of the second policy of a `tenant_or_global` table: its shared rows, read only.
pub const SHARED_POLICY: &str = "tenant_query_shared_rows";
/// The privileges the application role gets on every declared table.
const TABLE_PRIVILEGES: &str = "SELECT, INSERT, UPDATE, DELETE";

/// The up and down migrations for `manifest`, with `role` as the application role.
pub struct Migration {
    /// Enables the policies, creates the role and grants it what it needs.
    pub up: String,
    /// Undoes `up`, except the role itself (roles belong to the cluster, not the database).
    pub down: String,
}

/// The migration for every scoped table of `manifest` (global tables are only granted).
pub fn migration(manifest: &Manifest, role: &str) -> Migration {
    let scoped: Vec<Scoped<'_>> = scoped_tables(manifest);
    let cast = sql_type(manifest.tenant_id_type());
    let mut up = up_header(role);
    up.push_str(&create_role(role, &scoped));
    for table in &scoped {
        up.push_str(&enable(table, cast));
    }
    up.push_str(&grants(role, manifest.tables(), Grant::Grant));
    let mut down = down_header(role);
    down.push_str(&grants(role, manifest.tables(), Grant::Revoke));
    for table in scoped.iter().rev() {
        down.push_str(&disable(table));
    }
    Migration { up, down }
}

/// The SQL type the setting is cast to: the type that holds the manifest's `TenantId`.
pub fn sql_type(tenant_id_type: TenantIdType) -> &'static str {
    match tenant_id_type {
        TenantIdType::I64 => "bigint",
        TenantIdType::I32 => "integer",
        TenantIdType::Uuid => "uuid",
        TenantIdType::String => "text",
    }
}

/// The tenant of the current transaction, NULL when none is set.
pub fn current_tenant(cast: &str) -> String {
    format!(
        "NULLIF(current_setting({}, true), '')::{cast}",
        literal(SETTING)
    )
}

fn up_header(role: &str) -> String {
    format!(
        "\
-- Row-level security for the tenant-scoped tables of the manifest, written by
-- `tenant-query rls`: a second layer under the tenant_query! macros.
--
-- Apply it as the owner of the tables. Every scoped table shows and accepts only the rows of
-- the tenant set for the current transaction, which `tenant_query::rls::begin` sets:
--   SELECT set_config('{SETTING}', '<tenant id>', true)
-- With no tenant set, a scoped table shows no row and accepts no write. FORCE makes the
-- owner subject to the policies too; superusers and BYPASSRLS roles are not.
--
-- The application role {role} is NOLOGIN and NOBYPASSRLS; log in as a member of it:
--   CREATE ROLE app_login LOGIN PASSWORD '…' NOBYPASSRLS IN ROLE {role};
\n",
        role = ident(role)
    )
}

fn down_header(role: &str) -> String {
    format!(
        "\
-- Undoes the row-level security migration written by `tenant-query rls`: the grants, the
-- policies, FORCE and ENABLE, and the tenant columns' defaults that it set.
-- The role {role} is kept: roles belong to the whole cluster. Drop it with
-- `DROP ROLE {role}` once no database grants it anything.
\n",
        role = ident(role)
    )
}

/// Creates the role unless it exists, and refuses a role that row-level security would not
/// apply to: a superuser, a BYPASSRLS role, or a member of a scoped table's owner.
fn create_role(role: &str, tables: &[Scoped<'_>]) -> String {
    let (name, quoted) = (literal(role), ident(role));
    let scoped = regclass_array(tables.iter().map(|t| t.name));
    format!(
        "\
DO $tq$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN
        CREATE ROLE {quoted} NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = {name} AND (rolsuper OR rolbypassrls)) THEN
        RAISE EXCEPTION 'the role % bypasses row-level security (SUPERUSER or BYPASSRLS)', {name};
    END IF;
    IF EXISTS (SELECT FROM pg_class WHERE oid = ANY ({scoped})
               AND pg_has_role({name}, relowner, 'MEMBER')) THEN
        RAISE EXCEPTION 'the role % owns a tenant-scoped table: use a role that does not', {name};
    END IF;
END
$tq$;
\n"
    )
}

/// ENABLE, FORCE, the policy, and the tenant column's default.
fn enable(config: &Scoped<'_>, cast: &str) -> String {
    let name = table(config.name);
    let column = ident(config.column);
    let tenant = current_tenant(cast);
    format!(
        "\
-- {name}: rows of the tenant in {column}{and_shared}.
ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {name} FORCE ROW LEVEL SECURITY;
CREATE POLICY {POLICY} ON {name}
    USING ({column} = {tenant})
    WITH CHECK ({column} = {tenant});
{shared}{default}\n",
        shared = shared_rows(config),
        default = set_default(config, &tenant),
        and_shared = if config.shared {
            ", and the shared rows (NULL) to read"
        } else {
            ""
        },
    )
}

/// A `tenant_or_global` table's shared rows (NULL tenant): visible to SELECT, and to nothing
/// else. Permissive policies add up per command, so SELECT sees the tenant's rows and the
/// shared ones, while UPDATE and DELETE (which must pass their own command's policies too)
/// and INSERT see the tenant's only.
fn shared_rows(config: &Scoped<'_>) -> String {
    if !config.shared {
        return String::new();
    }
    format!(
        "CREATE POLICY {SHARED_POLICY} ON {name} FOR SELECT\n    USING ({column} IS NULL);\n",
        name = table(config.name),
        column = ident(config.column),
    )
}

/// The tenant column's DEFAULT from the setting, where that is safe: when the column has no
/// default, identity or generation of its own (the down migration could not restore one).
fn set_default(config: &Scoped<'_>, tenant: &str) -> String {
    let (name, column) = (table(config.name), config.column);
    format!(
        "\
DO $tq$
BEGIN
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = {regclass} AND attname = {column_literal}
               AND NOT atthasdef AND attidentity = '' AND attgenerated = '') THEN
        ALTER TABLE {name} ALTER COLUMN {column_ident} SET DEFAULT {tenant};
    END IF;
END
$tq$;
",
        regclass = regclass(config.name),
        column_literal = literal(column),
        column_ident = ident(column),
    )
}

/// Undoes [`enable`] for one table.
fn disable(config: &Scoped<'_>) -> String {
    let name = table(config.name);
    let column = config.column;
    format!(
        "\
-- {name}
DO $tq$
BEGIN
    IF EXISTS (SELECT FROM pg_attrdef d JOIN pg_attribute a
                   ON a.attrelid = d.adrelid AND a.attnum = d.adnum
               WHERE d.adrelid = {regclass} AND a.attname = {column_literal}
               AND pg_get_expr(d.adbin, d.adrelid) LIKE {ours}) THEN
        ALTER TABLE {name} ALTER COLUMN {column_ident} DROP DEFAULT;
    END IF;
END
$tq$;
DROP POLICY IF EXISTS {POLICY} ON {name};
{shared}ALTER TABLE {name} NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {name} DISABLE ROW LEVEL SECURITY;
\n",
        regclass = regclass(config.name),
        column_literal = literal(column),
        column_ident = ident(column),
        ours = literal(&format!("%current_setting('{SETTING}'%")),
        shared = if config.shared {
            format!("DROP POLICY IF EXISTS {SHARED_POLICY} ON {name};\n")
        } else {
            String::new()
        },
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Grant {
    Grant,
    Revoke,
}

/// USAGE on the tables' schemas, the table privileges, and the sequences the tables' columns
/// own (`serial`, identity), granted to or revoked from `role`.
fn grants(role: &str, tables: &[TableConfig], grant: Grant) -> String {
    let quoted = ident(role);
    let (verb, to) = match grant {
        Grant::Grant => ("GRANT", "TO"),
        Grant::Revoke => ("REVOKE", "FROM"),
    };
    let names: Vec<String> = tables.iter().map(|t| table(&t.name)).collect();
    let mut sql = String::from(
        "-- The application role's privileges: the schemas, the declared tables, their sequences.\n",
    );
    let mut schemas: Vec<&str> = tables.iter().filter_map(|t| schema_of(&t.name)).collect();
    schemas.sort_unstable();
    schemas.dedup();
    for schema in &schemas {
        sql.push_str(&format!(
            "{verb} USAGE ON SCHEMA {} {to} {quoted};\n",
            ident(schema)
        ));
    }
    if tables.iter().any(|t| schema_of(&t.name).is_none()) {
        // Unqualified names resolve through the search path: grant the schema they land in.
        sql.push_str(&format!(
            "DO $tq$ BEGIN EXECUTE format('{verb} USAGE ON SCHEMA %I {to} %I', current_schema(), {}); END $tq$;\n",
            literal(role)
        ));
    }
    sql.push_str(&format!(
        "{verb} {TABLE_PRIVILEGES} ON {} {to} {quoted};\n",
        names.join(", ")
    ));
    sql.push_str(&sequences(role, tables, verb, to));
    sql.push('\n');
    sql
}

/// USAGE and SELECT on the sequences owned by the declared tables' columns.
fn sequences(role: &str, tables: &[TableConfig], verb: &str, to: &str) -> String {
    format!(
        "\
DO $tq$
DECLARE
    seq regclass;
BEGIN
    FOR seq IN
        SELECT DISTINCT d.objid::regclass FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
        WHERE s.relkind = 'S' AND d.classid = 'pg_class'::regclass
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        AND d.refobjid = ANY ({all})
    LOOP
        EXECUTE format('{verb} USAGE, SELECT ON SEQUENCE %s {to} %I', seq, {role});
    END LOOP;
END
$tq$;
",
        all = regclass_array(tables.iter().map(|t| t.name.as_str())),
        role = literal(role),
    )
}

/// `'orders'::regclass`: the table's OID, resolved as the statements above resolve its name.
fn regclass(name: &str) -> String {
    format!("{}::regclass", literal(&table(name)))
}

/// `ARRAY['orders', 'billing.invoices']::regclass[]`.
fn regclass_array<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|name| literal(&table(name))).collect();
    format!("ARRAY[{}]::regclass[]", names.join(", "))
}

/// A tenant-scoped table and its tenant column.
pub struct Scoped<'a> {
    /// The manifest key, e.g. `orders` or `billing.invoices`.
    pub name: &'a str,
    /// The tenant column.
    pub column: &'a str,
    /// Whether rows with a NULL tenant are shared (`tenant_or_global`).
    pub shared: bool,
}

/// The manifest's tenant-scoped tables, in manifest order.
pub fn scoped_tables(manifest: &Manifest) -> Vec<Scoped<'_>> {
    manifest
        .tables()
        .iter()
        .filter(|t| t.is_scoped())
        .map(|t| Scoped {
            name: &t.name,
            column: t
                .tenant_column
                .as_deref()
                .unwrap_or(manifest.tenant_column()),
            shared: t.shares_null_tenant_rows(),
        })
        .collect()
}
