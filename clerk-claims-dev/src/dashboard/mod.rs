//! The dashboard: the dev issuer's state in the browser at `/`, server-rendered, with plain links
//! and forms (a little plain JavaScript counts down to `exp` and re-checks a token).
//!
//! | page | shows | forms |
//! |---|---|---|
//! | `/` | the instance: issuer, JWKS, keys; counts | |
//! | `/users`, `/users/{id}` | users; a user's sessions and memberships | create; edit public metadata; new session |
//! | `/sessions?user_id=…` or `?client_id=…`, `/sessions/{id}` | the multi-session view; one session | revoke; switch organization; mint a token |
//! | `/organizations`, `/organizations/{id}` | organizations and members | create; add a member |
//! | `/templates`, `/templates/{id}` | JWT templates, the engine's diagnostics, a preview | create; check and preview; save |
//!
//! Every change goes through the same store operations as the Backend API, so a form answers bad
//! input with the API's Clerk-shaped error (shown on the page) and the fixtures file is rewritten
//! only after a change succeeded. No authentication, as the issuer binds only to 127.0.0.1; a
//! request whose `Host` is not a loopback name (DNS rebinding) and a form posted from another
//! origin (a web page driving the dashboard) are refused.

mod pages;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, FromRequest, FromRequestParts, Query, Request, State as AxumState};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use clerk_claims_codegen::{Source, check_source};
use clerk_claims_runtime::SessionClaims;
use clerk_claims_runtime::verify::{TokenKind, decode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::store::ApiError;

/// Lists show this many items (the Backend API's largest page).
const LIST: &str = "500";

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(overview))
        .route("/assets/dashboard.js", get(script))
        .route("/assets/dashboard.css", get(style))
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", get(user))
        .route("/users/{id}/metadata", post(edit_metadata))
        .route("/users/{id}/sessions", post(create_session))
        .route("/sessions", get(sessions))
        .route("/sessions/{id}", get(session))
        .route("/sessions/{id}/revoke", post(revoke_session))
        .route("/sessions/{id}/organization", post(switch_organization))
        .route("/sessions/{id}/tokens", post(mint))
        .route("/tokens/verify", post(verify))
        .route("/organizations", get(organizations).post(create_organization))
        .route("/organizations/{id}", get(organization))
        .route("/organizations/{id}/memberships", post(add_member))
        .route("/templates", get(templates).post(create_template))
        .route("/templates/{id}", get(template).post(edit_template))
        .layer(from_fn(loopback_only))
}

/// Refuses what a browser on this machine could be tricked into sending: a `Host` that is not a
/// loopback name (a rebinding DNS name resolving to 127.0.0.1) and a POST from another origin.
async fn loopback_only(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let hostname = host.rsplit_once(':').map_or(host, |(name, _)| name);
    if !matches!(hostname, "127.0.0.1" | "localhost" | "[::1]") {
        return refused(format!("The dashboard answers only to a loopback host name, not `{host}`."));
    }
    if request.method() != axum::http::Method::GET {
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let cross_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site");
        if cross_site || origin.is_some_and(|o| o != format!("http://{host}")) {
            return refused("The dashboard takes forms only from its own pages.".into());
        }
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // Scripts and styles only from the issuer itself; no framing (clickjacking the forms).
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn refused(message: String) -> Response {
    let error = ApiError::new(403, "authorization_invalid", "refused", message);
    (StatusCode::FORBIDDEN, Html(pages::error_page(&error).into_string())).into_response()
}

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("dashboard.js"))
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("dashboard.css"))
}

/// A request's path ids, form and query, with axum's plain-text rejections (an id that is not
/// UTF-8, a body that is not a form) answered by the error page, as any other bad input is.
struct PageIds<T>(T);
struct PageForm<T>(T);
struct PageQuery<T>(T);
/// A JSON body, refused with Clerk's error envelope.
struct JsonBody<T>(T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PageIds<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        crate::api::Ids::<T>::from_request_parts(parts, state)
            .await
            .map(|ids| PageIds(ids.0))
            .map_err(|e| missing(&e))
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(query)| PageQuery(query))
            .map_err(|e| missing(&crate::api::query_rejected(&e)))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        Form::<T>::from_request(request, state)
            .await
            .map(|Form(form)| PageForm(form))
            .map_err(|e| missing(&crate::api::body_rejected(e.status(), &e.body_text())))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        axum::Json::<T>::from_request(request, state)
            .await
            .map(|axum::Json(body)| JsonBody(body))
            .map_err(|e| crate::api::body_rejected(e.status(), &e.body_text()))
    }
}

