//! FROM items and joins: where each scoped table's predicate has to go.
//!
//! Filtering a table `t` to the tenant must behave as if `t` held only the tenant's rows. For a
//! join `L op R` with condition θ:
//! - a predicate on either side of an inner or cross join may move into θ or up to WHERE;
//! - a predicate on the nullable side of an outer join must go into θ: `L LEFT JOIN R ON θ AND
//!   p(R)` keeps every row of `L`, while `p(R)` in WHERE would drop the rows that found no match,
//!   turning the outer join into an inner one;
//! - a predicate on the preserved side of an outer join may move up, but never into θ (that
//!   would keep the other tenants' rows, null-extended);
//! - a predicate on the nullable side of an outer join without a θ to go into (`USING`,
//!   `NATURAL`, no condition) and on either side of a `FULL JOIN` (where θ filters neither side)
//!   is applied to the table itself: `payments p` becomes the derived table
//!   `(SELECT * FROM payments p WHERE p.tenant_id = $1) AS p`, under the table's own alias (or
//!   its name). It has the table's columns in the table's order, so `SELECT *`, the merged
//!   columns of `USING` and `NATURAL` and every reference to the alias read the same. It is exact
//!   whatever the data, a row with a NULL tenant column included; a filter above the join could
//!   not tell such a row from a null-extended one.
//!
//! The chain of joins is walked left to right. Before any table is scoped, [`plan`] decides
//! from the join operators alone where the predicates of each factor go ([`Destination`]): up
//! (into WHERE, or the ON of an enclosing join), into the ON of one join, or inside the table.
//! Predicates still going up when an outer join makes the left side nullable go into the ON of
//! a RIGHT JOIN, or, for a FULL JOIN or a RIGHT JOIN without ON, into the ON of the inner join
//! at the top of the left side if it has one, and otherwise into the tables. In SQLite a comma
//! binds like JOIN, so a whole FROM list is one chain.
//!
//! Base tables stay base tables wherever an ON or WHERE placement is exact, so
//! `GROUP BY <primary key>` keeps working in PostgreSQL there. A derived table breaks a few
//! things a base table allows, and the engine refuses those cases: it cannot be the target of
//! UPDATE or DELETE, a schema-qualified name without an alias cannot keep its qualified column
//! references (`public.invoices.id`), a locking clause (`FOR UPDATE`) does not lock the rows
//! of a derived table the same way in every database, and in PostgreSQL a derived table has no
//! primary key to select its columns ungrouped by (see [`derived`](super::derived)).

