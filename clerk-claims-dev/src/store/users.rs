//! Users: `POST /v1/users`, `GET /v1/users[/{id}]`, `PATCH /v1/users/{id}` (replaces),
//! `PATCH /v1/users/{id}/metadata` (merges).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::list::{Query, field};
use super::{ApiError, Body, Metadata, State, image_url, merge, now_ms};
use crate::random_id;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct EmailRecord {
    pub(super) id: String,
    pub(super) email_address: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct UserRecord {
    pub(super) id: String,
    #[serde(default)]
    pub(super) external_id: Option<String>,
    #[serde(default)]
    pub(super) first_name: Option<String>,
    #[serde(default)]
    pub(super) last_name: Option<String>,
    #[serde(default)]
    pub(super) username: Option<String>,
    #[serde(default)]
    pub(super) email_addresses: Vec<EmailRecord>,
    #[serde(default)]
    pub(super) public_metadata: Metadata,
    #[serde(default)]
    pub(super) private_metadata: Metadata,
    #[serde(default)]
    pub(super) unsafe_metadata: Metadata,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
    #[serde(default)]
    pub(super) last_sign_in_at: Option<i64>,
}

impl State {
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
            id: random_id("user_", 27)?,
            external_id: body.string("external_id")?.map(str::to_string),
            first_name: body.string("first_name")?.map(str::to_string),
            last_name: body.string("last_name")?.map(str::to_string),
            username: username.map(str::to_string),
            email_addresses: emails
                .iter()
                .map(|e| Ok(EmailRecord { id: random_id("idn_", 27)?, email_address: e.to_string() }))
                .collect::<Result<_, ApiError>>()?,
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

    /// The users a `GET /v1/users` (or `/v1/users/count`) query selects: `user_id`,
    /// `email_address`, `username`, `external_id`, `organization_id` (each may repeat) and `query`
    /// (part of a name, username or email address).
    fn matching_users(&self, query: &Query<'_>) -> Vec<&UserRecord> {
        let (ids, emails, orgs) =
            (query.all("user_id"), query.all("email_address"), query.all("organization_id"));
        let (usernames, external) = (query.all("username"), query.all("external_id"));
        let text = query.one("query").map(str::to_lowercase);
        self.users
            .iter()
            .filter(|u| ids.is_empty() || ids.contains(&u.id.as_str()))
            .filter(|u| {
                emails.is_empty()
                    || u.email_addresses.iter().any(|e| emails.contains(&e.email_address.as_str()))
            })
            .filter(|u| usernames.is_empty() || u.username.as_deref().is_some_and(|n| usernames.contains(&n)))
            .filter(|u| {
                external.is_empty() || u.external_id.as_deref().is_some_and(|x| external.contains(&x))
            })
            .filter(|u| {
                orgs.is_empty()
                    || self
                        .memberships
                        .iter()
                        .any(|m| m.user_id == u.id && orgs.contains(&m.organization_id.as_str()))
            })
            .filter(|u| {
                text.as_deref().is_none_or(|t| {
                    [&u.first_name, &u.last_name, &u.username]
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .chain(u.email_addresses.iter().map(|e| e.email_address.as_str()))
                        .any(|field| field.to_lowercase().contains(t))
                })
            })
            .collect()
    }

    /// `GET /v1/users`: the filters of [`State::matching_users`], `order_by` (default
    /// `-created_at`), `limit`, `offset`; a bare array, or `{data, total_count}` with `paginated`.
    pub(crate) fn list_users(&self, query: &[(String, String)]) -> Result<Value, ApiError> {
        let query = Query(query);
        let page = query.page(false)?;
        let order = query.order(
            &[
                "created_at",
                "updated_at",
                "email_address",
                "first_name",
                "last_name",
                "username",
                "last_sign_in_at",
                "last_active_at",
            ],
            "-created_at",
        )?;
        let mut users: Vec<Value> =
            self.matching_users(&query).into_iter().map(|u| self.user_json(u)).collect();
        order.sort(&mut users, |user, name| match name {
            "email_address" => {
                user.pointer("/email_addresses/0/email_address").cloned().unwrap_or(Value::Null)
            }
            _ => field(user, name),
        });
        Ok(page.of(users))
    }

    /// `GET /v1/users/count`: how many users the filters of `GET /v1/users` select.
    pub(crate) fn count_users(&self, query: &[(String, String)]) -> Value {
        json!({"object": "total_count", "total_count": self.matching_users(&Query(query)).len()})
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

    /// `PATCH /v1/users/{id}`: `first_name`, `last_name`, and metadata that *replaces* the stored
    /// object (the metadata endpoint merges instead), as Clerk's update-user endpoint does.
    pub(crate) fn update_user(&mut self, id: &str, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let body = Body(body);
        let (first, last) = (body.string("first_name")?, body.string("last_name")?);
        let replaced = [
            body.metadata("public_metadata")?,
            body.metadata("private_metadata")?,
            body.metadata("unsafe_metadata")?,
        ];
        let Some(user) = self.users.iter_mut().find(|u| u.id == id) else {
            return Err(ApiError::not_found("user", id));
        };
        if let Some(first) = first {
            user.first_name = Some(first.to_string()).filter(|n| !n.is_empty());
        }
        if let Some(last) = last {
            user.last_name = Some(last.to_string()).filter(|n| !n.is_empty());
        }
        for (target, value) in
            [&mut user.public_metadata, &mut user.private_metadata, &mut user.unsafe_metadata]
                .into_iter()
                .zip(replaced)
        {
            if let Some(value) = value {
                target.clone_from(value);
            }
        }
        user.updated_at = now_ms();
        let user = user.clone();
        Ok(self.user_json(&user))
    }

    pub(super) fn user_json(&self, user: &UserRecord) -> Value {
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
        let mut out = json!({
            "id": user.id,
            "object": "user",
            "external_id": user.external_id,
            "primary_email_address_id": user.email_addresses.first().map(|e| &e.id),
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "profile_image_url": image_url(&user.id),
            "image_url": image_url(&user.id),
            "public_metadata": user.public_metadata,
            "private_metadata": user.private_metadata,
            "unsafe_metadata": user.unsafe_metadata,
            "email_addresses": emails,
            "organization_memberships": memberships,
            "last_sign_in_at": user.last_sign_in_at,
            "last_active_at": user.last_sign_in_at,
            "updated_at": user.updated_at,
            "created_at": user.created_at,
        });
        if let Some(fields) = out.as_object_mut() {
            fields.extend(account_defaults());
        }
        out
    }
}

/// The fields of Clerk's user object the dev issuer never sets: every account feature off, no
/// phone, wallet, passkey or external account, never banned or locked.
fn account_defaults() -> Map<String, Value> {
    let defaults = json!({
        "primary_phone_number_id": null,
        "primary_web3_wallet_id": null,
        "locale": null,
        "has_image": false,
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
        "banned": false,
        "locked": false,
        "deprovisioned": false,
        "lockout_expires_in_seconds": null,
        "verification_attempts_remaining": null,
        "delete_self_enabled": true,
        "create_organization_enabled": true,
        "create_organizations_limit": null,
        "legal_accepted_at": null,
    });
    match defaults {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}
