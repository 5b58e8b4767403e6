//! axum 0.8 and tower integration: a layer that verifies the session token once per request, the
//! [`Auth`] extractor (401 when signed out), `Option<Auth<C>>` for public routes, and guards for
//! signed-in, active organization, role and permission (403 when signed in but not allowed).
//!
//! ```
//! use axum::{Router, routing::get};
//! use clerk_claims_runtime::axum::{Auth, ClerkLayer, Require};
//! use clerk_claims_runtime::{Verifier, keys::{Algorithm, Key}};
//!
//! async fn me(auth: Auth) -> String {
//!     format!("{} ({})", auth.user_id(), auth.session_id())
//! }
//!
//! let verifier = Verifier::new(Key::hmac(&[7; 32], Algorithm::HS256).unwrap());
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route("/admin", get(|| async { "admin" }).route_layer(Require::role("org:admin")))
//!     .route("/public", get(|auth: Option<Auth>| async move { format!("{}", auth.is_some()) }))
//!     .layer(ClerkLayer::new(verifier));
//! ```
//!
//! Responses: 401 with `WWW-Authenticate: Bearer error="invalid_token", error_description="<reason>"`
//! (a request with no token gets a bare `Bearer` challenge, as RFC 6750 asks) and 403 with
//! `error="insufficient_scope"`; the body is `{"error": "<reason>"}`. A bad token is never a 500.
//! `tracing` events carry the reason and the carrier, never the token.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tower::{Layer, Service};

use crate::claims::SessionClaims;
use crate::request::{Carrier, session_token};
use crate::verify::{Reason, Verifier, VerifyError};

/// The outcome of verifying a request's token, stored in the request's extensions by [`ClerkLayer`].
#[derive(Debug, Clone)]
pub enum AuthState {
    /// No token was sent.
    SignedOut,
    /// A valid session token.
    SignedIn(Arc<Verified>),
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
pub struct Verified {
    /// Clerk's claims (custom claims kept as JSON for guards; [`Auth<C>`] reads them typed).
    pub claims: Arc<SessionClaims<serde_json::Value>>,
    /// Where the token came from.
    pub carrier: Carrier,
    /// The token cache's entry: claims read once per type, shared by later requests.
    entry: Arc<crate::verify::cache::Entry>,
}

/// Verifies the session token of every request once and stores an [`AuthState`]. With
/// [`ClerkLayer::protect`], requests to the given paths are answered 401 right here when signed out.
#[derive(Clone)]
pub struct ClerkLayer {
    inner: Arc<LayerConfig>,
}

struct LayerConfig {
    verifier: Verifier,
    cookie_suffix: Option<String>,
    protected: Vec<String>,
}

impl ClerkLayer {
    /// A layer verifying session tokens with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        ClerkLayer { inner: Arc::new(LayerConfig { verifier, cookie_suffix: None, protected: Vec::new() }) }
    }

    /// A layer for the instance `config` describes (the environment over `clerk.toml`): its
    /// session cookie suffix and protected paths, verifying with `verifier`
    /// ([`Verifier::from_instance`] of the same config).
    ///
    /// ```
    /// use clerk_claims_runtime::{Verifier, axum::ClerkLayer, instance::InstanceConfig};
    /// let config = InstanceConfig::from_lookup(|name| match name {
    ///     "CLERK_PUBLISHABLE_KEY" => Some("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA".into()),
    ///     "CLERK_PROTECTED_PATHS" => Some("/admin/*".into()),
    ///     _ => None,
    /// }).unwrap();
    /// let layer = ClerkLayer::from_instance(&config, Verifier::from_instance(&config).unwrap());
    /// # let _ = layer;
    /// ```
    pub fn from_instance(config: &crate::instance::InstanceConfig, verifier: Verifier) -> Self {
        let mut layer = ClerkLayer::new(verifier).protect(config.protected_paths.iter().cloned());
        if let Some(suffix) = &config.cookie_suffix {
            layer = layer.cookie_suffix(suffix.clone());
        }
        layer
    }

