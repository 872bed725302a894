//! A scoped table filtered inside a derived table, where no ON or WHERE placement is exact:
//! on the nullable side of an outer join without ON (`LEFT JOIN t USING (id)`, `NATURAL`, no
//! condition) and on either side of a FULL JOIN.
//!
//! `t AS a` becomes `(SELECT * FROM t AS a WHERE a.tenant_id = $1) AS a`; an unaliased `t`
//! becomes `(SELECT * FROM t WHERE t.tenant_id = $1) AS t`. The derived table has the table's
//! columns in the table's order under the same name, so `SELECT *`, the merged columns of
//! `USING` and `NATURAL` and every `a.col` read the same. Hints, partitions and samples stay on
//! the table inside.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, GroupByExpr, Ident, ObjectName, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, Spanned, TableAlias, TableFactor, TableWithJoins,
    Visit, Visitor,
};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Span;

use super::joins::{no_full_join, Kind, Nullable};
use super::{and_into, Rewriter, Role};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::manifest::object_name_parts;
use crate::parse::source_span;

impl Rewriter<'_> {
    /// Replaces the scoped table `factor` by a derived table that applies `predicates` to it.
    pub(crate) fn filter_inside(
        &mut self,
        factor: &mut TableFactor,
        predicates: Vec<Expr>,
        nullable: Nullable,
        role: Role,
    ) -> Result<(), Diagnostic> {
        if nullable.kind == Kind::Full && !self.dialect().supports_full_join() {
            return Err(no_full_join(self.dialect().display_name(), nullable.span));
        }
        if role == Role::DmlTarget {
            return Err(needs_derived_table(
                "and the tables an UPDATE or DELETE joins cannot be derived tables",
                factor,
                nullable,
            ));
        }
        let alias = self.derived_alias(factor, nullable)?;
        let alias_name = alias.clone();
        *factor = self.derived_table(factor.clone(), alias, predicates)?;
        self.seen.queries += 1;
        self.seen.table_factors += 1;
        self.filtered_inside.push(self.normalize(&alias_name));
        Ok(())
    }

    /// `(SELECT * FROM <table> WHERE <predicates>) AS <alias>`.
    fn derived_table(
        &self,
        table: TableFactor,
        alias: Ident,
        predicates: Vec<Expr>,
    ) -> Result<TableFactor, Diagnostic> {
        let mut subquery = self.select_star()?;
        let SetExpr::Select(select) = subquery.body.as_mut() else {
            return Err(internal("`SELECT *` did not parse as a SELECT"));
        };
        select.from = vec![TableWithJoins {
            relation: table,
            joins: Vec::new(),
        }];
        and_into(&mut select.selection, predicates);
        Ok(TableFactor::Derived {
            lateral: false,
            subquery: Box::new(subquery),
            alias: Some(TableAlias {
                explicit: true,
                name: alias,
                columns: Vec::new(),
                at: None,
            }),
            sample: None,
        })
    }

    /// The name the derived table takes: the table's alias, or its name when that is one
    /// part (a qualified name would no longer qualify its columns).
    fn derived_alias(&self, factor: &TableFactor, nullable: Nullable) -> Result<Ident, Diagnostic> {
        let TableFactor::Table { name, alias, .. } = factor else {
            return Err(needs_derived_table(
                "and the engine can only filter a table that way",
                factor,
                nullable,
            )
            .help("filter it in a subquery of your own, or write the join with ON"));
        };
        if let Some(alias) = alias {
            return Ok(alias.name.clone());
        }
        match object_name_parts(name).as_deref() {
            Some([only]) => Ok((*only).clone()),
            _ => Err(needs_derived_table(
                &format!("which would no longer answer to the qualified name `{name}`"),
                factor,
                nullable,
            )
            .help(format!(
                "give the table an alias (`{name} AS {}`) and qualify its columns with it",
                bare_name(factor)
            ))),
        }
    }

    /// A bare `SELECT *` query, parsed in the dialect so that every field has its default.
    fn select_star(&self) -> Result<Query, Diagnostic> {
        let dialect = self.dialect().parser_dialect();
        Parser::new(dialect.as_ref())
            .try_with_sql("SELECT *")
            .and_then(|mut p| p.parse_query())
            .map(|q| *q)
            .map_err(|e| internal(&format!("`SELECT *` did not parse: {e}")))
    }
}

