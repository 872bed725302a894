//! Expansion: the rewritten SQL as a string literal, and sqlx calls that bind in plan order.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens, TokenStreamExt};
use syn::LitStr;
use tenant_query_core::{BindSlot, Dialect, Manifest, Rewritten, TenantIdType};

use crate::ast::{Expression, Input, Kind, OutputKind, ParseAs, Scope, ScopeKind};
use crate::manifest;
use crate::valid::{errors_at, validate};

/// Expands one macro call; every failure becomes `compile_error!`, never a panic.
pub fn expand(kind: Kind, tokens: TokenStream) -> TokenStream {
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| try_expand(kind, tokens)));
    match result {
        Ok(Ok(tokens)) => tokens,
        // A block, so that several errors still expand to one expression.
        Ok(Err(err)) => {
            let errors = err.to_compile_error();
            quote! {{ #errors }}
        }
        Err(_) => syn::Error::new(
            Span::call_site(),
            format!(
                "internal error in `{}!`; this is a bug in tenant-query, please report it",
                kind.name()
            ),
        )
        .to_compile_error(),
    }
}

fn try_expand(kind: Kind, tokens: TokenStream) -> syn::Result<TokenStream> {
    let input = ParseAs(kind).parse(tokens)?;
    let loaded = manifest::load().map_err(|messages| {
        errors_at(Span::call_site(), messages, || {
            "invalid manifest".to_owned()
        })
    })?;
    let plan = validate(kind, &loaded, &input)?;

    let track = manifest::track_once(&loaded.path);

    let sql = LitStr::new(&plan.sql, input.sql.span());
    if kind.output == OutputKind::Sql {
        return Ok(quote! {{
            #track
            #sql
        }});
    }

    let parts = Parts {
        kind,
        input: &input,
        plan: &plan,
        sql,
        track,
        manifest: &loaded.manifest,
    };
    Ok(if kind.checked {
        checked_call(parts)
    } else {
        dynamic_call(parts)
    })
}

/// What the expansion of a query macro is made of.
struct Parts<'a> {
    kind: Kind,
    input: &'a Input,
    plan: &'a Rewritten,
    /// The rewritten SQL, a string literal at the user's.
    sql: LitStr,
    /// The manifest's tracking, in a crate's first expansion only.
    track: Option<TokenStream>,
    manifest: &'a Manifest,
}

