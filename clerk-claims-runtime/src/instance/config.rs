//! Every setting an application reads: the `CLERK_*` environment variables, over the `[verify]` and
//! `[middleware]` tables of `clerk.toml` (what `clerk-claims configure` writes; feature `config`).
//!
//! | setting | environment | `clerk.toml` |
//! |---|---|---|
//! | publishable key (Frontend API, issuer, JWKS URL, cookie suffix) | `CLERK_PUBLISHABLE_KEY` | |
//! | secret key | `CLERK_SECRET_KEY` | never in a file |
//! | networkless PEM key | `CLERK_JWT_KEY` | |
//! | Backend API | `CLERK_API_URL` | |
//! | JWKS URL, issuer | `CLERK_JWKS_URL`, `CLERK_ISSUER` | `[verify] jwks_url`, `issuer` |
//! | proxy, satellite | `CLERK_PROXY_URL`, `CLERK_DOMAIN`, `CLERK_IS_SATELLITE` | `[verify] proxy_url`, `domain`, `is_satellite` |
//! | authorized parties | `CLERK_AUTHORIZED_PARTIES` (comma-separated) | `[verify] authorized_parties` |
//! | clock skew (seconds) | `CLERK_CLOCK_SKEW` | `[verify] clock_skew` |
//! | protected paths | `CLERK_PROTECTED_PATHS` (comma-separated) | `[middleware] protect` |
//! | session cookie suffix | `CLERK_COOKIE_SUFFIX` | `[middleware] cookie_suffix` |
//!
//! The proxy and satellite rules are those of Clerk's SDKs (`parsePublishableKey` in
//! `@clerk/shared`): a proxy URL replaces the Frontend API; a production satellite with a domain
//! uses `clerk.<domain>`.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{KeyFormatError, PublishableKey};

/// Clerk's Backend API.
pub const DEFAULT_API_URL: &str = "https://api.clerk.com";

/// The instance settings an application reads, from its environment and `clerk.toml`.
///
/// ```
/// use clerk_claims_runtime::instance::InstanceConfig;
/// let config = InstanceConfig::from_lookup(|name| match name {
///     "CLERK_PUBLISHABLE_KEY" => Some("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA".into()),
///     "CLERK_AUTHORIZED_PARTIES" => Some("https://app.example.com, https://admin.example.com".into()),
///     _ => None,
/// }).unwrap();
/// assert_eq!(config.issuer.as_deref(), Some("https://clerk.inspired.puma-74.lcl.dev"));
/// assert_eq!(config.authorized_parties.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct InstanceConfig {
    /// `CLERK_PUBLISHABLE_KEY`.
    pub publishable_key: Option<PublishableKey>,
    /// `CLERK_SECRET_KEY` (never printed).
    pub secret_key: Option<Secret>,
    /// `CLERK_JWT_KEY`: the PEM public key for networkless verification.
    pub jwt_key: Option<String>,
    /// `CLERK_API_URL` (default `https://api.clerk.com`).
    pub api_url: String,
    /// The Frontend API the tokens come from: the publishable key's, or the proxy's, or a
    /// production satellite's `clerk.<domain>`.
    pub frontend_api: Option<String>,
    /// `CLERK_JWKS_URL`, else the Frontend API's `/.well-known/jwks.json`.
    pub jwks_url: Option<String>,
    /// `CLERK_ISSUER`, else the Frontend API's URL.
    pub issuer: Option<String>,
    /// `CLERK_AUTHORIZED_PARTIES`, comma-separated origins.
    pub authorized_parties: Vec<String>,
    /// `CLERK_CLOCK_SKEW`, in seconds (default: the verifier's, 5).
    pub clock_skew: Option<u32>,
    /// `CLERK_PROTECTED_PATHS`: paths the web layer answers 401 for when signed out.
    pub protected_paths: Vec<String>,
    /// `CLERK_COOKIE_SUFFIX`, else the publishable key's: the `__session_<suffix>` cookie.
    pub cookie_suffix: Option<String>,
    /// The `clerk.toml` that was read, if any.
    pub config_file: Option<PathBuf>,
}

/// A secret that never shows in `Debug` output.
///
/// ```
/// let secret = clerk_claims_runtime::instance::Secret("sk_live_x".into());
/// assert_eq!(format!("{secret:?}"), "Secret(..)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Why the instance settings could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `CLERK_PUBLISHABLE_KEY` is set but not a publishable key.
    #[error("CLERK_PUBLISHABLE_KEY: {0} (copy it from the Dashboard: API keys)")]
    PublishableKey(#[from] KeyFormatError),
    /// A setting has a value that cannot be used.
    #[error("{name}: {message}")]
    Setting {
        /// The environment variable or `clerk.toml` key.
        name: String,
        /// What was expected and what was found.
        message: String,
    },
    /// The configuration file cannot be read or is not valid.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
}

