//! `#[derive(ClerkClaims)]`: attributes in (darling, serde_derive_internals), the engine's analysis,
//! tokens out. Errors are spanned on the field or attribute at fault, all reported at once, with a
//! fallback impl so that only the real errors show.

use clerk_claims_codegen::Diagnostic;
use clerk_claims_codegen::derive::{
    FieldInput, FieldPart, FieldSource, FieldType, StructSpec, Target, analyze, field_spec, parse_kind,
    settings_without_name,
};
use clerk_claims_codegen::template::Kind;
use darling::util::{Flag, SpannedValue};
use darling::{FromDeriveInput, FromField};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use serde_json::Value;
use syn::spanned::Spanned;

#[derive(FromDeriveInput)]
#[darling(attributes(clerk), supports(struct_named))]
struct StructOpts {
    ident: syn::Ident,
    generics: syn::Generics,
    name: Option<SpannedValue<String>>,
    kind: Option<syn::LitStr>,
    lifetime: Option<SpannedValue<u64>>,
    allowed_clock_skew: Option<SpannedValue<u64>>,
    custom_signing_key: Flag,
    json_schema: Flag,
    signing_algorithm: Option<SpannedValue<String>>,
    metadata: Option<syn::LitStr>,
    #[darling(multiple)]
    allow_shortcode: Vec<String>,
    #[darling(rename = "crate")]
    krate: Option<syn::Path>,
}

/// A field's `#[clerk(...)]` attributes.
#[derive(FromField)]
#[darling(attributes(clerk))]
struct FieldOpts {
    shortcode: Option<syn::LitStr>,
    template: Option<syn::LitStr>,
    value: Option<syn::Lit>,
    json: Option<syn::LitStr>,
}

