//! The manifest's validation checks.
//!
//! As in serde_derive's `internals/check.rs`, each check is a small function that reports
//! into one context ([`Ctxt`]) and goes on, so that every problem is reported together.
//! The outline checks look at the document's keys and the kinds of its tables; the value
//! checks look at what the keys hold.

use std::ops::Range;

use toml::Spanned;

use super::error::ManifestError;
use super::raw::{Field, Lenient, Outline, OutlineValue, RawManifest, RawTable, UniqueKey};
use super::raw::{TABLE_KEYS, TOP_KEYS};
use super::{Manifest, Scope, TableConfig, TenantIdType};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Errors, Span};
use crate::dialect::{self, Dialect};

/// Collects the problems of one manifest text.
pub(super) struct Ctxt<'a> {
    text: &'a str,
    problems: Errors,
}

impl<'a> Ctxt<'a> {
    pub(super) fn new(text: &'a str) -> Ctxt<'a> {
        Ctxt {
            text,
            problems: Errors::default(),
        }
    }

    /// Records a problem at `key`, pointing at `range` of the text.
    fn error(&mut self, key: &str, range: Option<Range<usize>>, message: String, help: &str) {
        let message = format!("`{key}`: {message}");
        let span = range.and_then(|r| Span::from_byte_range(self.text, r));
        let problem = Diagnostic::new(DiagnosticKind::Manifest, message).at(span);
        self.problems.push(problem.help(help));
    }

    /// Records an error of the TOML parser, whose message says what to fix.
    fn toml_error(&mut self, e: &toml::de::Error) {
        let message = e.message().trim_end().replace('\n', "; ");
        let span = e.span().and_then(|r| Span::from_byte_range(self.text, r));
        let problem = Diagnostic::new(DiagnosticKind::Manifest, message).at(span);
        self.problems.push(problem);
    }

    /// `value` when no check reported a problem; otherwise every problem, in text order.
    pub(super) fn finish<T>(self, origin: &str, value: Option<T>) -> Result<T, ManifestError> {
        let problems = self.problems.into_sorted();
        if let (Some(value), true) = (value, problems.is_empty()) {
            return Ok(value);
        }
        // A check that rejects a value reports why; should one fail to, the manifest is
        // still refused.
        let diagnostic = Diagnostic::from_all(problems).unwrap_or_else(|| {
            Diagnostic::new(DiagnosticKind::Manifest, "the manifest is invalid")
        });
        Err(ManifestError {
            origin: origin.to_owned(),
            source: self.text.to_owned(),
            diagnostic,
        })
    }
}

/// Reads the text: its TOML syntax and keys, then the values in their typed shape.
pub(super) fn read(cx: &mut Ctxt<'_>) -> Option<RawManifest> {
    let outline: Outline = match toml::from_str(cx.text) {
        Ok(outline) => outline,
        Err(e) => {
            cx.toml_error(&e);
            return None;
        }
    };
    let reported = cx.problems.len();
    outline_checks(cx, &outline);
    match toml::from_str::<RawManifest>(cx.text) {
        Ok(raw) => Some(raw),
        Err(e) => {
            // An unknown top-level key stops `deny_unknown_fields`; the outline checks
            // reported it with its position and a suggestion.
            if cx.problems.len() == reported {
                cx.toml_error(&e);
            }
            None
        }
    }
}

fn outline_checks(cx: &mut Ctxt<'_>, outline: &Outline) {
    for (key, value) in outline {
        if !TOP_KEYS.contains(&key.get_ref().as_str()) {
            unknown_key(cx, "", key, TOP_KEYS);
        } else if key.get_ref() == "tables" {
            tables_are_tables(cx, key, value);
        }
    }
}

/// `tables` is a table of tables, and each holds only the keys of a table entry.
fn tables_are_tables(cx: &mut Ctxt<'_>, key: &Spanned<String>, tables: &OutlineValue) {
    let Some(entries) = tables.ok() else {
        let help = "declare each table as `[tables.NAME]`, e.g. `[tables.orders]`";
        let message = "must be a table of tables".to_owned();
        return cx.error("tables", Some(key.span()), message, help);
    };
    for (name, entry) in entries {
        let key = format!("tables.{}", toml_key(name.get_ref()));
        match entry.ok() {
            Some(keys) => keys
                .keys()
                .filter(|k| !TABLE_KEYS.contains(&k.get_ref().as_str()))
                .for_each(|k| unknown_key(cx, &format!("{key}."), k, TABLE_KEYS)),
            None => cx.error(
                &key,
                Some(name.span()),
                "must be a table with a `scope`".into(),
                "write `[tables.orders]` and, below it, `scope = \"tenant\"`",
            ),
        }
    }
}

fn unknown_key(cx: &mut Ctxt<'_>, prefix: &str, key: &Spanned<String>, allowed: &[&str]) {
    let list = allowed
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match crate::diagnostic::closest(key.get_ref(), allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? (allowed: {list})"),
        None => format!("remove it (allowed: {list})"),
    };
    let dotted = format!("{prefix}{}", toml_key(key.get_ref()));
    cx.error(&dotted, Some(key.span()), "unknown key".into(), &help);
}

/// Checks the values and builds the manifest when they are valid.
pub(super) fn manifest(cx: &mut Ctxt<'_>, raw: &RawManifest, origin: &str) -> Option<Manifest> {
    let dialect = dialect(cx, raw.dialect.as_ref());
    let tenant_column = match &raw.tenant_column {
        None => Some("tenant_id".to_owned()),
        Some(field) => column_name(cx, "tenant_column", field),
    };
    let tenant_id_type = tenant_id_type(cx, raw.tenant_id_type.as_ref());
    let tables = tables(cx, raw, tenant_column.as_deref());
    let functions = functions(cx, raw.functions.as_ref());
    if let Some(dialect) = dialect {
        duplicate_tables(cx, dialect, &tables);
        duplicate_columns(cx, dialect, raw);
        duplicate_functions(cx, dialect, raw.functions.as_ref());
    }
    let mut manifest = Manifest {
        dialect: dialect?,
        tenant_column: tenant_column?,
        tenant_id_type: tenant_id_type?,
        tables: tables.into_iter().map(|(_, t)| t).collect(),
        functions: functions?,
        normalized_functions: Vec::new(),
        origin: origin.to_owned(),
    };
    manifest.normalize_names();
    Some(manifest)
}

fn dialect(cx: &mut Ctxt<'_>, field: Option<&Field<String>>) -> Option<Dialect> {
    let Some(field) = field else {
        let help = "add `dialect = \"postgres\"` (or \"mysql\", \"sqlite\")";
        cx.error("dialect", None, "missing".into(), help);
        return None;
    };
    let help = format!("expected {}", dialect::SPELLED);
    let name = string(cx, "dialect", field, &help)?;
    let parsed = name.parse::<Dialect>().ok();
    if parsed.is_none() {
        let message = format!("unknown dialect `{name}`");
        cx.error("dialect", Some(field.span()), message, &help);
    }
    parsed
}

fn tenant_id_type(cx: &mut Ctxt<'_>, field: Option<&Field<String>>) -> Option<TenantIdType> {
    let Some(field) = field else {
        return Some(TenantIdType::default());
    };
    let help = "expected \"i64\", \"i32\", \"uuid\" or \"string\"";
    let name = string(cx, "tenant_id_type", field, help)?;
    let parsed = TenantIdType::ALL.into_iter().find(|t| t.as_str() == name);
    if parsed.is_none() {
        let message = format!("unknown type {}", toml_string(name));
        cx.error("tenant_id_type", Some(field.span()), message, help);
    }
    parsed
}

/// Checks each table; returns the valid ones with their keys as written.
fn tables<'r>(
    cx: &mut Ctxt<'_>,
    raw: &'r RawManifest,
    tenant_column: Option<&str>,
) -> Vec<(&'r Spanned<String>, TableConfig)> {
    // Entries that are no tables, or hold unknown keys, were reported by the outline checks.
    let Some(entries) = raw.tables.as_ref().and_then(Lenient::ok) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(name, entry)| Some((name, entry.ok()?)))
        .filter_map(|(name, table)| Some((name, table_config(cx, name, table, tenant_column)?)))
        .collect()
}