use sqlparser::ast::{
    Expr, Ident, Join, JoinConstraint, JoinOperator, ObjectName, Spanned, TableAlias, TableFactor,
    TableWithJoins,
};
use sqlparser::tokenizer::Span;

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
        self.join_chain(std::slice::from_mut(item), None, bindings, role)
    }

    /// Scopes a left-deep chain of joins: one FROM item, or a whole FROM list in a dialect
    /// whose comma binds like JOIN. Returns the predicates that go up. With `sealed`, the chain
    /// is on the nullable side of that outer join and nothing may go up: every predicate is
    /// applied inside the chain.
    pub(crate) fn join_chain(
        &mut self,
        items: &mut [TableWithJoins],
        sealed: Option<Nullable>,
        bindings: &mut Vec<Binding<'m>>,
        role: Role,
    ) -> Result<Vec<Expr>, Diagnostic> {
        let scoped_before = self.scoped_table_count();
        let mut links = links(items);
        let plan = plan(&links, sealed);
        let mut up = Vec::new();
        let mut held: Vec<Vec<Expr>> = vec![Vec::new(); links.len()];
        for (k, link) in links.iter_mut().enumerate() {
            let predicates = self.scope_link(link, plan[k], bindings, role)?;
            match link.kind {
                Kind::Refused(keyword) => return Err(refused_join(keyword, link.span)),
                Kind::OuterApply if !predicates.is_empty() => {
                    return Err(refused_join("OUTER APPLY", link.span))
                }
                _ => {}
            }
            if let Some(JoinConstraint::On(on)) = link.constraint.as_deref_mut() {
                self.nested(on, bindings)?;
            }
            match plan[k] {
                Destination::Up => up.extend(predicates),
                Destination::On(j) => held[j].extend(predicates),
                Destination::Inside(_) if predicates.is_empty() => {}
                // `scope_link` applies them; never drop a predicate.
                Destination::Inside(_) => return Err(left_over_predicate(link.span)),
            }
            if let Some(JoinConstraint::On(on)) = link.constraint.as_deref_mut() {
                and_on(on, std::mem::take(&mut held[k]));
            }
        }
        if self.scoped_table_count() > scoped_before {
            self.reject_missing_full_join(&links)?;
        }
        Ok(up)
    }

    /// Scopes the factor of one link. A factor whose predicates go inside it is filtered
    /// there (a parenthesised join table by table), and then returns none.
    fn scope_link(
        &mut self,
        link: &mut Link<'_>,
        destination: Destination,
        bindings: &mut Vec<Binding<'m>>,
        role: Role,
    ) -> Result<Vec<Expr>, Diagnostic> {
        let Destination::Inside(nullable) = destination else {
            return self.table_factor(link.factor, bindings, role);
        };
        if let TableFactor::NestedJoin {
            table_with_joins,
            alias,
        } = link.factor
        {
            // Counted as `table_factor` counts it. Every predicate is applied inside, so an
            // alias hides no filter.
            self.seen.table_factors += 1;
            let mut inner = Vec::new();
            let up = self.join_chain(
                std::slice::from_mut(table_with_joins.as_mut()),
                Some(nullable),
                &mut inner,
                role,
            )?;
            if alias.is_none() {
                bindings.extend(inner);
            }
            return Ok(up);
        }
        let predicates = self.table_factor(link.factor, bindings, role)?;
        if !predicates.is_empty() {
            self.filter_inside(link.factor, predicates, nullable, role)?;
        }
        Ok(Vec::new())
    }

    /// How many scoped tables the walk has met so far.
    fn scoped_table_count(&self) -> usize {
        self.tables.iter().filter(|t| t.is_scoped()).count()
    }

    /// MySQL and MariaDB have no FULL JOIN: they read `a FULL JOIN b` as `a AS full JOIN b`.
    fn reject_missing_full_join(&self, links: &[Link<'_>]) -> Result<(), Diagnostic> {
        match links.iter().find(|l| l.kind == Kind::Full) {
            Some(full) if !self.dialect().supports_full_join() => {
                Err(no_full_join(self.dialect().display_name(), full.span))
            }
            _ => Ok(()),
        }
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
            Some(column) if role == Role::Read && table.shares_null_tenant_rows() => {
                vec![self.shared_predicate(&qualifier, column)]
            }
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

/// How a join treats its sides, as far as the tenant predicates go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Inner, cross and comma joins, `STRAIGHT_JOIN`, `CROSS APPLY`.
    Inner,
    /// The right side is nullable.
    Left,
    /// The left side (the whole chain before it) is nullable.
    Right,
    /// Both sides are nullable.
    Full,
    /// `OUTER APPLY`: refused with a scoped table on its right side.
    OuterApply,
    /// A join the engine refuses (semi, anti, ASOF, array joins), with its keyword.
    Refused(&'static str),
}

impl Kind {
    fn keyword(self) -> &'static str {
        match self {
            Kind::Inner => "JOIN",
            Kind::Left => "LEFT JOIN",
            Kind::Right => "RIGHT JOIN",
            Kind::Full => "FULL JOIN",
            Kind::OuterApply => "OUTER APPLY",
            Kind::Refused(keyword) => keyword,
        }
    }
}

/// The outer join that makes a factor nullable, for placement and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Nullable {
    pub(crate) kind: Kind,
    /// The factor that the join brings in.
    pub(crate) span: Span,
}

impl Nullable {
    /// How the join is written, as in "LEFT JOIN … USING".
    pub(crate) fn describe(self) -> String {
        match self.kind {
            Kind::Full => "FULL JOIN".to_owned(),
            kind => format!("{} without ON", kind.keyword()),
        }
    }
}

/// Where the tenant predicates of one factor of a chain go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Destination {
    /// Up: into WHERE, or the ON of an enclosing join.
    Up,
    /// Into the ON of the join of link `j`.
    On(usize),
    /// Into the table itself (a derived table), below the outer join that makes it nullable.
    Inside(Nullable),
}

/// One factor of a left-deep join chain and the join that brings it in.
struct Link<'a> {
    factor: &'a mut TableFactor,
    kind: Kind,
    /// The join's constraint; `None` for the first factor, a comma or an APPLY.
    constraint: Option<&'a mut JoinConstraint>,
    span: Span,
}

impl Link<'_> {
    fn has_on(&self) -> bool {
        matches!(self.constraint.as_deref(), Some(JoinConstraint::On(_)))
    }
}

