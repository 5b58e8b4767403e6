//! Procedural macros of clerk-claims: a thin shell around the `clerk-claims-codegen` engine, which
//! does every check. Use them through `clerk-claims-runtime`, which re-exports both.

use proc_macro::TokenStream;

mod derive;
mod template;

/// Derives `ClerkClaims`: the Clerk template a struct stands for, checked at compile time.
///
/// See `clerk_claims_runtime::ClerkClaims` for the attribute grammar and examples.
#[proc_macro_derive(ClerkClaims, attributes(clerk))]
pub fn derive_clerk_claims(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive::expand(&input).into()
}

/// Generates the claim types of one template file (a path relative to the crate's `Cargo.toml`),
/// checked at compile time; the crate rebuilds when the file changes.
///
/// See `clerk_claims_runtime::clerk_template!`.
#[proc_macro]
pub fn clerk_template(input: TokenStream) -> TokenStream {
    let path = syn::parse_macro_input!(input as syn::LitStr);
    template::expand(&path).into()
}
