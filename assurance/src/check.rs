//! The structural checker: does a rewritten statement restrict every tenant-scoped table?
//!
//! It is written from the contract, not from the rewriter. It parses the rewritten SQL again
//! with sqlparser and decides, for every reference to a scoped table, whether some condition
//! `q.tenant_col = <tenant placeholder>` sits in a position that *restricts* that reference:
//!
//! - the condition must be a conjunct at the top of an AND-tree (looking through parentheses);
//!   a conjunct under `OR` or `NOT`, or nested inside any other expression, restricts nothing;
//! - the WHERE clause of the SELECT, UPDATE or DELETE that owns the FROM item restricts a table
//!   unless the table is on the nullable side of an outer join on its way up;
//! - the ON condition of an inner join restricts the tables of both operands, again unless they
//!   are on the nullable side of an outer join nested inside the operand;
//! - the ON condition of `L LEFT JOIN R` restricts the tables of `R` (the nullable side) and
//!   not those of `L`; for `RIGHT JOIN` it is the other way round; a `FULL JOIN`'s ON restricts
//!   neither side, and nothing above it restricts either side;
//! - a scoped table inside a derived table is restricted by that query's own clauses, like in
//!   any subquery, and by nothing outside it: `(SELECT * FROM t AS a WHERE a.tenant_col = $1)
//!   AS a` is how the engine filters the nullable side of an outer join without ON and both
//!   sides of a `FULL JOIN`;
//! - in SQLite a comma in a FROM list is a join operator of the same precedence as `JOIN`, so
//!   `a, b RIGHT JOIN c` puts `a` on the nullable side too; PostgreSQL and MySQL give the comma
//!   the lowest precedence.
//!
//! A predicate in HAVING, in a subquery, in the SELECT list or under OR restricts nothing.
//!
//! Besides predicates it checks that no assignment writes a scoped table's tenant column, that
//! every INSERT into a scoped table lists the tenant column and feeds it the tenant placeholder
//! in every row, that upserts only update the tenant's own row, that the targets of UPDATE and
//! DELETE are read as tables (a CTE of the same name does not shadow them), and a few things
//! that no predicate can fix: functions that read a table by name or run SQL text (in an
//! expression or in FROM), and MySQL/MariaDB executable comments. Any other function in FROM
//! (`unnest(o.tags)`, `json_each(o.extra)`, `JSON_TABLE(…)`) computes its rows from its
//! arguments: it needs no predicate, and the subqueries in its arguments are checked like any
//! other.
//!
//! ```
//! use tenant_query_assurance::check::{check, TenantParam};
//! use tenant_query_core::Manifest;
//!
//! let manifest = Manifest::from_toml_str(
//!     "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n",
//!     "tenant-schema.toml",
//! )?;
//! let tenant = TenantParam::Numbered("$1".into());
//! assert!(check(&manifest, "SELECT * FROM orders o WHERE o.tenant_id = $1", &tenant)?.is_ok());
//! // Under OR the predicate restricts nothing.
//! let report = check(&manifest, "SELECT * FROM orders o WHERE o.tenant_id = $1 OR true", &tenant)?;
//! assert_eq!(report.violations.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::fmt;
use std::ops::ControlFlow;

use sqlparser::ast::{
    ArrayElemTypeDef, Assignment, AssignmentTarget, BinaryOperator, CastKind, DataType, Delete,
    Expr, FromTable, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, InTarget,
    Insert, JoinConstraint, JoinOperator, ObjectName, OnConflictAction, OnInsert, Query, Select,
    SelectItem, SetExpr, Statement, TableFactor, TableObject, TableWithJoins, Update,
    UpdateTableFromKind, Value, Visit, Visitor,
};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token, Tokenizer, Whitespace};
use tenant_query_core::{
    BindPlan, BindSlot, Dialect, Manifest, Rewritten, TableConfig, TenantIdType,
};

/// How the tenant's bind parameter is written in the statement being checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantParam {
    /// A numbered placeholder, exactly as written: `$3` (PostgreSQL) or `?3` (SQLite). Every
    /// occurrence of this text is the tenant.
    Numbered(String),
    /// Positional `?` placeholders (MySQL): entry *i* says whether the *i*-th placeholder in
    /// text order is the tenant.
    Positional(Vec<bool>),
}

/// What kind of rule a statement breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViolationKind {
    /// A scoped table reference has no tenant predicate in a restricting position.
    Unrestricted,
    /// An assignment writes a scoped table's tenant column.
    TenantColumnWrite,
    /// An INSERT into a scoped table does not stamp every row with the tenant.
    Unstamped,
    /// An upsert can update another tenant's row.
    UnscopedUpsert,
    /// A table the manifest does not declare.
    UndeclaredTable,
    /// A construct whose effect on tenant isolation the checker cannot establish.
    Unverifiable,
    /// Something that reads other tenants' data however it is filtered: a function that reads
    /// a table by name or runs SQL text, or an executable comment hidden from the parser.
    HiddenRead,
    /// The bind plan or the placeholders disagree with the statement.
    BindPlan,
}

/// One broken rule, with a message that names the table or construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub kind: ViolationKind,
    /// What is wrong, naming the table, alias or construct.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

/// The outcome of checking one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every broken rule; empty when the statement is safe.
    pub violations: Vec<Violation>,
    /// How many references to scoped tables were found restricted.
    pub restricted_references: usize,
    /// How many INSERTs into scoped tables were found stamped.
    pub stamped_inserts: usize,
}

impl Report {
    /// Whether no rule is broken.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The checked statement does not parse as exactly one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure(pub String);

impl fmt::Display for ParseFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the statement does not parse: {}", self.0)
    }
}

impl std::error::Error for ParseFailure {}

/// The sqlparser dialect for a manifest dialect.
pub fn parser_dialect(dialect: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::MySql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
    }
}

/// Parses `sql` as exactly one statement in `dialect`.
pub fn parse_one(dialect: Dialect, sql: &str) -> Result<Statement, ParseFailure> {
    let d = parser_dialect(dialect);
    let mut statements = Parser::new(d.as_ref())
        .with_recursion_limit(200)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| ParseFailure(e.to_string()))?;
    match statements.len() {
        1 => Ok(statements.remove(0)),
        n => Err(ParseFailure(format!("{n} statements"))),
    }
}

/// Checks one statement in the manifest's dialect, with the tenant written as `tenant`.
///
/// Returns the report of broken rules, or an error when the SQL does not parse.
pub fn check(manifest: &Manifest, sql: &str, tenant: &TenantParam) -> Result<Report, ParseFailure> {
    let dialect = manifest.dialect();
    let stmt = parse_one(dialect, sql)?;
    let mut checker = Checker::new(manifest, &stmt, tenant);
    checker.statement(&stmt);
    checker.unverified_relations(&stmt);
    checker.hidden_reads(&stmt);
    if dialect == Dialect::MySql {
        checker.executable_comments(sql);
    }
    Ok(checker.report)
}

