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
    let plan = validate(kind, &loaded, &input)?;

    let track = manifest::track_once(&loaded.path);

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

    if !kind.checked {
        // The sqlx call goes through `tenant_query::__private`, which clippy's
        // `disallowed-methods` does not see (README, "Adopting tenant-query").
        return Ok(quote! {{ #track #prelude #body }});
    }
    // sqlx's own macros, called here: a crate that bans them with `disallowed-macros` still
    // uses these.
    Ok(quote! {{
        #track
        #prelude
        #[allow(clippy::disallowed_methods, clippy::disallowed_macros)]
        let __tq_query = #body;
        __tq_query
    }})
}

/// `sqlx::query::<DB>("…").bind(…)…` (through `tenant_query::__private`): arguments are
/// evaluated once, in the order written, and moved into `.bind` exactly like sqlx's own
/// `.bind(value)`.
fn dynamic_call(
    kind: Kind,
    input: &Input,
    plan: &Rewritten,
    sql: &LitStr,
    db: &TokenStream,
    tenant_var: &Ident,
    prelude: &mut TokenStream,
) -> TokenStream {
    let slots = &plan.bind_plan.slots;
    let binds = if binds_each_argument_in_order(slots, input.args.len()) {
        // The common case (every numbered placeholder, and MySQL's `?` used once each): the
        // arguments stay where they are written, so they are evaluated in that order after the
        // tenant, and the expansion holds no variable of its own for them.
        inline_binds(input, slots, tenant_var)
    } else {
        bound_through_variables(input, slots, tenant_var, prelude)
    };
    if matches!(input.scope, Scope::Tenant(_)) && !slots.contains(&BindSlot::Tenant) {
        prelude.extend(quote! { let _ = #tenant_var; });
    }

    let constructor = match kind.output {
        OutputKind::Query => quote! { ::tenant_query::__private::query::<#db>(#sql) },
        OutputKind::As => {
            let ty = input.output_type.as_ref();
            quote! { ::tenant_query::__private::query_as::<#db, #ty>(#sql) }
        }
        OutputKind::Scalar => {
            let ty = input.output_type.as_ref();
            quote! { ::tenant_query::__private::query_scalar::<#db, #ty>(#sql) }
        }
        OutputKind::Sql => unreachable_sql(),
    };
    quote! { #constructor #binds }
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

/// `.bind(expr)` for each slot, with the user's expressions as written.
fn inline_binds(input: &Input, slots: &[BindSlot], tenant_var: &Ident) -> TokenStream {
    let mut binds = TokenStream::new();
    for (position, slot) in slots.iter().enumerate() {
        let value = match slot {
            BindSlot::Arg(i) => {
                let expr = &input.args[*i];
                quote! { #expr }
            }
            BindSlot::Tenant => bound_value(tenant_var, slots[position + 1..].contains(slot)),
        };
        binds.extend(quote! { .bind(#value) });
    }
    binds
}

/// `.bind(var)` for each slot, each argument first evaluated into a variable of its own, in
/// the order written: for plans that bind an argument twice (MySQL's positional `?`) or not
/// at all (which a consistent plan never does; it is still evaluated and type-checked).
fn bound_through_variables(
    input: &Input,
    slots: &[BindSlot],
    tenant_var: &Ident,
    prelude: &mut TokenStream,
) -> TokenStream {
    let arg_vars: Vec<Ident> = (0..input.args.len())
        .map(|i| format_ident!("__tq_arg{}", i, span = Span::mixed_site()))
        .collect();
    for (var, expr) in arg_vars.iter().zip(&input.args) {
        prelude.extend(quote! { let #var = #expr; });
    }
    let mut binds = TokenStream::new();
    for (position, slot) in slots.iter().enumerate() {
        let var = match slot {
            BindSlot::Tenant => tenant_var,
            BindSlot::Arg(i) => &arg_vars[*i],
        };
        let value = bound_value(var, slots[position + 1..].contains(slot));
        binds.extend(quote! { .bind(#value) });
    }
    for (i, var) in arg_vars.iter().enumerate() {
        if !slots.contains(&BindSlot::Arg(i)) {
            prelude.extend(quote! { let _ = #var; });
        }
    }
    binds
}

/// A variable's value for one bind position: cloned when a later position binds it again.
fn bound_value(var: &Ident, used_again: bool) -> TokenStream {
    if used_again {
        quote! { ::core::clone::Clone::clone(&#var) }
    } else {
        quote! { #var }
    }
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
