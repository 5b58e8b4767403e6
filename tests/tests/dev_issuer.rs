//! The dev issuer (`clerk_claims_dev`) over real HTTP on 127.0.0.1: the whole Backend
//! API subset through the client, every response checked against Clerk's OpenAPI schemas, tokens
//! verified into the generated types, parallel requests, malformed requests answered with Clerk's
//! error envelope, and state that survives a restart through the fixtures file.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use clerk_claims_dev::{DevIssuer, State};
use clerk_claims_runtime::backend::{BackendApi, BackendError};
use clerk_claims_runtime::keys::RemoteJwks;
use clerk_claims_runtime::keys::{Algorithm, Key};
use clerk_claims_runtime::verify::{TokenKind, decode};
use clerk_claims_runtime::{ClerkClaims, SessionClaims, Verifier};
use clerk_claims_tests::bundled::*;
use serde_json::{Value, json};
use support::verify_session_async;

// ---- Clerk's OpenAPI schemas ------------------------------------------------------------------

/// `components.schemas` of Clerk's Backend API OpenAPI document, as JSON Schema (OpenAPI 3.0's
/// `nullable: true` becomes `anyOf [..., null]`).
fn components() -> &'static Value {
    static COMPONENTS: OnceLock<Value> = OnceLock::new();
    COMPONENTS.get_or_init(|| {
        let text = support::read("clerk/openapi/bapi-2026-05-12.yml");
        let document: Value = serde_norway::from_str(&text).expect("the OpenAPI document parses");
        json!({"schemas": to_json_schema(&document["components"]["schemas"])})
    })
}

fn to_json_schema(node: &Value) -> Value {
    match node {
        Value::Object(members) => {
            let mut out: serde_json::Map<String, Value> = members
                .iter()
                .filter(|(k, _)| *k != "nullable")
                .map(|(k, v)| (k.clone(), to_json_schema(v)))
                .collect();
            if members.get("nullable") == Some(&Value::Bool(true)) {
                let inner = Value::Object(std::mem::take(&mut out));
                return json!({"anyOf": [inner, {"type": "null"}]});
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// Asserts that `value` is valid against `#/components/schemas/<name>` (or an array of them).
fn assert_schema(name: &str, value: &Value) {
    let target = if let Some(item) = name.strip_suffix("[]") {
        json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}})
    } else {
        json!({"$ref": format!("#/components/schemas/{name}")})
    };
    let mut schema = target;
    schema["components"] = components().clone();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{value:#}");
}

#[test]
fn the_schema_check_rejects_what_clerk_would_not_send() {
    for (name, value) in [
        ("Session", json!({"object": "session", "id": "sess_1"})),
        ("User", json!({"id": "user_1", "object": "user", "unexpected": true})),
        ("ClerkErrors", json!({"errors": [{"message": "m"}]})),
        ("Token", json!({"object": "token", "jwt": 5})),
    ] {
        let failed = std::panic::catch_unwind(|| assert_schema(name, &value)).is_err();
        assert!(failed, "{name} accepted {value}");
    }
}

// ---- HTTP helpers -----------------------------------------------------------------------------

struct Raw {
    client: reqwest::Client,
    base: String,
    secret: String,
}

impl Raw {
    fn new(issuer: &DevIssuer) -> Raw {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
        Raw { client, base: issuer.info().api_url.clone(), secret: issuer.info().secret_key.clone() }
    }

    async fn send(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request =
            self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.secret);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.expect("the dev issuer answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")))
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.send(method, path, body.map(|b| b.to_string()).as_deref()).await;
        assert_eq!(status, 200, "{method} {path}: {value:#}");
        value
    }
}

fn verifier_over_http(issuer: &DevIssuer) -> Verifier {
    let remote = RemoteJwks::new(issuer.info().jwks_url.clone());
    Verifier::new(remote).issuer(issuer.info().issuer.clone())
}

// ---- Clerk's list shapes -----------------------------------------------------------------------

