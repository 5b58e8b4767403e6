//! The claims Clerk sets in every token.

use serde::{Deserialize, Serialize};

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

/// The registered claims of a Clerk token. Timestamps are unix seconds.
///
/// ```
/// use clerk_claims_runtime::claims::RegisteredClaims;
/// let r: RegisteredClaims = serde_json::from_str(r#"{"sub": "user_1", "exp": 60, "iat": 0}"#).unwrap();
/// assert_eq!((r.sub.as_str(), r.exp, r.iat), ("user_1", 60, Some(0)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredClaims {
    /// The user (`user_...`).
    pub sub: String,
    /// Expiry.
    pub exp: i64,
    /// Issued at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