pub(crate) fn expand(input: &syn::DeriveInput) -> TokenStream {
    let opts = StructOpts::from_derive_input(input);
    let krate = opts.as_ref().ok().and_then(|o| o.krate.clone());
    let krate = krate.unwrap_or_else(|| syn::parse_quote!(::clerk_claims_runtime));
    // The struct's and the fields' attribute errors are reported together.
    let (opts, fields) = match (opts, read_fields(input)) {
        (Ok(opts), Ok(fields)) => (opts, fields),
        (opts, fields) => {
            let errors = darling::Error::multiple(opts.err().into_iter().chain(fields.err()).collect());
            return with_fallback(input, &krate, errors.write_errors());
        }
    };
    let mut errors: Vec<syn::Error> = Vec::new();

    let kind = match opts.kind.as_ref().map(|k| (k, parse_kind(&k.value()))) {
        None => Kind::Template,
        Some((_, Ok(kind))) => kind,
        Some((lit, Err(d))) => {
            errors.push(syn::Error::new(lit.span(), message(&d)));
            Kind::Template
        }
    };
    // One spec entry per claim field; `spans[i]` is where its errors go.
    let mut spec_fields = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut name_spans: Vec<Span> = Vec::new();
    let mut nested: Vec<(String, syn::Type, bool)> = Vec::new();
    for Field { syn: raw, clerk: field, serde } in &fields {
        if serde.skip {
            continue;
        }
        let ident = raw.ident.as_ref().map(ToString::to_string).unwrap_or_default();
        let name_span = raw.ident.as_ref().map_or_else(|| raw.span(), syn::Ident::span);
        let (claim, flatten) = (serde.claim.clone(), serde.flatten);
        // Errors about a claim point at the literal that fills it, else at the field name.
        let attr_span = [
            field.shortcode.as_ref().map(syn::LitStr::span),
            field.template.as_ref().map(syn::LitStr::span),
            field.value.as_ref().map(syn::Lit::span),
            field.json.as_ref().map(syn::LitStr::span),
        ]
        .into_iter()
        .flatten()
        .next()
        .unwrap_or(name_span);
        let given: Vec<FieldSource> = [
            field.shortcode.as_ref().map(|s| FieldSource::Shortcode(s.value())),
            field.template.as_ref().map(|s| FieldSource::Template(s.value())),
            field.value.as_ref().and_then(|l| match literal_json(l) {
                Ok(v) => Some(FieldSource::Value(v)),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }),
            field.json.as_ref().map(|s| FieldSource::Json(s.value())),
        ]
        .into_iter()
        .flatten()
        .collect();
        if field.value.is_some() && !given.iter().any(|g| matches!(g, FieldSource::Value(_))) {
            continue; // the literal's error is reported; nothing to check the field against
        }
        let ty = classify(&raw.ty);
        let nested_ty = raw.ty.clone();
        let field_input = FieldInput {
            ident,
            claim: claim.clone(),
            sources: given,
            flatten,
            ty,
            type_text: type_text(&raw.ty),
            custom_deserializer: serde.deserialize_with,
        };
        match field_spec(field_input) {
            Ok(spec) => {
                if matches!(spec.source, FieldSource::Nested { .. }) {
                    nested.push((claim, nested_ty, flatten));
                }
                spec_fields.push(spec);
            }
            Err((part, d)) => {
                let span = match part {
                    FieldPart::Field => raw.span(),
                    FieldPart::Attribute => attr_span,
                };
                errors.push(syn::Error::new(span, message(&d)));
                continue;
            }
        }
        spans.push(attr_span);
        name_spans.push(name_span);
    }

    let spec = StructSpec {
        type_name: opts.ident.to_string(),
        name: opts.name.as_deref().cloned(),
        kind,
        lifetime: opts.lifetime.as_deref().copied(),
        allowed_clock_skew: opts.allowed_clock_skew.as_deref().copied(),
        custom_signing_key: opts.custom_signing_key.is_present(),
        signing_algorithm: opts.signing_algorithm.as_deref().cloned(),
        metadata: opts.metadata.as_ref().map(syn::LitStr::value),
        allow_shortcodes: opts.allow_shortcode.clone(),
        fields: spec_fields,
    };
    let settings_given = opts.kind.is_some() || opts.lifetime.is_some() || opts.allowed_clock_skew.is_some();
    if let Some(d) = settings_without_name(spec.name.as_deref(), settings_given) {
        errors.push(syn::Error::new(struct_attr_span(input), message(&d)));
    }
    let analysis = analyze(&spec);
    for (target, d) in analysis.diagnostics.iter().filter(|(_, d)| d.is_error()) {
        let span = match target {
            Target::Field(i) => spans.get(*i).copied().unwrap_or_else(|| input.ident.span()),
            Target::FieldName(i) => name_spans.get(*i).copied().unwrap_or_else(|| input.ident.span()),
            Target::Setting(setting) => {
                setting_span(&opts, setting).unwrap_or_else(|| struct_attr_span(input))
            }
            Target::Struct => struct_attr_span(input),
        };
        errors.push(syn::Error::new(span, message(d)));
    }
    if !errors.is_empty() {
        let tokens = errors.iter().map(syn::Error::to_compile_error);
        return with_fallback(input, &krate, quote!(#(#tokens)*));
    }

    let ident = &opts.ident;
    let (impl_generics, ty_generics, where_clause) = opts.generics.split_for_impl();
    let claims_text = analysis.claims.to_string();
    let schema_text = analysis.schema.to_string();
    let constants_text = Value::Object(analysis.constants.clone()).to_string();
    let set_claims = nested.iter().map(|(claim, ty, flatten)| {
        let span = ty.span();
        if *flatten {
            quote_spanned!(span=> #krate::__private::merge_claims(&mut claims, <#ty as #krate::ClerkClaims>::claims_json());)
        } else {
            quote_spanned!(span=> #krate::__private::set_claim(&mut claims, #claim, <#ty as #krate::ClerkClaims>::claims_json());)
        }
    });
    let set_schemas = nested.iter().map(|(claim, ty, flatten)| {
        if *flatten {
            quote!(#krate::__private::merge_schema(&mut schema, <#ty as #krate::ClerkClaims>::json_schema());)
        } else {
            quote!(#krate::__private::set_schema_property(&mut schema, #claim, <#ty as #krate::ClerkClaims>::json_schema());)
        }
    });
    let template_json = match (&analysis.body, kind) {
        (Some(body), Kind::Template) => {
            let body_text = body.to_string();
            quote!(#krate::__private::with_claims(#krate::__private::json(#body_text), Self::claims_json()))
        }
        _ => quote!(Self::claims_json()),
    };
    // `schemars::JsonSchema` with the engine's schema, when asked for (and the runtime's `schemars`
    // feature is on: the runtime's macro expands to nothing otherwise).
    let json_schema_impl = (opts.json_schema.is_present() && opts.generics.params.is_empty())
        .then(|| quote!(#krate::__private::impl_json_schema!(#ident);));
    quote! {
        #json_schema_impl
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #krate::ClerkClaims for #ident #ty_generics #where_clause {
                fn claims_json() -> #krate::__private::serde_json::Value {
                    #[allow(unused_mut)]
                    let mut claims = #krate::__private::json(#claims_text);
                    #(#set_claims)*
                    claims
                }
                fn template_json() -> #krate::__private::serde_json::Value {
                    #template_json
                }
                fn json_schema() -> #krate::__private::serde_json::Value {
                    #[allow(unused_mut)]
                    let mut schema = #krate::__private::json(#schema_text);
                    #(#set_schemas)*
                    schema
                }
                fn constant_claims() -> #krate::__private::serde_json::Map<::std::string::String, #krate::__private::serde_json::Value> {
                    #krate::__private::json_object(#constants_text)
                }
            }
        };
    }
}

/// The errors, plus an impl whose bodies never run (the crate does not compile), so the user sees the
/// real errors and no "trait not implemented" cascade.
fn with_fallback(input: &syn::DeriveInput, krate: &syn::Path, errors: TokenStream) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors
        const _: () = {
            impl #impl_generics #krate::ClerkClaims for #ident #ty_generics #where_clause {
                fn claims_json() -> #krate::__private::serde_json::Value { #krate::__private::serde_json::Value::Null }
                fn template_json() -> #krate::__private::serde_json::Value { #krate::__private::serde_json::Value::Null }
                fn json_schema() -> #krate::__private::serde_json::Value { #krate::__private::serde_json::Value::Null }
            }
        };
    }
}