/// `{data, total_count}` with each item of `#/components/schemas/<item>`.
fn assert_paged(item: &str, value: &Value, total: usize, len: usize) {
    assert_eq!(value["total_count"], json!(total), "{value:#}");
    let data = value["data"].as_array().unwrap_or_else(|| panic!("no data: {value:#}"));
    assert_eq!(data.len(), len, "{value:#}");
    assert_schema(&format!("{item}[]"), &value["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_answers_in_both_of_clerks_shapes_with_limit_offset_and_order() {
    let issuer = DevIssuer::start().await.unwrap();
    let raw = Raw::new(&issuer);
    let names = ["Carol", "alice", "Bob"];
    let mut users = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let user = issuer
            .create_user(json!({"first_name": name, "email_address": [format!("{}@example.com", name.to_lowercase())]}))
            .unwrap();
        users.push(user);
        tokio::time::sleep(Duration::from_millis(2 + i as u64)).await; // distinct created_at
    }
    let org = issuer.create_organization(json!({"name": "Acme"})).unwrap();
    issuer.create_organization(json!({"name": "Beta"})).unwrap();
    for user in &users {
        issuer.add_membership(&org, json!({"user_id": user, "role": "org:member"})).unwrap();
        issuer.create_session(user, None).unwrap();
        issuer.create_session(user, Some(&org)).unwrap();
    }
    for name in ["t1", "t2", "t3"] {
        issuer.create_template(json!({"name": name, "claims": {"n": name}})).unwrap();
    }

    // Users: a bare array by default (newest first), `{data, total_count}` with `paginated`.
    let listed = raw.ok("GET", "/v1/users", None).await;
    assert_schema("User[]", &listed);
    assert_eq!(listed[0]["first_name"], "Bob");
    let paged = raw.ok("GET", "/v1/users?paginated=true&limit=2&offset=1&order_by=%2Bfirst_name", None).await;
    assert_paged("User", &paged, 3, 2);
    assert_eq!(
        (paged["data"][0]["first_name"].as_str(), paged["data"][1]["first_name"].as_str()),
        (Some("Bob"), Some("Carol"))
    );
    assert_schema("TotalCount", &raw.ok("GET", "/v1/users/count?query=ali", None).await);
    assert_eq!(raw.ok("GET", "/v1/users/count?query=ali", None).await["total_count"], 1);

    // Sessions of one user, in both shapes.
    let path = format!("/v1/sessions?user_id={}", users[0]);
    assert_schema("Session[]", &raw.ok("GET", &path, None).await);
    assert_paged("Session", &raw.ok("GET", &format!("{path}&paginated=true&limit=1"), None).await, 2, 1);

    // JWT templates.
    assert_eq!(raw.ok("GET", "/v1/jwt_templates?limit=2", None).await.as_array().unwrap().len(), 2);
    assert_paged(
        "JWTTemplate",
        &raw.ok("GET", "/v1/jwt_templates?paginated=true&offset=2", None).await,
        3,
        1,
    );

    // Organizations and memberships always page.
    let orgs = raw.ok("GET", "/v1/organizations?order_by=name", None).await;
    assert_schema("Organizations", &orgs);
    assert_paged("Organization", &orgs, 2, 2);
    assert_eq!(orgs["data"][0]["name"], "Acme");
    let by_member = raw.ok("GET", &format!("/v1/organizations?user_id={}", users[1]), None).await;
    assert_eq!(by_member["total_count"], 1);
    let members = raw
        .ok("GET", &format!("/v1/organizations/{org}/memberships?limit=2&order_by=first_name"), None)
        .await;
    assert_schema("OrganizationMemberships", &members);
    assert_paged("OrganizationMembership", &members, 3, 2);
    assert_eq!(members["data"][0]["public_user_data"]["first_name"], "alice");
    assert_schema("Organization", &raw.ok("GET", &format!("/v1/organizations/{org}"), None).await);
    assert_schema("Organization", &raw.ok("GET", "/v1/organizations/acme", None).await);

    // Bad paging is Clerk's 422 with the parameter named.
    for query in ["limit=0", "limit=501", "offset=-1", "paginated=maybe", "order_by=-password"] {
        let (status, error) = raw.send("GET", &format!("/v1/users?{query}"), None).await;
        assert_eq!(status, 422, "{query}: {error}");
        assert_schema("ClerkErrors", &error);
    }
}

// ---- the Backend API subset through the client -----------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backend_api_subset_through_the_client() {
    let issuer = DevIssuer::start().await.unwrap();
    let api = issuer.backend();

    let user = api
        .create_user(&json!({
            "email_address": ["ada@example.com"],
            "first_name": "Ada",
            "last_name": "Lovelace",
            "public_metadata": {"role": "admin", "features": ["beta"]},
        }))
        .await
        .unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Ada"));
    let found = api.list_users(&[("email_address", "ada@example.com")]).await.unwrap();
    assert_eq!(found.iter().map(|u| &u.id).collect::<Vec<_>>(), [&user.id]);
    assert!(api.list_users(&[("email_address", "nobody@example.com")]).await.unwrap().is_empty());

    let updated = api
        .update_user_metadata(
            &user.id,
            &json!({"public_metadata": {"features": ["beta", "sso"], "plan": "pro"}}),
        )
        .await
        .unwrap();
    assert_eq!(updated.public_metadata, json!({"role": "admin", "features": ["beta", "sso"], "plan": "pro"}));
    api.update_user_metadata(&user.id, &json!({"public_metadata": {"plan": null}})).await.unwrap();
    assert_eq!(api.get_user(&user.id).await.unwrap().public_metadata["plan"], Value::Null);

    let org = api
        .create_organization(
            &json!({"name": "Acme Inc", "public_metadata": {"plan": "enterprise", "seats": 12}}),
        )
        .await
        .unwrap();
    assert_eq!(org.slug, "acme-inc");
    let membership = api
        .create_membership(
            &org.id,
            &json!({"user_id": user.id, "role": "org:admin", "permissions": ["org:billing:manage", "org:billing:read", "org:reports:read"]}),
        )
        .await
        .unwrap();
    assert_eq!(
        (membership.role.as_str(), membership.organization.id.as_str()),
        ("org:admin", org.id.as_str())
    );

    let session = api.create_session(&user.id, Some(&org.id)).await.unwrap();
    assert_eq!(
        (session.status.as_str(), session.last_active_organization_id.as_deref()),
        ("active", Some(org.id.as_str()))
    );
    let listed = api.list_sessions(&user.id, Some("active")).await.unwrap();
    assert_eq!(listed.iter().map(|s| &s.id).collect::<Vec<_>>(), [&session.id]);
    assert!(api.list_sessions(&user.id, Some("revoked")).await.unwrap().is_empty());
    assert_eq!(api.get_session(&session.id).await.unwrap(), session);

    // A session token, verified with the JWKS fetched over HTTP.
    let verifier = verifier_over_http(&issuer);
    let token = api.session_token(&session.id, None).await.unwrap();
    let claims = verify_session_async::<()>(&verifier, &token).await.unwrap();
    assert_eq!(
        (claims.user_id(), claims.sid.as_str(), claims.version),
        (user.id.as_str(), session.id.as_str(), Some(2))
    );
    assert_eq!(claims.registered.exp - claims.registered.iat.unwrap(), 60);
    let organization = claims.organization.unwrap();
    assert_eq!((organization.id.as_str(), organization.slug.as_deref()), (org.id.as_str(), Some("acme-inc")));
    assert!(organization.has_role("org:admin"));
    let mut permissions = organization.permissions.clone();
    permissions.sort();
    assert_eq!(permissions, ["org:billing:manage", "org:billing:read", "org:reports:read"]);

    // A JWT template pushed from the generated type, its token verified into that type.
    let template = api.create_jwt_template(&CustomClaims::template_json()).await.unwrap();
    assert_eq!((template.name.as_str(), template.lifetime), ("custom", 300));
    assert_eq!(api.list_jwt_templates().await.unwrap(), std::slice::from_ref(&template));
    assert_eq!(api.get_jwt_template(&template.id).await.unwrap(), template);
    let token = api.session_token(&session.id, Some("custom")).await.unwrap();
    verifier.fetch_key(&token, TokenKind::Template).await.unwrap();
    let custom = verifier.verify_template::<CustomClaims>(&token).unwrap();
    assert_eq!(custom.registered.exp - custom.registered.iat.unwrap(), 300);
    assert_eq!(custom.registered.sub, user.id);
    let c = &custom.custom;
    assert_eq!(
        (c.email.as_deref(), c.display_name.as_str(), c.role.as_str()),
        (Some("ada@example.com"), "Ada Lovelace", "admin")
    );
    assert_eq!(c.features.as_deref(), Some(&["beta".to_string(), "sso".to_string()][..]));
    assert_eq!(
        (c.tenant.id.as_deref(), c.tenant.plan.as_str(), c.tenant.seats),
        (Some(org.id.as_str()), "enterprise", Some(12))
    );
    assert_eq!(c.tenant.role.as_deref(), Some("org:admin"));
    assert!(
        verify_session_async::<()>(&verifier, &token).await.is_err(),
        "a template token is not a session token"
    );

    let long = api.session_token_expiring(&session.id, Some("custom"), Some(3600)).await.unwrap();
    verifier.fetch_key(&long, TokenKind::Template).await.unwrap();
    let long = verifier.verify_template::<CustomClaims>(&long).unwrap();
    assert_eq!(long.registered.exp - long.registered.iat.unwrap(), 3600);

    let changed = api.update_jwt_template(&template.id, &json!({"lifetime": 120})).await.unwrap();
    assert_eq!((changed.lifetime, changed.claims.clone()), (120, template.claims.clone()));
    api.delete_jwt_template(&template.id).await.unwrap();
    let gone = api.get_jwt_template(&template.id).await.unwrap_err();
    assert!(
        matches!(&gone, BackendError::Api { status: 404, errors } if errors.errors[0].code == "resource_not_found"),
        "{gone}"
    );

    // The instance JWKS through the API is the one the tokens verify with.
    assert_eq!(api.jwks().await.unwrap(), issuer.key().jwks_json());

    // A revoked session mints nothing.
    assert_eq!(api.revoke_session(&session.id).await.unwrap().status, "revoked");
    let refused = api.session_token(&session.id, None).await.unwrap_err();
    assert!(matches!(&refused, BackendError::Api { status: 404, .. }), "{refused}");
    assert!(refused.to_string().contains("revoked"), "{refused}");
    assert_eq!(api.list_sessions(&user.id, Some("revoked")).await.unwrap().len(), 1);
}

