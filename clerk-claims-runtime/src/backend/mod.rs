//! A client for the part of Clerk's Backend API this crate works with: users (create, list, get,
//! metadata), organizations and memberships, sessions (create, list, get, revoke, tokens), JWT
//! templates and the instance JWKS. Errors come back typed from Clerk's error
//! envelope; 429 and 5xx responses are retried with backoff.
//!
//! Every id goes into the URL as one escaped path segment (an id holding `/`, `?` or `..` cannot
//! reach another endpoint with the secret key), query values are encoded, a response is read up
//! to [`MAX_RESPONSE_BYTES`], and the API URL must be `https://` (plain `http://` only on a
//! loopback host, such as the dev issuer).
//!
//! ```no_run
//! # async fn run() -> Result<(), clerk_claims_runtime::backend::BackendError> {
//! use clerk_claims_runtime::backend::BackendApi;
//! let api = BackendApi::new("https://api.clerk.com", "sk_test_...");
//! for session in api.list_sessions("user_123", None).await? {
//!     println!("{} {}", session.id, session.status);
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One error of Clerk's error envelope (`{"errors": [{"message", "long_message", "code"}]}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClerkError {
    /// Short message.
    pub message: String,
    /// Longer explanation.
    #[serde(default)]
    pub long_message: String,
    /// Machine-readable code (`resource_not_found`, `authentication_invalid`, ...).
    pub code: String,
}

/// Clerk's error envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClerkErrors {
    /// The errors.
    pub errors: Vec<ClerkError>,
    /// Trace id for Clerk support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk_trace_id: Option<String>,
}

/// Why a Backend API call failed.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// Clerk answered with an error status and its error envelope.
    #[error("the Backend API answered {status}: {}", .errors.errors.first().map_or("", |e| e.long_message.as_str()))]
    Api {
        /// HTTP status.
        status: u16,
        /// The envelope.
        errors: ClerkErrors,
    },
    /// The request did not complete (connection, timeout), after retries.
    #[error("the Backend API could not be reached: {0}")]
    Transport(String),
    /// The response was not what the Backend API documents.
    #[error("unexpected Backend API response: {0}")]
    Decode(String),
    /// The request was not sent: an id that cannot be a path segment, an API URL that is not
    /// `https://`, or a client that could not be built.
    #[error("the Backend API request was not sent: {0}")]
    Invalid(String),
}

/// Largest response body read (a list of 500 users is well under it).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// What stays unescaped in a path segment: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `id` as one path segment, escaped; an empty id or one that is `.` or `..` is refused.
///
/// ```
/// use clerk_claims_runtime::backend::path_segment;
/// assert_eq!(path_segment("sess_123").unwrap(), "sess_123");
/// assert_eq!(path_segment("sess_1/../../users/user_x/ban?").unwrap(), "sess_1%2F..%2F..%2Fusers%2Fuser_x%2Fban%3F");
/// assert!(path_segment("..").is_err() && path_segment("").is_err());
/// ```
///
/// # Errors
/// [`BackendError::Invalid`] for an id that cannot stand for itself in a path.
pub fn path_segment(id: &str) -> Result<String, BackendError> {
    if matches!(id, "" | "." | "..") {
        return Err(BackendError::Invalid(format!("{id:?} is not an id")));
    }
    Ok(utf8_percent_encode(id, SEGMENT).to_string())
}

/// A session (`GET /v1/sessions/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// `sess_...`.
    pub id: String,
    /// The user.
    pub user_id: String,
    /// The client (browser) it belongs to.
    #[serde(default)]
    pub client_id: Option<String>,
    /// `active`, `revoked`, `ended`, `expired`, `removed`, `abandoned`, `replaced` or `pending`.
    pub status: String,
    /// The organization last active in it.
    #[serde(default)]
    pub last_active_organization_id: Option<String>,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub expire_at: Option<i64>,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// A JWT template as the Backend API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwtTemplate {
    /// `jtmp_...`.
    pub id: String,
    /// Template name.
    pub name: String,
    /// The claims.
    pub claims: Value,
    /// Token lifetime (s).
    pub lifetime: u64,
    /// Clock skew (s).
    pub allowed_clock_skew: u64,
    /// Whether a custom key signs it.
    #[serde(default)]
    pub custom_signing_key: bool,
    /// Its algorithm.
    #[serde(default)]
    pub signing_algorithm: Option<String>,
}

