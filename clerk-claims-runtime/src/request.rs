//! Finding the session token in a request: `Authorization: Bearer <jwt>` first (or a bare token in
//! that header, as Clerk's SDKs accept); otherwise the instance's `__session_<suffix>` cookie, then
//! `__session`. An `Authorization` header means cookies are not read.

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};

/// Where the token came from (reported in errors and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Carrier {
    /// `Authorization: Bearer ...`
    Header,
    /// A `__session` cookie.
    Cookie,
}

impl Carrier {
    /// `header` or `cookie`, as Clerk's messages say it.
    ///
    /// ```
    /// assert_eq!(clerk_claims_runtime::request::Carrier::Cookie.as_str(), "cookie");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Carrier::Header => "header",
            Carrier::Cookie => "cookie",
        }
    }
}

/// The session token of a request and where it was found.
///
/// ```
/// use clerk_claims_runtime::request::{Carrier, session_token};
/// let mut headers = http::HeaderMap::new();
/// headers.insert("cookie", "theme=dark; __session_vWCgMp3A=suffixed; __session=plain".parse().unwrap());
/// assert_eq!(session_token(&headers, Some("vWCgMp3A")), Some(("suffixed", Carrier::Cookie)));
/// assert_eq!(session_token(&headers, None), Some(("plain", Carrier::Cookie)));
/// headers.insert("authorization", "bearer from-header".parse().unwrap());
/// assert_eq!(session_token(&headers, Some("vWCgMp3A")), Some(("from-header", Carrier::Header)));
/// ```
pub fn session_token<'h>(headers: &'h HeaderMap, cookie_suffix: Option<&str>) -> Option<(&'h str, Carrier)> {
    if let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let value = value.trim();
        // `Bearer <jwt>` (any case), or a bare token as Clerk's SDKs also accept; another scheme
        // (Basic, ...) carries no session token.
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            Some(_) => return None,
            None => value,
        };
        return (!token.is_empty()).then_some((token, Carrier::Header));
    }
    let suffixed = cookie_suffix.map(|s| format!("__session_{s}"));
    let cookies = || {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
    };
    let find =
        |name: &str| cookies().find(|(k, v)| *k == name && !v.is_empty()).map(|(_, v)| (v, Carrier::Cookie));
    suffixed.as_deref().and_then(find).or_else(|| find("__session"))
}
