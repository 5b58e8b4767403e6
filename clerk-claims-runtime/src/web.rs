//! What every web integration shares (axum's [`crate::axum`], actix-web's [`crate::actix`]), so
//! there is one policy and one answer whatever the framework: the outcome of verifying a
//! request's token ([`AuthState`]), the guards' requirements, and the refusal, a 401 or a 403 with
//! its `WWW-Authenticate` challenge and `{"error": "<reason>"}` body.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use std::ops::Deref;

use crate::claims::SessionClaims;
use crate::request::Carrier;
use crate::verify::{Reason, Verifier, VerifyError};

/// The outcome of verifying a request's token, stored in the request's extensions by the layer
/// (axum's `ClerkLayer`, actix-web's `ClerkMiddleware`).
#[derive(Debug, Clone)]
pub enum AuthState {
    /// No token was sent.
    SignedOut,
    /// A valid session token.
    SignedIn(Arc<SignedInRequest>),
    /// A token was sent but rejected.
    Rejected {
        /// Why.
        error: Arc<VerifyError>,
        /// Header or cookie.
        carrier: Carrier,
    },
}

/// A verified session token.
#[derive(Debug)]
pub struct SignedInRequest {
    /// Clerk's claims (custom claims kept as JSON for guards; `Auth<C>` reads them typed).
    pub claims: Arc<SessionClaims<serde_json::Value>>,
    /// Where the token came from.
    pub carrier: Carrier,
    /// The token cache's entry: claims read once per type, shared by later requests.
    entry: Arc<crate::verify::cache::Entry>,
}

/// Verifies the request's token (found by [`crate::request`]): one verification, or one cache hit.
pub(crate) async fn authenticate(verifier: &Verifier, token: Option<(&str, Carrier)>) -> AuthState {
    let Some((token, carrier)) = token else {
        return AuthState::SignedOut;
    };
    match verifier.session_entry::<serde_json::Value>(token).await {
        Ok((entry, claims)) => AuthState::SignedIn(Arc::new(SignedInRequest { claims, carrier, entry })),
        Err(error) => {
            tracing::info!(reason = %error.reason, carrier = carrier.as_str(), "session token rejected");
            AuthState::Rejected { error: Arc::new(error), carrier }
        }
    }
}

/// Whether `path` (the path the client sent) matches a protected-path pattern: `/admin` exactly,
/// `/admin/*` for it and everything below it.
pub(crate) fn protects(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix("/*") {
        Some(prefix) => path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/')),
        None => pattern == path,
    }
}

/// Why a request was refused: a 401 (signed out, invalid token) or a 403 (signed in, not
/// allowed). Returned as a response, it carries the `WWW-Authenticate` challenge and the
/// `{"error": "<reason>"}` body, in every framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRejection {
    /// 401 or 403.
    pub status: u16,
    /// The reason code in the body (`token-expired`, `session-token-missing`, `role-required`, ...).
    pub reason: String,
}

impl AuthRejection {
    /// The 401 for a request in `state` (signed out, or its token rejected).
    pub fn unauthorized(state: &AuthState) -> AuthRejection {
        match state {
            AuthState::Rejected { error, .. } => {
                AuthRejection { status: 401, reason: error.reason.code().into() }
            }
            _ => AuthRejection { status: 401, reason: "session-token-missing".into() },
        }
    }