/// A user (`GET /v1/users/{id}`): the fields tokens are made of; the rest stays in `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// `user_...`.
    pub id: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// The primary email address's id (see `other["email_addresses"]`).
    #[serde(default)]
    pub primary_email_address_id: Option<String>,
    /// Public metadata.
    #[serde(default)]
    pub public_metadata: Value,
    /// Private metadata (Backend API only).
    #[serde(default)]
    pub private_metadata: Value,
    /// Unsafe metadata.
    #[serde(default)]
    pub unsafe_metadata: Value,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

/// An organization (`POST /v1/organizations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationObject {
    /// `org_...`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Public metadata.
    #[serde(default)]
    pub public_metadata: Value,
}

/// An organization membership (`POST /v1/organizations/{id}/memberships`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// `orgmem_...`.
    pub id: String,
    /// `org:admin`, `org:member`, ...
    pub role: String,
    /// The permission keys the role grants.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// The organization.
    pub organization: OrganizationObject,
}

#[derive(Deserialize)]
struct TokenResponse {
    jwt: String,
}

/// The Backend API at `api_url` with a secret key.
#[derive(Clone)]
pub struct BackendApi {
    base: String,
    secret: String,
    /// The client, or why there is none (every call then fails with that).
    client: Result<reqwest::Client, String>,
    attempts: u32,
    backoff: Duration,
}

impl std::fmt::Debug for BackendApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendApi").field("base", &self.base).finish_non_exhaustive()
    }
}

impl BackendApi {
    /// A client for `api_url` (`https://api.clerk.com`) authenticated with `secret_key`. An
    /// `api_url` that is not `https://` (or `http://` on a loopback host) makes every call fail
    /// with [`BackendError::Invalid`] before anything is sent.
    pub fn new(api_url: &str, secret_key: &str) -> Self {
        // Redirects are not followed: the secret key goes to the API host and nowhere else.
        let client = crate::urls::require_secure_url(api_url).and_then(|()| {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("clerk-claims/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| format!("the HTTP client could not be built: {e}"))
        });
        BackendApi {
            base: format!("{}/v1", api_url.trim_end_matches('/')),
            secret: secret_key.to_string(),
            client,
            attempts: 3,
            backoff: Duration::from_millis(200),
        }
    }

    /// Retries on 429 and 5xx: `attempts` in all, the first delay `backoff`, doubled each time.
    pub fn retries(mut self, attempts: u32, backoff: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.backoff = backoff;
        self
    }

    /// `method` on the path made of `segments` under `/v1` (each escaped as one segment), with
    /// `query` encoded and `body` as JSON; 429 and 5xx retried.
    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<T, BackendError> {
        let client = self.client.as_ref().map_err(|e| BackendError::Invalid(e.clone()))?;
        let mut url = self.base.clone();
        for segment in segments {
            url.push('/');
            url.push_str(&path_segment(segment)?);
        }
        let mut delay = self.backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = client.request(method.clone(), &url).bearer_auth(&self.secret).query(query);
            if let Some(body) = body {
                request = request.json(body);
            }
            let retry = attempt < self.attempts;
            match request.send().await {
                Err(e) if retry && (e.is_timeout() || e.is_connect()) => {}
                Err(e) => return Err(transport(&method, &url, e)),
                Ok(response) => {
                    let status = response.status();
                    if retry && (status.as_u16() == 429 || status.is_server_error()) {
                        let wait = response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                            .map_or(delay, |s| Duration::from_secs(s.min(30)));
                        tokio::time::sleep(wait).await;
                        delay = delay.saturating_mul(2);
                        continue;
                    }
                    let bytes = read_bounded(response).await.map_err(|e| match e {
                        Bounded::Transport(e) => transport(&method, &url, e),
                        Bounded::TooLarge => BackendError::Decode(format!(
                            "{method} {url}: the response is larger than {MAX_RESPONSE_BYTES} bytes"
                        )),
                    })?;
                    return parse_response(status.as_u16(), &bytes, &format!("{method} {url}"));
                }
            }
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
        }
    }