/// The `[verify]` and `[middleware]` tables of `clerk.toml`; its other tables (`[session]`,
/// `[tokens]`: the Dashboard's settings) are not this crate's to read.
#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[cfg_attr(not(feature = "config"), allow(dead_code))]
struct File {
    #[serde(default)]
    verify: Verify,
    #[serde(default)]
    middleware: Middleware,
}

#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Verify {
    #[serde(default)]
    authorized_parties: Vec<String>,
    clock_skew: Option<u32>,
    issuer: Option<String>,
    jwks_url: Option<String>,
    proxy_url: Option<String>,
    domain: Option<String>,
    #[serde(default)]
    is_satellite: bool,
}

#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Middleware {
    #[serde(default)]
    protect: Vec<String>,
    cookie_suffix: Option<String>,
}

/// A comma-separated list, empty items dropped.
fn list(value: &str) -> Vec<String> {
    value.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// The URL a Frontend API is reached at: a proxy URL as given, a host over `https://` (`http://` on
/// loopback, the dev issuer).
fn frontend_url(frontend_api: &str) -> String {
    if frontend_api.starts_with("https://") || frontend_api.starts_with("http://") {
        return frontend_api.trim_end_matches('/').to_string();
    }
    let scheme = if crate::urls::is_loopback(&format!("http://{frontend_api}")) { "http" } else { "https" };
    format!("{scheme}://{frontend_api}")
}

impl InstanceConfig {
    /// Reads the `CLERK_*` environment variables over `clerk.toml` (with feature `config`: the file
    /// `CLERK_CONFIG` names, else `clerk.toml` in the working directory when there is one).
    ///
    /// # Errors
    /// A setting that is set but not valid, or a `clerk.toml` that is not.
    pub fn from_env() -> Result<InstanceConfig, ConfigError> {
        let lookup = |name: &str| std::env::var(name).ok();
        let file = lookup("CLERK_CONFIG").map(PathBuf::from).or_else(|| {
            let default = PathBuf::from("clerk.toml");
            (cfg!(feature = "config") && default.is_file()).then_some(default)
        });
        Self::from_lookup_and_file(lookup, file.as_deref())
    }

    /// Reads the settings through `lookup` alone (for tests and other configuration sources).
    ///
    /// # Errors
    /// A setting that is set but not valid.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<InstanceConfig, ConfigError> {
        Self::from_lookup_and_file(lookup, None)
    }

    /// Reads the settings through `lookup` over the `[verify]` and `[middleware]` tables of the
    /// TOML file at `file` (feature `config`): a variable that is set wins over the file.
    ///
    /// ```
    /// # #[cfg(feature = "config")] {
    /// use clerk_claims_runtime::instance::InstanceConfig;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("clerk.toml");
    /// std::fs::write(&path, r#"
    /// [verify]
    /// authorized_parties = ["https://app.example.com"]
    /// clock_skew = 10
    /// [middleware]
    /// protect = ["/admin/*"]
    /// "#).unwrap();
    /// let config = InstanceConfig::from_lookup_and_file(|name| match name {
    ///     "CLERK_CLOCK_SKEW" => Some("2".into()),
    ///     _ => None,
    /// }, Some(&path)).unwrap();
    /// assert_eq!(config.authorized_parties, ["https://app.example.com"]);
    /// assert_eq!((config.clock_skew, config.protected_paths.len()), (Some(2), 1), "the variable wins");
    /// # }
    /// ```
    ///
    /// # Errors
    /// A setting that is set but not valid, or a file that cannot be read or is not valid (an
    /// unknown key in `[verify]` or `[middleware]` included).
    pub fn from_lookup_and_file(
        lookup: impl Fn(&str) -> Option<String>,
        file: Option<&Path>,
    ) -> Result<InstanceConfig, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let read = match file {
            Some(path) => read_file(path)?,
            None => File::default(),
        };
        let publishable_key = get("CLERK_PUBLISHABLE_KEY").map(|k| PublishableKey::parse(&k)).transpose()?;
        let is_satellite = match get("CLERK_IS_SATELLITE").as_deref() {
            None => read.verify.is_satellite,
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(other) => {
                return Err(ConfigError::Setting {
                    name: "CLERK_IS_SATELLITE".into(),
                    message: format!("expected true or false, found `{other}`"),
                });
            }
        };
        let proxy_url = get("CLERK_PROXY_URL").or(read.verify.proxy_url);
        let domain = get("CLERK_DOMAIN").or(read.verify.domain);
        let frontend_api = publishable_key
            .as_ref()
            .map(|pk| pk.frontend_api_for(proxy_url.as_deref(), domain.as_deref().filter(|_| is_satellite)));
        let issuer =
            get("CLERK_ISSUER").or(read.verify.issuer).or_else(|| frontend_api.as_deref().map(frontend_url));
        let jwks_url = get("CLERK_JWKS_URL").or(read.verify.jwks_url).or_else(|| {
            frontend_api.as_deref().map(|f| format!("{}/.well-known/jwks.json", frontend_url(f)))
        });
        let authorized_parties =
            get("CLERK_AUTHORIZED_PARTIES").map(|v| list(&v)).unwrap_or(read.verify.authorized_parties);
        let clock_skew = match get("CLERK_CLOCK_SKEW") {
            Some(text) => Some(text.parse::<u32>().map_err(|_| ConfigError::Setting {
                name: "CLERK_CLOCK_SKEW".into(),
                message: format!("expected a number of seconds, found `{text}`"),
            })?),
            None => read.verify.clock_skew,
        };
        let protected_paths =
            get("CLERK_PROTECTED_PATHS").map(|v| list(&v)).unwrap_or(read.middleware.protect);
        let cookie_suffix = get("CLERK_COOKIE_SUFFIX")
            .or(read.middleware.cookie_suffix)
            .or_else(|| publishable_key.as_ref().map(PublishableKey::cookie_suffix));
        Ok(InstanceConfig {
            publishable_key,
            secret_key: get("CLERK_SECRET_KEY").map(Secret),
            jwt_key: get("CLERK_JWT_KEY"),
            api_url: get("CLERK_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string()),
            frontend_api,
            jwks_url,
            issuer,
            authorized_parties,
            clock_skew,
            protected_paths,
            cookie_suffix,
            config_file: file.map(Path::to_path_buf),
        })
    }
}

