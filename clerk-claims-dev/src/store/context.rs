//! The render context of a user in a session: `{"user", "org", "org_membership", "session"}`
//! keyed by the shortcodes' dotted names, as Clerk fills them.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::organizations::{MembershipRecord, OrganizationRecord};
use super::users::UserRecord;
use super::{ApiError, State, image_url};

impl State {
    /// What a template renders for `user` with `organization` active (an id or a slug, of which
    /// the user must be a member) in a session `sess_preview`: the dashboard's preview.
    pub(crate) fn preview_context(&self, user: &str, organization: Option<&str>) -> Result<Value, ApiError> {
        let user = self.user(user)?;
        let active = match organization {
            None => None,
            Some(org) => {
                let org = self.membership_organization(&user.id, org)?;
                self.organizations
                    .iter()
                    .find(|o| o.id == org)
                    .zip(self.memberships.iter().find(|m| m.organization_id == org && m.user_id == user.id))
            }
        };
        Ok(self.render_context(user, active, "sess_preview"))
    }

    /// The render context of a user in a session: `{"user", "org", "org_membership", "session"}`
    /// keyed by the shortcodes' dotted names.
    pub(super) fn render_context(
        &self,
        user: &UserRecord,
        active: Option<(&OrganizationRecord, &MembershipRecord)>,
        session_id: &str,
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
            "session": {"id": session_id, "actor": null, "reverification_id": null},
        })
    }
}
