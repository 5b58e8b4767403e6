//! The verification policy, in the order it is applied. Each step is a small function that either
//! passes or returns the [`VerifyError`] Clerk's SDKs would (same reason codes, messages modelled on
//! theirs), so the first failing check decides the outcome.
//!
//! 1. size limit, then form: three canonical base64url segments, a header JSON object without
//!    duplicate keys, nesting bounded (`jws::decode_jws`);
//! 2. header: no `crit`, `b64`, `zip` or `enc` (of any value); an `alg` that is neither missing nor
//!    `none`, and allowed if a list is set;
//! 3. category: machine tokens are never accepted, a template token is not a session token and the
//!    reverse (`cat`), before any key is looked up;
//! 4. key: by `kid` from this verifier's key source only (no `jku`, `x5u`, `jwk`, `x5c`); the
//!    bundled development key only for a loopback issuer or when explicitly allowed;
//! 5. `typ`: absent or `JWT` by default;
//! 6. signature, with the key pinned to its algorithm; nothing in the payload is trusted before it;
//!    then the payload must be a JSON object without duplicate keys, nesting bounded;
//! 7. `sub` a string; `aud` when configured, and a constant `aud` (the claims type's or the
//!    verifier's): both must hold;
//!    `azp` when authorized parties are configured;
//! 8. `exp` required, `nbf` and `iat` optional, all JSON numbers; expired when
//!    `exp <= now - skew`, not active when `nbf > now + skew`, `iat > now + skew` rejected;
//! 9. `iss` when issuers are configured, compared byte for byte;
//! 10. kind: a session needs `sid` and a user `sub`, and without the session category (`cat`
//!     absent or Clerk's "ignore") also a session's lifetime (`exp - iat` within
//!     [`Verifier::session_max_lifetime`], 60 s by default); a template token has no `sid`;
//! 11. `sts: "pending"` is signed out unless allowed;
//! 12. constant claims: the claims type's and those set with [`Verifier::constant_claims`].
//!
//! [`apply`] runs them in this order; [`signed`] is steps 1 to 6 alone.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use std::sync::Arc;

use super::jws::{Buffers, Jws, RawHeader, decode_into};
use super::{
    DEFAULT_CLOCK_SKEW, DEFAULT_MAX_TOKEN_BYTES, DEFAULT_SESSION_MAX_LIFETIME, KeySource, Reason, TokenKind,
    Verifier, VerifyError, category,
};
use crate::strict::{Members, Slots, read_checked};

use crate::claims::{MAX_NUMERIC_DATE, whole_seconds};
use crate::keys::{Algorithm, Key, missing_key};

/// The settings the steps read (set through [`Verifier`]'s builder methods, each named for what
/// it loosens or adds). A [`Verifier`] is its keys, this policy, a clock and a cache.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// `iss` must be one of these (none: not checked).
    pub(crate) issuers: Vec<String>,
    /// `azp` must be one of these (none: not checked).
    pub(crate) authorized_parties: Vec<String>,
    /// `aud` must hold each of these (none: not checked).
    pub(crate) audiences: Vec<String>,
    /// Seconds of leeway for `exp`, `nbf` and `iat`.
    pub(crate) clock_skew: i64,
    /// Allowed `alg` values (none: the key's own algorithm only).
    pub(crate) algorithms: Vec<Algorithm>,
    /// Longest token read.
    pub(crate) max_token_bytes: usize,
    /// Allowed `typ` values (none: absent or `JWT`).
    pub(crate) header_types: Vec<String>,
    /// Whether `sts: "pending"` sessions are signed in.
    pub(crate) allow_pending: bool,
    /// The longest `exp - iat` of a session token without the session category.
    pub(crate) session_max_lifetime: i64,
    /// Whether the bundled development key verifies for any issuer.
    pub(crate) allow_development_key: bool,
    /// Claims every token must carry with these values (a template's constants).
    pub(crate) constant_claims: Map<String, Value>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            issuers: Vec::new(),
            authorized_parties: Vec::new(),
            audiences: Vec::new(),
            clock_skew: DEFAULT_CLOCK_SKEW,
            algorithms: Vec::new(),
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            header_types: Vec::new(),
            allow_pending: false,
            session_max_lifetime: DEFAULT_SESSION_MAX_LIFETIME,
            allow_development_key: false,
            constant_claims: Map::new(),
        }
    }
}

