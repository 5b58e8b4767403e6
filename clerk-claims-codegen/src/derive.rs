//! The engine side of `#[derive(ClerkClaims)]`: a struct's field attributes become a template, which
//! goes through the very checks of a template file; then each field's Rust type is checked against
//! what Clerk renders into it.
//!
//! The macro crate only parses attributes into a [`StructSpec`], calls [`analyze`] and expands the
//! result; every rule lives here.

use std::ops::Range;

use serde_json::{Map, Value};

use crate::check::{Scope, check_claims};
use crate::diagnostic::{Code, Diagnostic, Source};
use crate::emit;
use crate::shortcode::{self, JsonType, Resolved};
use crate::template::{Kind, Template};
use crate::types::{RustType, TypeModel};

/// A struct that derives `ClerkClaims`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StructSpec {
    /// The Rust type name.
    pub type_name: String,
    /// `name = "..."`: a template of its own. `None`: a claims object nested in another.
    pub name: Option<String>,
    /// `kind = "template" | "session"`.
    pub kind: Kind,
    /// `lifetime = N`.
    pub lifetime: Option<u64>,
    /// `allowed_clock_skew = N`.
    pub allowed_clock_skew: Option<u64>,
    /// `custom_signing_key`.
    pub custom_signing_key: bool,
    /// `signing_algorithm = "..."`.
    pub signing_algorithm: Option<String>,
    /// `metadata = "..."`: declared metadata shapes, as `rust.metadata` of a template file (JSON).
    pub metadata: Option<String>,
    /// `allow_shortcode = "..."` (repeatable): shortcodes newer than the catalogue.
    pub allow_shortcodes: Vec<String>,
    /// The claim fields (serde-skipped fields left out).
    pub fields: Vec<FieldSpec>,
}

/// One claim field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// The claim name (after serde renames).
    pub claim: String,
    /// Where its value comes from.
    pub source: FieldSource,
    /// Its Rust type, classified.
    pub ty: FieldType,
    /// The field's type as written (`Option<u32>`), for messages; empty: described from `ty`.
    pub type_text: String,
    /// serde reads the field through `#[serde(deserialize_with = "...")]` (or `with`): that function
    /// decides what `null` becomes (such as [`null_as_default`](../../clerk_claims_runtime/fn.null_as_default.html)),
    /// so a type that cannot hold `null` is accepted on a nullable claim.
    pub custom_deserializer: bool,
}

/// The field attribute.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldSource {
    /// `shortcode = "user.id"`.
    Shortcode(String),
    /// `template = "{{user.first_name || 'anon'}}"`.
    Template(String),
    /// `value = "authenticated"` (a string, number or boolean literal).
    Value(Value),
    /// `json = "[\"user\"]"`: any JSON, possibly holding expressions.
    Json(String),
    /// No attribute: the field's type derives `ClerkClaims` (merged into this object when flattened).
    Nested {
        /// `#[serde(flatten)]`.
        flatten: bool,
    },
}

/// A field as the derive's attributes and serde's view give it, before the field rules
/// ([`field_spec`]) make a [`FieldSpec`] of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInput {
    /// The Rust field name, for messages.
    pub ident: String,
    /// The claim name (after serde renames).
    pub claim: String,
    /// The sources given: `shortcode`, `template`, `value`, `json` (never `Nested`).
    pub sources: Vec<FieldSource>,
    /// `#[serde(flatten)]`.
    pub flatten: bool,
    /// Its Rust type, classified.
    pub ty: FieldType,
    /// The field's type as written.
    pub type_text: String,
    /// `#[serde(deserialize_with = "...")]` or `with`.
    pub custom_deserializer: bool,
}

/// Which part of a field a field rule's error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPart {
    /// The field as a whole (it has no attribute).
    Field,
    /// Its `#[clerk(...)]` attribute.
    Attribute,
}