#[tokio::test]
async fn tokens_have_clerks_shape() {
    let issuer = DevIssuer::start().await.unwrap();
    let user = issuer.create_user(json!({"email_address": ["x@example.com"]})).unwrap();
    let org = issuer.create_organization(json!({"name": "Org"})).unwrap();
    issuer.add_membership(&org, json!({"user_id": user, "role": "member"})).unwrap();
    let plain = issuer.create_session(&user, None).unwrap();
    let with_org = issuer.create_session(&user, Some(&org)).unwrap();

    let token = issuer.session_token(&plain).unwrap();
    let decoded = decode(&token, 8192).unwrap();
    assert_eq!(
        (decoded.header.typ.as_deref(), decoded.header.cat.as_deref()),
        (Some("JWT"), Some("cl_B7d4PD111AAA"))
    );
    assert_eq!(decoded.header.kid.as_deref(), Some(issuer.key().kid()));
    let payload: Value = serde_json::from_slice(&decoded.payload).unwrap();
    let keys: HashSet<&str> = payload.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["exp", "fva", "iat", "iss", "jti", "nbf", "sid", "sts", "sub", "v"]));
    assert_eq!(
        (payload["v"].clone(), payload["sts"].clone(), payload["fva"].clone()),
        (json!(2), json!("active"), json!([0, -1]))
    );

    let token = issuer.session_token(&with_org).unwrap();
    let payload: Value = serde_json::from_slice(&decode(&token, 8192).unwrap().payload).unwrap();
    assert_eq!(payload["o"], json!({"id": org, "slg": "org", "rol": "member"}));

    issuer.create_template(json!({"name": "t", "claims": {"aud": "x", "email": "{{user.primary_email_address}}"}, "lifetime": 45, "allowed_clock_skew": 7})).unwrap();
    let token = issuer.template_token(&with_org, "t").unwrap();
    let decoded = decode(&token, 8192).unwrap();
    assert_eq!(decoded.header.cat.as_deref(), Some("cl_B7d4PD222AAA"));
    let payload: Value = serde_json::from_slice(&decoded.payload).unwrap();
    let keys: HashSet<&str> = payload.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["aud", "email", "exp", "iat", "iss", "jti", "nbf", "sub"]));
    let iat = payload["iat"].as_i64().unwrap();
    assert_eq!((payload["exp"].as_i64(), payload["nbf"].as_i64()), (Some(iat + 45), Some(iat - 7)));
    issuer.verifier().verify_json(&token, TokenKind::Template).unwrap();

    // A token requested with an `Origin` carries it as `azp` (a dev extension), which an
    // authorized-parties check then holds it to.
    let response = reqwest::Client::new()
        .post(format!("{}/v1/sessions/{plain}/tokens", issuer.info().api_url))
        .bearer_auth(&issuer.info().secret_key)
        .header("origin", "https://app.example.test")
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    let token = body["jwt"].as_str().unwrap();
    let strict = issuer.verifier().authorized_parties(["https://app.example.test"]);
    assert_eq!(
        strict.verify_session::<SessionClaims>(token).unwrap().registered.azp.as_deref(),
        Some("https://app.example.test")
    );
    let other = issuer.verifier().authorized_parties(["https://other.example.test"]);
    assert!(other.verify_session::<SessionClaims>(token).is_err());

    // The in-process API takes JSON objects only, as the HTTP one does.
    assert_eq!(issuer.create_user(json!(["not", "an", "object"])).unwrap_err().status, 400);
}

