//! Verify Clerk session and JWT-template tokens into typed claims: the [`Verifier`] and its
//! policy, Clerk's claims ([`SessionClaims`], [`TemplateClaims`], [`Organization`]), keys (a remote
//! JWKS, PEM, HMAC, EC, Ed25519), the [`ClerkClaims`] trait and its derive, and the integrations.
//!
//! **Verify** a session token (the key set fetched from your instance, cached):
//!
//! ```no_run
//! # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use clerk_claims_runtime::{instance::InstanceConfig, verify::TokenKind, SessionClaims, Verifier};
//! let verifier = Verifier::from_instance(&InstanceConfig::from_env()?)?; // CLERK_PUBLISHABLE_KEY, ...
//! verifier.fetch_key(token, TokenKind::Session).await?; // the one step that waits
//! let claims: SessionClaims = verifier.verify_session(token)?;
//! println!("{} (session {})", claims.user_id(), claims.sid);
//! # Ok(()) }
//! ```
//!
//! **axum** (feature `axum`): one verification per request, extractors and guards:
//!
//! ```
//! # #[cfg(feature = "axum")] {
//! use axum::{Router, routing::get};
//! use clerk_claims_runtime::axum::{Auth, ClerkLayer, Require};
//! # let verifier = clerk_claims_runtime::Verifier::new(clerk_claims_runtime::Jwks::default());
//! let app: Router = Router::new()
//!     .route("/me", get(|auth: Auth| async move { auth.user_id().to_string() }))
//!     .route("/admin", get(|| async { "admin" }).route_layer(Require::role("org:admin")))
//!     .layer(ClerkLayer::new(verifier));
//! # }
//! ```
//!
//! **Derive** a claims type and the template it stands for, checked at compile time:
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
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `derive` | yes | `#[derive(ClerkClaims)]`, `clerk_template!` (compile time only: the engine runs inside the compiler) |
//! | `remote` | yes | `keys::RemoteJwks`: the instance key set over HTTPS, cached, refreshed ahead, single-flight; `Verifier::fetch_key` fetches it |
//! | `axum` | no | `clerk_claims_runtime::axum`: `ClerkLayer`, `Auth<C>`, `Require` guards (axum 0.8, any tower stack) |
//! | `actix-web` | no | `clerk_claims_runtime::actix`: `ClerkMiddleware`, `Auth<C>`, `Require` guards (actix-web 4), the same responses |
//! | `config` | with `axum`, `actix-web` | `clerk.toml` under the environment in `instance::InstanceConfig` |
//! | `schemars` | no | `schemars::JsonSchema` for claims types, with the engine's schema |
//! | `backend` | no | `clerk_claims_runtime::backend`: the Backend API client (sessions, tokens, users, organizations, JWT templates) |
//!
//! The dev issuer for tests is a crate of its own, `clerk-claims-dev`; the build-time generator is
//! `clerk-claims-codegen`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// docs.rs (nightly) badges every feature-gated item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "actix-web")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix-web")))]
pub mod actix;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
#[cfg(feature = "backend")]
#[cfg_attr(docsrs, doc(cfg(feature = "backend")))]
pub mod backend;
pub mod claims;
mod error;
pub mod instance;
pub mod keys;
pub mod request;
pub mod session_settings;
mod strict;
pub mod times;
pub mod urls;
pub mod verify;
#[cfg(any(feature = "axum", feature = "actix-web"))]
mod web;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;

pub use claims::{ClerkClaims, Organization, SessionClaims, TemplateClaims, null_as_default};
pub use error::{Reason, VerifyError};
pub use keys::Jwks;
pub use verify::Verifier;

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
