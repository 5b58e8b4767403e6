//! A JWKS fetched over HTTPS and cached for one issuer.
//!
//! - Reads are lock-free: the current key set is an `ArcSwap` snapshot.
//! - One fetch at a time (single-flight): concurrent callers wait for it and share its result.
//! - Refreshed in the background once a snapshot is [`RemoteOptions::refresh_ahead`] old, replaced
//!   at [`RemoteOptions::max_age`].
//! - An unknown `kid` triggers at most one fetch per [`RemoteOptions::unknown_kid_cooldown`]: a
//!   flood of made-up kids is not a flood of requests.
//! - When the endpoint fails, the keys already held keep serving for up to
//!   [`RemoteOptions::max_stale`] past their age; fetches retry with backoff, time out, and read at
//!   most [`RemoteOptions::max_body_bytes`].
//! - Every `RemoteJwks` is its own cache: keys of one instance never verify another's tokens.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use tokio::sync::Mutex;

use super::{Jwks, Key};
use crate::verify::{Reason, VerifyError};

/// Timing and size limits of a [`RemoteJwks`].
#[derive(Debug, Clone)]
pub struct RemoteOptions {
    /// Age at which a key set is replaced (default 10 minutes).
    pub max_age: Duration,
    /// Age at which a background refresh starts (default 8 minutes).
    pub refresh_ahead: Duration,
    /// Shortest time between two fetches caused by an unknown `kid` (default 30 s).
    pub unknown_kid_cooldown: Duration,
    /// How long past `max_age` the held keys keep serving while the endpoint fails (default 1 hour).
    pub max_stale: Duration,
    /// Time limit of one HTTP request (default 5 s).
    pub timeout: Duration,
    /// Attempts per fetch (default 3), with backoff starting at [`RemoteOptions::backoff`].
    pub attempts: u32,
    /// First retry delay, doubled each time (default 200 ms).
    pub backoff: Duration,
    /// Largest response body read (default 64 KiB).
    pub max_body_bytes: usize,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions {
            max_age: Duration::from_secs(600),
            refresh_ahead: Duration::from_secs(480),
            unknown_kid_cooldown: Duration::from_secs(30),
            max_stale: Duration::from_secs(3600),
            timeout: Duration::from_secs(5),
            attempts: 3,
            backoff: Duration::from_millis(200),
            max_body_bytes: 64 * 1024,
        }
    }
}

struct Snapshot {
    jwks: Arc<Jwks>,
    fetched_at: Instant,
}

struct Inner {
    url: String,
    bearer: Option<String>,
    options: RemoteOptions,
    client: reqwest::Client,
    current: ArcSwapOption<Snapshot>,
    /// Held while a fetch runs; `last_attempt` is read and written under it.
    fetching: Mutex<Option<Instant>>,
    fetches: std::sync::atomic::AtomicU64,
}

/// A remote key set for one instance (Frontend API `/.well-known/jwks.json`, or Backend API
/// `/v1/jwks` with the secret key).
///
/// ```no_run
/// # async fn run() -> Result<(), clerk_claims_runtime::VerifyError> {
/// use clerk_claims_runtime::{keys::RemoteJwks, Verifier};
/// let keys = RemoteJwks::new("https://clerk.example.com/.well-known/jwks.json");
/// let verifier = Verifier::new(keys).issuer("https://clerk.example.com");
/// let claims = verifier.verify_session_async::<()>("eyJ...").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RemoteJwks {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks").field("url", &self.inner.url).finish_non_exhaustive()
    }
}

