//! The tenant-scoping rewrite: every reference to a scoped table is filtered to the tenant.
//!
//! The pipeline is parse → placeholders → scope ([`Rewriter`]) → completeness check → render.
//! One module per concern:
//! - [`query`]: queries, set operations, selects and CTE name resolution;
//! - [`joins`]: FROM items, joins and where each table's predicate must go;
//! - [`derived`]: scoped tables filtered inside a derived table, where no ON or WHERE placement
//!   is exact (outer joins with USING, NATURAL or no condition, FULL JOIN);
//! - [`insert`]: INSERT, stamped with the tenant;
//! - [`upsert`]: the update half of upserts, per dialect (ON CONFLICT, ON DUPLICATE KEY UPDATE);
//! - [`update_delete`]: UPDATE and DELETE targets;
//! - [`assignments`]: assigned columns, and no writes to the tenant column;
//! - [`functions`]: function calls, and set-returning functions in FROM;
//! - [`nested`]: subqueries inside expressions, and column checks;
//! - [`complete`]: the final check that every query and table reference was analysed.

mod assignments;
mod complete;
mod derived;
mod functions;
mod insert;
mod joins;
mod nested;
mod query;
mod set;
mod update_delete;
mod upsert;

use sqlparser::ast::{BinaryOperator, Expr, Ident, ObjectName, Spanned, Statement, Value};

use crate::diagnostic::{Diagnostic, DiagnosticKind, Errors};
use crate::dialect::Dialect;
use crate::manifest::{Manifest, TableConfig};
use crate::parse::{self, source_span};
use crate::placeholders::{BindPlan, Params};

pub use set::SetWrites;

/// What the engine makes of one statement: the SQL to run, how to bind it, and the declared
/// tables it names.
///
/// [`rewrite`] and [`check_unscoped`](crate::check_unscoped) both return it. After [`rewrite`]
/// the SQL is filtered to one tenant and [`scoped_tables`](Rewritten::scoped_tables) lists the
/// tables it filters; after `check_unscoped` the SQL is the statement as written and nothing
/// is filtered, so `scoped_tables` is empty while [`tables`](Rewritten::tables) still lists every
/// table the check found declared.
///
/// ```
/// use tenant_query_core::{check_unscoped, rewrite, BindSlot, Manifest};
///
/// let manifest = Manifest::from_toml_str(
///     "dialect = \"sqlite\"\n[tables.orders]\nscope = \"tenant\"\n[tables.currencies]\nscope = \"global\"\n",
///     "tenant-schema.toml",
/// )?;
/// let out = rewrite(&manifest, "INSERT INTO orders (id, total) VALUES (?, ?)")?;
/// assert_eq!(out.sql, "INSERT INTO orders (id, total, tenant_id) VALUES (?1, ?2, ?3)");
/// assert_eq!(out.bind_plan.slots, [BindSlot::Arg(0), BindSlot::Arg(1), BindSlot::Tenant]);
/// assert_eq!(out.scoped_tables, ["orders"]);
/// assert_eq!(out.tables, ["orders"]);
///
/// let sql = "SELECT count(*) FROM orders JOIN currencies ON currencies.code = orders.currency";
/// let out = check_unscoped(&manifest, sql)?;
/// assert_eq!(out.sql, sql);
/// assert!(out.scoped_tables.is_empty());
/// assert_eq!(out.tables, ["currencies", "orders"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The statement to run. [`rewrite`] leaves it unchanged when it names no scoped table;
    /// [`check_unscoped`](crate::check_unscoped) never changes it, except that a statement
    /// with comments is sent as the engine parsed it (a database could read a comment
    /// differently).
    pub sql: String,
    /// The values to bind, in order.
    pub bind_plan: BindPlan,
    /// The manifest names of the tenant-scoped tables the rewrite filters, sorted, without
    /// repeats. Empty after `check_unscoped`, which filters nothing.
    pub scoped_tables: Vec<String>,
    /// The manifest names of every declared table the statement names (scoped and global),
    /// sorted, without repeats.
    pub tables: Vec<String>,
}