fn setting_span(opts: &StructOpts, setting: &str) -> Option<Span> {
    match setting {
        "name" => opts.name.as_ref().map(SpannedValue::span),
        "kind" => opts.kind.as_ref().map(syn::LitStr::span),
        "lifetime" => opts.lifetime.as_ref().map(SpannedValue::span),
        "allowed_clock_skew" => opts.allowed_clock_skew.as_ref().map(SpannedValue::span),
        "custom_signing_key" => opts.custom_signing_key.is_present().then(|| opts.custom_signing_key.span()),
        "signing_algorithm" => opts.signing_algorithm.as_ref().map(SpannedValue::span),
        "metadata" => opts.metadata.as_ref().map(syn::LitStr::span),
        _ => None,
    }
}

fn struct_attr_span(input: &syn::DeriveInput) -> Span {
    input.attrs.iter().find(|a| a.path().is_ident("clerk")).map_or_else(|| input.ident.span(), Spanned::span)
}

/// A field as the derive reads it: the field, its `#[clerk]` attributes (darling) and what serde
/// makes of it (serde_derive_internals), read together from serde's one list of the fields.
struct Field<'a> {
    syn: &'a syn::Field,
    clerk: FieldOpts,
    serde: SerdeField,
}

/// What serde makes of a field: its claim name, whether it is skipped or flattened, and whether a
/// function of the user's reads it (`deserialize_with` / `with`).
struct SerdeField {
    claim: String,
    skip: bool,
    flatten: bool,
    deserialize_with: bool,
}

