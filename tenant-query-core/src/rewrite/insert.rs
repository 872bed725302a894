//! INSERT: the target must be a declared table, and a row for a scoped table is stamped with
//! the tenant. Upserts are in [`super::upsert`].

use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions, Expr, GroupByExpr, Ident, Insert, JoinOperator, ObjectName, Query, Select,
    SelectItem, SetExpr, Spanned, SqliteOnConflict, TableFactor, TableObject, TableWithJoins,
};

use super::query::CteRef;
use super::{Binding, Rewriter, Role};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::manifest::{object_name_parts, TableConfig};
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    pub(crate) fn insert(&mut self, insert: &mut Insert) -> Result<(), Diagnostic> {
        let name = insert_target(insert)?;
        let table = self.resolve(&name)?;
        self.seen.relations += 1;
        self.tables.push(table);

        if let Some(tenant_column) = &table.tenant_column {
            self.stamp_insert(insert, table, tenant_column, &name)?;
        }
        // Scope the source query and every subquery in ON CONFLICT, RETURNING and the rest.
        let qualifier = target_qualifier(insert, &name);
        let binding = Binding {
            exposed: qualifier.iter().map(|i| self.normalize(i)).collect(),
            table,
        };
        for column in &insert.columns {
            if let Some(ident) = object_name_parts(column).and_then(|p| p.last().copied()) {
                self.keep(self.check_column(&binding, ident));
            }
        }
        self.nested(insert, std::slice::from_ref(&binding))
    }

    /// Adds the tenant column to the column list and the tenant to every row, and scopes an
    /// upsert's update to the tenant's rows.
    fn stamp_insert(
        &mut self,
        insert: &mut Insert,
        table: &'m TableConfig,
        tenant_column: &str,
        name: &ObjectName,
    ) -> Result<(), Diagnostic> {
        reject_unstampable(insert, table, tenant_column, name)?;
        self.reject_tenant_in_column_list(insert, table, tenant_column);
        insert
            .columns
            .push(ObjectName::from(vec![self.column_ident(tenant_column)]));
        let Some(source) = &mut insert.source else {
            return Err(Diagnostic::unsupported(format!(
                "INSERT … DEFAULT VALUES into tenant-scoped table `{}` cannot be stamped with the tenant",
                table.name
            ))
            .at(source_span(insert.span()))
            .help("list the columns and VALUES"));
        };
        self.stamp_query(source)?;
        let qualifier = target_qualifier(insert, name);
        self.scope_upsert(insert, table, tenant_column, &qualifier)
    }

    /// The engine stamps the tenant column itself: listing it is an error, reported for every
    /// time it is listed.
    fn reject_tenant_in_column_list(
        &mut self,
        insert: &Insert,
        table: &TableConfig,
        tenant_column: &str,
    ) {
        for column in &insert.columns {
            let Some(ident) = object_name_parts(column).and_then(|p| p.last().copied()) else {
                continue;
            };
            if self.manifest.same_column(ident, tenant_column) {
                self.report(
                    super::assignments::tenant_write(
                        format!(
                            "INSERT must not set the tenant column `{tenant_column}` of `{}`",
                            table.name
                        ),
                        column,
                    )
                    .help(format!(
                        "remove `{tenant_column}` and its values; the engine stamps it with the tenant"
                    )),
                );
            }
        }
    }

    /// Adds the tenant as the last value of every row an INSERT source produces.
    fn stamp_query(&mut self, query: &mut Query) -> Result<(), Diagnostic> {
        let has_ctes = query.with.is_some();
        self.stamp_set_expr(&mut query.body, has_ctes)
    }

    fn stamp_set_expr(&mut self, body: &mut SetExpr, has_ctes: bool) -> Result<(), Diagnostic> {
        match body {
            SetExpr::Values(values) => {
                for row in &mut values.rows {
                    row.content.push(self.tenant_value());
                }
                Ok(())
            }
            SetExpr::Select(select) => {
                let tenant = match self.pinned_tenant_column(select, has_ctes) {
                    Some(column) => column,
                    None => self.tenant_value(),
                };
                select.projection.push(SelectItem::UnnamedExpr(tenant));
                Ok(())
            }
            SetExpr::Query(q) => self.stamp_query(q),
            SetExpr::SetOperation { left, right, .. } => {
                self.stamp_set_expr(left, has_ctes)?;
                self.stamp_set_expr(right, has_ctes)
            }
            other => Err(Diagnostic::unsupported(
                "the source of this INSERT cannot be stamped with the tenant",
            )
            .at(source_span(other.span()))
            .help("use VALUES or SELECT")),
        }
    }
}

