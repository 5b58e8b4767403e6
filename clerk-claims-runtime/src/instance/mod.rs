//! A Clerk instance from its keys: publishable key -> Frontend API, issuer, JWKS URL, cookie suffix;
//! secret key -> environment; and every setting an application reads ([`InstanceConfig`]: the
//! `CLERK_*` environment variables over `clerk.toml`).

mod config;

pub use config::{ConfigError, DEFAULT_API_URL, InstanceConfig, Secret};

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

/// Development or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceType {
    /// `pk_test_` / `sk_test_`.
    Development,
    /// `pk_live_` / `sk_live_`.
    Production,
}

/// Why a publishable key was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("publishable key not valid: {0}")]
pub struct KeyFormatError(pub &'static str);

/// A parsed publishable key (`pk_test_...` / `pk_live_...`).
///
/// ```
/// use clerk_claims_runtime::instance::{InstanceType, PublishableKey};
/// let pk = PublishableKey::parse("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA").unwrap();
/// assert_eq!(pk.instance_type, InstanceType::Development);
/// assert_eq!(pk.frontend_api, "clerk.inspired.puma-74.lcl.dev");
/// assert_eq!(pk.issuer(), "https://clerk.inspired.puma-74.lcl.dev");
/// assert_eq!(pk.jwks_url(), "https://clerk.inspired.puma-74.lcl.dev/.well-known/jwks.json");
/// assert_eq!(pk.cookie_suffix(), "vWCgMp3A");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PublishableKey {
    key: String,
    /// Development or production.
    pub instance_type: InstanceType,
    /// The Frontend API host (`clerk.example.com`).
    pub frontend_api: String,
}

impl fmt::Debug for PublishableKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublishableKey")
            .field("instance_type", &self.instance_type)
            .field("frontend_api", &self.frontend_api)
            .finish_non_exhaustive()
    }
}

impl PublishableKey {
    /// Parses `pk_(test|live)_` + base64 of `<frontend api>$` (padded or not). The decoded value
    /// must end with exactly one `$`, hold no other, and contain a `.` (or be a loopback host such
    /// as `localhost:4780`, the dev issuer's).
    ///
    /// ```
    /// # use clerk_claims_runtime::instance::PublishableKey;
    /// assert!(PublishableKey::parse("pk_live_aW52YWxpZGtleSQ=").is_err(), "no dot");
    /// assert!(PublishableKey::parse("whatever").is_err());
    /// // The dev issuer's key: a loopback Frontend API, served over plain http.
    /// let dev = PublishableKey::parse(&PublishableKey::build("127.0.0.1:4780")).unwrap();
    /// assert_eq!(dev.issuer(), "http://127.0.0.1:4780");
    /// assert_eq!(dev.jwks_url(), "http://127.0.0.1:4780/.well-known/jwks.json");
    /// assert!(PublishableKey::parse(&PublishableKey::build("localhost:3000")).is_ok());
    /// ```
    pub fn parse(key: &str) -> Result<PublishableKey, KeyFormatError> {
        let (instance_type, encoded) = if let Some(rest) = key.strip_prefix("pk_live_") {
            (InstanceType::Production, rest)
        } else if let Some(rest) = key.strip_prefix("pk_test_") {
            (InstanceType::Development, rest)
        } else {
            return Err(KeyFormatError("it does not start with pk_test_ or pk_live_"));
        };
        let bytes = STANDARD_NO_PAD
            .decode(encoded.trim_end_matches('='))
            .map_err(|_| KeyFormatError("the part after the prefix is not base64"))?;
        let decoded = String::from_utf8(bytes).map_err(|_| KeyFormatError("it does not decode to text"))?;
        let host =
            decoded.strip_suffix('$').ok_or(KeyFormatError("the decoded value does not end with `$`"))?;
        if host.contains('$') || !(host.contains('.') || is_loopback_host(host)) {
            return Err(KeyFormatError("the decoded value is not a Frontend API host"));
        }
        Ok(PublishableKey { key: key.to_string(), instance_type, frontend_api: host.to_string() })
    }

    /// Whether `key` is a valid publishable key.
    ///
    /// ```
    /// # use clerk_claims_runtime::instance::PublishableKey;
    /// assert!(PublishableKey::is_valid("pk_test_Y2xlcmsuY2xlcmsuZGV2JA=="));
    /// assert!(!PublishableKey::is_valid("pk_live_"));
    /// ```
    pub fn is_valid(key: &str) -> bool {
        Self::parse(key).is_ok()
    }