    /// A 403 with `reason` (`role-required`, ...).
    pub fn forbidden(reason: &str) -> AuthRejection {
        AuthRejection { status: 403, reason: reason.into() }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750): bare `Bearer` when no token was sent.
    pub fn challenge(&self) -> String {
        match (self.status, self.reason.as_str()) {
            (403, reason) => format!("Bearer error=\"insufficient_scope\", error_description=\"{reason}\""),
            (_, "session-token-missing") => "Bearer".to_string(),
            (_, reason) => format!("Bearer error=\"invalid_token\", error_description=\"{reason}\""),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        serde_json::json!({ "error": self.reason }).to_string()
    }

    /// The refusal as an `http` response with any body type made from a `String` (axum's, hyper's
    /// `Full`, ...): status, `content-type: application/json`, `WWW-Authenticate`, body.
    pub fn to_http<B: From<String>>(&self) -> http::Response<B> {
        let mut response = http::Response::new(B::from(self.body()));
        *response.status_mut() =
            http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::UNAUTHORIZED);
        let headers = response.headers_mut();
        headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
        if let Ok(value) = http::HeaderValue::from_str(&self.challenge()) {
            headers.insert(http::header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// The signed-in user's session: Clerk's claims and the session customization's as `C`.
/// Extracting it answers 401 when the request is signed out or its token is invalid.
#[derive(Debug, Clone)]
pub struct Auth<C = ()> {
    pub(crate) claims: Arc<SessionClaims<C>>,
    /// Where the token came from.
    pub carrier: Carrier,
}

impl<C> Deref for Auth<C> {
    type Target = SessionClaims<C>;
    fn deref(&self) -> &SessionClaims<C> {
        &self.claims
    }
}

impl<C> Auth<C> {
    /// The session id (`sid`).
    pub fn session_id(&self) -> &str {
        &self.claims.sid
    }

    /// The session customization's claims.
    pub fn custom(&self) -> &C {
        &self.claims.custom
    }

    /// The claims (shared with the token cache: later requests with the same token reuse them).
    pub fn into_claims(self) -> Arc<SessionClaims<C>> {
        self.claims
    }

    /// Requires an active organization (403 `organization-required` otherwise).
    ///
    /// # Errors
    /// The 403 to return.
    pub fn require_organization(&self) -> Result<&crate::Organization, AuthRejection> {
        self.claims.organization.as_ref().ok_or_else(|| AuthRejection::forbidden("organization-required"))
    }

    /// Requires `role` in the active organization (403 `role-required` otherwise).
    ///
    /// # Errors
    /// The 403 to return.
    pub fn require_role(&self, role: &str) -> Result<(), AuthRejection> {
        check(&Requirement::Role(role.into()), &self.claims)
    }

    /// Requires `permission` in the active organization (403 `permission-required` otherwise).
    ///
    /// # Errors
    /// The 403 to return.
    pub fn require_permission(&self, permission: &str) -> Result<(), AuthRejection> {
        check(&Requirement::Permission(permission.into()), &self.claims)
    }
}

impl std::fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.reason)
    }
}

/// A guard: 401 when signed out, 403 when signed in without what it requires. Needs the
/// framework's Clerk layer outside it: axum's `.route_layer(Require::role("org:admin"))` under
/// `ClerkLayer`, actix-web's `web::resource("/admin").wrap(Require::role("org:admin"))` under
/// `ClerkMiddleware`.
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use clerk_claims_runtime::axum::Require;
/// let _admins = Require::role("org:admin");
/// let _billing = Require::permission("org:billing:manage");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Require {
    pub(crate) requirement: Arc<Requirement>,
}

impl Require {
    /// A signed-in user.
    pub fn signed_in() -> Self {
        Require { requirement: Arc::new(Requirement::SignedIn) }
    }
    /// An active organization.
    pub fn organization() -> Self {
        Require { requirement: Arc::new(Requirement::Organization) }
    }
    /// A role in the active organization (`org:admin`).
    pub fn role(role: impl Into<String>) -> Self {
        Require { requirement: Arc::new(Requirement::Role(role.into())) }
    }
    /// A permission in the active organization (`org:billing:manage`).
    pub fn permission(permission: impl Into<String>) -> Self {
        Require { requirement: Arc::new(Requirement::Permission(permission.into())) }
    }
}

/// What a guard requires.
#[derive(Debug, Clone)]
pub(crate) enum Requirement {
    SignedIn,
    Organization,
    Role(String),
    Permission(String),
}

