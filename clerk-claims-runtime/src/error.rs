//! Why a token was rejected: a [`Reason`] named after Clerk's reason codes, and a message modelled on
//! Clerk's that never holds the token or key material.

use std::fmt;

/// Why verification failed. The kebab-case names are Clerk's reason codes, plus ours
/// (`token-too-large`, `token-type-mismatch`, `token-invalid-issuer`, `claims-invalid`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// `token-expired`: `exp` is past (beyond the clock skew).
    TokenExpired,
    /// `token-not-active-yet`: `nbf` is in the future.
    TokenNotActiveYet,
    /// `token-iat-in-the-future`: `iat` is in the future.
    TokenIatInTheFuture,
    /// `token-invalid`: not a well-formed JWT, a wrong `typ` or token category.
    TokenInvalid,
    /// `token-invalid-algorithm`: `alg` not allowed for the key (`none`, HS with an RSA key, ...).
    TokenInvalidAlgorithm,
    /// `token-invalid-signature`: the signature does not match.
    TokenInvalidSignature,
    /// `token-invalid-authorized-parties`: `azp` missing or not listed.
    TokenInvalidAuthorizedParties,
    /// `token-verification-failed`: a claim is missing or of the wrong type (`sub`, `exp`, `aud`, ...).
    TokenVerificationFailed,
    /// `token-too-large`: longer than the configured maximum, rejected before decoding.
    TokenTooLarge,
    /// `token-type-mismatch`: a template token where a session token is expected, or the reverse.
    TokenTypeMismatch,
    /// `token-invalid-issuer`: `iss` is not the instance's Frontend API.
    TokenInvalidIssuer,
    /// `token-lifetime-exceeds-session`: a token without the session category (`cat`) lives longer
    /// than a session token may ([`crate::Verifier::session_max_lifetime`]): a JWT-template token
    /// that renders `sid` is not a session.
    TokenLifetimeExceedsSession,
    /// `session-pending`: `sts: "pending"` and pending sessions are treated as signed out.
    SessionPending,
    /// `claims-invalid`: the claims do not fit the claims type (the message names the claim).
    ClaimsInvalid,
    /// `jwk-kid-mismatch`: no key with the token's `kid`.
    JwkKidMismatch,
    /// `jwk-invalid`: a key was found but cannot verify this token (weak RSA, wrong `use`, `alg`).
    JwkInvalid,
    /// `jwk-local-missing`: no networkless key (`CLERK_JWT_KEY`) was given.
    JwkLocalMissing,
    /// `jwk-remote-failed-to-load`: the JWKS endpoint could not be fetched.
    JwkRemoteFailedToLoad,
    /// `jwk-remote-invalid`: the JWKS endpoint returned something that is not a key set.
    JwkRemoteInvalid,
    /// `jwk-failed-to-resolve`: no key source can resolve a key.
    JwkFailedToResolve,
    /// `jwk-development-key`: signed by the bundled development key (whose private half is
    /// public) for a verifier that is not for a loopback issuer.
    JwkDevelopmentKey,
}

impl Reason {
    /// The reason code.
    ///
    /// ```
    /// assert_eq!(clerk_claims_runtime::Reason::TokenExpired.code(), "token-expired");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Reason::TokenExpired => "token-expired",
            Reason::TokenNotActiveYet => "token-not-active-yet",
            Reason::TokenIatInTheFuture => "token-iat-in-the-future",
            Reason::TokenInvalid => "token-invalid",
            Reason::TokenInvalidAlgorithm => "token-invalid-algorithm",
            Reason::TokenInvalidSignature => "token-invalid-signature",
            Reason::TokenInvalidAuthorizedParties => "token-invalid-authorized-parties",
            Reason::TokenVerificationFailed => "token-verification-failed",
            Reason::TokenTooLarge => "token-too-large",
            Reason::TokenTypeMismatch => "token-type-mismatch",
            Reason::TokenInvalidIssuer => "token-invalid-issuer",
            Reason::TokenLifetimeExceedsSession => "token-lifetime-exceeds-session",
            Reason::SessionPending => "session-pending",
            Reason::ClaimsInvalid => "claims-invalid",
            Reason::JwkKidMismatch => "jwk-kid-mismatch",
            Reason::JwkInvalid => "jwk-invalid",
            Reason::JwkLocalMissing => "jwk-local-missing",
            Reason::JwkRemoteFailedToLoad => "jwk-remote-failed-to-load",
            Reason::JwkRemoteInvalid => "jwk-remote-invalid",
            Reason::JwkFailedToResolve => "jwk-failed-to-resolve",
            Reason::JwkDevelopmentKey => "jwk-development-key",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A rejected token: the reason and a message saying what was expected and what was found.
///
/// ```
/// use clerk_claims_runtime::{Reason, VerifyError};
/// let e = VerifyError::new(Reason::TokenInvalidSignature, "JWT signature is invalid.");
/// assert_eq!(e.to_string(), "JWT signature is invalid. (reason=token-invalid-signature)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    /// Why.
    pub reason: Reason,
    /// What was expected and what was found.
    pub message: String,
    /// What to do about it, when there is a standard fix (Clerk's "action").
    pub action: Option<&'static str>,
}

impl VerifyError {
    /// An error with a reason and message.
    ///
    /// ```
    /// # use clerk_claims_runtime::{Reason, VerifyError};
    /// assert_eq!(VerifyError::new(Reason::TokenExpired, "x").reason, Reason::TokenExpired);
    /// ```
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        VerifyError { reason, message: message.into(), action: None }
    }

    /// Adds what to do about it.
    ///
    /// ```
    /// # use clerk_claims_runtime::{Reason, VerifyError};
    /// let e = VerifyError::new(Reason::JwkLocalMissing, "Missing local JWK.")
    ///     .with_action("Set the CLERK_JWT_KEY environment variable.");
    /// assert_eq!(e.to_string(), "Missing local JWK. Set the CLERK_JWT_KEY environment variable. (reason=jwk-local-missing)");
    /// ```
    pub fn with_action(mut self, action: &'static str) -> Self {
        self.action = Some(action);
        self
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.action {
            Some(action) => write!(f, "{} {action} (reason={})", self.message, self.reason),
            None => write!(f, "{} (reason={})", self.message, self.reason),
        }
    }
}

impl std::error::Error for VerifyError {}
