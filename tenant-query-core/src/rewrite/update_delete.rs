//! UPDATE and DELETE: the target tables are filtered like FROM items, and rows never move
//! between tenants.

use sqlparser::ast::{
    Delete, Expr, FromTable, Ident, Spanned, SqliteOnConflict, TableFactor, TableWithJoins, Update,
    UpdateTableFromKind,
};
use sqlparser::tokenizer::Span;

use super::{and_into, Binding, Rewriter, Role};
use crate::diagnostic::Diagnostic;
use crate::manifest::object_name_parts;
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    pub(crate) fn update(&mut self, update: &mut Update) -> Result<(), Diagnostic> {
        let mut bindings = Vec::new();
        let mut predicates =
            self.table_with_joins(&mut update.table, &mut bindings, Role::DmlTarget)?;
        reject_shared_rows_in_target_list(&bindings, update.table.span())?;
        if update.or == Some(SqliteOnConflict::Replace)
            && bindings.iter().any(|b| b.table.is_scoped())
        {
            return Err(Diagnostic::unsupported(
                "UPDATE OR REPLACE could delete another tenant's row that shares a key",
            )
            .at(source_span(update.span()))
            .help("use a plain UPDATE"));
        }
        self.reject_tenant_assignment(&update.assignments, &bindings);
        self.check_assignment_columns(&update.assignments, &bindings);
        if let Some(UpdateTableFromKind::BeforeSet(items) | UpdateTableFromKind::AfterSet(items)) =
            &mut update.from
        {
            let (more, more_bindings) = self.scope_from_items(items, Role::Read)?;
            predicates.extend(more);
            bindings.extend(more_bindings);
        }
        // Every other part that can hold a subquery; the completeness check catches any
        // part a future sqlparser adds.
        self.nested(&mut update.assignments, &bindings)?;
        self.nested(&mut update.selection, &bindings)?;
        if self.select_depth == 0 {
            self.check_bare_columns(&update.assignments, &bindings, &[]);
            self.check_bare_columns(&update.selection, &bindings, &[]);
        }
        self.nested(&mut update.returning, &bindings)?;
        self.nested(&mut update.order_by, &bindings)?;
        self.nested(&mut update.limit, &bindings)?;
        and_into(&mut update.selection, predicates);
        Ok(())
    }

    pub(crate) fn delete(&mut self, delete: &mut Delete) -> Result<(), Diagnostic> {
        let mut from = std::mem::replace(&mut delete.from, FromTable::WithFromKeyword(Vec::new()));
        let mut using = delete.using.take();
        let result = self.delete_parts(delete, &mut from, &mut using);
        delete.from = from;
        delete.using = using;
        and_into(&mut delete.selection, result?);
        Ok(())
    }

    /// Scopes the tables of a DELETE (taken out of it) and the rest of the statement.
    fn delete_parts(
        &mut self,
        delete: &mut Delete,
        from: &mut FromTable,
        using: &mut Option<Vec<TableWithJoins>>,
    ) -> Result<Vec<Expr>, Diagnostic> {
        let (FromTable::WithFromKeyword(items) | FromTable::WithoutKeyword(items)) = from;
        let using_holds_relations = self.dialect().delete_using_holds_the_relations();
        if let Some(using) = using.as_mut().filter(|_| using_holds_relations) {
            // MySQL's `DELETE FROM t1, t2 USING <joins>`: the names after FROM are the
            // targets, tables or aliases of the USING clause, which holds the relations.
            let filtered_before = self.filtered_inside.len();
            let (predicates, bindings) = self.scope_from_items(using, Role::Read)?;
            let span = Span::union_iter(using.iter().map(|u| u.span()));
            reject_shared_rows_in_target_list(&bindings, span)?;
            if self.filtered_inside.len() > filtered_before {
                return Err(Diagnostic::unsupported(
                    "the USING clause of this DELETE has an outer join that needs a tenant-scoped table filtered in a derived table, and a DELETE target cannot be a derived table",
                )
                .at(source_span(delete.span()))
                .help("write the outer joins of USING with ON (`LEFT JOIN t ON t.a = u.a`)"));
            }
            for item in items.iter() {
                self.mysql_delete_target(item, &bindings)?;
            }
            self.nested(delete, &bindings)?;
            return Ok(predicates);
        }
        let (mut predicates, mut bindings) = self.scope_from_items(items, Role::DmlTarget)?;
        let span = Span::union_iter(items.iter().map(|i| i.span()));
        reject_shared_rows_in_target_list(&bindings, span)?;
        if let Some(items) = using {
            let (more, more_bindings) = self.scope_from_items(items, Role::Read)?;
            predicates.extend(more);
            bindings.extend(more_bindings);
        }
        // The multi-table DELETE target list names tables of the FROM clause, which are all
        // filtered; it holds no expressions, so visiting `delete` below covers the rest.
        self.nested(delete, &bindings)?;
        if self.select_depth == 0 {
            self.check_bare_columns(&delete.selection, &bindings, &[]);
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
        let help = "name the tables to delete from after DELETE FROM, and join them in USING";
        let TableFactor::Table {
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
            .help(help));
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
            .help(help));
        }
        self.seen.table_factors += 1;
        self.seen.relations += 1;
        Ok(())
    }
}

/// A `tenant_or_global` table in a multi-table UPDATE or DELETE list (MySQL's joined forms):
/// as a target it may touch only the tenant's rows, as a table it only reads it must show the
/// shared rows too, and the list does not say which it is.
fn reject_shared_rows_in_target_list(
    bindings: &[Binding<'_>],
    span: Span,
) -> Result<(), Diagnostic> {
    if bindings.len() < 2 {
        return Ok(());
    }
    let Some(shared) = bindings.iter().find(|b| b.table.shares_null_tenant_rows()) else {
        return Ok(());
    };
    Err(Diagnostic::unsupported(format!(
        "`{}` (tenant_or_global) is in the table list of a multi-table UPDATE or DELETE: written, it may touch only the tenant's rows; read, it shows the shared rows too; the list does not say which",
        shared.table.name
    ))
    .at(source_span(span))
    .help(format!(
        "read `{}` in a subquery, or update or delete it in a statement of its own",
        shared.table.name
    )))
}