/// Longest `kid` looked up.
pub const MAX_KID_BYTES: usize = 256;

/// What a token's header says it is (`cat`), for the checks that come after the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    /// Clerk's session category.
    Session,
    /// Clerk's JWT-template category.
    Template,
    /// No `cat`, Clerk's "ignore", or one this crate does not know: the claims must tell.
    Unmarked,
}

const ENSURE_CLERK_JWT: &str = "Make sure that this is a valid Clerk-generated JWT.";

fn fail(reason: Reason, message: impl Into<String>) -> VerifyError {
    VerifyError::new(reason, message)
}

/// An error whose fix is Clerk's "EnsureClerkJWT" action.
fn not_clerk(reason: Reason, message: impl Into<String>) -> VerifyError {
    VerifyError::new(reason, message).with_action(ENSURE_CLERK_JWT)
}

/// The claims the policy looks at.
pub(crate) const POLICY_CLAIMS: &[&str] = &["sub", "exp", "nbf", "iat", "aud", "azp", "iss", "sid", "sts"];

/// A token that passed every step: its payload, read as `T` (`None` when it does not fit `T`: read it
/// again for the error, the token itself is valid), the top-level members asked for as their JSON
/// text, `exp`, and the key that verified it.
pub(crate) struct Passed<'p, T> {
    pub payload: &'p [u8],
    pub value: Option<T>,
    pub members: Members<'p>,
    pub exp: i64,
    pub key: Arc<Key>,
}

/// The policy: steps 1 to 12 over `token`, in order. The payload, once its signature holds, is
/// kept in `payload` and read in one strict pass that refuses duplicate keys and deep nesting,
/// reads it as `T` and into `slots`, and keeps the members named in `read` (a superset of
/// [`POLICY_CLAIMS`]) for the later steps and the caller. Claims nobody reads are walked, not built.
/// `constants` are the claims type's constant claims; the verifier's own are added to them.
pub(crate) fn apply<'p, T: Deserialize<'p>, S: Slots<'p>>(
    verifier: &Verifier,
    token: &str,
    kind: TokenKind,
    constants: &Map<String, Value>,
    read: &[&str],
    slots: &mut S,
    payload: &'p mut Vec<u8>,
) -> Result<Passed<'p, T>, VerifyError> {
    let policy = &verifier.policy;
    let mut buffers = Buffers::default();
    let (jws, key) = signed(verifier, token, kind, &mut buffers)?;
    let category = match jws.header.cat() {
        Some(category::SESSION) => Category::Session,
        Some(category::TEMPLATE) => Category::Template,
        _ => Category::Unmarked,
    };
    *payload = jws.payload;
    let payload: &'p [u8] = payload;
    let names: Cow<'_, [&str]> = if constants.is_empty() && policy.constant_claims.is_empty() {
        Cow::Borrowed(read)
    } else {
        let constant_names = policy.constant_claims.keys().chain(constants.keys()).map(String::as_str);
        Cow::Owned(read.iter().copied().chain(constant_names).collect())
    };
    // Claims that do not fit `T` are the caller's to report, once the policy has passed.
    let (value, claims) = read_checked::<T, S>(payload, &names, slots)?;
    let now = verifier.clock.now();
    subject(&claims)?;
    audience(policy, &claims, constants)?;
    authorized_party(policy, &claims)?;
    let (exp, iat) = times(policy.clock_skew, now, &claims)?;
    issuer(policy, &claims)?;
    token_kind(policy, &claims, kind, category, exp, iat)?;
    pending(policy, &claims, kind)?;
    constant_claims(policy, &claims, constants)?;
    Ok(Passed { payload, value, members: claims, exp, key })
}

