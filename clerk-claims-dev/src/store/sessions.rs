//! Sessions and their tokens: `POST /v1/sessions`, `GET /v1/sessions[/{id}]`,
//! `POST /v1/sessions/{id}/revoke`, and what `POST /v1/sessions/{id}/tokens[/{template}]` signs.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use clerk_claims_codegen::template::LIFETIME_RANGE;
use clerk_claims_runtime::Organization;

use super::list::Query;
use super::{ApiError, Body, State, now_ms};
use crate::mint::{Subject, TemplateSpec};
use crate::{CustomKey, random_id};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct SessionRecord {
    pub(super) id: String,
    pub(super) user_id: String,
    pub(super) client_id: String,
    pub(super) status: String,
    #[serde(default)]
    pub(super) last_active_organization_id: Option<String>,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
    pub(super) expire_at: i64,
    pub(super) abandon_at: i64,
}

/// What a token needs, read from the state under its lock (signing happens outside it).
pub(crate) struct TokenGrant {
    pub subject: Subject,
    pub context: Value,
    pub template: Option<TemplateSpec>,
    pub session_claims: Option<Value>,
}

const SESSION_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;
const SESSION_ABANDON_MS: i64 = 30 * 24 * 3600 * 1000;

/// `expires_in_seconds` of a token request: the Backend API takes the range of a template's
/// lifetime.
pub(crate) fn expires_in(body: &Map<String, Value>) -> Result<Option<i64>, ApiError> {
    Body(body).integer("expires_in_seconds", LIFETIME_RANGE)
}

impl State {
    /// `POST /v1/sessions` with `user_id` and optional `active_organization_id` (the user must be
    /// a member).
    pub(crate) fn create_session(&mut self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let body = Body(body);
        let user_id = self.user(body.required("user_id")?)?.id.clone();
        let organization = match body.string("active_organization_id")? {
            None => None,
            Some(org) => Some(self.membership_organization(&user_id, org)?),
        };
        let now = now_ms();
        let session = SessionRecord {
            id: random_id("sess_", 27)?,
            user_id: user_id.clone(),
            client_id: random_id("client_", 27)?,
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

    /// `GET /v1/sessions?user_id=&client_id=&status=`: one of `user_id` / `client_id` is required;
    /// newest first, `limit`, `offset`, `{data, total_count}` with `paginated`.
    pub(crate) fn list_sessions(&self, query: &[(String, String)]) -> Result<Value, ApiError> {
        let query = Query(query);
        let (user, client, status) = (query.one("user_id"), query.one("client_id"), query.one("status"));
        if user.is_none() && client.is_none() {
            return Err(ApiError::new(
                422,
                "form_param_missing",
                "missing",
                "Either `user_id` or `client_id` is required.".into(),
            )
            .param("user_id"));
        }
        let page = query.page(false)?;
        let mut sessions: Vec<&SessionRecord> = self
            .sessions
            .iter()
            .filter(|s| user.is_none_or(|u| s.user_id == u))
            .filter(|s| client.is_none_or(|c| s.client_id == c))
            .filter(|s| status.is_none_or(|st| s.status == st))
            .collect();
        sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        Ok(page.of(sessions.into_iter().map(session_json).collect()))
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

    /// The id of organization `org` (an id or a slug), of which the user must be a member.
    pub(super) fn membership_organization(&self, user_id: &str, org: &str) -> Result<String, ApiError> {
        let org = self.organization(org)?.id.clone();
        if !self.memberships.iter().any(|m| m.organization_id == org && m.user_id == user_id) {
            return Err(ApiError::invalid(
                "active_organization_id",
                format!("User {user_id} is not a member of {org}; add a membership first."),
            ));
        }
        Ok(org)
    }

    /// Sets the session's active organization (`None`: personal account), as the Frontend API's
    /// session touch does; the user must be a member and the session active.
    pub(crate) fn set_active_organization(
        &mut self,
        id: &str,
        organization: Option<&str>,
    ) -> Result<Value, ApiError> {
        let session = self.session(id)?;
        if session.status != "active" {
            return Err(ApiError::invalid(
                "session_id",
                format!("Session {id} is {}; only an active session switches organization.", session.status),
            ));
        }
        let user_id = session.user_id.clone();
        let organization = match organization {
            None => None,
            Some(org) => Some(self.membership_organization(&user_id, org)?),
        };
        let Some(session) = self.sessions.iter_mut().find(|s| s.id == id) else {
            return Err(ApiError::not_found("session", id));
        };
        session.last_active_organization_id = organization;
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
            context: self.render_context(user, active, &session.id),
            template,
            session_claims: self.session_claims.clone(),
        })
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