    /// `GET /v1/sessions?user_id=...[&status=...]`: the user's sessions.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn list_sessions(
        &self,
        user_id: &str,
        status: Option<&str>,
    ) -> Result<Vec<Session>, BackendError> {
        let mut query = vec![("user_id", user_id)];
        if let Some(status) = status {
            query.push(("status", status));
        }
        self.call(reqwest::Method::GET, &["sessions"], &query, None).await
    }

    /// `GET /v1/sessions/{id}`. A revoked session's already-minted tokens still verify until their
    /// `exp` (60 s): where that matters, check `status == "active"` here.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn get_session(&self, session_id: &str) -> Result<Session, BackendError> {
        self.call(reqwest::Method::GET, &["sessions", session_id], &[], None).await
    }

    /// `POST /v1/sessions/{id}/revoke`: signs the session out everywhere.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn revoke_session(&self, session_id: &str) -> Result<Session, BackendError> {
        self.call(reqwest::Method::POST, &["sessions", session_id, "revoke"], &[], None).await
    }

    /// `POST /v1/sessions/{id}/tokens[/{template}]`: a fresh session token, or a token of a JWT
    /// template, for the session.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn session_token(
        &self,
        session_id: &str,
        template: Option<&str>,
    ) -> Result<String, BackendError> {
        self.session_token_expiring(session_id, template, None).await
    }

    /// [`BackendApi::session_token`] with `expires_in_seconds` (30 s to 10 years) instead of the
    /// token's usual lifetime.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn session_token_expiring(
        &self,
        session_id: &str,
        template: Option<&str>,
        expires_in_seconds: Option<u64>,
    ) -> Result<String, BackendError> {
        let path = match template {
            Some(t) => vec!["sessions", session_id, "tokens", t],
            None => vec!["sessions", session_id, "tokens"],
        };
        let body = match expires_in_seconds {
            Some(seconds) => serde_json::json!({"expires_in_seconds": seconds}),
            None => serde_json::json!({}),
        };
        self.call::<TokenResponse>(reqwest::Method::POST, &path, &[], Some(&body)).await.map(|t| t.jwt)
    }

    /// `POST /v1/sessions` (development instances only): an active session for `user_id`, with
    /// `active_organization_id` as its active organization.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn create_session(
        &self,
        user_id: &str,
        active_organization_id: Option<&str>,
    ) -> Result<Session, BackendError> {
        let mut body = serde_json::json!({"user_id": user_id});
        if let (Some(org), Some(obj)) = (active_organization_id, body.as_object_mut()) {
            obj.insert("active_organization_id".into(), org.into());
        }
        self.call(reqwest::Method::POST, &["sessions"], &[], Some(&body)).await
    }

    /// `GET /v1/jwt_templates`.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn list_jwt_templates(&self) -> Result<Vec<JwtTemplate>, BackendError> {
        self.call(reqwest::Method::GET, &["jwt_templates"], &[], None).await
    }

    /// `POST /v1/jwt_templates` with a template body (`ClerkClaims::template_json()`).
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn create_jwt_template(&self, body: &Value) -> Result<JwtTemplate, BackendError> {
        self.call(reqwest::Method::POST, &["jwt_templates"], &[], Some(body)).await
    }

    /// `PATCH /v1/jwt_templates/{id}`.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn update_jwt_template(&self, id: &str, body: &Value) -> Result<JwtTemplate, BackendError> {
        self.call(reqwest::Method::PATCH, &["jwt_templates", id], &[], Some(body)).await
    }

    /// `DELETE /v1/jwt_templates/{id}`.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn delete_jwt_template(&self, id: &str) -> Result<(), BackendError> {
        self.call::<Value>(reqwest::Method::DELETE, &["jwt_templates", id], &[], None).await.map(|_| ())
    }

    /// `GET /v1/users/{id}`.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn get_user(&self, user_id: &str) -> Result<User, BackendError> {
        self.call(reqwest::Method::GET, &["users", user_id], &[], None).await
    }

    /// `POST /v1/users` with a body such as
    /// `{"email_address": ["ada@example.com"], "first_name": "Ada", "public_metadata": {...}}`.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn create_user(&self, body: &Value) -> Result<User, BackendError> {
        self.call(reqwest::Method::POST, &["users"], &[], Some(body)).await
    }

    /// `GET /v1/users` with filters (`("email_address", "ada@example.com")`, `("limit", "50")`, ...).
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn list_users(&self, query: &[(&str, &str)]) -> Result<Vec<User>, BackendError> {
        self.call(reqwest::Method::GET, &["users"], query, None).await
    }

    /// `PATCH /v1/users/{id}/metadata`: `public_metadata`, `private_metadata` and `unsafe_metadata`
    /// merged into the user's (a `null` value removes a key).
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn update_user_metadata(&self, user_id: &str, body: &Value) -> Result<User, BackendError> {
        self.call(reqwest::Method::PATCH, &["users", user_id, "metadata"], &[], Some(body)).await
    }

    /// `POST /v1/organizations` (`name`, optional `slug`, `created_by`, `public_metadata`).
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn create_organization(&self, body: &Value) -> Result<OrganizationObject, BackendError> {
        self.call(reqwest::Method::POST, &["organizations"], &[], Some(body)).await
    }

    /// `POST /v1/organizations/{id}/memberships` (`user_id`, `role`).
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn create_membership(
        &self,
        organization_id: &str,
        body: &Value,
    ) -> Result<Membership, BackendError> {
        self.call(reqwest::Method::POST, &["organizations", organization_id, "memberships"], &[], Some(body))
            .await
    }

    /// `GET /v1/jwt_templates/{id}`.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn get_jwt_template(&self, id: &str) -> Result<JwtTemplate, BackendError> {
        self.call(reqwest::Method::GET, &["jwt_templates", id], &[], None).await
    }

    /// `GET /v1/jwks`: the instance's public keys.
    ///
    /// # Errors
    /// [`BackendError`].
    pub async fn jwks(&self) -> Result<Value, BackendError> {
        self.call(reqwest::Method::GET, &["jwks"], &[], None).await
    }
}