/// Steps 1 to 6: the token is a well-formed JWS signed by this verifier's key; no claim is looked
/// at. Returns it decoded (header and signature into `buffers`) and the key that verified it.
pub(crate) fn signed<'t, 'h>(
    verifier: &Verifier,
    token: &'t str,
    kind: TokenKind,
    buffers: &'h mut Buffers,
) -> Result<(Jws<'t, 'h>, Arc<Key>), VerifyError> {
    let policy = &verifier.policy;
    let jws = decode_into(token, policy.max_token_bytes, buffers)?;
    header_steps(policy, &jws.header, kind)?;
    let alg = jws.header.alg().unwrap_or_default();
    let key = with_key(verifier, &jws.header, |key| {
        development_key(verifier, key)?;
        header_type(policy, &jws.header)?;
        key.verify(alg, jws.signing_input.as_bytes(), jws.signature)?;
        Ok(key.clone())
    })?;
    Ok((jws, key))
}

/// Steps 2 and 3, which need only the header: what [`Verifier::fetch_key`] checks before it may
/// fetch a key set.
pub(crate) fn header_steps(
    policy: &Policy,
    header: &RawHeader<'_>,
    kind: TokenKind,
) -> Result<(), VerifyError> {
    header_algorithm(policy, header)?;
    token_category(header, kind)
}

fn header_algorithm<'h>(policy: &Policy, header: &'h RawHeader<'_>) -> Result<&'h str, VerifyError> {
    if header.crit {
        return Err(fail(Reason::TokenInvalid, "Invalid JWT header: `crit` extensions are not supported."));
    }
    // An unencoded payload (RFC 7797) or a JWE-only member means this is not a plain Clerk JWS.
    if let Some(member) = [("b64", header.b64), ("zip", header.zip), ("enc", header.enc)]
        .into_iter()
        .find_map(|(name, present)| present.then_some(name))
    {
        return Err(fail(
            Reason::TokenInvalid,
            format!("Invalid JWT header: `{member}` is not supported in a signed JWT."),
        ));
    }
    let alg = header.alg().unwrap_or("");
    let allowed = policy.algorithms.is_empty() || policy.algorithms.iter().any(|a| a.name() == alg);
    if alg.is_empty() || alg.eq_ignore_ascii_case("none") || !allowed {
        let supported = if policy.algorithms.is_empty() {
            "the key's algorithm".to_string()
        } else {
            policy.algorithms.iter().map(|a| a.name()).collect::<Vec<_>>().join(",")
        };
        return Err(not_clerk(
            Reason::TokenInvalidAlgorithm,
            format!("Invalid JWT algorithm {}. Supported: {supported}.", json_or_undefined(header.alg())),
        ));
    }
    Ok(alg)
}

fn token_category(header: &RawHeader<'_>, kind: TokenKind) -> Result<(), VerifyError> {
    match (header.cat(), kind) {
        (Some(category::MACHINE), _) => {
            Err(not_clerk(Reason::TokenInvalid, "Invalid session token category."))
        }
        (Some(category::TEMPLATE), TokenKind::Session) => Err(fail(
            Reason::TokenTypeMismatch,
            "A JWT-template token was given where a session token is expected.",
        )),
        (Some(category::SESSION), TokenKind::Template) => Err(fail(
            Reason::TokenTypeMismatch,
            "A session token was given where a JWT-template token is expected.",
        )),
        _ => Ok(()),
    }
}

