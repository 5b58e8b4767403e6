//! Token verification: a [`Verifier`] is its keys ([`KeySource`]), its policy's settings, a clock
//! and a verified-token cache. The policy's twelve checks, in their fixed order, are one file read
//! top to bottom: `src/verify/policy.rs`.
//!
//! ```
//! use clerk_claims_runtime::keys::{Algorithm, Key};
//! use clerk_claims_runtime::{Reason, SessionClaims, Verifier};
//! # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
//! # let secret = [7u8; 32];
//! # let payload = r#"{"sub":"user_1","sid":"sess_1","azp":"https://app.example.com","iat":1000,"exp":1060}"#;
//! # let input = format!("{}.{}", B64.encode(r#"{"alg":"HS256","typ":"JWT"}"#), B64.encode(payload));
//! # let tag = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret), input.as_bytes());
//! # let token = format!("{input}.{}", B64.encode(tag.as_ref()));
//! // A token signed with a template's HMAC key (Clerk's instance keys are RSA: `Jwks`, `RemoteJwks`).
//! let verifier = Verifier::new(Key::hmac(&secret, Algorithm::HS256).unwrap())
//!     .authorized_parties(["https://app.example.com"])
//!     .now(1010);
//! let claims: SessionClaims = verifier.verify_session(&token).unwrap();
//! assert_eq!(claims.user_id(), "user_1");
//!
//! let later = verifier.clone().now(1010 + 3600);
//! assert_eq!(later.verify_session::<SessionClaims>(&token).unwrap_err().reason, Reason::TokenExpired);
//! ```

pub(crate) mod cache;

pub(crate) mod jws;
mod policy;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use crate::error::{Reason, VerifyError};
pub use crate::keys::KeySource;
pub use crate::strict::MAX_NESTING;
pub use jws::{Decoded, Header, decode};

use crate::claims::tokens::{SessionSlots, TEMPLATE_CLAIM_NAMES};
use crate::claims::{ClerkClaims, SessionClaims, TemplateClaims};
use crate::keys::{Algorithm, Key};
pub use policy::MAX_KID_BYTES;
use policy::{POLICY_CLAIMS, Policy};

/// Default limit on a token's length, checked before anything is decoded.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Default clock skew, in seconds (Clerk's default).
pub const DEFAULT_CLOCK_SKEW: i64 = 5;
/// Largest clock skew a verifier accepts (Clerk's templates allow at most 300 s).
pub const MAX_CLOCK_SKEW: i64 = 300;
/// Default longest lifetime (`exp - iat`, seconds) of a session token that carries no session
/// category (`cat` absent or Clerk's "ignore"): Clerk's session tokens live 60 s.
pub const DEFAULT_SESSION_MAX_LIFETIME: i64 = crate::times::TOKEN_LIFETIME.as_secs() as i64;

/// Clerk's token categories (the `cat` header).
pub mod category {
    /// A session token.
    pub const SESSION: &str = "cl_B7d4PD111AAA";
    /// A JWT-template token.
    pub const TEMPLATE: &str = "cl_B7d4PD222AAA";
    /// A machine (M2M) token.
    pub const MACHINE: &str = "cl_B7d4PD333AAA";
    /// Instances that opt out of categories.
    pub const IGNORE: &str = "cl_I7d4PD111III";
}

/// Which kind of token a verification accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A session token (has `sid`; not a template or machine token).
    Session,
    /// A JWT-template token (no `sid`; not a session or machine token).
    Template,
    /// Either.
    Any,
}

/// What time it is, for the time claims.
#[derive(Clone)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant (unix seconds), for tests and `clerk-claims verify --now`.
    Fixed(i64),
    /// Any function returning unix seconds.
    Custom(Arc<dyn Fn() -> i64 + Send + Sync>),
}

impl Clock {
    /// Now, in unix seconds.
    ///
    /// ```
    /// assert_eq!(clerk_claims_runtime::verify::Clock::Fixed(7).now(), 7);
    /// ```
    pub fn now(&self) -> i64 {
        match self {
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Clock::Fixed(t) => *t,
            Clock::Custom(f) => f(),
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Clock::System => f.write_str("System"),
            Clock::Fixed(t) => write!(f, "Fixed({t})"),
            Clock::Custom(_) => f.write_str("Custom"),
        }
    }
}

