//! Upserts into a scoped table: the update half may only touch the tenant's own row.
//!
//! The conflicting row may belong to another tenant when the unique key does not include the
//! tenant column. PostgreSQL and SQLite (`ON CONFLICT … DO UPDATE`) get the tenant predicate in
//! the update's WHERE; MySQL (`ON DUPLICATE KEY UPDATE`) has no WHERE, so each assignment keeps
//! the old value unless the existing row is the tenant's.

use sqlparser::ast::{
    Assignment, AssignmentTarget, DoUpdate, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, Ident, Insert, ObjectName, OnConflictAction, OnInsert,
    Query, SetExpr, Spanned, TableAlias, TableFactor, TableWithJoins,
};

use super::{and_into, Binding, Rewriter};
use crate::diagnostic::Diagnostic;
use crate::manifest::{object_name_parts, TableConfig};
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    /// Scopes the ON clause of an INSERT into scoped `table`, which the statement refers to
    /// as `qualifier`.
    pub(super) fn scope_upsert(
        &mut self,
        insert: &mut Insert,
        table: &'m TableConfig,
        tenant_column: &str,
        qualifier: &[Ident],
    ) -> Result<(), Diagnostic> {
        let span = insert.span();
        let target = Binding {
            exposed: qualifier.iter().map(|i| self.normalize(i)).collect(),
            table,
        };
        match &mut insert.on {
            None => Ok(()),
            Some(OnInsert::OnConflict(conflict)) => {
                if let OnConflictAction::DoUpdate(DoUpdate {
                    assignments,
                    selection,
                }) = &mut conflict.action
                {
                    self.reject_tenant_assignment(assignments, std::slice::from_ref(&target));
                    and_into(selection, vec![self.predicate(qualifier, tenant_column)]);
                }
                Ok(())
            }
            Some(OnInsert::DuplicateKeyUpdate(assignments)) => {
                self.reject_tenant_assignment(assignments, std::slice::from_ref(&target));
                self.reject_target_name_in_source(insert.source.as_deref(), &target, qualifier)
                    .map_err(|e| e.at(source_span(span)))?;
                let guard = self.predicate(qualifier, tenant_column);
                guard_assignments(assignments, &guard, qualifier)
            }
            Some(_) => Err(
                Diagnostic::unsupported("this ON clause of INSERT cannot be scoped")
                    .at(source_span(span)),
            ),
        }
    }

    /// After INSERT … SELECT, MySQL resolves names in the UPDATE clause against the SELECT's
    /// tables too: with the target's name among them, neither the guard nor the old value can
    /// be named unambiguously.
    fn reject_target_name_in_source(
        &self,
        source: Option<&Query>,
        target: &Binding<'m>,
        qualifier: &[Ident],
    ) -> Result<(), Diagnostic> {
        let target_name: Vec<String> = qualifier.iter().map(|i| self.normalize(i)).collect();
        let source_names = source
            .map(|q| exposed_names(&q.body, self))
            .unwrap_or_default();
        let Some((_, clash)) = source_names
            .iter()
            .find(|(n, _)| n == &target_name || n.last() == target_name.last())
        else {
            return Ok(());
        };
        let name = &target.table.name;
        Err(Diagnostic::unsupported(format!(
            "ON DUPLICATE KEY UPDATE after INSERT … SELECT that reads `{name}` under its own name cannot be made safe"
        ))
        .secondary(source_span(*clash), "the SELECT exposes the same name here")
        .help(format!(
            "give `{name}` an alias in the SELECT (`FROM {name} AS src`)"
        )))
    }
}

/// `column = IF(guard, new, target.column)` for every assignment. The tenant column is never
/// assigned, so the guard holds or fails for all assignments alike.
fn guard_assignments(
    assignments: &mut [Assignment],
    guard: &Expr,
    qualifier: &[Ident],
) -> Result<(), Diagnostic> {
    for a in assignments.iter_mut() {
        let AssignmentTarget::ColumnName(column) = &a.target else {
            return Err(Diagnostic::unsupported(
                "tuple assignments in ON DUPLICATE KEY UPDATE cannot be scoped",
            )
            .at(source_span(a.span())));
        };
        // The existing row's value, qualified so that no other name can shadow it.
        let parts: Vec<Ident> = object_name_parts(column)
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect();
        let old = match parts.as_slice() {
            [single] => {
                let mut qualified = qualifier.to_vec();
                qualified.push(single.clone());
                Expr::CompoundIdentifier(qualified)
            }
            _ => Expr::CompoundIdentifier(parts),
        };
        let new = std::mem::replace(&mut a.value, Expr::value(sqlparser::ast::Value::Null));
        a.value = if_expr(guard.clone(), new, old);
    }
    Ok(())
}

/// MySQL `IF(condition, then, otherwise)`.
fn if_expr(condition: Expr, then: Expr, otherwise: Expr) -> Expr {
    let arg = |e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e));
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new("IF")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![arg(condition), arg(then), arg(otherwise)],
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

/// A name a FROM item exposes, normalised, and where it is written.
type Exposed = (Vec<String>, sqlparser::tokenizer::Span);

/// The names the top-level FROM items of an INSERT source expose.
fn exposed_names(body: &SetExpr, rewriter: &Rewriter<'_>) -> Vec<Exposed> {
    let mut out = Vec::new();
    match body {
        SetExpr::Select(select) => {
            for t in &select.from {
                item_names(t, rewriter, &mut out);
            }
        }
        SetExpr::Query(q) => out = exposed_names(&q.body, rewriter),
        SetExpr::SetOperation { left, right, .. } => {
            out = exposed_names(left, rewriter);
            out.extend(exposed_names(right, rewriter));
        }
        _ => {}
    }
    out
}

fn item_names(t: &TableWithJoins, r: &Rewriter<'_>, out: &mut Vec<Exposed>) {
    factor_names(&t.relation, r, out);
    for j in &t.joins {
        factor_names(&j.relation, r, out);
    }
}

fn factor_names(f: &TableFactor, r: &Rewriter<'_>, out: &mut Vec<Exposed>) {
    match f {
        TableFactor::Table { name, alias, .. } => out.push(match alias {
            Some(a) => (vec![r.normalize(&a.name)], a.name.span),
            None => (
                object_name_parts(name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| r.normalize(i))
                    .collect(),
                name.span(),
            ),
        }),
        TableFactor::NestedJoin {
            table_with_joins,
            alias: None,
        } => item_names(table_with_joins, r, out),
        other => {
            if let Some(alias) = alias_of(other) {
                out.push((vec![r.normalize(&alias.name)], alias.name.span));
            }
        }
    }
}

fn alias_of(f: &TableFactor) -> Option<&TableAlias> {
    match f {
        TableFactor::Derived { alias, .. }
        | TableFactor::NestedJoin { alias, .. }
        | TableFactor::UNNEST { alias, .. }
        | TableFactor::TableFunction { alias, .. }
        | TableFactor::Function { alias, .. } => alias.as_ref(),
        _ => None,
    }
}
