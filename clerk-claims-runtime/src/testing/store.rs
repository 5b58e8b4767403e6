//! The dev issuer's state: users, organizations, memberships, sessions and JWT templates, in memory,
//! with the Backend API's JSON shapes and validation, loadable from and savable to a fixtures file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use std::ops::RangeInclusive;

use clerk_claims_codegen::template::{CLOCK_SKEW_RANGE, LIFETIME_RANGE};

use super::CustomKey;
use super::mint::{Subject, TemplateSpec};
use super::random_id;
use crate::Organization;
use crate::keys::KeyError;

/// A Backend API error: status and Clerk's error envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `code` of the envelope's error.
    pub code: &'static str,
    /// `message`.
    pub message: String,
    /// `long_message`: what was wrong and what to send instead.
    pub long_message: String,
    /// `meta.param_name`, for errors about one parameter.
    pub param: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &'static str, message: &str, long_message: String) -> ApiError {
        ApiError { status, code, message: message.to_string(), long_message, param: None }
    }

    fn param(mut self, name: &str) -> ApiError {
        self.param = Some(name.to_string());
        self
    }

    pub(crate) fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(404, "resource_not_found", "not found", format!("No {what} was found with id `{id}`."))
    }

    fn invalid(param: &str, long_message: String) -> ApiError {
        ApiError::new(422, "form_param_value_invalid", "is invalid", long_message).param(param)
    }

    fn missing(param: &str) -> ApiError {
        ApiError::new(422, "form_param_missing", "missing", format!("`{param}` is required.")).param(param)
    }

    fn exists(param: &str, long_message: String) -> ApiError {
        ApiError::new(422, "form_identifier_exists", "already exists", long_message).param(param)
    }

    /// The error envelope (`{"errors": [...], "clerk_trace_id": ...}`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let issuer = clerk_claims_runtime::testing::DevIssuer::start().await.unwrap();
    /// let error = issuer.create_organization(serde_json::json!({})).unwrap_err();
    /// let body = error.body();
    /// assert_eq!((error.status, body["errors"][0]["code"].as_str()), (422, Some("form_param_missing")));
    /// assert_eq!(body["errors"][0]["meta"]["param_name"], "name");
    /// # }
    /// ```
    pub fn body(&self) -> Value {
        let mut error =
            json!({"message": self.message, "long_message": self.long_message, "code": self.code});
        if let (Some(param), Some(obj)) = (&self.param, error.as_object_mut()) {
            obj.insert("meta".into(), json!({"param_name": param}));
        }
        json!({"errors": [error], "clerk_trace_id": random_id("", 32)})
    }
}