/// Whether `claims` meet `requirement`; the 403 otherwise.
pub(crate) fn check<C>(requirement: &Requirement, claims: &SessionClaims<C>) -> Result<(), AuthRejection> {
    let org = claims.organization.as_ref();
    match requirement {
        Requirement::SignedIn => Ok(()),
        Requirement::Organization if org.is_some() => Ok(()),
        Requirement::Organization => Err(AuthRejection::forbidden("organization-required")),
        Requirement::Role(role) if org.is_some_and(|o| o.has_role(role)) => Ok(()),
        Requirement::Role(_) => Err(AuthRejection::forbidden("role-required")),
        Requirement::Permission(p) if org.is_some_and(|o| o.has_permission(p)) => Ok(()),
        Requirement::Permission(_) => Err(AuthRejection::forbidden("permission-required")),
    }
}

/// A guard's verdict on a request in `state`.
pub(crate) fn guard(requirement: &Requirement, state: Option<&AuthState>) -> Result<(), AuthRejection> {
    match state {
        Some(AuthState::SignedIn(verified)) => check(requirement, &verified.claims),
        Some(other) => Err(AuthRejection::unauthorized(other)),
        None => Err(AuthRejection::unauthorized(&AuthState::SignedOut)),
    }
}

/// The verified session's claims as `SessionClaims<C>` (read once per type, shared with the cache);
/// a 401 `claims-invalid` when they do not fit `C`.
pub(crate) fn typed<C: DeserializeOwned + Send + Sync + 'static>(
    verified: &SignedInRequest,
) -> Result<Auth<C>, AuthRejection> {
    let claims = crate::verify::shared_claims::<C>(&verified.entry).map_err(|e| {
        tracing::info!(reason = "claims-invalid", claim = %e.path, "session claims do not fit the claims type");
        AuthRejection { status: 401, reason: Reason::ClaimsInvalid.code().into() }
    })?;
    Ok(Auth { claims, carrier: verified.carrier })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_patterns_match_a_path_and_below_it_only() {
        assert!(protects("/admin", "/admin") && !protects("/admin", "/admin/x"));
        assert!(protects("/admin/*", "/admin") && protects("/admin/*", "/admin/a/b"));
        assert!(!protects("/admin/*", "/administrator"));
    }

    #[test]
    fn refusals_carry_rfc_6750_challenges() {
        assert_eq!(AuthRejection::unauthorized(&AuthState::SignedOut).challenge(), "Bearer");
        let forbidden = AuthRejection::forbidden("role-required");
        assert_eq!(
            forbidden.challenge(),
            "Bearer error=\"insufficient_scope\", error_description=\"role-required\""
        );
        assert_eq!(forbidden.body(), r#"{"error":"role-required"}"#);
    }
}

/// What the Clerk layer of either framework holds: the verifier, the session cookie's suffix and
/// the protected paths (each builder method changes its own copy: `Arc::make_mut`).
#[derive(Clone)]
pub(crate) struct LayerSettings {
    pub(crate) verifier: Verifier,
    pub(crate) cookie_suffix: Option<String>,
    pub(crate) protected: Vec<String>,
}

impl LayerSettings {
    pub(crate) fn new(verifier: Verifier) -> Self {
        LayerSettings { verifier, cookie_suffix: None, protected: Vec::new() }
    }

    /// The instance's settings (the environment over `clerk.toml`): cookie suffix, protected paths.
    #[cfg(feature = "config")]
    pub(crate) fn from_instance(config: &crate::instance::InstanceConfig, verifier: Verifier) -> Self {
        LayerSettings {
            verifier,
            cookie_suffix: config.cookie_suffix.clone(),
            protected: config.protected_paths.clone(),
        }
    }

    /// Whether `path` is one of the protected paths.
    pub(crate) fn protects(&self, path: &str) -> bool {
        self.protected.iter().any(|pattern| protects(pattern, path))
    }
}
