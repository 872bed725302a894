//! `tenant-schema.toml`: which tables are scoped to a tenant and which are global.
//!
//! ```toml
//! dialect = "postgres"          # postgres | mysql | sqlite
//! tenant_column = "tenant_id"   # default tenant column of scoped tables
//! tenant_id_type = "i64"        # i64 | i32 | uuid | string (the Rust type of TenantId)
//!
//! [tables.orders]
//! scope = "tenant"
//!
//! [tables.users]
//! scope = "tenant"
//! tenant_column = "org_id"
//! columns = ["id", "org_id", "email"]
//!
//! [tables."billing.invoices"]
//! scope = "tenant"
//!
//! [tables.countries]
//! scope = "global"
//! ```

use std::fmt;
use std::path::Path;

use sqlparser::ast::{Ident, ObjectName};

use crate::dialect::Dialect;

/// Whether a table's rows belong to one tenant or are shared by all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every row belongs to one tenant; every reference is filtered on the tenant column.
    Tenant,
    /// Shared reference data; never filtered.
    Global,
}

/// The Rust type inside `TenantId`, chosen by the manifest's `tenant_id_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TenantIdType {
    /// `i64` (the default): `BIGINT` columns.
    #[default]
    I64,
    /// `i32`: `INTEGER` columns.
    I32,
    /// `uuid::Uuid`: `UUID` columns.
    Uuid,
    /// `String`: text columns.
    String,
}

impl TenantIdType {
    /// The spelling used in `tenant-schema.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantIdType::I64 => "i64",
            TenantIdType::I32 => "i32",
            TenantIdType::Uuid => "uuid",
            TenantIdType::String => "string",
        }
    }
}

/// One `[tables.NAME]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableConfig {
    /// The key as written in the manifest, e.g. `orders` or `billing.invoices`.
    pub name: String,
    /// Tenant-scoped or global.
    pub scope: Scope,
    /// The tenant column of a scoped table (the table's override or the manifest default);
    /// `None` for global tables.
    pub tenant_column: Option<String>,
    /// The declared columns, when the manifest lists them.
    pub columns: Option<Vec<String>>,
    normalized: Vec<String>,
}

impl TableConfig {
    /// Whether this table is filtered to the tenant.
    pub fn is_scoped(&self) -> bool {
        self.scope == Scope::Tenant
    }
}

/// An invalid manifest: which file, which key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// The file (or other origin) the manifest came from.
    pub origin: String,
    /// The offending key, dotted (`tables.orders.scope`), when there is one.
    pub key: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{}: `{}`: {}", self.origin, key, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for ManifestError {}

/// A validated `tenant-schema.toml`.
///
/// ```
/// use tenant_query_core::{Dialect, Manifest};
///
/// let manifest = Manifest::from_toml_str(
///     r#"
///     dialect = "postgres"
///     [tables.orders]
///     scope = "tenant"
///     [tables.countries]
///     scope = "global"
///     "#,
///     "tenant-schema.toml",
/// )?;
/// assert_eq!(manifest.dialect(), Dialect::Postgres);
/// assert!(manifest.table("public.orders").unwrap().is_scoped());
/// assert!(!manifest.table("countries").unwrap().is_scoped());
/// # Ok::<(), tenant_query_core::ManifestError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    dialect: Dialect,
    tenant_column: String,
    tenant_id_type: TenantIdType,
    tables: Vec<TableConfig>,
    origin: String,
}

const TOP_KEYS: &[&str] = &["dialect", "tenant_column", "tenant_id_type", "tables"];
const TABLE_KEYS: &[&str] = &["scope", "tenant_column", "columns"];