/// Checks the engine's output for `original`: the statement, and that the bind plan and the
/// placeholders agree with it.
///
/// The tenant placeholder is derived from the bind plan: for PostgreSQL and SQLite it is
/// `$N`/`?N` where slot *N-1* is the tenant, for MySQL the positions of the tenant slots.
pub fn check_rewritten(
    manifest: &Manifest,
    original: &str,
    rewritten: &Rewritten,
) -> Result<Report, ParseFailure> {
    let dialect = manifest.dialect();
    let plan = &rewritten.bind_plan;
    let mut plan_problems = Vec::new();
    let tenant_slots: Vec<usize> = plan
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| **s == BindSlot::Tenant)
        .map(|(i, _)| i)
        .collect();
    let original_placeholders = placeholders(dialect, original)?;
    let output_placeholders = placeholders(dialect, &rewritten.sql)?;
    let tenant = match dialect {
        Dialect::MySql => positional_tenant(
            plan,
            original_placeholders.len(),
            output_placeholders.len(),
            &mut plan_problems,
        ),
        Dialect::Postgres | Dialect::Sqlite => numbered_tenant(
            dialect,
            plan,
            &tenant_slots,
            &original_placeholders,
            &mut plan_problems,
        ),
    };
    if plan
        .slots
        .iter()
        .any(|s| matches!(s, BindSlot::Arg(i) if *i >= plan.user_args))
    {
        plan_problems.push(format!(
            "a slot binds an argument beyond the {} the user supplies",
            plan.user_args
        ));
    }
    let mut report = check(manifest, &rewritten.sql, &tenant)?;
    if !report.is_ok() || report.restricted_references + report.stamped_inserts > 0 {
        // Something is scoped: the tenant must be bound.
        if tenant_slots.is_empty() && report.restricted_references + report.stamped_inserts > 0 {
            plan_problems.push("scoped tables are referenced but the tenant is never bound".into());
        }
    }
    report
        .violations
        .extend(plan_problems.into_iter().map(|message| Violation {
            kind: ViolationKind::BindPlan,
            message,
        }));
    Ok(report)
}

/// The tenant placeholders of a MySQL bind plan (positions), after checking that the plan
/// has a slot per placeholder of the output and binds the user's `user_placeholders`
/// arguments in order.
fn positional_tenant(
    plan: &BindPlan,
    user_placeholders: usize,
    output_placeholders: usize,
    problems: &mut Vec<String>,
) -> TenantParam {
    if output_placeholders != plan.slots.len() {
        problems.push(format!(
            "the statement has {} placeholders, the bind plan {} slots",
            output_placeholders,
            plan.slots.len()
        ));
    }
    let users: Vec<usize> = plan
        .slots
        .iter()
        .filter_map(|s| match s {
            BindSlot::Arg(i) => Some(*i),
            BindSlot::Tenant => None,
        })
        .collect();
    if users != (0..user_placeholders).collect::<Vec<_>>() {
        problems.push(format!(
            "the user's {user_placeholders} positional arguments are bound as {users:?}"
        ));
    }
    TenantParam::Positional(plan.slots.iter().map(|s| *s == BindSlot::Tenant).collect())
}

/// The tenant placeholder of a numbered bind plan (`$N` or `?N`), after checking that there
/// is one tenant slot, that the user does not use its number, and that every other slot
/// binds the user's argument of its own number.
fn numbered_tenant(
    dialect: Dialect,
    plan: &BindPlan,
    tenant_slots: &[usize],
    original_placeholders: &[String],
    problems: &mut Vec<String>,
) -> TenantParam {
    let prefix = if dialect == Dialect::Postgres {
        '$'
    } else {
        '?'
    };
    match tenant_slots {
        [] => TenantParam::Numbered(String::new()),
        [i] => {
            let text = format!("{prefix}{}", i + 1);
            if original_placeholders.contains(&text) {
                problems.push(format!(
                    "the tenant placeholder {text} is also one of the user's"
                ));
            }
            for (k, slot) in plan.slots.iter().enumerate() {
                if k != *i && *slot != BindSlot::Arg(k) {
                    problems.push(format!("slot {k} of a numbered plan is {slot:?}"));
                }
            }
            TenantParam::Numbered(text)
        }
        many => {
            problems.push(format!("several tenant slots {many:?} in a numbered plan"));
            TenantParam::Numbered(format!("{prefix}{}", many[0] + 1))
        }
    }
}

/// Every placeholder of `sql`, in text order.
fn placeholders(dialect: Dialect, sql: &str) -> Result<Vec<String>, ParseFailure> {
    let stmt = parse_one(dialect, sql)?;
    let mut found = PlaceholderSpans::default();
    let _ = stmt.visit(&mut found);
    found
        .spans
        .sort_by_key(|(s, _)| (s.start.line, s.start.column));
    Ok(found.spans.into_iter().map(|(_, p)| p).collect())
}

#[derive(Default)]
struct PlaceholderSpans {
    spans: Vec<(Span, String)>,
}

impl Visitor for PlaceholderSpans {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Value(v) = expr {
            if let Value::Placeholder(p) = &v.value {
                self.spans.push((v.span, p.clone()));
            }
        }
        ControlFlow::Continue(())
    }
}

/// A name as the database compares it.
fn norm(dialect: Dialect, ident: &Ident) -> String {
    match dialect {
        Dialect::Postgres if ident.quote_style.is_some() => ident.value.clone(),
        Dialect::Postgres => ident.value.to_ascii_lowercase(),
        Dialect::MySql | Dialect::Sqlite => ident.value.to_lowercase(),
    }
}

fn name_parts(name: &ObjectName) -> Option<Vec<&Ident>> {
    name.0.iter().map(|p| p.as_ident()).collect()
}

/// The manifest table a name refers to, by the database's rules.
fn lookup<'m>(
    manifest: &'m Manifest,
    dialect: Dialect,
    name: &ObjectName,
) -> Option<&'m TableConfig> {
    let mut parts: Vec<String> = name_parts(name)?
        .into_iter()
        .map(|i| norm(dialect, i))
        .collect();
    let default_schema = match dialect {
        Dialect::Postgres => Some("public"),
        Dialect::Sqlite => Some("main"),
        Dialect::MySql => None,
    };
    if parts.len() == 2 && default_schema == Some(parts[0].as_str()) {
        parts.remove(0);
    }
    manifest.tables().iter().find(|t| {
        let mut declared: Vec<String> = t
            .name
            .split('.')
            .map(|p| match dialect {
                Dialect::Postgres => p.to_owned(),
                _ => p.to_lowercase(),
            })
            .collect();
        // A declared `public.orders` is the table `orders` too.
        if declared.len() == 2 && default_schema == Some(declared[0].as_str()) {
            declared.remove(0);
        }
        declared == parts
    })
}