/// A response of `status` with `body` to the request `what` (`GET <url>`): the value of a success,
/// else Clerk's error envelope as [`BackendError::Api`] (a body that is not one becomes an envelope
/// holding its first 200 characters).
pub(crate) fn parse_response<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    what: &str,
) -> Result<T, BackendError> {
    if !(200..300).contains(&status) {
        let errors = serde_json::from_slice::<ClerkErrors>(body).unwrap_or_else(|_| ClerkErrors {
            errors: vec![ClerkError {
                message: reqwest::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("error")
                    .to_string(),
                long_message: String::from_utf8_lossy(body).chars().take(200).collect(),
                code: "unexpected_response".into(),
            }],
            clerk_trace_id: None,
        });
        return Err(BackendError::Api { status, errors });
    }
    serde_json::from_slice(body).map_err(|e| BackendError::Decode(format!("{what}: {e}")))
}

/// A transport error naming what was tried (never the secret key).
fn transport(method: &reqwest::Method, url: &str, e: reqwest::Error) -> BackendError {
    let what = if e.is_timeout() { "timed out".to_string() } else { e.without_url().to_string() };
    BackendError::Transport(format!("{method} {url}: {what}"))
}

enum Bounded {
    Transport(reqwest::Error),
    TooLarge,
}

/// The body, read up to [`MAX_RESPONSE_BYTES`].
async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, Bounded> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Bounded::Transport)? {
        if body.len().saturating_add(chunk.len()) > MAX_RESPONSE_BYTES {
            return Err(Bounded::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