    /// The publishable key of a Frontend API host, as Clerk builds it (development hosts get
    /// `pk_test_`).
    ///
    /// ```
    /// # use clerk_claims_runtime::instance::PublishableKey;
    /// assert_eq!(PublishableKey::build("foo-bar-13.clerk.accounts.dev"), "pk_test_Zm9vLWJhci0xMy5jbGVyay5hY2NvdW50cy5kZXYk");
    /// ```
    pub fn build(frontend_api: &str) -> String {
        let prefix = if is_development_host(frontend_api) { "pk_test_" } else { "pk_live_" };
        format!("{prefix}{}", STANDARD_NO_PAD.encode(format!("{frontend_api}$")))
    }

    /// The key itself.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// The Frontend API for a proxy URL or a production satellite domain.
    ///
    /// ```
    /// # use clerk_claims_runtime::instance::PublishableKey;
    /// let pk = PublishableKey::parse("pk_live_ZmFrZS1jbGVyay10ZXN0LmNsZXJrLmFjY291bnRzLmRldiQ=").unwrap();
    /// assert_eq!(pk.frontend_api_for(None, Some("example.com")), "clerk.example.com");
    /// assert_eq!(pk.frontend_api_for(Some("example.com/__clerk"), None), "example.com/__clerk");
    /// ```
    pub fn frontend_api_for(&self, proxy_url: Option<&str>, satellite_domain: Option<&str>) -> String {
        match (proxy_url.filter(|p| !p.is_empty()), satellite_domain.filter(|d| !d.is_empty())) {
            (Some(proxy), _) => proxy.to_string(),
            (None, Some(domain)) if self.instance_type == InstanceType::Production => {
                format!("clerk.{domain}")
            }
            _ => self.frontend_api.clone(),
        }
    }

    /// The `iss` of this instance's tokens: `https://<frontend api>`, or `http://` for a loopback
    /// Frontend API (`127.0.0.1`, `localhost`, `[::1]`, any port: the dev issuer), which serves no
    /// TLS.
    pub fn issuer(&self) -> String {
        format!("{}://{}", self.scheme(), self.frontend_api)
    }

    /// The instance's public JWKS (`<issuer>/.well-known/jwks.json`).
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.issuer())
    }

    fn scheme(&self) -> &'static str {
        if is_loopback_host(&self.frontend_api) { "http" } else { "https" }
    }

    /// The suffix of this instance's cookies (`__session_<suffix>`): the first 8 characters of the
    /// URL-safe base64 of the SHA-1 of the key.
    pub fn cookie_suffix(&self) -> String {
        cookie_suffix(&self.key)
    }
}

/// [`PublishableKey::cookie_suffix`] of any string.
///
/// ```
/// assert_eq!(clerk_claims_runtime::instance::cookie_suffix("pk_test_Y2xlcmsuY2xlcmsuZGV2JA"), "QvfNY2dr");
/// ```
pub fn cookie_suffix(publishable_key: &str) -> String {
    let digest =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, publishable_key.as_bytes());
    STANDARD
        .encode(digest.as_ref())
        .chars()
        .take(8)
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

/// The environment a secret key belongs to (`sk_test_` / `test_`: development).
///
/// ```
/// use clerk_claims_runtime::instance::{InstanceType, secret_key_environment};
/// assert_eq!(secret_key_environment("sk_live_abc"), Some(InstanceType::Production));
/// assert_eq!(secret_key_environment("test_abc"), Some(InstanceType::Development));
/// assert_eq!(secret_key_environment("abc"), None);
/// ```
pub fn secret_key_environment(secret_key: &str) -> Option<InstanceType> {
    let key = secret_key.strip_prefix("sk_").unwrap_or(secret_key);
    if key.starts_with("live_") {
        Some(InstanceType::Production)
    } else if key.starts_with("test_") {
        Some(InstanceType::Development)
    } else {
        None
    }
}

/// Whether a Frontend API host (with its port) is this machine.
fn is_loopback_host(host: &str) -> bool {
    crate::urls::is_loopback(&format!("http://{host}"))
}

/// `((letters)-){2}digits{1,2}.clerk.accounts.(dev|com...)`, or a legacy `clerk.*.lcl.dev`-style host.
fn is_development_host(host: &str) -> bool {
    const LEGACY: &[&str] =
        &[".lcl.dev", ".lclstage.dev", ".lclclerk.com", ".stg.dev", ".stgstage.dev", ".stgclerk.com"];
    if host.starts_with("clerk.") && LEGACY.iter().any(|s| host.ends_with(s)) {
        return true;
    }
    let Some((name, rest)) = host.split_once('.') else { return false };
    let words: Vec<&str> = name.split('-').collect();
    let [a, b, digits] = words.as_slice() else { return false };
    let letters = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic());
    letters(a)
        && letters(b)
        && (1..=2).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && rest.starts_with("clerk.accounts")
        && (rest.ends_with("dev") || rest.ends_with("com"))
}