fn table_config(
    cx: &mut Ctxt<'_>,
    name: &Spanned<String>,
    raw: &RawTable,
    default_tenant_column: Option<&str>,
) -> Option<TableConfig> {
    let key = format!("tables.{}", toml_key(name.get_ref()));
    let name_ok = table_name(cx, &key, name);
    let scope = scope(cx, &key, name, raw.scope.as_ref());
    let own_tenant_column = raw.tenant_column.as_ref().map(|field| {
        let column = column_name(cx, &format!("{key}.tenant_column"), field);
        global_has_no_tenant_column(cx, &key, scope, field, column.is_some());
        column
    });
    let columns = columns(cx, &key, raw.columns.as_ref());
    let tenant_column = match (scope?, own_tenant_column) {
        (Scope::Global, _) => None,
        (Scope::Tenant | Scope::TenantOrGlobal, Some(own)) => Some(own?),
        (Scope::Tenant | Scope::TenantOrGlobal, None) => Some(default_tenant_column?.to_owned()),
    };
    if let (Some(tc), Some(Some(cols)), Some(field)) = (&tenant_column, &columns, &raw.columns) {
        columns_include_tenant_column(cx, &key, field.span(), tc, cols);
    }
    let declared = columns.as_ref().and_then(Option::as_deref);
    let unique = unique_keys(cx, &key, raw.unique.as_ref(), declared);
    name_ok.then_some(TableConfig {
        name: name.get_ref().clone(),
        scope: scope?,
        tenant_column,
        columns: columns?,
        unique: unique?,
        normalized: Vec::new(),
    })
}