#[tokio::test]
async fn the_session_customization_verifies_into_its_generated_type() {
    let issuer = DevIssuer::start().await.unwrap();
    // For a session customization, `template_json()` is the claims object itself.
    issuer.set_session_claims(Some(SessionCustomClaims::template_json()));
    let user = issuer
        .create_user(json!({"email_address": ["grace@example.com"], "first_name": "Grace", "public_metadata": {"role": "editor", "onboarding_complete": true}}))
        .unwrap();
    let session = issuer.create_session(&user, None).unwrap();
    let token = issuer.session_token(&session).unwrap();
    let claims = issuer.verifier().verify_session::<SessionClaims<SessionCustomClaims>>(&token).unwrap();
    assert_eq!(claims.custom.email.as_deref(), Some("grace@example.com"));
    assert_eq!(claims.custom.full_name.as_deref(), Some("Grace"));
    assert_eq!(claims.custom.metadata.role.as_deref(), Some("editor"));
    assert_eq!(claims.custom.metadata.onboarding_complete, Some(true));
}

/// Who has nothing Clerk can leave out: a user created with an empty body and no organization,
/// and a member of an organization nobody wrote metadata for.
fn users_with_nothing_set(issuer: &DevIssuer) -> [String; 2] {
    let loner = issuer.create_user(json!({})).unwrap();
    let member = issuer.create_user(json!({})).unwrap();
    let org = issuer.create_organization(json!({"name": "Bare"})).unwrap();
    issuer.add_membership(&org, json!({"user_id": member, "role": "org:member"})).unwrap();
    [issuer.create_session(&loner, None).unwrap(), issuer.create_session(&member, Some(&org)).unwrap()]
}

fn template_verifies<T: ClerkClaims + serde::de::DeserializeOwned + std::fmt::Debug>(
    issuer: &DevIssuer,
    sessions: &[String],
) {
    let secret = "a-template-signing-secret-of-at-least-thirty-two-bytes";
    let mut body = T::template_json();
    let verifier = if body["custom_signing_key"] == json!(true) {
        body["signing_key"] = json!(secret);
        Verifier::new(Key::hmac(secret.as_bytes(), Algorithm::HS256).unwrap())
            .issuer(issuer.info().issuer.clone())
    } else {
        issuer.verifier()
    };
    issuer.create_template(body).unwrap();
    let name = T::template_json()["name"].as_str().unwrap().to_string();
    for session in sessions {
        let token = issuer.template_token(session, &name).unwrap();
        if let Err(e) = verifier.verify_template::<T>(&token) {
            panic!("{name}: {e}: {}", String::from_utf8_lossy(&decode(&token, 8192).unwrap().payload));
        }
    }
}

fn session_customization_verifies<T: ClerkClaims + serde::de::DeserializeOwned + std::fmt::Debug>(
    issuer: &DevIssuer,
    sessions: &[String],
) {
    issuer.set_session_claims(Some(T::template_json()));
    for session in sessions {
        let token = issuer.session_token(session).unwrap();
        if let Err(e) = issuer.verifier().verify_session::<SessionClaims<T>>(&token) {
            panic!(
                "{}: {e}: {}",
                std::any::type_name::<T>(),
                String::from_utf8_lossy(&decode(&token, 8192).unwrap().payload)
            );
        }
    }
}

#[tokio::test]
async fn every_bundled_template_verifies_for_users_with_nothing_set() {
    let issuer = DevIssuer::start().await.unwrap();
    let sessions = users_with_nothing_set(&issuer);
    template_verifies::<BlankClaims>(&issuer, &sessions);
    template_verifies::<ConvexClaims>(&issuer, &sessions);
    template_verifies::<CustomClaims>(&issuer, &sessions);
    template_verifies::<DefaultClaims>(&issuer, &sessions);
    template_verifies::<FaunaClaims>(&issuer, &sessions);
    template_verifies::<GrafbaseClaims>(&issuer, &sessions);
    template_verifies::<HasuraClaims>(&issuer, &sessions);
    template_verifies::<NhostClaims>(&issuer, &sessions);
    template_verifies::<SupabaseClaims>(&issuer, &sessions);
    session_customization_verifies::<SessionCustomClaims>(&issuer, &sessions);
    session_customization_verifies::<SupabaseSessionClaims>(&issuer, &sessions);
    use clerk_claims_tests::nullability as n;
    template_verifies::<n::ChainsClaims>(&issuer, &sessions);
    template_verifies::<n::MetadataRootsClaims>(&issuer, &sessions);
    template_verifies::<n::NestedClaims>(&issuer, &sessions);
    session_customization_verifies::<n::SessionMetadataClaims>(&issuer, &sessions);
}

