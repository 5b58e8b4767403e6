//! Claims types: Clerk's registered claims, session and JWT-template tokens with typed custom claims,
//! the normalised organization, and the [`ClerkClaims`] trait of template types.

mod organization;
mod registered;
mod template;
pub(crate) mod tokens;

use serde::{Deserialize, Deserializer};

pub use organization::{Organization, split_by_scope};
// Minting's, for clerk-claims-dev: not what an application verifying tokens needs.
#[doc(hidden)]
pub use organization::{OrgClaim, encode_v2};
pub use registered::{Audience, RegisteredClaims};
pub(crate) use registered::{MAX_NUMERIC_DATE, whole_seconds};
pub use template::ClerkClaims;
pub use tokens::{ClaimsError, SessionClaims, TemplateClaims};

/// Reads `null` as the type's default, for `#[serde(deserialize_with = "...")]` on a claim Clerk can
/// render as `null` (an empty `Vec` for a user whose metadata has no `features`). The derive accepts
/// a type that cannot hold `null` on such a claim when serde reads it through a function like this.
///
/// ```
/// use clerk_claims_runtime::ClerkClaims;
///
/// #[derive(ClerkClaims, serde::Deserialize)]
/// #[clerk(name = "app")]
/// struct AppClaims {
///     #[clerk(shortcode = "user.public_metadata.features")]
///     #[serde(deserialize_with = "clerk_claims_runtime::null_as_default")]
///     features: Vec<String>,
/// }
///
/// let claims: AppClaims = serde_json::from_str(r#"{"features": null}"#).unwrap();
/// assert!(claims.features.is_empty());
/// let claims: AppClaims = serde_json::from_str(r#"{"features": ["beta"]}"#).unwrap();
/// assert_eq!(claims.features, ["beta"]);
/// ```
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