impl Parts<'_> {
    /// The functions of `tenant_query::__private` the call can start with; none for
    /// `tenant_query_sql!`.
    fn functions(&self) -> Option<Functions> {
        let (sqlx, scoped) = match self.kind.output {
            OutputKind::Query => ("query", "scoped_query"),
            OutputKind::As => ("query_as", "scoped_query_as"),
            OutputKind::Scalar => ("query_scalar", "scoped_query_scalar"),
            OutputKind::Sql => return None,
        };
        Some(Functions { sqlx, scoped })
    }

    /// `const _: &str = "reason";` for an unscoped statement: kept in the expansion, so that it
    /// shows up when the macro is expanded.
    fn reason(&self) -> Option<TokenStream> {
        match &self.input.scope {
            Scope::Unscoped { reason } => Some(quote! { const _: &str = #reason; }),
            _ => None,
        }
    }
}

/// `tenant_query::__private::tenant_value::<T, _>(&(tenant))` (or the tenant set's
/// conversion), spanned at the user's tenant, so that a wrong type is reported there.
fn tenant_conversion(kind: Kind, manifest: &Manifest, tenant: &Expression) -> TokenStream {
    let convert = match (kind.scope, manifest.dialect()) {
        (ScopeKind::Set, Dialect::Postgres) => "tenant_set_array",
        (ScopeKind::Set, _) => "tenant_set_json",
        _ => "tenant_value",
    };
    let convert = Ident::new(convert, Span::call_site());
    let tenant_ty = tenant_type(manifest.tenant_id_type());
    quote_spanned! {tenant.span()=>
        ::tenant_query::__private::#convert::<#tenant_ty, _>(&(#tenant))
    }
}

/// One method chain (`tenant_query::__private`, which clippy's `disallowed-methods` does not
/// see: README, "Adopting tenant-query"): a tenant-scoped statement is
/// `scoped_query::<DB, T>("…", &tenant).bind(a)….tenant_last()` (see `tenant_query::__private::Scoped`),
/// an unscoped one `query::<DB>("…").bind(a)…`. The tenant is converted first, then the
/// arguments are evaluated once, in the order written, and moved into `.bind` exactly like
/// sqlx's own `.bind(value)`.
///
/// The expansion is written into one token stream, with the user's expressions in place: in
/// a procedural macro every token stream of its own is a round trip to the compiler, and rustc's
/// work on the expansion grows with its size; both are paid on every build.
fn dynamic_call(parts: Parts) -> TokenStream {
    let Some(functions) = parts.functions() else {
        return unreachable_sql();
    };
    let input = parts.input;
    let slots = &parts.plan.bind_plan.slots;
    let head = Head::new(&parts, functions);
    let scoped = head.scoped();
    let (track, reason) = (&parts.track, parts.reason());
    if binds_each_argument_in_order(slots, input.args.len()) {
        // The common case (every numbered placeholder, and MySQL's `?` used once each): the
        // arguments stay where they are written, so they are evaluated in that order after the
        // tenant, and the expansion holds no variable of its own.
        let binds = chain(slots, scoped, |i, _| BindValue::Expr(&input.args[i]));
        return if track.is_none() && reason.is_none() {
            quote! { #head #(#binds)* }
        } else {
            quote! {{ #track #reason #head #(#binds)* }}
        };
    }
    // An argument bound twice (MySQL's positional `?`) or not at all: each is evaluated into a
    // variable of its own, after the tenant.
    let query = Ident::new("__tq_query", Span::mixed_site());
    let mut arguments = TokenStream::new();
    let vars = arguments_into_variables(input, slots, &mut arguments);
    let binds = chain(slots, scoped, |i, used_again| {
        BindValue::var(&vars[i], used_again)
    });
    quote! {{
        #track
        #reason
        let #query = #head;
        #arguments
        #query #(#binds)*
    }}
}

/// The functions of `tenant_query::__private` that start a chain, for one output kind.
#[derive(Clone, Copy)]
struct Functions {
    /// sqlx's own: `query`, `query_as` or `query_scalar`.
    sqlx: &'static str,
    /// The tenant-scoped one: `scoped_query`, `scoped_query_as` or `scoped_query_scalar`.
    scoped: &'static str,
}

/// The start of the chain: the query, and for a tenant-scoped statement its tenant.
struct Head<'a> {
    parts: &'a Parts<'a>,
    functions: Functions,
}

impl<'a> Head<'a> {
    fn new(parts: &'a Parts<'a>, functions: Functions) -> Self {
        Head { parts, functions }
    }

    /// Whether the chain binds a tenant (or a tenant set), through `Scoped`.
    fn scoped(&self) -> bool {
        matches!(self.parts.input.scope, Scope::Tenant(_))
    }

    /// `::tenant_query::__private::query::<DB>("…")` (or `query_as`, `query_scalar`).
    fn query(&self) -> TokenStream {
        let function = Ident::new(self.functions.sqlx, Span::call_site());
        let db = db_type(self.parts.manifest.dialect());
        let (row_type, sql) = (self.parts.input.output_type.iter(), &self.parts.sql);
        quote! { ::tenant_query::__private::#function::<#db #(, #row_type)*>(#sql) }
    }

    /// `::tenant_query::__private::scoped_query::<DB, T>("…", &tenant)`, spanned at the
    /// tenant, the one argument whose type it checks: a wrong tenant is reported there, and
    /// only there. Written token by token, with no token stream of its own but the arguments'.
    fn scoped_query(&self, tenant: &Expression, out: &mut TokenStream) {
        let (parts, span) = (self.parts, tenant.span());
        private_item(self.functions.scoped, span, out);
        out.append(punct(':', Spacing::Joint, span));
        out.append(punct(':', Spacing::Alone, span));
        out.append(punct('<', Spacing::Alone, span));
        db_type(parts.manifest.dialect())
            .spanned(span)
            .to_tokens(out);
        if let Some(row_type) = &parts.input.output_type {
            out.append(punct(',', Spacing::Alone, span));
            row_type.to_tokens(out);
        }
        out.append(punct(',', Spacing::Alone, span));
        tenant_type(parts.manifest.tenant_id_type())
            .spanned(span)
            .to_tokens(out);
        out.append(punct('>', Spacing::Alone, span));
        let (sql, tenant) = (&parts.sql, TenantRef(tenant));
        let mut arguments = Group::new(Delimiter::Parenthesis, quote! { #sql, #tenant });
        arguments.set_span(span);
        out.append(arguments);
    }
}

impl ToTokens for Head<'_> {
    fn to_tokens(&self, out: &mut TokenStream) {
        let parts = self.parts;
        match &parts.input.scope {
            Scope::Tenant(tenants) if parts.kind.scope == ScopeKind::Set => {
                // A set is converted by a call of its own, to what the dialect binds (an array
                // or the text of a JSON array).
                let query = self.query();
                let set = tenant_conversion(parts.kind, parts.manifest, tenants);
                out.extend(quote! { ::tenant_query::__private::Scoped::new(#query, #set) });
            }
            Scope::Tenant(tenant) => self.scoped_query(tenant, out),
            Scope::Unscoped { .. } | Scope::None => out.extend(self.query()),
        }
    }
}

/// A punctuation token at `span`.
fn punct(ch: char, spacing: Spacing, span: Span) -> Punct {
    let mut punct = Punct::new(ch, spacing);
    punct.set_span(span);
    punct
}

/// `&tenant` (`&(tenant)` for more than a name), spanned at the user's tenant, so that a
/// wrong type is reported there.
struct TenantRef<'a>(&'a Expression);

impl ToTokens for TenantRef<'_> {
    fn to_tokens(&self, out: &mut TokenStream) {
        let span = self.0.span();
        out.append(punct('&', Spacing::Alone, span));
        if self.0.is_name() {
            self.0.to_tokens(out);
        } else {
            let mut group = Group::new(Delimiter::Parenthesis, self.0.to_token_stream());
            group.set_span(span);
            out.append(group);
        }
    }
}

/// The chain's binds, one per placeholder in order; `value(i, used_again)` is what binds
/// argument `i`. Through `Scoped`, the last one returns the sqlx query (`.finish()` when there
/// is no placeholder).
fn chain<'a>(
    slots: &[BindSlot],
    scoped: bool,
    value: impl Fn(usize, bool) -> BindValue<'a>,
) -> Vec<Bind<'a>> {
    let mut binds: Vec<Bind> = slots
        .iter()
        .enumerate()
        .map(|(position, slot)| {
            let last = scoped && position + 1 == slots.len();
            match slot {
                BindSlot::Arg(i) => Bind {
                    method: if last { "bind_last" } else { "bind" },
                    value: Some(value(*i, slots[position + 1..].contains(slot))),
                },
                BindSlot::Tenant => Bind {
                    method: if last { "tenant_last" } else { "tenant" },
                    value: None,
                },
            }
        })
        .collect();
    if scoped && binds.is_empty() {
        binds.push(Bind {
            method: "finish",
            value: None,
        });
    }
    binds
}

/// `.method(value)`, written into the chain.
struct Bind<'a> {
    method: &'static str,
    value: Option<BindValue<'a>>,
}

impl ToTokens for Bind<'_> {
    /// The call that binds a user's expression is spanned at it: a value that cannot be bound
    /// is reported there, and only there.
    fn to_tokens(&self, out: &mut TokenStream) {
        let span = match &self.value {
            Some(BindValue::Expr(expr)) => expr.span(),
            _ => Span::call_site(),
        };
        out.append(punct('.', Spacing::Alone, span));
        out.append(Ident::new(self.method, span));
        let value = self.value.as_ref().map(ToTokens::to_token_stream);
        let mut arguments = Group::new(Delimiter::Parenthesis, value.unwrap_or_default());
        arguments.set_span(span);
        out.append(arguments);
    }
}

/// Whether the plan binds the user's arguments once each, in the order of the call.
fn binds_each_argument_in_order(slots: &[BindSlot], args: usize) -> bool {
    let bound: Vec<usize> = slots
        .iter()
        .filter_map(|slot| match slot {
            BindSlot::Arg(i) => Some(*i),
            BindSlot::Tenant => None,
        })
        .collect();
    bound.iter().copied().eq(0..args)
}

/// Each argument evaluated into a variable of its own, in the order written: for plans that
/// bind an argument twice (MySQL's positional `?`) or not at all (which a consistent plan never
/// does; it is still evaluated and type-checked).
fn arguments_into_variables(
    input: &Input,
    slots: &[BindSlot],
    prelude: &mut TokenStream,
) -> Vec<Ident> {
    let arg_vars: Vec<Ident> = (0..input.args.len())
        .map(|i| format_ident!("__tq_arg{}", i, span = Span::mixed_site()))
        .collect();
    for (i, (var, expr)) in arg_vars.iter().zip(&input.args).enumerate() {
        prelude.extend(quote! { let #var = #expr; });
        if !slots.contains(&BindSlot::Arg(i)) {
            prelude.extend(quote! { let _ = #var; });
        }
    }
    arg_vars
}

/// What one `.bind(…)` binds, written into the call as it is quoted.
enum BindValue<'a> {
    /// The user's expression, as written.
    Expr(&'a Expression),
    /// A variable of the expansion.
    Var(&'a Ident),
    /// A clone of one, for a variable that a later position binds again.
    Clone(&'a Ident),
}

impl<'a> BindValue<'a> {
    fn var(var: &'a Ident, used_again: bool) -> Self {
        if used_again {
            BindValue::Clone(var)
        } else {
            BindValue::Var(var)
        }
    }
}

impl ToTokens for BindValue<'_> {
    fn to_tokens(&self, out: &mut TokenStream) {
        match self {
            BindValue::Expr(expr) => expr.to_tokens(out),
            BindValue::Var(var) => var.to_tokens(out),
            BindValue::Clone(var) => out.extend(quote! { ::core::clone::Clone::clone(&#var) }),
        }
    }
}

/// `sqlx::query!("…", args in bind order)`: sqlx checks the rewritten SQL against the database
/// (or its offline data) and types the rows.
fn checked_call(parts: Parts) -> TokenStream {
    let (input, sql) = (parts.input, &parts.sql);
    let tenant_var = Ident::new("__tq_tenant", Span::mixed_site());
    let mut prelude = TokenStream::new();
    if let Scope::Tenant(tenant) = &input.scope {
        // First, so the tenant is evaluated before the arguments.
        let conversion = tenant_conversion(parts.kind, parts.manifest, tenant);
        prelude.extend(quote! { let #tenant_var = #conversion; });
    }
    prelude.extend(parts.reason());
    let slots = &parts.plan.bind_plan.slots;
    let count = |slot: &BindSlot| slots.iter().filter(|s| *s == slot).count();
    let mut local = Vec::with_capacity(input.args.len());
    for (i, expr) in input.args.iter().enumerate() {
        if count(&BindSlot::Arg(i)) == 1 {
            // Passed through untouched: sqlx sees the user's expression (type overrides such as
            // `id as _` keep working, and type errors point at it).
            local.push(None);
        } else {
            // Bound at several positions or at none: evaluate once, by reference, as sqlx does.
            let var = format_ident!("__tq_arg{}", i, span = Span::mixed_site());
            prelude.extend(quote! { let #var = &(#expr); });
            if count(&BindSlot::Arg(i)) == 0 {
                prelude.extend(quote! { let _ = #var; });
            }
            local.push(Some(var));
        }
    }
    if matches!(input.scope, Scope::Tenant(_)) && !slots.contains(&BindSlot::Tenant) {
        prelude.extend(quote! { let _ = &#tenant_var; });
    }

    let args: Vec<TokenStream> = slots
        .iter()
        .map(|slot| match slot {
            BindSlot::Tenant => quote! { #tenant_var },
            BindSlot::Arg(i) => match &local[*i] {
                Some(var) => quote! { *#var },
                None => {
                    let expr = &input.args[*i];
                    quote! { #expr }
                }
            },
        })
        .collect();

    let body = match parts.kind.output {
        OutputKind::Query => quote! { ::sqlx::query!(#sql #(, #args)*) },
        OutputKind::As => {
            let ty = input.output_type.as_ref();
            quote! { ::sqlx::query_as!(#ty, #sql #(, #args)*) }
        }
        OutputKind::Scalar => quote! { ::sqlx::query_scalar!(#sql #(, #args)*) },
        OutputKind::Sql => unreachable_sql(),
    };
    let track = &parts.track;
    // sqlx's own macros, called here: a crate that bans them with `disallowed-macros` still
    // uses these.
    quote! {{
        #track
        #prelude
        #[allow(clippy::disallowed_methods, clippy::disallowed_macros)]
        let __tq_query = #body;
        __tq_query
    }}
}

/// `tenant_query_sql!` returns before any call is built; should that ever change, the
/// expansion fails to compile instead of the macro panicking.
fn unreachable_sql() -> TokenStream {
    quote! { ::core::compile_error!("internal error: tenant_query_sql! builds no query") }
}

/// A path in the expansion (`::sqlx::Postgres`, `i64`), written token by token: no token
/// stream of its own.
pub(crate) struct Path {
    /// Whether the path starts with `::`.
    absolute: bool,
    /// The segments.
    segments: &'static [&'static str],
    /// The span of every token.
    span: Span,
}

impl Path {
    /// The path with every token at `span`.
    fn spanned(self, span: Span) -> Path {
        Path { span, ..self }
    }
}

impl ToTokens for Path {
    fn to_tokens(&self, out: &mut TokenStream) {
        for (i, segment) in self.segments.iter().enumerate() {
            if self.absolute || i > 0 {
                out.append(punct(':', Spacing::Joint, self.span));
                out.append(punct(':', Spacing::Alone, self.span));
            }
            out.append(Ident::new(segment, self.span));
        }
    }
}

/// sqlx's database type for `dialect`.
pub(crate) fn db_type(dialect: Dialect) -> Path {
    let segments: &[&str] = match dialect {
        Dialect::Postgres => &["sqlx", "Postgres"],
        Dialect::MySql => &["sqlx", "MySql"],
        Dialect::Sqlite => &["sqlx", "Sqlite"],
    };
    Path {
        absolute: true,
        segments,
        span: Span::call_site(),
    }
}

/// The Rust type of the manifest's tenant ids.
pub(crate) fn tenant_type(ty: TenantIdType) -> Path {
    let (absolute, segments): (bool, &[&str]) = match ty {
        TenantIdType::I64 => (false, &["i64"]),
        TenantIdType::I32 => (false, &["i32"]),
        TenantIdType::Uuid => (true, &["sqlx", "types", "Uuid"]),
        TenantIdType::String => (true, &["std", "string", "String"]),
    };
    Path {
        absolute,
        segments,
        span: Span::call_site(),
    }
}

/// `::tenant_query::__private::name`, every token at `span`.
fn private_item(name: &str, span: Span, out: &mut TokenStream) {
    Path {
        absolute: true,
        segments: &["tenant_query", "__private"],
        span,
    }
    .to_tokens(out);
    out.append(punct(':', Spacing::Joint, span));
    out.append(punct(':', Spacing::Alone, span));
    out.append(Ident::new(name, span));
}