#[cfg(feature = "config")]
fn read_file(path: &Path) -> Result<File, ConfigError> {
    let failed = |message: String| ConfigError::File { path: path.to_path_buf(), message };
    let text = std::fs::read_to_string(path).map_err(|e| failed(format!("cannot read it: {e}")))?;
    toml::from_str(&text).map_err(|e| failed(format!("not a clerk.toml this release reads: {e}")))
}

#[cfg(not(feature = "config"))]
fn read_file(path: &Path) -> Result<File, ConfigError> {
    Err(ConfigError::File {
        path: path.to_path_buf(),
        message: "reading clerk.toml needs the `config` feature of clerk-claims-runtime".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    const PK_LIVE: &str = "pk_live_ZmFrZS1jbGVyay10ZXN0LmNsZXJrLmFjY291bnRzLmRldiQ=";

    /// Mirrors `parsePublishableKey` of `@clerk/shared` (`keys.ts`): `if (options.proxyUrl)
    /// frontendApi = options.proxyUrl; else if (instanceType !== "development" && options.domain &&
    /// options.isSatellite) frontendApi = "clerk." + options.domain`.
    #[test]
    fn proxies_and_satellites_derive_the_frontend_api_as_clerks_sdk_does() {
        let proxy = InstanceConfig::from_lookup(lookup(&[
            ("CLERK_PUBLISHABLE_KEY", PK_LIVE),
            ("CLERK_PROXY_URL", "https://example.com/__clerk/"),
            ("CLERK_DOMAIN", "satellite.dev"),
            ("CLERK_IS_SATELLITE", "true"),
        ]))
        .unwrap();
        assert_eq!(proxy.frontend_api.as_deref(), Some("https://example.com/__clerk/"), "the proxy wins");
        assert_eq!(proxy.issuer.as_deref(), Some("https://example.com/__clerk"));
        assert_eq!(proxy.jwks_url.as_deref(), Some("https://example.com/__clerk/.well-known/jwks.json"));

        let satellite = InstanceConfig::from_lookup(lookup(&[
            ("CLERK_PUBLISHABLE_KEY", PK_LIVE),
            ("CLERK_DOMAIN", "satellite.dev"),
            ("CLERK_IS_SATELLITE", "true"),
        ]))
        .unwrap();
        assert_eq!(satellite.issuer.as_deref(), Some("https://clerk.satellite.dev"));
        assert_eq!(satellite.jwks_url.as_deref(), Some("https://clerk.satellite.dev/.well-known/jwks.json"));

        // A domain without CLERK_IS_SATELLITE, or on a development instance, changes nothing.
        let primary = "https://fake-clerk-test.clerk.accounts.dev";
        let not_satellite = InstanceConfig::from_lookup(lookup(&[
            ("CLERK_PUBLISHABLE_KEY", PK_LIVE),
            ("CLERK_DOMAIN", "satellite.dev"),
        ]))
        .unwrap();
        assert_eq!(not_satellite.issuer.as_deref(), Some(primary));
        let development = InstanceConfig::from_lookup(lookup(&[
            ("CLERK_PUBLISHABLE_KEY", "pk_test_ZmFrZS1jbGVyay10ZXN0LmNsZXJrLmFjY291bnRzLmRldiQ="),
            ("CLERK_DOMAIN", "satellite.dev"),
            ("CLERK_IS_SATELLITE", "true"),
        ]))
        .unwrap();
        assert_eq!(development.issuer.as_deref(), Some(primary));
        assert!(matches!(
            InstanceConfig::from_lookup(lookup(&[("CLERK_IS_SATELLITE", "yes")])),
            Err(ConfigError::Setting { .. })
        ));
    }

    #[test]
    fn settings_come_from_the_environment_with_clear_errors() {
        let config = InstanceConfig::from_lookup(lookup(&[
            ("CLERK_PUBLISHABLE_KEY", "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA"),
            ("CLERK_CLOCK_SKEW", "3"),
            ("CLERK_PROTECTED_PATHS", "/admin/*, /billing"),
        ]))
        .unwrap();
        assert_eq!((config.clock_skew, config.protected_paths.len()), (Some(3), 2));
        assert_eq!(config.cookie_suffix.as_deref(), Some("vWCgMp3A"), "from the publishable key");
        let err = InstanceConfig::from_lookup(lookup(&[("CLERK_CLOCK_SKEW", "soon")])).unwrap_err();
        assert_eq!(err.to_string(), "CLERK_CLOCK_SKEW: expected a number of seconds, found `soon`");
        let err = InstanceConfig::from_lookup(lookup(&[("CLERK_PUBLISHABLE_KEY", "pk_nope")])).unwrap_err();
        assert!(err.to_string().starts_with("CLERK_PUBLISHABLE_KEY: publishable key not valid"), "{err}");
    }

    #[cfg(feature = "config")]
    #[test]
    fn clerk_toml_is_read_under_the_environment_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clerk.toml");
        std::fs::write(
            &path,
            "[session]\nmaximum_lifetime = 604800\nmulti_session = false\n\n[verify]\nauthorized_parties = [\"https://a.example\"]\n\
             clock_skew = 10\n\n[middleware]\nprotect = [\"/admin/*\"]\ncookie_suffix = \"abcdefgh\"\n",
        )
        .unwrap();
        let config = InstanceConfig::from_lookup_and_file(lookup(&[]), Some(&path)).unwrap();
        assert_eq!(config.authorized_parties, ["https://a.example"]);
        assert_eq!((config.clock_skew, config.cookie_suffix.as_deref()), (Some(10), Some("abcdefgh")));
        assert_eq!(config.protected_paths, ["/admin/*"]);
        assert_eq!(config.config_file.as_deref(), Some(path.as_path()));
        let overridden = InstanceConfig::from_lookup_and_file(
            lookup(&[("CLERK_AUTHORIZED_PARTIES", "https://b.example"), ("CLERK_PROTECTED_PATHS", "/x")]),
            Some(&path),
        )
        .unwrap();
        assert_eq!(
            (overridden.authorized_parties.as_slice(), overridden.protected_paths.as_slice()),
            (&["https://b.example".to_string()][..], &["/x".to_string()][..])
        );

        std::fs::write(&path, "[verify]\nauthorised_parties = [\"typo\"]\n").unwrap();
        let err = InstanceConfig::from_lookup_and_file(lookup(&[]), Some(&path)).unwrap_err().to_string();
        assert!(err.contains("clerk.toml") && err.contains("authorised_parties"), "{err}");
        let missing = dir.path().join("none.toml");
        assert!(matches!(
            InstanceConfig::from_lookup_and_file(lookup(&[]), Some(&missing)),
            Err(ConfigError::File { .. })
        ));
    }
}