/// Whether a column name, as written, names the declared column `wanted`.
fn same_column(dialect: Dialect, column: &Ident, wanted: &str) -> bool {
    match dialect {
        Dialect::Postgres if column.quote_style.is_some() => column.value == wanted,
        Dialect::Postgres => column.value.to_ascii_lowercase() == wanted,
        Dialect::MySql | Dialect::Sqlite => column.value.to_lowercase() == wanted.to_lowercase(),
    }
}

/// A qualified column reference as its parts. sqlparser's MySQL dialect reads `"o".col` in
/// an expression as a field of the string `"o"`; MySQL itself either rejects the `"o"` alias
/// (the default mode) or reads both as identifiers (`ANSI_QUOTES`), so it counts as `o.col`.
fn qualified_column(e: &Expr) -> Option<Vec<Ident>> {
    match e {
        Expr::CompoundIdentifier(parts) => Some(parts.clone()),
        Expr::CompoundFieldAccess { root, access_chain } => {
            let Expr::Value(v) = root.as_ref() else {
                return None;
            };
            let Value::DoubleQuotedString(q) = &v.value else {
                return None;
            };
            let [sqlparser::ast::AccessExpr::Dot(Expr::Identifier(col))] = access_chain.as_slice()
            else {
                return None;
            };
            Some(vec![Ident::with_quote('"', q.clone()), col.clone()])
        }
        _ => None,
    }
}

/// The conjuncts of a condition: the leaves of its top AND-tree, looking through parentheses.
fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Nested(inner) => stack.push(inner),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                stack.push(right);
                stack.push(left);
            }
            other => out.push(other),
        }
    }
    out
}

fn strip(mut e: &Expr) -> &Expr {
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// A reference to a scoped table in a FROM clause, and the conditions that may restrict it.
struct Entry<'a> {
    /// The table as the manifest declares it.
    table: &'a TableConfig,
    /// The name the statement refers to it by, normalised: the alias or the name's parts.
    exposed: Vec<String>,
    /// The bare table name, when the reference has no alias (a qualified name may also be
    /// referred to by its last part).
    bare: Option<String>,
    /// How the reference is written, for messages.
    written: String,
    /// Whether conditions above still restrict it (it is not on a nullable side yet).
    open: bool,
    /// Conditions in restricting positions collected so far.
    conditions: Vec<Vec<&'a Expr>>,
    /// Whether the statement may write it (a table of an UPDATE or DELETE list): the shared
    /// rows of a `tenant_or_global` table must then be filtered out too.
    written_to: bool,
}

/// A table visible in a FROM clause (scoped or global), for assignment checks.
struct Binding<'a> {
    exposed: Vec<String>,
    table: &'a TableConfig,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
    OuterApply,
    Unsupported,
}

struct Checker<'m> {
    manifest: &'m Manifest,
    dialect: Dialect,
    tenant: TenantParam,
    /// For positional tenants: the spans of the placeholders that are the tenant.
    tenant_spans: HashSet<(u64, u64)>,
    /// Visible CTE names, innermost frame last.
    ctes: Vec<Vec<String>>,
    /// Relations whose meaning the walk established.
    verified: HashSet<*const ObjectName>,
    report: Report,
}

impl<'m> Checker<'m> {
    fn new(manifest: &'m Manifest, stmt: &Statement, tenant: &TenantParam) -> Self {
        let mut tenant_spans = HashSet::new();
        if let TenantParam::Positional(flags) = tenant {
            let mut found = PlaceholderSpans::default();
            let _ = stmt.visit(&mut found);
            found
                .spans
                .sort_by_key(|(s, _)| (s.start.line, s.start.column));
            for (i, (span, _)) in found.spans.iter().enumerate() {
                if flags.get(i).copied().unwrap_or(false) {
                    tenant_spans.insert((span.start.line, span.start.column));
                }
            }
        }
        Checker {
            manifest,
            dialect: manifest.dialect(),
            tenant: tenant.clone(),
            tenant_spans,
            ctes: Vec::new(),
            verified: HashSet::new(),
            report: Report::default(),
        }
    }

    fn violation(&mut self, kind: ViolationKind, message: impl Into<String>) {
        self.report.violations.push(Violation {
            kind,
            message: message.into(),
        });
    }

    fn is_tenant(&self, e: &Expr) -> bool {
        let Expr::Value(v) = self.uncast_tenant(strip(e)) else {
            return false;
        };
        let Value::Placeholder(p) = &v.value else {
            return false;
        };
        match &self.tenant {
            TenantParam::Numbered(text) => !text.is_empty() && p == text,
            TenantParam::Positional(_) => self
                .tenant_spans
                .contains(&(v.span.start.line, v.span.start.column)),
        }
    }

