//! The dev issuer's state: users, organizations, memberships, sessions and JWT templates, in memory,
//! with the Backend API's JSON shapes and validation, loadable from and savable to a fixtures file.
//!
//! One file per resource: [`users`], [`organizations`] (and memberships), [`sessions`] (and the
//! tokens they get), [`templates`]; [`context`] builds what a template renders against, [`fixtures`]
//! reads and writes the state, [`error`] is Clerk's error envelope and the request-body reader.

mod context;
mod error;
mod fixtures;
mod list;
mod organizations;
mod sessions;
mod templates;
mod users;

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use error::ApiError;
pub(crate) use error::Body;
pub use fixtures::FixturesError;
pub(crate) use sessions::expires_in;

use organizations::{MembershipRecord, OrganizationRecord};
use sessions::SessionRecord;
use templates::TemplateRecord;
use users::UserRecord;

type Metadata = Map<String, Value>;

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

/// Milliseconds since the epoch, as the Backend API reports times.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
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

fn image_url(id: &str) -> String {
    format!("https://img.clerk.com/dev/{id}")
}

/// How many of each resource the state holds (the dashboard's overview).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub users: usize,
    pub sessions: usize,
    pub active_sessions: usize,
    pub organizations: usize,
    pub templates: usize,
}

impl State {
    pub(crate) fn counts(&self) -> Counts {
        Counts {
            users: self.users.len(),
            sessions: self.sessions.len(),
            active_sessions: self.sessions.iter().filter(|s| s.status == "active").count(),
            organizations: self.organizations.len(),
            templates: self.jwt_templates.len(),
        }
    }

    /// Active sessions, newest first: (session id, user id).
    pub(crate) fn active_sessions(&self) -> Vec<(String, String)> {
        let mut active: Vec<&SessionRecord> = self.sessions.iter().filter(|s| s.status == "active").collect();
        active.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        active.into_iter().map(|s| (s.id.clone(), s.user_id.clone())).collect()
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_merges_deeply_and_null_removes() {
        let mut target = json!({"a": {"b": 1, "c": 2}, "d": 3}).as_object().cloned().unwrap();
        merge(&mut target, json!({"a": {"b": 9}, "d": null, "e": [1]}).as_object().unwrap());
        assert_eq!(Value::Object(target), json!({"a": {"b": 9, "c": 2}, "e": [1]}));
    }
}
