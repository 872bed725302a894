//! Procedural macros of tenant-query; use the [`tenant-query`](https://docs.rs/tenant-query)
//! crate, which re-exports them with documentation and examples. The macros carry no
//! documentation of their own here: rustdoc appends an item's documentation to that of its
//! re-export, which is written in `tenant-query`.
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
    ($($name:ident => $scope:ident, $output:ident, $checked:expr;)*) => {$(
        #[proc_macro]
        pub fn $name(input: TokenStream) -> TokenStream {
            run(ScopeKind::$scope, OutputKind::$output, $checked, input)
        }
    )*};
}

entry_points! {
    tenant_query => Tenant, Query, false;
    tenant_query_as => Tenant, As, false;
    tenant_query_scalar => Tenant, Scalar, false;
    tenant_query_checked => Tenant, Query, true;
    tenant_query_as_checked => Tenant, As, true;
    tenant_query_scalar_checked => Tenant, Scalar, true;
    tenant_query_sql => Tenant, Sql, false;
    tenant_set_query => Set, Query, false;
    tenant_set_query_as => Set, As, false;
    tenant_set_query_scalar => Set, Scalar, false;
    tenant_set_query_sql => Set, Sql, false;
    unscoped_query => Unscoped, Query, false;
    unscoped_query_as => Unscoped, As, false;
    unscoped_query_scalar => Unscoped, Scalar, false;
    unscoped_query_checked => Unscoped, Query, true;
    unscoped_query_as_checked => Unscoped, As, true;
    unscoped_query_scalar_checked => Unscoped, Scalar, true;
}

#[proc_macro]
pub fn embedded_manifest(input: TokenStream) -> TokenStream {
    embed::expand(input.into()).into()
}