/// The field rules: exactly one source, or none for a field whose type derives `ClerkClaims`
/// (nested, or merged when `#[serde(flatten)]`); a flattened field takes no source.
///
/// ```
/// use clerk_claims_codegen::derive::{field_spec, FieldInput, FieldPart, FieldSource, FieldType};
/// let input = |sources: Vec<FieldSource>, ty| FieldInput {
///     ident: "email".into(), claim: "email".into(), sources, flatten: false, ty,
///     type_text: String::new(), custom_deserializer: false,
/// };
/// let shortcode = || FieldSource::Shortcode("user.id".into());
/// assert!(field_spec(input(vec![shortcode()], FieldType::String)).is_ok());
/// let (part, d) = field_spec(input(vec![], FieldType::String)).unwrap_err();
/// assert_eq!(part, FieldPart::Field);
/// assert!(d.message.contains("has no #[clerk(...)] attribute"));
/// let (part, _) = field_spec(input(vec![shortcode(), shortcode()], FieldType::String)).unwrap_err();
/// assert_eq!(part, FieldPart::Attribute);
/// assert!(matches!(field_spec(input(vec![], FieldType::Other("Org".into()))).unwrap().source, FieldSource::Nested { flatten: false }));
/// ```
///
/// # Errors
/// The rule broken, and the part of the field it is about.
pub fn field_spec(input: FieldInput) -> Result<FieldSpec, (FieldPart, Diagnostic)> {
    let FieldInput { ident, claim, mut sources, flatten, ty, type_text, custom_deserializer } = input;
    let rule = |part, message: String, help: &str| {
        Err((part, Diagnostic::file_error(Code::InvalidTemplate, message).with_help(help)))
    };
    let source = match sources.len() {
        0 if matches!(ty, FieldType::Other(_)) || flatten => FieldSource::Nested { flatten },
        0 => {
            return rule(
                FieldPart::Field,
                format!(
                    "field `{ident}` has no #[clerk(...)] attribute, so Clerk would not know what to put in claim `{claim}`"
                ),
                "add #[clerk(shortcode = \"user.id\")], #[clerk(template = \"{{user.first_name || 'anon'}}\")], \
                 #[clerk(value = \"constant\")] or #[clerk(json = \"[...]\")]; or use a type that derives ClerkClaims",
            );
        }
        1 => sources.remove(0),
        _ => {
            return rule(
                FieldPart::Attribute,
                format!("field `{ident}` has more than one of shortcode, template, value and json"),
                "keep exactly one",
            );
        }
    };
    if flatten && !matches!(source, FieldSource::Nested { .. }) {
        return Err((
            FieldPart::Attribute,
            Diagnostic::file_error(
                Code::InvalidTemplate,
                format!(
                    "`#[serde(flatten)]` field `{ident}` must be a type that derives ClerkClaims, with no clerk attribute"
                ),
            ),
        ));
    }
    Ok(FieldSpec { claim, source, ty, type_text, custom_deserializer })
}

/// `kind = "..."` of the derive: `template` (the default) or `session`.
///
/// ```
/// use clerk_claims_codegen::{derive::parse_kind, Kind};
/// assert_eq!(parse_kind("session").unwrap(), Kind::Session);
/// assert!(parse_kind("machine").unwrap_err().message.contains("unknown kind `machine`"));
/// ```
///
/// # Errors
/// Any other kind.
pub fn parse_kind(kind: &str) -> Result<Kind, Diagnostic> {
    match kind {
        "template" => Ok(Kind::Template),
        "session" => Ok(Kind::Session),
        other => Err(Diagnostic::file_error(Code::InvalidTemplate, format!("unknown kind `{other}`"))
            .with_help("use kind = \"template\" (a JWT template) or kind = \"session\"")),
    }
}

/// Template settings (`kind`, `lifetime`, `allowed_clock_skew`) on a struct without `name`: a
/// nested claims type takes none.
///
/// ```
/// use clerk_claims_codegen::derive::settings_without_name;
/// assert!(settings_without_name(None, true).is_some());
/// assert!(settings_without_name(Some("api"), true).is_none());
/// ```
pub fn settings_without_name(name: Option<&str>, settings_given: bool) -> Option<Diagnostic> {
    (name.is_none() && settings_given).then(|| {
        Diagnostic::file_error(Code::InvalidTemplate, "template settings without `name`").with_help(
            "a top-level template needs #[clerk(name = \"...\")]; a nested claims type takes no settings",
        )
    })
}

