//! INSERT, UPDATE and DELETE: scoped targets, stamped inserts, safe upserts, and no writes to
//! the tenant column.

use sqlparser::ast::{
    Assignment, AssignmentTarget, Delete, DoUpdate, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, Ident, Insert, ObjectName, OnConflictAction, OnInsert,
    Query, SelectItem, SetExpr, Spanned, SqliteOnConflict, TableObject, TableWithJoins, Update,
    UpdateTableFromKind,
};

use super::{and_into, Binding, Rewriter};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::manifest::{object_name_parts, TableConfig};
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    pub(crate) fn insert(&mut self, insert: &mut Insert) -> Result<(), Diagnostic> {
        let span = insert.span();
        let name = match &insert.table {
            TableObject::TableName(name) => name.clone(),
            other => {
                return Err(Diagnostic::unsupported(format!(
                    "cannot insert into `{other}`: only tables declared in tenant-schema.toml can be written"
                ))
                .at(source_span(span)))
            }
        };
        if insert.overwrite
            || insert.partitioned.is_some()
            || insert.by_name
            || insert.format_clause.is_some()
            || insert.multi_table_insert_type.is_some()
            || !insert.multi_table_into_clauses.is_empty()
        {
            return Err(Diagnostic::unsupported(
                "this form of INSERT cannot be scoped to a tenant",
            )
            .at(source_span(span))
            .help("write `INSERT INTO table (columns…) VALUES (…)` or `INSERT INTO table (columns…) SELECT …`"));
        }
        let table = self.resolve(&name)?;
        self.seen.relations += 1;

        if let Some(tenant_column) = &table.tenant_column {
            self.scoped.push(table);
            self.stamp_insert(insert, table, tenant_column, &name)?;
        }
        // Scope the source query and every subquery in ON CONFLICT, RETURNING and the rest.
        let binding = Binding {
            exposed: match &insert.table_alias {
                Some(alias) => vec![self.normalize(&alias.alias)],
                None => object_name_parts(&name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| self.normalize(i))
                    .collect(),
            },
            table,
        };
        for column in &insert.columns {
            if let Some(ident) = object_name_parts(column).and_then(|p| p.last().copied()) {
                self.check_column(&binding, ident)?;
            }
        }
        self.nested(insert, std::slice::from_ref(&binding))
    }

    fn stamp_insert(
        &mut self,
        insert: &mut Insert,
        table: &'m TableConfig,
        tenant_column: &str,
        name: &ObjectName,
    ) -> Result<(), Diagnostic> {
        let span = insert.span();
        if insert.replace_into || insert.or == Some(SqliteOnConflict::Replace) {
            return Err(Diagnostic::unsupported(format!(
                "REPLACE into tenant-scoped table `{}` could delete another tenant's row that shares a key",
                table.name
            ))
            .at(source_span(span))
            .help("use INSERT … ON CONFLICT … DO UPDATE (or ON DUPLICATE KEY UPDATE), which the engine scopes to the tenant"));
        }
        if !insert.assignments.is_empty() {
            return Err(Diagnostic::unsupported(format!(
                "INSERT … SET into tenant-scoped table `{}` cannot be stamped with the tenant",
                table.name
            ))
            .at(source_span(span))
            .help("write `INSERT INTO table (columns…) VALUES (…)`"));
        }
        if insert.columns.is_empty() {
            return Err(Diagnostic::new(
                DiagnosticKind::Unsupported,
                format!(
                    "INSERT into tenant-scoped table `{}` needs a column list",
                    table.name
                ),
            )
            .at(source_span(name.span()))
            .help(format!(
                "name the columns, e.g. `INSERT INTO {} (id, …) VALUES (…)`; the engine adds `{tenant_column}` itself",
                name
            )));
        }
        for column in &insert.columns {
            if let Some(ident) = object_name_parts(column).and_then(|p| p.last().copied()) {
                if self.manifest.same_column(ident, tenant_column) {
                    return Err(tenant_write(
                        format!(
                            "INSERT must not set the tenant column `{tenant_column}` of `{}`",
                            table.name
                        ),
                        column,
                    )
                    .help(format!(
                        "remove `{tenant_column}` and its values; the engine stamps it with the tenant"
                    )));
                }
            }
        }
        insert
            .columns
            .push(ObjectName::from(vec![self.column_ident(tenant_column)]));
        let Some(source) = &mut insert.source else {
            return Err(Diagnostic::unsupported(format!(
                "INSERT … DEFAULT VALUES into tenant-scoped table `{}` cannot be stamped with the tenant",
                table.name
            ))
            .at(source_span(span))
            .help("list the columns and VALUES"));
        };
        self.stamp_query(source)?;

        let qualifier: Vec<Ident> = match &insert.table_alias {
            Some(alias) => vec![alias.alias.clone()],
            None => object_name_parts(name)
                .unwrap_or_default()
                .into_iter()
                .cloned()
                .collect(),
        };
        let target = Binding {
            exposed: qualifier.iter().map(|i| self.normalize(i)).collect(),
            table,
        };
        match &mut insert.on {
            None => Ok(()),
            Some(OnInsert::OnConflict(conflict)) => match &mut conflict.action {
                OnConflictAction::DoNothing => Ok(()),
                OnConflictAction::DoUpdate(DoUpdate {
                    assignments,
                    selection,
                }) => {
                    self.reject_tenant_assignment(assignments, std::slice::from_ref(&target))?;
                    // The conflicting row may belong to another tenant when the unique key
                    // does not include the tenant column: only ever update our own.
                    and_into(selection, vec![self.predicate(&qualifier, tenant_column)]);
                    Ok(())
                }
            },
            Some(OnInsert::DuplicateKeyUpdate(assignments)) => {
                self.reject_tenant_assignment(assignments, std::slice::from_ref(&target))?;
                let target_name: Vec<String> =
                    qualifier.iter().map(|i| self.normalize(i)).collect();
                let source_names = insert
                    .source
                    .as_deref()
                    .map(|q| exposed_names(&q.body, self))
                    .unwrap_or_default();
                if source_names
                    .iter()
                    .any(|n| n == &target_name || n.last() == target_name.last())
                {
                    // After INSERT … SELECT, MySQL resolves names in the UPDATE clause against
                    // the SELECT's tables too: with the target's name among them, neither the
                    // guard nor the old value can be named unambiguously.
                    return Err(Diagnostic::unsupported(format!(
                        "ON DUPLICATE KEY UPDATE after INSERT … SELECT that reads `{}` under its own name cannot be made safe",
                        table.name
                    ))
                    .at(source_span(span))
                    .help(format!(
                        "give `{}` an alias in the SELECT (`FROM {} AS src`)",
                        table.name, table.name
                    )));
                }
                // MySQL has no WHERE here: each assignment keeps the old value unless the
                // existing row is the tenant's. The tenant column is never assigned, so the
                // condition holds or fails for all assignments alike.
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
                            let mut qualified = qualifier.clone();
                            qualified.push(single.clone());
                            Expr::CompoundIdentifier(qualified)
                        }
                        _ => Expr::CompoundIdentifier(parts),
                    };
                    let new =
                        std::mem::replace(&mut a.value, Expr::value(sqlparser::ast::Value::Null));
                    a.value = if_expr(self.predicate(&qualifier, tenant_column), new, old);
                }
                Ok(())
            }
            Some(_) => Err(
                Diagnostic::unsupported("this ON clause of INSERT cannot be scoped")
                    .at(source_span(span)),
            ),
        }
    }

    /// Adds the tenant as the last value of every row an INSERT source produces.
    fn stamp_query(&mut self, query: &mut Query) -> Result<(), Diagnostic> {
        self.stamp_set_expr(&mut query.body)
    }

    fn stamp_set_expr(&mut self, body: &mut SetExpr) -> Result<(), Diagnostic> {
        match body {
            SetExpr::Values(values) => {
                for row in &mut values.rows {
                    row.content.push(self.tenant());
                }
                Ok(())
            }
            SetExpr::Select(select) => {
                select
                    .projection
                    .push(SelectItem::UnnamedExpr(self.tenant()));
                Ok(())
            }
            SetExpr::Query(q) => self.stamp_query(q),
            SetExpr::SetOperation { left, right, .. } => {
                self.stamp_set_expr(left)?;
                self.stamp_set_expr(right)
            }
            other => Err(Diagnostic::unsupported(
                "the source of this INSERT cannot be stamped with the tenant",
            )
            .at(source_span(other.span()))
            .help("use VALUES or SELECT")),
        }
    }

    pub(crate) fn update(&mut self, update: &mut Update) -> Result<(), Diagnostic> {
        let mut bindings = Vec::new();
        self.dml_target = true;
        let target = self.table_with_joins(&mut update.table, &mut bindings);
        self.dml_target = false;
        let mut predicates = target?;
        if update.or == Some(SqliteOnConflict::Replace)
            && bindings.iter().any(|b| b.table.is_scoped())
        {
            return Err(Diagnostic::unsupported(
                "UPDATE OR REPLACE could delete another tenant's row that shares a key",
            )
            .at(source_span(update.span()))
            .help("use a plain UPDATE"));
        }
        self.reject_tenant_assignment(&update.assignments, &bindings)?;
        for a in &update.assignments {
            for column in assignment_columns(&a.target) {
                let Some(parts) = object_name_parts(column) else {
                    continue;
                };
                let Some((ident, qualifier)) = parts.split_last() else {
                    continue;
                };
                let qualifier: Vec<Ident> = qualifier.iter().map(|i| (*i).clone()).collect();
                let binding = if qualifier.is_empty() {
                    bindings.first()
                } else {
                    self.binding_for(&bindings, &qualifier)
                };
                if let Some(b) = binding {
                    self.check_column(b, ident)?;
                }
            }
        }
        if let Some(UpdateTableFromKind::BeforeSet(items) | UpdateTableFromKind::AfterSet(items)) =
            &mut update.from
        {
            let (more, more_bindings) = self.scope_from_items(items)?;
            predicates.extend(more);
            bindings.extend(more_bindings);
        }
        // Every other part that can hold a subquery; the completeness check catches any
        // part a future sqlparser adds.
        self.nested(&mut update.assignments, &bindings)?;
        self.nested(&mut update.selection, &bindings)?;
        if self.select_depth == 0 {
            self.check_bare_columns(&update.assignments, &bindings, &[])?;
            self.check_bare_columns(&update.selection, &bindings, &[])?;
        }
        self.nested(&mut update.returning, &bindings)?;
        self.nested(&mut update.order_by, &bindings)?;
        self.nested(&mut update.limit, &bindings)?;
        and_into(&mut update.selection, predicates);
        Ok(())
    }

    pub(crate) fn delete(&mut self, delete: &mut Delete) -> Result<(), Diagnostic> {
        let mut from = std::mem::replace(
            &mut delete.from,
            sqlparser::ast::FromTable::WithFromKeyword(Vec::new()),
        );
        let mut using = delete.using.take();
        let result = self.delete_parts(delete, &mut from, &mut using);
        delete.from = from;
        delete.using = using;
        and_into(&mut delete.selection, result?);
        Ok(())
    }

    fn delete_parts(
        &mut self,
        delete: &mut Delete,
        from: &mut sqlparser::ast::FromTable,
        using: &mut Option<Vec<TableWithJoins>>,
    ) -> Result<Vec<Expr>, Diagnostic> {
        let items = match from {
            sqlparser::ast::FromTable::WithFromKeyword(items)
            | sqlparser::ast::FromTable::WithoutKeyword(items) => items,
        };
        let using_holds_relations = self.dialect().delete_using_holds_the_relations();
        if let Some(using) = using.as_mut().filter(|_| using_holds_relations) {
            // MySQL's `DELETE FROM t1, t2 USING <joins>`: the names after FROM are the
            // targets, tables or aliases of the USING clause, which holds the relations.
            let (predicates, bindings) = self.scope_from_items(using)?;
            for item in items.iter() {
                self.mysql_delete_target(item, &bindings)?;
            }
            self.nested(delete, &bindings)?;
            return Ok(predicates);
        }
        self.dml_target = true;
        let targets = self.scope_from_items(items);
        self.dml_target = false;
        let (mut predicates, mut bindings) = targets?;
        if let Some(items) = using {
            let (more, more_bindings) = self.scope_from_items(items)?;
            predicates.extend(more);
            bindings.extend(more_bindings);
        }
        // The multi-table DELETE target list names tables of the FROM clause, which are all
        // filtered; it holds no expressions, so visiting `delete` below covers the rest.
        self.nested(delete, &bindings)?;
        if self.select_depth == 0 {
            self.check_bare_columns(&delete.selection, &bindings, &[])?;
        }
        Ok(predicates)
    }

    /// A target of MySQL's `DELETE FROM target USING …` must name a relation of USING, which
    /// is scoped; the target itself adds no relation.
    fn mysql_delete_target(
        &mut self,
        item: &TableWithJoins,
        bindings: &[Binding<'m>],
    ) -> Result<(), Diagnostic> {
        let sqlparser::ast::TableFactor::Table {
            name,
            alias: None,
            args: None,
            ..
        } = &item.relation
        else {
            return Err(Diagnostic::unsupported(
                "a DELETE … USING target must be a table name or alias",
            )
            .at(source_span(item.span()))
            .help("name the tables to delete from after DELETE FROM, and join them in USING"));
        };
        let parts: Vec<Ident> = object_name_parts(name)
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect();
        if !item.joins.is_empty() || self.binding_for(bindings, &parts).is_none() {
            return Err(Diagnostic::unsupported(format!(
                "DELETE target `{name}` is not a table or alias of the USING clause"
            ))
            .at(source_span(name.span()))
            .help("name the tables to delete from after DELETE FROM, and join them in USING"));
        }
        self.seen.table_factors += 1;
        self.seen.relations += 1;
        Ok(())
    }

    /// Rows never move between tenants: assigning a scoped table's tenant column is an error.
    ///
    /// A qualified target (`c.tenant_id`) is checked against the table it names; an unqualified
    /// one, or one whose qualifier is not found, against every target table.
    fn reject_tenant_assignment(
        &self,
        assignments: &[Assignment],
        targets: &[Binding<'m>],
    ) -> Result<(), Diagnostic> {
        for a in assignments {
            for column in assignment_columns(&a.target) {
                let Some(parts) = object_name_parts(column) else {
                    continue;
                };
                let Some((ident, qualifier)) = parts.split_last() else {
                    continue;
                };
                let qualifier: Vec<Ident> = qualifier.iter().map(|i| (*i).clone()).collect();
                let named = if qualifier.is_empty() {
                    None
                } else {
                    self.binding_for(targets, &qualifier)
                };
                let candidates = match named {
                    Some(b) => std::slice::from_ref(b),
                    None => targets,
                };
                for t in candidates.iter().map(|b| b.table) {
                    let Some(tc) = &t.tenant_column else {
                        continue;
                    };
                    if self.manifest.same_column(ident, tc) {
                        return Err(tenant_write(
                            format!(
                                "assigning the tenant column `{tc}` of `{}` would move rows to another tenant",
                                t.name
                            ),
                            column,
                        )
                        .help(format!(
                            "remove `{tc} = …`; moving rows between tenants needs `unscoped_query!` with a reason"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

fn assignment_columns(target: &AssignmentTarget) -> Vec<&ObjectName> {
    match target {
        AssignmentTarget::ColumnName(c) => vec![c],
        AssignmentTarget::Tuple(cs) => cs.iter().collect(),
    }
}

fn tenant_write(message: String, column: &ObjectName) -> Diagnostic {
    Diagnostic::new(DiagnosticKind::TenantColumnWrite, message).at(source_span(column.span()))
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

/// The names the top-level FROM items of an INSERT source expose, normalised.
fn exposed_names(body: &SetExpr, rewriter: &Rewriter<'_>) -> Vec<Vec<String>> {
    fn factor(f: &sqlparser::ast::TableFactor, r: &Rewriter<'_>, out: &mut Vec<Vec<String>>) {
        use sqlparser::ast::TableFactor;
        match f {
            TableFactor::Table { name, alias, .. } => out.push(match alias {
                Some(a) => vec![r.normalize(&a.name)],
                None => object_name_parts(name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| r.normalize(i))
                    .collect(),
            }),
            TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => item(table_with_joins, r, out),
            other => {
                if let Some(alias) = alias_of(other) {
                    out.push(vec![r.normalize(&alias.name)]);
                }
            }
        }
    }
    fn item(t: &TableWithJoins, r: &Rewriter<'_>, out: &mut Vec<Vec<String>>) {
        factor(&t.relation, r, out);
        for j in &t.joins {
            factor(&j.relation, r, out);
        }
    }
    fn alias_of(f: &sqlparser::ast::TableFactor) -> Option<&sqlparser::ast::TableAlias> {
        use sqlparser::ast::TableFactor;
        match f {
            TableFactor::Derived { alias, .. }
            | TableFactor::NestedJoin { alias, .. }
            | TableFactor::UNNEST { alias, .. }
            | TableFactor::TableFunction { alias, .. }
            | TableFactor::Function { alias, .. } => alias.as_ref(),
            _ => None,
        }
    }
    let mut out = Vec::new();
    match body {
        SetExpr::Select(select) => {
            for t in &select.from {
                item(t, rewriter, &mut out);
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
