//! The last line of defence: every query and table reference in the final statement must have
//! been analysed by the rewriter. A construct that hides one (a clause the walk does not know)
//! makes the counts differ, and the statement is refused instead of passed through.

use std::ops::ControlFlow;

use sqlparser::ast::{ObjectName, Query, Statement, TableFactor, Visit, Visitor};

use super::Seen;
use crate::diagnostic::{Diagnostic, DiagnosticKind};

pub(crate) fn check(stmt: &Statement, seen: &Seen) -> Result<(), Diagnostic> {
    let mut count = Count::default();
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

#[derive(Default)]
struct Count {
    queries: usize,
    table_factors: usize,
    relations: usize,
}

impl Visitor for Count {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.queries += 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, _relation: &ObjectName) -> ControlFlow<()> {
        self.relations += 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, _factor: &TableFactor) -> ControlFlow<()> {
        self.table_factors += 1;
        ControlFlow::Continue(())
    }
}
