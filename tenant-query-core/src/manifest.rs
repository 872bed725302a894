//! `tenant-schema.toml`: which tables are scoped to a tenant and which are global.
//!
//! ```toml
//! dialect = "postgres"          # postgres | mysql | sqlite
//! tenant_column = "tenant_id"   # default tenant column of scoped tables
//! tenant_id_type = "i64"        # i64 | i32 | uuid | string (the Rust type of TenantId)
//! # The application's own functions that compute only from their arguments; built-in ones
//! # that do (`lower`, `now`, `count`, `unnest`, …) need no declaration.
//! functions = ["slugify", "billing.price_with_tax"]
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

mod check;
mod error;
mod raw;

use std::path::Path;

use sqlparser::ast::{Ident, ObjectName};

pub use self::error::ManifestError;
use crate::dialect::Dialect;

/// Whether a table's rows belong to one tenant or are shared by all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every row belongs to one tenant; every reference is filtered on the tenant column.
    Tenant,
    /// Shared reference data; never filtered.
    Global,
    /// Rows that belong to one tenant, and shared rows (the tenant column is NULL) that every
    /// tenant sees: global defaults that a tenant may override with rows of its own. Reads see
    /// the tenant's rows and the shared ones; writes touch only the tenant's rows.
    TenantOrGlobal,
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
    /// Every type, for spelling lookups.
    const ALL: [TenantIdType; 4] = [
        TenantIdType::I64,
        TenantIdType::I32,
        TenantIdType::Uuid,
        TenantIdType::String,
    ];

    /// The spelling used in `tenant-schema.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantIdType::I64 => "i64",
            TenantIdType::I32 => "i32",
            TenantIdType::Uuid => "uuid",
            TenantIdType::String => "string",
        }
    }

    /// Whether the tenant is an integer (`i64` or `i32`).
    pub(crate) fn is_integer(self) -> bool {
        matches!(self, TenantIdType::I64 | TenantIdType::I32)
    }

    /// The SQL type that holds the Rust type exactly (`BIGINT`, `INTEGER`, `UUID`, `TEXT`):
    /// what sqlx binds a `TenantId` as, and what a lone tenant placeholder is cast to.
    pub(crate) fn sql_type(self) -> sqlparser::ast::DataType {
        use sqlparser::ast::DataType;
        match self {
            TenantIdType::I64 => DataType::BigInt(None),
            TenantIdType::I32 => DataType::Integer(None),
            TenantIdType::Uuid => DataType::Uuid,
            TenantIdType::String => DataType::Text,
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
    /// The declared unique keys, primary key included, when the manifest lists them
    /// (`unique = [["tenant_id", "id"], ["tenant_id", "email"]]`). A key without the tenant
    /// column is unique across tenants.
    pub unique: Option<Vec<Vec<String>>>,
    normalized: Vec<String>,
}

impl TableConfig {
    /// Whether this table is filtered to the tenant (`tenant` or `tenant_or_global`).
    pub fn is_scoped(&self) -> bool {
        matches!(self.scope, Scope::Tenant | Scope::TenantOrGlobal)
    }

    /// Whether rows with a NULL tenant column are shared by every tenant
    /// (`scope = "tenant_or_global"`).
    ///
    /// ```
    /// use tenant_query_core::Manifest;
    ///
    /// let manifest = Manifest::from_toml_str(
    ///     "dialect = \"postgres\"\n[tables.settings]\nscope = \"tenant_or_global\"\n",
    ///     "tenant-schema.toml",
    /// )?;
    /// let settings = manifest.table("settings").unwrap();
    /// assert!(settings.is_scoped() && settings.shares_null_tenant_rows());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shares_null_tenant_rows(&self) -> bool {
        self.scope == Scope::TenantOrGlobal
    }

    /// Whether the manifest declares this scoped table's unique keys and every one of them
    /// holds the tenant column, so that any key an upsert can conflict on is tenant-local.
    ///
    /// ```
    /// use tenant_query_core::Manifest;
    ///
    /// let manifest = Manifest::from_toml_str(
    ///     r#"
    ///     dialect = "mysql"
    ///     [tables.users]
    ///     scope = "tenant"
    ///     unique = [["tenant_id", "id"], ["tenant_id", "email"]]
    ///     [tables.accounts]
    ///     scope = "tenant"
    ///     unique = [["tenant_id", "id"], ["email"]]
    ///     [tables.orders]
    ///     scope = "tenant"
    ///     "#,
    ///     "tenant-schema.toml",
    /// )?;
    /// assert!(manifest.table("users").unwrap().unique_keys_are_tenant_local());
    /// assert!(!manifest.table("accounts").unwrap().unique_keys_are_tenant_local());
    /// assert!(!manifest.table("orders").unwrap().unique_keys_are_tenant_local());
    /// # Ok::<(), tenant_query_core::ManifestError>(())
    /// ```
    pub fn unique_keys_are_tenant_local(&self) -> bool {
        match (&self.tenant_column, &self.unique) {
            (Some(tc), Some(keys)) => keys.iter().all(|k| k.contains(tc)),
            _ => false,
        }
    }
}

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
    functions: Vec<String>,
    /// Each of `functions` as the dialect compares it.
    normalized_functions: Vec<Vec<String>>,
    origin: String,
}