/// A field's Rust type, as far as the checks need to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// `String`, `Box<str>`, `Cow<str>`.
    String,
    /// Any integer type.
    Integer,
    /// `f32` / `f64`.
    Float,
    /// `bool`.
    Bool,
    /// `serde_json::Value`.
    Json,
    /// `Option<T>`.
    Option(Box<FieldType>),
    /// `Vec<T>` and other sequences.
    Vec(Box<FieldType>),
    /// `HashMap<String, T>` / `BTreeMap<String, T>` / `serde_json::Map`.
    Map(Box<FieldType>),
    /// Anything else (the user's own type): accepted.
    Other(String),
}

impl FieldType {
    fn describe(&self) -> String {
        match self {
            FieldType::String => "String".into(),
            FieldType::Integer => "an integer type".into(),
            FieldType::Float => "a float type".into(),
            FieldType::Bool => "bool".into(),
            FieldType::Json => "serde_json::Value".into(),
            FieldType::Option(inner) => format!("Option<{}>", inner.describe()),
            FieldType::Vec(inner) => format!("Vec<{}>", inner.describe()),
            FieldType::Map(_) => "a map".into(),
            FieldType::Other(name) => name.clone(),
        }
    }
}

/// Where a diagnostic belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The struct (its `#[clerk(...)]` attribute).
    Struct,
    /// One struct setting (`lifetime`, `allowed_clock_skew`, `custom_signing_key`,
    /// `signing_algorithm`, `kind`, `name`, `metadata`).
    Setting(&'static str),
    /// The value of the field at this index of [`StructSpec::fields`] (its attribute).
    Field(usize),
    /// The claim name of the field at this index (reserved names, duplicates).
    FieldName(usize),
}

/// What the derive expands from.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Problems, each on the struct or a field.
    pub diagnostics: Vec<(Target, Diagnostic)>,
    /// The claims object; nested fields hold `{}` until the nested type fills them in.
    pub claims: Value,
    /// The Dashboard / Backend API body without its `claims` (top-level types only).
    pub body: Option<Value>,
    /// The schema of this type: the whole token for a top-level type, the claims object for a
    /// nested one; nested fields hold `{}` until the nested type fills them in.
    pub schema: Value,
    /// Top-level claims with one literal value (`aud`), checked by the verifier.
    pub constants: Map<String, Value>,
}

impl Analysis {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|(_, d)| d.is_error())
    }
}