#[tokio::test]
async fn custom_signing_keys_sign_template_tokens_with_hmac() {
    let issuer = DevIssuer::start().await.unwrap();
    let secret = "super-secret-supabase-jwt-secret-with-at-least-32-bytes";
    let mut body = SupabaseClaims::template_json();
    body["signing_key"] = json!(secret);
    let raw = Raw::new(&issuer);
    let template = raw.ok("POST", "/v1/jwt_templates", Some(body.clone())).await;
    assert_schema("JWTTemplate", &template);
    assert_eq!(
        (template["custom_signing_key"].clone(), template["signing_algorithm"].clone()),
        (json!(true), json!("HS256"))
    );
    assert!(template.get("signing_key").is_none(), "the secret is never sent back");

    let user = issuer.create_user(json!({"email_address": ["sb@example.com"]})).unwrap();
    let session = issuer.create_session(&user, None).unwrap();
    let token = issuer.template_token(&session, "supabase").unwrap();
    assert_eq!(decode(&token, 8192).unwrap().header.kid, None, "a custom key has no kid");
    let verifier = Verifier::new(Key::hmac(secret.as_bytes(), Algorithm::HS256).unwrap())
        .issuer(issuer.info().issuer.clone());
    let claims = verifier.verify_template::<SupabaseClaims>(&token).unwrap();
    assert_eq!(
        (claims.custom.email.as_deref(), claims.custom.aud.as_str()),
        (Some("sb@example.com"), "authenticated")
    );
    assert!(issuer.verifier().verify_template::<SupabaseClaims>(&token).is_err(), "not the instance key");

    // Updating other fields keeps the secret; switching the key off signs with the instance key.
    raw.ok(
        "PATCH",
        &format!("/v1/jwt_templates/{}", template["id"].as_str().unwrap()),
        Some(json!({"lifetime": 90})),
    )
    .await;
    verifier
        .verify_template::<SupabaseClaims>(&issuer.template_token(&session, "supabase").unwrap())
        .unwrap();
    raw.ok(
        "PATCH",
        &format!("/v1/jwt_templates/{}", template["id"].as_str().unwrap()),
        Some(json!({"custom_signing_key": false})),
    )
    .await;
    issuer
        .verifier()
        .verify_template::<SupabaseClaims>(&issuer.template_token(&session, "supabase").unwrap())
        .unwrap();

    for (change, param) in [
        (json!({"name": "a", "signing_key": null}), "signing_key"),
        (json!({"name": "b", "signing_algorithm": "PS256"}), "signing_algorithm"),
        // RS256 is signed, but it needs an RSA private key, not the HMAC secret.
        (json!({"name": "b2", "signing_algorithm": "RS256"}), "signing_key"),
        (json!({"name": "c", "signing_key": "short"}), "signing_key"),
    ] {
        let mut body = body.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, error) = raw.send("POST", "/v1/jwt_templates", Some(&body.to_string())).await;
        assert_eq!(
            (status, error["errors"][0]["meta"]["param_name"].as_str()),
            (422, Some(param)),
            "{error}"
        );
    }
}

// ---- responses against Clerk's schemas --------------------------------------------------------

