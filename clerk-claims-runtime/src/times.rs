//! The times of a token (`iat`..`exp`): time left, when Clerk's SDKs refresh a session token, and
//! times and durations for people. The Dashboard's session settings are [`crate::session_settings`].

use std::time::Duration;

/// Lifetime of a session token (Clerk's, fixed).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// How often Clerk's frontend SDKs refresh the session token.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(50);

/// The lifetime of one token (`iat`..`exp`, unix seconds) and the arithmetic on it.
///
/// ```
/// use clerk_claims_runtime::times::TokenTimes;
/// let t = TokenTimes { issued_at: 1000, expires_at: 1060 };
/// assert_eq!(t.remaining(1010).as_secs(), 50);
/// assert!(!t.is_expired(1059) && t.is_expired(1060));
/// assert!(!t.should_refresh(1040, 80) && t.should_refresh(1048, 80));
/// assert_eq!(t.refresh_at(80), 1048);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenTimes {
    /// `iat`.
    pub issued_at: i64,
    /// `exp`.
    pub expires_at: i64,
}

impl TokenTimes {
    /// Time left at `now` (zero once expired).
    pub fn remaining(&self, now: i64) -> Duration {
        Duration::from_secs(u64::try_from(self.expires_at.saturating_sub(now)).unwrap_or(0))
    }

    /// Whether the token is expired at `now` (no skew).
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }

    /// The unix time at which `threshold_percent` of the lifetime has passed.
    pub fn refresh_at(&self, threshold_percent: u8) -> i64 {
        let lifetime = self.expires_at.saturating_sub(self.issued_at).max(0);
        self.issued_at.saturating_add(lifetime.saturating_mul(i64::from(threshold_percent.min(100))) / 100)
    }

    /// Whether `threshold_percent` of the lifetime has passed at `now` (Clerk's SDKs refresh at
    /// 50 s of 60, about 83 %).
    pub fn should_refresh(&self, now: i64, threshold_percent: u8) -> bool {
        now >= self.refresh_at(threshold_percent)
    }
}

impl<C> crate::claims::SessionClaims<C> {
    /// `iat` and `exp` of this token (`iat` defaults to `exp` minus the session-token lifetime).
    ///
    /// ```
    /// # use clerk_claims_runtime::SessionClaims;
    /// let c = SessionClaims::<()>::from_payload(br#"{"sub": "u", "sid": "s", "iat": 0, "exp": 60}"#).unwrap();
    /// assert_eq!(c.times().remaining(15).as_secs(), 45);
    /// ```
    pub fn times(&self) -> TokenTimes {
        let expires_at = self.registered.exp;
        let issued_at =
            self.registered.iat.unwrap_or(expires_at.saturating_sub(TOKEN_LIFETIME.as_secs() as i64));
        TokenTimes { issued_at, expires_at }
    }
}

impl<C> crate::claims::TemplateClaims<C> {
    /// `iat` and `exp` of this token (without `iat`, issued at `exp`: the template's lifetime is
    /// not in the token).
    ///
    /// ```
    /// # use clerk_claims_runtime::TemplateClaims;
    /// let c = TemplateClaims::<serde_json::Value>::from_payload(br#"{"sub": "u", "iat": 0, "exp": 300}"#).unwrap();
    /// assert_eq!(c.times().remaining(100).as_secs(), 200);
    /// ```
    pub fn times(&self) -> TokenTimes {
        let expires_at = self.registered.exp;
        TokenTimes { issued_at: self.registered.iat.unwrap_or(expires_at), expires_at }
    }
}

/// A unix time as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), for messages. Times outside
/// 1970 to 9999 (a token's claims can hold any number) are shown as their number, never a panic.
///
/// ```
/// use clerk_claims_runtime::times::http_date;
/// assert_eq!(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(http_date(253402300800), "253402300800 (after the year 9999)");
/// assert_eq!(http_date(i64::MIN), "-9223372036854775808 (before 1970)");
/// ```
pub fn http_date(unix: i64) -> String {
    match u64::try_from(unix) {
        Err(_) => format!("{unix} (before 1970)"),
        Ok(secs) if unix > crate::claims::MAX_NUMERIC_DATE => format!("{secs} (after the year 9999)"),
        Ok(secs) => httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(secs)),
    }
}

/// A signed distance in seconds for people: `in 1m 5s`, `3d 2h ago`.
///
/// ```
/// use clerk_claims_runtime::times::relative;
/// assert_eq!(relative(65), "in 1m 5s");
/// assert_eq!(relative(-3 * 86400 - 7200), "3d 2h ago");
/// assert_eq!(relative(i64::MIN), "106751991167300d 15h ago");
/// ```
pub fn relative(seconds: i64) -> String {
    let span = seconds.unsigned_abs();
    let text = match span {
        0..60 => format!("{span}s"),
        60..3600 => format!("{}m {}s", span / 60, span % 60),
        3600..86400 => format!("{}h {}m", span / 3600, span % 3600 / 60),
        _ => format!("{}d {}h", span / 86400, span % 86400 / 3600),
    };
    if seconds >= 0 { format!("in {text}") } else { format!("{text} ago") }
}

/// A duration for people: the two largest units (`59s`, `2m 5s`, `6d 23h`, `7d`).
///
/// ```
/// use clerk_claims_runtime::times::human;
/// use std::time::Duration;
/// assert_eq!(human(Duration::from_secs(59)), "59s");
/// assert_eq!(human(Duration::from_secs(6 * 86400 + 23 * 3600 + 5)), "6d 23h");
/// assert_eq!(human(Duration::from_secs(3600)), "1h");
/// assert_eq!(human(Duration::ZERO), "0s");
/// ```
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    let units = [(s / 86400, "d"), (s % 86400 / 3600, "h"), (s % 3600 / 60, "m"), (s % 60, "s")];
    let Some(first) = units.iter().position(|(n, _)| *n > 0) else { return "0s".into() };
    units[first..]
        .iter()
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect::<Vec<_>>()
        .join(" ")
}