fn table_name(cx: &mut Ctxt<'_>, key: &str, name: &Spanned<String>) -> bool {
    let parts: Vec<&str> = name.get_ref().split('.').collect();
    let ok = parts.len() <= 2 && parts.iter().all(|p| !p.is_empty() && p.trim() == *p);
    if !ok {
        let message = format!("`{}` is not a table name", name.get_ref());
        let help = "a table name is `table` or `schema.table`, without spaces or empty parts";
        cx.error(key, Some(name.span()), message, help);
    }
    ok
}

fn scope(
    cx: &mut Ctxt<'_>,
    key: &str,
    name: &Spanned<String>,
    field: Option<&Field<String>>,
) -> Option<Scope> {
    let key = format!("{key}.scope");
    let help = "expected \"tenant\", \"global\" or \"tenant_or_global\"";
    let Some(field) = field else {
        let help = "every table says `scope = \"tenant\"`, `scope = \"global\"` or `scope = \"tenant_or_global\"`";
        cx.error(&key, Some(name.span()), "missing".into(), help);
        return None;
    };
    match string(cx, &key, field, help)? {
        "tenant" => Some(Scope::Tenant),
        "global" => Some(Scope::Global),
        "tenant_or_global" => Some(Scope::TenantOrGlobal),
        other => {
            let message = format!("unknown scope {}", toml_string(other));
            cx.error(&key, Some(field.span()), message, help);
            None
        }
    }
}

fn global_has_no_tenant_column(
    cx: &mut Ctxt<'_>,
    key: &str,
    scope: Option<Scope>,
    field: &Field<String>,
    valid: bool,
) {
    if scope == Some(Scope::Global) && valid {
        let message = "a global table has no tenant column".to_owned();
        let help = "remove it or set `scope = \"tenant\"`";
        cx.error(
            &format!("{key}.tenant_column"),
            Some(field.span()),
            message,
            help,
        );
    }
}

/// The declared columns: `Some(None)` when there is no list, `None` when it is invalid.
fn columns(
    cx: &mut Ctxt<'_>,
    key: &str,
    field: Option<&Field<Vec<Field<String>>>>,
) -> Option<Option<Vec<String>>> {
    let Some(field) = field else {
        return Some(None);
    };
    let key = format!("{key}.columns");
    let Some(items) = field.get_ref().ok() else {
        let help = "list them as in `columns = [\"id\", \"tenant_id\"]`";
        let message = "must be an array of column names".to_owned();
        cx.error(&key, Some(field.span()), message, help);
        return None;
    };
    let names: Vec<Option<String>> = items
        .iter()
        .map(|item| column_name(cx, &key, item))
        .collect();
    names.into_iter().collect::<Option<Vec<_>>>().map(Some)
}

