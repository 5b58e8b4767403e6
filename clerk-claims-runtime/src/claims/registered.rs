//! The claims Clerk sets in every token.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// The NumericDate range accepted: 1970 to the end of year 9999.
pub(crate) const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

/// A fractional NumericDate as the whole second it falls in; `None` outside 1970 to 9999 (or not
/// finite), where the cast to whole seconds could not be exact.
pub(crate) fn whole_seconds(seconds: f64) -> Option<i64> {
    (seconds.is_finite() && (0.0..=MAX_NUMERIC_DATE as f64).contains(&seconds))
        .then(|| seconds.floor() as i64)
}

/// `exp`, `iat` or `nbf` in whole seconds: a JSON integer, or a fractional date counted from its
/// whole second, as the verifier's policy reads them (so a token it accepts has claims).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Seconds(pub i64);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SecondsVisitor;
        impl Visitor<'_> for SecondsVisitor {
            type Value = Seconds;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date in seconds since 1970")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seconds, E> {
                Ok(Seconds(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seconds, E> {
                i64::try_from(v)
                    .map(Seconds)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Seconds, E> {
                whole_seconds(v).map(Seconds).ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
        d.deserialize_any(SecondsVisitor)
    }
}

fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Seconds::deserialize(d).map(|s| s.0)
}

fn optional_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<Seconds>::deserialize(d).map(|s| s.map(|s| s.0))
}

/// `aud`: one audience or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// `"aud": "x"`
    One(String),
    /// `"aud": ["x", "y"]`
    Many(Vec<String>),
}

impl Audience {
    /// Whether `audience` is among them.
    ///
    /// ```
    /// use clerk_claims_runtime::claims::Audience;
    /// assert!(Audience::Many(vec!["a".into(), "b".into()]).contains("b"));
    /// assert!(!Audience::One("a".into()).contains("b"));
    /// ```
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(a) => a == audience,
            Audience::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

/// The registered claims of a Clerk token. Timestamps are unix seconds (a fractional one counts
/// from its whole second).
///
/// ```
/// use clerk_claims_runtime::claims::RegisteredClaims;
/// let r: RegisteredClaims = serde_json::from_str(r#"{"sub": "user_1", "exp": 60.5, "iat": 0}"#).unwrap();
/// assert_eq!((r.sub.as_str(), r.exp, r.iat), ("user_1", 60, Some(0)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredClaims {
    /// The user (`user_...`).
    pub sub: String,
    /// Expiry.
    #[serde(deserialize_with = "seconds")]
    pub exp: i64,
    /// Issued at.
    #[serde(default, deserialize_with = "optional_seconds", skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not before.
    #[serde(default, deserialize_with = "optional_seconds", skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The instance's Frontend API URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The origin the token was minted for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// Token id (JWT templates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Audience, when the template sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
}
