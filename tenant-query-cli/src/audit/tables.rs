//! What the manifest makes of a call's SQL: the tables it touches and whether
//! `unscoped_query!` would accept it.

use serde::Serialize;
use sqlparser::ast::visit_relations;
use sqlparser::parser::Parser;
use tenant_query_core::{check_unscoped, Dialect, Manifest};

/// One declared table a statement names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRef {
    /// The manifest's name of the table.
    pub name: String,
    /// `tenant` or `global`.
    pub scope: &'static str,
}

/// The declared tables `sql` names, sorted and without repeats; `None` when it does not parse.
/// Names the manifest does not declare (common table expressions among them) are left out.
pub fn tables(manifest: &Manifest, sql: &str) -> Option<Vec<TableRef>> {
    let dialect = parser_dialect(manifest.dialect());
    let statements = Parser::parse_sql(dialect.as_ref(), sql).ok()?;
    let mut found: Vec<TableRef> = Vec::new();
    let _ = visit_relations(&statements, |name| {
        if let Some(table) = manifest.table(&name.to_string()) {
            found.push(TableRef {
                name: table.name.clone(),
                scope: if table.is_scoped() {
                    "tenant"
                } else {
                    "global"
                },
            });
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found.dedup();
    Some(found)
}

/// Why the engine would reject `sql` as an `unscoped_query!` statement, if it would.
pub fn problem(manifest: &Manifest, sql: &str) -> Option<String> {
    check_unscoped(manifest, sql)
        .err()
        .map(|diagnostic| format!("[{}] {}", diagnostic.code(), diagnostic.message))
}

fn parser_dialect(dialect: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    match dialect {
        Dialect::MySql => Box::new(sqlparser::dialect::MySqlDialect {}),
        Dialect::Sqlite => Box::new(sqlparser::dialect::SQLiteDialect {}),
        // `Dialect` may gain variants; PostgreSQL's grammar is the broadest.
        _ => Box::new(sqlparser::dialect::PostgreSqlDialect {}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_tables_are_listed_once_with_their_scope() {
        let manifest = Manifest::from_toml_str(
            "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n\
             [tables.countries]\nscope = \"global\"\n",
            "tenant-schema.toml",
        )
        .unwrap();
        let sql = "WITH t AS (SELECT * FROM public.orders) SELECT * FROM t, countries, orders";
        let names: Vec<(String, &str)> = tables(&manifest, sql)
            .unwrap()
            .into_iter()
            .map(|t| (t.name, t.scope))
            .collect();
        assert_eq!(
            names,
            vec![("countries".into(), "global"), ("orders".into(), "tenant")]
        );
        assert!(problem(&manifest, sql).is_none());
        assert!(problem(&manifest, "SELECT * FROM order_lines")
            .unwrap()
            .contains("order_lines"));
    }
}
