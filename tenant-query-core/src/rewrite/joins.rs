//! FROM items and joins: where each scoped table's predicate has to go.
//!
//! Filtering a table `t` to the tenant must behave as if `t` held only the tenant's rows. For a
//! join `L op R` with condition θ:
//! - a predicate on either side of an inner or cross join may move into θ or up to WHERE;
//! - a predicate on the nullable side of an outer join must go into θ: `L LEFT JOIN R ON θ AND
//!   p(R)` keeps every row of `L`, while `p(R)` in WHERE would drop the rows that found no match,
//!   turning the outer join into an inner one;
//! - a predicate on the preserved side of an outer join may move up, but never into θ (that
//!   would keep the other tenants' rows, null-extended).
//!
//! The chain of joins is walked left to right with the predicates of the left side still
//! "pending" (free to move up). At the end they go into WHERE. Base tables stay base tables:
//! nothing is wrapped in a derived table, so `GROUP BY <primary key>` keeps working.

use sqlparser::ast::{
    Expr, Ident, JoinConstraint, JoinOperator, ObjectName, Spanned, TableAlias, TableFactor,
    TableWithJoins,
};

use super::query::CteRef;
use super::{Binding, Rewriter, Role};
use crate::diagnostic::Diagnostic;
use crate::manifest::object_name_parts;
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    /// Scopes one FROM item. Returns the predicates that still have to be applied above it
    /// (in WHERE, or in the ON of an enclosing join); records the tables it exposes.
    pub(crate) fn table_with_joins(
        &mut self,
        item: &mut TableWithJoins,
        bindings: &mut Vec<Binding<'m>>,
        role: Role,
    ) -> Result<Vec<Expr>, Diagnostic> {
        let mut pending = self.table_factor(&mut item.relation, bindings, role)?;
        for join in &mut item.joins {
            let right = self.table_factor(&mut join.relation, bindings, role)?;
            let span = join.relation.span();
            let (kind, constraint) = match &mut join.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::CrossJoin(c)
                | JoinOperator::StraightJoin(c) => (Kind::Inner, c),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (Kind::Left, c),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (Kind::Right, c),
                JoinOperator::FullOuter(c) => (Kind::Full, c),
                JoinOperator::CrossApply => {
                    pending.extend(right);
                    continue;
                }
                JoinOperator::OuterApply if right.is_empty() => continue,
                other => {
                    return Err(Diagnostic::unsupported(format!(
                        "this kind of join cannot be scoped to a tenant: {}",
                        join_keyword(other)
                    ))
                    .at(source_span(span))
                    .help("use INNER, LEFT, RIGHT or CROSS JOIN"))
                }
            };
            if let JoinConstraint::On(on) = constraint {
                self.nested(on, bindings)?;
            }
            place(kind, constraint, &mut pending, right, span)?;
        }
        Ok(pending)
    }

    /// Scopes one relation. Returns its predicates, which the caller places.
    fn table_factor(
        &mut self,
        factor: &mut TableFactor,
        bindings: &mut Vec<Binding<'m>>,
        role: Role,
    ) -> Result<Vec<Expr>, Diagnostic> {
        self.seen.table_factors += 1;
        let span = factor.span();
        match factor {
            TableFactor::Table {
                name,
                alias,
                args,
                json_path,
                ..
            } => {
                self.seen.relations += 1;
                if json_path.is_some() {
                    return Err(table_function(&name.to_string(), span));
                }
                if let Some(args) = args {
                    return self.function_in_from(name, args, bindings);
                }
                self.named_table(name, alias.as_ref(), span, bindings, role)
            }
            TableFactor::Derived { subquery, .. } => {
                self.query(subquery)?;
                Ok(Vec::new())
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => self.nested_join(table_with_joins, alias.is_some(), span, bindings, role),
            TableFactor::Function { name, args, .. } => self.function_in_from(name, args, bindings),
            TableFactor::UNNEST { array_exprs, .. } => {
                self.set_returning_syntax_in_from("unnest", array_exprs, bindings, span)
            }
            TableFactor::JsonTable { json_expr, .. } => {
                self.set_returning_syntax_in_from("json_table", json_expr, bindings, span)
            }
            TableFactor::TableFunction { expr, .. } => Err(table_function(&expr.to_string(), span)),
            other => Err(Diagnostic::unsupported(format!(
                "this table expression cannot be scoped to a tenant: `{other}`"
            ))
            .at(source_span(span))
            .help("use plain tables, subqueries and joins")),
        }
    }

    /// A table (or CTE) by name: binds it and returns its tenant predicate, if it is scoped.
    fn named_table(
        &mut self,
        name: &ObjectName,
        alias: Option<&TableAlias>,
        span: sqlparser::tokenizer::Span,
        bindings: &mut Vec<Binding<'m>>,
        role: Role,
    ) -> Result<Vec<Expr>, Diagnostic> {
        match self.cte_ref(name, role) {
            CteRef::Cte => return Ok(Vec::new()),
            CteRef::NotCte => {}
            CteRef::Ambiguous => {
                return Err(Diagnostic::unsupported(format!(
                    "`{name}` names a CTE defined later in this WITH RECURSIVE list; MySQL reads the table of that name here and MariaDB the CTE"
                ))
                .at(source_span(span))
                .help("define the CTE before the one that reads it, or rename it"))
            }
        }
        let table = self.resolve(name)?;
        if let Some(alias) = alias.filter(|a| !a.columns.is_empty() && table.is_scoped()) {
            return Err(Diagnostic::unsupported(format!(
                "a column alias list on tenant-scoped table `{}` renames its columns, so the tenant column cannot be found safely",
                table.name
            ))
            .at(source_span(alias.name.span))
            .secondary(source_span(name.span()), "this table is tenant-scoped")
            .help("alias the columns in the SELECT list instead (`SELECT o.id AS a …`)"));
        }
        self.tables.push(table);
        let qualifier: Vec<Ident> = match alias {
            Some(alias) => vec![alias.name.clone()],
            None => object_name_parts(name)
                .map(|parts| parts.into_iter().cloned().collect())
                .unwrap_or_default(),
        };
        bindings.push(Binding {
            exposed: qualifier.iter().map(|i| self.normalize(i)).collect(),
            table,
        });
        Ok(match &table.tenant_column {
            Some(column) => vec![self.predicate(&qualifier, column)],
            None => Vec::new(),
        })
    }

    /// A parenthesised join: its tables stay visible unless an alias hides them.
    fn nested_join(
        &mut self,
        item: &mut TableWithJoins,
        aliased: bool,
        span: sqlparser::tokenizer::Span,
        bindings: &mut Vec<Binding<'m>>,
        role: Role,
    ) -> Result<Vec<Expr>, Diagnostic> {
        let mut inner = Vec::new();
        let pending = self.table_with_joins(item, &mut inner, role)?;
        if aliased && !pending.is_empty() {
            return Err(Diagnostic::unsupported(
                "an aliased parenthesised join hides the names of the scoped tables inside it",
            )
            .at(source_span(span))
            .help(
                "remove the alias of the parenthesised join, or put the join in a derived table",
            ));
        }
        if !aliased {
            bindings.extend(inner);
        }
        Ok(pending)
    }
}

