//! Session settings (the Dashboard's "Sessions" page) and the arithmetic of session tokens: presets,
//! validation against Clerk's ranges, time left, when to refresh, and durations for people.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Shortest maximum session lifetime Clerk accepts.
pub const MIN_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Longest maximum session lifetime Clerk accepts (10 years).
pub const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
/// Lifetime of a session token (Clerk's, fixed).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// How often Clerk's frontend SDKs refresh the session token.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(50);

/// How sessions behave, as set on the Dashboard's Sessions page.
///
/// ```
/// use clerk_claims_runtime::session::SessionSettings;
/// let s = SessionSettings::production();
/// assert!(s.validate().is_ok());
/// assert_eq!(clerk_claims_runtime::session::human(s.maximum_lifetime), "7d");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSettings {
    /// A session ends this long after sign-in, active or not.
    #[serde(with = "seconds")]
    pub maximum_lifetime: Duration,
    /// A session ends after this long without activity (`None`: never).
    #[serde(with = "optional_seconds", default, skip_serializing_if = "Option::is_none")]
    pub inactivity_timeout: Option<Duration>,
    /// Whether one browser may hold several signed-in accounts.
    pub multi_session: bool,
}

impl SessionSettings {
    /// Development: long sessions (30 days), no inactivity timeout, several accounts per browser.
    pub fn development() -> Self {
        SessionSettings { maximum_lifetime: days(30), inactivity_timeout: None, multi_session: true }
    }

    /// Production: Clerk's default seven-day session, ended after a day without activity.
    pub fn production() -> Self {
        SessionSettings { maximum_lifetime: days(7), inactivity_timeout: Some(days(1)), multi_session: false }
    }

    /// High security: 12-hour sessions ended after 15 minutes without activity, one account.
    pub fn high_security() -> Self {
        SessionSettings {
            maximum_lifetime: Duration::from_secs(12 * 3600),
            inactivity_timeout: Some(Duration::from_secs(15 * 60)),
            multi_session: false,
        }
    }

    /// A preset by name: `development`, `production` or `high_security` (`high-security`).
    ///
    /// ```
    /// # use clerk_claims_runtime::session::SessionSettings;
    /// assert_eq!(SessionSettings::preset("high-security"), Some(SessionSettings::high_security()));
    /// assert_eq!(SessionSettings::preset("other"), None);
    /// ```
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            "development" | "dev" => Some(Self::development()),
            "production" | "prod" => Some(Self::production()),
            "high_security" | "high-security" => Some(Self::high_security()),
            _ => None,
        }
    }

    /// Checks Clerk's ranges: the maximum lifetime from 5 minutes to 10 years; an inactivity timeout
    /// of at least 5 minutes and shorter than the maximum lifetime.
    ///
    /// ```
    /// # use clerk_claims_runtime::session::SessionSettings;
    /// # use std::time::Duration;
    /// let mut s = SessionSettings::production();
    /// s.inactivity_timeout = Some(Duration::from_secs(30 * 24 * 3600));
    /// assert!(s.validate().unwrap_err().to_string().contains("shorter than the maximum lifetime"));
    /// ```
    ///
    /// # Errors
    /// [`SettingsError`]: what is out of range, and the range.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.maximum_lifetime < MIN_LIFETIME || self.maximum_lifetime > MAX_LIFETIME {
            return Err(SettingsError::MaximumLifetime(self.maximum_lifetime));
        }
        if let Some(inactivity) = self.inactivity_timeout {
            if inactivity < MIN_LIFETIME {
                return Err(SettingsError::InactivityTooShort(inactivity));
            }
            if inactivity >= self.maximum_lifetime {
                return Err(SettingsError::InactivityNotShorter {
                    inactivity,
                    maximum: self.maximum_lifetime,
                });
            }
        }
        Ok(())
    }
}

/// Session settings out of Clerk's ranges, or a duration that does not parse.
///
/// ```
/// use clerk_claims_runtime::session::{SettingsError, parse_duration};
/// assert!(matches!(parse_duration("soon"), Err(SettingsError::NotADuration(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The maximum lifetime is outside 5 minutes to 10 years.
    #[error("the maximum lifetime is {}; Clerk accepts 5m to 10 years", human(*.0))]
    MaximumLifetime(Duration),
    /// The inactivity timeout is under 5 minutes.
    #[error("the inactivity timeout is {}; the shortest is 5m", human(*.0))]
    InactivityTooShort(Duration),
    /// The inactivity timeout is not shorter than the maximum lifetime.
    #[error("the inactivity timeout ({}) must be shorter than the maximum lifetime ({})", human(*inactivity), human(*maximum))]
    InactivityNotShorter {
        /// The inactivity timeout.
        inactivity: Duration,
        /// The maximum lifetime.
        maximum: Duration,
    },
    /// Not a number with an optional unit.
    #[error("`{0}` is not a duration such as 30m, 12h or 7d")]
    NotADuration(String),
    /// A unit other than s, m, h, d or y.
    #[error("`{0}` has an unknown unit; use s, m, h, d or y")]
    UnknownUnit(String),
    /// Longer than a duration holds.
    #[error("`{0}` is too long")]
    TooLong(String),
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n * 24 * 3600)
}

/// The lifetime of one token (`iat`..`exp`, unix seconds) and the arithmetic on it.
///
/// ```
/// use clerk_claims_runtime::session::TokenTimes;
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
/// use clerk_claims_runtime::session::http_date;
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
/// use clerk_claims_runtime::session::relative;
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
/// use clerk_claims_runtime::session::human;
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

/// Parses `90`, `45s`, `15m`, `12h`, `7d` or `1y` into a duration.
///
/// ```
/// use clerk_claims_runtime::session::parse_duration;
/// assert_eq!(parse_duration("15m").unwrap().as_secs(), 900);
/// assert!(parse_duration("soon").is_err());
/// ```
///
/// # Errors
/// [`SettingsError`]: text that is not a number with an optional unit.
pub fn parse_duration(text: &str) -> Result<Duration, SettingsError> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = number.parse().map_err(|_| SettingsError::NotADuration(text.to_string()))?;
    let scale = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        "y" => 365 * 86400,
        _ => return Err(SettingsError::UnknownUnit(text.to_string())),
    };
    n.checked_mul(scale).map(Duration::from_secs).ok_or_else(|| SettingsError::TooLong(text.to_string()))
}

mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

mod optional_seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;
    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_u64(d.as_secs()),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Option::<u64>::deserialize(d).map(|o| o.map(Duration::from_secs))
    }
}