    /// `e` without a cast to the type of `tenant_id_type`, the one cast that the engine puts
    /// on a tenant placeholder and that keeps its value.
    fn uncast_tenant<'e>(&self, e: &'e Expr) -> &'e Expr {
        match e {
            Expr::Cast {
                kind: CastKind::Cast | CastKind::DoubleColon,
                expr,
                data_type,
                format: None,
            } if holds_tenant_type(self.manifest.tenant_id_type(), data_type) => strip(expr),
            other => other,
        }
    }

    /// Whether `e` is `q.tenant_col = <tenant>` (either way round) for `entry`, or the
    /// column's membership in a tenant set bound at the tenant placeholder
    /// ([`Self::is_set_membership`]).
    fn is_predicate_for(&self, e: &Expr, entry: &Entry<'_>) -> bool {
        let column = match strip(e) {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => match (strip(left), strip(right)) {
                (c, other) if self.is_tenant(other) => qualified_column(c),
                (other, c) if self.is_tenant(other) => qualified_column(c),
                _ => None,
            },
            membership => self.is_set_membership(membership),
        };
        let Some(column) = column else {
            return false;
        };
        let Some((col, qualifier)) = column.split_last() else {
            return false;
        };
        let Some(tc) = &entry.table.tenant_column else {
            return false;
        };
        if !same_column(self.dialect, col, tc) {
            return false;
        }
        let q: Vec<String> = qualifier.iter().map(|i| norm(self.dialect, i)).collect();
        q == entry.exposed || (q.len() == 1 && entry.bare.as_deref() == Some(q[0].as_str()))
    }

    /// The column of a tenant set membership test, the forms `rewrite_for_set` writes:
    /// `col = ANY(<tenant>[::TYPE[]])` (PostgreSQL), `col IN (SELECT value FROM
    /// json_each(<tenant>))` (SQLite) and `col IN (SELECT j.id FROM JSON_TABLE(<tenant>, '$[*]'
    /// COLUMNS(id TYPE PATH '$')) AS j)` (MySQL), where the set is bound at the tenant
    /// placeholder.
    fn is_set_membership(&self, e: &Expr) -> Option<Vec<Ident>> {
        match e {
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                is_some: false,
            } if self.is_tenant_array(strip(right)) => qualified_column(strip(left)),
            Expr::In {
                expr,
                target: InTarget::Subquery(query),
                negated: false,
                ..
            } if self.is_tenant_set_subquery(query) => qualified_column(strip(expr)),
            _ => None,
        }
    }

    /// The tenant placeholder, bare or cast to the array of the tenant type.
    fn is_tenant_array(&self, e: &Expr) -> bool {
        match e {
            Expr::Cast {
                kind: CastKind::DoubleColon | CastKind::Cast,
                expr,
                data_type: DataType::Array(ArrayElemTypeDef::SquareBracket(inner, None)),
                format: None,
            } => holds_tenant_type(self.manifest.tenant_id_type(), inner) && self.is_tenant(expr),
            other => self.is_tenant(other),
        }
    }

    /// Whether `query` reads exactly the elements of the JSON array bound at the tenant
    /// placeholder, and nothing else.
    fn is_tenant_set_subquery(&self, query: &Query) -> bool {
        let mut placeholders = Vec::new();
        let _ = query.visit(&mut Placeholders(&mut placeholders));
        let [only] = placeholders.as_slice() else {
            return false;
        };
        if !self.is_tenant(only) {
            return false;
        }
        let text = query.to_string().replace(&only.to_string(), "?");
        [
            "SELECT value FROM json_each(?)",
            "SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS(id BIGINT PATH '$')) AS j",
            "SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS(id VARCHAR(255) PATH '$')) AS j",
        ]
        .contains(&text.as_str())
    }

    /// Whether `e` is `(q.tenant_col = <tenant> OR q.tenant_col IS NULL)` for a
    /// `tenant_or_global` table that the statement only reads: its rows and the shared ones.
    fn is_shared_predicate_for(&self, e: &Expr, entry: &Entry<'_>) -> bool {
        if entry.written_to || !entry.table.shares_null_tenant_rows() {
            return false;
        }
        let Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } = strip(e)
        else {
            return false;
        };
        let Expr::IsNull(null) = strip(right) else {
            return false;
        };
        let same_column = match (strip(left), qualified_column(strip(null))) {
            (
                Expr::BinaryOp {
                    left: l, right: r, ..
                },
                Some(c),
            ) => [l, r]
                .iter()
                .any(|side| qualified_column(strip(side)).as_ref() == Some(&c)),
            (membership, Some(c)) => self.is_set_membership(membership) == Some(c),
            _ => false,
        };
        same_column && self.is_predicate_for(left, entry)
    }

    fn is_cte(&self, name: &ObjectName) -> bool {
        let Some(parts) = name_parts(name) else {
            return false;
        };
        let [ident] = parts.as_slice() else {
            return false;
        };
        let n = norm(self.dialect, ident);
        self.ctes.iter().any(|frame| frame.contains(&n))
    }

    // ---- statements ----

    fn statement(&mut self, stmt: &Statement) {
        match stmt {
            Statement::Query(q) => self.query(q),
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            other => {
                let text = other.to_string();
                let word = text.split_whitespace().next().unwrap_or("").to_owned();
                self.violation(
                    ViolationKind::Unverifiable,
                    format!("a `{word}` statement cannot be verified"),
                );
            }
        }
    }

    fn query(&mut self, q: &Query) {
        let mut names: Vec<String> = Vec::new();
        if let Some(with) = &q.with {
            let all: Vec<String> = with
                .cte_tables
                .iter()
                .map(|c| norm(self.dialect, &c.alias.name))
                .collect();
            for (i, cte) in with.cte_tables.iter().enumerate() {
                // What the databases resolve a name in CTE `i` to: PostgreSQL sees the CTEs
                // before it, or the whole list under RECURSIVE; SQLite always sees the whole
                // list (a CTE naming itself is recursive, RECURSIVE or not); MySQL sees the
                // ones before it, and itself under RECURSIVE.
                let visible = match (self.dialect, with.recursive) {
                    (Dialect::Postgres, true) | (Dialect::Sqlite, _) => all.clone(),
                    (Dialect::MySql, true) => all[..=i].to_vec(),
                    (_, false) => all[..i].to_vec(),
                };
                self.ctes.push(visible);
                self.query(&cte.query);
                self.ctes.pop();
            }
            names = all;
        }
        self.ctes.push(names);
        if !q.pipe_operators.is_empty() {
            self.violation(
                ViolationKind::Unverifiable,
                "pipe operators cannot be verified",
            );
        }
        self.set_expr(&q.body);
        self.subqueries(&q.order_by);
        self.subqueries(&q.limit_clause);
        self.subqueries(&q.fetch);
        self.ctes.pop();
    }

    fn set_expr(&mut self, body: &SetExpr) {
        match body {
            SetExpr::Select(s) => self.select(s),
            SetExpr::Query(q) => self.query(q),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left);
                self.set_expr(right);
            }
            SetExpr::Values(v) => self.subqueries(v),
            SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => self.statement(s),
            SetExpr::Table(t) => {
                let scoped = t.table_name.as_ref().is_some_and(|n| {
                    self.manifest.tables().iter().any(|c| {
                        c.is_scoped() && c.name.rsplit('.').next() == Some(n.value.as_str())
                    })
                });
                if scoped {
                    self.violation(
                        ViolationKind::Unrestricted,
                        format!("`TABLE {}` reads a scoped table unfiltered", t),
                    );
                }
            }
            SetExpr::Merge(_) => {
                self.violation(ViolationKind::Unverifiable, "MERGE cannot be verified")
            }
        }
    }

    /// Checks every query nested in `node` at the top level (not inside another query).
    fn subqueries<T: Visit>(&mut self, node: &T) {
        let mut v = Subqueries {
            checker: self,
            depth: 0,
        };
        let _ = node.visit(&mut v);
    }

    fn select(&mut self, select: &Select) {
        if select.into.is_some() {
            self.violation(
                ViolationKind::Unverifiable,
                "SELECT … INTO creates a table and cannot be verified",
            );
        }
        if !select.lateral_views.is_empty() || !select.connect_by.is_empty() {
            self.violation(
                ViolationKind::Unverifiable,
                "LATERAL VIEW and CONNECT BY cannot be verified",
            );
        }
        let mut bindings = Vec::new();
        let mut entries = self.scan_from_list(&select.from, false, &mut bindings);
        self.close_with_where(&mut entries, select.selection.as_ref());
        self.judge(entries);
        self.subqueries(select);
    }

    /// Adds the WHERE conjuncts to the entries still open and settles them.
    fn close_with_where<'a>(&self, entries: &mut [Entry<'a>], selection: Option<&'a Expr>) {
        if let Some(w) = selection {
            let c = conjuncts(w);
            for e in entries.iter_mut().filter(|e| e.open) {
                e.conditions.push(c.clone());
            }
        }
    }

    /// Records a violation for every entry that no condition restricts.
    fn judge(&mut self, entries: Vec<Entry<'_>>) {
        for entry in entries {
            let ok = entry.conditions.iter().any(|conds| {
                conds.iter().any(|c| {
                    self.is_predicate_for(c, &entry) || self.is_shared_predicate_for(c, &entry)
                })
            });
            if ok {
                self.report.restricted_references += 1;
            } else {
                let tc = entry.table.tenant_column.as_deref().unwrap_or("?");
                self.violation(
                    ViolationKind::Unrestricted,
                    format!(
                        "scoped table `{}` ({}) has no `{}.{tc} = <tenant>` in a restricting position",
                        entry.table.name,
                        entry.written,
                        entry.exposed.join(".")
                    ),
                );
            }
        }
    }

    /// The entries of a FROM list. `targets`: the first relation of each item is the target
    /// of a DML statement, which is always a table (never a CTE).
    fn scan_from_list<'a>(
        &mut self,
        items: &'a [TableWithJoins],
        targets: bool,
        bindings: &mut Vec<Binding<'m>>,
    ) -> Vec<Entry<'a>>
    where
        'm: 'a,
    {
        if self.dialect == Dialect::Sqlite && items.len() > 1 {
            // SQLite: `a, b JOIN c` is `(a CROSS JOIN b) JOIN c`, left to right.
            let mut steps: Vec<(JoinKind, Option<&'a Expr>, &'a TableFactor, bool)> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                steps.push((JoinKind::Inner, None, &item.relation, targets && i == 0));
                for j in &item.joins {
                    let (kind, on) = classify(&j.join_operator);
                    steps.push((kind, on, &j.relation, false));
                }
            }
            return self.chain(steps, bindings);
        }
        let mut out = Vec::new();
        for item in items {
            out.extend(self.table_with_joins(item, targets, bindings));
        }
        out
    }

    fn table_with_joins<'a>(
        &mut self,
        item: &'a TableWithJoins,
        target: bool,
        bindings: &mut Vec<Binding<'m>>,
    ) -> Vec<Entry<'a>>
    where
        'm: 'a,
    {
        let mut steps = vec![(JoinKind::Inner, None, &item.relation, target)];
        for j in &item.joins {
            let (kind, on) = classify(&j.join_operator);
            steps.push((kind, on, &j.relation, false));
        }
        self.chain(steps, bindings)
    }

    /// A left-deep chain of joins: the first step's kind is ignored.
    fn chain<'a>(
        &mut self,
        steps: Vec<(JoinKind, Option<&'a Expr>, &'a TableFactor, bool)>,
        bindings: &mut Vec<Binding<'m>>,
    ) -> Vec<Entry<'a>>
    where
        'm: 'a,
    {
        let mut acc: Vec<Entry<'a>> = Vec::new();
        for (i, (kind, on, factor, target)) in steps.into_iter().enumerate() {
            let mut right = self.factor(factor, target, bindings);
            if i == 0 {
                acc = right;
                continue;
            }
            let on = on.map(conjuncts);
            match kind {
                JoinKind::Inner => {
                    if let Some(c) = on {
                        for e in acc.iter_mut().chain(right.iter_mut()).filter(|e| e.open) {
                            e.conditions.push(c.clone());
                        }
                    }
                }
                JoinKind::Left => {
                    if let Some(c) = on {
                        for e in right.iter_mut().filter(|e| e.open) {
                            e.conditions.push(c.clone());
                        }
                    }
                    right.iter_mut().for_each(|e| e.open = false);
                }
                JoinKind::Right => {
                    if let Some(c) = on {
                        for e in acc.iter_mut().filter(|e| e.open) {
                            e.conditions.push(c.clone());
                        }
                    }
                    acc.iter_mut().for_each(|e| e.open = false);
                }
                JoinKind::Full => {
                    acc.iter_mut()
                        .chain(right.iter_mut())
                        .for_each(|e| e.open = false);
                }
                JoinKind::OuterApply => right.iter_mut().for_each(|e| e.open = false),
                JoinKind::Unsupported => {
                    self.violation(
                        ViolationKind::Unverifiable,
                        format!("a join of this kind cannot be verified: `{factor}`"),
                    );
                    right.iter_mut().for_each(|e| e.open = false);
                }
            }
            acc.extend(right);
        }
        acc
    }

    fn factor<'a>(
        &mut self,
        factor: &'a TableFactor,
        target: bool,
        bindings: &mut Vec<Binding<'m>>,
    ) -> Vec<Entry<'a>>
    where
        'm: 'a,
    {
        match factor {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                self.verified.insert(name as *const ObjectName);
                if args.is_some() {
                    self.function_in_from(name);
                    return Vec::new();
                }
                if !target && self.is_cte(name) {
                    return Vec::new();
                }
                let Some(table) = lookup(self.manifest, self.dialect, name) else {
                    self.violation(
                        ViolationKind::UndeclaredTable,
                        format!("table `{name}` is not declared in the manifest"),
                    );
                    return Vec::new();
                };
                let parts: Vec<String> = name_parts(name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| norm(self.dialect, i))
                    .collect();
                let (exposed, bare) = match alias {
                    Some(a) => (vec![norm(self.dialect, &a.name)], None),
                    None => (parts.clone(), parts.last().cloned()),
                };
                bindings.push(Binding {
                    exposed: exposed.clone(),
                    table,
                });
                if !table.is_scoped() {
                    return Vec::new();
                }
                if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                    self.violation(
                        ViolationKind::Unverifiable,
                        format!(
                            "a column alias list on scoped table `{}` may rename its tenant column",
                            table.name
                        ),
                    );
                }
                vec![Entry {
                    table,
                    exposed,
                    bare,
                    written: factor.to_string(),
                    open: true,
                    conditions: Vec::new(),
                    written_to: false,
                }]
            }
            // Their queries are checked by `subqueries` on the enclosing statement.
            TableFactor::Derived { .. } | TableFactor::UNNEST { .. } => Vec::new(),
            // A function's rows come from its arguments, which hold no table but through
            // subqueries, and those `subqueries` checks.
            TableFactor::Function { name, .. } => {
                self.function_in_from(name);
                Vec::new()
            }
            TableFactor::JsonTable { .. } => Vec::new(),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.table_with_joins(table_with_joins, target, bindings),
            other => {
                self.violation(
                    ViolationKind::Unverifiable,
                    format!("table expression `{other}` cannot be verified"),
                );
                Vec::new()
            }
        }
    }

    /// A function in FROM restricts nothing and needs nothing restricted, unless it reads a
    /// table by name or runs SQL text.
    fn function_in_from(&mut self, name: &ObjectName) {
        if reads_tables(name) {
            self.violation(
                ViolationKind::HiddenRead,
                format!("`{name}` reads a table by name or runs SQL text, past any tenant filter"),
            );
        }
    }

    // ---- DML ----

    fn update(&mut self, update: &Update) {
        let mut bindings = Vec::new();
        // The single target of UPDATE is a table; a multi-table (MySQL) UPDATE reads its
        // references like a FROM clause.
        let single = update.table.joins.is_empty();
        let mut entries = self.table_with_joins(&update.table, single, &mut bindings);
        mark_written(&mut entries);
        let targets = bindings.len();
        if let Some(UpdateTableFromKind::BeforeSet(items) | UpdateTableFromKind::AfterSet(items)) =
            &update.from
        {
            entries.extend(self.scan_from_list(items, false, &mut bindings));
        }
        if update.or == Some(sqlparser::ast::SqliteOnConflict::Replace)
            && bindings.iter().any(|b| b.table.is_scoped())
        {
            self.violation(
                ViolationKind::Unverifiable,
                "UPDATE OR REPLACE can delete another tenant's row",
            );
        }
        self.assignments(&update.assignments, &bindings, &bindings[..targets]);
        self.close_with_where(&mut entries, update.selection.as_ref());
        self.judge(entries);
        self.subqueries(update);
    }

    fn delete(&mut self, delete: &Delete) {
        let mut bindings = Vec::new();
        let items = match &delete.from {
            FromTable::WithFromKeyword(items) | FromTable::WithoutKeyword(items) => items,
        };
        // `DELETE FROM t …`: the FROM items are the targets, always tables. MySQL's
        // `DELETE a FROM a JOIN b …` names its targets first and reads FROM like a SELECT,
        // and its `DELETE FROM a USING a JOIN b …` names them in FROM and reads USING.
        let single = delete.tables.is_empty();
        for t in &delete.tables {
            self.verified.insert(t as *const ObjectName);
        }
        let names_only = self.dialect == Dialect::MySql && delete.using.is_some();
        let mut entries = if names_only {
            for item in items {
                if let TableFactor::Table { name, .. } = &item.relation {
                    self.verified.insert(name as *const ObjectName);
                }
            }
            Vec::new()
        } else {
            let mut targets = self.scan_from_list(items, single, &mut bindings);
            mark_written(&mut targets);
            targets
        };
        if let Some(using) = &delete.using {
            let mut read = self.scan_from_list(using, false, &mut bindings);
            if names_only {
                // MySQL's targets are relations of USING.
                mark_written(&mut read);
            }
            entries.extend(read);
        }
        self.close_with_where(&mut entries, delete.selection.as_ref());
        self.judge(entries);
        self.subqueries(delete);
    }

    /// No assignment may target a scoped table's tenant column. A qualified target is checked
    /// against the table it names (or every table when the name is not found); an unqualified
    /// one against every target table.
    fn assignments(
        &mut self,
        assignments: &[Assignment],
        bindings: &[Binding<'_>],
        targets: &[Binding<'_>],
    ) {
        for a in assignments {
            let columns: Vec<&ObjectName> = match &a.target {
                AssignmentTarget::ColumnName(c) => vec![c],
                AssignmentTarget::Tuple(cs) => cs.iter().collect(),
            };
            for column in columns {
                let Some(parts) = name_parts(column) else {
                    continue;
                };
                let Some((col, qualifier)) = parts.split_last() else {
                    continue;
                };
                let q: Vec<String> = qualifier.iter().map(|i| norm(self.dialect, i)).collect();
                let named: Vec<&Binding<'_>> = if q.is_empty() {
                    targets.iter().collect()
                } else {
                    let hits: Vec<&Binding<'_>> = bindings
                        .iter()
                        .filter(|b| b.exposed == q || b.exposed.last() == q.last())
                        .collect();
                    if hits.is_empty() {
                        bindings.iter().collect()
                    } else {
                        hits
                    }
                };
                for b in named {
                    if let Some(tc) = &b.table.tenant_column {
                        if same_column(self.dialect, col, tc) {
                            self.violation(
                                ViolationKind::TenantColumnWrite,
                                format!(
                                    "`{column}` assigns the tenant column of scoped table `{}`",
                                    b.table.name
                                ),
                            );
                        }
                    }
                }
            }
        }
    }

    fn insert(&mut self, insert: &Insert) {
        let name = match &insert.table {
            TableObject::TableName(name) => name,
            other => {
                self.violation(
                    ViolationKind::Unverifiable,
                    format!("INSERT into `{other}` cannot be verified"),
                );
                self.subqueries(insert);
                return;
            }
        };
        self.verified.insert(name as *const ObjectName);
        let Some(table) = lookup(self.manifest, self.dialect, name) else {
            self.violation(
                ViolationKind::UndeclaredTable,
                format!("INSERT target `{name}` is not declared in the manifest"),
            );
            self.subqueries(insert);
            return;
        };
        if let Some(tc) = table.tenant_column.clone() {
            self.stamped(insert, table, &tc, name);
        }
        self.subqueries(insert);
    }

    /// Checks an INSERT into the scoped `table` (tenant column `tc`, written as `name`): no
    /// REPLACE, every row stamped, and an upsert that only updates the tenant's row.
    fn stamped(&mut self, insert: &Insert, table: &TableConfig, tc: &str, name: &ObjectName) {
        let t = &table.name;
        if insert.replace_into || insert.or == Some(sqlparser::ast::SqliteOnConflict::Replace) {
            self.violation(
                ViolationKind::Unverifiable,
                format!("REPLACE into scoped table `{t}` can delete another tenant's row"),
            );
        }
        if self.every_row_stamped(insert, t, tc) {
            self.report.stamped_inserts += 1;
        }
        // Upserts: the conflicting row may belong to another tenant.
        let entry = self.insert_target(insert, table, name);
        self.upsert(insert, &entry, tc);
    }

    /// Whether the INSERT into `t` lists the tenant column `tc` once and feeds it the tenant
    /// placeholder in every row; records a violation where it does not.
    fn every_row_stamped(&mut self, insert: &Insert, t: &str, tc: &str) -> bool {
        let positions: Vec<usize> = insert
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                name_parts(c)
                    .and_then(|p| p.last().copied())
                    .is_some_and(|i| same_column(self.dialect, i, tc))
            })
            .map(|(i, _)| i)
            .collect();
        let mut ok = true;
        if !insert.assignments.is_empty() {
            ok = false;
            self.violation(
                ViolationKind::Unverifiable,
                format!("INSERT … SET into scoped table `{t}` cannot be verified"),
            );
        }
        let problem = match (positions.as_slice(), &insert.source) {
            ([i], Some(source)) => (!self.stamps(&source.body, *i, insert.columns.len())).then(|| {
                format!(
                    "INSERT into scoped table `{t}` does not feed `{tc}` the tenant placeholder in every row"
                )
            }),
            ([_], None) => Some(format!("INSERT into scoped table `{t}` has no rows to stamp")),
            ([], _) => Some(format!(
                "INSERT into scoped table `{t}` does not list its tenant column `{tc}`"
            )),
            _ => Some(format!(
                "INSERT into scoped table `{t}` lists `{tc}` more than once"
            )),
        };
        if let Some(problem) = problem {
            self.violation(ViolationKind::Unstamped, problem);
            ok = false;
        }
        ok
    }

    /// The INSERT target as a relation in scope: its alias, or its name.
    fn insert_target<'t>(
        &self,
        insert: &Insert,
        table: &'t TableConfig,
        name: &ObjectName,
    ) -> Entry<'t> {
        let qualifier: Vec<String> = match &insert.table_alias {
            Some(a) => vec![norm(self.dialect, &a.alias)],
            None => name_parts(name)
                .unwrap_or_default()
                .into_iter()
                .map(|i| norm(self.dialect, i))
                .collect(),
        };
        Entry {
            table,
            bare: match &insert.table_alias {
                Some(_) => None,
                None => qualifier.last().cloned(),
            },
            exposed: qualifier,
            written: name.to_string(),
            open: true,
            conditions: Vec::new(),
            written_to: false,
        }
    }

    /// Checks the upsert clause of an INSERT into `entry` (tenant column `tc`): the row it
    /// updates must be the tenant's.
    fn upsert(&mut self, insert: &Insert, entry: &Entry, tc: &str) {
        let t = &entry.table.name;
        let target = [Binding {
            exposed: entry.exposed.clone(),
            table: entry.table,
        }];
        match &insert.on {
            None => {}
            Some(OnInsert::OnConflict(conflict)) => match &conflict.action {
                OnConflictAction::DoNothing => {}
                OnConflictAction::DoUpdate(du) => {
                    self.assignments(&du.assignments, &target, &target);
                    let restricted = du.selection.as_ref().is_some_and(|w| {
                        conjuncts(w).iter().any(|c| self.is_predicate_for(c, entry))
                    });
                    if !restricted {
                        self.violation(
                            ViolationKind::UnscopedUpsert,
                            format!(
                                "ON CONFLICT DO UPDATE on scoped table `{t}` can update another tenant's row: its WHERE lacks `{}.{tc} = <tenant>`",
                                entry.exposed.join(".")
                            ),
                        );
                    }
                }
            },
            Some(OnInsert::DuplicateKeyUpdate(assignments)) => {
                self.assignments(assignments, &target, &target);
                for a in assignments {
                    if !self.guarded(a, entry) {
                        self.violation(
                            ViolationKind::UnscopedUpsert,
                            format!(
                                "ON DUPLICATE KEY UPDATE `{}` on scoped table `{t}` is not `IF({}.{tc} = ?, value, column)`",
                                a.target,
                                entry.exposed.join(".")
                            ),
                        );
                    }
                }
            }
            Some(_) => self.violation(
                ViolationKind::Unverifiable,
                format!("this ON clause of an INSERT into `{t}` cannot be verified"),
            ),
        }
    }

    /// Whether every row that `body` produces has the tenant placeholder at position `i` of
    /// `width` columns. A row of another width never runs: every database refuses an INSERT
    /// whose rows do not match its column list.
    fn stamps(&self, body: &SetExpr, i: usize, width: usize) -> bool {
        let is_wildcard = |p: &SelectItem| {
            matches!(
                p,
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
            )
        };
        match body {
            SetExpr::Values(v) => {
                !v.rows.is_empty()
                    && v.rows
                        .iter()
                        .all(|r| r.content.len() != width || self.is_tenant(&r.content[i]))
            }
            SetExpr::Select(s) => {
                if !s.projection.iter().any(is_wildcard) && s.projection.len() != width {
                    return true;
                }
                // A wildcard before position `i` hides which item feeds the column.
                !s.projection.iter().take(i).any(is_wildcard)
                    && match s.projection.get(i) {
                        Some(
                            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. },
                        ) => self.is_tenant(e) || self.pinned_by_where(s, e),
                        _ => false,
                    }
            }
            SetExpr::Query(q) => self.stamps(&q.body, i, width),
            SetExpr::SetOperation { left, right, .. } => {
                self.stamps(left, i, width) && self.stamps(right, i, width)
            }
            _ => false,
        }
    }

    /// Whether `e` is a qualified column `q.c` that a top-level conjunct `q.c = <tenant>` of
    /// the SELECT's WHERE pins: every row the SELECT produces has passed it, so `q.c` holds
    /// the tenant in each (a null-extended `q` fails the conjunct).
    fn pinned_by_where(&self, select: &Select, e: &Expr) -> bool {
        let Some(column) = qualified_column(strip(e)) else {
            return false;
        };
        let same = |other: &Expr| {
            qualified_column(strip(other)).is_some_and(|o| {
                o.len() == column.len()
                    && o.iter()
                        .zip(&column)
                        .all(|(a, b)| norm(self.dialect, a) == norm(self.dialect, b))
            })
        };
        let Some(selection) = &select.selection else {
            return false;
        };
        conjuncts(selection).into_iter().any(|c| match strip(c) {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => (same(left) && self.is_tenant(right)) || (same(right) && self.is_tenant(left)),
            _ => false,
        })
    }

    /// Whether an upsert assignment is `col = IF(<tenant predicate>, value, col)`.
    fn guarded(&self, a: &Assignment, entry: &Entry<'_>) -> bool {
        let AssignmentTarget::ColumnName(column) = &a.target else {
            return false;
        };
        let Expr::Function(Function {
            name,
            args: FunctionArguments::List(list),
            ..
        }) = strip(&a.value)
        else {
            return false;
        };
        if !name.to_string().eq_ignore_ascii_case("if") || list.args.len() != 3 {
            return false;
        }
        let arg = |i: usize| match &list.args[i] {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        };
        let (Some(cond), Some(_), Some(otherwise)) = (arg(0), arg(1), arg(2)) else {
            return false;
        };
        let same = match (strip(otherwise), name_parts(column)) {
            (Expr::Identifier(i), Some(parts)) => parts
                .last()
                .is_some_and(|c| norm(self.dialect, c) == norm(self.dialect, i)),
            (Expr::CompoundIdentifier(ids), Some(parts)) => {
                ids.last().map(|i| norm(self.dialect, i))
                    == parts.last().map(|c| norm(self.dialect, c))
            }
            _ => false,
        };
        same && self.is_predicate_for(cond, entry)
    }

    // ---- whole-statement checks ----

    /// Every relation that names a scoped table must be one the walk verified.
    fn unverified_relations(&mut self, stmt: &Statement) {
        let mut all = Relations::default();
        let _ = stmt.visit(&mut all);
        for (address, name) in all.names {
            // Identity, not equality: the walk and this visit saw the same statement.
            if self.verified.contains(&address) {
                continue;
            }
            if let Some(t) = lookup(self.manifest, self.dialect, &name) {
                if t.is_scoped() {
                    self.violation(
                        ViolationKind::Unrestricted,
                        format!(
                            "scoped table `{}` is referenced as `{name}` in a position that no tenant predicate can restrict",
                            t.name
                        ),
                    );
                }
            }
        }
    }

    /// Functions that read a table by name or run SQL text see every tenant's rows.
    fn hidden_reads(&mut self, stmt: &Statement) {
        let mut f = Functions::default();
        let _ = stmt.visit(&mut f);
        for name in f.hits {
            self.violation(
                ViolationKind::HiddenRead,
                format!("`{name}` reads a table by name or runs SQL text, past any tenant filter"),
            );
        }
    }

    /// MySQL and MariaDB run the text of `/*! … */`, `/*!50700 … */` and `/*M! … */` comments,
    /// and read `--` followed by non-ASCII whitespace as code.
    fn executable_comments(&mut self, sql: &str) {
        let d = MySqlDialect {};
        let Ok(tokens) = Tokenizer::new(&d, sql).tokenize_with_location() else {
            return;
        };
        for t in tokens {
            // sqlparser yields the text of `/*! … */` and `/*!50700 … */` as tokens in the
            // comment's place, so no comment token shows them.
            let comment = matches!(t.token, Token::Whitespace(Whitespace::MultiLineComment(_)));
            if !comment && text_at(sql, t.span.start).starts_with("/*") {
                let text = text_at(sql, t.span.start);
                let end = text.find("*/").map_or(text.len(), |i| i + 2);
                self.violation(
                    ViolationKind::HiddenRead,
                    format!(
                        "the executable comment `{}` runs SQL the checker cannot see",
                        &text[..end]
                    ),
                );
                return;
            }
            match t.token {
                Token::Whitespace(Whitespace::MultiLineComment(c)) => {
                    let c = c.trim_start();
                    if c.starts_with('!') || c.starts_with("M!") || c.starts_with("m!") {
                        self.violation(
                            ViolationKind::HiddenRead,
                            format!(
                                "the executable comment `/*{c}*/` runs SQL the checker cannot see"
                            ),
                        );
                    }
                }
                // MySQL starts a `--` comment only before a space or control character;
                // sqlparser also before any Unicode whitespace, such as U+00A0.
                Token::Whitespace(Whitespace::SingleLineComment { prefix, comment })
                    if prefix == "--"
                        && comment
                            .chars()
                            .next()
                            .is_some_and(|c| !c.is_ascii() && c.is_whitespace()) =>
                {
                    self.violation(
                        ViolationKind::HiddenRead,
                        format!(
                            "MySQL does not read `--{}` as a comment, so it runs SQL the checker cannot see",
                            comment.trim_end()
                        ),
                    );
                }
                _ => {}
            }
        }
    }
}