/// Verifies Clerk tokens. The defaults are strict; each setting that loosens one is a named method.
///
/// Defaults: tokens up to 8 KiB; the algorithm the key is pinned to; `typ` absent or `JWT`; clock
/// skew 5 s; `iss`, `azp` and `aud` checked only once configured (set them: [`Verifier::issuer`],
/// [`Verifier::authorized_parties`]); pending sessions (`sts: "pending"`) rejected; a session token
/// without the session category living at most 60 s; the bundled development key refused unless
/// every configured issuer (or the remote key set) is on a loopback host.
#[derive(Debug, Clone)]
pub struct Verifier {
    pub(crate) keys: KeySource,
    pub(crate) policy: Policy,
    pub(crate) clock: Clock,
    cache: Option<Arc<cache::TokenCache>>,
}

impl Verifier {
    /// A verifier with the strict defaults and `keys`.
    ///
    /// ```
    /// use clerk_claims_runtime::{Verifier, keys::{Algorithm, Key}};
    /// let verifier = Verifier::new(Key::hmac(&[1; 32], Algorithm::HS256).unwrap());
    /// # let _ = verifier;
    /// ```
    pub fn new(keys: impl Into<KeySource>) -> Self {
        Verifier {
            keys: keys.into(),
            policy: Policy::default(),
            clock: Clock::System,
            cache: Some(Arc::new(cache::TokenCache::new(cache::Limits::default()))),
        }
    }

    /// Another setting, another policy: the verdicts cached so far no longer apply.
    fn reconfigured(mut self) -> Self {
        // A cache that holds nothing and that no other verifier shares is as good as new: a
        // builder chain keeps the one cache `new` made instead of making one per call.
        if let Some(cache) = &self.cache
            && (Arc::strong_count(cache) > 1 || !cache.is_empty())
        {
            self.cache = Some(Arc::new(cache::TokenCache::new(cache::Limits::default())));
        }
        self
    }

    /// Turns the verified-token cache of session tokens on (the default) or off. On, a session
    /// token verified once is not verified again until it expires: its text is looked up and `exp`
    /// is checked against the clock; [`Verifier::verify_session`] into `SessionClaims` reads its claims again
    /// from the cached payload, into `Arc<SessionClaims>` (and the web layers) reuses the claims read
    /// the first time. At most 10,000 tokens / 32 MiB.
    pub fn token_cache(mut self, enabled: bool) -> Self {
        self.cache = enabled.then(|| Arc::new(cache::TokenCache::new(cache::Limits::default())));
        self
    }

    /// A verifier for the instance the `CLERK_*` settings (and `clerk.toml`) describe:
    /// `CLERK_JWT_KEY` when set (networkless), else the JWKS at `CLERK_JWKS_URL` (or the Frontend
    /// API's), else the Backend API's `/v1/jwks` with `CLERK_SECRET_KEY`; `iss` and `azp` checked
    /// when known, the clock skew when set.
    ///
    /// ```
    /// use clerk_claims_runtime::{Verifier, instance::InstanceConfig};
    /// let config = InstanceConfig::from_lookup(|name| match name {
    ///     "CLERK_PUBLISHABLE_KEY" => Some("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA".into()),
    ///     _ => None,
    /// }).unwrap();
    /// assert!(Verifier::from_instance(&config).is_ok());
    /// let err = Verifier::from_instance(&InstanceConfig::default()).unwrap_err();
    /// assert_eq!(err.reason.code(), "jwk-remote-failed-to-load");
    /// ```
    ///
    /// # Errors
    /// `jwk-invalid` for a `CLERK_JWT_KEY` that is not a key; `jwk-remote-failed-to-load` when no key
    /// source is configured at all.
    pub fn from_instance(config: &crate::instance::InstanceConfig) -> Result<Verifier, VerifyError> {
        let keys: KeySource = match (&config.jwt_key, &config.jwks_url, &config.secret_key) {
            (Some(pem), _, _) => Key::local(Some(pem), "clerk-jwt-key")?.into(),
            #[cfg(feature = "remote")]
            (None, Some(url), _) => crate::keys::RemoteJwks::new(url.as_str()).into(),
            #[cfg(feature = "remote")]
            (None, None, Some(secret)) => {
                crate::keys::RemoteJwks::backend_api(&config.api_url, &secret.0, Default::default()).into()
            }
            _ => {
                return Err(VerifyError::new(
                    Reason::JwkRemoteFailedToLoad,
                    "Failed to load JWKS from Clerk Backend or Frontend API.",
                )
                .with_action("Contact support@clerk.com"));
            }
        };
        let mut verifier = Verifier::new(keys).authorized_parties(config.authorized_parties.iter().cloned());
        if let Some(issuer) = &config.issuer {
            verifier = verifier.issuer(issuer.clone());
        }
        if let Some(skew) = config.clock_skew {
            verifier = verifier.clock_skew(skew);
        }
        Ok(verifier)
    }