    /// Reads the instance's `__session_<suffix>` cookie (see
    /// [`PublishableKey::cookie_suffix`](crate::instance::PublishableKey::cookie_suffix)) before
    /// `__session`.
    pub fn cookie_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.config().cookie_suffix = Some(suffix.into());
        self
    }

    /// Paths that require a signed-in user (`/admin` exactly, `/admin/*` for everything below it).
    ///
    /// A pattern matches the path the client asked for, also when the layer sits on a router nested
    /// in another (`Router::new().nest("/api", inner.layer(layer))`): there axum hands the inner
    /// router `/admin` for `/api/admin`, and the layer reads the full path from axum's
    /// [`OriginalUri`](axum::extract::OriginalUri), so patterns are written as `/api/admin`.
    pub fn protect<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config().protected.extend(patterns.into_iter().map(Into::into));
        self
    }

    fn config(&mut self) -> &mut LayerConfig {
        // Built before it is shared: the Arc is unique while the builder methods run.
        if Arc::get_mut(&mut self.inner).is_none() {
            let copy = LayerConfig {
                verifier: self.inner.verifier.clone(),
                cookie_suffix: self.inner.cookie_suffix.clone(),
                protected: self.inner.protected.clone(),
            };
            self.inner = Arc::new(copy);
        }
        Arc::get_mut(&mut self.inner).unwrap_or_else(|| unreachable!("a fresh Arc is unique"))
    }

    async fn authenticate(config: &LayerConfig, parts: &Parts) -> AuthState {
        let Some((token, carrier)) = session_token(&parts.headers, config.cookie_suffix.as_deref()) else {
            return AuthState::SignedOut;
        };
        let verified = async {
            // One verification (or one cache hit); claims are read once per type and shared.
            let (entry, claims) = config.verifier.session_shared_async(token).await?;
            Ok::<_, VerifyError>(Verified { claims, carrier, entry })
        };
        match verified.await {
            Ok(v) => AuthState::SignedIn(Arc::new(v)),
            Err(error) => {
                tracing::info!(reason = %error.reason, carrier = carrier.as_str(), "session token rejected");
                AuthState::Rejected { error: Arc::new(error), carrier }
            }
        }
    }
}

fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix("/*") {
        Some(prefix) => path == prefix || path.starts_with(&format!("{prefix}/")),
        None => pattern == path,
    }
}

impl<S> Layer<S> for ClerkLayer {
    type Service = ClerkService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ClerkService { inner, layer: self.clone() }
    }
}

/// The service of [`ClerkLayer`].
#[derive(Clone)]
pub struct ClerkService<S> {
    inner: S,
    layer: ClerkLayer,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The service that was polled ready, for this request; a fresh clone stays behind for the next.
fn take_ready<S: Clone>(inner: &mut S) -> S {
    let clone = inner.clone();
    std::mem::replace(inner, clone)
}

impl<S, B> Service<Request<B>> for ClerkService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let mut inner = take_ready(&mut self.inner);
        let config = self.layer.inner.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let state = ClerkLayer::authenticate(&config, &parts).await;
            // The path as the client sent it, not as a nesting router rewrote it.
            let path = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map_or_else(|| parts.uri.path(), |original| original.0.path());
            let protected = config.protected.iter().any(|p| matches(p, path));
            if protected && !matches!(state, AuthState::SignedIn(_)) {
                return Ok(AuthRejection::from_state(&state).into_response());
            }
            parts.extensions.insert(state);
            inner.call(Request::from_parts(parts, body)).await
        })
    }
}

/// Why a request was refused: a 401 (signed out, invalid token) or a 403 (not allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRejection {
    /// 401 or 403.
    pub status: StatusCode,
    /// The reason code in the body (`token-expired`, `session-token-missing`, `role-required`, ...).
    pub reason: String,
}

impl AuthRejection {
    fn from_state(state: &AuthState) -> Self {
        match state {
            AuthState::Rejected { error, .. } => {
                AuthRejection { status: StatusCode::UNAUTHORIZED, reason: error.reason.code().into() }
            }
            _ => AuthRejection { status: StatusCode::UNAUTHORIZED, reason: "session-token-missing".into() },
        }
    }

