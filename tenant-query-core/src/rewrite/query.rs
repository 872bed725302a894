//! Queries, set operations, selects, and which names are CTEs rather than tables.

use sqlparser::ast::{
    Ident, ObjectName, Query, Select, SetExpr, Spanned, TableFactor, TableWithJoins,
};

use super::{and_into, Binding, Rewriter, Role};
use crate::diagnostic::Diagnostic;
use crate::dialect::CteVisibility;
use crate::manifest::object_name_parts;
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    /// Scopes a query: its CTEs, its body, and every subquery in its other clauses.
    pub(crate) fn query(&mut self, q: &mut Query) -> Result<(), Diagnostic> {
        self.seen.queries += 1;
        if !q.pipe_operators.is_empty() {
            return Err(
                Diagnostic::unsupported("pipe syntax (`|>`) cannot be scoped to a tenant")
                    .at(source_span(q.span()))
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
                self.ctes.push(self.cte_frame(&all, i, with.recursive));
                let result = self.query(&mut cte.query);
                self.ctes.pop();
                result?;
            }
            names = all;
        }

        self.ctes.push(CteFrame {
            visible: names,
            ambiguous: Vec::new(),
        });
        let filtered_before = self.filtered_inside.len();
        let result = self.query_rest(q);
        self.ctes.pop();
        result?;
        if !q.locks.is_empty() && self.filtered_inside.len() > filtered_before {
            return Err(Diagnostic::unsupported(
                "a locking clause (FOR UPDATE, FOR SHARE) on a query whose outer joins need a tenant-scoped table filtered in a derived table: the databases do not lock the rows of a derived table alike",
            )
            .at(source_span(q.span()))
            .help("write the outer joins with ON so that the tables stay base tables, or lock the rows in a separate query"));
        }
        Ok(())
    }

    /// Which CTE names the body of CTE `i` of a WITH list can see (the databases differ: see
    /// `Dialect::cte_visibility`); an ambiguous name is refused.
    ///
    /// Treating a CTE as a table only adds a filter (at worst the statement fails), while
    /// treating a table as a CTE would drop one, so a name is a CTE only where it surely is.
    fn cte_frame(&self, all: &[String], i: usize, recursive: bool) -> CteFrame {
        let (visible, ambiguous) = match self.dialect().cte_visibility(recursive) {
            CteVisibility::All => (all.to_vec(), Vec::new()),
            CteVisibility::Preceding => (all[..i].to_vec(), Vec::new()),
            CteVisibility::PrecedingAndItselfLaterAmbiguous => {
                (all[..=i].to_vec(), all[i + 1..].to_vec())
            }
        };
        CteFrame { visible, ambiguous }
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
            .at(source_span(stmt.span()))
            .help("write separate INSERT and UPDATE statements")),
        }
    }

    fn select(&mut self, select: &mut Select) -> Result<(), Diagnostic> {
        if select.into.is_some() {
            return Err(Diagnostic::unsupported(
                "SELECT … INTO creates a table and cannot be scoped to a tenant",
            )
            .at(source_span(select.span()))
            .help("create the table in a migration and fill it with INSERT … SELECT"));
        }
        if !select.lateral_views.is_empty() || !select.connect_by.is_empty() {
            return Err(Diagnostic::unsupported(
                "LATERAL VIEW and CONNECT BY cannot be scoped to a tenant",
            )
            .at(source_span(select.span()))
            .help("use a LATERAL subquery or a recursive CTE"));
        }

        self.select_depth += 1;
        let mut from = std::mem::take(&mut select.from);
        let filtered_before = self.filtered_inside.len();
        let scoped = self.scope_from_items(&mut from, Role::Read);
        let result = scoped.and_then(|(predicates, bindings)| {
            self.check_grouping_of_derived(select, filtered_before)?;
            self.nested(select, &bindings)?;
            if self.select_depth == 1 && !exposes_unlisted_columns(&from) {
                // No outer query, so a bare name can only be a column of this FROM clause
                // (or, in SQLite, an alias of the SELECT list).
                let aliases: Vec<&sqlparser::ast::Ident> = select
                    .projection
                    .iter()
                    .filter_map(|item| match item {
                        sqlparser::ast::SelectItem::ExprWithAlias { alias, .. } => Some(alias),
                        _ => None,
                    })
                    .collect();
                self.check_bare_columns(&select.projection, &bindings, &aliases);
                self.check_bare_columns(&select.selection, &bindings, &aliases);
            }
            Ok(predicates)
        });
        self.select_depth -= 1;
        select.from = from;
        and_into(&mut select.selection, result?);
        Ok(())
    }

    /// Scopes a FROM list; returns the predicates for WHERE and the tables in scope.
    pub(crate) fn scope_from_items(
        &mut self,
        items: &mut [TableWithJoins],
        role: Role,
    ) -> Result<(Vec<sqlparser::ast::Expr>, Vec<Binding<'m>>), Diagnostic> {
        let mut predicates = Vec::new();
        let mut bindings = Vec::new();
        if self.dialect().comma_binds_like_join() {
            // `a, b RIGHT JOIN c` is `(a, b) RIGHT JOIN c`: the list is one chain of joins.
            predicates = self.join_chain(items, None, &mut bindings, role)?;
            return Ok((predicates, bindings));
        }
        for item in items {
            predicates.extend(self.table_with_joins(item, &mut bindings, role)?);
        }
        Ok((predicates, bindings))
    }

    /// Whether a table name in FROM refers to a CTE visible here.
    ///
    /// The target of UPDATE and DELETE ([`Role::DmlTarget`]) is always a table, even when a
    /// CTE of the same name is in scope, so a declared table there is never taken for a CTE.
    pub(crate) fn cte_ref(&self, name: &ObjectName, role: Role) -> CteRef {
        let Some(parts) = object_name_parts(name) else {
            return CteRef::NotCte;
        };
        let [ident] = parts.as_slice() else {
            return CteRef::NotCte;
        };
        if role == Role::DmlTarget && self.manifest.resolve(name).is_some() {
            return CteRef::NotCte;
        }
        let n = self.normalize(ident);
        for frame in self.ctes.iter().rev() {
            if frame.visible.contains(&n) {
                return CteRef::Cte;
            }
            if frame.ambiguous.contains(&n) {
                return CteRef::Ambiguous;
            }
        }
        CteRef::NotCte
    }

    pub(crate) fn normalize(&self, ident: &Ident) -> String {
        self.dialect()
            .normalize_ident(&ident.value, ident.quote_style.is_some())
    }
}

/// Whether a FROM list holds a relation whose columns no manifest lists: a derived table, a
/// function or a parenthesised join with one. A bare name may then be one of its columns.
fn exposes_unlisted_columns(from: &[TableWithJoins]) -> bool {
    let mut factors = from.iter().flat_map(|item| {
        std::iter::once(&item.relation).chain(item.joins.iter().map(|j| &j.relation))
    });
    factors.any(|factor| match factor {
        TableFactor::Table { args, .. } => args.is_some(),
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => exposes_unlisted_columns(std::slice::from_ref(table_with_joins)),
        _ => true,
    })
}

/// The CTE names one scope can see.
#[derive(Debug, Default)]
pub(crate) struct CteFrame {
    /// Names that surely refer to the CTE.
    pub(crate) visible: Vec<String>,
    /// Names that some databases resolve to the CTE and others to a table.
    pub(crate) ambiguous: Vec<String>,
}

/// What a table name in FROM refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CteRef {
    /// A table (or view).
    NotCte,
    /// A CTE in scope.
    Cte,
    /// A later CTE of a MySQL `WITH RECURSIVE` list: refused.
    Ambiguous,
}
