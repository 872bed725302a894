//! Tenant sets: a statement scoped to several tenants at once.
//!
//! The predicate of a scoped table tests membership in the set, bound as one value whatever
//! the set's size, so that the SQL does not depend on it:
//! - PostgreSQL: `t.tenant_id = ANY($n::BIGINT[])`, the set bound as an array (an integer
//!   tenant is cast to its own array type, as a single tenant is cast to its type; a string
//!   or uuid tenant is left to the column's array type);
//! - SQLite: `t.tenant_id IN (SELECT value FROM json_each(?n))`, the set bound as the text of
//!   a JSON array;
//! - MySQL and MariaDB: `t.tenant_id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id
//!   BIGINT PATH '$')) AS j)`, the set bound as the text of a JSON array.
//!
//! Each database looks the set's tenants up in the index that leads with the tenant column.
//! The membership subqueries are the engine's own: the walk and the completeness check
//! recognise them ([`Rewriter::is_set_subquery`]) and do not analyse them as the user's.
//!
//! Over a set, an INSERT is refused (which tenant would its rows belong to?), and so is an
//! UPDATE or DELETE unless the caller says that it writes for the whole set
//! ([`SetWrites::All`]).

use std::ops::ControlFlow;

use sqlparser::ast::{
    ArrayElemTypeDef, BinaryOperator, CastKind, DataType, Expr, InTarget, Query, Statement, Value,
    Visit, VisitMut, Visitor, VisitorMut,
};

use super::Rewriter;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};
use crate::dialect::Dialect;
use crate::manifest::{Manifest, TenantIdType};

/// What a statement over a tenant set may write, for [`rewrite_for_set`](crate::rewrite_for_set).
///
/// Reading for a set is always allowed. An INSERT over a set is always refused: nothing says
/// which of the tenants its rows belong to. An UPDATE or DELETE over a set changes the rows of
/// every tenant of the set, so it is accepted only when the caller says so, with
/// [`SetWrites::All`] (`writes = "all"` in `tenant_set_query!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetWrites {
    /// Only SELECT: an UPDATE or DELETE is refused with
    /// [`DiagnosticKind::TenantSetWrite`].
    ReadOnly,
    /// SELECT, and UPDATE and DELETE of the rows of every tenant of the set.
    All,
}

/// How the set is tested for, per dialect.
#[derive(Debug, Clone)]
pub(crate) enum Membership {
    /// `column = ANY(<array>)`, with the array placeholder typed or not.
    AnyArray(Box<Expr>),
    /// `column IN (<subquery over the bound JSON array>)`.
    JsonSubquery(Box<Query>),
}

impl Membership {
    /// The form of `dialect`, the set bound at `marker`.
    pub(crate) fn new(manifest: &Manifest, marker: &str) -> Result<Membership, Diagnostic> {
        let dialect = manifest.dialect();
        let ty = manifest.tenant_id_type();
        let placeholder = Expr::value(Value::Placeholder(marker.to_owned()));
        let text = match (dialect, ty) {
            (Dialect::Postgres, ty) if ty.is_integer() => {
                return Ok(Membership::AnyArray(Box::new(Expr::Cast {
                    kind: CastKind::DoubleColon,
                    expr: Box::new(placeholder),
                    data_type: DataType::Array(ArrayElemTypeDef::SquareBracket(
                        Box::new(ty.sql_type()),
                        None,
                    )),
                    format: None,
                })))
            }
            (Dialect::Postgres, _) => return Ok(Membership::AnyArray(Box::new(placeholder))),
            (_, TenantIdType::Uuid) => return Err(uuid_set_unsupported(dialect)),
            (Dialect::Sqlite, _) => "SELECT value FROM json_each(?)".to_owned(),
            (Dialect::MySql, ty) => {
                let column = if ty.is_integer() {
                    "BIGINT"
                } else {
                    "VARCHAR(255)"
                };
                format!(
                    "SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id {column} PATH '$')) AS j"
                )
            }
        };
        let parsed = crate::parse::single_statement(dialect, &text)
            .map_err(|e| internal(&format!("the tenant set subquery does not parse: {e}")))?;
        let Statement::Query(mut query) = parsed.statement else {
            return Err(internal("the tenant set subquery is not a query"));
        };
        let _ = VisitMut::visit(&mut query, &mut SetMarker(marker));
        Ok(Membership::JsonSubquery(query))
    }
}

