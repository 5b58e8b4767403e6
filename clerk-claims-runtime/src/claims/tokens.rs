//! Session tokens (v1 and v2) and JWT-template tokens, with the template's own claims as `C`.

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::organization::{Organization, RawOrgClaim, split_by_scope_into};
use super::registered::{Audience, RegisteredClaims, Seconds};
use crate::strict::{Members, Slots, Text};

/// The claims of a session token: Clerk's, normalised across v1 and v2, and the session-token
/// customization's as `C` (`()` for none).
///
/// ```
/// use clerk_claims_runtime::SessionClaims;
/// let payload = br#"{"sub": "user_1", "exp": 60, "sid": "sess_1", "v": 2,
///     "fea": "o:billing", "o": {"id": "org_1", "rol": "admin", "per": "manage,read", "fpm": "1"},
///     "role": "authenticated"}"#;
/// #[derive(serde::Deserialize)]
/// struct Custom { role: String }
/// let claims = SessionClaims::<Custom>::from_payload(payload).unwrap();
/// assert_eq!(claims.sid, "sess_1");
/// let org = claims.organization.as_ref().unwrap();
/// assert_eq!(org.permissions, ["org:billing:manage"]);
/// assert_eq!(claims.custom.role, "authenticated");
/// let bare = SessionClaims::<()>::from_payload(payload).unwrap();
/// assert_eq!(bare.registered.sub, "user_1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SessionClaims<C = ()> {
    /// `sub`, `exp`, `iat`, `nbf`, `iss`, `azp`, `jti`, `aud`.
    pub registered: RegisteredClaims,
    /// The session id (`sess_...`).
    pub sid: String,
    /// Token version: `Some(2)` for v2, `None` for v1.
    pub version: Option<u32>,
    /// Minutes since the first and second factor were verified (`fva`; -1: never).
    pub factor_verification_age: Option<[i64; 2]>,
    /// Session status (`sts`): `active`, or `pending` for a session with tasks left.
    pub status: Option<String>,
    /// The active organization, from `o` (v2) or `org_*` (v1).
    pub organization: Option<Organization>,
    /// Features (`fea`), user-scoped.
    pub user_features: Vec<String>,
    /// Features (`fea`), organization-scoped.
    pub org_features: Vec<String>,
    /// Plans (`pla`), user-scoped.
    pub user_plans: Vec<String>,
    /// Plans (`pla`), organization-scoped.
    pub org_plans: Vec<String>,
    /// The impersonator (`act`), when an admin acts as the user.
    pub actor: Option<Value>,
    /// The session-token customization's claims.
    pub custom: C,
}

/// The claims of a JWT-template token: Clerk's registered claims and the template's as `C`.
///
/// ```
/// use clerk_claims_runtime::TemplateClaims;
/// #[derive(serde::Deserialize)]
/// struct Hasura { #[serde(rename = "https://hasura.io/jwt/claims")] hasura: serde_json::Value }
/// let t = TemplateClaims::<Hasura>::from_payload(br#"{"sub": "user_1", "exp": 60, "jti": "x",
///     "https://hasura.io/jwt/claims": {"x-hasura-user-id": "user_1"}}"#).unwrap();
/// assert_eq!(t.custom.hasura["x-hasura-user-id"], "user_1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateClaims<C> {
    /// `sub`, `exp`, `iat`, `nbf`, `iss`, `azp`, `jti`, `aud`.
    pub registered: RegisteredClaims,
    /// The template's claims.
    pub custom: C,
}

/// The top-level claims a template token's registered claims are read from, with the policy's.
pub(crate) const TEMPLATE_CLAIM_NAMES: &[&str] =
    &["sub", "exp", "iat", "nbf", "iss", "azp", "jti", "aud", "sid", "sts"];

