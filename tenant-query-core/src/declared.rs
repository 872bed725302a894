//! Every table a statement names is declared in the manifest.
//!
//! `unscoped_query!` statements get only this check. For rewritten statements the rewriter
//! finds the first undeclared table; this check then adds the others, so that a query with
//! three typos needs one compile, not three.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{Ident, ObjectName, Query, Statement, TableFactor, Visit, Visitor};

use crate::diagnostic::{Diagnostic, DiagnosticKind, Errors};
use crate::manifest::{object_name_parts, TableConfig};
use crate::rewrite::Rewriter;

/// When `first` is an unknown table, adds every other undeclared table of `stmt` to it; other
/// errors stand alone, so that one mistake does not cascade into unrelated ones.
pub(crate) fn with_siblings(
    mut first: Diagnostic,
    rewriter: &Rewriter<'_>,
    stmt: &Statement,
) -> Diagnostic {
    if first.kind != DiagnosticKind::UnknownTable {
        return first;
    }
    if let Err(all) = check(rewriter, stmt) {
        let reported = first.span;
        for sibling in all.problems().into_iter().filter(|d| d.span != reported) {
            first.combine(sibling);
        }
    }
    first
}

/// Checks that every relation of `stmt` that is not a CTE or a table function is declared,
/// and returns the declared tables it names.
///
/// A name that matches a CTE anywhere in the statement is left to the rewriter, which
/// resolves CTE scopes exactly; this check only collects the names that cannot resolve.
pub(crate) fn check<'m>(
    rewriter: &Rewriter<'m>,
    stmt: &Statement,
) -> Result<Vec<&'m TableConfig>, Diagnostic> {
    let mut names = Names::default();
    let _ = stmt.visit(&mut names);
    let ctes: HashSet<String> = names.ctes.iter().map(|c| rewriter.normalize(c)).collect();
    let mut errors = Errors::default();
    let mut tables = Vec::new();
    for name in &names.relations {
        let is_cte = object_name_parts(name)
            .is_some_and(|parts| parts.len() == 1 && ctes.contains(&rewriter.normalize(parts[0])));
        if !is_cte && !names.functions.contains(name) {
            tables.extend(errors.keep(rewriter.resolve(name)));
        }
    }
    errors.finish().map(|()| tables)
}

/// The relation names, table-function names and CTE names of a statement.
#[derive(Default)]
struct Names {
    relations: Vec<ObjectName>,
    functions: HashSet<ObjectName>,
    ctes: Vec<Ident>,
}

impl Visitor for Names {
    type Break = ();

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        self.relations.push(relation.clone());
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            args: Some(_),
            ..
        } = factor
        {
            self.functions.insert(name.clone());
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            self.ctes
                .extend(with.cte_tables.iter().map(|c| c.alias.name.clone()));
        }
        ControlFlow::Continue(())
    }
}