    /// Accepts tokens whose `iss` is `issuer` (the instance's Frontend API URL; call again for
    /// satellites and proxies).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self = self.reconfigured();
        self.policy.issuers.push(issuer.into());
        self
    }

    /// Requires `azp` to be one of these origins (empty strings are ignored, as Clerk does).
    pub fn authorized_parties<I, S>(mut self, parties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self = self.reconfigured();
        self.policy
            .authorized_parties
            .extend(parties.into_iter().map(Into::into).filter(|p: &String| !p.is_empty()));
        self
    }

    /// Requires `aud` to contain `audience`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self = self.reconfigured();
        self.policy.audiences.push(audience.into());
        self
    }

    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 5, at most
    /// [`MAX_CLOCK_SKEW`]: a larger value is capped).
    pub fn clock_skew(mut self, seconds: u32) -> Self {
        self = self.reconfigured();
        self.policy.clock_skew = i64::from(seconds).min(MAX_CLOCK_SKEW);
        self
    }

    /// Restricts the accepted algorithms further (the key's own is always required).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self = self.reconfigured();
        self.policy.algorithms.extend(algorithms);
        self
    }

    /// Tokens longer than this are rejected before decoding (default 8 KiB).
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self = self.reconfigured();
        self.policy.max_token_bytes = bytes;
        self
    }

    /// Accepted `typ` headers (default: absent or `JWT`). With a list, `typ` must be in it.
    pub fn header_types<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self = self.reconfigured();
        self.policy.header_types.extend(types.into_iter().map(Into::into));
        self
    }

    /// Accepts sessions with tasks left (`sts: "pending"`); by default they count as signed out.
    pub fn allow_pending_sessions(mut self) -> Self {
        self = self.reconfigured();
        self.policy.allow_pending = true;
        self
    }

    /// The longest lifetime (`exp - iat`) a token without the session category (`cat` absent or
    /// Clerk's "ignore") may have to pass as a session token (default 60 s, what Clerk's session
    /// tokens live). Tokens with the session category are not bound by it (the Backend API mints
    /// longer ones with `expires_in_seconds`); longer unmarked tokens fail with
    /// `token-lifetime-exceeds-session`.
    pub fn session_max_lifetime(mut self, seconds: u32) -> Self {
        self = self.reconfigured();
        self.policy.session_max_lifetime = i64::from(seconds);
        self
    }

    /// Accepts tokens signed by the bundled development key whatever the issuer. Its private half is
    /// published with this crate, so anyone can mint such a token: only for tests that verify
    /// development tokens under a non-loopback issuer. Without it, the key verifies only for a
    /// verifier whose configured issuers are all loopback (`http://127.0.0.1`, `localhost`,
    /// `[::1]`), or whose remote key set is.
    pub fn allow_development_key(mut self) -> Self {
        self = self.reconfigured();
        self.policy.allow_development_key = true;
        self
    }

    /// Whether tokens signed by the development key can verify here.
    pub(crate) fn development_key_allowed(&self) -> bool {
        if self.policy.allow_development_key {
            return true;
        }
        if !self.policy.issuers.is_empty() {
            return self.policy.issuers.iter().all(|i| crate::urls::is_loopback(i));
        }
        match &self.keys {
            #[cfg(feature = "remote")]
            KeySource::Remote(remote) => crate::urls::is_loopback(remote.url()),
            _ => false,
        }
    }

    /// Uses a fixed time (unix seconds) instead of the system clock.
    pub fn now(mut self, unix: i64) -> Self {
        self = self.reconfigured();
        self.clock = Clock::Fixed(unix);
        self
    }

    /// Uses `clock` for the time claims.
    pub fn clock(mut self, clock: Clock) -> Self {
        self = self.reconfigured();
        self.clock = clock;
        self
    }

    /// Requires claims a template always renders with one value (its literal `aud`, say): a token
    /// whose value differs is from another template. [`Verifier::verify_template`] requires the
    /// claims type's own constants too; this is for tokens read without one (JSON).
    ///
    /// ```
    /// use clerk_claims_runtime::{Verifier, keys::{Algorithm, Key}, verify::TokenKind};
    /// # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    /// # let secret = [7u8; 32];
    /// # let input = format!("{}.{}", B64.encode(r#"{"alg":"HS256"}"#), B64.encode(r#"{"sub":"user_1","kind":"b","iat":1000,"exp":1060}"#));
    /// # let tag = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret), input.as_bytes());
    /// # let token = format!("{input}.{}", B64.encode(tag.as_ref()));
    /// let constants = serde_json::json!({"kind": "a"});
    /// let verifier = Verifier::new(Key::hmac(&secret, Algorithm::HS256).unwrap())
    ///     .constant_claims(constants.as_object().unwrap().clone())
    ///     .now(1010);
    /// let err = verifier.verify_json(&token, TokenKind::Template).unwrap_err();
    /// assert_eq!(err.reason.code(), "claims-invalid");
    /// ```
    pub fn constant_claims(mut self, claims: Map<String, Value>) -> Self {
        self = self.reconfigured();
        self.policy.constant_claims.extend(claims);
        self
    }

    /// The one step that waits: with a remote key source, makes sure the key `token` names is held,
    /// fetching the key set when it is not. The checks that need only the header (form, algorithm,
    /// category, `kid` length) run first, so a token refused by them never causes a request; the
    /// verification that follows checks the rest. With a local key source, or for a session token
    /// the token cache holds, it does nothing.
    ///
    /// ```
    /// use clerk_claims_runtime::{Verifier, keys::{Algorithm, Key}, verify::TokenKind};
    /// let verifier = Verifier::new(Key::hmac(&[1; 32], Algorithm::HS256).unwrap());
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert!(rt.block_on(verifier.fetch_key("any.token.text", TokenKind::Any)).is_ok());
    /// ```
    ///
    /// With a remote key set it is the step before any verification:
    ///
    /// ```no_run
    /// # async fn handler(token: &str) -> Result<(), clerk_claims_runtime::VerifyError> {
    /// use clerk_claims_runtime::{SessionClaims, Verifier, keys::RemoteJwks, verify::TokenKind};
    /// let verifier = Verifier::new(RemoteJwks::new("https://clerk.example.com/.well-known/jwks.json"));
    /// verifier.fetch_key(token, TokenKind::Session).await?;
    /// let claims: SessionClaims = verifier.verify_session(token)?;
    /// # let _ = claims; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A check on the header failed, or the key set could not be fetched.
    pub async fn fetch_key(&self, token: &str, kind: TokenKind) -> Result<(), VerifyError> {
        // A session token the cache holds needs no key (its verdict stands on a held one).
        if kind != TokenKind::Template && self.hit(token, self.clock.now(), |_| ()).is_some() {
            return Ok(());
        }
        self.load_key(token, kind).await
    }

    /// [`Verifier::fetch_key`] without looking in the token cache.
    async fn load_key(&self, token: &str, kind: TokenKind) -> Result<(), VerifyError> {
        #[cfg(feature = "remote")]
        if let KeySource::Remote(remote) = &self.keys {
            let mut buffers = jws::Buffers::default();
            let header = jws::decode_header(token, self.policy.max_token_bytes, &mut buffers)?;
            policy::header_steps(&self.policy, &header, kind)?;
            let kid = header.kid().unwrap_or("");
            if kid.len() <= MAX_KID_BYTES {
                remote.ensure(kid).await?;
            }
        }
        // Without remote key sets no key source waits: nothing to load.
        #[cfg(not(feature = "remote"))]
        let _ = (token, kind);
        Ok(())
    }

    /// Checks only that `token` is a well-formed JWS signed by this verifier's key (the policy's
    /// steps 1 to 6), without looking at any claim.
    ///
    /// ```
    /// use clerk_claims_runtime::{Verifier, keys::{Algorithm, Key}};
    /// let verifier = Verifier::new(Key::hmac(&[1; 32], Algorithm::HS256).unwrap());
    /// assert_eq!(verifier.verify_signature("a.b").unwrap_err().reason.code(), "token-invalid");
    /// ```
    ///
    /// # Errors
    /// The first check that fails, as a [`VerifyError`].
    pub fn verify_signature<'t>(&self, token: &'t str) -> Result<Decoded<'t>, VerifyError> {
        let mut buffers = jws::Buffers::default();
        let (checked, _key) = policy::signed(self, token, TokenKind::Any, &mut buffers)?;
        Ok(checked.into_decoded())
    }

    /// Verifies a session token into its claims, with the session customization's claims as `C`:
    /// `S` is [`SessionClaims<C>`] (owned; a token the cache holds is read again from its cached
    /// payload) or `Arc<SessionClaims<C>>` (shared with the token cache: a token seen before, and
    /// unexpired, costs a lookup and an `Arc` clone, not a parse). With a remote key source, call
    /// [`Verifier::fetch_key`] first.
    ///
    /// ```
    /// # use clerk_claims_runtime::{SessionClaims, Verifier, keys::{Algorithm, Key}};
    /// # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    /// # use std::sync::Arc;
    /// # let secret = [7u8; 32];
    /// # let input = format!("{}.{}", B64.encode(r#"{"alg":"HS256","typ":"JWT"}"#), B64.encode(r#"{"sub":"user_1","sid":"sess_1","iat":1000,"exp":1060}"#));
    /// # let tag = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret), input.as_bytes());
    /// # let token = format!("{input}.{}", B64.encode(tag.as_ref()));
    /// let verifier = Verifier::new(Key::hmac(&secret, Algorithm::HS256).unwrap()).now(1010);
    /// let owned: SessionClaims = verifier.verify_session(&token).unwrap();
    /// let first: Arc<SessionClaims> = verifier.verify_session(&token).unwrap();
    /// let again: Arc<SessionClaims> = verifier.verify_session(&token).unwrap();
    /// assert!(Arc::ptr_eq(&first, &again));
    /// assert_eq!((owned.user_id(), again.user_id()), ("user_1", "user_1"));
    /// ```
    ///
    /// # Errors
    /// The first policy check that fails, as a [`VerifyError`].
    pub fn verify_session<S: SessionOutput>(&self, token: &str) -> Result<S, VerifyError> {
        S::verify(self, token)
    }

    /// A session token's claims, owned.
    fn owned_session<C: DeserializeOwned>(&self, token: &str) -> Result<SessionClaims<C>, VerifyError> {
        let now = self.clock.now();
        if let Some(claims) =
            self.hit(token, now, |entry| SessionClaims::from_payload(&entry.payload).map_err(claims_invalid))
        {
            return claims;
        }
        let verified = self.verify_session_uncached(token)?;
        if self.cache.is_none() {
            return verified.claims;
        }
        let (claims, entry) = verified.into_entry();
        self.remember(token, entry, now);
        claims
    }

    /// A session token's claims, shared with the token cache.
    fn shared_session<C>(&self, token: &str) -> Result<Arc<SessionClaims<C>>, VerifyError>
    where
        C: DeserializeOwned + Send + Sync + 'static,
    {
        // A hit shares the claims without taking a share of the entry too.
        if let Some(claims) = self.hit(token, self.clock.now(), |entry| shared_claims(entry)) {
            return claims.map_err(claims_invalid);
        }
        self.share_verified(token).map(|(_, claims)| claims)
    }

    /// Verifies a session token the token cache does not hold, and remembers it: its entry (with the
    /// cache off, an entry of its own) and its claims as `SessionClaims<C>`, shared with the entry.
    fn share_verified<C>(&self, token: &str) -> Result<SharedSession<C>, VerifyError>
    where
        C: DeserializeOwned + Send + Sync + 'static,
    {
        let now = self.clock.now();
        let (claims, entry) = self.verify_session_uncached(token)?.into_entry();
        self.remember(token, entry.clone(), now);
        let claims = Arc::new(claims?);
        entry.set_typed(claims.clone());
        Ok((entry, claims))
    }

    /// The policy, Clerk's claims and `C` in one pass over the payload, with what the cache keeps. A
    /// token whose claims do not fit `C` is still valid (and cached): the error is the claims'.
    fn verify_session_uncached<C: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<VerifiedSession<C>, VerifyError> {
        let mut payload = Vec::new();
        let mut clerk = SessionSlots::default();
        let passed = policy::apply::<C, _>(
            self,
            token,
            TokenKind::Session,
            &Map::new(),
            POLICY_CLAIMS,
            &mut clerk,
            &mut payload,
        )?;
        let (exp, key) = (passed.exp, passed.key);
        let claims = SessionClaims::from_read(clerk, passed.value, passed.payload).map_err(claims_invalid);
        Ok(VerifiedSession { claims, payload, exp, key, now: self.clock.now() })
    }

    /// `f` of the token cache's entry for `token`, if it holds one that still stands at `now`: the
    /// token unexpired, the entry young enough, and the key that verified it still in use.
    fn hit<R>(&self, token: &str, now: i64, f: impl FnOnce(&Arc<cache::Entry>) -> R) -> Option<R> {
        self.cache.as_ref()?.with(token, now, self.policy.clock_skew, |key| self.still_uses(key), f)
    }

    /// Whether `key`, which verified a cached token, is still a key this verifier uses. Its own keys
    /// and key sets never change; a remote set may have rotated the key out, or grown too old to
    /// use while its endpoint fails.
    fn still_uses(&self, key: &Arc<Key>) -> bool {
        match &self.keys {
            #[cfg(feature = "remote")]
            KeySource::Remote(remote) => remote.still_holds(key),
            KeySource::Jwks(_) | KeySource::Key(_) => {
                let _ = key;
                true
            }
        }
    }

    fn remember(&self, token: &str, entry: Arc<cache::Entry>, now: i64) {
        if let Some(cache) = &self.cache {
            cache.insert(token, entry, now, self.policy.clock_skew);
        }
    }

    /// A session token's cache entry and claims (read once per type), fetching keys first when the
    /// cache does not hold the token: the web layer's one verification per request.
    #[cfg(any(feature = "axum", feature = "actix-web"))]
    pub(crate) async fn session_entry<C>(&self, token: &str) -> Result<SharedSession<C>, VerifyError>
    where
        C: DeserializeOwned + Send + Sync + 'static,
    {
        if let Some(entry) = self.hit(token, self.clock.now(), Arc::clone) {
            let claims = shared_claims(&entry).map_err(claims_invalid)?;
            return Ok((entry, claims));
        }
        self.load_key(token, TokenKind::Session).await?;
        self.share_verified(token)
    }

    /// Verifies a JWT-template token into its claims type; the constant claims the type records
    /// (such as a literal `aud`) must hold. With a remote key source, call [`Verifier::fetch_key`]
    /// first.
    ///
    /// ```
    /// use clerk_claims_runtime::{ClerkClaims, TemplateClaims, Verifier, keys::{Algorithm, Key}};
    /// # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    /// # let secret = [7u8; 32];
    /// # let input = format!("{}.{}", B64.encode(r#"{"alg":"HS256"}"#), B64.encode(r#"{"sub":"user_1","plan":"pro","iat":1000,"exp":1060}"#));
    /// # let tag = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret), input.as_bytes());
    /// # let token = format!("{input}.{}", B64.encode(tag.as_ref()));
    /// #[derive(serde::Deserialize)]
    /// struct Plan { plan: String }
    /// impl ClerkClaims for Plan {
    ///     fn claims_json() -> serde_json::Value { serde_json::json!({"plan": "{{user.public_metadata.plan}}"}) }
    ///     fn template_json() -> serde_json::Value { Self::claims_json() }
    ///     fn json_schema() -> serde_json::Value { serde_json::json!({}) }
    /// }
    /// let verifier = Verifier::new(Key::hmac(&secret, Algorithm::HS256).unwrap()).now(1010);
    /// let claims: TemplateClaims<Plan> = verifier.verify_template(&token).unwrap();
    /// assert_eq!((claims.registered.sub.as_str(), claims.custom.plan.as_str()), ("user_1", "pro"));
    /// ```
    ///
    /// # Errors
    /// The first policy check that fails, as a [`VerifyError`].
    pub fn verify_template<C: ClerkClaims + DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<TemplateClaims<C>, VerifyError> {
        let mut payload = Vec::new();
        let passed = policy::apply::<C, ()>(
            self,
            token,
            TokenKind::Template,
            &C::constant_claims(),
            TEMPLATE_CLAIM_NAMES,
            &mut (),
            &mut payload,
        )?;
        TemplateClaims::from_read(&passed.members, passed.value, passed.payload).map_err(claims_invalid)
    }

    /// Verifies a token of `kind` and returns its payload as JSON (the verifier's
    /// [`Verifier::constant_claims`] must hold). With a remote key source, call
    /// [`Verifier::fetch_key`] first.
    ///
    /// ```
    /// use clerk_claims_runtime::{Verifier, keys::{Algorithm, Key}, verify::TokenKind};
    /// # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    /// # let secret = [7u8; 32];
    /// # let input = format!("{}.{}", B64.encode(r#"{"alg":"HS256"}"#), B64.encode(r#"{"sub":"user_1","plan":"pro","iat":1000,"exp":1060}"#));
    /// # let tag = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret), input.as_bytes());
    /// # let token = format!("{input}.{}", B64.encode(tag.as_ref()));
    /// let verifier = Verifier::new(Key::hmac(&secret, Algorithm::HS256).unwrap()).now(1010);
    /// let claims = verifier.verify_json(&token, TokenKind::Template).unwrap();
    /// assert_eq!(claims["plan"], "pro");
    /// ```
    ///
    /// # Errors
    /// The first policy check that fails, as a [`VerifyError`].
    pub fn verify_json(&self, token: &str, kind: TokenKind) -> Result<Value, VerifyError> {
        let mut payload = Vec::new();
        let passed =
            policy::apply::<Value, ()>(self, token, kind, &Map::new(), POLICY_CLAIMS, &mut (), &mut payload)?;
        match passed.value {
            Some(value) => Ok(value),
            None => serde_json::from_slice(passed.payload)
                .map_err(|e| claims_invalid(crate::claims::ClaimsError::from(e))),
        }
    }
}

