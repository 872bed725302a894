//! The macro input: what each macro accepts, parsed with `syn` into an [`Input`].
//!
//! Parsing never panics: every malformed input becomes a `syn::Error` with the span of the
//! offending tokens and the call shape the macro expects.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::buffer::Cursor;
use syn::parse::ParseStream;
use syn::{Expr, Ident, LitStr, Token, Type};

/// Whether a macro scopes its statement to a tenant or runs it across tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// `tenant_query*!`: rewritten by the engine, the tenant bound at every tenant placeholder.
    Tenant,
    /// `unscoped_query*!`: checked by the engine but not rewritten; needs a reason.
    Unscoped,
    /// `tenant_set_query*!`: rewritten for a set of tenants, the set bound at every tenant
    /// placeholder; writes only with `writes = "all"`.
    Set,
}

/// What the macro returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// `sqlx::query::Query` (or `sqlx::query!`).
    Query,
    /// `sqlx::query::QueryAs` (or `sqlx::query_as!`): the row type comes first.
    As,
    /// `sqlx::query::QueryScalar` (or `sqlx::query_scalar!`): the scalar type comes first,
    /// except for the checked variant, where sqlx infers it from the database.
    Scalar,
    /// `tenant_query_sql!`: only the rewritten SQL, as a `&'static str`.
    Sql,
}

/// One of the macros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Tenant-scoped or unscoped.
    pub scope: ScopeKind,
    /// What it returns.
    pub output: OutputKind,
    /// Whether it expands to sqlx's compile-time checked macros.
    pub checked: bool,
}

impl Kind {
    /// The macro's name, as the user wrote it.
    pub fn name(self) -> String {
        let base = match self.scope {
            ScopeKind::Tenant => "tenant_query",
            ScopeKind::Unscoped => "unscoped_query",
            ScopeKind::Set => "tenant_set_query",
        };
        let output = match self.output {
            OutputKind::Query => "",
            OutputKind::As => "_as",
            OutputKind::Scalar => "_scalar",
            OutputKind::Sql => "_sql",
        };
        let checked = if self.checked { "_checked" } else { "" };
        format!("{base}{output}{checked}")
    }

    /// Whether the macro takes a Rust type before everything else.
    pub fn takes_type(self) -> bool {
        match self.output {
            OutputKind::As => true,
            OutputKind::Scalar => !self.checked,
            OutputKind::Query | OutputKind::Sql => false,
        }
    }

    /// The call shape, for error messages.
    pub fn usage(self) -> String {
        let ty = match self.output {
            OutputKind::As => "Row, ",
            OutputKind::Scalar if !self.checked => "i64, ",
            _ => "",
        };
        let scope = match (self.output, self.scope) {
            (OutputKind::Sql, _) => "",
            (_, ScopeKind::Tenant) => "tenant, ",
            (_, ScopeKind::Unscoped) => "reason = \"why this query may cross tenants\", ",
            (_, ScopeKind::Set) => "tenants, ",
        };
        let args = if self.output == OutputKind::Sql {
            ""
        } else {
            ", args..."
        };
        format!("{}!({ty}{scope}\"SQL\"{args})", self.name())
    }
}

/// The scope part of a call.
pub enum Scope {
    /// The tenant expression (type-checked against `TenantId` in the expansion).
    Tenant(Expression),
    /// The audited reason of an unscoped query.
    Unscoped {
        /// The non-empty reason.
        reason: LitStr,
    },
    /// `tenant_query_sql!` has neither.
    None,
}

/// A parsed macro call.
pub struct Input {
    /// The row or scalar type, for the `_as` and `_scalar` variants.
    pub output_type: Option<Type>,
    /// The tenant (or tenant set) or the reason.
    pub scope: Scope,
    /// `writes = "all"`: a statement over a tenant set may write for every tenant of the set.
    pub writes_all: bool,
    /// The SQL string literal.
    pub sql: LitStr,
    /// The user's bind arguments, in the order they were written.
    pub args: Vec<Expression>,
}

/// An expression of the call (the tenant or an argument), kept as the tokens the user wrote.
///
/// The macro passes the tokens through to the expansion, where rustc type-checks them and
/// reports a mistake at the user's tokens; it only finds where each one ends (see
/// [`parse_expression`]).
pub struct Expression {
    /// The tokens, never none.
    tokens: Vec<TokenTree>,
}

impl Expression {
    /// Where the expression starts (the whole expression where the compiler can join spans).
    pub fn span(&self) -> Span {
        let first = self
            .tokens
            .first()
            .map_or_else(Span::call_site, TokenTree::span);
        let last = self.tokens.last().map_or(first, TokenTree::span);
        first.join(last).unwrap_or(first)
    }

