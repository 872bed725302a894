//! Queries, set operations, selects, and which names are CTEs rather than tables.

use sqlparser::ast::{Ident, ObjectName, Query, Select, SetExpr, Spanned, TableWithJoins};

use super::{and_into, Binding, Rewriter};
use crate::diagnostic::Diagnostic;
use crate::manifest::object_name_parts;
use crate::parse::location;

impl<'m> Rewriter<'m> {
    /// Scopes a query: its CTEs, its body, and every subquery in its other clauses.
    pub(crate) fn query(&mut self, q: &mut Query) -> Result<(), Diagnostic> {
        self.seen.queries += 1;
        if !q.pipe_operators.is_empty() {
            return Err(
                Diagnostic::unsupported("pipe syntax (`|>`) cannot be scoped to a tenant")
                    .at(location(q.span()))
                    .help("write the query with FROM and JOIN clauses"),
            );
        }

        let mut names = Vec::new();
        if let Some(with) = &mut q.with {
            let all: Vec<String> = with
                .cte_tables
                .iter()
                .map(|c| self.normalize(&c.alias.name))
                .collect();
            for (i, cte) in with.cte_tables.iter_mut().enumerate() {
                // A CTE sees the CTEs before it, and itself when the WITH is RECURSIVE. A name
                // we cannot prove to be a CTE is treated as the table it also names.
                let mut visible = all[..i].to_vec();
                if with.recursive {
                    visible.push(all[i].clone());
                }
                self.ctes.push(visible);
                let result = self.query(&mut cte.query);
                self.ctes.pop();
                result?;
            }
            names = all;
        }

        self.ctes.push(names);
        let result = self.query_rest(q);
        self.ctes.pop();
        result
    }

    fn query_rest(&mut self, q: &mut Query) -> Result<(), Diagnostic> {
        self.set_expr(&mut q.body)?;
        if let Some(order_by) = &mut q.order_by {
            self.nested(order_by, &[])?;
        }
        if let Some(limit) = &mut q.limit_clause {
            self.nested(limit, &[])?;
        }
        if let Some(fetch) = &mut q.fetch {
            self.nested(fetch, &[])?;
        }
        Ok(())
    }

    pub(crate) fn set_expr(&mut self, body: &mut SetExpr) -> Result<(), Diagnostic> {
        match body {
            SetExpr::Select(select) => self.select(select),
            SetExpr::Query(q) => self.query(q),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left)?;
                self.set_expr(right)
            }
            SetExpr::Values(values) => self.nested(values, &[]),
            SetExpr::Insert(stmt) | SetExpr::Update(stmt) | SetExpr::Delete(stmt) => {
                self.statement(stmt)
            }
            SetExpr::Table(table) => Err(Diagnostic::unsupported(format!(
                "the `TABLE {}` shorthand cannot be scoped to a tenant",
                table
                    .table_name
                    .as_ref()
                    .map_or("…".to_owned(), ToString::to_string)
            ))
            .help("write `SELECT * FROM …` instead")),
            SetExpr::Merge(stmt) => Err(Diagnostic::unsupported(
                "MERGE statements cannot be scoped to a tenant",
            )
            .at(location(stmt.span()))
            .help("write separate INSERT and UPDATE statements")),
        }
    }

    fn select(&mut self, select: &mut Select) -> Result<(), Diagnostic> {
        if select.into.is_some() {
            return Err(Diagnostic::unsupported(
                "SELECT … INTO creates a table and cannot be scoped to a tenant",
            )
            .at(location(select.span()))
            .help("create the table in a migration and fill it with INSERT … SELECT"));
        }
        if !select.lateral_views.is_empty() || !select.connect_by.is_empty() {
            return Err(Diagnostic::unsupported(
                "LATERAL VIEW and CONNECT BY cannot be scoped to a tenant",
            )
            .at(location(select.span()))
            .help("use a LATERAL subquery or a recursive CTE"));
        }

        let mut from = std::mem::take(&mut select.from);
        let scoped = self.scope_from_items(&mut from);
        let result = scoped.and_then(|(predicates, bindings)| {
            self.nested(select, &bindings)?;
            Ok(predicates)
        });
        select.from = from;
        and_into(&mut select.selection, result?);
        Ok(())
    }

    /// Scopes a FROM list; returns the predicates for WHERE and the tables in scope.
    pub(crate) fn scope_from_items(
        &mut self,
        items: &mut [TableWithJoins],
    ) -> Result<(Vec<sqlparser::ast::Expr>, Vec<Binding<'m>>), Diagnostic> {
        let mut predicates = Vec::new();
        let mut bindings = Vec::new();
        for item in items {
            predicates.extend(self.table_with_joins(item, &mut bindings)?);
        }
        Ok((predicates, bindings))
    }

    /// Whether an unqualified name refers to a CTE visible here.
    pub(crate) fn is_cte(&self, name: &ObjectName) -> bool {
        let Some(parts) = object_name_parts(name) else {
            return false;
        };
        let [ident] = parts.as_slice() else {
            return false;
        };
        let n = self.normalize(ident);
        self.ctes.iter().rev().any(|frame| frame.contains(&n))
    }

    pub(crate) fn normalize(&self, ident: &Ident) -> String {
        self.dialect()
            .normalize_ident(&ident.value, ident.quote_style.is_some())
    }
}