type Metadata = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct EmailRecord {
    id: String,
    email_address: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct UserRecord {
    id: String,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    email_addresses: Vec<EmailRecord>,
    #[serde(default)]
    public_metadata: Metadata,
    #[serde(default)]
    private_metadata: Metadata,
    #[serde(default)]
    unsafe_metadata: Metadata,
    created_at: i64,
    updated_at: i64,
    #[serde(default)]
    last_sign_in_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OrganizationRecord {
    id: String,
    name: String,
    slug: String,
    #[serde(default)]
    public_metadata: Metadata,
    #[serde(default)]
    private_metadata: Metadata,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    max_allowed_memberships: i64,
    created_at: i64,
    updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct MembershipRecord {
    id: String,
    organization_id: String,
    user_id: String,
    role: String,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    public_metadata: Metadata,
    created_at: i64,
    updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SessionRecord {
    id: String,
    user_id: String,
    client_id: String,
    status: String,
    #[serde(default)]
    last_active_organization_id: Option<String>,
    created_at: i64,
    updated_at: i64,
    expire_at: i64,
    abandon_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TemplateRecord {
    id: String,
    name: String,
    claims: Value,
    lifetime: i64,
    allowed_clock_skew: i64,
    /// The custom signing key: algorithm and secret (development state, kept in the fixtures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    custom_key: Option<(String, String)>,
    created_at: i64,
    updated_at: i64,
}

/// Everything the dev issuer holds; the fixtures file is this, as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    #[serde(default)]
    users: Vec<UserRecord>,
    #[serde(default)]
    organizations: Vec<OrganizationRecord>,
    #[serde(default)]
    memberships: Vec<MembershipRecord>,
    #[serde(default)]
    sessions: Vec<SessionRecord>,
    #[serde(default)]
    jwt_templates: Vec<TemplateRecord>,
    /// The session-token customization: claims rendered into every session token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_claims: Option<Value>,
}

/// What a token needs, read from the state under its lock (signing happens outside it).
pub(crate) struct TokenGrant {
    pub subject: Subject,
    pub context: Value,
    pub template: Option<TemplateSpec>,
    pub session_claims: Option<Value>,
}

/// Milliseconds since the epoch, as the Backend API reports times.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

const SESSION_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;
const SESSION_ABANDON_MS: i64 = 30 * 24 * 3600 * 1000;

/// The fields of a request body, with Clerk's parameter errors.
struct Body<'a>(&'a Map<String, Value>);

impl<'a> Body<'a> {
    fn string(&self, name: &str) -> Result<Option<&'a str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ApiError::invalid(name, format!("`{name}` must be a string, not {other}."))),
        }
    }

    fn required(&self, name: &str) -> Result<&'a str, ApiError> {
        self.string(name)?.filter(|s| !s.is_empty()).ok_or_else(|| ApiError::missing(name))
    }

    /// A non-negative integer in `range` (the engine's ranges for the Backend API's settings).
    fn integer(&self, name: &str, range: RangeInclusive<u64>) -> Result<Option<i64>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n))
                if let Some(n) =
                    n.as_u64().filter(|n| range.contains(n)).and_then(|n| i64::try_from(n).ok()) =>
            {
                Ok(Some(n))
            }
            Some(other) => Err(ApiError::invalid(
                name,
                format!(
                    "`{name}` must be an integer from {} to {}, not {other}.",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    fn metadata(&self, name: &str) -> Result<Option<&'a Metadata>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(other) => {
                Err(ApiError::invalid(name, format!("`{name}` must be a JSON object, not {other}.")))
            }
        }
    }

    fn strings(&self, name: &str) -> Result<Vec<&'a str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().ok_or_else(|| {
                        ApiError::invalid(name, format!("`{name}` must be an array of strings, not {item}."))
                    })
                })
                .collect(),
            Some(other) => {
                Err(ApiError::invalid(name, format!("`{name}` must be an array of strings, not {other}.")))
            }
        }
    }
}

/// `expires_in_seconds` of a token request: the Backend API takes the range of a template's
/// lifetime.
pub(crate) fn expires_in(body: &Map<String, Value>) -> Result<Option<i64>, ApiError> {
    Body(body).integer("expires_in_seconds", LIFETIME_RANGE)
}