/// Checks a derive input and computes what it expands to.
///
/// ```
/// use clerk_claims_codegen::derive::{analyze, FieldSource, FieldSpec, FieldType, StructSpec, Target};
/// let spec = StructSpec {
///     type_name: "AppClaims".into(),
///     name: Some("app".into()),
///     fields: vec![FieldSpec {
///         claim: "email".into(),
///         source: FieldSource::Shortcode("user.primary_email_address".into()),
///         ty: FieldType::String,
///         type_text: "String".into(),
///         custom_deserializer: false,
///     }],
///     ..StructSpec::default()
/// };
/// let analysis = analyze(&spec);
/// let (target, d) = &analysis.diagnostics[0];
/// assert_eq!(*target, Target::Field(0));
/// assert!(d.help.as_deref().unwrap().contains("Option<String>"));
/// ```
pub fn analyze(spec: &StructSpec) -> Analysis {
    let mut diagnostics = Vec::new();
    let (text, field_spans, setting_spans) = template_text(spec, &mut diagnostics);
    let source = Source::new(spec.type_name.clone(), text);
    let (template, parse_diagnostics) = Template::parse(&source);
    let top_level = spec.name.is_some();
    let mut found = parse_diagnostics;
    if let Some(t) = &template {
        found.extend(check_claims(t, if top_level { Scope::Token } else { Scope::Nested }));
    }
    for mut d in found {
        let at = d.span.as_ref().map(|span| span.start);
        let name = at.and_then(|at| field_spans.iter().position(|(key, _)| key.contains(&at)));
        let field = at.and_then(|at| field_spans.iter().position(|(_, value)| value.contains(&at)));
        let setting =
            at.and_then(|at| setting_spans.iter().find(|(_, r)| r.contains(&at)).map(|(name, _)| *name));
        let target = match (name, field, setting) {
            (Some(i), _, _) => Target::FieldName(i),
            (None, Some(i), _) => Target::Field(i),
            (None, None, Some(setting)) => Target::Setting(setting),
            (None, None, None) => Target::Struct,
        };
        if d.code == Code::DuplicateKey {
            d.help =
                Some("two fields fill the same claim; rename one with #[serde(rename = \"...\")]".into());
        }
        diagnostics.push((target, d));
    }
    let Some(template) = template else {
        return Analysis {
            diagnostics,
            claims: Value::Null,
            body: None,
            schema: Value::Null,
            constants: Map::new(),
        };
    };
    let mut model = TypeModel::of(&template);
    if let Some(root) = model.structs.first_mut() {
        root.name.clone_from(&spec.type_name);
    }
    for (i, (field, def)) in spec.fields.iter().zip(&model.structs[0].fields).enumerate() {
        // A field whose attribute is already wrong has no value to check the type against.
        let attribute_failed = diagnostics.iter().any(|(t, d)| *t == Target::Field(i) && d.is_error());
        if attribute_failed {
            continue;
        }
        if let Some(d) = type_check(field, &def.ty) {
            diagnostics.push((Target::Field(i), d));
        }
    }
    let claims_schema = emit::claims_schema(&model, &spec.type_name);
    let (body, schema) = if top_level {
        let mut body = emit::dashboard_body(&template);
        if let Some(obj) = body.as_object_mut().filter(|_| template.kind == Kind::Template) {
            obj.insert("claims".into(), Value::Null);
        }
        (Some(body), emit::token_schema(template.kind, &spec.type_name, claims_schema))
    } else {
        (None, claims_schema)
    };
    let constants = if top_level { model.constants.into_iter().collect() } else { Map::new() };
    Analysis { diagnostics, claims: template.claims_json(), body, schema, constants }
}

