//! The type model as Rust: structs that derive serde and `ClerkClaims`, with a field attribute saying
//! how Clerk fills each claim, so the derive re-checks everything and both paths share one set of
//! rules.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::template::{Kind, Template};
use crate::types::{Fill, RustType, StructDef, StructRole, TypeModel};

/// The path generated code uses for the runtime crate.
pub const RUNTIME: &str = "::clerk_claims_runtime";

/// The Rust items of one template (unformatted), for `source_name` (shown in doc comments).
///
/// ```
/// use clerk_claims_codegen::{Source, emit::rust_tokens, template::Template, types::TypeModel};
/// let (t, _) = Template::parse(&Source::new("app.json", r#"{"id": "{{user.id}}"}"#));
/// let t = t.unwrap();
/// let code = rust_tokens(&t, &TypeModel::of(&t), "templates/app.json").to_string();
/// assert!(code.contains("pub struct AppClaims"));
/// assert!(code.contains("shortcode = \"user.id\""));
/// ```
pub fn rust_tokens(template: &Template, model: &TypeModel, source_name: &str) -> TokenStream {
    let items = model.structs.iter().map(|def| struct_tokens(template, def, source_name));
    quote! { #(#items)* }
}

fn struct_tokens(template: &Template, def: &StructDef, source_name: &str) -> TokenStream {
    let runtime: syn::Path =
        syn::parse_str(RUNTIME).unwrap_or_else(|_| syn::parse_quote!(::clerk_claims_runtime));
    let serde_crate = format!("{RUNTIME}::__private::serde");
    let json_path = format!("{RUNTIME}::__private::serde_json");
    let name = format_ident!("{}", def.name);
    let doc = match def.role {
        StructRole::Claims => match template.kind {
            Kind::Template => {
                format!(" Claims of the Clerk JWT template `{}` ({source_name}).", template.name)
            }
            Kind::Session => format!(" Custom claims of the Clerk session token ({source_name})."),
        },
        StructRole::Nested => format!(" A nested claims object of the `{}` template.", template.name),
        StructRole::Metadata => {
            format!(" Declared metadata shape (`rust.metadata` in {source_name}).")
        }
    };
    let extra: Vec<syn::Path> = if def.role == StructRole::Claims {
        template.rust.derives.iter().filter_map(|d| syn::parse_str(d).ok()).collect()
    } else {
        Vec::new()
    };
    let clerk_derive = (def.role != StructRole::Metadata).then(|| quote!(#runtime::ClerkClaims,));
    // The derive re-reads `rust.metadata` as written, so it types and checks exactly as the file does.
    let metadata =
        template.rust.metadata_json.as_ref().filter(|_| def.role != StructRole::Metadata).map(|m| {
            let text = m.to_string();
            quote!(, metadata = #text)
        });
    let allow = template.rust.allow_shortcodes.iter().map(|s| quote!(, allow_shortcode = #s));
    let struct_attr = match def.role {
        StructRole::Claims => {
            let s = &template.settings;
            let tpl_name = &template.name;
            let kind = template.kind.as_str();
            let lifetime = proc_macro2::Literal::u64_unsuffixed(s.lifetime);
            let skew = proc_macro2::Literal::u64_unsuffixed(s.allowed_clock_skew);
            let custom = s.custom_signing_key.then(|| quote!(, custom_signing_key));
            let alg = s.signing_algorithm.as_ref().map(|a| quote!(, signing_algorithm = #a));
            let settings = (template.kind == Kind::Template)
                .then(|| quote!(, lifetime = #lifetime, allowed_clock_skew = #skew #custom #alg));
            quote!(#[clerk(crate = #RUNTIME, name = #tpl_name, kind = #kind #settings #metadata #(#allow)*, json_schema)])
        }
        StructRole::Nested => quote!(#[clerk(crate = #RUNTIME #metadata #(#allow)*, json_schema)]),
        StructRole::Metadata => quote!(),
    };
    let fields = def.fields.iter().map(|f| {
        let ident = syn::parse_str::<syn::Ident>(&f.ident).unwrap_or_else(|_| format_ident!("claim"));
        let ty: syn::Type =
            syn::parse_str(&f.ty.to_rust(&json_path)).unwrap_or_else(|_| syn::parse_quote!(()));
        let rename = (f.ident != f.claim).then(|| {
            let claim = &f.claim;
            quote!(#[serde(rename = #claim)])
        });
        let doc = match &f.fill {
            Fill::Property => format!(" `{}`.", f.claim),
            _ => format!(" Claim `{}`. {}", f.claim, f.doc),
        };
        let attr = fill_attr(&f.fill);
        // `Option` reads a missing key as `None`; `Value` needs telling to read it as `null`.
        let default = (f.ty == RustType::Json.nullable()).then(|| quote!(#[serde(default)]));
        quote! {
            #[doc = #doc]
            #rename
            #default
            #attr
            pub #ident: #ty,
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(
            ::core::fmt::Debug,
            ::core::clone::Clone,
            ::core::cmp::PartialEq,
            #runtime::__private::serde::Serialize,
            #runtime::__private::serde::Deserialize,
            #clerk_derive
            #(#extra,)*
        )]
        #[serde(crate = #serde_crate)]
        #struct_attr
        pub struct #name {
            #(#fields)*
        }
    }
}

fn fill_attr(fill: &Fill) -> TokenStream {
    match fill {
        Fill::Shortcode(s) => quote!(#[clerk(shortcode = #s)]),
        Fill::Template(t) => quote!(#[clerk(template = #t)]),
        Fill::Value(Value::String(s)) => quote!(#[clerk(value = #s)]),
        Fill::Value(Value::Bool(b)) => quote!(#[clerk(value = #b)]),
        Fill::Value(Value::Number(n)) => match syn::parse_str::<syn::Lit>(&number_literal(n)) {
            Ok(lit) if n.as_f64().is_some_and(|f| f >= 0.0) => quote!(#[clerk(value = #lit)]),
            _ => {
                let text = n.to_string();
                quote!(#[clerk(json = #text)])
            }
        },
        Fill::Value(other) | Fill::Json(other) => {
            let text = other.to_string();
            quote!(#[clerk(json = #text)])
        }
        Fill::Nested | Fill::Property => quote!(),
    }
}

/// A number as a Rust literal: floats keep a `.` so they stay floats.
fn number_literal(n: &serde_json::Number) -> String {
    let text = n.to_string();
    if n.is_f64() && !text.contains(['.', 'e', 'E']) { format!("{text}.0") } else { text }
}

/// A whole generated file: the `// @generated` header and every template's items, formatted with
/// prettyplease.
///
/// ```
/// use clerk_claims_codegen::{Source, emit::rust_file, template::Template, types::TypeModel};
/// let (t, _) = Template::parse(&Source::new("app.json", r#"{"id": "{{user.id}}"}"#));
/// let t = t.unwrap();
/// let file = rust_file(&[(&t, &TypeModel::of(&t), "templates/app.json")]);
/// assert!(file.starts_with("// @generated"));
/// assert!(file.contains("pub struct AppClaims {\n"));
/// ```
#[cfg(feature = "generator")]
pub fn rust_file(templates: &[(&Template, &TypeModel, &str)]) -> String {
    let items = templates.iter().map(|(t, model, name)| rust_tokens(t, model, name));
    let tokens = quote! { #(#items)* };
    let body = match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    };
    let sources: Vec<&str> = templates.iter().map(|(_, _, n)| *n).collect();
    format!(
        "// @generated by clerk-claims from {}. Do not edit: change the templates and rebuild.\n\n{body}",
        if sources.is_empty() { "no templates".to_string() } else { sources.join(", ") }
    )
}
