//! The last line of defence: every query and table reference in the final statement must have
//! been analysed by the rewriter. A construct that hides one (a clause the walk does not know)
//! makes the counts differ, and the statement is refused instead of passed through.

use std::ops::ControlFlow;

use sqlparser::ast::{ObjectName, Query, Statement, TableFactor, Visit, Visitor};

use super::{Rewriter, Seen};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// The engine's own tenant set subqueries (see [`Rewriter::is_set_subquery`]) are not the
/// user's and are not counted.
pub(crate) fn check(stmt: &Statement, seen: &Seen, rewriter: &Rewriter) -> Result<(), Diagnostic> {
    let mut count = Count {
        rewriter,
        queries: 0,
        table_factors: 0,
        relations: 0,
        skipping: 0,
    };
    let _ = stmt.visit(&mut count);
    if count.queries == seen.queries
        && count.table_factors == seen.table_factors
        && count.relations == seen.relations
    {
        return Ok(());
    }
    Err(Diagnostic::new(
        DiagnosticKind::Unsupported,
        format!(
            "the statement has a query or table reference in a position the engine does not analyse \
             ({} of {} queries, {} of {} table expressions and {} of {} table names analysed)",
            seen.queries,
            count.queries,
            seen.table_factors,
            count.table_factors,
            seen.relations,
            count.relations
        ),
    )
    .help("move the subquery or table into a FROM, WHERE or SELECT list, or use `unscoped_query!` with a reason"))
}

struct Count<'r, 'm> {
    rewriter: &'r Rewriter<'m>,
    queries: usize,
    table_factors: usize,
    relations: usize,
    /// How deep the visit is inside a tenant set subquery, which is not counted.
    skipping: usize,
}

impl Visitor for Count<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if self.skipping > 0 || self.rewriter.is_set_subquery(query) {
            self.skipping += 1;
        } else {
            self.queries += 1;
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.skipping = self.skipping.saturating_sub(1);
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, _relation: &ObjectName) -> ControlFlow<()> {
        if self.skipping == 0 {
            self.relations += 1;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, _factor: &TableFactor) -> ControlFlow<()> {
        if self.skipping == 0 {
            self.table_factors += 1;
        }
        ControlFlow::Continue(())
    }
}