/// Runs `f` on this verifier's key for the token's `kid` (step 4): from its own key source only.
fn with_key<R>(
    verifier: &Verifier,
    header: &RawHeader<'_>,
    f: impl FnOnce(&Arc<Key>) -> Result<R, VerifyError>,
) -> Result<R, VerifyError> {
    let kid = header.kid().unwrap_or("");
    if kid.len() > MAX_KID_BYTES {
        return Err(fail(
            Reason::TokenInvalid,
            format!("Invalid JWT header: the kid is longer than {MAX_KID_BYTES} bytes."),
        ));
    }
    match &verifier.keys {
        KeySource::Key(key) => f(key),
        KeySource::Jwks(jwks) => f(jwks.get(kid).ok_or_else(|| missing_key(jwks, kid))?),
        #[cfg(feature = "remote")]
        KeySource::Remote(remote) => remote.with_cached(kid, f),
    }
}

/// The bundled development key's private half is public: a token it signed proves nothing,
/// except to a verifier for a loopback issuer (the dev issuer's own flows) or one told otherwise.
fn development_key(verifier: &Verifier, key: &Key) -> Result<(), VerifyError> {
    if !key.is_development() || verifier.development_key_allowed() {
        return Ok(());
    }
    Err(fail(
        Reason::JwkDevelopmentKey,
        "The token is signed with the bundled development key, whose private half is public: anyone can \
         sign with it. It is accepted only by a verifier for a loopback issuer (http://127.0.0.1, localhost, \
         [::1]).",
    )
    .with_action(
        "Verify production tokens with your instance's keys; for local tests set .issuer(\"http://127.0.0.1:<port>\") \
         or call Verifier::allow_development_key.",
    ))
}

fn header_type(policy: &Policy, header: &RawHeader<'_>) -> Result<(), VerifyError> {
    let typ = header.typ();
    let ok = if policy.header_types.is_empty() {
        typ.is_none_or(|t| t == "JWT")
    } else {
        typ.is_some_and(|t| policy.header_types.iter().any(|h| h == t))
    };
    if ok {
        return Ok(());
    }
    let expected =
        if policy.header_types.is_empty() { "JWT".to_string() } else { policy.header_types.join(", ") };
    Err(not_clerk(
        Reason::TokenInvalid,
        format!("Invalid JWT type {}. Expected \"{expected}\".", json_or_undefined(typ)),
    ))
}

fn subject(claims: &Members<'_>) -> Result<(), VerifyError> {
    if is_string(claims, "sub") {
        return Ok(());
    }
    Err(not_clerk(
        Reason::TokenVerificationFailed,
        format!("Subject claim (sub) is required and must be a string. Received {}.", shown(claims, "sub")),
    ))
}

/// Whether the claim is a JSON string.
fn is_string(claims: &Members<'_>, name: &str) -> bool {
    claims.get(name).is_some_and(|raw| raw.get().starts_with('"'))
}

/// A claim as Clerk's messages show it: its JSON, or `undefined`.
fn shown(claims: &Members<'_>, name: &str) -> String {
    claims.value(name).map_or_else(undefined, |value| value.to_string())
}

fn audience(
    policy: &Policy,
    claims: &Members<'_>,
    constants: &Map<String, Value>,
) -> Result<(), VerifyError> {
    // The configured audiences and the claims type's own `aud` are separate requirements: a token
    // for template A must not pass as type B because the verifier also expects A.
    if !policy.audiences.is_empty() {
        let expected: Vec<&str> = policy.audiences.iter().map(String::as_str).collect();
        audience_among(claims, &expected)?;
    }
    for constants in [&policy.constant_claims, constants] {
        if let Some(Value::String(aud)) = constants.get("aud") {
            audience_among(claims, &[aud.as_str()])?;
        }
    }
    Ok(())
}

