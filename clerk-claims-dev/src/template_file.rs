//! A template file (the JSON a repository checks in) as the Backend API takes it: what `push`,
//! `clerk-claims dev --templates` and the dashboard's template editor send.

use clerk_claims_codegen::Template;
use clerk_claims_codegen::emit::dashboard_body;
use serde_json::Value;

/// The Backend API body of a template (`POST /v1/jwt_templates`), with its signing key when it
/// has a custom one.
///
/// # Errors
/// What [`template_signing_key`] says is missing.
///
/// ```
/// use clerk_claims_codegen::{Source, template::Template};
/// let (t, _) = Template::parse(&Source::new("api.json", r#"{"aud": "api"}"#));
/// let body = clerk_claims_dev::template_api_body(&t.unwrap()).unwrap();
/// assert_eq!(body["name"], "api");
/// assert!(body.get("signing_key").is_none());
/// ```
pub fn template_api_body(template: &Template) -> Result<Value, String> {
    let mut body = dashboard_body(template);
    if let (Some(key), Some(obj)) = (template_signing_key(template)?, body.as_object_mut()) {
        obj.insert("signing_key".into(), key.into());
    }
    Ok(body)
}

/// A custom-key template's signing key, from the environment variable its `signing_key_env`
/// names; `None` for a template signed by the instance key.
///
/// # Errors
/// The variable is unset or empty, or the template has a custom key and no `signing_key_env`.
///
/// ```
/// use clerk_claims_codegen::{Source, template::Template};
/// let text = r#"{"custom_signing_key": true, "signing_algorithm": "HS256", "claims": {}}"#;
/// let (t, _) = Template::parse(&Source::new("api.json", text));
/// let error = clerk_claims_dev::template_signing_key(&t.unwrap()).unwrap_err();
/// assert!(error.contains("signing_key_env"));
/// ```
pub fn template_signing_key(template: &Template) -> Result<Option<String>, String> {
    let settings = &template.settings;
    match (settings.custom_signing_key, &settings.signing_key_env) {
        (true, Some(var)) => std::env::var(var).ok().filter(|k| !k.is_empty()).map(Some).ok_or_else(|| {
            format!("`signing_key_env` names {var}, which is not set; set it to the template's signing key")
        }),
        (true, None) => {
            Err("a custom signing key needs `signing_key_env` naming the variable that holds it".into())
        }
        (false, _) => Ok(None),
    }
}