impl Manifest {
    /// Reads and validates a manifest file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Manifest, ManifestError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ManifestError {
            origin: origin.clone(),
            key: None,
            message: format!("cannot read the manifest: {e}"),
        })?;
        Manifest::from_toml_str(&text, &origin)
    }

    /// Parses and validates manifest text; `origin` names it in error messages.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Manifest, ManifestError> {
        let err = |key: Option<String>, message: String| ManifestError {
            origin: origin.to_owned(),
            key,
            message,
        };
        let root: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err(None, e.to_string().trim_end().to_owned()))?;

        for key in root.keys() {
            if !TOP_KEYS.contains(&key.as_str()) {
                return Err(err(Some(key.clone()), unknown_key_message(key, TOP_KEYS)));
            }
        }

        let dialect = match root.get("dialect") {
            None => {
                return Err(err(
                    Some("dialect".into()),
                    "missing; add `dialect = \"postgres\"` (or \"mysql\", \"sqlite\")".into(),
                ))
            }
            Some(v) => {
                let s = expect_str(v).ok_or_else(|| {
                    err(
                        Some("dialect".into()),
                        "must be a string: \"postgres\", \"mysql\" or \"sqlite\"".into(),
                    )
                })?;
                s.parse::<Dialect>()
                    .map_err(|m| err(Some("dialect".into()), m))?
            }
        };

        let tenant_column = match root.get("tenant_column") {
            None => "tenant_id".to_owned(),
            Some(v) => valid_column_name(v)
                .map_err(|m| err(Some("tenant_column".into()), m))?
                .to_owned(),
        };

        let tenant_id_type = match root.get("tenant_id_type") {
            None => TenantIdType::default(),
            Some(v) => match expect_str(v) {
                Some("i64") => TenantIdType::I64,
                Some("i32") => TenantIdType::I32,
                Some("uuid") => TenantIdType::Uuid,
                Some("string") => TenantIdType::String,
                _ => {
                    return Err(err(
                        Some("tenant_id_type".into()),
                        format!(
                            "unknown type {}; expected \"i64\", \"i32\", \"uuid\" or \"string\"",
                            v
                        ),
                    ))
                }
            },
        };

        let mut tables: Vec<TableConfig> = Vec::new();
        let declared = match root.get("tables") {
            None => None,
            Some(toml::Value::Table(t)) => Some(t),
            Some(_) => {
                return Err(err(
                    Some("tables".into()),
                    "must be a table of tables, e.g. `[tables.orders]`".into(),
                ))
            }
        };
        for (name, value) in declared.into_iter().flatten() {
            let key = format!("tables.{}", toml_key(name));
            let table = value.as_table().ok_or_else(|| {
                err(
                    Some(key.clone()),
                    "must be a table with a `scope`, e.g. `[tables.orders]` and `scope = \"tenant\"`"
                        .into(),
                )
            })?;
            for k in table.keys() {
                if !TABLE_KEYS.contains(&k.as_str()) {
                    return Err(err(
                        Some(format!("{key}.{}", toml_key(k))),
                        unknown_key_message(k, TABLE_KEYS),
                    ));
                }
            }
            let parts: Vec<&str> = name.split('.').collect();
            if parts.iter().any(|p| p.is_empty() || p.trim() != *p) || parts.len() > 2 {
                return Err(err(
                    Some(key),
                    "a table name is `table` or `schema.table`, without spaces or empty parts"
                        .into(),
                ));
            }
            let scope =
                match table.get("scope").map(expect_str) {
                    Some(Some("tenant")) => Scope::Tenant,
                    Some(Some("global")) => Scope::Global,
                    None => return Err(err(
                        Some(format!("{key}.scope")),
                        "missing; every table says `scope = \"tenant\"` or `scope = \"global\"`"
                            .into(),
                    )),
                    Some(_) => {
                        return Err(err(
                            Some(format!("{key}.scope")),
                            format!(
                                "unknown scope {}; expected \"tenant\" or \"global\"",
                                table["scope"]
                            ),
                        ))
                    }
                };
            let table_tenant_column = match table.get("tenant_column") {
                None => None,
                Some(v) => Some(
                    valid_column_name(v)
                        .map_err(|m| err(Some(format!("{key}.tenant_column")), m))?
                        .to_owned(),
                ),
            };
            if scope == Scope::Global && table_tenant_column.is_some() {
                return Err(err(
                    Some(format!("{key}.tenant_column")),
                    "a global table has no tenant column; remove it or set `scope = \"tenant\"`"
                        .into(),
                ));
            }
            let columns = match table.get("columns") {
                None => None,
                Some(toml::Value::Array(items)) => {
                    let mut cols = Vec::with_capacity(items.len());
                    for item in items {
                        let c = valid_column_name(item)
                            .map_err(|m| err(Some(format!("{key}.columns")), m))?;
                        if cols.iter().any(|x: &String| {
                            dialect.normalize_ident(x, false) == dialect.normalize_ident(c, false)
                        }) {
                            return Err(err(
                                Some(format!("{key}.columns")),
                                format!("column `{c}` is listed twice"),
                            ));
                        }
                        cols.push(c.to_owned());
                    }
                    Some(cols)
                }
                Some(_) => return Err(err(
                    Some(format!("{key}.columns")),
                    "must be an array of column names, e.g. `columns = [\"id\", \"tenant_id\"]`"
                        .into(),
                )),
            };
            let effective_tenant_column = match scope {
                Scope::Tenant => Some(
                    table_tenant_column
                        .clone()
                        .unwrap_or_else(|| tenant_column.clone()),
                ),
                Scope::Global => None,
            };
            if let (Some(tc), Some(cols)) = (&effective_tenant_column, &columns) {
                if !cols.iter().any(|c| c == tc) {
                    return Err(err(
                        Some(format!("{key}.columns")),
                        format!(
                            "a scoped table's columns must include its tenant column `{tc}`; add \"{tc}\" to the list"
                        ),
                    ));
                }
            }
            let normalized = dialect.normalize_declared_name(name);
            if let Some(previous) = tables.iter().find(|t| t.normalized == normalized) {
                return Err(err(
                    Some(key),
                    format!(
                        "declares the same {} table as `tables.{}`; keep one of them",
                        dialect,
                        toml_key(&previous.name)
                    ),
                ));
            }
            tables.push(TableConfig {
                name: name.clone(),
                scope,
                tenant_column: effective_tenant_column,
                columns,
                normalized,
            });
        }

        Ok(Manifest {
            dialect,
            tenant_column,
            tenant_id_type,
            tables,
            origin: origin.to_owned(),
        })
    }

    /// Returns this manifest with another dialect, as `tenant-query rewrite --dialect` does.
    pub fn with_dialect(mut self, dialect: Dialect) -> Manifest {
        if dialect != self.dialect {
            self.dialect = dialect;
            for t in &mut self.tables {
                t.normalized = dialect.normalize_declared_name(&t.name);
            }
        }
        self
    }

    /// The dialect queries are written in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The default tenant column.
    pub fn tenant_column(&self) -> &str {
        &self.tenant_column
    }

    /// The Rust type inside `TenantId`.
    pub fn tenant_id_type(&self) -> TenantIdType {
        self.tenant_id_type
    }

    /// Every declared table, in key order.
    pub fn tables(&self) -> &[TableConfig] {
        &self.tables
    }

    /// Where the manifest came from (a file path, usually).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Looks a table up by a name written as in SQL (`orders`, `public.orders`, `billing.invoices`),
    /// with unquoted identifier rules.
    pub fn table(&self, name: &str) -> Option<&TableConfig> {
        let parts = name
            .split('.')
            .map(|p| self.dialect.normalize_ident(p, false))
            .collect();
        self.lookup_normalized(&self.dialect.normalize_parts(parts))
    }

    /// Looks a table up by a parsed SQL name, with the dialect's quoting rules.
    pub(crate) fn resolve(&self, name: &ObjectName) -> Option<&TableConfig> {
        let parts = object_name_parts(name)?
            .iter()
            .map(|i| {
                self.dialect
                    .normalize_ident(&i.value, i.quote_style.is_some())
            })
            .collect();
        self.lookup_normalized(&self.dialect.normalize_parts(parts))
    }

    fn lookup_normalized(&self, parts: &[String]) -> Option<&TableConfig> {
        self.tables.iter().find(|t| t.normalized == parts)
    }

    /// Whether `column` (as written, with its quoting) names `wanted` (as declared).
    pub(crate) fn same_column(&self, column: &Ident, wanted: &str) -> bool {
        self.dialect
            .same_column(&column.value, column.quote_style.is_some(), wanted)
    }
}