/// The links of a chain: each item's relation (after the first, a comma: an inner join
/// without condition), then its joins.
fn links(items: &mut [TableWithJoins]) -> Vec<Link<'_>> {
    let mut out = Vec::new();
    for item in items {
        let TableWithJoins { relation, joins } = item;
        out.push(Link {
            span: relation.span(),
            factor: relation,
            kind: Kind::Inner,
            constraint: None,
        });
        for Join {
            relation,
            join_operator,
            ..
        } in joins
        {
            let (kind, constraint) = classify(join_operator);
            out.push(Link {
                span: relation.span(),
                factor: relation,
                kind,
                constraint,
            });
        }
    }
    out
}

fn classify(op: &mut JoinOperator) -> (Kind, Option<&mut JoinConstraint>) {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::CrossJoin(c)
        | JoinOperator::StraightJoin(c) => (Kind::Inner, Some(c)),
        JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (Kind::Left, Some(c)),
        JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (Kind::Right, Some(c)),
        JoinOperator::FullOuter(c) => (Kind::Full, Some(c)),
        JoinOperator::CrossApply => (Kind::Inner, None),
        JoinOperator::OuterApply => (Kind::OuterApply, None),
        other => (Kind::Refused(join_keyword(other)), None),
    }
}

/// Where the predicates of each link's factor go, from the join operators alone; `sealed`:
/// the chain is on the nullable side of that join, so nothing may go up.
fn plan(links: &[Link<'_>], sealed: Option<Nullable>) -> Vec<Destination> {
    let mut plan = vec![Destination::Up; links.len()];
    for (j, link) in links.iter().enumerate().skip(1) {
        let nullable = Nullable {
            kind: link.kind,
            span: link.span,
        };
        match (link.kind, link.has_on()) {
            // (L JOIN R ON θ) = L JOIN R ON θ AND p(R): the predicate filters R alone.
            // R is the nullable side of a LEFT JOIN: its predicate must be in ON.
            (Kind::Inner | Kind::Left, true) => plan[j] = Destination::On(j),
            (Kind::Left, false) => plan[j] = Destination::Inside(nullable),
            // L is the nullable side: the predicates going up from it go into ON.
            (Kind::Right, true) => go_up_into(&mut plan[..j], Destination::On(j)),
            (Kind::Right, false) => seal(&mut plan[..j], links, nullable),
            (Kind::Full, _) => {
                seal(&mut plan[..j], links, nullable);
                plan[j] = Destination::Inside(nullable);
            }
            // Inner joins without ON and CROSS APPLY: up, as WHERE is equivalent. The refused
            // joins are refused once their factor is scoped.
            _ => {}
        }
    }
    if let Some(nullable) = sealed {
        seal(&mut plan, links, nullable);
    }
    plan
}

/// The predicates of `plan` (a chain's first links) that go up must be applied below the
/// join `nullable`: in the ON of the inner join at the top of those links, which filters all
/// they join, or else in each table.
fn seal(plan: &mut [Destination], links: &[Link<'_>], nullable: Nullable) {
    let top = plan.len() - 1;
    let top_is_inner_on = top > 0 && links[top].kind == Kind::Inner && links[top].has_on();
    let destination = if top_is_inner_on {
        Destination::On(top)
    } else {
        Destination::Inside(nullable)
    };
    go_up_into(plan, destination);
}

fn go_up_into(plan: &mut [Destination], destination: Destination) {
    for d in plan.iter_mut().filter(|d| **d == Destination::Up) {
        *d = destination;
    }
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

fn refused_join(keyword: &str, span: Span) -> Diagnostic {
    Diagnostic::unsupported(format!(
        "this kind of join cannot be scoped to a tenant: {keyword}"
    ))
    .at(source_span(span))
    .help("use INNER, LEFT, RIGHT or CROSS JOIN")
}

fn left_over_predicate(span: Span) -> Diagnostic {
    Diagnostic::new(
        crate::diagnostic::DiagnosticKind::Internal,
        "a tenant predicate to apply inside a table was left over",
    )
    .at(source_span(span))
    .help("this is a bug in tenant-query; the statement was refused rather than passed through")
}

/// MySQL and MariaDB have no FULL JOIN.
pub(crate) fn no_full_join(database: &str, span: Span) -> Diagnostic {
    Diagnostic::unsupported(format!(
        "{database} has no FULL JOIN: it reads `a FULL JOIN b` as `a AS full JOIN b`, an inner join"
    ))
    .at(source_span(span))
    .label("this FULL JOIN")
    .help("write the FULL JOIN as a LEFT JOIN UNION ALL the unmatched rows of a RIGHT JOIN")
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
