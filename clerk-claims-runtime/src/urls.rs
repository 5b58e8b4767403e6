//! Which URLs this crate talks to: `https://`, or plain `http://` to a loopback host only (the dev
//! issuer, a test server), so a secret key or a key set never crosses a network unencrypted.

/// The host of `url` (`127.0.0.1`, `[::1]`, `clerk.example.com`), lower-cased, without port or
/// user info; `None` without a scheme.
fn host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    Some(host.to_ascii_lowercase())
}

/// Whether `url` is on this machine: host `127.0.0.1`, `localhost` or `[::1]`, any port, any scheme.
///
/// ```
/// use clerk_claims_runtime::urls::is_loopback;
/// assert!(is_loopback("http://127.0.0.1:4780"));
/// assert!(is_loopback("http://localhost/.well-known/jwks.json"));
/// assert!(is_loopback("http://[::1]:80"));
/// assert!(!is_loopback("https://clerk.example.com"));
/// assert!(!is_loopback("http://127.0.0.1.example.com"));
/// assert!(!is_loopback("http://localhost@evil.example"));
/// ```
pub fn is_loopback(url: &str) -> bool {
    matches!(host(url).as_deref(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// `Ok` for a URL this crate may send secrets or fetch keys over: `https://`, or `http://` on a
/// loopback host; otherwise what is wrong and what to do.
///
/// ```
/// use clerk_claims_runtime::urls::require_secure_url;
/// assert!(require_secure_url("https://api.clerk.com").is_ok());
/// assert!(require_secure_url("http://127.0.0.1:4780").is_ok());
/// assert!(require_secure_url("http://api.example.com").unwrap_err().contains("https://"));
/// assert!(require_secure_url("ftp://x").is_err());
/// ```
///
/// # Errors
/// A message naming the URL, for a plain `http://` URL off this machine or another scheme.
pub fn require_secure_url(url: &str) -> Result<(), String> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(url) => Ok(()),
        Some("http") => Err(format!(
            "{url} is plain http:// off this machine: keys and secrets would cross the network unencrypted; use https://"
        )),
        _ => Err(format!("{url} is not an https:// URL")),
    }
}