    /// Whether the expression is one name (`tenant`), which needs no parentheses after `&`.
    pub fn is_name(&self) -> bool {
        matches!(self.tokens.as_slice(), [TokenTree::Ident(_)])
    }
}

impl ToTokens for Expression {
    fn to_tokens(&self, out: &mut TokenStream) {
        out.extend(self.tokens.iter().cloned());
    }
}

impl Input {
    /// Parses `input` as a call of the macro `kind`.
    pub fn parse(kind: Kind, input: ParseStream) -> syn::Result<Input> {
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                format!("missing arguments; expected `{}`", kind.usage()),
            ));
        }

        let output_type = if kind.takes_type() {
            if input.peek(LitStr) {
                return Err(input.error(format!(
                    "missing the {} type before the SQL; expected `{}`",
                    if kind.output == OutputKind::As {
                        "row"
                    } else {
                        "scalar"
                    },
                    kind.usage()
                )));
            }
            let ty: Type = input.parse()?;
            comma_after(input, &kind, "the type")?;
            Some(ty)
        } else {
            None
        };

        let scope = match (kind.output, kind.scope) {
            (OutputKind::Sql, _) => Scope::None,
            (_, ScopeKind::Tenant | ScopeKind::Set) => Scope::Tenant(parse_tenant(kind, input)?),
            (_, ScopeKind::Unscoped) => Scope::Unscoped {
                reason: parse_reason(kind, input)?,
            },
        };
        let writes_all = kind.scope == ScopeKind::Set && parse_writes(kind, input)?;

        let sql = parse_sql(kind, input)?;

        let mut args = Vec::new();
        if kind.output == OutputKind::Sql {
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            }
            if !input.is_empty() {
                return Err(input.error(format!(
                    "`{}` takes only the SQL string; expected `{}`",
                    kind.name(),
                    kind.usage()
                )));
            }
        } else {
            while !input.is_empty() {
                input.parse::<Token![,]>().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected `,` between the arguments of the SQL".to_owned(),
                    )
                })?;
                if input.is_empty() {
                    break;
                }
                args.push(parse_expression(input)?);
            }
        }

        Ok(Input {
            output_type,
            scope,
            writes_all,
            sql,
            args,
        })
    }
}

fn comma_after(input: ParseStream, kind: &Kind, what: &str) -> syn::Result<()> {
    if input.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "missing the SQL string after {what}; expected `{}`",
                kind.usage()
            ),
        ));
    }
    input.parse::<Token![,]>().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("expected `,` after {what}; expected `{}`", kind.usage()),
        )
    })?;
    Ok(())
}

fn is_reason(input: ParseStream) -> bool {
    is_keyword_argument(input, "reason")
}

/// Whether the input starts with `name = `.
fn is_keyword_argument(input: ParseStream, name: &str) -> bool {
    input.peek(Ident) && input.peek2(Token![=]) && {
        let fork = input.fork();
        fork.parse::<Ident>().is_ok_and(|i| i == name)
    }
}

/// The optional `writes = "all",` of a statement over a tenant set.
fn parse_writes(kind: Kind, input: ParseStream) -> syn::Result<bool> {
    if !is_keyword_argument(input, "writes") {
        return Ok(false);
    }
    let _: Ident = input.parse()?;
    let _: Token![=] = input.parse()?;
    let value: LitStr = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), "expected `writes = \"all\"`".to_owned()))?;
    if value.value() != "all" {
        return Err(syn::Error::new(
            value.span(),
            "the only value of `writes` is \"all\": `writes = \"all\"` lets an UPDATE or DELETE \
             change the rows of every tenant of the set",
        ));
    }
    comma_after(input, &kind, "`writes = \"all\"`")?;
    Ok(true)
}

fn parse_tenant(kind: Kind, input: ParseStream) -> syn::Result<Expression> {
    if input.peek(LitStr) {
        return Err(input.error(format!(
            "missing the tenant argument before the SQL; expected `{}`, where `{}`\n  help: for \
             a query that deliberately crosses tenants, use `{}` instead",
            kind.usage(),
            if kind.scope == ScopeKind::Set {
                "tenants` is a `tenant_query::TenantSet"
            } else {
                "tenant` is a `tenant_query::TenantId"
            },
            Kind {
                scope: ScopeKind::Unscoped,
                ..kind
            }
            .usage()
        )));
    }
    if is_reason(input) {
        return Err(input.error(format!(
            "`{}` is scoped to a tenant and takes no reason; expected `{}`\n  help: for a query \
             that deliberately crosses tenants, use `{}`",
            kind.name(),
            kind.usage(),
            Kind {
                scope: ScopeKind::Unscoped,
                ..kind
            }
            .usage()
        )));
    }
    let tenant = parse_expression(input)?;
    comma_after(input, &kind, "the tenant")?;
    Ok(tenant)
}

