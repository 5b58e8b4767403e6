//! What an application links to use Clerk claims: the [`ClerkClaims`] trait and its derive, the
//! generated claim types ([`include_claims!`], [`clerk_template!`]).
//!
//! ```
//! use clerk_claims_runtime::ClerkClaims;
//!
//! #[derive(ClerkClaims, serde::Deserialize)]
//! #[clerk(name = "hasura")]
//! struct HasuraClaims {
//!     #[serde(rename = "https://hasura.io/jwt/claims")]
//!     hasura: Hasura,
//! }
//!
//! #[derive(ClerkClaims, serde::Deserialize)]
//! #[serde(rename_all = "kebab-case")]
//! struct Hasura {
//!     #[clerk(shortcode = "user.id")]
//!     x_hasura_user_id: String,
//!     #[clerk(value = "user")]
//!     x_hasura_default_role: String,
//!     #[clerk(json = r#"["user"]"#)]
//!     x_hasura_allowed_roles: Vec<String>,
//! }
//!
//! let claims = &HasuraClaims::template_json()["claims"]["https://hasura.io/jwt/claims"];
//! assert_eq!(claims["x-hasura-user-id"], "{{user.id}}");
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// docs.rs (nightly) badges every feature-gated item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
#[cfg(feature = "backend")]
#[cfg_attr(docsrs, doc(cfg(feature = "backend")))]
pub mod backend;
pub mod claims;
pub mod instance;
pub mod keys;
pub mod request;
pub mod session;
pub mod urls;
pub mod verify;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;

pub use claims::{ClerkClaims, Organization, SessionClaims, TemplateClaims, null_as_default};
pub use keys::Jwks;
pub use verify::{Reason, Verifier, VerifyError};

/// `#[derive(ClerkClaims)]`; see [`ClerkClaims`](trait@ClerkClaims).
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use clerk_claims_macros::ClerkClaims;

/// Generates the claim types of one template file, without a build script. The path is relative
/// to the crate's `Cargo.toml`; the crate rebuilds when the file changes, and every check of
/// `clerk-claims check` is a compile error here.
///
/// ```
/// clerk_claims_runtime::clerk_template!("templates/hasura.json");
///
/// use clerk_claims_runtime::ClerkClaims;
/// let claims: HasuraClaims = serde_json::from_value(serde_json::json!({
///     "https://hasura.io/jwt/claims": {
///         "x-hasura-allowed-roles": ["user"],
///         "x-hasura-default-role": "user",
///         "x-hasura-user-id": "user_1"
///     }
/// })).unwrap();
/// assert_eq!(claims.hasura_io_jwt_claims.x_hasura_user_id, "user_1");
/// assert_eq!(HasuraClaims::template_json()["name"], "hasura");
/// ```
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use clerk_claims_macros::clerk_template;

/// Includes the claim types the build.rs generator wrote (`$OUT_DIR/clerk_claims.rs`).
///
/// ```ignore
/// // build.rs: clerk_claims_codegen::Generator::new().templates_dir("templates").generate()?;
/// clerk_claims_runtime::include_claims!();
/// ```
#[macro_export]
macro_rules! include_claims {
    () => {
        ::core::include!(::core::concat!(::core::env!("OUT_DIR"), "/clerk_claims.rs"));
    };
}
