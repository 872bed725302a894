//! Expansion: the rewritten SQL as a string literal, and sqlx calls that bind in plan order.

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream};
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

    let tenant_var = Ident::new("__tq_tenant", Span::mixed_site());
    let mut prelude = TokenStream::new();
    let tenant_let = match &input.scope {
        Scope::Tenant(tenant) => Some(tenant_let(kind, &loaded.manifest, tenant, &tenant_var)),
        Scope::Unscoped { reason } => {
            // Kept in the expansion so that it shows up when the macro is expanded.
            prelude.extend(quote! { const _: &str = #reason; });
            None
        }
        Scope::None => None,
    };
    let parts = Parts {
        kind,
        input: &input,
        plan: &plan,
        sql,
        tenant_var,
        opening: [track, tenant_let],
        prelude,
    };
    Ok(if kind.checked {
        checked_call(parts)
    } else {
        dynamic_call(parts, db_type(loaded.manifest.dialect()))
    })
}

/// What the expansion of a query macro is made of.
struct Parts<'a> {
    kind: Kind,
    input: &'a Input,
    plan: &'a Rewritten,
    /// The rewritten SQL, a string literal at the user's.
    sql: LitStr,
    /// The variable that holds the tenant (or tenant set), converted for binding.
    tenant_var: Ident,
    /// The statements that open the expansion: the manifest's tracking (in a crate's first
    /// expansion only) and the tenant's `let`.
    opening: [Option<TokenStream>; 2],
    /// Further statements before the call (the reason of an unscoped statement, arguments
    /// evaluated into variables).
    prelude: TokenStream,
}

/// `let __tq_tenant = tenant_query::__private::tenant_value::<T, _>(&(tenant));`, spanned at
/// the user's tenant, so that a wrong type is reported there. It comes first, so the tenant is
/// evaluated before the arguments.
fn tenant_let(kind: Kind, manifest: &Manifest, tenant: &Expression, var: &Ident) -> TokenStream {
    let convert = match (kind.scope, manifest.dialect()) {
        (ScopeKind::Set, Dialect::Postgres) => "tenant_set_array",
        (ScopeKind::Set, _) => "tenant_set_json",
        _ => "tenant_value",
    };
    let convert = Ident::new(convert, Span::call_site());
    let tenant_ty = tenant_type(manifest.tenant_id_type());
    quote_spanned! {tenant.span()=>
        let #var = ::tenant_query::__private::#convert::<#tenant_ty, _>(&(#tenant));
    }
}

/// `{ let tenant = …; sqlx::query::<DB>("…").bind(…)… }` (through `tenant_query::__private`,
/// which clippy's `disallowed-methods` does not see: README, "Adopting tenant-query"):
/// arguments are evaluated once, in the order written, and moved into `.bind` exactly like
/// sqlx's own `.bind(value)`.
///
/// The expansion is quoted at once, with the user's expressions and the expansion's variables
/// written straight into it: in a procedural macro every token stream of its own is a round
/// trip to the compiler, and these are paid on every build.
fn dynamic_call(parts: Parts, db: TypePath) -> TokenStream {
    let (input, sql, tenant_var) = (parts.input, &parts.sql, &parts.tenant_var);
    let mut prelude = parts.prelude;
    let slots = &parts.plan.bind_plan.slots;
    let arg_vars = if binds_each_argument_in_order(slots, input.args.len()) {
        // The common case (every numbered placeholder, and MySQL's `?` used once each): the
        // arguments stay where they are written, so they are evaluated in that order after the
        // tenant, and the expansion holds no variable of its own for them.
        None
    } else {
        Some(arguments_into_variables(input, slots, &mut prelude))
    };
    let values = slots.iter().enumerate().map(|(position, slot)| {
        let used_again = slots[position + 1..].contains(slot);
        match (slot, &arg_vars) {
            (BindSlot::Arg(i), None) => BindValue::Expr(&input.args[*i]),
            (BindSlot::Arg(i), Some(vars)) => BindValue::var(&vars[*i], used_again),
            (BindSlot::Tenant, _) => BindValue::var(tenant_var, used_again),
        }
    });
    if matches!(input.scope, Scope::Tenant(_)) && !slots.contains(&BindSlot::Tenant) {
        prelude.extend(quote! { let _ = #tenant_var; });
    }
    let prelude = (!prelude.is_empty()).then_some(prelude);
    let function = match parts.kind.output {
        OutputKind::Query => "query",
        OutputKind::As => "query_as",
        OutputKind::Scalar => "query_scalar",
        OutputKind::Sql => return unreachable_sql(),
    };
    let function = Ident::new(function, Span::call_site());
    let row_type = input.output_type.as_ref().into_iter();
    let opening = parts.opening.iter().flatten();
    quote! {{
        #(#opening)*
        #prelude
        ::tenant_query::__private::#function::<#db #(, #row_type)*>(#sql) #(.bind(#values))*
    }}
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
    let (input, sql, tenant_var) = (parts.input, &parts.sql, &parts.tenant_var);
    let mut prelude = parts.prelude;
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
    let opening = parts.opening.iter().flatten();
    // sqlx's own macros, called here: a crate that bans them with `disallowed-macros` still
    // uses these.
    quote! {{
        #(#opening)*
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

/// A type in the expansion, written token by token (`::sqlx::Postgres`, `i64`): no token stream
/// of its own.
pub(crate) struct TypePath {
    /// Whether the path starts with `::`.
    absolute: bool,
    /// The segments.
    segments: &'static [&'static str],
}

impl ToTokens for TypePath {
    fn to_tokens(&self, out: &mut TokenStream) {
        for (i, segment) in self.segments.iter().enumerate() {
            if self.absolute || i > 0 {
                out.append(Punct::new(':', Spacing::Joint));
                out.append(Punct::new(':', Spacing::Alone));
            }
            out.append(Ident::new(segment, Span::call_site()));
        }
    }
}

/// sqlx's database type for `dialect`.
pub(crate) fn db_type(dialect: Dialect) -> TypePath {
    let segments: &[&str] = match dialect {
        Dialect::Postgres => &["sqlx", "Postgres"],
        Dialect::MySql => &["sqlx", "MySql"],
        Dialect::Sqlite => &["sqlx", "Sqlite"],
    };
    TypePath {
        absolute: true,
        segments,
    }
}

/// The Rust type of the manifest's tenant ids.
pub(crate) fn tenant_type(ty: TenantIdType) -> TypePath {
    let (absolute, segments): (bool, &[&str]) = match ty {
        TenantIdType::I64 => (false, &["i64"]),
        TenantIdType::I32 => (false, &["i32"]),
        TenantIdType::Uuid => (true, &["sqlx", "types", "Uuid"]),
        TenantIdType::String => (true, &["std", "string", "String"]),
    };
    TypePath { absolute, segments }
}