fn parse_reason(kind: Kind, input: ParseStream) -> syn::Result<LitStr> {
    if !is_reason(input) {
        let message = format!(
            "`{}` requires a reason before the SQL: `{}`\n  help: the reason documents, at \
             the call site, why this statement may read or write every tenant's rows; use \
             `tenant_query!` for per-tenant work",
            kind.name(),
            kind.usage()
        );
        return Err(input.error(message));
    }
    let _: Ident = input.parse()?;
    let _: Token![=] = input.parse()?;
    let reason: LitStr = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "the reason must be a string literal: `reason = \"nightly billing across tenants\"`",
        )
    })?;
    if reason.value().trim().is_empty() {
        return Err(syn::Error::new(
            reason.span(),
            "the reason of an unscoped query must not be empty\n  help: say why this statement \
             may cross tenants, e.g. `reason = \"nightly billing across tenants\"`",
        ));
    }
    comma_after(input, &kind, "the reason")?;
    Ok(reason)
}

fn parse_sql(kind: Kind, input: ParseStream) -> syn::Result<LitStr> {
    if input.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!("missing the SQL string; expected `{}`", kind.usage()),
        ));
    }
    // A literal is parsed as a string at once (`peek` would read its text once more).
    if input.cursor().literal().is_some() {
        if let Ok(sql) = input.parse::<LitStr>() {
            return Ok(sql);
        }
    }
    // Anything else: say what is expected, pointing at it.
    let found: Expr = input.parse()?;
    Err(syn::Error::new_spanned(
        found,
        format!(
            "expected the SQL as a string literal; expected `{}`\n  help: the SQL is checked \
             and rewritten at compile time, so it cannot come from a variable or `format!`",
            kind.usage()
        ),
    ))
}

/// One expression: the tokens up to the next comma outside any brackets.
///
/// Outside brackets, a comma ends a Rust expression except between generic arguments
/// (`f::<A, B>(x)`, `x as Map<K, V>`) and closure parameters (`|a, b| a + b`). So the tokens are
/// taken as they are, which costs a fraction of a full parse in the unoptimised build of a debug
/// profile, when they are a simple expression: no `<`, `|` or `;` outside brackets, and no two
/// operands in a row other than a name and its brackets (`f(x)`, `S { a: 1 }`, `v[0]`).
/// Anything else (a keyword such as `as` or `match`, a missing comma as in `1 2`) is parsed by
/// `syn`, which knows where such an expression ends and explains a mistake.
fn parse_expression(input: ParseStream) -> syn::Result<Expression> {
    let simple = input.step(|cursor| {
        Ok(match simple_expression(*cursor) {
            Some((tokens, rest)) => (Some(tokens), rest),
            None => (None, *cursor),
        })
    })?;
    let tokens = match simple {
        Some(tokens) if tokens.is_empty() => return Err(input.error("expected an expression")),
        Some(tokens) => tokens,
        None => input
            .parse::<Expr>()?
            .into_token_stream()
            .into_iter()
            .collect(),
    };
    Ok(Expression { tokens })
}

/// The tokens of a simple expression (see [`parse_expression`]) that ends at the next comma
/// outside brackets or at the end of the input, and what follows them; None if they are not
/// one.
fn simple_expression(mut cursor: Cursor) -> Option<(Vec<TokenTree>, Cursor)> {
    let mut tokens: Vec<TokenTree> = Vec::new();
    while let Some((token, rest)) = cursor.token_tree() {
        match (&token, tokens.last()) {
            (TokenTree::Punct(punct), _) => match punct.as_char() {
                ',' => break,
                '<' | '|' | ';' => return None,
                _ => {}
            },
            // A name and its brackets: a call, a struct literal, an index.
            (TokenTree::Group(_), Some(TokenTree::Ident(_))) => {}
            // Two operands in a row: a keyword, or a missing comma.
            (_, Some(TokenTree::Ident(_) | TokenTree::Literal(_) | TokenTree::Group(_))) => {
                return None
            }
            _ => {}
        }
        tokens.push(token);
        cursor = rest;
    }
    Some((tokens, cursor))
}

/// `Input::parse` bound to one macro kind, for `syn::parse::Parser`.
pub struct ParseAs(pub Kind);