impl Rewritten {
    /// The result of a rewrite: the scoped ones among `tables` are filtered.
    fn filtered(sql: String, bind_plan: BindPlan, tables: &[&TableConfig]) -> Self {
        Rewritten {
            sql,
            bind_plan,
            scoped_tables: sorted_names(tables.iter().filter(|t| t.is_scoped())),
            tables: sorted_names(tables.iter()),
        }
    }

    /// The result of a check: `tables` are declared, and nothing is filtered.
    fn checked(sql: String, bind_plan: BindPlan, tables: &[&TableConfig]) -> Self {
        Rewritten {
            sql,
            bind_plan,
            scoped_tables: Vec::new(),
            tables: sorted_names(tables.iter()),
        }
    }
}

/// The manifest names of `tables`, sorted, without repeats.
fn sorted_names<'a>(tables: impl Iterator<Item = &'a &'a TableConfig>) -> Vec<String> {
    let mut names: Vec<String> = tables.map(|t| t.name.clone()).collect();
    names.sort();
    names.dedup();
    names
}

/// Rewrites one statement so that it only sees and touches one tenant's rows.
///
/// The statement must be a single `SELECT`, `INSERT`, `UPDATE` or `DELETE` in the manifest's
/// dialect. Every table it names must be declared in the manifest. See the
/// [crate documentation](crate) for the contract.
///
/// ```
/// use tenant_query_core::{rewrite, DiagnosticKind, Manifest};
///
/// let manifest = Manifest::from_toml_str(
///     "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n",
///     "tenant-schema.toml",
/// )?;
/// let out = rewrite(&manifest, "UPDATE orders SET total = $1 WHERE id = $2")?;
/// assert_eq!(out.sql, "UPDATE orders SET total = $1 WHERE (id = $2) AND orders.tenant_id = $3::BIGINT");
///
/// let err = rewrite(&manifest, "UPDATE orders SET tenant_id = $1").unwrap_err();
/// assert_eq!(err.kind, DiagnosticKind::TenantColumnWrite);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Independent problems of one statement are reported together, in text order; a problem
/// that follows from another (the columns of an undeclared table) is not reported.
///
/// ```
/// use tenant_query_core::{rewrite, DiagnosticKind, Manifest};
///
/// let manifest = Manifest::from_toml_str(
///     "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\ncolumns = [\"id\", \"tenant_id\", \"total\"]\n",
///     "tenant-schema.toml",
/// )?;
/// let err = rewrite(&manifest, "UPDATE orders SET tenant_id = $1, totl = $2 WHERE idd = $3")
///     .unwrap_err();
/// let kinds: Vec<_> = err.problems().into_iter().map(|d| d.kind).collect();
/// assert_eq!(
///     kinds,
///     [
///         DiagnosticKind::TenantColumnWrite,
///         DiagnosticKind::UnknownColumn,
///         DiagnosticKind::UnknownColumn,
///     ]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rewrite(manifest: &Manifest, sql: &str) -> Result<Rewritten, Diagnostic> {
    rewrite_scoped(manifest, sql, None)
}