/// The template file the attributes describe, the byte range of each field in it, and of each
/// setting.
type Spans = (String, Vec<(Range<usize>, Range<usize>)>, Vec<(&'static str, Range<usize>)>);

fn template_text(spec: &StructSpec, diagnostics: &mut Vec<(Target, Diagnostic)>) -> Spans {
    let quote = |s: &str| Value::String(s.to_string()).to_string();
    let mut text = String::from("{");
    let mut settings = Vec::new();
    let mut setting = |text: &mut String, name: &'static str, value: String| {
        let start = text.len();
        text.push_str(&format!("\"{name}\": {value}, "));
        settings.push((name, start..text.len()));
    };
    if let Some(name) = &spec.name {
        setting(&mut text, "name", quote(name));
        setting(&mut text, "kind", quote(spec.kind.as_str()));
        if let Some(n) = spec.lifetime {
            setting(&mut text, "lifetime", n.to_string());
        }
        if let Some(n) = spec.allowed_clock_skew {
            setting(&mut text, "allowed_clock_skew", n.to_string());
        }
        if spec.custom_signing_key {
            setting(&mut text, "custom_signing_key", "true".into());
        }
        if let Some(alg) = &spec.signing_algorithm {
            setting(&mut text, "signing_algorithm", quote(alg));
        }
    } else {
        text.push_str("\"name\": \"nested\", ");
    }
    text.push_str("\"claims\": {");
    let mut spans = Vec::new();
    for (i, field) in spec.fields.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        let start = text.len();
        let value = match &field.source {
            FieldSource::Shortcode(name) => quote(&format!("{{{{{name}}}}}")),
            FieldSource::Template(t) => quote(t),
            FieldSource::Value(v) => v.to_string(),
            FieldSource::Json(json) => match serde_json::from_str::<Value>(json) {
                Ok(v) => v.to_string(),
                Err(e) => {
                    let d =
                        Diagnostic::file_error(Code::InvalidJson, format!("`json` is not valid JSON: {e}"))
                            .with_help(
                                "write the claim's template value as JSON, e.g. json = r#\"[\"user\"]\"#",
                            );
                    diagnostics.push((Target::Field(i), d));
                    "null".into()
                }
            },
            FieldSource::Nested { .. } => "{}".into(),
        };
        let key = quote(&field.claim);
        let key_end = start + key.len();
        text.push_str(&format!("{key}: {value}"));
        spans.push((start..key_end, key_end..text.len()));
    }
    text.push('}');
    let metadata = spec.metadata.as_deref().map(|m| match serde_json::from_str::<Value>(m) {
        Ok(v) => v,
        Err(e) => {
            let d = Diagnostic::file_error(Code::MetadataHint, format!("`metadata` is not valid JSON: {e}"))
                .with_help("write it as rust.metadata in a template file: {\"user.public_metadata\": {\"role\": \"string\"}}");
            diagnostics.push((Target::Struct, d));
            Value::Object(Map::new())
        }
    });
    if metadata.is_some() || !spec.allow_shortcodes.is_empty() {
        let mut rust = Map::new();
        if let Some(m) = metadata {
            rust.insert("metadata".into(), m);
        }
        if !spec.allow_shortcodes.is_empty() {
            rust.insert(
                "allow_shortcodes".into(),
                spec.allow_shortcodes.iter().map(|s| Value::String(s.clone())).collect(),
            );
        }
        let start = text.len();
        text.push_str(&format!(", \"rust\": {}", Value::Object(rust)));
        settings.push(("metadata", start..text.len()));
    }
    text.push('}');
    (text, spans, settings)
}

/// Whether a field of type `actual` holds every value Clerk can render into a claim of type
/// `expected`; if not, the error.
fn type_check(field: &FieldSpec, expected: &RustType) -> Option<Diagnostic> {
    if matches!(field.source, FieldSource::Nested { .. }) {
        return None;
    }
    let renders = describe(expected);
    let filled_by = match &field.source {
        FieldSource::Shortcode(s) => format!("`{{{{{s}}}}}`"),
        FieldSource::Template(t) => format!("`{t}`"),
        FieldSource::Value(v) => format!("the constant `{v}`"),
        FieldSource::Json(j) => format!("`{j}`"),
        FieldSource::Nested { .. } => String::new(),
    };
    if let FieldSource::Shortcode(name) = &field.source
        && is_metadata_root(name)
        && matches!(
            strip_option(&field.ty),
            FieldType::String | FieldType::Integer | FieldType::Float | FieldType::Bool | FieldType::Vec(_)
        )
    {
        return Some(mismatch(
            field,
            &filled_by,
            "a JSON object",
            "serde_json::Value or your own metadata type",
        ));
    }
    match fits(expected, &field.ty) {
        Fit::Yes => None,
        Fit::NeedsOption if field.custom_deserializer => None,
        Fit::NeedsOption => Some(mismatch(field, &filled_by, &renders, &null_fixes(field))),
        Fit::No => Some(mismatch(field, &filled_by, &renders, &suggest_type(expected))),
    }
}

