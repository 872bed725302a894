//! The calls in one Rust source file, found with `syn`: the tenant-query macros and every
//! direct sqlx query function or macro.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream, TokenTree};
use serde::{Deserialize, Serialize};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Lit, LitStr, Token, UseTree};

/// What a call does with the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// `unscoped_query*!`: runs across tenants, with a reason.
    Unscoped,
    /// A direct sqlx query function or macro: nothing scopes it.
    Raw,
    /// `tenant_query*!`: scoped to one tenant by the engine.
    Scoped,
}

impl CallKind {
    /// The stable spelling of the text and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::Unscoped => "unscoped",
            CallKind::Raw => "raw",
            CallKind::Scoped => "scoped",
        }
    }
}

/// One call found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundCall {
    /// What it does with the tenant.
    pub kind: CallKind,
    /// The function or macro as the tool names it: `unscoped_query_as!`, `sqlx::query`.
    pub name: String,
    /// 1-based line of the call's path.
    pub line: usize,
    /// 1-based column of the call's path.
    pub column: usize,
    /// The SQL string literal (or the string constant the call names), when there is one.
    pub sql: Option<String>,
    /// The `reason = "…"` of an unscoped call.
    pub reason: Option<String>,
}

/// A file that `syn` could not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// 1-based line of the error.
    pub line: usize,
    /// 1-based column of the error.
    pub column: usize,
    /// syn's message.
    pub message: String,
}

const TENANT_MACROS: &[&str] = &[
    "tenant_query",
    "tenant_query_as",
    "tenant_query_scalar",
    "tenant_query_checked",
    "tenant_query_as_checked",
    "tenant_query_scalar_checked",
    "tenant_query_sql",
];

const UNSCOPED_MACROS: &[&str] = &[
    "unscoped_query",
    "unscoped_query_as",
    "unscoped_query_scalar",
    "unscoped_query_checked",
    "unscoped_query_as_checked",
    "unscoped_query_scalar_checked",
];

/// sqlx's functions that take SQL.
const SQLX_FUNCTIONS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_scalar_with",
    "raw_sql",
];

/// sqlx's macros that take SQL or a SQL file.
const SQLX_MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_unchecked",
    "query_as_unchecked",
    "query_scalar_unchecked",
    "query_file",
    "query_file_as",
    "query_file_scalar",
    "query_file_unchecked",
    "query_file_as_unchecked",
    "query_file_scalar_unchecked",
];

/// Every call in `source`, in source order, or why the file does not parse.
pub fn scan(source: &str) -> Result<Vec<FoundCall>, ParseFailure> {
    let file = syn::parse_file(source).map_err(|e| {
        let start = e.span().start();
        let message = match e.to_string() {
            // syn's words for a file that does not even split into tokens.
            m if m == "cannot parse string into token stream" => {
                "cannot split the file into tokens: an unclosed delimiter or an invalid token"
                    .to_owned()
            }
            m => format!("cannot parse: {m}"),
        };
        ParseFailure {
            line: start.line,
            column: start.column + 1,
            message,
        }
    })?;
    let mut names = Names::default();
    names.visit_file(&file);
    let mut finder = Finder {
        names,
        calls: Vec::new(),
    };
    finder.visit_file(&file);
    finder
        .calls
        .sort_by_key(|call| (call.line, call.column, call.name.clone()));
    Ok(finder.calls)
}

/// What the file's `use` items and string constants make of a name.
#[derive(Default)]
struct Names {
    /// Local name → the path it imports (`q` → `sqlx::query`).
    imports: HashMap<String, Vec<String>>,
    /// Paths imported with `::*`.
    globs: Vec<Vec<String>>,
    /// `const`/`static` string items: name → value.
    strings: HashMap<String, String>,
}