/// The text of `sql` from a tokenizer location (1-based line and character column) on.
fn text_at(sql: &str, at: sqlparser::tokenizer::Location) -> &str {
    let line = (at.line as usize).saturating_sub(1);
    let start: usize = sql.split('\n').take(line).map(|l| l.len() + 1).sum();
    let rest = sql.get(start..).unwrap_or("");
    let column = (at.column as usize).saturating_sub(1);
    rest.char_indices()
        .nth(column)
        .map_or("", |(i, _)| &rest[i..])
}

fn classify(op: &JoinOperator) -> (JoinKind, Option<&Expr>) {
    fn on(c: &JoinConstraint) -> Option<&Expr> {
        match c {
            JoinConstraint::On(e) => Some(e),
            _ => None,
        }
    }
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::CrossJoin(c)
        | JoinOperator::StraightJoin(c) => (JoinKind::Inner, on(c)),
        JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinKind::Left, on(c)),
        JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (JoinKind::Right, on(c)),
        JoinOperator::FullOuter(_) => (JoinKind::Full, None),
        JoinOperator::CrossApply => (JoinKind::Inner, None),
        JoinOperator::OuterApply => (JoinKind::OuterApply, None),
        _ => (JoinKind::Unsupported, None),
    }
}

/// Checks the queries nested in a node, skipping the insides of the ones it checks.
struct Subqueries<'c, 'm> {
    checker: &'c mut Checker<'m>,
    depth: usize,
}