/// The declared unique keys: `Some(None)` when there is no list, `None` when it is invalid.
/// Each key is a non-empty list of distinct column names, of the declared ones when the
/// table lists its columns. A key without the tenant column is valid: it is unique across
/// tenants, and the engine refuses the upserts that could conflict on it.
fn unique_keys(
    cx: &mut Ctxt<'_>,
    key: &str,
    field: Option<&Field<Vec<UniqueKey>>>,
    declared: Option<&[String]>,
) -> Option<Option<Vec<Vec<String>>>> {
    let Some(field) = field else {
        return Some(None);
    };
    let key = format!("{key}.unique");
    let help = "list each unique key, primary key included, as in `unique = [[\"tenant_id\", \"id\"], [\"tenant_id\", \"email\"]]`";
    let Some(keys) = field.get_ref().ok() else {
        let message = "must be an array of arrays of column names".to_owned();
        cx.error(&key, Some(field.span()), message, help);
        return None;
    };
    let checked: Vec<Option<Vec<String>>> = keys
        .iter()
        .map(|k| unique_key(cx, &key, k, declared, help))
        .collect();
    checked.into_iter().collect::<Option<Vec<_>>>().map(Some)
}

/// One unique key: non-empty, of distinct and (when the table lists them) declared columns.
fn unique_key(
    cx: &mut Ctxt<'_>,
    key: &str,
    field: &UniqueKey,
    declared: Option<&[String]>,
    help: &str,
) -> Option<Vec<String>> {
    let Some(items) = field.get_ref().ok() else {
        let message = "a unique key must be an array of column names".to_owned();
        cx.error(key, Some(field.span()), message, help);
        return None;
    };
    if items.is_empty() {
        let message = "a unique key needs at least one column".to_owned();
        cx.error(key, Some(field.span()), message, help);
        return None;
    }
    let mut names: Vec<String> = Vec::new();
    let mut valid = true;
    for item in items {
        let Some(name) = column_name(cx, key, item) else {
            valid = false;
            continue;
        };
        let problem = if names.contains(&name) {
            Some((
                format!("column `{name}` is listed twice in one key"),
                "remove one of them".to_owned(),
            ))
        } else if declared.is_some_and(|cols| !cols.contains(&name)) {
            Some((
                format!("`{name}` is not among the table's `columns`"),
                format!("add \"{name}\" to `columns`, or fix the key"),
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            cx.error(key, Some(item.span()), message, &help);
            valid = false;
        }
        names.push(name);
    }
    valid.then_some(names)
}

/// The declared functions: each `name` or `schema.name`.
fn functions(cx: &mut Ctxt<'_>, field: Option<&Field<Vec<Field<String>>>>) -> Option<Vec<String>> {
    let Some(field) = field else {
        return Some(Vec::new());
    };
    let help = "list the application's functions that read only their arguments, as in `functions = [\"slugify\", \"billing.price_with_tax\"]`";
    let Some(items) = field.get_ref().ok() else {
        let message = "must be an array of function names".to_owned();
        cx.error("functions", Some(field.span()), message, help);
        return None;
    };
    let names: Vec<Option<String>> = items
        .iter()
        .map(|item| function_name(cx, item, help))
        .collect();
    names.into_iter().collect()
}

/// A function name: `name` or `schema.name`, without spaces or empty parts.
fn function_name(cx: &mut Ctxt<'_>, field: &Field<String>, help: &str) -> Option<String> {
    let s = string(cx, "functions", field, help)?;
    let parts: Vec<&str> = s.split('.').collect();
    let ok = parts.len() <= 2 && parts.iter().all(|p| !p.is_empty() && p.trim() == *p);
    if !ok {
        let message = format!("`{s}` is not a function name");
        let help = "a function name is `name` or `schema.name`, without spaces or empty parts";
        cx.error("functions", Some(field.span()), message, help);
        return None;
    }
    Some(s.to_owned())
}

/// Two entries of `functions` that name the same function of `dialect` (`slugify` and
/// `public.slugify`).
fn duplicate_functions(
    cx: &mut Ctxt<'_>,
    dialect: Dialect,
    field: Option<&Field<Vec<Field<String>>>>,
) {
    let Some(items) = field.and_then(|f| f.get_ref().ok()) else {
        return;
    };
    let mut seen: Vec<Vec<String>> = Vec::new();
    for item in items {
        let Some(name) = item.get_ref().ok() else {
            continue;
        };
        let normalized = dialect.normalize_declared_name(name);
        if seen.contains(&normalized) {
            let message = format!("function `{name}` is listed twice");
            cx.error(
                "functions",
                Some(item.span()),
                message,
                "remove one of them",
            );
        }
        seen.push(normalized);
    }
}

fn duplicate_columns(cx: &mut Ctxt<'_>, dialect: Dialect, raw: &RawManifest) {
    let tables = raw.tables.as_ref().and_then(Lenient::ok);
    for (name, entry) in tables.into_iter().flatten() {
        let Some(items) = (entry.ok())
            .and_then(|t| t.columns.as_ref())
            .and_then(|c| c.get_ref().ok())
        else {
            continue;
        };
        let mut seen: Vec<String> = Vec::new();
        for item in items {
            let Some(c) = item.get_ref().ok() else {
                continue;
            };
            let normalized = dialect.normalize_ident(c, false);
            if seen.contains(&normalized) {
                let key = format!("tables.{}.columns", toml_key(name.get_ref()));
                let message = format!("column `{c}` is listed twice");
                cx.error(&key, Some(item.span()), message, "remove one of them");
            }
            seen.push(normalized);
        }
    }
}

fn columns_include_tenant_column(
    cx: &mut Ctxt<'_>,
    key: &str,
    span: Range<usize>,
    tenant_column: &str,
    columns: &[String],
) {
    if !columns.iter().any(|c| c == tenant_column) {
        let message =
            format!("a scoped table's columns must include its tenant column `{tenant_column}`");
        let help = format!("add \"{tenant_column}\" to the list");
        cx.error(&format!("{key}.columns"), Some(span), message, &help);
    }
}

/// Two keys that name the same table of `dialect` (`orders` and `public.orders`).
fn duplicate_tables(
    cx: &mut Ctxt<'_>,
    dialect: Dialect,
    tables: &[(&Spanned<String>, TableConfig)],
) {
    let names: Vec<Vec<String>> = tables
        .iter()
        .map(|(name, _)| dialect.normalize_declared_name(name.get_ref()))
        .collect();
    for (i, (name, _)) in tables.iter().enumerate() {
        if let Some(first) = names[..i].iter().position(|n| *n == names[i]) {
            let message = format!(
                "declares the same {dialect} table as `tables.{}`",
                toml_key(tables[first].0.get_ref())
            );
            let key = format!("tables.{}", toml_key(name.get_ref()));
            cx.error(&key, Some(name.span()), message, "keep one of them");
        }
    }
}

/// The string a field holds, or a problem when it holds another type.
fn string<'r>(
    cx: &mut Ctxt<'_>,
    key: &str,
    field: &'r Field<String>,
    help: &str,
) -> Option<&'r str> {
    match &field.get_ref().0 {
        Ok(s) => Some(s),
        Err(reason) => {
            cx.error(key, Some(field.span()), reason.clone(), help);
            None
        }
    }
}

/// A column name: a non-empty string without surrounding spaces or dots.
fn column_name(cx: &mut Ctxt<'_>, key: &str, field: &Field<String>) -> Option<String> {
    let help = "a column name is a non-empty string without dots or surrounding spaces";
    let s = string(cx, key, field, help)?;
    if s.is_empty() || s.trim() != s || s.contains('.') {
        cx.error(
            key,
            Some(field.span()),
            format!("`{s}` is not a column name"),
            help,
        );
        return None;
    }
    Some(s.to_owned())
}

/// A string as TOML writes it: `"tenent"`.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
pub(super) fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
