//! Procedural macros of tenant-query; use the [`tenant-query`](https://docs.rs/tenant-query)
//! crate, which re-exports them with documentation and examples.
//!
//! The pipeline follows one module per concern:
//! `ast` parses the call, `manifest` finds and caches `tenant-schema.toml`,
//! `valid` runs the engine (or takes its rewrite from `cache`, kept by an earlier build) and
//! checks the arguments, `expand` emits the sqlx call;
//! `embed` embeds the manifest for the run-time API.
//! Every error is a spanned `compile_error!`; nothing here panics on user input.

mod ast;
mod cache;
mod embed;
mod expand;
mod manifest;
mod valid;

use proc_macro::TokenStream;

use crate::ast::{Kind, OutputKind, ScopeKind};

fn run(scope: ScopeKind, output: OutputKind, checked: bool, input: TokenStream) -> TokenStream {
    expand::expand(
        Kind {
            scope,
            output,
            checked,
        },
        input.into(),
    )
    .into()
}

macro_rules! entry_points {
    ($($(#[$doc:meta])* $name:ident => $scope:ident, $output:ident, $checked:expr;)*) => {$(
        $(#[$doc])*
        #[proc_macro]
        pub fn $name(input: TokenStream) -> TokenStream {
            run(ScopeKind::$scope, OutputKind::$output, $checked, input)
        }
    )*};
}

entry_points! {
    /// Implementation of `tenant_query::tenant_query!`.
    tenant_query => Tenant, Query, false;
    /// Implementation of `tenant_query::tenant_query_as!`.
    tenant_query_as => Tenant, As, false;
    /// Implementation of `tenant_query::tenant_query_scalar!`.
    tenant_query_scalar => Tenant, Scalar, false;
    /// Implementation of `tenant_query::tenant_query_checked!`.
    tenant_query_checked => Tenant, Query, true;
    /// Implementation of `tenant_query::tenant_query_as_checked!`.
    tenant_query_as_checked => Tenant, As, true;
    /// Implementation of `tenant_query::tenant_query_scalar_checked!`.
    tenant_query_scalar_checked => Tenant, Scalar, true;
    /// Implementation of `tenant_query::tenant_query_sql!`.
    tenant_query_sql => Tenant, Sql, false;
    /// Implementation of `tenant_query::tenant_set_query!`.
    tenant_set_query => Set, Query, false;
    /// Implementation of `tenant_query::tenant_set_query_as!`.
    tenant_set_query_as => Set, As, false;
    /// Implementation of `tenant_query::tenant_set_query_scalar!`.
    tenant_set_query_scalar => Set, Scalar, false;
    /// Implementation of `tenant_query::tenant_set_query_sql!`.
    tenant_set_query_sql => Set, Sql, false;
    /// Implementation of `tenant_query::unscoped_query!`.
    unscoped_query => Unscoped, Query, false;
    /// Implementation of `tenant_query::unscoped_query_as!`.
    unscoped_query_as => Unscoped, As, false;
    /// Implementation of `tenant_query::unscoped_query_scalar!`.
    unscoped_query_scalar => Unscoped, Scalar, false;
    /// Implementation of `tenant_query::unscoped_query_checked!`.
    unscoped_query_checked => Unscoped, Query, true;
    /// Implementation of `tenant_query::unscoped_query_as_checked!`.
    unscoped_query_as_checked => Unscoped, As, true;
    /// Implementation of `tenant_query::unscoped_query_scalar_checked!`.
    unscoped_query_scalar_checked => Unscoped, Scalar, true;
}

/// Implementation of `tenant_query::embedded_manifest!`.
#[proc_macro]
pub fn embedded_manifest(input: TokenStream) -> TokenStream {
    embed::expand(input.into()).into()
}
