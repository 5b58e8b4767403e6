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
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::Request;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tower::{Layer, Service};

use crate::request::session_token;
use crate::verify::Verifier;
use crate::web::Requirement;

use crate::web::LayerSettings;
pub use crate::web::{Auth, AuthRejection, AuthState, Require, SignedInRequest};

/// Verifies the session token of every request once and stores an [`AuthState`]. With
/// [`ClerkLayer::protect`], requests to the given paths are answered 401 right here when signed out.
#[derive(Clone)]
pub struct ClerkLayer {
    inner: Arc<LayerSettings>,
}

impl ClerkLayer {
    /// A layer verifying session tokens with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        ClerkLayer { inner: Arc::new(LayerSettings::new(verifier)) }
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
        ClerkLayer { inner: Arc::new(LayerSettings::from_instance(config, verifier)) }
    }

    /// Reads the instance's `__session_<suffix>` cookie (see
    /// [`PublishableKey::cookie_suffix`](crate::instance::PublishableKey::cookie_suffix)) before
    /// `__session`.
    pub fn cookie_suffix(mut self, suffix: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.inner).cookie_suffix = Some(suffix.into());
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
        Arc::make_mut(&mut self.inner).protected.extend(patterns.into_iter().map(Into::into));
        self
    }

    async fn authenticate(config: &LayerSettings, parts: &Parts) -> AuthState {
        let token = session_token(&parts.headers, config.cookie_suffix.as_deref());
        crate::web::authenticate(&config.verifier, token).await
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

/// Any tower service over `http` requests and responses (an axum router, a hyper or tonic service)
/// takes the layer: a refusal is built as the service's own response type (any body that can be
/// made from a `String`).
impl<S, B, ResBody> Service<Request<B>> for ClerkService<S>
where
    S: Service<Request<B>, Response = axum::http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
    ResBody: From<String> + Send + 'static,
{
    type Response = axum::http::Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

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
            let protected = config.protects(path);
            if protected && !matches!(state, AuthState::SignedIn(_)) {
                return Ok(AuthRejection::unauthorized(&state).to_http());
            }
            parts.extensions.insert(state);
            inner.call(Request::from_parts(parts, body)).await
        })
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        self.to_http()
    }
}

fn state(parts: &Parts) -> AuthState {
    parts.extensions.get::<AuthState>().cloned().unwrap_or(AuthState::SignedOut)
}

fn typed<C: DeserializeOwned + Send + Sync + 'static>(
    verified: &SignedInRequest,
) -> Result<Auth<C>, AuthRejection> {
    crate::web::typed::<C>(verified)
}

impl<S: Send + Sync, C: DeserializeOwned + Send + Sync + 'static> FromRequestParts<S> for Auth<C> {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AuthRejection> {
        match state(parts) {
            AuthState::SignedIn(verified) => typed(&verified),
            other => Err(AuthRejection::unauthorized(&other)),
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
        let verdict = crate::web::guard(&self.requirement, request.extensions().get::<AuthState>());
        Box::pin(async move {
            match verdict {
                Ok(()) => inner.call(request).await,
                Err(rejection) => {
                    tracing::info!(reason = %rejection.reason, status = rejection.status, "request refused");
                    Ok(rejection.into_response())
                }
            }
        })
    }
}
