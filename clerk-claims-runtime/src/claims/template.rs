//! The `ClerkClaims` trait: what a claims type knows about the Clerk template it stands for.

use serde_json::{Map, Value};

/// A claims type that stands for a Clerk JWT template (or the session-token customization): derived
/// with `#[derive(ClerkClaims)]`, or generated from a template file by the build.rs generator or
/// `clerk_template!`.
///
/// # The derive
///
/// Struct attributes: `#[clerk(name = "...", lifetime = N, allowed_clock_skew = N, kind = "template" |
/// "session", custom_signing_key, signing_algorithm = "...", crate = "path")]`. A struct without
/// `name` is a claims object nested in another one. `json_schema` also implements
/// `schemars::JsonSchema` (with the runtime's `schemars` feature) with this type's
/// [`ClerkClaims::json_schema`]: the engine's schema, which knows Clerk's nullability, constants and
/// declared metadata shapes, where one derived from the Rust types would not. That is the one way:
/// do not add `#[derive(JsonSchema)]` beside it (two impls of one trait). Generated types carry it.
///
/// Field attributes (exactly one): `shortcode = "user.id"`, `template = "any {{expression}}"`,
/// `value = literal` (a string, number or boolean constant) or `json = "..."` (any JSON, such as an
/// array). A field without one has a type that derives `ClerkClaims` (a nested object; merged into the
/// parent with `#[serde(flatten)]`). serde's `rename`, `rename_all` and `skip` decide the claim names.
///
/// Everything Clerk would silently turn into `null` is a compile error on the field at fault: unknown
/// shortcodes (with a suggestion), private metadata, reserved claims, malformed expressions, settings
/// out of range, a type that cannot hold what Clerk renders (`String` for a nullable shortcode).
///
/// # Nullability
///
/// A claim is nullable when Clerk can render `null` into it: a nullable shortcode (`org.id`,
/// `user.primary_email_address`, ...), and every path into metadata at any depth
/// (`user.public_metadata.role`, `user.unsafe_metadata.x`, `org.public_metadata.x`,
/// `org_membership.public_metadata.x`), since users and organizations without that key exist. A
/// `metadata = "..."` hint, like the field's own type, says what the value is *when present*. A
/// `||` chain is nullable unless its last operand cannot be `null` (a literal, or a shortcode Clerk
/// always renders such as `user.id`). A nullable claim needs a field that holds `null`:
/// `Option<T>`, `serde_json::Value`, or a field serde reads through `deserialize_with` (such as
/// [`null_as_default`](crate::null_as_default)); anything else is a compile error whose help names
/// `Option<T>` and a literal fallback (`{{user.public_metadata.role || 'member'}}`).
///
/// `user.unsafe_metadata` can be written by the user from the browser: `clerk-claims check` warns
/// wherever it feeds a claim, and a claim named like an authorization claim (`role`, `permissions`,
/// `admin`, `plan`, ...) filled from it is an error.
///
/// ```
/// use clerk_claims_runtime::ClerkClaims;
///
/// #[derive(ClerkClaims, serde::Deserialize)]
/// #[clerk(name = "supabase", lifetime = 60, allowed_clock_skew = 5)]
/// struct SupabaseClaims {
///     #[clerk(value = "authenticated")]
///     aud: String,
///     #[clerk(shortcode = "user.primary_email_address")]
///     email: Option<String>,
///     #[clerk(template = "{{user.first_name || 'anon'}}")]
///     name: String,
///     #[clerk(shortcode = "user.public_metadata")]
///     app_metadata: serde_json::Value,
///     #[serde(rename = "https://example.com/claims")]
///     ns: Nested,
/// }
///
/// #[derive(ClerkClaims, serde::Deserialize)]
/// struct Nested {
///     #[clerk(shortcode = "user.id")]
///     user_id: String,
/// }
///
/// let body = SupabaseClaims::template_json();
/// assert_eq!(body["name"], "supabase");
/// assert_eq!(body["claims"]["email"], "{{user.primary_email_address}}");
/// assert_eq!(body["claims"]["https://example.com/claims"]["user_id"], "{{user.id}}");
/// assert_eq!(SupabaseClaims::constant_claims()["aud"], "authenticated");
/// let schema = SupabaseClaims::json_schema();
/// assert_eq!(schema["properties"]["email"]["type"], serde_json::json!(["string", "null"]));
/// ```
///
/// Metadata needs `Option` (or a fallback), whatever the hint says:
///
/// ```
/// use clerk_claims_runtime::ClerkClaims;
///
/// #[derive(ClerkClaims, serde::Deserialize)]
/// #[clerk(name = "app", metadata = r#"{"user.public_metadata": {"role": "string", "seats": "integer"}}"#)]
/// struct AppClaims {
///     #[clerk(shortcode = "user.public_metadata.seats")]
///     seats: Option<i64>,
///     #[clerk(template = "{{user.public_metadata.role || 'member'}}")]
///     role: String,
/// }
///
/// let new_user: AppClaims = serde_json::from_str(r#"{"seats": null, "role": "member"}"#).unwrap();
/// assert_eq!(new_user.seats, None);
/// ```
///
/// ```compile_fail
/// use clerk_claims_runtime::ClerkClaims;
/// #[derive(ClerkClaims)]
/// #[clerk(name = "app")]
/// struct AppClaims {
///     #[clerk(shortcode = "user.public_metadata.role")] // null for a user without `role`
///     role: String,
/// }
/// ```
///
/// A mistake is a compile error:
///
/// ```compile_fail
/// use clerk_claims_runtime::ClerkClaims;
/// #[derive(ClerkClaims)]
/// #[clerk(name = "app")]
/// struct AppClaims {
///     #[clerk(shortcode = "user.email")] // did you mean `user.primary_email_address`?
///     email: Option<String>,
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Clerk claims type",
    label = "this field has no #[clerk(...)] attribute and its type does not derive ClerkClaims",
    note = "add #[clerk(shortcode = \"...\")], #[clerk(template = \"...\")] or #[clerk(value = ...)] to the field, or #[derive(ClerkClaims)] to `{Self}`"
)]
pub trait ClerkClaims {
    /// The template's claims object (nested claims types: their object).
    fn claims_json() -> Value;

    /// What to hand to Clerk: the `POST /v1/jwt_templates` body for a JWT template, the claims object
    /// for a session customization (and for a nested claims type).
    fn template_json() -> Value;

    /// JSON Schema (draft 2020-12) of the whole token payload: the template's claims plus the claims
    /// Clerk adds (nested claims types: the schema of their object).
    ///
    /// It stays a `serde_json::Value` with the `schemars` feature too: a trait whose signature
    /// changed with a feature would break every crate implementing it whenever another crate in the
    /// build turned the feature on. `schemars::JsonSchema` (feature `schemars`) wraps it instead.
    fn json_schema() -> Value;

    /// Top-level claims with a constant value (such as `aud`); verification checks them.
    fn constant_claims() -> Map<String, Value> {
        Map::new()
    }
}
