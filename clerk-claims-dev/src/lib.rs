//! A local Clerk-compatible issuer: the JWKS, the Backend API subset clerk-claims works with, and
//! tokens signed as Clerk signs them, so that an application's tests need no Clerk account and no
//! network. `clerk-claims dev` runs the same issuer as a process. A dev-dependency: the crate an
//! application links to verify tokens, `clerk-claims-runtime`, does not depend on this one.
//!
//! - [`DevIssuer`] and its [`DevIssuerBuilder`]: the server, in process on 127.0.0.1;
//! - [`SigningKey`] (the bundled DEVELOPMENT-ONLY key, or any PEM) and [`CustomKey`] (templates'
//!   own keys);
//! - the minting functions ([`session_token`], [`template_token`], ...), usable without a server;
//! - the Backend API routes (`api`) over the store (`store`, one file per resource).
//!
//! It signs with the bundled development key unless given another one. DEVELOPMENT ONLY: that key
//! is public, so a verifier that trusts it trusts anyone.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use clerk_claims_dev::DevIssuer;
//! use clerk_claims_runtime::SessionClaims;
//! use serde_json::json;
//!
//! let issuer = DevIssuer::start().await.unwrap();
//! let user = issuer.create_user(json!({"email_address": ["ada@example.com"], "first_name": "Ada"})).unwrap();
//! let org = issuer.create_organization(json!({"name": "Acme"})).unwrap();
//! issuer.add_membership(&org, json!({"user_id": user, "role": "org:admin", "permissions": ["org:billing:manage"]})).unwrap();
//! let session = issuer.create_session(&user, Some(&org)).unwrap();
//!
//! let token = issuer.session_token(&session).unwrap();
//! let claims = issuer.verifier().verify_session::<SessionClaims>(&token).unwrap();
//! assert_eq!(claims.user_id(), user);
//! let organization = claims.organization.unwrap();
//! assert!(organization.has_role("admin") && organization.has_permission("org:billing:manage"));
//! # }
//! ```

#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;
mod api;
mod dashboard;
mod key;
mod mint;
mod store;
mod template_file;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use key::{CustomKey, DEVELOPMENT_KEY_ID, DEVELOPMENT_KEY_PEM, SigningKey};
pub use mint::{
    MintError, RandomError, SESSION_TOKEN_LIFETIME, Subject, TemplateSpec, random_id, session_claims,
    session_token, session_token_customized, template_claims, template_token,
};
pub use store::{ApiError, FixturesError, State};
pub use template_file::{template_api_body, template_signing_key};

use clerk_claims_runtime::Verifier;
use clerk_claims_runtime::backend::BackendApi;

/// Where a running dev issuer answers; `clerk-claims dev` prints this as its first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerInfo {
    /// Backend API base URL (requests go to `<api_url>/v1/...`).
    pub api_url: String,
    /// Frontend API host (what the publishable key encodes).
    pub frontend_api: String,
    /// `iss` of every token.
    pub issuer: String,
    /// The JWKS URL (`<issuer>/.well-known/jwks.json`).
    pub jwks_url: String,
    /// A publishable key naming the frontend API.
    pub publishable_key: String,
    /// The secret key the Backend API requires as `Authorization: Bearer`.
    pub secret_key: String,
}

/// Why the dev issuer did not start.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source} (choose another --port, or 0 for any free port)")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
    /// The fixtures file could not be read.
    #[error("{0}")]
    Fixtures(#[from] FixturesError),
    /// No secret key could be drawn.
    #[error("{0}")]
    Random(#[from] RandomError),
}

pub(crate) struct Shared {
    state: Mutex<State>,
    key: SigningKey,
    info: IssuerInfo,
    fixtures: Option<PathBuf>,
    /// A verifier for its own tokens: its key set and issuer (no network), built once.
    verifier: Verifier,
}

impl Shared {
    fn new(state: State, key: SigningKey, info: IssuerInfo, fixtures: Option<PathBuf>) -> Shared {
        let verifier = Verifier::new(key.jwks()).issuer(info.issuer.clone());
        Shared { state: Mutex::new(state), key, info, fixtures, verifier }
    }

    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Runs a change; on success the fixtures file (if any) is rewritten.
    fn write(&self, f: impl FnOnce(&mut State) -> Result<Value, ApiError>) -> Result<Value, ApiError> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let out = f(&mut state)?;
        if let Some(path) = &self.fixtures
            && let Err(e) = state.save(path)
        {
            tracing::warn!(target: "clerk_claims::dev", "{e}");
        }
        Ok(out)
    }

    /// Signs a session token (no template) or a template token for an active session.
    fn mint(
        &self,
        session: &str,
        template: Option<&str>,
        expires_in: Option<i64>,
        azp: Option<String>,
    ) -> Result<String, ApiError> {
        // Read under the lock, sign outside it (RSA signing is the slow part).
        let mut grant = self.read(|s| s.token_grant(&self.info.issuer, session, template))?;
        grant.subject.azp = azp;
        let now = store::now_ms() / 1000;
        let failed =
            |e: MintError| ApiError::new(500, "internal_clerk_error", "token not minted", e.to_string());
        match grant.template {
            Some(mut template) => {
                template.lifetime = expires_in.unwrap_or(template.lifetime);
                template_token(&self.key, &template, &grant.context, &grant.subject, now).map_err(failed)
            }
            None => session_token_customized(
                &self.key,
                &grant.subject,
                grant.session_claims.as_ref(),
                &grant.context,
                now,
                expires_in.unwrap_or(SESSION_TOKEN_LIFETIME),
            )
            .map_err(failed),
        }
    }
}