impl Names {
    fn add_use(&mut self, prefix: &mut Vec<String>, tree: &UseTree) {
        match tree {
            UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.add_use(prefix, &path.tree);
                prefix.pop();
            }
            UseTree::Name(name) => self.import(prefix, &name.ident, &name.ident),
            UseTree::Rename(rename) => self.import(prefix, &rename.ident, &rename.rename),
            UseTree::Glob(_) => self.globs.push(prefix.clone()),
            UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_use(prefix, tree);
                }
            }
        }
    }

    fn import(&mut self, prefix: &[String], item: &syn::Ident, local: &syn::Ident) {
        let mut path = prefix.to_vec();
        if item != "self" {
            path.push(item.to_string());
        }
        let local = if local == "self" {
            path.last().cloned().unwrap_or_default()
        } else {
            local.to_string()
        };
        self.imports.insert(local, path);
    }

    /// The full path of `path` after the file's imports, without a leading `::`.
    fn resolve(&self, path: &syn::Path) -> Vec<String> {
        let mut segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none() {
            if let Some(expansion) = segments.first().and_then(|first| self.imports.get(first)) {
                segments.splice(0..1, expansion.iter().cloned());
            }
        }
        segments
    }

    /// Whether a single name comes from a glob import of `sqlx`.
    fn glob_from_sqlx(&self) -> bool {
        self.globs.iter().any(|g| g.len() == 1 && g[0] == "sqlx")
    }

    /// The kind and display name of a call of `path`, when it is one the audit lists.
    fn classify(&self, path: &syn::Path, is_macro: bool) -> Option<(CallKind, String)> {
        let segments = self.resolve(path);
        let last = segments.last()?.as_str();
        let bang = if is_macro { "!" } else { "" };
        if is_macro && TENANT_MACROS.contains(&last) {
            return Some((CallKind::Scoped, format!("{last}!")));
        }
        if is_macro && UNSCOPED_MACROS.contains(&last) {
            return Some((CallKind::Unscoped, format!("{last}!")));
        }
        let known = if is_macro {
            SQLX_MACROS
        } else {
            SQLX_FUNCTIONS
        };
        let from_sqlx = match segments.as_slice() {
            [krate, _] => krate == "sqlx",
            [_] => self.glob_from_sqlx(),
            _ => false,
        };
        (from_sqlx && known.contains(&last)).then(|| (CallKind::Raw, format!("sqlx::{last}{bang}")))
    }

    /// The SQL an argument holds: a string literal, or a string constant of this file, seen
    /// through `&`, parentheses and `AssertSqlSafe(…)`.
    fn sql_of(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            Expr::Reference(r) => self.sql_of(&r.expr),
            Expr::Paren(p) => self.sql_of(&p.expr),
            Expr::Group(g) => self.sql_of(&g.expr),
            Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|ident| self.strings.get(&ident.to_string()).cloned()),
            Expr::Call(call) if call.args.len() == 1 => match &*call.func {
                Expr::Path(p) if p.path.segments.last()?.ident == "AssertSqlSafe" => {
                    self.sql_of(&call.args[0])
                }
                _ => None,
            },
            _ => None,
        }
    }
}

impl<'ast> Visit<'ast> for Names {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.add_use(&mut Vec::new(), &item.tree);
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.add_string(&item.ident, &item.expr);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.add_string(&item.ident, &item.expr);
    }

    fn visit_impl_item_const(&mut self, item: &'ast syn::ImplItemConst) {
        self.add_string(&item.ident, &item.expr);
    }
}

impl Names {
    fn add_string(&mut self, ident: &syn::Ident, expr: &Expr) {
        if let Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) = expr
        {
            self.strings.insert(ident.to_string(), s.value());
        }
    }
}

/// Walks the file, macro bodies included, and records the calls.
struct Finder {
    names: Names,
    calls: Vec<FoundCall>,
}

