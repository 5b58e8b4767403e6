//! A JWKS fetched over HTTPS and cached for one issuer.
//!
//! - Reads are lock-free: the current key set is an `ArcSwap` snapshot.
//! - At most one fetch in flight (single-flight), whatever the number of waiting requests; a request
//!   that waited for a fetch takes its result, success or failure, instead of fetching again.
//! - Refreshed in the background, one refresh at a time, once a snapshot is
//!   [`RemoteOptions::refresh_ahead`] old. Past [`RemoteOptions::max_age`] the held keys keep
//!   serving at once while that refresh runs, for up to [`RemoteOptions::max_stale`].
//! - After a failed fetch, a cooldown ([`RemoteOptions::failure_cooldown`], doubling with each
//!   failure up to [`RemoteOptions::max_failure_cooldown`]) during which a request that needs a fetch
//!   (nothing held, or held keys too old) fails at once with `jwk-remote-failed-to-load`.
//! - An unknown `kid` triggers at most one fetch per [`RemoteOptions::unknown_kid_cooldown`]: a
//!   flood of made-up kids is not a flood of requests.
//! - Fetches time out, retry failures that may pass (refused connections, 5xx) with backoff but not
//!   a timeout (a hanging endpoint would only be waited for again), and read at most
//!   [`RemoteOptions::max_body_bytes`]. Plain `http://` is refused unless the host is loopback.
//! - Every `RemoteJwks` is its own cache: keys of one instance never verify another's tokens.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;

use super::{Jwks, Key};
use crate::error::{Reason, VerifyError};

/// Timing and size limits of a [`RemoteJwks`].
#[derive(Debug, Clone)]
pub struct RemoteOptions {
    /// Age at which a key set is due for replacement (default 10 minutes).
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
    /// After a failed fetch, how long requests that need one fail at once instead of fetching
    /// (default 1 s), doubled with each further failure up to `max_failure_cooldown`.
    pub failure_cooldown: Duration,
    /// Longest cooldown after repeated failures (default 30 s).
    pub max_failure_cooldown: Duration,
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
            failure_cooldown: Duration::from_secs(1),
            max_failure_cooldown: Duration::from_secs(30),
            max_body_bytes: 64 * 1024,
        }
    }
}

struct Snapshot {
    jwks: Arc<Jwks>,
    fetched_at: Instant,
}

/// How fetching has gone: what a request that waited for a fetch learns from it, and whether a new
/// fetch may start.
#[derive(Default)]
struct Fetches {
    /// Fetches that have ended (either way); a waiter that sees it move uses that fetch's result.
    ended: u64,
    /// Why the last fetch failed, while fetches keep failing.
    error: Option<VerifyError>,
    /// Failures in a row.
    failures: u32,
    /// No fetch starts before then.
    cooldown_until: Option<Instant>,
    /// When an unknown `kid` last caused a fetch.
    unknown_kid_at: Option<Instant>,
}

struct Inner {
    url: String,
    bearer: Option<String>,
    options: RemoteOptions,
    client: Result<reqwest::Client, String>,
    current: ArcSwapOption<Snapshot>,
    /// Held while a fetch runs: one in flight per key set.
    in_flight: tokio::sync::Mutex<()>,
    fetches: std::sync::Mutex<Fetches>,
    /// A background refresh is running.
    refreshing: AtomicBool,
    requests: AtomicU64,
}

