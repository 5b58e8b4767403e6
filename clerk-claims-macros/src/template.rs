//! `clerk_template!("templates/x.json")`.

use std::path::PathBuf;

use clerk_claims_codegen::{check_file, emit::rust_tokens};
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn expand(path: &syn::LitStr) -> TokenStream {
    let relative = path.value();
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let full = base.join(&relative);
    let checked = check_file(&full);
    let errors: Vec<TokenStream> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let mut source = checked.source.clone();
            source.name.clone_from(&relative);
            syn::Error::new(path.span(), source.render_short(d)).to_compile_error()
        })
        .collect();
    let full_text = full.display().to_string();
    // Forces a rebuild when the template changes.
    let track = full.is_file().then(|| {
        quote!(
            const _: &str = ::core::include_str!(#full_text);
        )
    });
    match (&checked.template, &checked.model, errors.is_empty()) {
        (Some(template), Some(model), true) => {
            let items = rust_tokens(template, model, &relative);
            quote!(#items #track)
        }
        _ => quote!(#(#errors)* #track),
    }
}