impl Rewriter<'_> {
    /// PostgreSQL lets a query select a table's columns ungrouped when `GROUP BY` holds the
    /// table's primary key. A derived table has no primary key, so once a table is filtered
    /// inside one (those of `filtered_inside` from `first` on), such a query would fail: it is
    /// refused with the fix. Only qualified references outside any function call are judged.
    pub(crate) fn check_grouping_of_derived(
        &self,
        select: &Select,
        first: usize,
    ) -> Result<(), Diagnostic> {
        let GroupByExpr::Expressions(grouped, _) = &select.group_by else {
            return Ok(());
        };
        if !self.dialect().groups_by_primary_key() {
            return Ok(());
        }
        for alias in &self.filtered_inside[first..] {
            if !grouped.iter().any(|g| self.column_of(g, alias).is_some()) {
                continue;
            }
            let mut finder = Ungrouped {
                rewriter: self,
                alias,
                grouped,
                sheltered: 0,
                found: None,
            };
            let _ = select.projection.visit(&mut finder);
            let _ = select.having.visit(&mut finder);
            let star = select.projection.iter().find(|item| {
                matches!(item, SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) if self.is_alias(n, alias))
            });
            if let Some(star) = star {
                return Err(
                    ungrouped_through_derived(&star.to_string(), star.span(), alias).help(format!(
                        "list the columns of `{alias}` that the query needs, and add them to GROUP BY"
                    )),
                );
            }
            if let Some(e) = finder.found {
                return Err(
                    ungrouped_through_derived(&e.to_string(), e.span(), alias).help(format!(
                        "add `{e}` to GROUP BY, or aggregate it (`max({e})`)"
                    )),
                );
            }
        }
        Ok(())
    }

    /// The column of `alias.column`, if `e` is one.
    fn column_of<'e>(&self, e: &'e Expr, alias: &str) -> Option<&'e Ident> {
        match e {
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, column] if self.normalize(q) == alias => Some(column),
                _ => None,
            },
            _ => None,
        }
    }

    fn is_alias(&self, name: &ObjectName, alias: &str) -> bool {
        matches!(object_name_parts(name).as_deref(), Some([q]) if self.normalize(q) == alias)
    }
}

/// Finds a column of `alias` that is neither grouped nor inside a function call (possibly an
/// aggregate) or subquery.
struct Ungrouped<'a, 'm> {
    rewriter: &'a Rewriter<'m>,
    alias: &'a str,
    grouped: &'a [Expr],
    /// How many enclosing function calls, grouped expressions and subqueries.
    sheltered: usize,
    found: Option<Expr>,
}

impl Ungrouped<'_, '_> {
    fn shelters(&self, e: &Expr) -> bool {
        matches!(e, Expr::Function(_)) || self.grouped.contains(e)
    }
}

impl Visitor for Ungrouped<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.sheltered += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.sheltered -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.shelters(e) {
            self.sheltered += 1;
        } else if self.sheltered == 0 && self.rewriter.column_of(e, self.alias).is_some() {
            self.found = Some(e.clone());
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.shelters(e) {
            self.sheltered -= 1;
        }
        ControlFlow::Continue(())
    }
}

fn ungrouped_through_derived(column: &str, span: Span, alias: &str) -> Diagnostic {
    Diagnostic::unsupported(format!(
        "`{column}` is neither grouped nor aggregated: PostgreSQL accepts that only when GROUP BY holds the primary key of a base table, and `{alias}` is filtered in a derived table, which has none"
    ))
    .at(source_span(span))
}

fn bare_name(factor: &TableFactor) -> String {
    match factor {
        TableFactor::Table { name, .. } => name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map_or_else(|| name.to_string(), ToString::to_string),
        other => other.to_string(),
    }
}

fn needs_derived_table(why: &str, factor: &TableFactor, nullable: Nullable) -> Diagnostic {
    let nullable_side = format!("the nullable side of this {}", nullable.describe());
    let error = Diagnostic::unsupported(format!(
        "tenant-scoped `{factor}` is on the nullable side of a {} and would have to be filtered in a derived table, {why}",
        nullable.describe()
    ))
    .at(source_span(factor.span()));
    let error = if factor.span() == nullable.span {
        error.label(nullable_side)
    } else {
        error.secondary(source_span(nullable.span), nullable_side)
    };
    error.help("write the join condition with ON (`LEFT JOIN t ON t.a = u.a`) so the tenant filter can join it")
}

fn internal(message: &str) -> Diagnostic {
    Diagnostic::new(DiagnosticKind::Internal, message.to_owned())
        .help("this is a bug in tenant-query; the statement was refused rather than passed through")
}