/// `aud` (a string, or a non-empty array of strings) names one of `expected`.
fn audience_among(claims: &Members<'_>, expected: &[&str]) -> Result<(), VerifyError> {
    // Only a refusal shows the list.
    let list = || json!(expected).to_string();
    match claims.value("aud") {
        Some(Value::String(aud)) if expected.contains(&aud.as_str()) => Ok(()),
        // An array must be non-empty and all strings, one of them expected.
        Some(Value::Array(auds))
            if auds.iter().all(Value::is_string)
                && auds.iter().any(|a| a.as_str().is_some_and(|a| expected.contains(&a))) =>
        {
            Ok(())
        }
        Some(aud @ Value::Array(_)) => Err(not_clerk(
            Reason::TokenVerificationFailed,
            format!("Invalid JWT audience claim array (aud) {aud}. Is not included in \"{}\".", list()),
        )),
        other => Err(not_clerk(
            Reason::TokenVerificationFailed,
            format!(
                "Invalid JWT audience claim (aud) {}. Is not included in \"{}\".",
                other.map_or_else(undefined, |v| v.to_string()),
                list()
            ),
        )),
    }
}

fn authorized_party(policy: &Policy, claims: &Members<'_>) -> Result<(), VerifyError> {
    if policy.authorized_parties.is_empty() {
        return Ok(());
    }
    match claims.string("azp") {
        Some(azp) if policy.authorized_parties.iter().any(|p| *p == azp) => Ok(()),
        _ => Err(fail(
            Reason::TokenInvalidAuthorizedParties,
            format!(
                "Invalid JWT Authorized party claim (azp) {}. Expected \"{}\".",
                shown(claims, "azp"),
                policy.authorized_parties.join(",")
            ),
        )),
    }
}

/// A time claim as whole seconds: JSON numbers only (a string `exp` is an error, not "absent").
fn time_claim(claims: &Members<'_>, name: &str, what: &str) -> Result<Option<i64>, VerifyError> {
    // The usual whole number of seconds is read from its text, without building a JSON value.
    if let Some(raw) = claims.get(name)
        && let Ok(t) = raw.get().parse::<i64>()
        && (0..=MAX_NUMERIC_DATE).contains(&t)
    {
        return Ok(Some(t));
    }
    match claims.value(name) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            let seconds = match n.as_i64() {
                Some(t) => Some(t),
                // A fractional date counts from its whole second.
                None => n.as_f64().and_then(whole_seconds),
            };
            match seconds {
                Some(t) if (0..=MAX_NUMERIC_DATE).contains(&t) => Ok(Some(t)),
                _ => Err(not_clerk(
                    Reason::TokenVerificationFailed,
                    format!("Invalid JWT {what} claim ({name}) {n}. Expected a date between 1970 and 9999."),
                )),
            }
        }
        Some(other) => Err(bad_time(name, what, &other)),
    }
}

fn bad_time(name: &str, what: &str, found: &Value) -> VerifyError {
    not_clerk(
        Reason::TokenVerificationFailed,
        format!("Invalid JWT {what} claim ({name}) {found}. Expected number."),
    )
}

fn date(unix: i64) -> String {
    crate::times::http_date(unix)
}

/// The time claims against the clock; returns `exp` and `iat`.
fn times(skew: i64, now: i64, claims: &Members<'_>) -> Result<(i64, Option<i64>), VerifyError> {
    let Some(exp) = time_claim(claims, "exp", "expiry date")? else {
        return Err(bad_time("exp", "expiry date", &Value::Null));
    };
    if exp <= now.saturating_sub(skew) {
        return Err(fail(
            Reason::TokenExpired,
            format!("JWT is expired. Expiry date: {}, Current date: {}.", date(exp), date(now)),
        ));
    }
    if let Some(nbf) = time_claim(claims, "nbf", "not before date")?
        && nbf > now.saturating_add(skew)
    {
        return Err(fail(
            Reason::TokenNotActiveYet,
            format!(
                "JWT cannot be used prior to not before date claim (nbf). Not before date: {}; Current date: {};",
                date(nbf),
                date(now)
            ),
        ));
    }
    let iat = time_claim(claims, "iat", "issued at date")?;
    if let Some(iat) = iat
        && iat > now.saturating_add(skew)
    {
        return Err(fail(
            Reason::TokenIatInTheFuture,
            format!(
                "JWT issued at date claim (iat) is in the future. Issued at date: {}; Current date: {};",
                date(iat),
                date(now)
            ),
        ));
    }
    Ok((exp, iat))
}