/// Writes the set's placeholder into the subquery.
struct SetMarker<'a>(&'a str);

impl VisitorMut for SetMarker<'_> {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Value(v) = expr {
            if matches!(v.value, Value::Placeholder(_)) {
                v.value = Value::Placeholder(self.0.to_owned());
            }
        }
        ControlFlow::Continue(())
    }
}

impl Rewriter<'_> {
    /// `column` belongs to the set.
    pub(crate) fn set_member(&self, membership: &Membership, column: Expr) -> Expr {
        match membership {
            Membership::AnyArray(array) => Expr::AnyOp {
                left: Box::new(column),
                compare_op: BinaryOperator::Eq,
                right: array.clone(),
                is_some: false,
            },
            Membership::JsonSubquery(query) => Expr::In {
                expr: Box::new(column),
                target: InTarget::Subquery(query.clone()),
                negated: false,
                global: false,
            },
        }
    }

    /// Whether `query` is the membership subquery of the set, which the walk does not analyse.
    pub(crate) fn is_set_subquery(&self, query: &Query) -> bool {
        matches!(&self.set, Some(Membership::JsonSubquery(q)) if **q == *query)
    }
}

/// Refuses the statements that cannot run over a set: INSERT always, UPDATE and DELETE unless
/// `writes` allows them, wherever they stand (PostgreSQL's `WITH … INSERT` is a query whose
/// body is an INSERT). `at` is the statement's first token.
pub(crate) fn check_statement(
    stmt: &Statement,
    writes: SetWrites,
    at: Option<Span>,
) -> Result<(), Diagnostic> {
    let mut writes_found = Writes(None);
    let _ = stmt.visit(&mut writes_found);
    let keyword = match writes_found.0 {
        Some("INSERT") => return Err(insert_over_set(at)),
        Some(keyword) if writes == SetWrites::ReadOnly => keyword,
        _ => return Ok(()),
    };
    Err(Diagnostic::new(
        DiagnosticKind::TenantSetWrite,
        format!("{keyword} over a tenant set would change the rows of every tenant of the set"),
    )
    .at(at)
    .label(format!("{keyword} over a set"))
    .help(format!(
        "if that is intended, say so: `tenant_set_query!(tenants, writes = \"all\", \"{keyword} …\")`; \
         to change one tenant's rows, use `tenant_query!` with that tenant's `TenantId`"
    )))
}

/// The first write a statement holds: `INSERT` as soon as one is found, else `UPDATE` or
/// `DELETE`.
struct Writes(Option<&'static str>);

impl Visitor for Writes {
    type Break = ();

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<()> {
        let keyword = match statement {
            Statement::Insert(_) => {
                self.0 = Some("INSERT");
                return ControlFlow::Break(());
            }
            Statement::Update(_) => "UPDATE",
            Statement::Delete(_) => "DELETE",
            _ => return ControlFlow::Continue(()),
        };
        self.0.get_or_insert(keyword);
        ControlFlow::Continue(())
    }
}

fn insert_over_set(at: Option<Span>) -> Diagnostic {
    Diagnostic::new(
        DiagnosticKind::TenantSetInsert,
        "INSERT over a tenant set: there is no one tenant to stamp the new rows with",
    )
    .at(at)
    .label("INSERT over a set")
    .help("insert with `tenant_query!` and the `TenantId` of the tenant the rows belong to")
}

fn uuid_set_unsupported(dialect: Dialect) -> Diagnostic {
    Diagnostic::unsupported(format!(
        "tenant sets of uuid tenants are not supported on {}: sqlx binds a uuid there as 16 bytes, \
         which a JSON array cannot carry",
        dialect.display_name()
    ))
    .help("query each tenant with `tenant_query!`, or store the tenant id as text (`tenant_id_type = \"string\"`)")
}

fn internal(what: &str) -> Diagnostic {
    Diagnostic::new(DiagnosticKind::Internal, what.to_owned())
        .help("this is a bug in tenant-query; the statement was refused rather than passed through")
}
