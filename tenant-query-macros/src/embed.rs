//! `embedded_manifest!()`: the crate's manifest, embedded in the binary for the run-time API.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

use crate::expand::{db_type, tenant_type};
use crate::manifest;
use crate::valid::errors_at;

/// Expands `embedded_manifest!()`: the manifest the other macros of this crate read, found and
/// validated the same way, embedded with `include_str!` (so editing it recompiles the crate),
/// and typed with the manifest's database and tenant id type.
pub fn expand(tokens: TokenStream) -> TokenStream {
    match try_expand(tokens) {
        Ok(tokens) => tokens,
        Err(err) => err.to_compile_error(),
    }
}

fn try_expand(tokens: TokenStream) -> syn::Result<TokenStream> {
    if let Some(first) = tokens.into_iter().next() {
        return Err(syn::Error::new(
            first.span(),
            "`embedded_manifest!` takes no arguments: it embeds the manifest every tenant-query \
             macro of this crate reads\n  help: write `tenant_query::embedded_manifest!()`",
        ));
    }
    let loaded = manifest::load().map_err(|messages| {
        errors_at(Span::call_site(), messages, || {
            "invalid manifest".to_owned()
        })
    })?;
    let path = LitStr::new(&loaded.path.to_string_lossy(), Span::call_site());
    // Diagnostics name the manifest by its file name only; the path stays out of the binary.
    let file_name = loaded
        .path
        .file_name()
        .map_or_else(|| "tenant-schema.toml".into(), |n| n.to_string_lossy());
    let origin = LitStr::new(&file_name, Span::call_site());
    let db = db_type(loaded.manifest.dialect());
    let tenant_ty = tenant_type(loaded.manifest.tenant_id_type());
    Ok(quote! {
        ::tenant_query::runtime::EmbeddedManifest::<#db, #tenant_ty>::__new(
            ::core::include_str!(#path),
            #origin,
        )
    })
}