impl Visitor for Subqueries<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            self.checker.query(query);
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<()> {
        if self.depth == 0 {
            self.checker.violation(
                ViolationKind::Unverifiable,
                format!("a statement nested in an expression cannot be verified: `{statement}`"),
            );
        }
        ControlFlow::Continue(())
    }
}

#[derive(Default)]
struct Relations {
    names: Vec<(*const ObjectName, ObjectName)>,
}

impl Visitor for Relations {
    type Break = ();

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        self.names
            .push((relation as *const ObjectName, relation.clone()));
        ControlFlow::Continue(())
    }
}

/// PostgreSQL functions that read whole tables by name or execute SQL given as text.
///
/// The engine keeps a list like this one (`rewrite/functions.rs`). The two stay apart on
/// purpose: the checker shares no code with the rewriter, so that a mistake in one list is
/// caught by the other instead of being copied into both.
const TABLE_READING_FUNCTIONS: &[&str] = &[
    "table_to_xml",
    "table_to_xmlschema",
    "table_to_xml_and_xmlschema",
    "query_to_xml",
    "query_to_xmlschema",
    "query_to_xml_and_xmlschema",
    "cursor_to_xml",
    "cursor_to_xmlschema",
    "schema_to_xml",
    "schema_to_xmlschema",
    "schema_to_xml_and_xmlschema",
    "database_to_xml",
    "database_to_xmlschema",
    "database_to_xml_and_xmlschema",
    "ts_stat",
    "ts_rewrite",
    "dblink",
    "dblink_exec",
    "dblink_open",
    "dblink_send_query",
];