impl Rewriter<'_> {
    /// The tenant column of a scoped table that every row of `select` reads, qualified, when
    /// projecting it is exact: the table leads the FROM clause and only inner and left joins
    /// follow, so its tenant predicate lands in WHERE and pins the column to the tenant in
    /// every row; and nothing aggregates, so the column may be projected. Projecting it rather
    /// than the placeholder lets Citus run an INSERT … SELECT on one shard in one step (the
    /// target's distribution column is then a column reference).
    fn pinned_tenant_column(&self, select: &Select, has_ctes: bool) -> Option<Expr> {
        if has_ctes || aggregates_or_calls(select) || !only_inner_and_left_joins(&select.from) {
            return None;
        }
        let TableFactor::Table {
            name,
            alias,
            args: None,
            json_path: None,
            ..
        } = &select.from.first()?.relation
        else {
            return None;
        };
        if self.cte_ref(name, Role::Read) != CteRef::NotCte {
            return None;
        }
        let table = self.manifest.resolve(name)?;
        if table.shares_null_tenant_rows() {
            return None;
        }
        let tenant_column = table.tenant_column.as_deref()?;
        let mut parts: Vec<Ident> = match alias {
            Some(alias) if alias.columns.is_empty() => vec![alias.name.clone()],
            Some(_) => return None,
            None => object_name_parts(name)?.into_iter().cloned().collect(),
        };
        parts.push(self.column_ident(tenant_column));
        Some(Expr::CompoundIdentifier(parts))
    }
}

/// Whether a SELECT groups, filters groups, or calls any function (which may be an
/// aggregate, making the query one group that a plain column cannot be projected from).
fn aggregates_or_calls(select: &Select) -> bool {
    let grouped =
        !matches!(&select.group_by, GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty());
    let calls = visit_expressions(&select.projection, |e| match e {
        Expr::Function(_) => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break();
    grouped || select.having.is_some() || calls
}

/// Whether every join of the FROM clause is inner or left, so that its first table is never
/// null-extended (also where SQLite binds a comma like JOIN).
fn only_inner_and_left_joins(from: &[TableWithJoins]) -> bool {
    from.iter().flat_map(|item| &item.joins).all(|join| {
        matches!(
            join.join_operator,
            JoinOperator::Join(_)
                | JoinOperator::Inner(_)
                | JoinOperator::CrossJoin(_)
                | JoinOperator::Left(_)
                | JoinOperator::LeftOuter(_)
        )
    })
}

/// The table an INSERT writes, if it is a plain `INSERT INTO table …`.
fn insert_target(insert: &Insert) -> Result<ObjectName, Diagnostic> {
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
    Ok(name)
}

/// The forms of INSERT into a scoped table that cannot carry the tenant.
fn reject_unstampable(
    insert: &Insert,
    table: &TableConfig,
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
            "name the columns, e.g. `INSERT INTO {name} (id, …) VALUES (…)`; the engine adds `{tenant_column}` itself"
        )));
    }
    Ok(())
}

/// The name the rest of an INSERT refers to its target by: the alias, or the table name.
fn target_qualifier(insert: &Insert, name: &ObjectName) -> Vec<Ident> {
    match &insert.table_alias {
        Some(alias) => vec![alias.alias.clone()],
        None => object_name_parts(name)
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect(),
    }
}