/// Rewrites one statement so that it only sees (and, with [`SetWrites::All`], touches) the
/// rows of a set of tenants.
///
/// Like [`rewrite`], except that every scoped table is filtered to the tenants of one bound
/// set, the [`BindSlot::Tenant`](crate::BindSlot::Tenant) slot, whose form does not depend on
/// the set's size: an array in PostgreSQL (`= ANY($n::BIGINT[])`), the text of a JSON array
/// in SQLite (`json_each`) and MySQL/MariaDB (`JSON_TABLE`). Running the result behaves like
/// running the statement on a database whose scoped tables hold only the rows of the set's
/// tenants. An INSERT is refused ([`DiagnosticKind::TenantSetInsert`]), and so is an UPDATE or
/// DELETE unless `writes` is [`SetWrites::All`] ([`DiagnosticKind::TenantSetWrite`]).
///
/// ```
/// use tenant_query_core::{rewrite_for_set, DiagnosticKind, Manifest, SetWrites};
///
/// let manifest = Manifest::from_toml_str(
///     "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n",
///     "tenant-schema.toml",
/// )?;
/// let out = rewrite_for_set(&manifest, "SELECT id FROM orders WHERE total > $1", SetWrites::ReadOnly)?;
/// assert_eq!(
///     out.sql,
///     "SELECT id FROM orders WHERE (total > $1) AND orders.tenant_id = ANY($2::BIGINT[])"
/// );
///
/// let err = rewrite_for_set(&manifest, "DELETE FROM orders", SetWrites::ReadOnly).unwrap_err();
/// assert_eq!(err.kind, DiagnosticKind::TenantSetWrite);
/// let out = rewrite_for_set(&manifest, "DELETE FROM orders", SetWrites::All)?;
/// assert_eq!(out.sql, "DELETE FROM orders WHERE orders.tenant_id = ANY($1::BIGINT[])");
///
/// let err = rewrite_for_set(&manifest, "INSERT INTO orders (id) VALUES (1)", SetWrites::All)
///     .unwrap_err();
/// assert_eq!(err.kind, DiagnosticKind::TenantSetInsert);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// SQLite and MySQL bind the set as the text of a JSON array:
///
/// ```
/// use tenant_query_core::{rewrite_for_set, Manifest, SetWrites};
///
/// let manifest = Manifest::from_toml_str(
///     "dialect = \"sqlite\"\n[tables.orders]\nscope = \"tenant\"\n",
///     "tenant-schema.toml",
/// )?;
/// let out = rewrite_for_set(&manifest, "SELECT id FROM orders WHERE id = ?", SetWrites::ReadOnly)?;
/// assert_eq!(
///     out.sql,
///     "SELECT id FROM orders WHERE (id = ?1) AND orders.tenant_id IN (SELECT value FROM json_each(?2))"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rewrite_for_set(
    manifest: &Manifest,
    sql: &str,
    writes: SetWrites,
) -> Result<Rewritten, Diagnostic> {
    rewrite_scoped(manifest, sql, Some(writes))
}

/// [`rewrite`] for one tenant (`set` is `None`) or for a set of tenants.
fn rewrite_scoped(
    manifest: &Manifest,
    sql: &str,
    set: Option<SetWrites>,
) -> Result<Rewritten, Diagnostic> {
    let (mut parsed, params) = analyze(manifest, sql)?;
    let stmt = &mut parsed.statement;
    let mut rewriter = Rewriter::new(manifest, &params.tenant_marker);
    if let Some(writes) = set {
        set::check_statement(stmt, writes, parsed.first_token)?;
        rewriter.set = Some(set::Membership::new(manifest, &params.tenant_marker)?);
    }
    // The functions the user wrote, before the walk adds any of its own.
    rewriter.check_function_calls(stmt);
    let walked = rewriter.statement(stmt);
    // The walk finds them pass by pass; the user reads them in text order.
    let mut errors = std::mem::take(&mut rewriter.errors).into_sorted();
    if let Err(e) = walked {
        errors.push(crate::declared::with_siblings(e, &rewriter, stmt));
    }
    if let Some(all) = Diagnostic::from_all(errors) {
        return Err(at_statement(all, parsed.first_token));
    }
    complete::check(stmt, &rewriter.seen, &rewriter)?;

    let tables = rewriter.tables;
    if !tables.iter().any(|t| t.is_scoped()) {
        let (sql, bind_plan) = params.passthrough(sql, parsed.has_comment, stmt)?;
        return Ok(Rewritten::filtered(sql, bind_plan, &tables));
    }
    let emitted = params.finish(stmt.to_string())?;
    // Fail closed on rendering bugs: what we emit must parse again as one statement. This is
    // the only other tokenization: of the emitted text, never of the input again.
    parse::statement_from_tokens(manifest.dialect(), &emitted.sql, emitted.tokens).map_err(
        |e| {
            Diagnostic::new(
                DiagnosticKind::Internal,
                format!("the rewritten statement does not parse again: {e}"),
            )
            .help("this is a bug in tenant-query; the statement was refused rather than passed through")
        },
    )?;
    Ok(Rewritten::filtered(emitted.sql, emitted.bind_plan, &tables))
}