impl Finder {
    fn record(&mut self, kind: CallKind, name: String, span: Span, sql: Option<String>) {
        let start = span.start();
        self.calls.push(FoundCall {
            kind,
            name,
            line: start.line,
            column: start.column + 1,
            sql,
            reason: None,
        });
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(func) = &*call.func {
            if let Some((kind, name)) = self.names.classify(&func.path, false) {
                let sql = call.args.first().and_then(|a| self.names.sql_of(a));
                self.record(kind, name, span_of(&func.path), sql);
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        match self.names.classify(&mac.path, true) {
            Some((kind, name)) => {
                let (sql, reason) = macro_sql_and_reason(&mac.tokens);
                self.record(kind, name, span_of(&mac.path), sql);
                if let Some(call) = self.calls.last_mut() {
                    call.reason = reason;
                }
            }
            // Calls inside other macros' arguments (`vec![…]`, `assert!(…)`, `join!(…)`).
            None => {
                let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
                if let Ok(exprs) = mac.parse_body_with(parser) {
                    for expr in &exprs {
                        self.visit_expr(expr);
                    }
                }
            }
        }
    }
}

/// The first position of a path, for the call's line and column.
fn span_of(path: &syn::Path) -> Span {
    path.segments
        .first()
        .map_or_else(Span::call_site, |s| s.ident.span())
}

/// The first string literal argument (the SQL) and the `reason = "…"` of a macro call.
fn macro_sql_and_reason(tokens: &TokenStream) -> (Option<String>, Option<String>) {
    let mut sql = None;
    let mut reason = None;
    let mut argument: Vec<TokenTree> = Vec::new();
    let mut arguments = Vec::new();
    for tree in tokens.clone() {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                arguments.push(std::mem::take(&mut argument))
            }
            _ => argument.push(tree),
        }
    }
    arguments.push(argument);
    for argument in arguments {
        match argument.as_slice() {
            [TokenTree::Ident(key), TokenTree::Punct(eq), value]
                if key == "reason" && eq.as_char() == '=' =>
            {
                reason = string_literal(value);
            }
            [value] if sql.is_none() => sql = string_literal(value),
            _ => {}
        }
    }
    (sql, reason)
}

fn string_literal(tree: &TokenTree) -> Option<String> {
    syn::parse2::<LitStr>(tree.clone().into())
        .ok()
        .map(|s| s.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> Vec<(CallKind, String, Option<String>)> {
        scan(source)
            .unwrap()
            .into_iter()
            .map(|c| (c.kind, c.name, c.sql))
            .collect()
    }

    #[test]
    fn imports_renames_and_globs_of_sqlx_are_raw_calls() {
        let found = names(
            "use sqlx::{query, query_as as qa};\n\
             fn f() { query(\"SELECT 1\"); qa::<_, R>(\"SELECT 2\"); other::query(\"x\"); }\n\
             mod m { use sqlx::*; fn g() { query_scalar(\"SELECT 3\"); } }",
        );
        assert_eq!(
            found,
            vec![
                (CallKind::Raw, "sqlx::query".into(), Some("SELECT 1".into())),
                (
                    CallKind::Raw,
                    "sqlx::query_as".into(),
                    Some("SELECT 2".into())
                ),
                (
                    CallKind::Raw,
                    "sqlx::query_scalar".into(),
                    Some("SELECT 3".into())
                ),
            ]
        );
    }

    #[test]
    fn constants_assert_sql_safe_and_macro_bodies_are_seen_through() {
        let found = names(
            "const Q: &str = \"SELECT 4\";\n\
             fn f() { let v = vec![sqlx::query(Q)]; sqlx::raw_sql(sqlx::AssertSqlSafe(&*s)); \
             assert!(sqlx::query_as!(R, \"SELECT 5\").is_ok()); }",
        );
        assert_eq!(
            found,
            vec![
                (CallKind::Raw, "sqlx::query".into(), Some("SELECT 4".into())),
                (CallKind::Raw, "sqlx::raw_sql".into(), None),
                (
                    CallKind::Raw,
                    "sqlx::query_as!".into(),
                    Some("SELECT 5".into())
                ),
            ]
        );
    }

    #[test]
    fn the_reason_and_sql_of_an_unscoped_call_are_read() {
        let calls = scan(
            "fn f() { tenant_query::unscoped_query_as!(Vec<R>, reason = \"billing\", \"SELECT 6\", a, \"b\"); }",
        )
        .unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].kind, CallKind::Unscoped);
        assert_eq!(calls[0].reason.as_deref(), Some("billing"));
        assert_eq!(calls[0].sql.as_deref(), Some("SELECT 6"));
        assert_eq!((calls[0].line, calls[0].column), (1, 10));
    }

    #[test]
    fn a_file_that_does_not_parse_says_where() {
        let failure = scan("fn f() {\n  let = ;\n}").unwrap_err();
        assert_eq!(failure.line, 2);
        assert!(!failure.message.is_empty());
    }
}
