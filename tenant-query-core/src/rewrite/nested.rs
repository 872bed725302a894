//! Subqueries inside expressions, and checks of qualified column names.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Query, Spanned, Statement, TableFactor, Visit, VisitMut, Visitor, VisitorMut,
};

use super::{Binding, Rewriter};
use crate::diagnostic::{closest, Diagnostic, DiagnosticKind};
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    /// Scopes every query nested anywhere in `node`'s expressions, and checks the columns that
    /// `node` names through `bindings`.
    ///
    /// `node` must not contain FROM items of its own: the caller takes them out first.
    pub(crate) fn nested<T: VisitMut>(
        &mut self,
        node: &mut T,
        bindings: &[Binding<'m>],
    ) -> Result<(), Diagnostic> {
        let mut visitor = Nested {
            rewriter: self,
            bindings,
            depth: 0,
        };
        match node.visit(&mut visitor) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(e) => Err(e),
        }
    }

    /// Checks a column name against a table's declared columns.
    pub(crate) fn check_column(
        &self,
        binding: &Binding<'m>,
        column: &sqlparser::ast::Ident,
    ) -> Result<(), Diagnostic> {
        let Some(columns) = &binding.table.columns else {
            return Ok(());
        };
        if columns.iter().any(|c| self.manifest.same_column(column, c)) {
            return Ok(());
        }
        let help = match closest(&column.value, columns.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "`{}` has the columns {}; add the column to its `columns` in tenant-schema.toml if the table has it",
                binding.table.name,
                columns
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(Diagnostic::new(
            DiagnosticKind::UnknownColumn,
            format!(
                "table `{}` has no column `{}`",
                binding.table.name, column.value
            ),
        )
        .at(source_span(column.span))
        .label("no such column")
        .help(help))
    }

    /// Checks unqualified column names in `node` (outside its subqueries) when exactly one
    /// table is in scope and the manifest lists its columns. Names in `aliases` are skipped.
    /// Every unknown column is reported.
    pub(crate) fn check_bare_columns<T: Visit>(
        &mut self,
        node: &T,
        bindings: &[Binding<'m>],
        aliases: &[&sqlparser::ast::Ident],
    ) {
        let [binding] = bindings else {
            return;
        };
        if binding.table.columns.is_none() {
            return;
        }
        let mut visitor = BareColumns {
            rewriter: self,
            binding,
            aliases,
            depth: 0,
            found: Vec::new(),
        };
        let _ = node.visit(&mut visitor);
        let found = visitor.found;
        found.into_iter().for_each(|e| self.report(e));
    }

    /// The binding a qualifier (`o` in `o.id`) names, if it is one of `bindings`.
    pub(crate) fn binding_for<'b>(
        &self,
        bindings: &'b [Binding<'m>],
        qualifier: &[sqlparser::ast::Ident],
    ) -> Option<&'b Binding<'m>> {
        let q: Vec<String> = qualifier.iter().map(|i| self.normalize(i)).collect();
        bindings
            .iter()
            .rev()
            .find(|b| b.exposed == q || (q.len() == 1 && b.exposed.last() == q.last()))
    }
}

struct Nested<'r, 'm, 'b> {
    rewriter: &'r mut Rewriter<'m>,
    bindings: &'b [Binding<'m>],
    /// How many queries deep the visitor is. Queries at depth 0 are scoped by the rewriter,
    /// which handles everything inside them; deeper ones are skipped here.
    depth: usize,
}

impl VisitorMut for Nested<'_, '_, '_> {
    type Break = Diagnostic;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<Diagnostic> {
        // The engine's own tenant set subquery, already in place, is not analysed again.
        if self.depth == 0 && !self.rewriter.is_set_subquery(query) {
            if let Err(e) = self.rewriter.query(query) {
                return ControlFlow::Break(e);
            }
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<Diagnostic> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<Diagnostic> {
        if self.depth == 0 {
            return ControlFlow::Break(
                Diagnostic::unsupported(
                    "a table reference in an unexpected position cannot be scoped to a tenant",
                )
                .at(source_span(factor.span()))
                .help("move the table into a FROM clause or a subquery"),
            );
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, statement: &mut Statement) -> ControlFlow<Diagnostic> {
        if self.depth == 0 {
            return ControlFlow::Break(
                Diagnostic::unsupported(
                    "a statement nested in an expression cannot be scoped to a tenant",
                )
                .at(source_span(statement.span())),
            );
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Diagnostic> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        if let Err(e) = hidden_table_read(expr) {
            return ControlFlow::Break(e);
        }
        if self.bindings.is_empty() {
            return ControlFlow::Continue(());
        }
        if let Expr::CompoundIdentifier(parts) = expr {
            if let Some((column, qualifier)) = parts.split_last() {
                if let Some(binding) = self.rewriter.binding_for(self.bindings, qualifier) {
                    let checked = self.rewriter.check_column(binding, column);
                    self.rewriter.keep(checked);
                }
            }
        }
        ControlFlow::Continue(())
    }
}

struct BareColumns<'r, 'm, 'b> {
    rewriter: &'r Rewriter<'m>,
    binding: &'b Binding<'m>,
    aliases: &'b [&'b sqlparser::ast::Ident],
    depth: usize,
    /// The unknown columns, in text order.
    found: Vec<Diagnostic>,
}

impl Visitor for BareColumns<'_, '_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        let Expr::Identifier(ident) = expr else {
            return ControlFlow::Continue(());
        };
        let skip = self.depth > 0
            || (self.rewriter.dialect().quoted_name_may_be_string() && ident.quote_style.is_some())
            || self
                .aliases
                .iter()
                .any(|a| self.rewriter.normalize(a) == self.rewriter.normalize(ident));
        if !skip {
            if let Err(e) = self.rewriter.check_column(self.binding, ident) {
                self.found.push(e);
            }
        }
        ControlFlow::Continue(())
    }
}

/// Refuses expressions that read a table the walk cannot scope: SQLite's `x IN table`.
/// Functions that take a table name or SQL text are refused with the other unknown functions
/// (see `functions`).
fn hidden_table_read(expr: &Expr) -> Result<(), Diagnostic> {
    match expr {
        Expr::In {
            target: sqlparser::ast::InTarget::Table { name, .. },
            ..
        } => Err(Diagnostic::unsupported(format!(
            "`IN {name}` reads a table inside an expression, which cannot be scoped to a tenant"
        ))
        .at(source_span(name.span()))
        .help(format!(
            "write it as a subquery: `IN (SELECT … FROM {name})`"
        ))),
        _ => Ok(()),
    }
}