/// A remote key set for one instance (Frontend API `/.well-known/jwks.json`, or Backend API
/// `/v1/jwks` with the secret key).
///
/// ```no_run
/// # async fn run() -> Result<(), clerk_claims_runtime::VerifyError> {
/// use clerk_claims_runtime::{keys::RemoteJwks, verify::TokenKind, SessionClaims, Verifier};
/// let keys = RemoteJwks::new("https://clerk.example.com/.well-known/jwks.json");
/// let verifier = Verifier::new(keys).issuer("https://clerk.example.com");
/// verifier.fetch_key("eyJ...", TokenKind::Session).await?;
/// let claims: SessionClaims = verifier.verify_session("eyJ...")?;
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
        // A client that cannot be built (or a URL this crate will not fetch) fails every fetch,
        // saying why; it never falls back to a client without the timeout and redirect policy.
        let client = crate::urls::require_secure_url(&url).and_then(|()| {
            reqwest::Client::builder()
                .timeout(options.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("clerk-claims/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| format!("the HTTP client could not be built: {e}"))
        });
        RemoteJwks {
            inner: Arc::new(Inner {
                url,
                bearer,
                options,
                client,
                current: ArcSwapOption::empty(),
                in_flight: tokio::sync::Mutex::new(()),
                fetches: std::sync::Mutex::new(Fetches::default()),
                refreshing: AtomicBool::new(false),
                requests: AtomicU64::new(0),
            }),
        }
    }

    /// The URL fetched.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// How many HTTP requests have been made (for monitoring and tests).
    pub fn fetch_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
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
            return Err(self.last_error().unwrap_or_else(|| {
                VerifyError::new(
                    Reason::JwkFailedToResolve,
                    "Failed to resolve JWK during verification: the remote key set has not been loaded yet.",
                )
                .with_action("Verify with the async methods, or call RemoteJwks::refresh first.")
            }));
        };
        if self.too_old(snapshot) {
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

    /// Whether `key` is still in the current key set and the set is young enough to use: what a
    /// verdict cached under that key needs to stand. Lock-free; no allocation.
    pub(crate) fn still_holds(&self, key: &Arc<Key>) -> bool {
        let snapshot = self.inner.current.load();
        snapshot.as_ref().is_some_and(|s| {
            !self.too_old(s) && s.jwks.get(key.kid().unwrap_or("")).is_some_and(|k| Arc::ptr_eq(k, key))
        })
    }

    fn too_old(&self, snapshot: &Snapshot) -> bool {
        snapshot.fetched_at.elapsed()
            > self.inner.options.max_age.saturating_add(self.inner.options.max_stale)
    }

    /// Makes sure a key set usable for `kid` is held, fetching only when nothing usable is (cold,
    /// or past the stale limit) or, at most once per cooldown, when `kid` is unknown; starts one
    /// background refresh when the keys are getting old.
    pub(crate) async fn ensure(&self, kid: &str) -> Result<(), VerifyError> {
        // Read through a guard (no shared reference count), dropped before any await.
        let held = self
            .inner
            .current
            .load()
            .as_ref()
            .map(|s| (self.too_old(s), s.fetched_at.elapsed(), s.jwks.get(kid).is_some()));
        match held {
            None | Some((true, _, _)) => self.fetch().await,
            Some((false, _, false)) => {
                let cooldown = self.inner.options.unknown_kid_cooldown;
                let due = {
                    let mut fetches = self.fetches();
                    let due = fetches.unknown_kid_at.is_none_or(|t| t.elapsed() >= cooldown);
                    if due {
                        fetches.unknown_kid_at = Some(Instant::now());
                    }
                    due
                };
                if due {
                    // Failing to fetch leaves the held keys: the kid is then reported missing.
                    let _ = self.fetch().await;
                } else {
                    // A fetch already running may bring the kid (a rotation): wait for it.
                    drop(self.inner.in_flight.lock().await);
                }
                Ok(())
            }
            Some((false, age, true)) => {
                if age >= self.inner.options.refresh_ahead {
                    self.refresh_in_background();
                }
                Ok(())
            }
        }
    }

    /// Starts a refresh in the background unless one is running or fetches are cooling down.
    fn refresh_in_background(&self) {
        if self.cooling_down().is_some() || self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            // Reset even if the task is dropped with the runtime.
            struct Done(RemoteJwks);
            impl Drop for Done {
                fn drop(&mut self) {
                    self.0.inner.refreshing.store(false, Ordering::Release);
                }
            }
            let done = Done(this);
            let _ = done.0.fetch().await;
        });
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

    /// Fetches the key set now, or shares the fetch already running (and its result).
    ///
    /// # Errors
    /// `jwk-remote-failed-to-load` or `jwk-remote-invalid` when no key set could be had, also at
    /// once while fetches are cooling down after a failure.
    pub async fn refresh(&self) -> Result<(), VerifyError> {
        self.fetch().await
    }

    fn fetches(&self) -> MutexGuard<'_, Fetches> {
        // The data is plain values, valid whatever a panicking holder left.
        self.inner.fetches.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The last failure, while fetches are cooling down after it.
    fn cooling_down(&self) -> Option<VerifyError> {
        let fetches = self.fetches();
        match (fetches.cooldown_until, &fetches.error) {
            (Some(until), Some(error)) if Instant::now() < until => Some(error.clone()),
            _ => None,
        }
    }

    fn last_error(&self) -> Option<VerifyError> {
        self.fetches().error.clone()
    }

    /// One fetch, single-flight: a caller that waited while another fetch ran takes its result.
    async fn fetch(&self) -> Result<(), VerifyError> {
        if let Some(error) = self.cooling_down() {
            return Err(error);
        }
        let seen = self.fetches().ended;
        let _flight = self.inner.in_flight.lock().await;
        {
            let fetches = self.fetches();
            if fetches.ended != seen {
                return fetches.error.clone().map_or(Ok(()), Err);
            }
        }
        if let Some(error) = self.cooling_down() {
            return Err(error);
        }
        let result = self.fetch_with_retries().await;
        let mut fetches = self.fetches();
        fetches.ended += 1;
        match result {
            Ok(mut jwks) => {
                if let Some(held) = self.inner.current.load().as_ref() {
                    // Unchanged keys stay the same objects, so verdicts cached under them stand.
                    jwks.keep_unchanged(&held.jwks);
                }
                self.inner
                    .current
                    .store(Some(Arc::new(Snapshot { jwks: Arc::new(jwks), fetched_at: Instant::now() })));
                *fetches = Fetches {
                    ended: fetches.ended,
                    unknown_kid_at: fetches.unknown_kid_at,
                    ..Fetches::default()
                };
                Ok(())
            }
            Err(error) => {
                fetches.failures = fetches.failures.saturating_add(1);
                let doublings = fetches.failures.saturating_sub(1).min(16);
                let cooldown = self
                    .inner
                    .options
                    .failure_cooldown
                    .saturating_mul(1 << doublings)
                    .min(self.inner.options.max_failure_cooldown);
                fetches.cooldown_until = Instant::now().checked_add(cooldown);
                fetches.error = Some(error.clone());
                Err(error)
            }
        }
    }

    async fn fetch_with_retries(&self) -> Result<Jwks, VerifyError> {
        let options = &self.inner.options;
        let mut delay = options.backoff;
        let mut last_error = None;
        for attempt in 0..options.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
            }
            match self.fetch_once().await {
                Ok(jwks) => return Ok(jwks),
                Err(Failure { error, retry: true }) => last_error = Some(error),
                // A timeout, or a body that is not a key set: trying again would not help.
                Err(Failure { error, retry: false }) => return Err(error),
            }
        }
        Err(last_error
            .unwrap_or_else(|| VerifyError::new(Reason::JwkRemoteFailedToLoad, "No attempt was made.")))
    }

    async fn fetch_once(&self) -> Result<Jwks, Failure> {
        let url = &self.inner.url;
        let client = self.inner.client.as_ref().map_err(|e| Failure::last(failed_to_load(url, e)))?;
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = client.get(url);
        if let Some(secret) = &self.inner.bearer {
            request = request.bearer_auth(secret);
        }
        let mut response = request.send().await.map_err(|e| Failure::of_request(url, e))?;
        let status = response.status();
        if !status.is_success() {
            let error = VerifyError::new(
                Reason::JwkRemoteFailedToLoad,
                format!("Error loading Clerk JWKS from {url} with code={}", status.as_u16()),
            );
            // Server errors and rate limits may pass; a 4xx will not.
            let retry = status.is_server_error() || status.as_u16() == 429;
            return Err(Failure { error, retry });
        }
        let limit = self.inner.options.max_body_bytes;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| Failure::of_request(url, e))? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(Failure::last(VerifyError::new(
                    Reason::JwkRemoteInvalid,
                    format!("The JWKS from {url} is larger than {limit} bytes."),
                )));
            }
            body.extend_from_slice(&chunk);
        }
        parse_key_set(url, body).map_err(Failure::last)
    }
}

/// Why one request failed, and whether another attempt may succeed.
struct Failure {
    error: VerifyError,
    retry: bool,
}

impl Failure {
    fn last(error: VerifyError) -> Failure {
        Failure { error, retry: false }
    }

    /// A transport error: retried, unless it was a timeout (the endpoint hangs).
    fn of_request(url: &str, e: reqwest::Error) -> Failure {
        let timed_out = e.is_timeout();
        let detail =
            if timed_out { "the request timed out".to_string() } else { e.without_url().to_string() };
        Failure { error: failed_to_load(url, &detail), retry: !timed_out }
    }
}

fn failed_to_load(url: &str, detail: &str) -> VerifyError {
    VerifyError::new(Reason::JwkRemoteFailedToLoad, format!("Error loading Clerk JWKS from {url}: {detail}"))
        .with_action("Contact support@clerk.com")
}

/// A fetched body as a key set with at least one key.
fn parse_key_set(url: &str, body: Vec<u8>) -> Result<Jwks, VerifyError> {
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
            VerifyError::new(Reason::JwkRemoteInvalid, format!("The JWKS from {url} is not a key set: {e}."))
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