impl Manifest {
    /// Reads and validates a manifest file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Manifest, ManifestError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ManifestError::whole(&origin, format!("cannot read the manifest {origin}: {e}"))
        })?;
        Manifest::from_toml_str(&text, &origin)
    }

    /// Parses and validates manifest text; `origin` names it in error messages.
    ///
    /// Every problem is reported, each with its key and position (see [`ManifestError`]).
    /// Unknown keys are all reported too, but the part of the manifest that holds one is not
    /// checked further: a table with an unknown key, or the whole manifest for an unknown
    /// top-level key (the raw structs deny unknown fields).
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Manifest, ManifestError> {
        let mut cx = check::Ctxt::new(text);
        let manifest = check::read(&mut cx).and_then(|raw| check::manifest(&mut cx, &raw, origin));
        cx.finish(origin, manifest)
    }

    /// Returns this manifest with another dialect, as `tenant-query rewrite --dialect` does.
    pub fn with_dialect(mut self, dialect: Dialect) -> Manifest {
        if dialect != self.dialect {
            self.dialect = dialect;
            self.normalize_names();
        }
        self
    }

    /// Computes each table's name as the dialect compares it.
    fn normalize_names(&mut self) {
        for t in &mut self.tables {
            t.normalized = self.dialect.normalize_declared_name(&t.name);
        }
        self.normalized_functions = (self.functions.iter())
            .map(|f| self.dialect.normalize_declared_name(f))
            .collect();
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

    /// The functions the manifest declares (`functions = ["slugify"]`), as written. A
    /// tenant-scoped statement may call these and the dialect's built-in functions that
    /// compute only from their arguments ([`Dialect::builtin_function`]), and no other.
    ///
    /// ```
    /// use tenant_query_core::{rewrite, DiagnosticKind, Manifest};
    ///
    /// let manifest = Manifest::from_toml_str(
    ///     "dialect = \"postgres\"\nfunctions = [\"slugify\"]\n[tables.posts]\nscope = \"tenant\"\n",
    ///     "tenant-schema.toml",
    /// )?;
    /// assert_eq!(manifest.functions(), ["slugify"]);
    /// assert!(rewrite(&manifest, "SELECT slugify(lower(title)) FROM posts").is_ok());
    /// let err = rewrite(&manifest, "SELECT slugfy(title) FROM posts").unwrap_err();
    /// assert_eq!(err.kind, DiagnosticKind::UnknownFunction);
    /// assert_eq!(err.help.as_deref().map(|h| h.starts_with("did you mean `slugify`?")), Some(true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn functions(&self) -> &[String] {
        &self.functions
    }

    /// The declared function that a call's normalised name parts (default schema dropped)
    /// name, if any.
    pub(crate) fn declared_function(&self, parts: &[String]) -> Option<&str> {
        let i = self.normalized_functions.iter().position(|f| f == parts)?;
        Some(&self.functions[i])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Location;

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Manifest::from_toml_str(text, "tenant-schema.toml")
    }

    /// One problem of a manifest error, with the key its message starts with split off.
    #[derive(Debug)]
    struct Problem {
        key: Option<String>,
        message: String,
        help: Option<String>,
        span: Option<(Location, Location)>,
    }

    fn problems(e: &ManifestError) -> Vec<Problem> {
        let split = |m: &str| {
            let (key, message) = m.strip_prefix('`')?.split_once("`: ")?;
            Some((Some(key.to_owned()), message.to_owned()))
        };
        e.diagnostic
            .problems()
            .into_iter()
            .map(|d| {
                assert_eq!(d.kind, crate::DiagnosticKind::Manifest);
                let (key, message) = split(&d.message).unwrap_or((None, d.message.clone()));
                Problem {
                    key,
                    message,
                    help: d.help,
                    span: d.span.map(|s| (s.start, s.end)),
                }
            })
            .collect()
    }

    /// The one problem of a manifest that has exactly one.
    fn single(text: &str) -> Problem {
        let e = parse(text).unwrap_err();
        let mut all = problems(&e);
        assert_eq!(all.len(), 1, "{text:?}: {e}");
        all.remove(0)
    }

    fn at(line: u64, column: u64) -> Location {
        Location { line, column }
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
            "tenant-schema.toml:3:9: `tables.orders.scope`: unknown scope \"tenent\"; expected \"tenant\", \"global\" or \"tenant_or_global\""
        );
        let e = single("dialect = \"oracle\"\n");
        assert_eq!(e.key.as_deref(), Some("dialect"));
        assert!(e.message.contains("unknown dialect `oracle`"));
        let text = "dialect = \"sqlite\"\n[tables.orders]\nscope = \"tenant\"\ncolums = []\n";
        let e = single(text);
        assert_eq!(e.key.as_deref(), Some("tables.orders.colums"));
        let shown = parse(text).unwrap_err().to_string();
        assert!(shown.contains("did you mean `columns`?"), "{shown}");
        let e = single("dialect = \"sqlite\"\nfoo = 1\n");
        assert_eq!(e.key.as_deref(), Some("foo"));
    }

    #[test]
    fn rejects_duplicates_after_normalisation() {
        let e = single(
            "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n[tables.\"public.orders\"]\nscope = \"global\"\n",
        );
        assert!(e.message.contains("same postgres table"), "{e:?}");
        let e = single(
            "dialect = \"mysql\"\n[tables.Orders]\nscope = \"tenant\"\n[tables.orders]\nscope = \"global\"\n",
        );
        assert!(e.message.contains("same mysql table"), "{e:?}");
        // Case matters for stored names in PostgreSQL.
        parse(
            "dialect = \"postgres\"\n[tables.Orders]\nscope = \"tenant\"\n[tables.orders]\nscope = \"global\"\n",
        )
        .unwrap();
    }

    #[test]
    fn scoped_columns_must_include_the_tenant_column() {
        let e = single(
            "dialect = \"postgres\"\n[tables.users]\nscope = \"tenant\"\ncolumns = [\"id\", \"email\"]\n",
        );
        assert_eq!(e.key.as_deref(), Some("tables.users.columns"));
        assert!(e.message.contains("tenant column `tenant_id`"), "{e:?}");
    }

    #[test]
    fn unique_keys_are_non_empty_lists_of_distinct_declared_columns() {
        let table = "dialect = \"postgres\"\n[tables.users]\nscope = \"tenant\"\n";
        let listed = "columns = [\"tenant_id\", \"id\", \"email\"]\n";
        for (unique, wanted) in [
            ("unique = \"email\"", "must be an array of arrays"),
            ("unique = [\"email\"]", "must be an array of column names"),
            ("unique = [[]]", "at least one column"),
            (
                "unique = [[\"tenant_id\", \"tenant_id\"]]",
                "listed twice in one key",
            ),
            (
                "unique = [[\"tenant_id\", \" email\"]]",
                "is not a column name",
            ),
            (
                "unique = [[\"tenant_id\", \"slug\"]]",
                "`slug` is not among",
            ),
        ] {
            let e = single(&format!("{table}{listed}{unique}\n"));
            assert_eq!(e.key.as_deref(), Some("tables.users.unique"), "{unique}");
            assert!(e.message.contains(wanted), "{unique}: {e:?}");
            assert!(e.span.is_some(), "{unique}: {e:?}");
        }
        // Without `columns` any name goes; a key without the tenant column is unique across
        // tenants, which the manifest may say.
        let m = parse(&format!(
            "{table}unique = [[\"tenant_id\", \"id\"], [\"email\"]]\n"
        ))
        .unwrap();
        let users = m.table("users").unwrap();
        assert_eq!(users.unique.as_ref().map(Vec::len), Some(2));
        assert!(!users.unique_keys_are_tenant_local());
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
            let e = single(text);
            assert_eq!(e.key.as_deref(), Some(key), "{text:?}: {e:?}");
        }
        let e = single("dialect = \"sqlite\"\n[tables.t\n");
        assert!(e.key.is_none());
        assert_eq!(e.span.map(|(start, _)| start.line), Some(2), "{e:?}");
    }

    #[test]
    fn reports_every_problem_together() {
        let e = parse(
            "dialect = \"oracle\"\n\
             tenant_id_type = 8\n\
             [tables.orders]\n\
             scope = \"tenent\"\n\
             [tables.users]\n\
             scope = \"global\"\n\
             tenant_column = \"org_id\"\n\
             [tables.items]\n\
             scope = \"tenant\"\n\
             columns = [\"id\", \"\", \"id\"]\n\
             [tables.misc]\n\
             colums = [\"id\"]\n",
        )
        .unwrap_err();
        let keys: Vec<_> = problems(&e).into_iter().map(|p| p.key.unwrap()).collect();
        // A table with an unknown key is reported for that key alone: `deny_unknown_fields`
        // stops reading it. Columns listed twice are found only once the dialect is known.
        assert_eq!(
            keys,
            [
                "dialect",
                "tenant_id_type",
                "tables.orders.scope",
                "tables.users.tenant_column",
                "tables.items.columns",
                "tables.misc.colums",
            ],
            "{e}"
        );
        assert_eq!(e.to_string().lines().count(), 6, "{e}");
        let e = parse(
            "dialect = \"sqlite\"\n[tables.a]\nscope = \"tenant\"\ncolumns = [\"tenant_id\", \"x\", \"X\"]\n\
             [tables.A]\nscope = \"global\"\n",
        )
        .unwrap_err();
        let messages: Vec<_> = problems(&e).into_iter().map(|p| p.message).collect();
        assert_eq!(
            messages,
            [
                "declares the same sqlite table as `tables.A`",
                "column `X` is listed twice"
            ],
            "{e}"
        );
        assert!(e
            .to_string()
            .lines()
            .all(|l| l.starts_with("tenant-schema.toml:")));
    }

    #[test]
    fn problems_point_at_the_text() {
        let text = "dialect = \"sqlite\"\n[tables.orders]\nscope = \"tenent\"\ncolumns = [\"id\", \" x\"]\n";
        let e = parse(text).unwrap_err();
        let spans: Vec<_> = problems(&e).into_iter().map(|p| p.span.unwrap()).collect();
        // `"tenent"`, and `" x"` in the columns list, each from its first character to just
        // past its last.
        assert_eq!(
            spans,
            [(at(3, 9), at(3, 17)), (at(4, 18), at(4, 22))],
            "{e}"
        );
        assert_eq!(problems(&e)[1].message, "` x` is not a column name");
        // A missing scope points at the table's name.
        let e = single("dialect = \"sqlite\"\n[tables.orders]\n");
        assert_eq!(e.span, Some((at(2, 9), at(2, 15))));
        // The TOML parser's own errors keep its position.
        let e = single("dialect = \"sqlite\"\n[tables.t\n");
        assert_eq!(e.span.unwrap().0, at(2, 10), "{e:?}");
    }

    #[test]
    fn misspelled_keys_get_a_suggestion() {
        let e = single("dialet = \"sqlite\"\n");
        assert_eq!(e.key.as_deref(), Some("dialet"));
        assert_eq!(e.message, "unknown key");
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `dialect`? (allowed: `dialect`, `tenant_column`, `tenant_id_type`, `functions`, `tables`)")
        );
        assert_eq!(e.span, Some((at(1, 1), at(1, 7))));

        let e = single(
            "dialect = \"sqlite\"\n[tables.orders]\nscope = \"tenant\"\ntenant_colum = \"x\"\n",
        );
        assert_eq!(e.key.as_deref(), Some("tables.orders.tenant_colum"));
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `tenant_column`? (allowed: `scope`, `tenant_column`, `columns`, `unique`)")
        );
        assert_eq!(e.span, Some((at(4, 1), at(4, 13))));

        // Nothing close: the help lists the allowed keys.
        let e = single("dialect = \"sqlite\"\n[tables.orders]\nscope = \"tenant\"\nxyz = 1\n");
        assert_eq!(
            e.help.as_deref(),
            Some("remove it (allowed: `scope`, `tenant_column`, `columns`, `unique`)")
        );
    }

    #[test]
    fn declared_functions_are_names_listed_once() {
        let m =
            parse("dialect = \"postgres\"\nfunctions = [\"slugify\", \"billing.tax\"]\n").unwrap();
        assert_eq!(m.functions(), ["slugify", "billing.tax"]);
        assert_eq!(m.declared_function(&["tax".into()]), None);
        assert_eq!(
            m.declared_function(&["billing".into(), "tax".into()]),
            Some("billing.tax")
        );

        let e = parse(
            "dialect = \"postgres\"\nfunctions = [\"a.b.c\", \"slugify\", 3, \"public.slugify\"]\n",
        )
        .unwrap_err();
        let found: Vec<_> = problems(&e)
            .into_iter()
            .map(|p| (p.key.unwrap_or_default(), p.message, p.span.unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "functions".to_owned(),
                    "`a.b.c` is not a function name".to_owned(),
                    (at(2, 14), at(2, 21))
                ),
                (
                    "functions".to_owned(),
                    "invalid type: integer `3`, expected a string".to_owned(),
                    (at(2, 34), at(2, 35))
                ),
                (
                    "functions".to_owned(),
                    "function `public.slugify` is listed twice".to_owned(),
                    (at(2, 37), at(2, 53))
                ),
            ],
            "{e}"
        );

        let e = single("dialect = \"sqlite\"\nfunctions = \"slugify\"\n");
        assert_eq!(e.message, "must be an array of function names");
    }

    #[test]
    fn the_key_lists_match_the_raw_structs() {
        // Every key the unknown-key check allows deserializes under `deny_unknown_fields`.
        let m = parse(
            "dialect = \"sqlite\"\ntenant_column = \"t\"\ntenant_id_type = \"uuid\"\n\
             functions = [\"f\"]\n[tables.a]\nscope = \"tenant\"\ntenant_column = \"u\"\ncolumns = [\"u\"]\n\
             unique = [[\"u\"]]\n",
        )
        .unwrap();
        assert_eq!(m.tenant_id_type(), TenantIdType::Uuid);
        assert_eq!(m.functions(), ["f"]);
        assert_eq!(m.table("a").unwrap().columns, Some(vec!["u".to_owned()]));
        assert_eq!(
            m.table("a").unwrap().unique,
            Some(vec![vec!["u".to_owned()]])
        );
        assert_eq!(
            raw::TOP_KEYS.len() + raw::TABLE_KEYS.len(),
            9,
            "a new key needs a field in RawManifest or RawTable"
        );
    }
}