/// Checks a statement that deliberately works across tenants (`unscoped_query!`).
///
/// The statement must be one statement that parses in the manifest's dialect, and every table
/// it names must be declared, so typos are still caught. It is not rewritten: the result's
/// bind plan holds only the user's arguments, and its `scoped_tables` is empty.
///
/// ```
/// use tenant_query_core::{check_unscoped, Manifest};
///
/// let manifest = Manifest::from_toml_str(
///     "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n",
///     "tenant-schema.toml",
/// )?;
/// let checked = check_unscoped(&manifest, "SELECT tenant_id, count(*) FROM orders GROUP BY 1")?;
/// assert_eq!(checked.sql, "SELECT tenant_id, count(*) FROM orders GROUP BY 1");
/// assert_eq!(checked.tables, ["orders"]);
/// assert!(check_unscoped(&manifest, "SELECT * FROM order").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_unscoped(manifest: &Manifest, sql: &str) -> Result<Rewritten, Diagnostic> {
    let (parsed, params) = analyze(manifest, sql)?;
    let rewriter = Rewriter::new(manifest, &params.tenant_marker);
    let tables = crate::declared::check(&rewriter, &parsed.statement)?;
    let (sql, bind_plan) = params.passthrough(sql, parsed.has_comment, &parsed.statement)?;
    Ok(Rewritten::checked(sql, bind_plan, &tables))
}

/// The first steps of every statement: parse it, then analyse its placeholders.
fn analyze(manifest: &Manifest, sql: &str) -> Result<(parse::Parsed, Params), Diagnostic> {
    let mut parsed = parse::single_statement(manifest.dialect(), sql)?;
    let params = Params::analyze(manifest.dialect(), &mut parsed.statement)?;
    Ok((parsed, params))
}

/// Places every problem of `e` that has no position of its own at the statement.
fn at_statement(e: Diagnostic, statement: Option<crate::diagnostic::Span>) -> Diagnostic {
    let problems = e.problems().into_iter().map(|d| d.at(statement));
    Diagnostic::from_all(problems).unwrap_or(e)
}

/// How many queries and table factors the rewriter analysed, for the completeness check.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) queries: usize,
    pub(crate) table_factors: usize,
    /// Table names: those of table factors, and INSERT targets.
    pub(crate) relations: usize,
}

/// A table visible in one FROM clause, for column checks.
#[derive(Debug, Clone)]
pub(crate) struct Binding<'m> {
    /// The name the query refers to it by, normalised: the alias, or the table name's parts.
    pub(crate) exposed: Vec<String>,
    pub(crate) table: &'m TableConfig,
}

/// What the table factors being scoped are to the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Read by a query: a name may refer to a CTE in scope.
    Read,
    /// The target of an UPDATE or DELETE, which is always a table.
    DmlTarget,
}

/// Walks one statement, filtering every scoped table reference.
///
/// An error that ends the walk is returned; an error after which the walk can go on exactly as
/// if it were not there (an unknown column, a write to the tenant column) is collected with
/// [`report`](Rewriter::report), so that one compile shows them all.
pub(crate) struct Rewriter<'m> {
    pub(crate) manifest: &'m Manifest,
    /// The tenant placeholder as it is written into the AST.
    tenant_marker: String,
    /// Visible CTE names, innermost scope last, normalised.
    pub(crate) ctes: Vec<query::CteFrame>,
    /// How many SELECTs deep the walk is.
    pub(crate) select_depth: usize,
    pub(crate) seen: Seen,
    /// Every declared table the walk resolved, in the order it met them.
    pub(crate) tables: Vec<&'m TableConfig>,
    /// The names (normalised) of the scoped tables the walk has filtered inside a derived
    /// table so far, in order.
    pub(crate) filtered_inside: Vec<String>,
    /// The independent errors found so far.
    errors: Errors,
    /// How a set of tenants is tested for, when the statement is scoped to a set.
    pub(crate) set: Option<set::Membership>,
}

impl<'m> Rewriter<'m> {
    pub(crate) fn new(manifest: &'m Manifest, tenant_marker: &str) -> Self {
        Rewriter {
            manifest,
            tenant_marker: tenant_marker.to_owned(),
            ctes: Vec::new(),
            select_depth: 0,
            seen: Seen::default(),
            tables: Vec::new(),
            filtered_inside: Vec::new(),
            errors: Errors::default(),
            set: None,
        }
    }

    /// Records an error that does not stop the walk. The same error found twice (a column
    /// checked by two passes) is kept once.
    pub(crate) fn report(&mut self, error: Diagnostic) {
        self.errors.push_once(error);
    }

