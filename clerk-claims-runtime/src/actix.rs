//! actix-web 4 integration, the same contract as [`crate::axum`] on the same verifier: middleware
//! that verifies the session token once per request, the [`Auth`] extractor (401 when signed out),
//! `Option<Auth<C>>` for public routes, and [`Require`] guards for a signed-in user, an active
//! organization, a role or a permission (403 when signed in but not allowed). Tokens are found as
//! [`crate::request`] says; responses are those of the axum integration (`WWW-Authenticate` and
//! `{"error": "<reason>"}`), from one shared definition.
//!
//! ```
//! use actix_web::{App, web};
//! use clerk_claims_runtime::actix::{Auth, ClerkMiddleware, Require};
//! use clerk_claims_runtime::{Verifier, keys::{Algorithm, Key}};
//!
//! async fn me(auth: Auth) -> String {
//!     format!("{} ({})", auth.user_id(), auth.session_id())
//! }
//!
//! let verifier = Verifier::new(Key::hmac(&[7; 32], Algorithm::HS256).unwrap());
//! let app = App::new()
//!     .wrap(ClerkMiddleware::new(verifier))
//!     .route("/me", web::get().to(me))
//!     .service(web::resource("/admin").wrap(Require::role("org:admin")).to(|| async { "admin" }))
//!     .route("/public", web::get().to(|auth: Option<Auth>| async move { format!("{}", auth.is_some()) }));
//! # let _ = app;
//! ```

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::EitherBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde::de::DeserializeOwned;

use crate::request::session_token_in;
use crate::verify::Verifier;
use crate::web::Requirement;

use crate::web::LayerSettings;
pub use crate::web::{Auth, AuthRejection, AuthState, Require, SignedInRequest};

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::UNAUTHORIZED)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/json");
        if let Ok(value) = HeaderValue::from_str(&self.challenge()) {
            response.insert_header((header::WWW_AUTHENTICATE, value));
        }
        response.body(self.body())
    }
}

/// Verifies the session token of every request once and stores an [`AuthState`] in its
/// extensions. With [`ClerkMiddleware::protect`], requests to the given paths are answered 401 right
/// here when signed out.
#[derive(Clone)]
pub struct ClerkMiddleware {
    config: Arc<LayerSettings>,
}

impl ClerkMiddleware {
    /// Middleware verifying session tokens with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        ClerkMiddleware { config: Arc::new(LayerSettings::new(verifier)) }
    }

    /// Middleware for the instance `config` describes (the environment over `clerk.toml`): its
    /// session cookie suffix and protected paths.
    pub fn from_instance(config: &crate::instance::InstanceConfig, verifier: Verifier) -> Self {
        ClerkMiddleware { config: Arc::new(LayerSettings::from_instance(config, verifier)) }
    }

    /// Reads the instance's `__session_<suffix>` cookie before `__session`.
    pub fn cookie_suffix(mut self, suffix: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.config).cookie_suffix = Some(suffix.into());
        self
    }

    /// Paths that require a signed-in user (`/admin` exactly, `/admin/*` for everything below it),
    /// matched against the path the client sent.
    pub fn protect<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.config).protected.extend(patterns.into_iter().map(Into::into));
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for ClerkMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = ClerkService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ClerkService { service: Rc::new(service), config: self.config.clone() }))
    }
}

/// The service of [`ClerkMiddleware`].
pub struct ClerkService<S> {
    service: Rc<S>,
    config: Arc<LayerSettings>,
}

impl<S, B> Service<ServiceRequest> for ClerkService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let config = self.config.clone();
        Box::pin(async move {
            let state = {
                let headers = request.headers();
                let authorization = headers.get(header::AUTHORIZATION).map(|v| v.to_str().ok());
                let cookies: Vec<&str> =
                    headers.get_all(header::COOKIE).filter_map(|v| v.to_str().ok()).collect();
                let token =
                    session_token_in(authorization, cookies.iter().copied(), config.cookie_suffix.as_deref());
                // Owned before the await: the request's headers are not held across it.
                let token = token.map(|(t, c)| (t.to_string(), c));
                crate::web::authenticate(&config.verifier, token.as_ref().map(|(t, c)| (t.as_str(), *c)))
                    .await
            };
            let path = request.path().to_string();
            let protected = config.protects(&path);
            if protected && !matches!(state, AuthState::SignedIn(_)) {
                let response = AuthRejection::unauthorized(&state).error_response();
                return Ok(request.into_response(response).map_into_right_body());
            }
            request.extensions_mut().insert(state);
            service.call(request).await.map(ServiceResponse::map_into_left_body)
        })
    }
}

fn state(request: &HttpRequest) -> AuthState {
    request.extensions().get::<AuthState>().cloned().unwrap_or(AuthState::SignedOut)
}

/// The signed-in session, or the 401 (a token whose claims do not fit `C`: `claims-invalid`).
/// `Option<Auth<C>>` (actix-web's own `Option` extractor) gives `None` instead, for public routes.
impl<C: DeserializeOwned + Send + Sync + 'static> FromRequest for Auth<C> {
    type Error = AuthRejection;
    type Future = Ready<Result<Self, AuthRejection>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match state(request) {
            AuthState::SignedIn(verified) => crate::web::typed(&verified),
            other => Err(AuthRejection::unauthorized(&other)),
        })
    }
}

impl<S, B> Transform<S, ServiceRequest> for Require
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = RequireService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireService { service: Rc::new(service), requirement: self.requirement.clone() }))
    }
}

/// The service of [`Require`].
pub struct RequireService<S> {
    service: Rc<S>,
    requirement: Arc<Requirement>,
}

impl<S, B> Service<ServiceRequest> for RequireService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let verdict = crate::web::guard(&self.requirement, request.extensions().get::<AuthState>());
        let service = self.service.clone();
        Box::pin(async move {
            match verdict {
                Ok(()) => service.call(request).await.map(ServiceResponse::map_into_left_body),
                Err(rejection) => {
                    tracing::info!(reason = %rejection.reason, status = rejection.status, "request refused");
                    Ok(request.into_response(rejection.error_response()).map_into_right_body())
                }
            }
        })
    }
}
