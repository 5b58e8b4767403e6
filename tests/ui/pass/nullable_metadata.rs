//! Claims Clerk can render as `null`, held by types that take it: `Option`, `serde_json::Value`,
//! a literal fallback, and `null_as_default`.

use clerk_claims_runtime::ClerkClaims;
use serde::Deserialize;

#[derive(ClerkClaims, Deserialize)]
#[clerk(
    name = "app",
    metadata = r#"{"user.public_metadata": {"role": "string", "features": {"type": "array", "items": "string"}},
                   "org.public_metadata": {"seats": "integer"}}"#
)]
struct AppClaims {
    #[clerk(shortcode = "user.public_metadata.role")]
    role: Option<String>,
    #[clerk(template = "{{user.public_metadata.role || 'member'}}")]
    role_or_member: String,
    #[clerk(template = "{{user.public_metadata.owner || user.id}}")]
    owner: String,
    #[clerk(shortcode = "user.public_metadata.anything")]
    anything: serde_json::Value,
    #[clerk(shortcode = "org.public_metadata.seats")]
    seats: Option<u32>,
    #[clerk(template = "{{org.public_metadata.seats || 1}}")]
    seats_or_one: u32,
    #[clerk(shortcode = "user.public_metadata.features")]
    #[serde(deserialize_with = "clerk_claims_runtime::null_as_default")]
    features: Vec<String>,
    #[clerk(shortcode = "org_membership.public_metadata.title")]
    title: Option<Title>,
    #[clerk(shortcode = "user.unsafe_metadata.theme")]
    theme: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Title {
    text: String,
}

fn main() {
    let new_user: AppClaims = serde_json::from_value(serde_json::json!({
        "role": null, "role_or_member": "member", "owner": "user_1", "anything": null, "seats": null,
        "seats_or_one": 1, "features": null, "title": null, "theme": null,
    }))
    .unwrap();
    assert_eq!(new_user.role, None);
    assert_eq!(new_user.role_or_member, "member");
    assert_eq!(new_user.owner, "user_1");
    assert!(new_user.anything.is_null());
    assert_eq!((new_user.seats, new_user.seats_or_one), (None, 1));
    assert!(new_user.features.is_empty());
    assert_eq!((new_user.title, new_user.theme), (None, None));
    let schema = AppClaims::json_schema();
    assert_eq!(schema["properties"]["role"]["type"], serde_json::json!(["string", "null"]));
    assert_eq!(schema["properties"]["role_or_member"]["type"], "string");
}