/// The struct's fields in order, each read by serde's own attribute parser and by darling; every
/// `#[clerk]` attribute error at once. serde reports its own attribute errors, so any found here
/// are dropped.
fn read_fields(input: &syn::DeriveInput) -> Result<Vec<Field<'_>>, darling::Error> {
    let cx = serde_derive_internals::Ctxt::new();
    let private = syn::Ident::new("__private", Span::call_site());
    let container = serde_derive_internals::ast::Container::from_ast(
        &cx,
        input,
        serde_derive_internals::Derive::Deserialize,
        &private,
    );
    let mut errors = darling::Error::accumulator();
    let fields = match container.as_ref().map(|c| &c.data) {
        Some(serde_derive_internals::ast::Data::Struct(_, fields)) => fields
            .iter()
            .filter_map(|f| {
                let clerk = errors.handle(FieldOpts::from_field(f.original))?;
                let serde = SerdeField {
                    claim: f.attrs.name().deserialize_name().value.clone(),
                    skip: f.attrs.skip_deserializing(),
                    flatten: f.attrs.flatten(),
                    deserialize_with: f.attrs.deserialize_with().is_some(),
                };
                Some(Field { syn: f.original, clerk, serde })
            })
            .collect(),
        _ => Vec::new(),
    };
    drop(container);
    let _ = cx.check();
    errors.finish_with(fields)
}

fn literal_json(lit: &syn::Lit) -> syn::Result<Value> {
    let unsupported = || {
        syn::Error::new_spanned(
            lit,
            "`value` takes a string, number or boolean literal\n= help: use json = \"...\" for arrays, objects, null and negative numbers",
        )
    };
    match lit {
        syn::Lit::Str(s) => Ok(Value::String(s.value())),
        syn::Lit::Bool(b) => Ok(Value::Bool(b.value)),
        syn::Lit::Int(i) => i.base10_parse::<u64>().map(Value::from).map_err(|_| unsupported()),
        syn::Lit::Float(f) => f
            .base10_parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(unsupported),
        _ => Err(unsupported()),
    }
}

/// A type as the user wrote it, without the token stream's spaces (`Option<Vec<String>>`).
fn type_text(ty: &syn::Type) -> String {
    let text = ty.to_token_stream().to_string();
    ["< ", " <", " >", ":: ", " ::", " ,"].iter().fold(text, |t, spaced| t.replace(spaced, spaced.trim()))
}

/// Classifies a field type for the engine's type check.
fn classify(ty: &syn::Type) -> FieldType {
    match ty {
        syn::Type::Reference(r) => classify(&r.elem),
        syn::Type::Paren(p) => classify(&p.elem),
        syn::Type::Group(g) => classify(&g.elem),
        syn::Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return FieldType::Other(String::new());
            };
            let args: Vec<&syn::Type> = match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|g| match g {
                        syn::GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let name = last.ident.to_string();
            match (name.as_str(), args.as_slice()) {
                ("String" | "str" | "Cow", _) => FieldType::String,
                (
                    "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
                    | "usize",
                    _,
                ) => FieldType::Integer,
                ("f32" | "f64", _) => FieldType::Float,
                ("bool", _) => FieldType::Bool,
                ("Value", _) => FieldType::Json,
                ("Option", [inner]) => FieldType::Option(Box::new(classify(inner))),
                ("Box" | "Rc" | "Arc", [inner]) => classify(inner),
                ("Vec" | "VecDeque" | "BTreeSet" | "HashSet" | "SmallVec", [inner, ..]) => {
                    FieldType::Vec(Box::new(classify(inner)))
                }
                ("HashMap" | "BTreeMap" | "IndexMap", [_, value, ..]) => {
                    FieldType::Map(Box::new(classify(value)))
                }
                ("Map", _) => FieldType::Map(Box::new(FieldType::Json)),
                _ => FieldType::Other(name),
            }
        }
        other => FieldType::Other(other.to_token_stream().to_string()),
    }
}

/// An engine diagnostic as a compile error's text: the message, then its help.
fn message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\n= help: {help}", d.message),
        None => d.message.clone(),
    }
}
