//! JSON Schema (draft 2020-12) of a template's claims and of the whole token payload.

use serde_json::{Map, Value, json};

use crate::template::{Kind, Template};
use crate::types::{Fill, RustType, StructDef, TypeModel};

/// The schema dialect of every schema this crate writes.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema of the whole token payload `template` produces: what `generate` writes as
/// `<name>.schema.json`, what the generated type's `json_schema()` returns, and what `clerk-claims
/// verify --template` checks a payload against.
///
/// ```
/// use clerk_claims_codegen::{Source, emit::template_schema, template::Template, types::TypeModel};
/// let (t, _) = Template::parse(&Source::new("app.json", r#"{"role": "{{user.public_metadata.role}}"}"#));
/// let t = t.unwrap();
/// let schema = template_schema(&t, &TypeModel::of(&t));
/// assert_eq!(schema["title"], "AppClaims");
/// // A user without `role` in their metadata gets `"role": null`.
/// assert_eq!(schema["properties"]["role"], serde_json::json!({}));
/// ```
pub fn template_schema(template: &Template, model: &TypeModel) -> Value {
    let title = &model.root().name;
    token_schema(template.kind, title, claims_schema(model, title))
}

/// The schema of the claims object of `model`'s struct named `name` (nested structs inline; nested
/// claims structs the model does not hold become `{}`).
///
/// ```
/// use clerk_claims_codegen::{Source, emit::claims_schema, template::Template, types::TypeModel};
/// let (t, _) = Template::parse(&Source::new("a.json", r#"{"aud": "x", "email": "{{user.primary_email_address}}"}"#));
/// let model = TypeModel::of(&t.unwrap());
/// let schema = claims_schema(&model, "AClaims");
/// assert_eq!(schema["properties"]["aud"], serde_json::json!({"const": "x"}));
/// assert_eq!(schema["required"], serde_json::json!(["aud"]));
/// ```
pub fn claims_schema(model: &TypeModel, name: &str) -> Value {
    match model.get(name) {
        Some(def) => struct_schema(model, def),
        None => json!({}),
    }
}

fn struct_schema(model: &TypeModel, def: &StructDef) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in &def.fields {
        let schema = match &field.fill {
            Fill::Value(v) => json!({ "const": v }),
            Fill::Json(v) if !contains_expression(v) => json!({ "const": v }),
            _ => type_schema(model, &field.ty),
        };
        properties.insert(field.claim.clone(), schema);
        // Required exactly when the generated type needs the key: a nullable field reads a missing
        // key as `None` (or `null`), as it reads a metadata property nobody stored.
        if !field.ty.is_nullable() {
            required.push(Value::String(field.claim.clone()));
        }
    }
    json!({ "type": "object", "properties": properties, "required": required })
}

fn contains_expression(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("{{"),
        Value::Array(items) => items.iter().any(contains_expression),
        Value::Object(m) => m.values().any(contains_expression),
        _ => false,
    }
}

fn type_schema(model: &TypeModel, ty: &RustType) -> Value {
    match ty {
        RustType::String => json!({"type": "string"}),
        RustType::I64 => json!({"type": "integer"}),
        RustType::F64 => json!({"type": "number"}),
        RustType::Bool => json!({"type": "boolean"}),
        RustType::Json => json!({}),
        RustType::StringMap => {
            json!({"type": "object", "additionalProperties": {"type": "string"}})
        }
        RustType::Vec(inner) => json!({"type": "array", "items": type_schema(model, inner)}),
        RustType::Option(inner) => or_null(type_schema(model, inner)),
        RustType::Struct(name) => claims_schema(model, name),
    }
}

/// `schema` that also accepts `null`: `"type": ["T", "null"]`. Any JSON (`{}`) already does.
fn or_null(mut schema: Value) -> Value {
    match schema.get_mut("type") {
        Some(ty @ Value::String(_)) => {
            *ty = json!([ty.take(), "null"]);
            schema
        }
        Some(_) => json!({"anyOf": [schema, {"type": "null"}]}),
        None => schema,
    }
}

/// The schema of a whole token payload: Clerk's registered claims for `kind` plus the claims of
/// `claims` (an object schema from [`claims_schema`]).
///
/// ```
/// use clerk_claims_codegen::{emit::token_schema, template::Kind};
/// let schema = token_schema(Kind::Template, "HasuraClaims", serde_json::json!({"type": "object", "properties": {}, "required": []}));
/// assert_eq!(schema["title"], "HasuraClaims");
/// assert!(schema["required"].as_array().unwrap().contains(&"sub".into()));
/// assert!(schema["properties"].get("sid").is_none());
/// ```
pub fn token_schema(kind: Kind, title: &str, claims: Value) -> Value {
    let string = json!({"type": "string"});
    let int = json!({"type": "integer"});
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    // Required: what the runtime's claims types require (`sub`, `exp`, and a session's `sid`), so
    // the schema accepts exactly the payloads the generated type reads. Clerk also always sets
    // `iat`, `iss` and `nbf`; the verifier's policy checks those, not the schema.
    let registered: &[(&str, &Value, bool)] = &[
        ("azp", &string, false),
        ("exp", &int, true),
        ("iat", &int, false),
        ("iss", &string, false),
        ("nbf", &int, false),
        ("sub", &string, true),
    ];
    for (name, schema, req) in registered {
        properties.insert((*name).into(), (*schema).clone());
        if *req {
            required.push((*name).into());
        }
    }
    match kind {
        Kind::Template => {
            properties.insert("jti".into(), string.clone());
        }
        Kind::Session => {
            properties.insert("sid".into(), string.clone());
            required.push("sid".into());
            properties.insert("jti".into(), string.clone());
            properties.insert("v".into(), json!({"type": "integer", "enum": [2]}));
            properties.insert(
                "fva".into(),
                json!({"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}),
            );
            properties.insert("sts".into(), json!({"type": "string"}));
            properties.insert("pla".into(), json!({"type": "string"}));
            properties.insert("fea".into(), json!({"type": "string"}));
            properties.insert("act".into(), json!({"type": "object", "properties": {"sub": {"type": "string"}, "iss": {"type": "string"}, "sid": {"type": "string"}}}));
            properties.insert(
                "o".into(),
                json!({
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"}, "slg": {"type": "string"}, "rol": {"type": "string"},
                        "per": {"type": "string"}, "fpm": {"type": "string"}
                    },
                    "required": ["id"]
                }),
            );
            for v1 in ["org_id", "org_role", "org_slug"] {
                properties.insert(v1.into(), string.clone());
            }
            properties
                .insert("org_permissions".into(), json!({"type": "array", "items": {"type": "string"}}));
        }
    }
    if let Some(props) = claims.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            properties.insert(k.clone(), v.clone());
        }
    }
    if let Some(req) = claims.get("required").and_then(Value::as_array) {
        required.extend(req.iter().filter(|r| !required.contains(r)).cloned().collect::<Vec<_>>());
    }
    json!({
        "$schema": DIALECT,
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
    })
}
