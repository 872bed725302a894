//! Expansion: the rewritten SQL as a string literal, and sqlx calls that bind in plan order.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::LitStr;
use tenant_query_core::{BindSlot, Dialect, Rewritten, TenantIdType};

use crate::ast::{Input, Kind, OutputKind, ParseAs, Scope, ScopeKind};
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
    let plan = validate(kind, &loaded.manifest, &input)?;

    let manifest_path = LitStr::new(&loaded.path.to_string_lossy(), Span::call_site());
    // Editing the manifest must recompile this crate: cargo tracks files read by
    // `include_bytes!`. The constant is never used, so nothing ends up in the binary.
    let track = quote! { const _: &[u8] = ::core::include_bytes!(#manifest_path); };

    let sql = LitStr::new(&plan.sql, input.sql.span());
    if kind.output == OutputKind::Sql {
        return Ok(quote! {{
            #track
            #sql
        }});
    }

    let db = db_path(loaded.manifest.dialect());
    let tenant_ty = tenant_type(loaded.manifest.tenant_id_type());
    let tenant_var = Ident::new("__tq_tenant", Span::mixed_site());

    let mut prelude = TokenStream::new();
    match &input.scope {
        Scope::Tenant(tenant) => {
            // Spanned at the user's argument: a wrong type is reported there.
            let tenant_span = tenant.span();
            let convert = match (kind.scope, loaded.manifest.dialect()) {
                (ScopeKind::Set, Dialect::Postgres) => quote! { tenant_set_array },
                (ScopeKind::Set, _) => quote! { tenant_set_json },
                _ => quote! { tenant_value },
            };
            let value = quote_spanned! {tenant_span=>
                ::tenant_query::__private::#convert::<#tenant_ty, _>(&(#tenant))
            };
            prelude.extend(quote! { let #tenant_var = #value; });
        }
        Scope::Unscoped { reason } => {
            // Kept in the expansion so that it shows up when the macro is expanded.
            prelude.extend(quote! { const _: &str = #reason; });
        }
        Scope::None => {}
    }

    let body = if kind.checked {
        checked_call(kind, &input, &plan, &sql, &tenant_var, &mut prelude)
    } else {
        dynamic_call(kind, &input, &plan, &sql, &db, &tenant_var, &mut prelude)
    };

    // The sqlx call is the macro's own: a crate that bans direct sqlx calls with clippy's
    // `disallowed-methods`/`disallowed-macros` (README, "Adopting tenant-query") still uses it.
    Ok(quote! {{
        #track
        #prelude
        #[allow(clippy::disallowed_methods, clippy::disallowed_macros)]
        let __tq_query = #body;
        __tq_query
    }})
}

/// `sqlx::query::<DB>("…").bind(…)…`: arguments are evaluated once, in the order written,
/// and moved into `.bind` exactly like sqlx's own `.bind(value)`.
fn dynamic_call(
    kind: Kind,
    input: &Input,
    plan: &Rewritten,
    sql: &LitStr,
    db: &TokenStream,
    tenant_var: &Ident,
    prelude: &mut TokenStream,
) -> TokenStream {
    let arg_vars: Vec<Ident> = (0..input.args.len())
        .map(|i| format_ident!("__tq_arg{}", i, span = Span::mixed_site()))
        .collect();
    for (var, expr) in arg_vars.iter().zip(&input.args) {
        prelude.extend(quote! { let #var = #expr; });
    }

    let slots = &plan.bind_plan.slots;
    let mut binds = TokenStream::new();
    for (position, slot) in slots.iter().enumerate() {
        let used_again = slots[position + 1..].contains(slot);
        let var = match slot {
            BindSlot::Tenant => tenant_var,
            BindSlot::Arg(i) => &arg_vars[*i],
        };
        let value = if used_again {
            // The same value at several positions (MySQL's positional `?`).
            quote! { ::core::clone::Clone::clone(&#var) }
        } else {
            quote! { #var }
        };
        binds.extend(quote! { .bind(#value) });
    }
    // Arguments the statement does not use (cannot happen with a consistent plan) and a tenant
    // that a global-only statement does not need are still evaluated and type-checked.
    for (i, var) in arg_vars.iter().enumerate() {
        if !slots.contains(&BindSlot::Arg(i)) {
            prelude.extend(quote! { let _ = #var; });
        }
    }
    if matches!(input.scope, Scope::Tenant(_)) && !slots.contains(&BindSlot::Tenant) {
        prelude.extend(quote! { let _ = #tenant_var; });
    }

    let constructor = match kind.output {
        OutputKind::Query => quote! { ::sqlx::query::<#db>(#sql) },
        OutputKind::As => {
            let ty = input.output_type.as_ref();
            quote! { ::sqlx::query_as::<#db, #ty>(#sql) }
        }
        OutputKind::Scalar => {
            let ty = input.output_type.as_ref();
            quote! { ::sqlx::query_scalar::<#db, #ty>(#sql) }
        }
        OutputKind::Sql => unreachable_sql(),
    };
    quote! { #constructor #binds }
}

/// `sqlx::query!("…", args in bind order)`: sqlx checks the rewritten SQL against the database
/// (or its offline data) and types the rows.
fn checked_call(
    kind: Kind,
    input: &Input,
    plan: &Rewritten,
    sql: &LitStr,
    tenant_var: &Ident,
    prelude: &mut TokenStream,
) -> TokenStream {
    let slots = &plan.bind_plan.slots;
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

    match kind.output {
        OutputKind::Query => quote! { ::sqlx::query!(#sql #(, #args)*) },
        OutputKind::As => {
            let ty = input.output_type.as_ref();
            quote! { ::sqlx::query_as!(#ty, #sql #(, #args)*) }
        }
        OutputKind::Scalar => quote! { ::sqlx::query_scalar!(#sql #(, #args)*) },
        OutputKind::Sql => unreachable_sql(),
    }
}

/// `tenant_query_sql!` returns before any call is built; should that ever change, the
/// expansion fails to compile instead of the macro panicking.
fn unreachable_sql() -> TokenStream {
    quote! { ::core::compile_error!("internal error: tenant_query_sql! builds no query") }
}

pub(crate) fn db_path(dialect: Dialect) -> TokenStream {
    match dialect {
        Dialect::Postgres => quote! { ::sqlx::Postgres },
        Dialect::MySql => quote! { ::sqlx::MySql },
        Dialect::Sqlite => quote! { ::sqlx::Sqlite },
    }
}

pub(crate) fn tenant_type(ty: TenantIdType) -> TokenStream {
    match ty {
        TenantIdType::I64 => quote! { i64 },
        TenantIdType::I32 => quote! { i32 },
        TenantIdType::Uuid => quote! { ::sqlx::types::Uuid },
        TenantIdType::String => quote! { ::std::string::String },
    }
}