/// What [`Verifier::verify_session`] returns: [`SessionClaims<C>`], owned, or
/// `Arc<SessionClaims<C>>`, shared with the token cache.
///
/// ```
/// use clerk_claims_runtime::{SessionClaims, verify::SessionOutput};
/// fn returns<S: SessionOutput>() {}
/// returns::<SessionClaims>();
/// returns::<std::sync::Arc<SessionClaims<serde_json::Value>>>();
/// ```
pub trait SessionOutput: sealed::Verify {}

mod sealed {
    use super::{Arc, DeserializeOwned, SessionClaims, Verifier, VerifyError};

    /// How a [`super::SessionOutput`] is verified; not implementable outside this crate.
    pub trait Verify: Sized {
        fn verify(verifier: &Verifier, token: &str) -> Result<Self, VerifyError>;
    }

    impl<C: DeserializeOwned> Verify for SessionClaims<C> {
        fn verify(verifier: &Verifier, token: &str) -> Result<Self, VerifyError> {
            verifier.owned_session(token)
        }
    }

    impl<C: DeserializeOwned + Send + Sync + 'static> Verify for Arc<SessionClaims<C>> {
        fn verify(verifier: &Verifier, token: &str) -> Result<Self, VerifyError> {
            verifier.shared_session(token)
        }
    }
}

