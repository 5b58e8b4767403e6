//! Tokens as Clerk mints them: v2 session tokens and JWT-template tokens.
//!
//! - Session token: header `alg kid typ cat` (`cat` = [`category::SESSION`]); claims
//!   `azp? exp fea? fva iat iss jti nbf o? sid sts sub v`, `nbf` 10 s before `iat`, 60 s lifetime.
//! - Template token: header `cat` = [`category::TEMPLATE`]; the template's claims rendered by the
//!   engine, then Clerk's own `azp? exp iat iss jti nbf sub` on top (a template cannot set them),
//!   `exp` = `iat` + the template's lifetime, `nbf` = `iat` - its allowed clock skew; no `sid`.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value, json};

use crate::{CustomKey, SigningKey};
use clerk_claims_runtime::Organization;
use clerk_claims_runtime::claims::encode_v2;
use clerk_claims_runtime::verify::category;

/// Lifetime of a session token, in seconds (Clerk's: [`TOKEN_LIFETIME`](clerk_claims_runtime::times::TOKEN_LIFETIME)).
pub const SESSION_TOKEN_LIFETIME: i64 = clerk_claims_runtime::times::TOKEN_LIFETIME.as_secs() as i64;

/// Who a token is for: Clerk's registered claims and the session's organization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subject {
    /// `iss`: the instance's Frontend API URL.
    pub issuer: String,
    /// `sub`: the user id.
    pub user_id: String,
    /// `sid`: the session (session tokens only).
    pub session_id: String,
    /// `azp`: the origin the token was requested from, if any.
    pub azp: Option<String>,
    /// The session's active organization (session tokens: `o` and `fea`).
    pub organization: Option<Organization>,
}

/// Why a token could not be minted.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// The template's claims hold a malformed expression.
    #[error("the template's claims do not render: {0}")]
    Template(String),
    /// Signing failed.
    #[error("{0}")]
    Key(#[from] clerk_claims_runtime::keys::KeyError),
    /// No `jti` could be drawn.
    #[error("{0}")]
    Random(#[from] RandomError),
}

/// A JWT template as the minting needs it: claims, lifetime and skew.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateSpec {
    /// The template's claims (with `{{shortcodes}}`).
    pub claims: Value,
    /// Token lifetime in seconds.
    pub lifetime: i64,
    /// Allowed clock skew in seconds (`nbf` = `iat` - skew).
    pub allowed_clock_skew: i64,
    /// The template's own signing key, when it has one (else the instance key signs).
    pub custom_key: Option<CustomKey>,
}

/// The claims of a v2 session token for `subject`, issued at `now`, valid `lifetime` seconds.
///
/// ```
/// use clerk_claims_dev::{Subject, session_claims};
/// let subject = Subject { issuer: "http://127.0.0.1:1".into(), user_id: "user_1".into(), session_id: "sess_1".into(), ..Default::default() };
/// let claims = session_claims(&subject, 1_700_000_000, 60).unwrap();
/// assert_eq!((claims["v"].as_i64(), claims["exp"].as_i64(), claims["sid"].as_str()), (Some(2), Some(1_700_000_060), Some("sess_1")));
/// ```
///
/// # Errors
/// [`MintError::Random`] when no `jti` can be drawn.
pub fn session_claims(subject: &Subject, now: i64, lifetime: i64) -> Result<Value, MintError> {
    let mut claims = registered(subject, now, now.saturating_add(lifetime), now.saturating_sub(10))?;
    claims.insert("sid".into(), subject.session_id.clone().into());
    claims.insert("v".into(), 2.into());
    // Minutes since the first and second factor were verified; -1: no second factor.
    claims.insert("fva".into(), json!([0, -1]));
    claims.insert("sts".into(), "active".into());
    if let Some(organization) = &subject.organization {
        let (o, fea) = encode_v2(organization);
        claims.insert("o".into(), serde_json::to_value(o).unwrap_or_default());
        if let Some(fea) = fea {
            claims.insert("fea".into(), fea.into());
        }
    }
    Ok(Value::Object(sorted(claims)))
}

/// The claims of a template token: `template.claims` rendered against `context`
/// (`{"user": ..., "org": ..., "org_membership": ..., "session": ...}`), then Clerk's claims.
///
/// # Errors
/// [`MintError::Template`] when an expression in the claims is malformed.
///
/// ```
/// use clerk_claims_dev::{Subject, TemplateSpec, template_claims};
/// use serde_json::json;
/// let template = TemplateSpec { claims: json!({"email": "{{user.primary_email_address}}", "sub": "ignored"}), lifetime: 300, allowed_clock_skew: 5, custom_key: None };
/// let subject = Subject { issuer: "http://127.0.0.1:1".into(), user_id: "user_1".into(), ..Default::default() };
/// let claims = template_claims(&template, &json!({"user": {"primary_email_address": "a@example.com"}}), &subject, 100).unwrap();
/// assert_eq!((claims["email"].as_str(), claims["sub"].as_str()), (Some("a@example.com"), Some("user_1")));
/// assert_eq!((claims["exp"].as_i64(), claims["nbf"].as_i64()), (Some(400), Some(95)));
/// assert!(claims.get("sid").is_none());
/// ```
pub fn template_claims(
    template: &TemplateSpec,
    context: &Value,
    subject: &Subject,
    now: i64,
) -> Result<Value, MintError> {
    let rendered = clerk_claims_codegen::render(&template.claims, context)
        .map_err(|e| MintError::Template(e.to_string()))?;
    let mut claims = match rendered {
        Value::Object(members) => members,
        _ => Map::new(),
    };
    let (exp, nbf) = (now.saturating_add(template.lifetime), now.saturating_sub(template.allowed_clock_skew));
    for (name, value) in registered(subject, now, exp, nbf)? {
        claims.insert(name, value);
    }
    Ok(Value::Object(claims))
}