/// The session claims as they are in the token. What only feeds the normalised claims (`fea`,
/// `pla`, the organization claim's role, permission names and masks) is borrowed from the payload.
#[derive(Default, Deserialize)]
struct RawSession<'a> {
    // The registered claims are spelled out rather than flattened: serde buffers flattened input.
    sub: String,
    exp: Seconds,
    #[serde(default)]
    iat: Option<Seconds>,
    #[serde(default)]
    nbf: Option<Seconds>,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    sid: String,
    #[serde(default)]
    v: Option<u32>,
    #[serde(default)]
    fva: Option<[i64; 2]>,
    #[serde(default)]
    sts: Option<String>,
    #[serde(default, borrow)]
    fea: Option<Text<'a>>,
    #[serde(default, borrow)]
    pla: Option<Text<'a>>,
    #[serde(default)]
    act: Option<Value>,
    #[serde(default, borrow)]
    o: Option<RawOrgClaim<'a>>,
    #[serde(default)]
    org_id: Option<String>,
    #[serde(default)]
    org_role: Option<String>,
    #[serde(default)]
    org_slug: Option<String>,
    #[serde(default)]
    org_permissions: Option<Vec<String>>,
}

/// A session token's Clerk claims as the verifier's one strict pass reads them: each member of
/// [`RawSession`] straight into its field (see [`Slots`]), with the fields read so far.
#[derive(Default)]
pub(crate) struct SessionSlots<'a> {
    raw: RawSession<'a>,
    /// Bit `i`: slot `i` was read.
    read: u32,
}

/// `RawSession`'s fields as slots: the slot of each member, and reading it into its field.
macro_rules! session_slots {
    ($($slot:literal $field:ident)*) => {
        impl<'a> Slots<'a> for SessionSlots<'a> {
            fn slot(&self, key: &str) -> Option<u8> {
                match key {
                    $(stringify!($field) => Some($slot),)*
                    _ => None,
                }
            }
            fn read<D: Deserializer<'a>>(&mut self, slot: u8, value: D) -> Result<(), D::Error> {
                match slot {
                    $($slot => self.raw.$field = Deserialize::deserialize(value)?,)*
                    _ => return Ok(()),
                }
                self.read |= 1 << slot;
                Ok(())
            }
        }
    };
}

session_slots! {
    0 sub 1 exp 2 iat 3 nbf 4 iss 5 azp 6 jti 7 aud 8 sid 9 v 10 fva 11 sts 12 fea 13 pla 14 act 15 o
    16 org_id 17 org_role 18 org_slug 19 org_permissions
}

impl<'a> SessionSlots<'a> {
    /// The claims, when the members `RawSession` requires were all read (`sub`, `exp`, `sid`).
    fn complete(self) -> Option<RawSession<'a>> {
        const REQUIRED: u32 = 1 << 0 | 1 << 1 | 1 << 8;
        (self.read & REQUIRED == REQUIRED).then_some(self.raw)
    }
}

/// The template's claims: every key of the payload is visible to `C` (a template may set `aud`).
#[derive(Deserialize)]
#[serde(bound = "C: DeserializeOwned")]
struct Custom<C> {
    #[serde(flatten)]
    custom: C,
}

/// A payload that does not fit a claims type: which claim, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the claim `{path}` does not fit the claims type: {message}")]
pub struct ClaimsError {
    /// JSON path of the claim (`tenant.seats`; `.` for the payload itself).
    pub path: String,
    /// What serde found wrong.
    pub message: String,
}

impl From<serde_json::Error> for ClaimsError {
    fn from(e: serde_json::Error) -> Self {
        ClaimsError { path: ".".into(), message: e.to_string() }
    }
}

/// The template's claims from the whole payload. `C` usually reads the payload directly (its errors
/// then carry the claim's path); types that cannot read a map themselves, such as `()`, go through
/// a flattening wrapper.
fn custom<C: DeserializeOwned>(payload: &[u8]) -> Result<C, ClaimsError> {
    if std::mem::size_of::<C>() == 0 {
        // `()` and unit structs: nothing to read, and they cannot read a map themselves.
        return parse::<Custom<C>>(payload).map(|c| c.custom);
    }
    match parse::<C>(payload) {
        Ok(c) => Ok(c),
        Err(direct) => parse::<Custom<C>>(payload).map(|c| c.custom).map_err(|_| direct),
    }
}

