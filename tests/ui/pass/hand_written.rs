//! Hand-written claims types: every attribute form, serde renames, nesting and flattening.

use clerk_claims_runtime::ClerkClaims;
use serde::Deserialize;

#[derive(ClerkClaims, Deserialize)]
#[clerk(name = "app", lifetime = 300, allowed_clock_skew = 10)]
#[serde(rename_all = "camelCase")]
struct AppClaims {
    #[clerk(value = "https://api.example.com")]
    aud: String,
    #[clerk(shortcode = "user.primary_email_address")]
    primary_email: Option<String>,
    #[clerk(template = "{{user.username || user.first_name || 'anon'}}")]
    display_name: String,
    #[clerk(template = "{{user.first_name}} {{user.last_name}}")]
    full_name: String,
    #[clerk(shortcode = "user.created_at")]
    created_at: u64,
    #[clerk(shortcode = "user.two_factor_enabled")]
    mfa: bool,
    #[clerk(shortcode = "org_membership.permissions")]
    permissions: Option<Vec<String>>,
    #[clerk(shortcode = "user.public_metadata")]
    metadata: Metadata,
    #[clerk(json = r#"["user", "{{org.role}}"]"#)]
    roles: serde_json::Value,
    #[clerk(value = 2)]
    version: i32,
    #[serde(rename = "https://example.com/claims")]
    ns: Namespace,
    #[serde(flatten)]
    extra: Extra,
    #[serde(skip)]
    #[allow(dead_code)]
    local_only: (),
}

#[derive(Deserialize)]
struct Metadata {
    #[allow(dead_code)]
    role: Option<String>,
}

#[derive(ClerkClaims, Deserialize)]
struct Namespace {
    #[clerk(shortcode = "org.id")]
    org_id: Option<String>,
}

#[derive(ClerkClaims, Deserialize)]
struct Extra {
    #[clerk(shortcode = "user.image_url")]
    picture: String,
}

#[derive(ClerkClaims, Deserialize)]
#[clerk(name = "newer", allow_shortcode = "user.some_future_field")]
struct Newer {
    #[clerk(shortcode = "user.some_future_field")]
    future: serde_json::Value,
}

#[derive(ClerkClaims, Deserialize)]
#[clerk(
    name = "session",
    kind = "session",
    metadata = r#"{"user.public_metadata": {"role": "string?"}}"#
)]
struct SessionCustomClaims {
    #[clerk(shortcode = "user.public_metadata.role")]
    role: Option<String>,
}

fn main() {
    let body = AppClaims::template_json();
    assert_eq!(body["lifetime"], 300);
    let claims = &body["claims"];
    assert_eq!(claims["primaryEmail"], "{{user.primary_email_address}}");
    assert_eq!(claims["https://example.com/claims"]["org_id"], "{{org.id}}");
    assert_eq!(claims["picture"], "{{user.image_url}}");
    assert!(claims.get("localOnly").is_none());
    assert_eq!(AppClaims::constant_claims()["aud"], "https://api.example.com");
    let schema = AppClaims::json_schema();
    assert_eq!(schema["properties"]["picture"]["type"], "string");
    assert_eq!(schema["properties"]["https://example.com/claims"]["type"], "object");
    assert!(schema["required"].as_array().unwrap().contains(&"picture".into()));
    assert_eq!(Newer::template_json()["claims"]["future"], "{{user.some_future_field}}");
    assert_eq!(SessionCustomClaims::template_json(), serde_json::json!({"role": "{{user.public_metadata.role}}"}));
    assert!(SessionCustomClaims::json_schema()["required"].as_array().unwrap().contains(&"sid".into()));
}