/// A signed v2 session token (see [`session_claims`]).
///
/// # Errors
/// [`MintError::Key`] when signing fails.
///
/// ```
/// use clerk_claims_dev::{SigningKey, Subject, session_token};
/// use clerk_claims_runtime::{SessionClaims, Verifier};
/// let key = SigningKey::development();
/// let subject = Subject { issuer: "http://127.0.0.1:1".into(), user_id: "user_1".into(), session_id: "sess_1".into(), ..Default::default() };
/// let token = session_token(&key, &subject, 1_700_000_000, 60).unwrap();
/// let claims = Verifier::new(key.jwks()).issuer("http://127.0.0.1:1").now(1_700_000_001).verify_session::<SessionClaims>(&token).unwrap();
/// assert_eq!(claims.user_id(), "user_1");
/// ```
pub fn session_token(
    key: &SigningKey,
    subject: &Subject,
    now: i64,
    lifetime: i64,
) -> Result<String, MintError> {
    session_token_customized(key, subject, None, &Value::Null, now, lifetime)
}

/// A signed session token carrying the session-token customization `custom` (claims rendered
/// against `context`); Clerk's own claims win over the customization's.
///
/// # Errors
/// [`MintError`].
///
/// ```
/// use clerk_claims_dev::{SigningKey, Subject, session_token_customized};
/// use serde_json::json;
/// let key = SigningKey::development();
/// let subject = Subject { issuer: "http://127.0.0.1:1".into(), user_id: "user_1".into(), session_id: "sess_1".into(), ..Default::default() };
/// let custom = json!({"role": "{{user.public_metadata.role}}", "sub": "not this"});
/// let token = session_token_customized(&key, &subject, Some(&custom), &json!({"user": {"public_metadata": {"role": "admin"}}}), 100, 60).unwrap();
/// let claims = clerk_claims_runtime::Verifier::new(key.jwks()).issuer("http://127.0.0.1:1").now(101).verify_json(&token, clerk_claims_runtime::verify::TokenKind::Session).unwrap();
/// assert_eq!((claims["role"].as_str(), claims["sub"].as_str()), (Some("admin"), Some("user_1")));
/// ```
pub fn session_token_customized(
    key: &SigningKey,
    subject: &Subject,
    custom: Option<&Value>,
    context: &Value,
    now: i64,
    lifetime: i64,
) -> Result<String, MintError> {
    let mut claims = match custom {
        Some(custom) => match clerk_claims_codegen::render(custom, context) {
            Ok(Value::Object(members)) => members,
            Ok(_) => Map::new(),
            Err(e) => return Err(MintError::Template(e.to_string())),
        },
        None => Map::new(),
    };
    if let Value::Object(own) = session_claims(subject, now, lifetime)? {
        claims.extend(own);
    }
    Ok(key.sign(&header(category::SESSION), &Value::Object(claims))?)
}

/// A signed template token (see [`template_claims`]): with the template's custom key when it has
/// one (no `kid`), else with `key`.
///
/// # Errors
/// [`MintError`].
pub fn template_token(
    key: &SigningKey,
    template: &TemplateSpec,
    context: &Value,
    subject: &Subject,
    now: i64,
) -> Result<String, MintError> {
    let claims = template_claims(template, context, subject, now)?;
    Ok(match &template.custom_key {
        Some(custom) => custom.sign(&header(category::TEMPLATE), &claims)?,
        None => key.sign(&header(category::TEMPLATE), &claims)?,
    })
}

fn header(category: &str) -> Value {
    json!({"cat": category, "typ": "JWT"})
}

fn registered(subject: &Subject, iat: i64, exp: i64, nbf: i64) -> Result<Map<String, Value>, RandomError> {
    let mut claims = Map::new();
    if let Some(azp) = &subject.azp {
        claims.insert("azp".into(), azp.clone().into());
    }
    claims.insert("exp".into(), exp.into());
    claims.insert("iat".into(), iat.into());
    claims.insert("iss".into(), subject.issuer.clone().into());
    claims.insert("jti".into(), random_id("", 20)?.into());
    claims.insert("nbf".into(), nbf.into());
    claims.insert("sub".into(), subject.user_id.clone().into());
    Ok(claims)
}

fn sorted(claims: Map<String, Value>) -> Map<String, Value> {
    let mut entries: Vec<(String, Value)> = claims.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.into_iter().collect()
}

/// The system's random number generator failed: no unpredictable id (or secret key) can be made,
/// so none is made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the system random number generator failed; no id was made (check the system's entropy source)")]
pub struct RandomError;

/// `prefix` and `len` random alphanumeric characters, as Clerk's ids (`user_2GIp...`).
///
/// # Errors
/// [`RandomError`] when the system RNG fails: never a predictable id.
///
/// ```
/// let id = clerk_claims_dev::random_id("user_", 27).unwrap();
/// assert!(id.starts_with("user_") && id.len() == 32);
/// ```
pub fn random_id(prefix: &str, len: usize) -> Result<String, RandomError> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut bytes = vec![0u8; len];
    SystemRandom::new().fill(&mut bytes).map_err(|_| RandomError)?;
    let mut id = String::with_capacity(prefix.len() + len);
    id.push_str(prefix);
    // 62 characters: `b % 62` is close enough to uniform for ids (never for keys).
    id.extend(
        bytes.iter().filter_map(|b| ALPHABET.get(usize::from(*b) % ALPHABET.len()).map(|&c| char::from(c))),
    );
    Ok(id)
}