/// Options of a [`DevIssuer`]: port, key, fixtures, secret key.
#[derive(Debug, Default)]
pub struct DevIssuerBuilder {
    port: u16,
    key: Option<SigningKey>,
    fixtures: Option<PathBuf>,
    state: Option<State>,
    secret_key: Option<String>,
}

impl DevIssuerBuilder {
    /// The port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The signing key (default: the bundled development key).
    pub fn key(mut self, key: SigningKey) -> Self {
        self.key = Some(key);
        self
    }

    /// A fixtures file: loaded at start when it exists, rewritten after every change.
    pub fn fixtures(mut self, path: impl Into<PathBuf>) -> Self {
        self.fixtures = Some(path.into());
        self
    }

    /// Initial state (instead of a fixtures file's).
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }

    /// The secret key the Backend API accepts (default: a random `sk_test_...`).
    pub fn secret_key(mut self, secret_key: impl Into<String>) -> Self {
        self.secret_key = Some(secret_key.into());
        self
    }

    /// Binds 127.0.0.1 and serves in a background task of the current tokio runtime.
    ///
    /// # Errors
    /// [`DevError`] when the port is taken or the fixtures file is unreadable.
    pub async fn start(self) -> Result<DevIssuer, DevError> {
        let mut state = self.state.unwrap_or_default();
        if let Some(path) = &self.fixtures
            && path.exists()
        {
            state = State::load(path)?;
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|source| DevError::Bind { port: self.port, source })?;
        let port = listener.local_addr().map_err(|source| DevError::Bind { port: self.port, source })?.port();
        let frontend_api = format!("127.0.0.1:{port}");
        let issuer = format!("http://{frontend_api}");
        let info = IssuerInfo {
            api_url: issuer.clone(),
            jwks_url: format!("{issuer}/.well-known/jwks.json"),
            publishable_key: format!(
                "pk_test_{}",
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{frontend_api}$"))
            ),
            secret_key: match self.secret_key {
                Some(key) => key,
                None => random_id("sk_test_", 40)?,
            },
            frontend_api,
            issuer,
        };
        let shared = Arc::new(Shared::new(
            state,
            self.key.unwrap_or_else(SigningKey::development),
            info,
            self.fixtures,
        ));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = api::router(shared.clone());
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(target: "clerk_claims::dev", "the dev issuer stopped: {e}");
            }
        });
        Ok(DevIssuer { shared, stop: Some(stop), task: Some(task) })
    }
}

/// A running dev issuer (stops when dropped).
pub struct DevIssuer {
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for DevIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevIssuer").field("info", &self.shared.info).finish_non_exhaustive()
    }
}

impl Drop for DevIssuer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn id_of(object: Value) -> String {
    object.get("id").and_then(Value::as_str).unwrap_or_default().to_string()
}

impl DevIssuer {
    /// Options: [`DevIssuerBuilder`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use clerk_claims_dev::DevIssuer;
    /// let dir = tempfile::tempdir().unwrap();
    /// let issuer = DevIssuer::builder()
    ///     .fixtures(dir.path().join("state.json"))
    ///     .secret_key("sk_test_mine")
    ///     .start()
    ///     .await
    ///     .unwrap();
    /// let info = issuer.info();
    /// assert_eq!(info.secret_key, "sk_test_mine");
    /// assert_eq!(info.jwks_url, format!("{}/.well-known/jwks.json", info.issuer));
    /// issuer.create_user(serde_json::json!({"first_name": "Ada"})).unwrap();
    /// assert!(dir.path().join("state.json").exists(), "rewritten after every change");
    /// # }
    /// ```
    pub fn builder() -> DevIssuerBuilder {
        DevIssuerBuilder::default()
    }

    /// A dev issuer on a free port with the development key and no data.
    ///
    /// # Errors
    /// [`DevError::Bind`] when no port can be bound.
    pub async fn start() -> Result<DevIssuer, DevError> {
        DevIssuer::builder().start().await
    }

    /// Its URLs and keys.
    pub fn info(&self) -> &IssuerInfo {
        &self.shared.info
    }

    /// A verifier for its tokens: its key set (no network) and its issuer.
    pub fn verifier(&self) -> Verifier {
        self.shared.verifier.clone()
    }

    /// A Backend API client pointed at it.
    pub fn backend(&self) -> BackendApi {
        BackendApi::new(&self.shared.info.api_url, &self.shared.info.secret_key)
    }

