use serde_json::{Value, json};

use crate::template::{Kind, Template};

/// What to hand to Clerk: for a JWT template, exactly the body of `POST /v1/jwt_templates` (our file
/// without `rust`, with every setting spelled out); for a session customization, the claims object
/// that goes into the "Customize session token" editor.
///
/// ```
/// use clerk_claims_codegen::{Source, emit::dashboard_body, template::Template};
/// let (t, _) = Template::parse(&Source::new("hasura.json", r#"{"x": "{{user.id}}"}"#));
/// assert_eq!(
///     dashboard_body(&t.unwrap()),
///     serde_json::json!({
///         "name": "hasura",
///         "claims": {"x": "{{user.id}}"},
///         "lifetime": 60,
///         "allowed_clock_skew": 5,
///         "custom_signing_key": false,
///     })
/// );
/// ```
pub fn dashboard_body(template: &Template) -> Value {
    if template.kind == Kind::Session {
        return template.claims_json();
    }
    let settings = &template.settings;
    let mut body = json!({
        "name": template.name,
        "claims": template.claims_json(),
        "lifetime": settings.lifetime,
        "allowed_clock_skew": settings.allowed_clock_skew,
        "custom_signing_key": settings.custom_signing_key,
    });
    if let (true, Some(alg), Some(obj)) =
        (settings.custom_signing_key, &settings.signing_algorithm, body.as_object_mut())
    {
        obj.insert("signing_algorithm".into(), Value::String(alg.clone()));
    }
    body
}