    /// Records the error of `result`, if any.
    pub(crate) fn keep(&mut self, result: Result<(), Diagnostic>) {
        if let Err(e) = result {
            self.report(e);
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        self.manifest.dialect()
    }

    /// The tenant's placeholder, untyped.
    fn tenant(&self) -> Expr {
        Expr::value(Value::Placeholder(self.tenant_marker.clone()))
    }

    /// The tenant standing alone as a value (a stamped row, a projected column), where
    /// nothing gives its placeholder a type: cast to the type of `tenant_id_type` on databases
    /// that type a parameter by where it stands (see
    /// [`Dialect::types_parameters_by_position`]).
    pub(crate) fn tenant_value(&self) -> Expr {
        if self.dialect().types_parameters_by_position() {
            self.typed_tenant()
        } else {
            self.tenant()
        }
    }

    /// The tenant compared with a tenant column. PostgreSQL would type the placeholder as the
    /// column (`int4` for an `i64` tenant), which `query!` then checks the tenant against, so
    /// an integer tenant is cast to its own type: btree's `integer_ops` compare `int2`, `int4`
    /// and `int8` across types, so the index on the column is still used. A string or uuid
    /// tenant is left to the column: a cast to `text` would defeat the index of a `char(n)`
    /// column, and `String` fits every text-like type the column could have.
    fn tenant_compared(&self) -> Expr {
        let ty = self.manifest.tenant_id_type();
        if self.dialect().types_parameters_by_position() && ty.is_integer() {
            self.typed_tenant()
        } else {
            self.tenant()
        }
    }

    /// `<tenant>::TYPE`, the type of `tenant_id_type`.
    fn typed_tenant(&self) -> Expr {
        Expr::Cast {
            kind: sqlparser::ast::CastKind::DoubleColon,
            expr: Box::new(self.tenant()),
            data_type: self.manifest.tenant_id_type().sql_type(),
            format: None,
        }
    }

    /// `qualifier.tenant_column = <tenant>`, or over a set of tenants, the column's membership
    /// in the set (see [`set`]).
    pub(crate) fn predicate(&self, qualifier: &[Ident], tenant_column: &str) -> Expr {
        let mut parts: Vec<Ident> = qualifier.to_vec();
        parts.push(self.column_ident(tenant_column));
        if let Some(membership) = &self.set {
            return self.set_member(membership, Expr::CompoundIdentifier(parts));
        }
        Expr::BinaryOp {
            left: Box::new(Expr::CompoundIdentifier(parts)),
            op: BinaryOperator::Eq,
            right: Box::new(self.tenant_compared()),
        }
    }

    /// `(qualifier.tenant_column = <tenant> OR qualifier.tenant_column IS NULL)`: the tenant's
    /// rows and the shared ones of a `tenant_or_global` table, where it is read.
    pub(crate) fn shared_predicate(&self, qualifier: &[Ident], tenant_column: &str) -> Expr {
        let mut parts: Vec<Ident> = qualifier.to_vec();
        parts.push(self.column_ident(tenant_column));
        let shared = Expr::IsNull(Box::new(Expr::CompoundIdentifier(parts)));
        Expr::Nested(Box::new(Expr::BinaryOp {
            left: Box::new(self.predicate(qualifier, tenant_column)),
            op: BinaryOperator::Or,
            right: Box::new(shared),
        }))
    }

    /// A column identifier, quoted when the dialect would not read it back unquoted.
    pub(crate) fn column_ident(&self, name: &str) -> Ident {
        let plain = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if plain {
            Ident::new(name)
        } else {
            Ident::with_quote(self.dialect().identifier_quote(), name)
        }
    }

    /// Looks a table name up in the manifest, or explains why it is unknown.
    pub(crate) fn resolve(&self, name: &ObjectName) -> Result<&'m TableConfig, Diagnostic> {
        if let Some(t) = self.manifest.resolve(name) {
            return Ok(t);
        }
        let written = name.to_string();
        let candidates = self.manifest.tables().iter().map(|t| t.name.as_str());
        let bare = name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map_or(written.clone(), |i| i.value.clone());
        // Compare the whole name, then the bare table name with each table's bare name, so
        // that `invoices` suggests `billing.invoices`.
        let suggestion = crate::diagnostic::closest(&written, candidates.clone()).or_else(|| {
            let by_bare: Vec<(&str, &str)> = candidates
                .map(|c| (c.rsplit('.').next().unwrap_or(c), c))
                .collect();
            crate::diagnostic::closest(&bare, by_bare.iter().map(|(b, _)| *b)).and_then(|hit| {
                by_bare
                    .iter()
                    .find(|(b, _)| *b == hit)
                    .map(|(_, full)| *full)
            })
        });
        let help = match suggestion {
            Some(s) => format!(
                "did you mean `{s}`? Otherwise declare it in {} with `[tables.{bare}]` and `scope = \"tenant\"` or `scope = \"global\"`",
                self.manifest_file()
            ),
            None => format!(
                "declare it in {} with `[tables.{bare}]` and `scope = \"tenant\"` or `scope = \"global\"`",
                self.manifest_file()
            ),
        };
        Err(Diagnostic::new(
            DiagnosticKind::UnknownTable,
            format!(
                "table `{written}` is not declared in {}",
                self.manifest_file()
            ),
        )
        .at(source_span(name.span()))
        .label("not declared")
        .help(help))
    }