fn issuer(policy: &Policy, claims: &Members<'_>) -> Result<(), VerifyError> {
    if policy.issuers.is_empty() {
        return Ok(());
    }
    match claims.string("iss") {
        Some(iss) if policy.issuers.iter().any(|i| *i == iss) => Ok(()),
        _ => Err(fail(
            Reason::TokenInvalidIssuer,
            format!(
                "Invalid JWT issuer claim (iss) {}. Expected \"{}\": the token comes from another Clerk instance.",
                shown(claims, "iss"),
                policy.issuers.join(", ")
            ),
        )),
    }
}

fn token_kind(
    policy: &Policy,
    claims: &Members<'_>,
    kind: TokenKind,
    category: Category,
    exp: i64,
    iat: Option<i64>,
) -> Result<(), VerifyError> {
    let machine = claims.string("sub").is_some_and(|s| s.starts_with("mch_"));
    match kind {
        TokenKind::Session if machine => Err(fail(
            Reason::TokenTypeMismatch,
            "A machine token was given where a session token is expected.",
        )),
        TokenKind::Session if !is_string(claims, "sid") => Err(fail(
            Reason::TokenTypeMismatch,
            "The token has no session id (sid): a JWT-template token was given where a session token is expected.",
        )),
        // Without the session category, a JWT template rendering `sid` would pass as a session: it
        // must also live no longer than a session token does.
        TokenKind::Session if category == Category::Unmarked => {
            let lifetime = iat.map(|iat| exp.saturating_sub(iat));
            match lifetime {
                Some(lifetime) if lifetime <= policy.session_max_lifetime => Ok(()),
                _ => Err(fail(
                    Reason::TokenLifetimeExceedsSession,
                    format!(
                        "The token has no session category (cat) and lives {} (exp - iat); a session token lives at \
                         most {} s: this looks like a JWT-template token given where a session token is expected.",
                        lifetime.map_or_else(|| "without an iat".to_string(), |l| format!("{l} s")),
                        policy.session_max_lifetime
                    ),
                )
                .with_action("Verify JWT-template tokens with verify_template, or raise Verifier::session_max_lifetime.")),
            }
        }
        TokenKind::Template if claims.get("sid").is_some() => Err(fail(
            Reason::TokenTypeMismatch,
            "The token has a session id (sid): a session token was given where a JWT-template token is expected.",
        )),
        _ => Ok(()),
    }
}

fn pending(policy: &Policy, claims: &Members<'_>, kind: TokenKind) -> Result<(), VerifyError> {
    if kind != TokenKind::Template
        && !policy.allow_pending
        && claims.string("sts").as_deref() == Some("pending")
    {
        return Err(fail(
            Reason::SessionPending,
            "The session is pending (sts=\"pending\"): it has tasks left and counts as signed out. \
             Use Verifier::allow_pending_sessions to accept it.",
        ));
    }
    Ok(())
}

fn constant_claims(
    policy: &Policy,
    claims: &Members<'_>,
    constants: &Map<String, Value>,
) -> Result<(), VerifyError> {
    for (name, expected) in policy.constant_claims.iter().chain(constants) {
        if name == "aud" && expected.is_string() {
            continue; // checked with the audience
        }
        let found = claims.value(name);
        if found.as_ref() != Some(expected) {
            return Err(fail(
                Reason::ClaimsInvalid,
                format!(
                    "The claim `{name}` is {}; the template always renders {expected}: the token is from another template.",
                    found.map_or_else(|| "missing".to_string(), |v| v.to_string())
                ),
            ));
        }
    }
    Ok(())
}

/// How Clerk's messages show an absent value.
fn undefined() -> String {
    "undefined".to_string()
}

fn json_or_undefined(value: Option<&str>) -> String {
    value.map_or_else(undefined, |v| Value::String(v.to_string()).to_string())
}
