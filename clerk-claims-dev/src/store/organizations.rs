//! Organizations and memberships: `POST /v1/organizations`, `POST /v1/organizations/{id}/memberships`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::list::{Query, field};
use super::{ApiError, Body, Metadata, State, image_url, now_ms};
use crate::random_id;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct OrganizationRecord {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) slug: String,
    #[serde(default)]
    pub(super) public_metadata: Metadata,
    #[serde(default)]
    pub(super) private_metadata: Metadata,
    #[serde(default)]
    pub(super) created_by: Option<String>,
    #[serde(default)]
    pub(super) max_allowed_memberships: i64,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct MembershipRecord {
    pub(super) id: String,
    pub(super) organization_id: String,
    pub(super) user_id: String,
    pub(super) role: String,
    #[serde(default)]
    pub(super) permissions: Vec<String>,
    #[serde(default)]
    pub(super) public_metadata: Metadata,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
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
            id: random_id("org_", 27)?,
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
                id: random_id("orgmem_", 27)?,
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

    /// `GET /v1/organizations`: `query` (part of the name or slug), `user_id` (a member),
    /// `organization_id`, `order_by` (`name`, `created_at`, `members_count`; default
    /// `-created_at`), `limit`, `offset`; always `{data, total_count}`.
    pub(crate) fn list_organizations(&self, query: &[(String, String)]) -> Result<Value, ApiError> {
        let query = Query(query);
        let page = query.page(true)?;
        let order = query.order(&["name", "created_at", "members_count"], "-created_at")?;
        let (users, ids) = (query.all("user_id"), query.all("organization_id"));
        let text = query.one("query").map(str::to_lowercase);
        let mut organizations: Vec<Value> = self
            .organizations
            .iter()
            .filter(|o| ids.is_empty() || ids.contains(&o.id.as_str()))
            .filter(|o| {
                users.is_empty()
                    || self
                        .memberships
                        .iter()
                        .any(|m| m.organization_id == o.id && users.contains(&m.user_id.as_str()))
            })
            .filter(|o| {
                text.as_deref()
                    .is_none_or(|t| o.name.to_lowercase().contains(t) || o.slug.to_lowercase().contains(t))
            })
            .map(|o| self.organization_json(o))
            .collect();
        order.sort(&mut organizations, field);
        Ok(page.of(organizations))
    }

    /// `GET /v1/organizations/{id_or_slug}`.
    pub(crate) fn get_organization(&self, id_or_slug: &str) -> Result<Value, ApiError> {
        Ok(self.organization_json(self.organization(id_or_slug)?))
    }

    /// `GET /v1/users/{id}/organization_memberships`: the user's memberships, newest first,
    /// `limit`, `offset`; always `{data, total_count}`.
    pub(crate) fn list_user_memberships(
        &self,
        user_id: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        let user_id = self.user(user_id)?.id.clone();
        let page = Query(query).page(true)?;
        let mut mine: Vec<&MembershipRecord> =
            self.memberships.iter().filter(|m| m.user_id == user_id).collect();
        mine.sort_by_key(|m| std::cmp::Reverse(m.created_at));
        Ok(page.of(mine.into_iter().map(|m| self.membership_json(m)).collect::<Result<_, _>>()?))
    }

    /// `GET /v1/organizations/{id}/memberships`: `user_id`, `role` (each may repeat), `order_by`
    /// (`created_at`, `first_name`, `last_name`, `email_address`, `username`; default
    /// `-created_at`), `limit`, `offset`; always `{data, total_count}`.
    pub(crate) fn list_memberships(
        &self,
        organization_id: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        let organization_id = self.organization(organization_id)?.id.clone();
        let query = Query(query);
        let page = query.page(true)?;
        let order = query
            .order(&["created_at", "first_name", "last_name", "email_address", "username"], "-created_at")?;
        let (users, roles) = (query.all("user_id"), query.all("role"));
        let mut memberships: Vec<Value> = self
            .memberships
            .iter()
            .filter(|m| m.organization_id == organization_id)
            .filter(|m| users.is_empty() || users.contains(&m.user_id.as_str()))
            .filter(|m| roles.is_empty() || roles.contains(&m.role.as_str()))
            .map(|m| self.membership_json(m))
            .collect::<Result<_, _>>()?;
        order.sort(&mut memberships, |membership, name| match name {
            "created_at" => field(membership, name),
            "email_address" => field(&membership["public_user_data"], "identifier"),
            _ => field(&membership["public_user_data"], name),
        });
        Ok(page.of(memberships))
    }

    pub(super) fn organization_json(&self, organization: &OrganizationRecord) -> Value {
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
            id: random_id("orgmem_", 27)?,
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

    pub(super) fn membership_json(&self, membership: &MembershipRecord) -> Result<Value, ApiError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        assert_eq!(slugify("Acme Inc."), "acme-inc");
        assert_eq!(slugify("  --x__y "), "x-y");
    }
}
