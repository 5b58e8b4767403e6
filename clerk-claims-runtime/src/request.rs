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
    let authorization = headers.get(AUTHORIZATION).map(|v| v.to_str().ok());
    let cookies = headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok());
    session_token_in(authorization, cookies, cookie_suffix)
}

/// [`session_token`] for any HTTP stack's header types (actix-web's, hyper 0.14's): the
/// `Authorization` header (`None` when absent, `Some(None)` when present but not text) and the
/// `Cookie` headers' values.
///
/// ```
/// use clerk_claims_runtime::request::{Carrier, session_token_in};
/// let cookies = ["a=b; __session=plain"];
/// assert_eq!(session_token_in(None, cookies.into_iter(), None), Some(("plain", Carrier::Cookie)));
/// assert_eq!(session_token_in(Some(Some("Bearer t")), cookies.into_iter(), None), Some(("t", Carrier::Header)));
/// // An Authorization header means the cookies are not read, even when it carries no token.
/// assert_eq!(session_token_in(Some(Some("Basic dXNlcg==")), cookies.into_iter(), None), None);
/// assert_eq!(session_token_in(Some(None), cookies.into_iter(), None), None);
/// ```
pub fn session_token_in<'h, I>(
    authorization: Option<Option<&'h str>>,
    cookie_headers: I,
    cookie_suffix: Option<&str>,
) -> Option<(&'h str, Carrier)>
where
    I: Iterator<Item = &'h str>,
{
    if let Some(value) = authorization {
        let value = value?.trim();
        // `Bearer <jwt>` (any case), or a bare token as Clerk's SDKs also accept; another scheme
        // (Basic, ...) carries no session token.
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            Some(_) => return None,
            None => value,
        };
        return (!token.is_empty()).then_some((token, Carrier::Header));
    }
    // One pass over the cookies: the instance's suffixed cookie wins wherever it is; otherwise
    // the first non-empty `__session`.
    let mut plain = None;
    for (name, value) in
        cookie_headers.flat_map(|v| v.split(';')).filter_map(|pair| pair.trim().split_once('='))
    {
        if value.is_empty() {
            continue;
        }
        match name.strip_prefix("__session") {
            Some("") if plain.is_none() => plain = Some(value),
            Some(rest) if cookie_suffix.is_some() && rest.strip_prefix('_') == cookie_suffix => {
                return Some((value, Carrier::Cookie));
            }
            _ => {}
        }
    }
    plain.map(|value| (value, Carrier::Cookie))
}