    fn manifest_file(&self) -> &str {
        let origin = self.manifest.origin();
        std::path::Path::new(origin)
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or(origin)
    }

    fn statement(&mut self, stmt: &mut Statement) -> Result<(), Diagnostic> {
        match stmt {
            Statement::Query(q) => self.query(q),
            Statement::Insert(insert) => self.insert(insert),
            Statement::Update(update) => self.update(update),
            Statement::Delete(delete) => self.delete(delete),
            other => Err(unsupported_statement(other)),
        }
    }
}

/// ANDs predicates onto an optional condition, parenthesising the existing condition.
pub(crate) fn and_into(condition: &mut Option<Expr>, predicates: Vec<Expr>) {
    if predicates.is_empty() {
        return;
    }
    let mut combined = condition.take().map(|c| Expr::Nested(Box::new(c)));
    for p in predicates {
        combined = Some(match combined {
            None => p,
            Some(c) => Expr::BinaryOp {
                left: Box::new(c),
                op: BinaryOperator::And,
                right: Box::new(p),
            },
        });
    }
    *condition = combined;
}

fn unsupported_statement(stmt: &Statement) -> Diagnostic {
    let text = stmt.to_string().to_uppercase();
    // DDL is named by its first two words (`CREATE TABLE`), anything else by its first.
    let is_ddl = ["CREATE", "DROP", "ALTER"]
        .iter()
        .any(|k| text.starts_with(k));
    let keyword: String = text
        .split_whitespace()
        .take(if is_ddl { 2 } else { 1 })
        .collect::<Vec<_>>()
        .join(" ");
    let why = if matches!(stmt, Statement::Truncate(_)) {
        "it removes every tenant's rows"
    } else {
        "the engine can only prove SELECT, INSERT, UPDATE and DELETE statements safe"
    };
    Diagnostic::new(
        DiagnosticKind::Unsupported,
        format!("`{keyword}` statements cannot be scoped to a tenant: {why}"),
    )
    .help("run schema changes and cross-tenant maintenance with `unscoped_query!(reason = \"…\", …)` or in migrations")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::DiagnosticKind::{TenantColumnWrite, UnknownColumn, UnknownTable};

    fn manifest(dialect: &str) -> Manifest {
        let toml = format!(
            "dialect = \"{dialect}\"\n\
             [tables.orders]\nscope = \"tenant\"\ncolumns = [\"id\", \"tenant_id\", \"customer_id\", \"total\"]\n\
             unique = [[\"tenant_id\", \"id\"]]\n\
             [tables.customers]\nscope = \"tenant\"\ncolumns = [\"id\", \"tenant_id\", \"name\"]\n"
        );
        match Manifest::from_toml_str(&toml, "tenant-schema.toml") {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        }
    }

    /// Every problem of the rejection of `sql`, as (kind, message).
    fn problems(dialect: &str, sql: &str) -> Vec<(DiagnosticKind, String)> {
        match rewrite(&manifest(dialect), sql) {
            Ok(out) => panic!("accepted {sql}: {}", out.sql),
            Err(e) => e
                .problems()
                .into_iter()
                .map(|d| (d.kind, d.message))
                .collect(),
        }
    }

    /// The secondary labels of the rejection of `sql`, as (span, message).
    fn secondary_labels(dialect: &str, sql: &str) -> Vec<(String, String)> {
        match rewrite(&manifest(dialect), sql) {
            Ok(out) => panic!("accepted {sql}: {}", out.sql),
            Err(e) => e
                .secondary
                .iter()
                .map(|l| (l.span.to_string(), l.message.clone()))
                .collect(),
        }
    }

    #[test]
    fn reports_every_unknown_column_of_a_statement() {
        assert_eq!(
            problems(
                "postgres",
                "SELECT nme, o.totl FROM orders o WHERE o.idd = $1"
            ),
            [
                (UnknownColumn, "table `orders` has no column `nme`".into()),
                (UnknownColumn, "table `orders` has no column `totl`".into()),
                (UnknownColumn, "table `orders` has no column `idd`".into()),
            ]
        );
        assert_eq!(
            problems(
                "postgres",
                "SELECT nme FROM orders WHERE totl > $1 AND id = $2"
            ),
            [
                (UnknownColumn, "table `orders` has no column `nme`".into()),
                (UnknownColumn, "table `orders` has no column `totl`".into()),
            ]
        );
        assert_eq!(
            problems("sqlite", "INSERT INTO orders (idd, totl) VALUES (?, ?)"),
            [
                (UnknownColumn, "table `orders` has no column `idd`".into()),
                (UnknownColumn, "table `orders` has no column `totl`".into()),
            ]
        );
    }

    #[test]
    fn reports_every_tenant_column_write_and_the_unknown_columns_beside_them() {
        let m =
            "assigning the tenant column `tenant_id` of `orders` would move rows to another tenant";
        let c = "assigning the tenant column `tenant_id` of `customers` would move rows to another tenant";
        assert_eq!(
            problems(
                "mysql",
                "UPDATE orders o JOIN customers c ON c.id = o.customer_id \
                 SET o.tenant_id = ?, c.tenant_id = ?, o.totl = ?"
            ),
            [
                (TenantColumnWrite, m.into()),
                (TenantColumnWrite, c.into()),
                (UnknownColumn, "table `orders` has no column `totl`".into()),
            ]
        );
        assert_eq!(
            problems(
                "postgres",
                "INSERT INTO orders (id, tenant_id) VALUES ($1, $2) \
                 ON CONFLICT (tenant_id, id) DO UPDATE SET tenant_id = $3"
            ),
            [
                (
                    TenantColumnWrite,
                    "INSERT must not set the tenant column `tenant_id` of `orders`".into()
                ),
                (TenantColumnWrite, m.into()),
            ]
        );
    }

    #[test]
    fn an_unknown_table_hides_the_columns_it_would_have_checked() {
        assert_eq!(
            problems("postgres", "SELECT o.nme FROM orderz o WHERE o.idd = $1"),
            [(
                UnknownTable,
                "table `orderz` is not declared in tenant-schema.toml".into()
            )]
        );
    }

    #[test]
    fn a_rejected_join_points_at_the_join_that_makes_tables_nullable() {
        let sql = "UPDATE orders o RIGHT JOIN customers c USING (id) SET c.name = 'x'";
        assert_eq!(
            secondary_labels("mysql", sql),
            [(
                "1:28-1:39".to_owned(),
                "the nullable side of this RIGHT JOIN without ON".to_owned()
            )]
        );
    }

    #[test]
    fn an_ambiguous_upsert_source_points_at_the_clashing_name() {
        let sql = "INSERT INTO orders (id, total) SELECT id, total FROM orders \
                   ON DUPLICATE KEY UPDATE total = 1";
        assert_eq!(
            secondary_labels("mysql", sql),
            [(
                "1:54-1:60".to_owned(),
                "the SELECT exposes the same name here".to_owned()
            )]
        );
    }

    #[test]
    fn check_unscoped_lists_the_tables_it_checked() {
        let sql = "SELECT * FROM customers JOIN orders ON orders.customer_id = customers.id";
        let Ok(out) = check_unscoped(&manifest("postgres"), sql) else {
            panic!("rejected {sql}");
        };
        assert_eq!(out.sql, sql);
        assert_eq!(out.tables, ["customers", "orders"]);
        assert!(out.scoped_tables.is_empty());
    }
}