/// What one strict pass over a verified payload read, completed: Clerk's part `K` as read (`None`
/// when it did not fit), and `C` as read. Whichever did not fit is read again from the payload, for
/// the error with the claim's path (or, for `C`, through the flattening wrapper it may need).
fn complete<'p, K: Deserialize<'p>, C: DeserializeOwned>(
    clerk: Option<K>,
    custom: Option<C>,
    payload: &'p [u8],
) -> Result<(K, C), ClaimsError> {
    let clerk = match clerk {
        Some(clerk) => clerk,
        None => parse(payload)?,
    };
    let custom = match custom {
        Some(custom) => custom,
        None => self::custom::<C>(payload)?,
    };
    Ok((clerk, custom))
}

/// Deserializes with the path of the claim that did not fit. The path is only tracked to explain a
/// failure: the first attempt runs at full speed.
fn parse<'p, T: Deserialize<'p>>(payload: &'p [u8]) -> Result<T, ClaimsError> {
    if let Ok(value) = serde_json::from_slice(payload) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(payload);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => Ok(value),
        Err(e) => {
            let mut path = e.path().to_string();
            let message = e.into_inner().to_string();
            // serde_json's position is in the payload, which the caller never sees: drop it.
            let message = message.split(" at line ").next().unwrap_or_default().to_string();
            // A missing claim is reported on its parent; name the claim itself.
            if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
                path = if path == "." { field.to_string() } else { format!("{path}.{field}") };
            }
            Err(ClaimsError { path, message })
        }
    }
}

impl<C: DeserializeOwned> SessionClaims<C> {
    /// Deserializes a (verified) payload.
    ///
    /// ```
    /// # use clerk_claims_runtime::SessionClaims;
    /// let e = SessionClaims::<()>::from_payload(br#"{"sub": "u", "exp": 1}"#).unwrap_err();
    /// assert!(e.message.contains("sid"));
    /// ```
    pub fn from_payload(payload: &[u8]) -> Result<Self, ClaimsError> {
        Ok(Self::assemble(parse(payload)?, custom::<C>(payload)?))
    }

    /// The claims from one strict pass over a verified payload: Clerk's claims from the slots it
    /// read and `C` as it read it. When the pass did not complete (`C` or a slot did not fit:
    /// `None`), the payload is read again for the error with the claim's path.
    pub(crate) fn from_read<'p>(
        clerk: SessionSlots<'p>,
        custom: Option<C>,
        payload: &'p [u8],
    ) -> Result<Self, ClaimsError> {
        // Slots are only whole when the pass was.
        let clerk = custom.is_some().then(|| clerk.complete()).flatten();
        let (raw, custom) = complete::<RawSession<'p>, C>(clerk, custom, payload)?;
        Ok(Self::assemble(raw, custom))
    }

    fn assemble(raw: RawSession<'_>, custom: C) -> Self {
        let (fea, pla) = (Text::of(&raw.fea), Text::of(&raw.pla));
        let organization = match (raw.o, raw.org_id) {
            (Some(o), _) => Some(Organization::from_v2_claim(o, fea)),
            (None, Some(id)) => Some(Organization {
                id,
                slug: raw.org_slug,
                role: raw.org_role,
                permissions: raw.org_permissions.unwrap_or_default(),
            }),
            (None, None) => None,
        };
        let (org_features, user_features) = split_by_scope_into(fea.unwrap_or_default(), str::to_string);
        let (org_plans, user_plans) = split_by_scope_into(pla.unwrap_or_default(), str::to_string);
        SessionClaims {
            sid: raw.sid,
            version: raw.v,
            factor_verification_age: raw.fva,
            status: raw.sts,
            organization,
            user_features,
            org_features,
            user_plans,
            org_plans,
            actor: raw.act,
            registered: RegisteredClaims {
                sub: raw.sub,
                exp: raw.exp.0,
                iat: raw.iat.map(|s| s.0),
                nbf: raw.nbf.map(|s| s.0),
                iss: raw.iss,
                azp: raw.azp,
                jti: raw.jti,
                aud: raw.aud,
            },
            custom,
        }
    }
}

impl<C> SessionClaims<C> {
    /// The user id (`sub`).
    ///
    /// ```
    /// # use clerk_claims_runtime::SessionClaims;
    /// let c = SessionClaims::<()>::from_payload(br#"{"sub": "user_1", "exp": 1, "sid": "s"}"#).unwrap();
    /// assert_eq!(c.user_id(), "user_1");
    /// ```
    pub fn user_id(&self) -> &str {
        &self.registered.sub
    }