#[tokio::test]
async fn responses_match_clerks_openapi_schemas() {
    let issuer = DevIssuer::start().await.unwrap();
    let raw = Raw::new(&issuer);
    let user = raw
        .ok(
            "POST",
            "/v1/users",
            Some(json!({"email_address": ["a@example.com"], "username": "ada", "unsafe_metadata": {"x": 1}})),
        )
        .await;
    assert_schema("User", &user);
    let user_id = user["id"].as_str().unwrap();
    assert_schema("User", &raw.ok("GET", &format!("/v1/users/{user_id}"), None).await);
    assert_schema("User[]", &raw.ok("GET", "/v1/users?limit=5", None).await);
    assert_schema(
        "User",
        &raw.ok(
            "PATCH",
            &format!("/v1/users/{user_id}/metadata"),
            Some(json!({"private_metadata": {"k": "v"}})),
        )
        .await,
    );
    let org = raw.ok("POST", "/v1/organizations", Some(json!({"name": "Acme", "created_by": user_id}))).await;
    assert_schema("Organization", &org);
    let org_id = org["id"].as_str().unwrap();
    let second = raw.ok("POST", "/v1/users", Some(json!({"email_address": ["b@example.com"]}))).await;
    let membership = raw
        .ok(
            "POST",
            &format!("/v1/organizations/{org_id}/memberships"),
            Some(json!({"user_id": second["id"], "role": "org:member", "permissions": ["org:reports:read"]})),
        )
        .await;
    assert_schema("OrganizationMembership", &membership);
    let second_id = second["id"].as_str().unwrap();
    let memberships = raw.ok("GET", &format!("/v1/users/{second_id}/organization_memberships"), None).await;
    assert_schema("OrganizationMemberships", &memberships);
    assert_eq!(memberships["total_count"], 1);
    // `PATCH /v1/users/{id}` replaces metadata (the metadata endpoint merges).
    let replaced = raw
        .ok(
            "PATCH",
            &format!("/v1/users/{second_id}"),
            Some(json!({"public_metadata": {"plan": "pro"}, "first_name": "Bo"})),
        )
        .await;
    assert_schema("User", &replaced);
    let replaced = raw
        .ok("PATCH", &format!("/v1/users/{second_id}"), Some(json!({"public_metadata": {"seats": 3}})))
        .await;
    assert_eq!(
        (replaced["public_metadata"].clone(), replaced["first_name"].clone()),
        (json!({"seats": 3}), json!("Bo"))
    );
    // The creator became an admin, and the user object lists memberships.
    assert_schema("User", &raw.ok("GET", &format!("/v1/users/{user_id}"), None).await);
    let session = raw
        .ok("POST", "/v1/sessions", Some(json!({"user_id": user_id, "active_organization_id": org_id})))
        .await;
    assert_schema("Session", &session);
    let session_id = session["id"].as_str().unwrap();
    assert_schema(
        "Session[]",
        &raw.ok("GET", &format!("/v1/sessions?user_id={user_id}&status=active"), None).await,
    );
    assert_schema("Session", &raw.ok("GET", &format!("/v1/sessions/{session_id}"), None).await);
    assert_schema(
        "Token",
        &raw.ok("POST", &format!("/v1/sessions/{session_id}/tokens"), Some(json!({}))).await,
    );
    let template = raw.ok("POST", "/v1/jwt_templates", Some(CustomClaims::template_json())).await;
    assert_schema("JWTTemplate", &template);
    let template_id = template["id"].as_str().unwrap();
    assert_schema("JWTTemplate[]", &raw.ok("GET", "/v1/jwt_templates", None).await);
    assert_schema("JWTTemplate", &raw.ok("GET", &format!("/v1/jwt_templates/{template_id}"), None).await);
    assert_schema(
        "JWTTemplate",
        &raw.ok(
            "PATCH",
            &format!("/v1/jwt_templates/{template_id}"),
            Some(json!({"allowed_clock_skew": 10})),
        )
        .await,
    );
    let token = raw
        .ok(
            "POST",
            &format!("/v1/sessions/{session_id}/tokens/custom"),
            Some(json!({"expires_in_seconds": 120})),
        )
        .await;
    assert_schema("Token", &token);
    assert_schema(
        "DeletedObject",
        &raw.ok("DELETE", &format!("/v1/jwt_templates/{template_id}"), None).await,
    );
    assert_schema("Session", &raw.ok("POST", &format!("/v1/sessions/{session_id}/revoke"), None).await);
    assert_schema("JWKS", &raw.ok("GET", "/v1/jwks", None).await);
    let (status, well_known) = raw.send("GET", "/.well-known/jwks.json", None).await;
    assert_eq!(status, 200);
    assert_schema("JWKS", &well_known);
}

// ---- malformed requests -----------------------------------------------------------------------