impl ParseAs {
    /// Parses a token stream as a call of this macro.
    pub fn parse(self, tokens: proc_macro2::TokenStream) -> syn::Result<Input> {
        syn::parse::Parser::parse2(|input: ParseStream| Input::parse(self.0, input), tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    const TENANT_QUERY: Kind = Kind {
        scope: ScopeKind::Tenant,
        output: OutputKind::Query,
        checked: false,
    };
    const UNSCOPED_AS: Kind = Kind {
        scope: ScopeKind::Unscoped,
        output: OutputKind::As,
        checked: false,
    };

    fn error(kind: Kind, tokens: proc_macro2::TokenStream) -> String {
        match ParseAs(kind).parse(tokens) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_every_part() {
        let input = ParseAs(TENANT_QUERY)
            .parse(quote!(
                ctx.tenant,
                "SELECT 1 FROM t WHERE a = $1 AND b = $2",
                x,
                &y,
            ))
            .unwrap();
        assert!(matches!(input.scope, Scope::Tenant(_)));
        assert_eq!(input.args.len(), 2);
        let input = ParseAs(UNSCOPED_AS)
            .parse(quote!(Vec<Row>, reason = "admin", "SELECT 1"))
            .unwrap();
        assert!(input.output_type.is_some());
        assert!(matches!(input.scope, Scope::Unscoped { .. }));
    }

    #[test]
    fn explains_malformed_calls() {
        assert!(error(TENANT_QUERY, quote!()).contains("missing arguments"));
        assert!(error(TENANT_QUERY, quote!("SELECT 1")).contains("missing the tenant"));
        assert!(error(TENANT_QUERY, quote!(t, sql)).contains("string literal"));
        assert!(error(TENANT_QUERY, quote!(t)).contains("missing the SQL string"));
        assert!(error(TENANT_QUERY, quote!(reason = "x", "SELECT 1")).contains("takes no reason"));
        assert!(error(UNSCOPED_AS, quote!(Row, "SELECT 1")).contains("requires a reason"));
        assert!(
            error(UNSCOPED_AS, quote!(Row, reason = "", "SELECT 1")).contains("must not be empty")
        );
        assert!(error(UNSCOPED_AS, quote!("SELECT 1")).contains("missing the row type"));
    }

    /// The arguments of a `tenant_query!` call, each as the tokens it passes through.
    fn arguments(tokens: proc_macro2::TokenStream) -> Vec<String> {
        let input = ParseAs(TENANT_QUERY).parse(tokens).unwrap();
        input
            .args
            .iter()
            .map(|arg| arg.to_token_stream().to_string())
            .collect()
    }

    #[test]
    fn splits_arguments_at_the_commas_between_them() {
        assert_eq!(
            arguments(quote!(
                t,
                "SQL",
                f(a, b),
                [1, 2],
                S { a: 1, b: 2 },
                &x.y,
                -1,
            )),
            [
                "f (a , b)",
                "[1 , 2]",
                "S { a : 1 , b : 2 }",
                "& x . y",
                "- 1"
            ]
        );
        // Commas outside brackets that belong to one expression: `syn` finds its end.
        assert_eq!(
            arguments(quote!(t, "SQL", f::<A, B>(x), |a, b| a + b, x as Map<K, V>)),
            [
                "f :: < A , B > (x)",
                "| a , b | a + b",
                "x as Map < K , V >"
            ]
        );
        // Keywords make an expression of several operands in a row.
        assert_eq!(
            arguments(quote!(t, "SQL", x as i64, if a { 1 } else { 2 }, f(a)(b))),
            ["x as i64", "if a { 1 } else { 2 }", "f (a) (b)"]
        );
        // `<` is also a comparison: two arguments, not one generic list.
        assert_eq!(
            arguments(quote!(t, "SQL", a < b, c > d)),
            ["a < b", "c > d"]
        );
        let input = ParseAs(TENANT_QUERY)
            .parse(quote!(ctx.tenant(), "SQL"))
            .unwrap();
        match input.scope {
            Scope::Tenant(tenant) => {
                assert_eq!(tenant.to_token_stream().to_string(), "ctx . tenant ()")
            }
            _ => panic!("expected a tenant"),
        }
    }

    #[test]
    fn refuses_what_is_not_an_expression() {
        assert!(error(TENANT_QUERY, quote!(t, "SQL", , x)).contains("expected an expression"));
        assert!(error(TENANT_QUERY, quote!(, "SQL")).contains("expected an expression"));
        assert!(error(TENANT_QUERY, quote!(t, "SQL", x; y)).contains("expected `,`"));
        // A missing comma is not taken for one argument (the count would be wrong).
        assert!(error(TENANT_QUERY, quote!(t, "SQL", 1 2)).contains("expected `,` between"));
        assert!(error(TENANT_QUERY, quote!(t x, "SQL")).contains("expected `,` after the tenant"));
    }

    #[test]
    fn names_and_usages() {
        assert_eq!(TENANT_QUERY.name(), "tenant_query");
        assert_eq!(
            Kind {
                checked: true,
                ..UNSCOPED_AS
            }
            .usage(),
            "unscoped_query_as_checked!(Row, reason = \"why this query may cross tenants\", \"SQL\", args...)"
        );
    }
}