impl RemoteJwks {
    /// A key set at `url`, with the default options.
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_options(url, RemoteOptions::default())
    }

    /// A key set at `url` with `options`.
    pub fn with_options(url: impl Into<String>, options: RemoteOptions) -> Self {
        Self::build(url.into(), None, options)
    }

    /// The Backend API's `/v1/jwks`, authenticated with the secret key.
    pub fn backend_api(api_url: &str, secret_key: &str, options: RemoteOptions) -> Self {
        let url = format!("{}/v1/jwks", api_url.trim_end_matches('/'));
        Self::build(url, Some(secret_key.to_string()), options)
    }

    fn build(url: String, bearer: Option<String>, options: RemoteOptions) -> Self {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("clerk-claims/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        RemoteJwks {
            inner: Arc::new(Inner {
                url,
                bearer,
                options,
                client,
                current: ArcSwapOption::empty(),
                fetching: Mutex::new(None),
                fetches: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// The URL fetched.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// How many HTTP requests have been made (for monitoring and tests).
    pub fn fetch_count(&self) -> u64 {
        self.inner.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `f` on the key with `kid` from the current snapshot, without any I/O (the synchronous
    /// path). The snapshot is held through a lock-free guard rather than a reference count, so
    /// threads verifying at once do not contend on a shared counter.
    pub(crate) fn with_cached<R>(
        &self,
        kid: &str,
        f: impl FnOnce(&Arc<Key>) -> Result<R, VerifyError>,
    ) -> Result<R, VerifyError> {
        let snapshot = self.inner.current.load();
        let Some(snapshot) = snapshot.as_ref() else {
            return Err(VerifyError::new(
                Reason::JwkFailedToResolve,
                "Failed to resolve JWK during verification: the remote key set has not been loaded yet.",
            )
            .with_action("Verify with the async methods, or call RemoteJwks::refresh first."));
        };
        if snapshot.fetched_at.elapsed() > self.inner.options.max_age + self.inner.options.max_stale {
            return Err(VerifyError::new(
                Reason::JwkRemoteFailedToLoad,
                format!("The keys from {} are too old to use and could not be refreshed.", self.inner.url),
            ));
        }
        match snapshot.jwks.get(kid) {
            Some(key) => f(key),
            None => Err(super::missing_key(&snapshot.jwks, kid)),
        }
    }

    /// Makes sure the key set is loaded and, when `kid` is unknown, fetched again at most once per
    /// cooldown; starts a background refresh when the keys are getting old.
    pub(crate) async fn ensure(&self, kid: &str) -> Result<(), VerifyError> {
        // Read through a guard (no shared reference count), dropped before any await.
        let held =
            self.inner.current.load().as_ref().map(|s| (s.fetched_at.elapsed(), s.jwks.get(kid).is_some()));
        match held {
            None => self.refresh_if(|_| true).await,
            Some((age, has_kid)) => {
                if !has_kid {
                    let cooldown = self.inner.options.unknown_kid_cooldown;
                    return self
                        .refresh_if(|last| last.is_none_or(|t| t.elapsed() >= cooldown))
                        .await
                        .or(Ok(()));
                }
                if age >= self.inner.options.max_age {
                    // Expired: refresh now; on failure the held keys keep serving (bounded in `cached`).
                    let _ = self.refresh_if(|_| true).await;
                } else if age >= self.inner.options.refresh_ahead {
                    let this = self.clone();
                    tokio::spawn(async move { this.refresh_if(|_| true).await });
                }
                Ok(())
            }
        }
    }

    /// The key with `kid`, fetching the key set when it is not loaded (or, at most once per
    /// cooldown, when it does not hold `kid`).
    ///
    /// # Errors
    /// `jwk-kid-mismatch` when the instance has no such key; the fetch errors otherwise.
    pub async fn key(&self, kid: &str) -> Result<Arc<Key>, VerifyError> {
        self.ensure(kid).await?;
        self.with_cached(kid, |key| Ok(key.clone()))
    }

    /// Fetches the key set now (single-flight: waits for a fetch already running instead).
    ///
    /// # Errors
    /// `jwk-remote-failed-to-load` or `jwk-remote-invalid` when no key set could be had.
    pub async fn refresh(&self) -> Result<(), VerifyError> {
        self.refresh_if(|_| true).await
    }

    async fn refresh_if(&self, due: impl Fn(Option<Instant>) -> bool) -> Result<(), VerifyError> {
        let before = self.inner.current.load().as_ref().map(|s| s.fetched_at);
        let mut last_attempt = self.inner.fetching.lock().await;
        // Someone else fetched while we waited: use theirs.
        let now_held = self.inner.current.load().as_ref().map(|s| s.fetched_at);
        if now_held.is_some() && now_held != before {
            return Ok(());
        }
        if !due(*last_attempt) {
            return Ok(());
        }
        *last_attempt = Some(Instant::now());
        let jwks = self.fetch_with_retries().await?;
        self.inner
            .current
            .store(Some(Arc::new(Snapshot { jwks: Arc::new(jwks), fetched_at: Instant::now() })));
        Ok(())
    }

    async fn fetch_with_retries(&self) -> Result<Jwks, VerifyError> {
        let options = &self.inner.options;
        let mut delay = options.backoff;
        let mut last_error = None;
        for attempt in 0..options.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            match self.fetch_once().await {
                Ok(jwks) => return Ok(jwks),
                // A body that is not a key set will not become one on retry.
                Err(e) if e.reason == Reason::JwkRemoteInvalid => return Err(e),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error
            .unwrap_or_else(|| VerifyError::new(Reason::JwkRemoteFailedToLoad, "No attempt was made.")))
    }

    async fn fetch_once(&self) -> Result<Jwks, VerifyError> {
        let url = &self.inner.url;
        self.inner.fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let failed = |detail: String| {
            VerifyError::new(
                Reason::JwkRemoteFailedToLoad,
                format!("Error loading Clerk JWKS from {url}: {detail}"),
            )
            .with_action("Contact support@clerk.com")
        };
        let mut request = self.inner.client.get(url);
        if let Some(secret) = &self.inner.bearer {
            request = request.bearer_auth(secret);
        }
        let mut response = request.send().await.map_err(|e| failed(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(VerifyError::new(
                Reason::JwkRemoteFailedToLoad,
                format!("Error loading Clerk JWKS from {url} with code={}", status.as_u16()),
            ));
        }
        let limit = self.inner.options.max_body_bytes;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| failed(e.without_url().to_string()))? {
            if body.len() + chunk.len() > limit {
                return Err(VerifyError::new(
                    Reason::JwkRemoteInvalid,
                    format!("The JWKS from {url} is larger than {limit} bytes."),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| {
            VerifyError::new(Reason::JwkRemoteInvalid, format!("The JWKS from {url} is not UTF-8."))
        })?;
        // A JSON object without keys is an empty key set, as Clerk's SDKs read it.
        let no_keys = serde_json::from_str::<serde_json::Value>(&text)
            .is_ok_and(|v| v.as_object().is_some_and(|o| !o.contains_key("keys")));
        let jwks = if no_keys {
            Jwks::default()
        } else {
            Jwks::from_json(&text).map_err(|e| {
                VerifyError::new(
                    Reason::JwkRemoteInvalid,
                    format!("The JWKS from {url} is not a key set: {e}."),
                )
            })?
        };
        if jwks.is_empty() {
            return Err(VerifyError::new(
                Reason::JwkRemoteFailedToLoad,
                "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com.",
            )
            .with_action("Contact support@clerk.com"));
        }
        Ok(jwks)
    }
}