#[tokio::test]
async fn malformed_requests_get_clerk_shaped_errors() {
    let issuer = DevIssuer::start().await.unwrap();
    let raw = Raw::new(&issuer);
    let user = issuer.create_user(json!({"email_address": ["taken@example.com"]})).unwrap();
    let session = issuer.create_session(&user, None).unwrap();
    let before = issuer.state();
    let huge = format!("{{\"first_name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let cases: Vec<(&str, String, Option<String>, u16, &str)> = vec![
        ("POST", "/v1/users".into(), Some("{".into()), 400, "request_body_invalid"),
        ("POST", "/v1/users".into(), Some("[1, 2]".into()), 400, "request_body_invalid"),
        ("POST", "/v1/users".into(), Some("\"text\"".into()), 400, "request_body_invalid"),
        ("POST", "/v1/users".into(), Some(huge), 413, "request_body_invalid"),
        (
            "POST",
            "/v1/users".into(),
            Some(r#"{"email_address": "a@example.com"}"#.into()),
            422,
            "form_param_value_invalid",
        ),
        (
            "POST",
            "/v1/users".into(),
            Some(r#"{"email_address": ["not-an-email"]}"#.into()),
            422,
            "form_param_format_invalid",
        ),
        (
            "POST",
            "/v1/users".into(),
            Some(r#"{"email_address": ["taken@example.com"]}"#.into()),
            422,
            "form_identifier_exists",
        ),
        ("POST", "/v1/users".into(), Some(r#"{"first_name": 5}"#.into()), 422, "form_param_value_invalid"),
        (
            "POST",
            "/v1/users".into(),
            Some(r#"{"public_metadata": [1]}"#.into()),
            422,
            "form_param_value_invalid",
        ),
        ("GET", "/v1/users?limit=many".into(), None, 422, "form_param_value_invalid"),
        ("GET", "/v1/users/user_missing".into(), None, 404, "resource_not_found"),
        ("PATCH", "/v1/users/user_missing/metadata".into(), Some("{}".into()), 404, "resource_not_found"),
        ("POST", "/v1/organizations".into(), Some("{}".into()), 422, "form_param_missing"),
        (
            "POST",
            "/v1/organizations".into(),
            Some(r#"{"name": "X", "slug": "Not A Slug"}"#.into()),
            422,
            "form_param_value_invalid",
        ),
        (
            "POST",
            "/v1/organizations/org_missing/memberships".into(),
            Some(format!(r#"{{"user_id": "{user}", "role": "admin"}}"#)),
            404,
            "resource_not_found",
        ),
        ("POST", "/v1/sessions".into(), Some("{}".into()), 422, "form_param_missing"),
        (
            "POST",
            "/v1/sessions".into(),
            Some(r#"{"user_id": "user_missing"}"#.into()),
            404,
            "resource_not_found",
        ),
        ("GET", "/v1/sessions".into(), None, 422, "form_param_missing"),
        ("GET", "/v1/sessions/sess_missing".into(), None, 404, "resource_not_found"),
        ("POST", "/v1/sessions/sess_missing/revoke".into(), None, 404, "resource_not_found"),
        ("POST", "/v1/sessions/sess_missing/tokens".into(), None, 404, "resource_not_found"),
        (
            "POST",
            format!("/v1/sessions/{session}/tokens"),
            Some(r#"{"expires_in_seconds": 5}"#.into()),
            422,
            "form_param_value_invalid",
        ),
        ("POST", format!("/v1/sessions/{session}/tokens/nope"), None, 404, "resource_not_found"),
        ("POST", "/v1/jwt_templates".into(), Some(r#"{"claims": {}}"#.into()), 422, "form_param_missing"),
        ("POST", "/v1/jwt_templates".into(), Some(r#"{"name": "t"}"#.into()), 422, "form_param_missing"),
        (
            "POST",
            "/v1/jwt_templates".into(),
            Some(r#"{"name": "t", "claims": {"sub": "me"}}"#.into()),
            422,
            "form_param_value_invalid",
        ),
        (
            "POST",
            "/v1/jwt_templates".into(),
            Some(r#"{"name": "t", "claims": {"a": "{{user.id"}}"#.into()),
            422,
            "form_param_value_invalid",
        ),
        (
            "POST",
            "/v1/jwt_templates".into(),
            Some(r#"{"name": "t", "claims": [1]}"#.into()),
            422,
            "form_param_value_invalid",
        ),
        (
            "POST",
            "/v1/jwt_templates".into(),
            Some(r#"{"name": "t", "claims": {}, "lifetime": 5}"#.into()),
            422,
            "form_param_value_invalid",
        ),
        (
            "POST",
            "/v1/jwt_templates".into(),
            Some(r#"{"name": "t", "claims": {}, "custom_signing_key": true}"#.into()),
            422,
            "form_param_missing",
        ),
        ("PATCH", "/v1/jwt_templates/jtmp_missing".into(), Some("{}".into()), 404, "resource_not_found"),
        ("DELETE", "/v1/jwt_templates/jtmp_missing".into(), None, 404, "resource_not_found"),
        ("PUT", "/v1/users".into(), Some("{}".into()), 405, "method_not_allowed"),
        ("GET", "/v1/nothing-here".into(), None, 404, "resource_not_found"),
    ];
    for (method, path, body, status, code) in &cases {
        let (got, value) = raw.send(method, path, body.as_deref()).await;
        assert_eq!(
            (got, value["errors"][0]["code"].as_str()),
            (*status, Some(*code)),
            "{method} {path}: {value:#}"
        );
        assert_schema("ClerkErrors", &value);
        assert!(!value["errors"][0]["long_message"].as_str().unwrap().is_empty());
    }
    // Without the secret key, or with another one.
    let client = reqwest::Client::new();
    for auth in [None, Some("Bearer sk_test_wrong"), Some("Basic abc")] {
        let mut request = client.get(format!("{}/v1/users", issuer.info().api_url));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
        let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["errors"][0]["code"], "authentication_invalid");
        assert_schema("ClerkErrors", &body);
    }
    // Nothing was changed by the failed requests, and the issuer still answers.
    assert_eq!(issuer.state(), before);
    assert_eq!(raw.ok("GET", "/v1/users", None).await.as_array().unwrap().len(), 1);
    assert!(raw.ok("GET", "/v1/jwt_templates", None).await.as_array().unwrap().is_empty());
}

// ---- parallel requests ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_requests_each_get_their_own_objects_and_tokens() {
    let issuer = Arc::new(DevIssuer::start().await.unwrap());
    let verifier = Arc::new(verifier_over_http(&issuer));
    let mut tasks = Vec::new();
    for i in 0..48 {
        let (api, verifier): (BackendApi, _) = (issuer.backend(), verifier.clone());
        tasks.push(tokio::spawn(async move {
            let user =
                api.create_user(&json!({"email_address": [format!("user{i}@example.com")]})).await.unwrap();
            let session = api.create_session(&user.id, None).await.unwrap();
            let token = api.session_token(&session.id, None).await.unwrap();
            let claims = verify_session_async::<()>(&verifier, &token).await.unwrap();
            assert_eq!((claims.user_id(), claims.sid.as_str()), (user.id.as_str(), session.id.as_str()));
            (user.id, session.id)
        }));
    }
    let mut users = HashSet::new();
    let mut sessions = HashSet::new();
    for task in tasks {
        let (user, session) = task.await.unwrap();
        users.insert(user);
        sessions.insert(session);
    }
    assert_eq!((users.len(), sessions.len()), (48, 48));
    let listed = issuer.backend().list_users(&[("limit", "100")]).await.unwrap();
    assert_eq!(listed.len(), 48);
}

// ---- fixtures ---------------------------------------------------------------------------------

#[tokio::test]
async fn state_survives_a_restart_through_the_fixtures_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixtures.json");
    let first = DevIssuer::builder().fixtures(&path).secret_key("sk_test_fixed").start().await.unwrap();
    // `custom` declares `features` as a (non-null) list of strings.
    let user = first
        .create_user(json!({"email_address": ["keep@example.com"], "first_name": "Kept", "public_metadata": {"features": []}}))
        .unwrap();
    let session = first.create_session(&user, None).unwrap();
    first.create_template(CustomClaims::template_json()).unwrap();
    let saved = first.state();
    first.shutdown().await;
    assert_eq!(State::load(&path).unwrap(), saved);

    let second = DevIssuer::builder().fixtures(&path).secret_key("sk_test_fixed").start().await.unwrap();
    assert_eq!(second.state(), saved);
    let api = second.backend();
    assert_eq!(api.get_user(&user).await.unwrap().first_name.as_deref(), Some("Kept"));
    let token = api.session_token(&session, Some("custom")).await.unwrap();
    let claims = second.verifier().verify_template::<CustomClaims>(&token).unwrap();
    assert_eq!(claims.custom.email.as_deref(), Some("keep@example.com"));

    // A fixtures file that is not one is an error at start, naming the file.
    std::fs::write(&path, "{\"users\": 5}").unwrap();
    let err = DevIssuer::builder().fixtures(&path).start().await.unwrap_err().to_string();
    assert!(err.contains("fixtures.json") && err.contains("not a dev issuer fixtures file"), "{err}");
}

// ---- random bodies ----------------------------------------------------------------------------

/// JSON built from the Backend API's own field names, so validation paths are reached.
fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let names = prop::sample::select(vec![
        "email_address",
        "first_name",
        "name",
        "slug",
        "claims",
        "user_id",
        "role",
        "permissions",
        "lifetime",
        "allowed_clock_skew",
        "expires_in_seconds",
        "public_metadata",
        "active_organization_id",
        "custom_signing_key",
        "signing_key",
        "signing_algorithm",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0i64..400).prop_map(Value::from),
        "[a-z@.{}| ']{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec((names.clone(), inner), 0..6).prop_map(|members| Value::Object(
                members.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

#[test]
fn random_bodies_get_an_answer_never_a_crash() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let issuer = runtime.block_on(DevIssuer::start()).unwrap();
    let user = issuer.create_user(json!({"email_address": ["p@example.com"]})).unwrap();
    let org = issuer.create_organization(json!({"name": "Prop"})).unwrap();
    let session = issuer.create_session(&user, None).unwrap();
    issuer.create_template(json!({"name": "t", "claims": {"a": "{{user.id}}"}})).unwrap();
    let raw = Raw::new(&issuer);
    let paths = [
        "/v1/users".to_string(),
        "/v1/organizations".to_string(),
        format!("/v1/organizations/{org}/memberships"),
        "/v1/sessions".to_string(),
        format!("/v1/sessions/{session}/tokens"),
        format!("/v1/sessions/{session}/tokens/t"),
        "/v1/jwt_templates".to_string(),
    ];
    let body = prop_oneof![json_value().prop_map(|v| v.to_string()), any::<String>()];
    let mut runner = TestRunner::new(Config { cases: 300, failure_persistence: None, ..Config::default() });
    runner
        .run(&(0..paths.len(), body), |(index, body)| {
            let path = &paths[index];
            let (status, value) = runtime.block_on(raw.send("POST", path, Some(&body)));
            prop_assert!(status == 200 || (400..500).contains(&status), "{path} {body}: {status} {value}");
            if status != 200 {
                assert_schema("ClerkErrors", &value);
            }
            Ok(())
        })
        .unwrap();
    // Still serving, and every token it minted along the way verifies.
    let token = issuer.session_token(&session).unwrap();
    issuer.verifier().verify_session::<SessionClaims>(&token).unwrap();
}

#[tokio::test]
async fn the_printed_publishable_key_configures_a_verifier_for_the_issuer() {
    use clerk_claims_runtime::instance::InstanceConfig;
    let issuer = DevIssuer::start().await.unwrap();
    let info = issuer.info().clone();
    let config = InstanceConfig::from_lookup(|name| match name {
        "CLERK_PUBLISHABLE_KEY" => Some(info.publishable_key.clone()),
        "CLERK_SECRET_KEY" => Some(info.secret_key.clone()),
        "CLERK_API_URL" => Some(info.api_url.clone()),
        _ => None,
    })
    .unwrap();
    // A loopback Frontend API derives http://, nothing else changes.
    assert_eq!(config.issuer.as_deref(), Some(info.issuer.as_str()));
    assert_eq!(config.jwks_url.as_deref(), Some(info.jwks_url.as_str()));
    let verifier = Verifier::from_instance(&config).unwrap();
    let user = issuer.create_user(json!({})).unwrap();
    let session = issuer.create_session(&user, None).unwrap();
    let claims =
        verify_session_async::<()>(&verifier, &issuer.session_token(&session).unwrap()).await.unwrap();
    assert_eq!(claims.user_id(), user);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixtures_file_is_private_replaced_whole_and_never_followed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let issuer = DevIssuer::builder().fixtures(&path).start().await.unwrap();
    let mut body = SupabaseClaims::template_json();
    body["signing_key"] = json!("a-template-signing-secret-of-at-least-thirty-two-bytes");
    issuer.create_template(body).unwrap();
    // It holds template signing secrets: the owner's only.
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);

    // A reader polling the file while it is rewritten a hundred times only ever sees a whole state.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                State::load(&path).unwrap_or_else(|e| panic!("a reader saw a partial file: {e}"));
                reads += 1;
            }
            reads
        })
    };
    for i in 0..100 {
        issuer.create_user(json!({"first_name": format!("user {i}")})).unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(reader.join().unwrap() > 0);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["state.json"], "no temporary file stays behind");

    // A symlink where the file goes is replaced by the file, not written through.
    let elsewhere = dir.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, "not the dev issuer's").unwrap();
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
    issuer.create_user(json!({})).unwrap();
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "not the dev issuer's");
    assert!(!std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
    assert!(State::load(&path).is_ok());
}