/// Merges `patch` into `target` as Clerk's metadata update does: objects merge key by key, `null`
/// removes a key, anything else replaces.
fn merge(target: &mut Metadata, patch: &Metadata) {
    for (key, value) in patch {
        match (target.get_mut(key), value) {
            (_, Value::Null) => {
                target.remove(key);
            }
            (Some(Value::Object(inner)), Value::Object(patch)) => merge(inner, patch),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

impl State {
    /// Reads a fixtures file (the JSON [`State::save`] writes).
    ///
    /// # Errors
    /// A message naming the file and what is wrong with it.
    ///
    /// ```
    /// use clerk_claims_runtime::testing::State;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("state.json");
    /// State::default().save(&path).unwrap();
    /// assert_eq!(State::load(&path).unwrap(), State::default());
    /// std::fs::write(&path, "[]").unwrap();
    /// assert!(State::load(&path).unwrap_err().contains("not a dev issuer fixtures file"));
    /// ```
    pub fn load(path: &Path) -> Result<State, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the fixtures file {}: {e}", path.display()))?;
        // An object: serde would also take an array as a struct's fields in order.
        let object = match serde_json::from_str::<Value>(&text) {
            Ok(value @ Value::Object(_)) => Ok(value),
            Ok(_) => Err("the file holds JSON, but not an object".to_string()),
            Err(e) => Err(e.to_string()),
        };
        object.and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string())).map_err(|e| {
            format!(
                "{} is not a dev issuer fixtures file: {e} (write one with `clerk-claims dev --fixtures`)",
                path.display()
            )
        })
    }

    /// Writes the state to `path` (a temporary file renamed over it, so a reader never sees half).
    ///
    /// # Errors
    /// The I/O error, with the path.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let mut temporary = PathBuf::from(path);
        temporary.as_mut_os_string().push(".tmp");
        std::fs::write(&temporary, text + "\n")
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| format!("cannot write the fixtures file {}: {e}", path.display()))
    }

    /// Sets the session-token customization (claims rendered into every session token).
    pub fn set_session_claims(&mut self, claims: Option<Value>) {
        self.session_claims = claims;
    }

    fn user(&self, id: &str) -> Result<&UserRecord, ApiError> {
        self.users.iter().find(|u| u.id == id).ok_or_else(|| ApiError::not_found("user", id))
    }

    fn organization(&self, id: &str) -> Result<&OrganizationRecord, ApiError> {
        self.organizations
            .iter()
            .find(|o| o.id == id || o.slug == id)
            .ok_or_else(|| ApiError::not_found("organization", id))
    }

    fn session(&self, id: &str) -> Result<&SessionRecord, ApiError> {
        self.sessions.iter().find(|s| s.id == id).ok_or_else(|| ApiError::not_found("session", id))
    }

    fn template(&self, id: &str) -> Result<&TemplateRecord, ApiError> {
        self.jwt_templates.iter().find(|t| t.id == id).ok_or_else(|| ApiError::not_found("JWT template", id))
    }

    // ---- users -------------------------------------------------------------------------------

    /// `POST /v1/users`.
    pub(crate) fn create_user(&mut self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let body = Body(body);
        let emails = body.strings("email_address")?;
        for email in &emails {
            if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
                return Err(ApiError::new(
                    422,
                    "form_param_format_invalid",
                    "is invalid",
                    format!("`{email}` is not an email address."),
                )
                .param("email_address"));
            }
            if self.users.iter().any(|u| u.email_addresses.iter().any(|e| e.email_address == *email)) {
                return Err(ApiError::exists(
                    "email_address",
                    format!("That email address ({email}) is taken. Please try another."),
                ));
            }
        }
        let username = body.string("username")?;
        if let Some(name) = username
            && self.users.iter().any(|u| u.username.as_deref() == Some(name))
        {
            return Err(ApiError::exists("username", format!("That username ({name}) is taken.")));
        }
        let now = now_ms();
        let user = UserRecord {
            id: random_id("user_", 27),
            external_id: body.string("external_id")?.map(str::to_string),
            first_name: body.string("first_name")?.map(str::to_string),
            last_name: body.string("last_name")?.map(str::to_string),
            username: username.map(str::to_string),
            email_addresses: emails
                .iter()
                .map(|e| EmailRecord { id: random_id("idn_", 27), email_address: e.to_string() })
                .collect(),
            public_metadata: body.metadata("public_metadata")?.cloned().unwrap_or_default(),
            private_metadata: body.metadata("private_metadata")?.cloned().unwrap_or_default(),
            unsafe_metadata: body.metadata("unsafe_metadata")?.cloned().unwrap_or_default(),
            created_at: now,
            updated_at: now,
            last_sign_in_at: None,
        };
        let out = self.user_json(&user);
        self.users.push(user);
        Ok(out)
    }

    /// `GET /v1/users/{id}`.
    pub(crate) fn get_user(&self, id: &str) -> Result<Value, ApiError> {
        Ok(self.user_json(self.user(id)?))
    }

    /// `GET /v1/users`: newest first; `user_id`, `email_address`, `organization_id` filters (each
    /// may repeat), `limit` (1-500, default 10), `offset`.
    pub(crate) fn list_users(&self, query: &[(String, String)]) -> Result<Value, ApiError> {
        let values =
            |name: &str| query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
        let (ids, emails, orgs) = (values("user_id"), values("email_address"), values("organization_id"));
        let number = |name: &str, default: usize, max: usize| -> Result<usize, ApiError> {
            match values(name).first() {
                None => Ok(default),
                Some(text) => text.parse::<usize>().ok().filter(|n| *n <= max).ok_or_else(|| {
                    ApiError::invalid(
                        name,
                        format!("`{name}` must be an integer from 0 to {max}, not `{text}`."),
                    )
                }),
            }
        };
        let (limit, offset) = (number("limit", 10, 500)?.max(1), number("offset", 0, usize::MAX)?);
        let mut users: Vec<&UserRecord> = self
            .users
            .iter()
            .filter(|u| ids.is_empty() || ids.contains(&u.id.as_str()))
            .filter(|u| {
                emails.is_empty()
                    || u.email_addresses.iter().any(|e| emails.contains(&e.email_address.as_str()))
            })
            .filter(|u| {
                orgs.is_empty()
                    || self
                        .memberships
                        .iter()
                        .any(|m| m.user_id == u.id && orgs.contains(&m.organization_id.as_str()))
            })
            .collect();
        users.sort_by_key(|u| std::cmp::Reverse(u.created_at));
        Ok(Value::Array(users.into_iter().skip(offset).take(limit).map(|u| self.user_json(u)).collect()))
    }

    /// `PATCH /v1/users/{id}/metadata`: deep merge; `null` removes a key.
    pub(crate) fn update_user_metadata(
        &mut self,
        id: &str,
        body: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let body = Body(body);
        let patches = [
            body.metadata("public_metadata")?,
            body.metadata("private_metadata")?,
            body.metadata("unsafe_metadata")?,
        ];
        self.user(id)?;
        let Some(user) = self.users.iter_mut().find(|u| u.id == id) else {
            return Err(ApiError::not_found("user", id));
        };
        for (target, patch) in
            [&mut user.public_metadata, &mut user.private_metadata, &mut user.unsafe_metadata]
                .into_iter()
                .zip(patches)
        {
            if let Some(patch) = patch {
                merge(target, patch);
            }
        }
        user.updated_at = now_ms();
        let user = user.clone();
        Ok(self.user_json(&user))
    }

    fn user_json(&self, user: &UserRecord) -> Value {
        let emails: Vec<Value> = user
            .email_addresses
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "object": "email_address",
                    "email_address": e.email_address,
                    "reserved": false,
                    // Addresses created through the Backend API count as verified, as in Clerk.
                    "verification": {"object": "verification_admin", "status": "verified", "strategy": "admin", "attempts": null, "expire_at": null},
                    "linked_to": [],
                    "created_at": user.created_at,
                    "updated_at": user.updated_at,
                })
            })
            .collect();
        let memberships: Vec<Value> = self
            .memberships
            .iter()
            .filter(|m| m.user_id == user.id)
            .filter_map(|m| self.membership_json(m).ok())
            .collect();
        json!({
            "id": user.id,
            "object": "user",
            "external_id": user.external_id,
            "primary_email_address_id": user.email_addresses.first().map(|e| &e.id),
            "primary_phone_number_id": null,
            "primary_web3_wallet_id": null,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "locale": null,
            "profile_image_url": image_url(&user.id),
            "image_url": image_url(&user.id),
            "has_image": false,
            "public_metadata": user.public_metadata,
            "private_metadata": user.private_metadata,
            "unsafe_metadata": user.unsafe_metadata,
            "email_addresses": emails,
            "phone_numbers": [],
            "web3_wallets": [],
            "passkeys": [],
            "password_enabled": false,
            "two_factor_enabled": false,
            "totp_enabled": false,
            "backup_code_enabled": false,
            "mfa_enabled_at": null,
            "mfa_disabled_at": null,
            "password_last_updated_at": null,
            "external_accounts": [],
            "saml_accounts": [],
            "enterprise_accounts": [],
            "organization_memberships": memberships,
            "last_sign_in_at": user.last_sign_in_at,
            "banned": false,
            "locked": false,
            "deprovisioned": false,
            "lockout_expires_in_seconds": null,
            "verification_attempts_remaining": null,
            "updated_at": user.updated_at,
            "created_at": user.created_at,
            "delete_self_enabled": true,
            "create_organization_enabled": true,
            "create_organizations_limit": null,
            "last_active_at": user.last_sign_in_at,
            "legal_accepted_at": null,
        })
    }

    // ---- organizations and memberships -------------------------------------------------------

    /// `POST /v1/organizations`; `created_by` becomes the organization's first admin, as in Clerk.
    pub(crate) fn create_organization(&mut self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let body = Body(body);
        let name = body.required("name")?;
        let slug = match body.string("slug")? {
            Some(slug) => slug.to_string(),
            None => slugify(name),
        };
        if slug.is_empty()
            || !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(ApiError::invalid(
                "slug",
                format!("`{slug}` is not a slug: use lowercase letters, digits, `-` and `_`."),
            ));
        }
        if self.organizations.iter().any(|o| o.slug == slug) {
            return Err(ApiError::exists(
                "slug",
                format!("An organization with slug `{slug}` already exists."),
            ));
        }
        let created_by = body.string("created_by")?;
        if let Some(user) = created_by {
            self.user(user)?;
        }
        let now = now_ms();
        let organization = OrganizationRecord {
            id: random_id("org_", 27),
            name: name.to_string(),
            slug,
            public_metadata: body.metadata("public_metadata")?.cloned().unwrap_or_default(),
            private_metadata: body.metadata("private_metadata")?.cloned().unwrap_or_default(),
            created_by: created_by.map(str::to_string),
            max_allowed_memberships: body
                .integer("max_allowed_memberships", 0..=i64::MAX as u64)?
                .unwrap_or(0),
            created_at: now,
            updated_at: now,
        };
        if let Some(user) = created_by {
            self.memberships.push(MembershipRecord {
                id: random_id("orgmem_", 27),
                organization_id: organization.id.clone(),
                user_id: user.to_string(),
                role: "org:admin".into(),
                permissions: Vec::new(),
                public_metadata: Metadata::new(),
                created_at: now,
                updated_at: now,
            });
        }
        let out = self.organization_json(&organization);
        self.organizations.push(organization);
        Ok(out)
    }

    fn organization_json(&self, organization: &OrganizationRecord) -> Value {
        json!({
            "object": "organization",
            "id": organization.id,
            "name": organization.name,
            "slug": organization.slug,
            "image_url": image_url(&organization.id),
            "has_image": false,
            "members_count": self.memberships.iter().filter(|m| m.organization_id == organization.id).count(),
            "pending_invitations_count": 0,
            "max_allowed_memberships": organization.max_allowed_memberships,
            "admin_delete_enabled": true,
            "public_metadata": organization.public_metadata,
            "private_metadata": organization.private_metadata,
            "created_by": organization.created_by.clone().unwrap_or_default(),
            "created_at": organization.created_at,
            "updated_at": organization.updated_at,
        })
    }

    /// `POST /v1/organizations/{id}/memberships` with `user_id`, `role` and (a dev issuer
    /// extension) `permissions`, the `org:<feature>:<permission>` keys the role grants.
    pub(crate) fn create_membership(
        &mut self,
        organization_id: &str,
        body: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let body = Body(body);
        let organization_id = self.organization(organization_id)?.id.clone();
        let user_id = body.required("user_id")?;
        let role = body.required("role")?;
        let permissions = body.strings("permissions")?;
        for permission in &permissions {
            if permission
                .strip_prefix("org:")
                .and_then(|p| p.split_once(':'))
                .is_none_or(|(f, p)| f.is_empty() || p.is_empty() || p.contains(':'))
            {
                return Err(ApiError::invalid(
                    "permissions",
                    format!("`{permission}` is not a permission key: write `org:<feature>:<permission>`."),
                ));
            }
        }
        self.user(user_id)?;
        if self.memberships.iter().any(|m| m.organization_id == organization_id && m.user_id == user_id) {
            return Err(ApiError::new(
                422,
                "already_a_member_in_organization",
                "already a member",
                format!("User {user_id} is already a member of organization {organization_id}."),
            ));
        }
        let now = now_ms();
        let membership = MembershipRecord {
            id: random_id("orgmem_", 27),
            organization_id,
            user_id: user_id.to_string(),
            role: if role.starts_with("org:") { role.to_string() } else { format!("org:{role}") },
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
            public_metadata: body.metadata("public_metadata")?.cloned().unwrap_or_default(),
            created_at: now,
            updated_at: now,
        };
        let out = self.membership_json(&membership)?;
        self.memberships.push(membership);
        Ok(out)
    }

    fn membership_json(&self, membership: &MembershipRecord) -> Result<Value, ApiError> {
        let organization = self.organization(&membership.organization_id)?;
        let user = self.user(&membership.user_id)?;
        Ok(json!({
            "id": membership.id,
            "object": "organization_membership",
            "role": membership.role,
            "role_name": membership.role.trim_start_matches("org:"),
            "permissions": membership.permissions,
            "public_metadata": membership.public_metadata,
            "private_metadata": {},
            "organization": self.organization_json(organization),
            "public_user_data": {
                "user_id": user.id,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "profile_image_url": image_url(&user.id),
                "image_url": image_url(&user.id),
                "has_image": false,
                "identifier": user.email_addresses.first().map(|e| &e.email_address),
                "username": user.username,
            },
            "created_at": membership.created_at,
            "updated_at": membership.updated_at,
        }))
    }

    // ---- sessions ----------------------------------------------------------------------------

    /// `POST /v1/sessions` with `user_id` and optional `active_organization_id` (the user must be
    /// a member).
    pub(crate) fn create_session(&mut self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let body = Body(body);
        let user_id = self.user(body.required("user_id")?)?.id.clone();
        let organization = match body.string("active_organization_id")? {
            None => None,
            Some(org) => {
                let org = self.organization(org)?.id.clone();
                if !self.memberships.iter().any(|m| m.organization_id == org && m.user_id == user_id) {
                    return Err(ApiError::invalid(
                        "active_organization_id",
                        format!("User {user_id} is not a member of {org}; add a membership first."),
                    ));
                }
                Some(org)
            }
        };
        let now = now_ms();
        let session = SessionRecord {
            id: random_id("sess_", 27),
            user_id: user_id.clone(),
            client_id: random_id("client_", 27),
            status: "active".into(),
            last_active_organization_id: organization,
            created_at: now,
            updated_at: now,
            expire_at: now + SESSION_LIFETIME_MS,
            abandon_at: now + SESSION_ABANDON_MS,
        };
        if let Some(user) = self.users.iter_mut().find(|u| u.id == user_id) {
            user.last_sign_in_at = Some(now);
        }
        let out = session_json(&session);
        self.sessions.push(session);
        Ok(out)
    }

    /// `GET /v1/sessions?user_id=&client_id=&status=`: one of `user_id` / `client_id` is required.
    pub(crate) fn list_sessions(&self, query: &[(String, String)]) -> Result<Value, ApiError> {
        let value = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let (user, client, status) = (value("user_id"), value("client_id"), value("status"));
        if user.is_none() && client.is_none() {
            return Err(ApiError::new(
                422,
                "form_param_missing",
                "missing",
                "Either `user_id` or `client_id` is required.".into(),
            )
            .param("user_id"));
        }
        let mut sessions: Vec<&SessionRecord> = self
            .sessions
            .iter()
            .filter(|s| user.is_none_or(|u| s.user_id == u))
            .filter(|s| client.is_none_or(|c| s.client_id == c))
            .filter(|s| status.is_none_or(|st| s.status == st))
            .collect();
        sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        Ok(Value::Array(sessions.into_iter().map(session_json).collect()))
    }

    /// `GET /v1/sessions/{id}`.
    pub(crate) fn get_session(&self, id: &str) -> Result<Value, ApiError> {
        Ok(session_json(self.session(id)?))
    }

    /// `POST /v1/sessions/{id}/revoke`.
    pub(crate) fn revoke_session(&mut self, id: &str) -> Result<Value, ApiError> {
        let Some(session) = self.sessions.iter_mut().find(|s| s.id == id) else {
            return Err(ApiError::not_found("session", id));
        };
        session.status = "revoked".into();
        session.updated_at = now_ms();
        Ok(session_json(session))
    }

    /// What `POST /v1/sessions/{id}/tokens[/{template}]` signs: only an active session gets one.
    pub(crate) fn token_grant(
        &self,
        issuer: &str,
        session_id: &str,
        template: Option<&str>,
    ) -> Result<TokenGrant, ApiError> {
        let session = self.session(session_id)?;
        if session.status != "active" {
            return Err(ApiError::new(
                404,
                "resource_not_found",
                "not found",
                format!(
                    "Session {session_id} is {}; only active sessions get tokens. Create a new session.",
                    session.status
                ),
            ));
        }
        let template = match template {
            None => None,
            Some(name) => {
                let t = self.jwt_templates.iter().find(|t| t.name == name).ok_or_else(|| {
                    ApiError::new(
                        404,
                        "resource_not_found",
                        "not found",
                        format!("No JWT template is named `{name}`."),
                    )
                })?;
                let custom_key = t.custom_key.as_ref().and_then(|(alg, secret)| {
                    CustomKey::new(alg.parse().ok()?, secret.as_bytes().to_vec()).ok()
                });
                Some(TemplateSpec {
                    claims: t.claims.clone(),
                    lifetime: t.lifetime,
                    allowed_clock_skew: t.allowed_clock_skew,
                    custom_key,
                })
            }
        };
        let user = self.user(&session.user_id)?;
        let active = session.last_active_organization_id.as_deref().and_then(|org| {
            let organization = self.organizations.iter().find(|o| o.id == org)?;
            let membership =
                self.memberships.iter().find(|m| m.organization_id == org && m.user_id == user.id)?;
            Some((organization, membership))
        });
        let subject = Subject {
            issuer: issuer.to_string(),
            user_id: user.id.clone(),
            session_id: session.id.clone(),
            azp: None,
            organization: active.map(|(o, m)| Organization {
                id: o.id.clone(),
                slug: Some(o.slug.clone()),
                role: Some(m.role.clone()),
                permissions: m.permissions.clone(),
            }),
        };
        Ok(TokenGrant {
            subject,
            context: self.render_context(user, active, session),
            template,
            session_claims: self.session_claims.clone(),
        })
    }

    /// The render context of a user in a session: `{"user", "org", "org_membership", "session"}`
    /// keyed by the shortcodes' dotted names.
    fn render_context(
        &self,
        user: &UserRecord,
        active: Option<(&OrganizationRecord, &MembershipRecord)>,
        session: &SessionRecord,
    ) -> Value {
        let full_name = match (&user.first_name, &user.last_name) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(n), None) | (None, Some(n)) => Some(n.clone()),
            (None, None) => None,
        };
        let organizations: BTreeMap<&str, &str> = self
            .memberships
            .iter()
            .filter(|m| m.user_id == user.id)
            .map(|m| (m.organization_id.as_str(), m.role.as_str()))
            .collect();
        let seconds = |ms: i64| ms / 1000;
        let org = active.map(|(o, m)| {
            json!({
                "id": o.id, "name": o.name, "slug": o.slug, "role": m.role,
                "image_url": image_url(&o.id), "has_image": false, "public_metadata": o.public_metadata,
            })
        });
        json!({
            "user": {
                "id": user.id,
                "external_id": user.external_id,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "full_name": full_name,
                "username": user.username,
                "image_url": image_url(&user.id),
                "has_image": false,
                "primary_email_address": user.email_addresses.first().map(|e| &e.email_address),
                "primary_phone_number": null,
                "primary_web3_wallet": null,
                "email_verified": !user.email_addresses.is_empty(),
                "phone_number_verified": false,
                "two_factor_enabled": false,
                "created_at": seconds(user.created_at),
                "updated_at": seconds(user.updated_at),
                "last_sign_in_at": user.last_sign_in_at.map(seconds),
                "public_metadata": user.public_metadata,
                "unsafe_metadata": user.unsafe_metadata,
                "organizations": organizations,
            },
            "org": org,
            "org_membership": active.map(|(_, m)| json!({"public_metadata": m.public_metadata, "permissions": m.permissions})),
            "session": {"id": session.id, "actor": null, "reverification_id": null},
        })
    }

    // ---- JWT templates -----------------------------------------------------------------------

    /// `GET /v1/jwt_templates`.
    pub(crate) fn list_templates(&self) -> Value {
        Value::Array(self.jwt_templates.iter().map(template_json).collect())
    }

    /// `GET /v1/jwt_templates/{id}`.
    pub(crate) fn get_template(&self, id: &str) -> Result<Value, ApiError> {
        Ok(template_json(self.template(id)?))
    }

    /// `POST /v1/jwt_templates`.
    pub(crate) fn create_template(&mut self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let now = now_ms();
        let mut record = TemplateRecord {
            id: random_id("jtmp_", 27),
            name: String::new(),
            claims: Value::Null,
            lifetime: 60,
            allowed_clock_skew: 5,
            custom_key: None,
            created_at: now,
            updated_at: now,
        };
        if Body(body).string("name")?.is_none() {
            return Err(ApiError::missing("name"));
        }
        if body.get("claims").is_none() {
            return Err(ApiError::missing("claims"));
        }
        self.apply_template(&mut record, body)?;
        let out = template_json(&record);
        self.jwt_templates.push(record);
        Ok(out)
    }

    /// `PATCH /v1/jwt_templates/{id}`: the fields given replace the template's.
    pub(crate) fn update_template(&mut self, id: &str, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let mut record = self.template(id)?.clone();
        self.apply_template(&mut record, body)?;
        record.updated_at = now_ms();
        let out = template_json(&record);
        if let Some(slot) = self.jwt_templates.iter_mut().find(|t| t.id == id) {
            *slot = record;
        }
        Ok(out)
    }

    /// Creates the template, or updates the one with the same name.
    pub(crate) fn put_template(&mut self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let name = Body(body).required("name")?;
        match self.jwt_templates.iter().find(|t| t.name == name).map(|t| t.id.clone()) {
            Some(id) => self.update_template(&id, body),
            None => self.create_template(body),
        }
    }

    /// `DELETE /v1/jwt_templates/{id}`.
    pub(crate) fn delete_template(&mut self, id: &str) -> Result<Value, ApiError> {
        self.template(id)?;
        self.jwt_templates.retain(|t| t.id != id);
        Ok(json!({"object": "jwt_template", "id": id, "deleted": true}))
    }

    fn apply_template(&self, record: &mut TemplateRecord, body: &Map<String, Value>) -> Result<(), ApiError> {
        let fields = Body(body);
        if let Some(name) = fields.string("name")? {
            if name.is_empty() {
                return Err(ApiError::missing("name"));
            }
            if self.jwt_templates.iter().any(|t| t.name == name && t.id != record.id) {
                return Err(ApiError::exists(
                    "name",
                    format!("A JWT template named `{name}` already exists."),
                ));
            }
            record.name = name.to_string();
        }
        if let Some(claims) = body.get("claims") {
            // The Backend API also takes the claims as a JSON string.
            let claims = match claims {
                Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                other => other.clone(),
            };
            let Value::Object(members) = &claims else {
                return Err(ApiError::invalid("claims", "`claims` must be a JSON object.".into()));
            };
            let reserved = clerk_claims_codegen::Kind::Template.reserved_claims();
            if let Some(name) = members.keys().find(|k| reserved.contains(&k.as_str())) {
                return Err(ApiError::invalid(
                    "claims",
                    format!(
                        "`{name}` is a reserved claim: Clerk sets it in every token. Remove it from the template."
                    ),
                ));
            }
            clerk_claims_codegen::render(&claims, &Value::Null)
                .map_err(|e| ApiError::invalid("claims", format!("The claims do not render: {e}.")))?;
            record.claims = claims;
        }
        if let Some(lifetime) = fields.integer("lifetime", LIFETIME_RANGE)? {
            record.lifetime = lifetime;
        }
        if let Some(skew) = fields.integer("allowed_clock_skew", CLOCK_SKEW_RANGE)? {
            record.allowed_clock_skew = skew;
        }
        match body.get("custom_signing_key") {
            Some(Value::Bool(true)) => {
                let algorithm = fields.string("signing_algorithm")?.unwrap_or("HS256");
                if !["HS256", "HS384", "HS512"].contains(&algorithm) {
                    return Err(ApiError::invalid(
                        "signing_algorithm",
                        format!(
                            "The dev issuer signs custom-key templates with HS256, HS384 or HS512, not `{algorithm}`."
                        ),
                    ));
                }
                let secret = match (fields.string("signing_key")?, &record.custom_key) {
                    (Some(secret), _) if !secret.is_empty() => secret.to_string(),
                    // An update may keep the secret it had.
                    (None, Some((_, secret))) => secret.clone(),
                    _ => return Err(ApiError::missing("signing_key")),
                };
                // The same rule as verifying keys: a secret at least as long as the hash.
                let parsed =
                    algorithm.parse().map_err(|e: KeyError| ApiError::invalid("signing_algorithm", e.0))?;
                CustomKey::new(parsed, secret.clone().into_bytes()).map_err(|e| {
                    ApiError::invalid("signing_key", format!("The signing key is refused: {e}."))
                })?;
                record.custom_key = Some((algorithm.to_string(), secret));
            }
            Some(Value::Bool(false)) => record.custom_key = None,
            None | Some(Value::Null) => {}
            Some(other) => {
                return Err(ApiError::invalid(
                    "custom_signing_key",
                    format!("`custom_signing_key` must be a boolean, not {other}."),
                ));
            }
        }
        Ok(())
    }
}

