//! Upserts into a scoped table: the arbiter must be tenant-local, and the update half may only
//! touch the tenant's own row.
//!
//! When the unique key an upsert conflicts on (its arbiter) lacks the tenant column, the
//! conflicting row may be another tenant's: the insert then silently does nothing, and the
//! caller learns that the value exists in another tenant. No rewrite can make that behave like
//! the tenant's slice of the database, so such upserts are refused: an `ON CONFLICT (cols)`
//! target without the tenant column, and the forms whose arbiter may be any unique key
//! (`ON CONFLICT ON CONSTRAINT`, target-less `ON CONFLICT DO NOTHING`, `ON DUPLICATE KEY
//! UPDATE`, `INSERT IGNORE`, `INSERT OR IGNORE`) unless the manifest declares the table's
//! unique keys and each holds the tenant column.
//!
//! As a second line of defence, PostgreSQL and SQLite (`ON CONFLICT … DO UPDATE`) get the
//! tenant predicate in the update's WHERE; MySQL (`ON DUPLICATE KEY UPDATE`) has no WHERE, so
//! each assignment keeps the old value unless the existing row is the tenant's.

use sqlparser::ast::{
    Assignment, AssignmentTarget, ConflictTarget, DoUpdate, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident, Insert, ObjectName,
    OnConflict, OnConflictAction, OnInsert, Query, SetExpr, Spanned, SqliteOnConflict, TableAlias,
    TableFactor, TableWithJoins,
};

use super::{and_into, Binding, Rewriter};
use crate::diagnostic::Diagnostic;
use crate::manifest::{object_name_parts, TableConfig};
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    /// Scopes the ON clause of an INSERT into scoped `table`, which the statement refers to
    /// as `qualifier`, after refusing an arbiter (of the ON clause or of `IGNORE`) that may be
    /// another tenant's key.
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
        self.reject_cross_tenant_arbiter(insert, table, tenant_column)
            .map_err(|e| e.at(source_span(span)))?;
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

    /// Refuses an upsert (or an INSERT that ignores conflicts) whose arbiter may be a unique
    /// key without the tenant column.
    fn reject_cross_tenant_arbiter(
        &self,
        insert: &Insert,
        table: &TableConfig,
        tenant_column: &str,
    ) -> Result<(), Diagnostic> {
        let on_form = match &insert.on {
            Some(on) => {
                let at = source_span(on.span());
                let form = self.any_key_arbiter(on, table, tenant_column);
                form.map_err(|e| e.at(at))?.map(|f| (f, at))
            }
            None => None,
        };
        let Some((form, at)) = ignore_form(insert).map(|f| (f, None)).or(on_form) else {
            return Ok(());
        };
        if table.unique_keys_are_tenant_local() {
            return Ok(());
        }
        Err(unknown_arbiter(form, table, tenant_column).at(at))
    }

    /// The form of an ON clause whose arbiter may be any unique key; an `ON CONFLICT (cols)`
    /// target must hold the tenant column.
    fn any_key_arbiter(
        &self,
        on: &OnInsert,
        table: &TableConfig,
        tenant_column: &str,
    ) -> Result<Option<&'static str>, Diagnostic> {
        Ok(Some(match on {
            OnInsert::OnConflict(OnConflict {
                conflict_target: Some(ConflictTarget::Columns { columns, .. }),
                ..
            }) => {
                if columns
                    .iter()
                    .any(|c| self.manifest.same_column(c, tenant_column))
                {
                    return Ok(None);
                }
                return Err(target_without_tenant_column(table, tenant_column, columns));
            }
            OnInsert::OnConflict(OnConflict {
                conflict_target: Some(ConflictTarget::OnConstraint(_)),
                ..
            }) => "`ON CONFLICT ON CONSTRAINT`",
            OnInsert::OnConflict(OnConflict {
                conflict_target: None,
                ..
            }) => "`ON CONFLICT` without a conflict target",
            OnInsert::DuplicateKeyUpdate(_) => DUPLICATE_KEY,
            _ => return Ok(None),
        }))
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

/// An `ON CONFLICT (cols)` target without the tenant column names a key unique across tenants.
fn target_without_tenant_column(table: &TableConfig, tc: &str, columns: &[Ident]) -> Diagnostic {
    let name = &table.name;
    let cols: Vec<&str> = columns.iter().map(|c| c.value.as_str()).collect();
    let cols = cols.join(", ");
    let at = columns.iter().map(|c| c.span);
    let at = at.reduce(|a, b| a.union(&b)).and_then(source_span);
    Diagnostic::unsupported(format!(
        "`ON CONFLICT ({cols})` on tenant-scoped table `{name}` conflicts on a key without `{tc}`: \
         when another tenant's row holds the value, the insert silently does nothing and tells \
         the caller that the value exists in another tenant"
    ))
    .help(format!(
        "make the key tenant-local (`UNIQUE ({tc}, {cols})`) and name it: `ON CONFLICT ({tc}, {cols})`; \
         or use `unscoped_query!` with a reason"
    ))
    .at(at)
}

const DUPLICATE_KEY: &str = "`ON DUPLICATE KEY UPDATE`";
const IGNORE: &str = "`INSERT IGNORE`";
const OR_IGNORE: &str = "`INSERT OR IGNORE`";

/// MySQL's `INSERT IGNORE` and SQLite's `INSERT OR IGNORE` skip a row that conflicts on any
/// unique key, like a target-less `ON CONFLICT DO NOTHING`.
fn ignore_form(insert: &Insert) -> Option<&'static str> {
    if insert.ignore {
        Some(IGNORE)
    } else if insert.or == Some(SqliteOnConflict::Ignore) {
        Some(OR_IGNORE)
    } else {
        None
    }
}

/// An upsert whose arbiter may be any unique key of the table.
fn unknown_arbiter(form: &str, table: &TableConfig, tc: &str) -> Diagnostic {
    let name = &table.name;
    let target = match form {
        DUPLICATE_KEY | IGNORE => String::new(),
        OR_IGNORE => format!(", or write `ON CONFLICT ({tc}, …) DO NOTHING` instead"),
        _ => format!(", or name a conflict target that includes `{tc}`"),
    };
    let note = match form {
        IGNORE => {
            "; note that IGNORE also turns other errors (invalid values, foreign-key \
                   failures) into warnings"
        }
        _ => "",
    };
    let cross: Vec<String> = (table.unique.iter().flatten())
        .filter(|k| !k.contains(&tc.to_owned()))
        .map(|k| format!("`({})`", k.join(", ")))
        .collect();
    let why = if table.unique.is_none() {
        "the manifest does not declare its unique keys".to_owned()
    } else {
        format!(
            "the manifest declares the key {} without `{tc}`",
            cross.join(", ")
        )
    };
    Diagnostic::unsupported(format!(
        "{form} on tenant-scoped table `{name}` may conflict on any of its unique keys, and {why}: \
         when another tenant's row holds the value, the insert silently does nothing and tells \
         the caller that the value exists in another tenant"
    ))
    .help(format!(
        "make every unique key of `{name}` tenant-local (`UNIQUE ({tc}, …)`) and declare them, \
         primary key included, as `unique = [[\"{tc}\", …], …]` in the manifest{target}; \
         or use `unscoped_query!` with a reason{note}"
    ))
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