fn page(markup: maud::Markup) -> Response {
    Html(markup.into_string()).into_response()
}

/// A page, or the error that stopped it (an unknown id) alone.
fn page_or_missing(built: Result<maud::Markup, ApiError>) -> Response {
    built.map_or_else(|e| missing(&e), page)
}

/// `result`'s error shown on the page `again` renders, with the error's status.
fn shown(error: &ApiError, again: maud::Markup) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Html(again.into_string())).into_response()
}

/// A page that could not be built at all (an unknown id): the error alone.
fn missing(error: &ApiError) -> Response {
    shown(error, pages::error_page(error))
}

fn list(
    shared: &Shared,
    f: impl FnOnce(&crate::State, &[(String, String)]) -> Result<Value, ApiError>,
) -> Vec<Value> {
    let query = [("limit".to_string(), LIST.to_string())];
    let listed = shared.read(|s| f(s, &query)).unwrap_or_default();
    // Endpoints answer a bare array or `{data, total_count}`.
    match listed {
        Value::Array(items) => items,
        Value::Object(mut page) => match page.remove("data") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A form's text field as JSON: empty means absent.
fn text(value: &str) -> Option<Value> {
    let value = value.trim();
    (!value.is_empty()).then(|| Value::String(value.to_string()))
}

/// A form's JSON field (metadata): empty means `{}`; anything but an object is the API's 422.
fn json_object(param: &str, value: &str) -> Result<Value, ApiError> {
    if value.trim().is_empty() {
        return Ok(json!({}));
    }
    match serde_json::from_str::<Value>(value) {
        Ok(object @ Value::Object(_)) => Ok(object),
        Ok(_) => Err(ApiError::invalid(param, format!("`{param}` must be a JSON object."))),
        Err(e) => Err(ApiError::invalid(param, format!("`{param}` is not JSON: {e}."))),
    }
}

fn body(fields: Vec<(&str, Option<Value>)>) -> Map<String, Value> {
    fields.into_iter().filter_map(|(k, v)| Some((k.to_string(), v?))).collect()
}

fn see(path: &str) -> Response {
    Redirect::to(path).into_response()
}

// --- the instance -------------------------------------------------------------------------------

async fn overview(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let counts = shared.read(|s| s.counts());
    page(pages::overview(&shared.info, counts))
}

// --- users --------------------------------------------------------------------------------------

async fn users(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    page(pages::users(&list(&shared, crate::State::list_users), None))
}

#[derive(Deserialize)]
struct NewUser {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email_address: String,
    #[serde(default)]
    public_metadata: String,
}

async fn create_user(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageForm(form): PageForm<NewUser>,
) -> Response {
    let created = json_object("public_metadata", &form.public_metadata).and_then(|metadata| {
        let email = text(&form.email_address).map(|e| json!([e]));
        let body = body(vec![
            ("first_name", text(&form.first_name)),
            ("last_name", text(&form.last_name)),
            ("email_address", email),
            ("public_metadata", Some(metadata)),
        ]);
        shared.write(|s| s.create_user(&body))
    });
    match created {
        Ok(user) => see(&format!("/users/{}", user["id"].as_str().unwrap_or_default())),
        Err(e) => shown(&e, pages::users(&list(&shared, crate::State::list_users), Some(&e))),
    }
}

/// The user page's data: the user, their sessions, memberships, and the organizations they could
/// make active.
fn user_page(shared: &Shared, id: &str, error: Option<&ApiError>) -> Result<maud::Markup, ApiError> {
    let user = shared.read(|s| s.get_user(id))?;
    let query = [("user_id".to_string(), id.to_string()), ("limit".to_string(), LIST.to_string())];
    let sessions = shared.read(|s| s.list_sessions(&query))?;
    let memberships = list(shared, |s, q| s.list_user_memberships(id, q));
    Ok(pages::user(&user, sessions.as_array().map_or(&[][..], Vec::as_slice), &memberships, error))
}

async fn user(AxumState(shared): AxumState<Arc<Shared>>, PageIds(id): PageIds<String>) -> Response {
    page_or_missing(user_page(&shared, &id, None))
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    public_metadata: String,
}

async fn edit_metadata(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageIds(id): PageIds<String>,
    PageForm(form): PageForm<Metadata>,
) -> Response {
    let updated = json_object("public_metadata", &form.public_metadata).and_then(|metadata| {
        let body = body(vec![("public_metadata", Some(metadata))]);
        shared.write(|s| s.update_user(&id, &body))
    });
    after(updated, &format!("/users/{id}"), |error| user_page(&shared, &id, Some(error)))
}

/// After a change: to `next` when it worked, else the page `again` renders with the error.
fn after(
    result: Result<Value, ApiError>,
    next: &str,
    again: impl FnOnce(&ApiError) -> Result<maud::Markup, ApiError>,
) -> Response {
    match result {
        Ok(_) => see(next),
        Err(error) => failed(&error, again(&error)),
    }
}

/// `error` shown on the page `again` built (with the error's status), or the error alone when
/// that page could not be built.
fn failed(error: &ApiError, again: Result<maud::Markup, ApiError>) -> Response {
    match again {
        Ok(markup) => shown(error, markup),
        Err(other) => missing(&other),
    }
}

#[derive(Deserialize)]
struct NewSession {
    #[serde(default)]
    organization: String,
    /// The page to return to (the form's page).
    #[serde(default)]
    back: String,
}

async fn create_session(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageIds(id): PageIds<String>,
    PageForm(form): PageForm<NewSession>,
) -> Response {
    let body = body(vec![
        ("user_id", Some(id.clone().into())),
        ("active_organization_id", text(&form.organization)),
    ]);
    let created = shared.write(|s| s.create_session(&body));
    after(created, &format!("/users/{id}"), |error| user_page(&shared, &id, Some(error)))
}

// --- sessions -----------------------------------------------------------------------------------

#[derive(Deserialize)]
struct SessionsOf {
    user_id: Option<String>,
    client_id: Option<String>,
}

async fn sessions(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageQuery(of): PageQuery<SessionsOf>,
) -> Response {
    let mut query = vec![("limit".to_string(), LIST.to_string())];
    query.extend(of.user_id.map(|u| ("user_id".to_string(), u)));
    query.extend(of.client_id.map(|c| ("client_id".to_string(), c)));
    page_or_missing(
        shared
            .read(|s| s.list_sessions(&query))
            .map(|listed| pages::sessions(listed.as_array().map_or(&[][..], Vec::as_slice), &query)),
    )
}

/// The session page's data; `token` is a token just minted for it.
fn session_page(
    shared: &Shared,
    id: &str,
    token: Option<&pages::Token>,
    error: Option<&ApiError>,
) -> Result<maud::Markup, ApiError> {
    let session = shared.read(|s| s.get_session(id))?;
    let user_id = session["user_id"].as_str().unwrap_or_default();
    let memberships = list(shared, |s, q| s.list_user_memberships(user_id, q));
    let templates = list(shared, crate::State::list_templates);
    Ok(pages::session(&session, &memberships, &templates, token, error))
}

async fn session(AxumState(shared): AxumState<Arc<Shared>>, PageIds(id): PageIds<String>) -> Response {
    page_or_missing(session_page(&shared, &id, None, None))
}

#[derive(Deserialize)]
struct Back {
    #[serde(default)]
    back: String,
}

/// A local path to return to (never another site).
fn local(back: &str, default: &str) -> String {
    if back.starts_with('/') && !back.starts_with("//") { back.to_string() } else { default.to_string() }
}

async fn revoke_session(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageIds(id): PageIds<String>,
    PageForm(form): PageForm<Back>,
) -> Response {
    let revoked = shared.write(|s| s.revoke_session(&id));
    let next = local(&form.back, &format!("/sessions/{id}"));
    after(revoked, &next, |error| session_page(&shared, &id, None, Some(error)))
}

async fn switch_organization(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageIds(id): PageIds<String>,
    PageForm(form): PageForm<NewSession>,
) -> Response {
    let organization = form.organization.trim();
    let switched =
        shared.write(|s| s.set_active_organization(&id, Some(organization).filter(|o| !o.is_empty())));
    let next = local(&form.back, &format!("/sessions/{id}"));
    after(switched, &next, |error| session_page(&shared, &id, None, Some(error)))
}

#[derive(Deserialize)]
struct Mint {
    /// A JWT template's name; empty for a session token.
    #[serde(default)]
    template: String,
}

async fn mint(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageIds(id): PageIds<String>,
    PageForm(form): PageForm<Mint>,
) -> Response {
    let template = Some(form.template.trim()).filter(|t| !t.is_empty());
    match shared.mint(&id, template, None, None) {
        Ok(jwt) => page_or_missing(session_page(&shared, &id, Some(&inspect(&shared, &jwt, template)), None)),
        Err(error) => failed(&error, session_page(&shared, &id, None, Some(&error))),
    }
}

/// A token as the dashboard shows it: decoded, typed as this project reads it, and verified.
fn inspect(shared: &Shared, jwt: &str, template: Option<&str>) -> pages::Token {
    let now = crate::store::now_ms() / 1000;
    let decoded = decode(jwt, usize::MAX).ok();
    let part = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).unwrap_or_default();
    let (header, claims) =
        decoded.as_ref().map(|d| (part(&d.header_json), part(&d.payload))).unwrap_or_default();
    let verifier = &shared.verifier;
    let (typed, verdict) = match template {
        None => match verifier.verify_session::<SessionClaims<Value>>(jwt) {
            Ok(session) => (Some(pages::typed_session(&session, now)), Ok(())),
            Err(e) => (None, Err(e.to_string())),
        },
        Some(_) => {
            (None, verifier.verify_json(jwt, TokenKind::Template).map(|_| ()).map_err(|e| e.to_string()))
        }
    };
    pages::Token {
        jwt: jwt.to_string(),
        template: template.map(str::to_string),
        header,
        claims,
        typed,
        verdict,
    }
}

#[derive(Deserialize)]
struct VerifyRequest {
    token: String,
    #[serde(default)]
    template: bool,
}

/// `POST /tokens/verify {"token", "template"}`: whether the token verifies now (the countdown's
/// re-check). Answers `{"verifies": bool, "reason": "..."}`.
async fn verify(
    AxumState(shared): AxumState<Arc<Shared>>,
    JsonBody(request): JsonBody<VerifyRequest>,
) -> Response {
    let kind = if request.template { TokenKind::Template } else { TokenKind::Session };
    let answer = match shared.verifier.verify_json(&request.token, kind) {
        Ok(_) => json!({"verifies": true}),
        Err(e) => json!({"verifies": false, "reason": e.reason.code(), "message": e.to_string()}),
    };
    axum::Json(answer).into_response()
}

// --- organizations ------------------------------------------------------------------------------

async fn organizations(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let users = list(&shared, crate::State::list_users);
    page(pages::organizations(&list(&shared, crate::State::list_organizations), &users, None))
}

#[derive(Deserialize)]
struct NewOrganization {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    created_by: String,
}

async fn create_organization(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageForm(form): PageForm<NewOrganization>,
) -> Response {
    let body = body(vec![
        ("name", text(&form.name)),
        ("slug", text(&form.slug)),
        ("created_by", text(&form.created_by)),
    ]);
    match shared.write(|s| s.create_organization(&body)) {
        Ok(org) => see(&format!("/organizations/{}", org["id"].as_str().unwrap_or_default())),
        Err(e) => {
            let users = list(&shared, crate::State::list_users);
            shown(
                &e,
                pages::organizations(&list(&shared, crate::State::list_organizations), &users, Some(&e)),
            )
        }
    }
}

fn organization_page(shared: &Shared, id: &str, error: Option<&ApiError>) -> Result<maud::Markup, ApiError> {
    let organization = shared.read(|s| s.get_organization(id))?;
    let members = list(shared, |s, q| s.list_memberships(id, q));
    let users = list(shared, crate::State::list_users);
    Ok(pages::organization(&organization, &members, &users, error))
}

async fn organization(AxumState(shared): AxumState<Arc<Shared>>, PageIds(id): PageIds<String>) -> Response {
    page_or_missing(organization_page(&shared, &id, None))
}

#[derive(Deserialize)]
struct NewMember {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    role: String,
    /// Comma-separated, e.g. `org:billing:manage, org:reports:read`.
    #[serde(default)]
    permissions: String,
}

async fn add_member(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageIds(id): PageIds<String>,
    PageForm(form): PageForm<NewMember>,
) -> Response {
    let permissions: Vec<Value> =
        form.permissions.split(',').map(str::trim).filter(|p| !p.is_empty()).map(|p| p.into()).collect();
    let body = body(vec![
        ("user_id", text(&form.user_id)),
        ("role", text(&form.role)),
        ("permissions", Some(Value::Array(permissions))),
    ]);
    let added = shared.write(|s| s.create_membership(&id, &body));
    after(added, &format!("/organizations/{id}"), |error| organization_page(&shared, &id, Some(error)))
}

// --- JWT templates ------------------------------------------------------------------------------

async fn templates(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    page(pages::templates(&list(&shared, crate::State::list_templates), &pages::Editor::blank()))
}

#[derive(Deserialize)]
struct TemplateForm {
    /// The template file's JSON.
    #[serde(default)]
    text: String,
    /// `save`, or `preview` (check and render without saving).
    #[serde(default)]
    action: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    organization: String,
}

/// The engine's verdict on a template text, its preview for a user, and what saving it sends.
fn edit(shared: &Shared, name: &str, form: &TemplateForm) -> (pages::Editor, Option<Map<String, Value>>) {
    let checked = check_source(Source::new(format!("{name}.json"), form.text.clone()));
    let diagnostics = checked
        .diagnostics
        .iter()
        .map(|d| pages::Diagnostic {
            at: checked.source.locate(d).map(|at| (at.line, at.column)),
            severity: if d.is_error() { "error" } else { "warning" },
            code: d.code.as_str(),
            message: d.message.clone(),
            help: d.help.clone(),
            rendered: checked.source.render(d),
        })
        .collect();
    let template = checked.template.as_ref().filter(|_| !checked.has_errors());
    let preview = match (template, form.user_id.trim()) {
        (Some(template), user) if !user.is_empty() => {
            let organization = Some(form.organization.trim()).filter(|o| !o.is_empty());
            Some(
                shared
                    .read(|s| s.preview_context(user, organization))
                    .and_then(|context| {
                        clerk_claims_codegen::render(&template.claims_json(), &context)
                            .map_err(|e| ApiError::invalid("claims", e.to_string()))
                    })
                    .map_err(|e| e.body()),
            )
        }
        _ => None,
    };
    let body = template.map(|t| match crate::template_api_body(t) {
        Ok(Value::Object(body)) => Ok(body),
        Ok(_) => Err(ApiError::invalid("claims", "a session customization is not a JWT template.".into())),
        Err(e) => Err(ApiError::invalid("signing_key", format!("{e}."))),
    });
    let editor = pages::Editor {
        text: form.text.clone(),
        diagnostics,
        preview,
        user_id: form.user_id.clone(),
        organization: form.organization.clone(),
        users: list(shared, crate::State::list_users),
        organizations: list(shared, crate::State::list_organizations),
        sessions: Vec::new(),
        error: None,
    };
    match body {
        Some(Ok(body)) => (editor, Some(body)),
        Some(Err(error)) => (pages::Editor { error: Some(error), ..editor }, None),
        None => (editor, None),
    }
}

async fn create_template(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageForm(form): PageForm<TemplateForm>,
) -> Response {
    let (mut editor, body) = edit(&shared, "template", &form);
    if form.action == "save"
        && let Some(body) = body
    {
        match shared.write(|s| s.create_template(&body)) {
            Ok(created) => return see(&format!("/templates/{}", created["id"].as_str().unwrap_or_default())),
            Err(error) => editor.error = Some(error),
        }
    }
    let status = editor.status();
    (status, Html(pages::templates(&list(&shared, crate::State::list_templates), &editor).into_string()))
        .into_response()
}

/// A stored template as the file a repository would check in.
fn template_text(template: &Value) -> String {
    let mut file = Map::new();
    for field in
        ["name", "claims", "lifetime", "allowed_clock_skew", "custom_signing_key", "signing_algorithm"]
    {
        if let Some(value) = template.get(field).filter(|v| !v.is_null()) {
            file.insert(field.into(), value.clone());
        }
    }
    serde_json::to_string_pretty(&Value::Object(file)).unwrap_or_default()
}

fn template_page(shared: &Shared, id: &str, editor: Option<pages::Editor>) -> Result<maud::Markup, ApiError> {
    let stored = shared.read(|s| s.get_template(id))?;
    let mut editor = editor.unwrap_or_else(|| {
        let form = TemplateForm {
            text: template_text(&stored),
            action: String::new(),
            user_id: String::new(),
            organization: String::new(),
        };
        edit(shared, stored["name"].as_str().unwrap_or("template"), &form).0
    });
    editor.sessions = shared.read(|s| s.active_sessions());
    Ok(pages::template(&stored, &editor))
}

async fn template(AxumState(shared): AxumState<Arc<Shared>>, PageIds(id): PageIds<String>) -> Response {
    page_or_missing(template_page(&shared, &id, None))
}

async fn edit_template(
    AxumState(shared): AxumState<Arc<Shared>>,
    PageIds(id): PageIds<String>,
    PageForm(form): PageForm<TemplateForm>,
) -> Response {
    let name = match shared.read(|s| s.get_template(&id)) {
        Ok(stored) => stored["name"].as_str().unwrap_or("template").to_string(),
        Err(error) => return missing(&error),
    };
    let (mut editor, body) = edit(&shared, &name, &form);
    if form.action == "save"
        && let Some(body) = body
    {
        match shared.write(|s| s.update_template(&id, &body)) {
            Ok(_) => return see(&format!("/templates/{id}")),
            Err(error) => editor.error = Some(error),
        }
    }
    let status = editor.status();
    match template_page(&shared, &id, Some(editor)) {
        Ok(markup) => (status, Html(markup.into_string())).into_response(),
        Err(error) => missing(&error),
    }
}