/// Places the predicates of a join's right side (`right`) and of its left side (`pending`):
/// into the join's ON, or left pending for the level above.
fn place(
    kind: Kind,
    constraint: &mut JoinConstraint,
    pending: &mut Vec<Expr>,
    right: Vec<Expr>,
    span: sqlparser::tokenizer::Span,
) -> Result<(), Diagnostic> {
    match (kind, constraint) {
        // (L JOIN R ON θ) = L JOIN R ON θ AND p(R): the predicate filters R alone.
        (Kind::Inner, JoinConstraint::On(on)) => and_on(on, right),
        // No ON to extend: for an inner join WHERE is equivalent.
        (Kind::Inner, _) => pending.extend(right),
        // R is the nullable side: its predicate must be in ON.
        (Kind::Left, JoinConstraint::On(on)) => and_on(on, right),
        (Kind::Left, _) if right.is_empty() => {}
        (Kind::Left, _) => return Err(outer_without_on("LEFT", "right", span)),
        // L is the nullable side: the left side's pending predicates go into ON, and R's
        // become the pending ones.
        (Kind::Right, JoinConstraint::On(on)) => {
            and_on(on, std::mem::take(pending));
            *pending = right;
        }
        (Kind::Right, _) if pending.is_empty() => *pending = right,
        (Kind::Right, _) => return Err(outer_without_on("RIGHT", "left", span)),
        (Kind::Full, _) if pending.is_empty() && right.is_empty() => {}
        (Kind::Full, _) => {
            return Err(Diagnostic::unsupported(
                "a FULL JOIN with a tenant-scoped table on either side cannot be filtered exactly in place",
            )
            .at(source_span(span))
            .label("this join makes both sides nullable")
            .help("filter each side first: FULL JOIN a derived table or CTE, e.g. `FULL JOIN (SELECT … FROM orders) o ON …`; the engine scopes the table inside it"))
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Kind {
    Inner,
    Left,
    Right,
    Full,
}

/// `ON θ` becomes `ON (θ) AND p…`.
fn and_on(on: &mut Expr, predicates: Vec<Expr>) {
    if predicates.is_empty() {
        return;
    }
    let mut condition = Some(std::mem::replace(
        on,
        Expr::value(sqlparser::ast::Value::Null),
    ));
    super::and_into(&mut condition, predicates);
    *on = condition.expect("and_into keeps a condition");
}

fn outer_without_on(kind: &str, side: &str, span: sqlparser::tokenizer::Span) -> Diagnostic {
    Diagnostic::unsupported(format!(
        "a {kind} JOIN with USING, NATURAL or no condition cannot filter the tenant-scoped table on its {side} side"
    ))
    .at(source_span(span))
    .help(format!(
        "write the join condition with ON (`{kind} JOIN t ON t.a = u.a`) so the tenant filter can join it"
    ))
}

fn table_function(name: &str, span: sqlparser::tokenizer::Span) -> Diagnostic {
    Diagnostic::unsupported(format!(
        "table-valued function `{name}` cannot be vetted: the engine cannot tell which tenants' rows it returns"
    ))
    .at(source_span(span))
    .help("select from tables and views declared in tenant-schema.toml, or run the query with `unscoped_query!`")
}

fn join_keyword(op: &JoinOperator) -> &'static str {
    match op {
        JoinOperator::Semi(_) | JoinOperator::LeftSemi(_) | JoinOperator::RightSemi(_) => {
            "SEMI JOIN"
        }
        JoinOperator::Anti(_) | JoinOperator::LeftAnti(_) | JoinOperator::RightAnti(_) => {
            "ANTI JOIN"
        }
        JoinOperator::OuterApply => "OUTER APPLY",
        JoinOperator::AsOf { .. } => "ASOF JOIN",
        _ => "ARRAY JOIN",
    }
}
