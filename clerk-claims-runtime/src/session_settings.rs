//! Session settings, as the Dashboard's "Sessions" page sets them: presets, validation against
//! Clerk's ranges, and durations as people write them. A token's own times are [`crate::times`].

use std::time::Duration;

use crate::times::human;

use serde::{Deserialize, Serialize};

/// Shortest maximum session lifetime Clerk accepts.
pub const MIN_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Longest maximum session lifetime Clerk accepts (10 years).
pub const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// How sessions behave, as set on the Dashboard's Sessions page.
///
/// ```
/// use clerk_claims_runtime::session_settings::SessionSettings;
/// let s = SessionSettings::production();
/// assert!(s.validate().is_ok());
/// assert_eq!(clerk_claims_runtime::times::human(s.maximum_lifetime), "7d");
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
    /// # use clerk_claims_runtime::session_settings::SessionSettings;
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
    /// # use clerk_claims_runtime::session_settings::SessionSettings;
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
/// use clerk_claims_runtime::session_settings::{SettingsError, parse_duration};
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

/// Parses `90`, `45s`, `15m`, `12h`, `7d` or `1y` into a duration.
///
/// ```
/// use clerk_claims_runtime::session_settings::parse_duration;
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
