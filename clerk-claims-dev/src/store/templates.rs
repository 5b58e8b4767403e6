//! JWT templates: `GET/POST /v1/jwt_templates`, `GET/PATCH/DELETE /v1/jwt_templates/{id}`, with a
//! custom signing key as Clerk keeps one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use clerk_claims_codegen::template::{CLOCK_SKEW_RANGE, LIFETIME_RANGE};

use super::list::Query;
use super::{ApiError, Body, State, now_ms};
use crate::{CustomKey, random_id};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct TemplateRecord {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) claims: Value,
    pub(super) lifetime: i64,
    pub(super) allowed_clock_skew: i64,
    /// The custom signing key: algorithm and secret (development state, kept in the fixtures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) custom_key: Option<(String, String)>,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

impl State {
    /// `GET /v1/jwt_templates`: in creation order, `limit`, `offset`, `{data, total_count}` with
    /// `paginated`.
    pub(crate) fn list_templates(&self, query: &[(String, String)]) -> Result<Value, ApiError> {
        let page = Query(query).page(false)?;
        Ok(page.of(self.jwt_templates.iter().map(template_json).collect()))
    }

    /// `GET /v1/jwt_templates/{id}`.
    pub(crate) fn get_template(&self, id: &str) -> Result<Value, ApiError> {
        Ok(template_json(self.template(id)?))
    }

    /// `POST /v1/jwt_templates`.
    pub(crate) fn create_template(&mut self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let now = now_ms();
        let mut record = TemplateRecord {
            id: random_id("jtmp_", 27)?,
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
                let parsed = algorithm.parse::<clerk_claims_runtime::keys::Algorithm>().map_err(|_| {
                    ApiError::invalid(
                        "signing_algorithm",
                        format!(
                            "`{algorithm}` is not an algorithm of a custom signing key: use HS256/384/512, RS256/384/512, ES256/384/512 or EdDSA."
                        ),
                    )
                })?;
                let secret = match (fields.string("signing_key")?, &record.custom_key) {
                    (Some(secret), _) if !secret.is_empty() => secret.to_string(),
                    // An update may keep the key it had, for the same algorithm.
                    (None, Some((kept_algorithm, secret))) if kept_algorithm == algorithm => secret.clone(),
                    _ => return Err(ApiError::missing("signing_key")),
                };
                // The verifying rules: an HMAC secret as long as the hash, a private key in PEM
                // of the algorithm's type and size.
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