/// The two ways to take a `null` Clerk can render: a type that holds it, or an expression that
/// ends in a literal (which Clerk renders when everything before it is `null` or `false`).
fn null_fixes(field: &FieldSpec) -> String {
    let written = if field.type_text.is_empty() { field.ty.describe() } else { field.type_text.clone() };
    let option = format!("Option<{written}>");
    let fallback = match &field.ty {
        FieldType::String => Some("'default'"),
        FieldType::Integer | FieldType::Float => Some("0"),
        FieldType::Bool => Some("false"),
        _ => None,
    };
    let expression = match &field.source {
        FieldSource::Shortcode(name) => Some(format!("{{{{{name}}}}}")),
        FieldSource::Template(t) if t.trim_end().ends_with("}}") && t.trim_start().starts_with("{{") => {
            Some(t.trim().to_string())
        }
        _ => None,
    };
    match (fallback, expression, &field.ty) {
        (Some(literal), Some(expr), _) => {
            let inner = expr.trim_end_matches("}}").trim_end();
            format!(
                "{option}, or end the expression in a fallback: #[clerk(template = \"{inner} || {literal}}}}}\")]"
            )
        }
        (_, _, FieldType::Vec(_) | FieldType::Map(_) | FieldType::String) => format!(
            "{option}, or read null as the type's default: #[serde(deserialize_with = \"clerk_claims_runtime::null_as_default\")]"
        ),
        _ => option,
    }
}

fn mismatch(field: &FieldSpec, filled_by: &str, renders: &str, use_instead: &str) -> Diagnostic {
    Diagnostic::file_error(
        Code::InvalidTemplate,
        format!(
            "`{}` cannot hold what Clerk renders: {filled_by} is {renders}, the field is {}",
            field.claim,
            field.ty.describe()
        ),
    )
    .with_help(format!("use {use_instead}"))
}

fn is_metadata_root(name: &str) -> bool {
    matches!(shortcode::resolve(name), Ok(Resolved::Known(row)) if row.ty == JsonType::Metadata)
}

fn strip_option(t: &FieldType) -> &FieldType {
    match t {
        FieldType::Option(inner) => strip_option(inner),
        other => other,
    }
}

enum Fit {
    Yes,
    NeedsOption,
    No,
}

fn fits(expected: &RustType, actual: &FieldType) -> Fit {
    match (expected, actual) {
        (_, FieldType::Json) => Fit::Yes,
        // The user's own type declares what the value is when present, not that it is present.
        (RustType::Option(_), FieldType::Other(_)) => Fit::NeedsOption,
        (_, FieldType::Other(_)) => Fit::Yes,
        (RustType::Json, _) => Fit::Yes,
        (RustType::Option(inner), FieldType::Option(a)) => fits(inner, a),
        (RustType::Option(inner), a) => match fits(inner, a) {
            Fit::Yes | Fit::NeedsOption => Fit::NeedsOption,
            Fit::No => Fit::No,
        },
        (e, FieldType::Option(a)) => fits(e, a),
        (RustType::String, FieldType::String)
        | (RustType::I64, FieldType::Integer | FieldType::Float)
        | (RustType::F64, FieldType::Float)
        | (RustType::Bool, FieldType::Bool)
        | (RustType::StringMap, FieldType::Map(_))
        | (RustType::Struct(_), FieldType::Map(_)) => Fit::Yes,
        (RustType::Vec(e), FieldType::Vec(a)) => fits(e, a),
        _ => Fit::No,
    }
}

fn describe(t: &RustType) -> String {
    match t {
        RustType::String => "a string".into(),
        RustType::I64 => "an integer".into(),
        RustType::F64 => "a number".into(),
        RustType::Bool => "a boolean".into(),
        RustType::Json => "any JSON".into(),
        RustType::StringMap => "an object of strings".into(),
        RustType::Vec(inner) => {
            format!("an array of {}", describe(inner).trim_start_matches("a ").trim_start_matches("an "))
        }
        RustType::Option(inner) => format!("{} or null", describe(inner)),
        RustType::Struct(_) => "an object".into(),
    }
}

fn suggest_type(t: &RustType) -> String {
    match t {
        RustType::String => "String".into(),
        RustType::I64 => "i64".into(),
        RustType::F64 => "f64".into(),
        RustType::Bool => "bool".into(),
        RustType::Json | RustType::Struct(_) => "serde_json::Value".into(),
        RustType::StringMap => "BTreeMap<String, String>".into(),
        RustType::Vec(inner) => format!("Vec<{}>", suggest_type(inner)),
        RustType::Option(inner) => format!("Option<{}>", suggest_type(inner)),
    }
}