    /// Whether the session still has tasks to complete (`sts: "pending"`).
    ///
    /// ```
    /// # use clerk_claims_runtime::SessionClaims;
    /// let c = SessionClaims::<()>::from_payload(br#"{"sub": "u", "exp": 1, "sid": "s", "sts": "pending"}"#).unwrap();
    /// assert!(c.is_pending());
    /// ```
    pub fn is_pending(&self) -> bool {
        self.status.as_deref() == Some("pending")
    }

    /// Whether the user or the active organization has `feature` (`fea`).
    ///
    /// ```
    /// # use clerk_claims_runtime::SessionClaims;
    /// let c = SessionClaims::<()>::from_payload(br#"{"sub": "u", "exp": 1, "sid": "s", "fea": "u:export"}"#).unwrap();
    /// assert!(c.has_feature("export") && !c.has_feature("sso"));
    /// ```
    pub fn has_feature(&self, feature: &str) -> bool {
        self.user_features.iter().chain(&self.org_features).any(|f| f == feature)
    }

    /// Whether the user or the active organization is on `plan` (`pla`).
    ///
    /// ```
    /// # use clerk_claims_runtime::SessionClaims;
    /// let c = SessionClaims::<()>::from_payload(br#"{"sub": "u", "exp": 1, "sid": "s", "pla": "o:pro"}"#).unwrap();
    /// assert!(c.has_plan("pro"));
    /// ```
    pub fn has_plan(&self, plan: &str) -> bool {
        self.user_plans.iter().chain(&self.org_plans).any(|p| p == plan)
    }
}

impl<C: DeserializeOwned> TemplateClaims<C> {
    /// Deserializes a (verified) payload.
    ///
    /// ```
    /// # use clerk_claims_runtime::TemplateClaims;
    /// let t = TemplateClaims::<()>::from_payload(br#"{"sub": "u", "exp": 1}"#).unwrap();
    /// assert_eq!(t.registered.sub, "u");
    /// ```
    pub fn from_payload(payload: &[u8]) -> Result<Self, ClaimsError> {
        let registered: RegisteredClaims = parse(payload)?;
        let custom = custom::<C>(payload)?;
        Ok(TemplateClaims { registered, custom })
    }

    /// [`SessionClaims::from_read`] for a template token: the registered claims from the members
    /// kept ([`TEMPLATE_CLAIM_NAMES`]), `C` as read.
    pub(crate) fn from_read<'p>(
        members: &Members<'p>,
        custom: Option<C>,
        payload: &'p [u8],
    ) -> Result<Self, ClaimsError> {
        let registered = members.deserialize::<RegisteredClaims>().ok();
        let (registered, custom) = complete::<RegisteredClaims, C>(registered, custom, payload)?;
        Ok(TemplateClaims { registered, custom })
    }
}

/// Session claims serialize back to the token's shape (v2 organization fields as normalised).
impl<C: Serialize> Serialize for SessionClaims<C> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serde_json::Map::new();
        let mut put = |value: serde_json::Result<Value>| {
            if let Ok(Value::Object(obj)) = value {
                map.extend(obj);
            }
        };
        put(serde_json::to_value(&self.custom));
        put(serde_json::to_value(&self.registered));
        let mut session = serde_json::json!({ "sid": self.sid });
        if let Some(org) = &self.organization {
            session["org_id"] = org.id.clone().into();
            session["org_slug"] = serde_json::to_value(&org.slug).unwrap_or_default();
            session["org_role"] = serde_json::to_value(&org.role).unwrap_or_default();
            session["org_permissions"] = serde_json::to_value(&org.permissions).unwrap_or_default();
        }
        if let Some(v) = self.version {
            session["v"] = v.into();
        }
        if let Some(sts) = &self.status {
            session["sts"] = sts.clone().into();
        }
        if let Some(act) = &self.actor {
            session["act"] = act.clone();
        }
        put(Ok(session));
        map.serialize(serializer)
    }
}
