//! PostgreSQL names and literals in the SQL that `rls` and `distribute` write.
//!
//! Manifest names are the names as the database stores them (`orders`, `billing.invoices`),
//! so a part is quoted when PostgreSQL would otherwise fold or misread it.

/// Words PostgreSQL reserves (its "reserved" and "reserved, can be function or type"
/// keywords): a name spelt like one must be quoted.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// One identifier as PostgreSQL reads it back unchanged: bare when it is lower case and not
/// reserved, else double-quoted.
///
/// ```text
/// orders -> orders    Orders -> "Orders"    order -> "order"    a"b -> "a""b"
/// ```
pub fn ident(name: &str) -> String {
    let mut chars = name.chars();
    let simple = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if simple && !RESERVED.contains(&name) {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A manifest table name (`orders`, `billing.invoices`) as SQL: each part through [`ident`].
pub fn table(name: &str) -> String {
    name.split('.').map(ident).collect::<Vec<_>>().join(".")
}

/// The schema a manifest table name names, when it is qualified.
pub fn schema_of(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(schema, _)| schema)
}

/// A string literal: `'…'` with quotes doubled.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_only_when_postgres_would_misread_them() {
        assert_eq!(ident("orders"), "orders");
        assert_eq!(ident("line_items2"), "line_items2");
        assert_eq!(ident("Orders"), "\"Orders\"");
        assert_eq!(ident("order"), "\"order\"");
        assert_eq!(ident("2fa"), "\"2fa\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(ident(""), "\"\"");
        assert_eq!(table("billing.Invoices"), "billing.\"Invoices\"");
        assert_eq!(schema_of("billing.invoices"), Some("billing"));
        assert_eq!(schema_of("orders"), None);
        assert_eq!(literal("it's"), "'it''s'");
    }
}