impl<C: DeserializeOwned> SessionOutput for SessionClaims<C> {}
impl<C: DeserializeOwned + Send + Sync + 'static> SessionOutput for Arc<SessionClaims<C>> {}

/// A session token's cache entry and its claims shared with it.
type SharedSession<C> = (Arc<cache::Entry>, Arc<SessionClaims<C>>);

/// A token that passed the policy: its claims as `C` (which may not fit), and what a cache entry is
/// made of (only when one is needed: the payload is copied into it): the payload, `exp`, the key
/// that verified it and when.
struct VerifiedSession<C> {
    claims: Result<SessionClaims<C>, VerifyError>,
    payload: Vec<u8>,
    exp: i64,
    key: Arc<Key>,
    now: i64,
}

impl<C> VerifiedSession<C> {
    fn into_entry(self) -> (Result<SessionClaims<C>, VerifyError>, Arc<cache::Entry>) {
        (self.claims, cache::Entry::new(self.payload.into(), self.exp, self.key, self.now))
    }
}

/// A verified entry's claims as `SessionClaims<C>`: read once, then shared.
pub(crate) fn shared_claims<C>(
    entry: &cache::Entry,
) -> Result<Arc<SessionClaims<C>>, crate::claims::ClaimsError>
where
    C: DeserializeOwned + Send + Sync + 'static,
{
    if let Some(claims) = entry.typed::<SessionClaims<C>>() {
        return Ok(claims);
    }
    let claims = Arc::new(SessionClaims::from_payload(&entry.payload)?);
    entry.set_typed(claims.clone());
    Ok(claims)
}

fn claims_invalid(e: crate::claims::ClaimsError) -> VerifyError {
    VerifyError::new(Reason::ClaimsInvalid, e.to_string())
}
