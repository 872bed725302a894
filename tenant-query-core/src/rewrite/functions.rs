//! Functions: every call must be known, and set-returning functions may stand in FROM.
//!
//! A call names either a built-in function of the dialect that computes only from its
//! arguments and the current row ([`Dialect::builtin_function`](crate::Dialect::builtin_function))
//! or a function that the manifest declares in `functions`. Any other function is refused,
//! as an undeclared table is: it could read every tenant's rows or act on the server. PostgreSQL
//! built-ins may be qualified with `pg_catalog`.
//!
//! A set-returning function in FROM (`generate_series(1, $1)`, `unnest(f.owners) AS o(x)`,
//! `jsonb_each_text(g.extra_perms)`, `LATERAL …`, SQLite's `json_each`, MySQL's `JSON_TABLE`)
//! returns rows computed from its arguments alone, so it needs no tenant filter of its own. Its
//! arguments are expressions over the rows already in scope, which are filtered to the tenant;
//! they are scoped like any other expression: every subquery in them is scoped, and they may not
//! read a table by name.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Function, ObjectName, Spanned, Statement, Visit, VisitMut, Visitor};

use super::{Binding, Rewriter};
use crate::diagnostic::{closest, Diagnostic, DiagnosticKind};
use crate::functions::FunctionKind;
use crate::parse::source_span;

/// Built-in functions that read a table named by a string, or run SQL given as text: the
/// engine cannot see, let alone scope, what they read. Refused even when declared.
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
];

/// What a function name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Callee {
    /// A built-in function of the allowlist.
    Builtin(FunctionKind),
    /// A function the manifest declares.
    Declared,
}

impl<'m> Rewriter<'m> {
    /// Checks every function call in the expressions of `stmt` and reports each one that is
    /// neither an allowed built-in nor declared. Statements the engine refuses whatever they
    /// call are left to that refusal.
    pub(crate) fn check_function_calls(&mut self, stmt: &Statement) {
        let scopable = matches!(
            stmt,
            Statement::Query(_)
                | Statement::Insert(_)
                | Statement::Update(_)
                | Statement::Delete(_)
        );
        if !scopable {
            return;
        }
        let mut calls = Calls::default();
        let _ = stmt.visit(&mut calls);
        for function in calls.found {
            let checked = self.callee(&function).map(|_| ());
            self.keep(checked);
        }
    }

    /// Scopes a function in FROM: `name(args)`, with or without LATERAL. Only set-returning
    /// built-ins (and, in PostgreSQL, any allowed built-in, which yields one row) and declared
    /// functions may stand there; `args` may use the tables before it. It adds no predicate.
    pub(crate) fn function_in_from<T: VisitMut>(
        &mut self,
        name: &ObjectName,
        args: &mut T,
        bindings: &[Binding<'m>],
    ) -> Result<Vec<Expr>, Diagnostic> {
        match self.callee(name)? {
            Callee::Builtin(FunctionKind::SetReturning) | Callee::Declared => {}
            Callee::Builtin(FunctionKind::Scalar) if self.dialect().calls_scalars_in_from() => {}
            Callee::Builtin(FunctionKind::Scalar) => {
                return Err(Diagnostic::unsupported(format!(
                    "`{name}` returns one value, not a set of rows, so it cannot stand in FROM"
                ))
                .at(source_span(name.span()))
                .help(self.set_returning_help()))
            }
        }
        self.nested(args, bindings)?;
        Ok(Vec::new())
    }

    /// Scopes a set-returning form that the parser reads as syntax rather than as a call
    /// (`UNNEST(…)`, `JSON_TABLE(…)`): `keyword` must be a set-returning built-in of the
    /// dialect, and `args` are scoped with the tables before it in scope.
    pub(crate) fn set_returning_syntax_in_from<T: VisitMut>(
        &mut self,
        keyword: &str,
        args: &mut T,
        bindings: &[Binding<'m>],
        span: sqlparser::tokenizer::Span,
    ) -> Result<Vec<Expr>, Diagnostic> {
        if self.dialect().builtin_function(keyword) != Some(FunctionKind::SetReturning) {
            return Err(Diagnostic::unsupported(format!(
                "{} has no set-returning `{}`",
                self.dialect().display_name(),
                keyword.to_uppercase()
            ))
            .at(source_span(span))
            .help(self.set_returning_help()));
        }
        self.nested(args, bindings)?;
        Ok(Vec::new())
    }

    /// What `name` refers to, or why it may not be called.
    fn callee(&self, name: &ObjectName) -> Result<Callee, Diagnostic> {
        let parts: Option<Vec<String>> = (name.0.iter())
            .map(|p| p.as_ident().map(|i| self.normalize(i)))
            .collect();
        let Some(parts) = parts else {
            return Err(self.unknown_function(name));
        };
        let bare = parts.last().map_or("", String::as_str);
        if TABLE_READING_FUNCTIONS.contains(&bare) || bare.starts_with("dblink") {
            return Err(Diagnostic::unsupported(format!(
                "`{name}` reads rows the engine cannot see, so it cannot be scoped to a tenant"
            ))
            .at(source_span(name.span()))
            .help("select the rows with a query over declared tables, or use `unscoped_query!` with a reason"));
        }
        let builtin = match parts.as_slice() {
            [bare] => self.dialect().builtin_function(bare),
            [schema, bare] if Some(schema.as_str()) == self.dialect().builtin_schema() => {
                self.dialect().builtin_function(bare)
            }
            _ => None,
        };
        if let Some(kind) = builtin {
            return Ok(Callee::Builtin(kind));
        }
        let declared = self.dialect().normalize_parts(parts);
        match self.manifest.declared_function(&declared) {
            Some(_) => Ok(Callee::Declared),
            None => Err(self.unknown_function(name)),
        }
    }

    fn unknown_function(&self, name: &ObjectName) -> Diagnostic {
        let written = name.to_string();
        // The name as the manifest would declare it: as stored, without quotes.
        let stored: Vec<&str> = (name.0.iter())
            .filter_map(|p| p.as_ident().map(|i| i.value.as_str()))
            .collect();
        let declared = self.manifest.functions().iter().map(String::as_str);
        let suggestion = closest(&stored.join("."), declared).or_else(|| {
            let bare = stored.last().copied().unwrap_or_default();
            closest(bare, self.dialect().builtin_function_names())
        });
        let declare = format!(
            "declare the application's own functions that compute only from their arguments in {} (`functions = [\"{}\"]`), or run the query with `unscoped_query!` and a reason",
            self.manifest_file(),
            stored.join(".")
        );
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`? Otherwise {declare}"),
            None => declare,
        };
        Diagnostic::new(
            DiagnosticKind::UnknownFunction,
            format!(
                "function `{written}` is neither a {} built-in that computes only from its arguments nor declared in {}",
                self.dialect().display_name(),
                self.manifest_file()
            ),
        )
        .at(source_span(name.span()))
        .label("unknown function")
        .help(help)
    }

    fn set_returning_help(&self) -> &'static str {
        match self.dialect() {
            crate::Dialect::Postgres => "use a set-returning function such as `unnest`, `generate_series` or `jsonb_each`, or a subquery",
            crate::Dialect::Sqlite => "use `json_each` or `json_tree`, or a subquery",
            crate::Dialect::MySql => "use `JSON_TABLE`, or a subquery",
        }
    }
}

/// The function calls of a statement, in text order.
#[derive(Default)]
struct Calls {
    found: Vec<ObjectName>,
}

impl Visitor for Calls {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Function(Function { name, .. }) = expr {
            self.found.push(name.clone());
        }
        ControlFlow::Continue(())
    }
}