    fn forbidden(reason: &str) -> Self {
        AuthRejection { status: StatusCode::FORBIDDEN, reason: reason.into() }
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let challenge = match (self.status, self.reason.as_str()) {
            (StatusCode::FORBIDDEN, reason) => {
                format!("Bearer error=\"insufficient_scope\", error_description=\"{reason}\"")
            }
            (_, "session-token-missing") => "Bearer".to_string(),
            (_, reason) => format!("Bearer error=\"invalid_token\", error_description=\"{reason}\""),
        };
        let body = serde_json::json!({ "error": self.reason }).to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// The signed-in user's session: Clerk's claims and the session customization's as `C`.
/// Extracting it answers 401 when the request is signed out or its token is invalid.
#[derive(Debug, Clone)]
pub struct Auth<C = ()> {
    claims: Arc<SessionClaims<C>>,
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

fn state(parts: &Parts) -> AuthState {
    parts.extensions.get::<AuthState>().cloned().unwrap_or(AuthState::SignedOut)
}

fn typed<C: DeserializeOwned + Send + Sync + 'static>(verified: &Verified) -> Result<Auth<C>, AuthRejection> {
    let claims = crate::verify::shared_claims::<C>(&verified.entry).map_err(|e| {
        tracing::info!(reason = "claims-invalid", claim = %e.path, "session claims do not fit the claims type");
        AuthRejection { status: StatusCode::UNAUTHORIZED, reason: Reason::ClaimsInvalid.code().into() }
    })?;
    Ok(Auth { claims, carrier: verified.carrier })
}

impl<S: Send + Sync, C: DeserializeOwned + Send + Sync + 'static> FromRequestParts<S> for Auth<C> {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AuthRejection> {
        match state(parts) {
            AuthState::SignedIn(verified) => typed(&verified),
            other => Err(AuthRejection::from_state(&other)),
        }
    }
}

impl<S: Send + Sync, C: DeserializeOwned + Send + Sync + 'static> OptionalFromRequestParts<S> for Auth<C> {
    type Rejection = AuthRejection;

    /// Public routes: signed out (or a token that does not verify) is `None`.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, AuthRejection> {
        match state(parts) {
            AuthState::SignedIn(verified) => Ok(typed(&verified).ok()),
            _ => Ok(None),
        }
    }
}

/// What a guard requires.
#[derive(Debug, Clone)]
enum Requirement {
    SignedIn,
    Organization,
    Role(String),
    Permission(String),
}

fn check<C>(requirement: &Requirement, claims: &SessionClaims<C>) -> Result<(), AuthRejection> {
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

/// A route guard (`.route_layer(Require::role("org:admin"))`): 401 when signed out, 403 when signed
/// in without what it requires. Needs [`ClerkLayer`] outside it.
#[derive(Debug, Clone)]
pub struct Require {
    requirement: Arc<Requirement>,
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

impl<S> Layer<S> for Require {
    type Service = RequireService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequireService { inner, requirement: self.requirement.clone() }
    }
}

/// The service of [`Require`].
#[derive(Clone)]
pub struct RequireService<S> {
    inner: S,
    requirement: Arc<Requirement>,
}

impl<S, B> Service<Request<B>> for RequireService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let mut inner = take_ready(&mut self.inner);
        let verdict = match request.extensions().get::<AuthState>() {
            Some(AuthState::SignedIn(v)) => check(&self.requirement, &v.claims),
            Some(other) => Err(AuthRejection::from_state(other)),
            None => Err(AuthRejection::from_state(&AuthState::SignedOut)),
        };
        Box::pin(async move {
            match verdict {
                Ok(()) => inner.call(request).await,
                Err(rejection) => {
                    tracing::info!(reason = %rejection.reason, status = rejection.status.as_u16(), "request refused");
                    Ok(rejection.into_response())
                }
            }
        })
    }
}