/// The identifiers of a name, or `None` when a part is not a plain identifier.
pub(crate) fn object_name_parts(name: &ObjectName) -> Option<Vec<&Ident>> {
    name.0.iter().map(|p| p.as_ident()).collect()
}

fn expect_str(v: &toml::Value) -> Option<&str> {
    v.as_str()
}

fn valid_column_name(v: &toml::Value) -> Result<&str, String> {
    match v.as_str() {
        Some(s) if !s.is_empty() && s.trim() == s && !s.contains('.') => Ok(s),
        Some(s) => Err(format!("`{s}` is not a column name")),
        None => Err(format!("expected a column name string, found {v}")),
    }
}

fn unknown_key_message(key: &str, allowed: &[&str]) -> String {
    let allowed_list = allowed
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match crate::diagnostic::closest(key, allowed.iter().copied()) {
        Some(s) => format!("unknown key; did you mean `{s}`? (allowed: {allowed_list})"),
        None => format!("unknown key (allowed: {allowed_list})"),
    }
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Manifest::from_toml_str(text, "tenant-schema.toml")
    }

    #[test]
    fn reads_the_documented_format() {
        let m = parse(
            r#"
            dialect = "postgres"
            tenant_column = "tenant_id"
            [tables.orders]
            scope = "tenant"
            [tables.users]
            scope = "tenant"
            tenant_column = "org_id"
            columns = ["id", "org_id", "email"]
            [tables."billing.invoices"]
            scope = "tenant"
            [tables.countries]
            scope = "global"
            "#,
        )
        .unwrap();
        assert_eq!(m.tenant_id_type(), TenantIdType::I64);
        let users = m.table("users").unwrap();
        assert_eq!(users.tenant_column.as_deref(), Some("org_id"));
        assert_eq!(
            m.table("orders").unwrap().tenant_column.as_deref(),
            Some("tenant_id")
        );
        assert!(m.table("public.orders").is_some());
        assert!(m.table("PUBLIC.ORDERS").is_some());
        assert!(m.table("billing.invoices").is_some());
        assert!(m.table("invoices").is_none());
        assert_eq!(m.table("countries").unwrap().scope, Scope::Global);
        assert_eq!(m.table("countries").unwrap().tenant_column, None);
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let e = parse("dialect = \"postgres\"\n[tables.orders]\nscope = \"tenent\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "tenant-schema.toml: `tables.orders.scope`: unknown scope \"tenent\"; expected \"tenant\" or \"global\""
        );
        let e = parse("dialect = \"oracle\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("dialect"));
        assert!(e.message.contains("unknown dialect `oracle`"));
        let e = parse("dialect = \"sqlite\"\n[tables.orders]\nscope = \"tenant\"\ncolums = []\n")
            .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("tables.orders.colums"));
        assert!(e.message.contains("did you mean `columns`?"), "{e}");
        let e = parse("dialect = \"sqlite\"\nfoo = 1\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("foo"));
    }

    #[test]
    fn rejects_duplicates_after_normalisation() {
        let e = parse(
            "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n[tables.\"public.orders\"]\nscope = \"global\"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("same postgres table"), "{e}");
        let e = parse(
            "dialect = \"mysql\"\n[tables.Orders]\nscope = \"tenant\"\n[tables.orders]\nscope = \"global\"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("same mysql table"), "{e}");
        // Case matters for stored names in PostgreSQL.
        parse(
            "dialect = \"postgres\"\n[tables.Orders]\nscope = \"tenant\"\n[tables.orders]\nscope = \"global\"\n",
        )
        .unwrap();
    }

    #[test]
    fn scoped_columns_must_include_the_tenant_column() {
        let e = parse(
            "dialect = \"postgres\"\n[tables.users]\nscope = \"tenant\"\ncolumns = [\"id\", \"email\"]\n",
        )
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("tables.users.columns"));
        assert!(e.message.contains("tenant column `tenant_id`"), "{e}");
    }

    #[test]
    fn rejects_malformed_values() {
        for (text, key) in [
            ("", "dialect"),
            ("dialect = 1", "dialect"),
            ("dialect = \"sqlite\"\ntables = 3", "tables"),
            ("dialect = \"sqlite\"\n[tables.t]\n", "tables.t.scope"),
            (
                "dialect = \"sqlite\"\n[tables.t]\nscope = \"global\"\ntenant_column = \"x\"",
                "tables.t.tenant_column",
            ),
            (
                "dialect = \"sqlite\"\ntenant_id_type = \"u8\"",
                "tenant_id_type",
            ),
            (
                "dialect = \"sqlite\"\n[tables.t]\nscope = \"tenant\"\ncolumns = \"id\"",
                "tables.t.columns",
            ),
            (
                "dialect = \"sqlite\"\n[tables.\"a.b.c\"]\nscope = \"tenant\"",
                "tables.\"a.b.c\"",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.key.as_deref(), Some(key), "{text:?}: {e}");
        }
        let e = parse("dialect = \"sqlite\"\n[tables.t\n").unwrap_err();
        assert!(e.key.is_none());
        assert!(e.message.contains("line 2"), "{e}");
    }
}