    /// The signing key.
    pub fn key(&self) -> &SigningKey {
        &self.shared.key
    }

    /// A copy of its state (what the fixtures file holds).
    pub fn state(&self) -> State {
        self.shared.read(State::clone)
    }

    /// Sets the session-token customization: claims rendered into every session token.
    pub fn set_session_claims(&self, claims: Option<Value>) {
        // Through `write`, so a fixtures file keeps it too; setting it cannot fail.
        let _ = self.shared.write(|s| {
            s.set_session_claims(claims);
            Ok(Value::Null)
        });
    }

    /// Creates a user (body of `POST /v1/users`); returns its id.
    ///
    /// # Errors
    /// [`ApiError`] as the Backend API would answer.
    pub fn create_user(&self, body: Value) -> Result<String, ApiError> {
        self.change(|s, body| s.create_user(body), body).map(id_of)
    }

    /// Creates an organization (body of `POST /v1/organizations`); returns its id.
    ///
    /// # Errors
    /// [`ApiError`].
    pub fn create_organization(&self, body: Value) -> Result<String, ApiError> {
        self.change(|s, body| s.create_organization(body), body).map(id_of)
    }

    /// Adds a membership (`user_id`, `role`, `permissions`); returns its id.
    ///
    /// # Errors
    /// [`ApiError`].
    pub fn add_membership(&self, organization_id: &str, body: Value) -> Result<String, ApiError> {
        self.change(|s, body| s.create_membership(organization_id, body), body).map(id_of)
    }

    /// Creates an active session for a user, optionally with an active organization; returns its id.
    ///
    /// # Errors
    /// [`ApiError`].
    pub fn create_session(&self, user_id: &str, organization_id: Option<&str>) -> Result<String, ApiError> {
        let body = json!({"user_id": user_id, "active_organization_id": organization_id});
        self.change(|s, body| s.create_session(body), body).map(id_of)
    }

    /// Creates a JWT template (body of `POST /v1/jwt_templates`, e.g. `ClerkClaims::template_json()`);
    /// returns its id.
    ///
    /// # Errors
    /// [`ApiError`].
    pub fn create_template(&self, body: Value) -> Result<String, ApiError> {
        self.change(|s, body| s.create_template(body), body).map(id_of)
    }

    /// Creates a JWT template, or replaces the one with the same name; returns its id.
    ///
    /// # Errors
    /// [`ApiError`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use serde_json::json;
    /// let issuer = clerk_claims_dev::DevIssuer::start().await.unwrap();
    /// let first = issuer.put_template(json!({"name": "api", "claims": {"aud": "a"}})).unwrap();
    /// let again = issuer.put_template(json!({"name": "api", "claims": {"aud": "b"}, "lifetime": 120})).unwrap();
    /// assert_eq!(first, again);
    /// # }
    /// ```
    pub fn put_template(&self, body: Value) -> Result<String, ApiError> {
        self.change(|s, body| s.put_template(body), body).map(id_of)
    }

    /// Revokes a session: it gets no more tokens. As with Clerk, a token minted before the
    /// revocation still verifies until its `exp` (60 s for a session token): verification is
    /// offline by design. Where that minute matters (a payment, an admin action), ask the Backend
    /// API for the session's status (`BackendApi::get_session`, `status == "active"`).
    ///
    /// # Errors
    /// [`ApiError`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let issuer = clerk_claims_dev::DevIssuer::start().await.unwrap();
    /// let user = issuer.create_user(serde_json::json!({})).unwrap();
    /// let session = issuer.create_session(&user, None).unwrap();
    /// issuer.revoke_session(&session).unwrap();
    /// assert_eq!(issuer.session_token(&session).unwrap_err().status, 404);
    /// # }
    /// ```
    pub fn revoke_session(&self, session_id: &str) -> Result<(), ApiError> {
        self.change(|s, _| s.revoke_session(session_id), json!({})).map(drop)
    }

    /// A fresh session token for an active session.
    ///
    /// # Errors
    /// [`ApiError`] (404 for an unknown or inactive session).
    pub fn session_token(&self, session_id: &str) -> Result<String, ApiError> {
        self.shared.mint(session_id, None, None, None)
    }

    /// A token of the JWT template `template` for an active session.
    ///
    /// # Errors
    /// [`ApiError`] (404 for an unknown session or template).
    pub fn template_token(&self, session_id: &str, template: &str) -> Result<String, ApiError> {
        self.shared.mint(session_id, Some(template), None, None)
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn change(
        &self,
        f: impl FnOnce(&mut State, &serde_json::Map<String, Value>) -> Result<Value, ApiError>,
        body: Value,
    ) -> Result<Value, ApiError> {
        let Value::Object(body) = body else {
            return Err(ApiError::new(
                400,
                "request_body_invalid",
                "invalid request body",
                format!("The body must be a JSON object, not {body}."),
            ));
        };
        self.shared.write(|s| f(s, &body))
    }
}