/// Whether the function `name` is one of [`TABLE_READING_FUNCTIONS`].
fn reads_tables(name: &ObjectName) -> bool {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .is_some_and(|last| TABLE_READING_FUNCTIONS.contains(&last.value.to_lowercase().as_str()))
}

#[derive(Default)]
struct Functions {
    hits: Vec<String>,
}

impl Visitor for Functions {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Function(f) = expr {
            if reads_tables(&f.name) {
                self.hits.push(f.name.to_string());
            }
        }
        ControlFlow::Continue(())
    }
}

/// Whether `data_type` is the SQL type that holds `tenant_id_type` exactly.
fn holds_tenant_type(tenant: TenantIdType, data_type: &DataType) -> bool {
    matches!(
        (tenant, data_type),
        (TenantIdType::I64, DataType::BigInt(None))
            | (
                TenantIdType::I32,
                DataType::Integer(None) | DataType::Int(None)
            )
            | (TenantIdType::Uuid, DataType::Uuid)
            | (TenantIdType::String, DataType::Text)
    )
}

/// Marks the entries of an UPDATE or DELETE table list as possibly written.
fn mark_written(entries: &mut [Entry<'_>]) {
    for e in entries {
        e.written_to = true;
    }
}

/// Collects the placeholder values of a tree.
struct Placeholders<'a>(&'a mut Vec<Expr>);

impl Visitor for Placeholders<'_> {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if let Expr::Value(v) = e {
            if matches!(v.value, Value::Placeholder(_)) {
                self.0.push(e.clone());
            }
        }
        ControlFlow::Continue(())
    }
}