fn session_json(session: &SessionRecord) -> Value {
    json!({
        "object": "session",
        "id": session.id,
        "user_id": session.user_id,
        "client_id": session.client_id,
        "actor": null,
        "status": session.status,
        "last_active_organization_id": session.last_active_organization_id,
        "last_active_at": session.updated_at,
        "expire_at": session.expire_at,
        "abandon_at": session.abandon_at,
        "updated_at": session.updated_at,
        "created_at": session.created_at,
    })
}

fn template_json(template: &TemplateRecord) -> Value {
    json!({
        "object": "jwt_template",
        "id": template.id,
        "name": template.name,
        "claims": template.claims,
        "lifetime": template.lifetime,
        "allowed_clock_skew": template.allowed_clock_skew,
        "custom_signing_key": template.custom_key.is_some(),
        "signing_algorithm": template.custom_key.as_ref().map_or("RS256", |(alg, _)| alg.as_str()),
        "created_at": template.created_at,
        "updated_at": template.updated_at,
    })
}

fn image_url(id: &str) -> String {
    format!("https://img.clerk.com/dev/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_merges_deeply_and_null_removes() {
        let mut target = json!({"a": {"b": 1, "c": 2}, "d": 3}).as_object().cloned().unwrap();
        merge(&mut target, json!({"a": {"b": 9}, "d": null, "e": [1]}).as_object().unwrap());
        assert_eq!(Value::Object(target), json!({"a": {"b": 9, "c": 2}, "e": [1]}));
    }

    #[test]
    fn slugs_from_names() {
        assert_eq!(slugify("Acme Inc."), "acme-inc");
        assert_eq!(slugify("  --x__y "), "x-y");
    }
}
