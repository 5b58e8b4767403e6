//! The dev issuer's HTTP surface: `GET /.well-known/jwks.json`, the Backend API subset under
//! `/v1`, behind `Authorization: Bearer <secret_key>`, and the dashboard's pages (`dashboard`). Every error, including a malformed body, an
//! unknown route or a wrong method, is Clerk's error envelope.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequestParts, OriginalUri, Path, Query, Request, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value};

use crate::Shared;
use crate::store::ApiError;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(self.body())).into_response()
    }
}

type Reply = Result<axum::Json<Value>, ApiError>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let v1 = Router::new()
        .route("/jwks", get(jwks))
        .route("/users", get(list_users).post(create_user))
        .route("/users/count", get(count_users))
        .route("/users/{id}", get(get_user).patch(update_user))
        .route("/users/{id}/organization_memberships", get(list_user_memberships))
        .route("/users/{id}/metadata", axum::routing::patch(update_user_metadata))
        .route("/organizations", get(list_organizations).post(create_organization))
        .route("/organizations/{id}", get(get_organization))
        .route("/organizations/{id}/memberships", get(list_memberships).post(create_membership))
        .route("/sessions", get(list_sessions).post(create_session))
        .route("/sessions/{id}", get(get_session))
        .route("/sessions/{id}/revoke", post(revoke_session))
        .route("/sessions/{id}/tokens", post(session_token))
        .route("/sessions/{id}/tokens/{template}", post(template_token))
        .route("/jwt_templates", get(list_templates).post(create_template))
        .route("/jwt_templates/{id}", get(get_template).patch(update_template).delete(delete_template))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(shared.clone(), authenticate));
    Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .nest("/v1", v1)
        .merge(crate::dashboard::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn(log))
        .with_state(shared)
}

async fn log(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let response = next.run(request).await;
    tracing::info!(target: "clerk_claims::dev", %method, %path, status = response.status().as_u16(), "request");
    response
}

async fn authenticate(AxumState(shared): AxumState<Arc<Shared>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")))
        .map(|(_, token)| token.trim());
    // Compared in constant time: how long a refusal takes says nothing about the key.
    let matches = presented.is_some_and(|p| {
        aws_lc_rs::constant_time::verify_slices_are_equal(p.as_bytes(), shared.info.secret_key.as_bytes())
            .is_ok()
    });
    if !matches {
        return ApiError::new(
            401,
            "authentication_invalid",
            "Invalid authentication",
            "Unable to authenticate the request: send `Authorization: Bearer <secret_key>` with the dev issuer's secret key (the first line `clerk-claims dev` prints).".into(),
        )
        .into_response();
    }
    next.run(request).await
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        404,
        "resource_not_found",
        "not found",
        format!("{method} {} is not a route of the dev issuer's Backend API.", uri.path()),
    )
}

async fn method_not_allowed(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        405,
        "method_not_allowed",
        "method not allowed",
        format!("{} does not accept {method}.", uri.path()),
    )
}

/// A request body (too large, unreadable: a Clerk-shaped error).
type Body = Result<Bytes, BytesRejection>;

/// A request body as a JSON object; an empty body is `{}`.
fn object(body: Body) -> Result<Map<String, Value>, ApiError> {
    let body = body.map_err(|e| body_rejected(e.status(), &e.body_text()))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::new(
            400,
            "request_body_invalid",
            "invalid request body",
            format!("The request body must be a JSON object, not {}.", kind(&other)),
        )),
        Err(e) => Err(body_rejected(StatusCode::BAD_REQUEST, &format!("The request body is not JSON: {e}"))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The query string's pairs (`user_id=a&user_id=b` keeps both), or a Clerk-shaped 400.
type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// The ids of a request's path, with Clerk's error envelope for a path axum cannot read (an id
/// that is not UTF-8 once percent-decoded), where axum's own rejection is plain text.
pub(crate) struct Ids<T>(pub(crate) T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for Ids<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(ids)) => Ok(Ids(ids)),
            Err(e) => Err(ApiError::new(
                400,
                "request_path_invalid",
                "invalid path",
                format!("{}; ids are percent-encoded UTF-8.", e.body_text()),
            )),
        }
    }
}

fn pairs(query: Pairs) -> Result<Vec<(String, String)>, ApiError> {
    query.map(|Query(pairs)| pairs).map_err(|e| query_rejected(&e))
}

/// A body axum could not read (too large, not a form, not JSON) as Clerk's error, with axum's
/// status and reason; the dashboard's forms answer the same.
pub(crate) fn body_rejected(status: StatusCode, reason: &str) -> ApiError {
    ApiError::new(status.as_u16(), "request_body_invalid", "invalid request body", format!("{reason}."))
}

/// A query string axum could not read as Clerk's error; the dashboard's queries answer the same.
pub(crate) fn query_rejected(e: &QueryRejection) -> ApiError {
    ApiError::new(
        400,
        "request_query_invalid",
        "invalid query",
        format!("The query string is malformed: {e}."),
    )
}

async fn jwks(AxumState(shared): AxumState<Arc<Shared>>) -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "public, max-age=300")], axum::Json(shared.key.jwks_json()))
}

async fn create_user(AxumState(shared): AxumState<Arc<Shared>>, body: Body) -> Reply {
    let body = object(body)?;
    shared.write(|s| s.create_user(&body)).map(axum::Json)
}

async fn get_user(AxumState(shared): AxumState<Arc<Shared>>, Ids(id): Ids<String>) -> Reply {
    shared.read(|s| s.get_user(&id)).map(axum::Json)
}

async fn list_users(AxumState(shared): AxumState<Arc<Shared>>, query: Pairs) -> Reply {
    let query = pairs(query)?;
    shared.read(|s| s.list_users(&query)).map(axum::Json)
}

async fn count_users(AxumState(shared): AxumState<Arc<Shared>>, query: Pairs) -> Reply {
    let query = pairs(query)?;
    Ok(axum::Json(shared.read(|s| s.count_users(&query))))
}

async fn list_organizations(AxumState(shared): AxumState<Arc<Shared>>, query: Pairs) -> Reply {
    let query = pairs(query)?;
    shared.read(|s| s.list_organizations(&query)).map(axum::Json)
}

async fn get_organization(AxumState(shared): AxumState<Arc<Shared>>, Ids(id): Ids<String>) -> Reply {
    shared.read(|s| s.get_organization(&id)).map(axum::Json)
}

async fn list_memberships(
    AxumState(shared): AxumState<Arc<Shared>>,
    Ids(id): Ids<String>,
    query: Pairs,
) -> Reply {
    let query = pairs(query)?;
    shared.read(|s| s.list_memberships(&id, &query)).map(axum::Json)
}

async fn update_user(AxumState(shared): AxumState<Arc<Shared>>, Ids(id): Ids<String>, body: Body) -> Reply {
    let body = object(body)?;
    shared.write(|s| s.update_user(&id, &body)).map(axum::Json)
}

async fn list_user_memberships(
    AxumState(shared): AxumState<Arc<Shared>>,
    Ids(id): Ids<String>,
    query: Pairs,
) -> Reply {
    let query = pairs(query)?;
    shared.read(|s| s.list_user_memberships(&id, &query)).map(axum::Json)
}

async fn update_user_metadata(
    AxumState(shared): AxumState<Arc<Shared>>,
    Ids(id): Ids<String>,
    body: Body,
) -> Reply {
    let body = object(body)?;
    shared.write(|s| s.update_user_metadata(&id, &body)).map(axum::Json)
}

async fn create_organization(AxumState(shared): AxumState<Arc<Shared>>, body: Body) -> Reply {
    let body = object(body)?;
    shared.write(|s| s.create_organization(&body)).map(axum::Json)
}

async fn create_membership(
    AxumState(shared): AxumState<Arc<Shared>>,
    Ids(id): Ids<String>,
    body: Body,
) -> Reply {
    let body = object(body)?;
    shared.write(|s| s.create_membership(&id, &body)).map(axum::Json)
}

async fn create_session(AxumState(shared): AxumState<Arc<Shared>>, body: Body) -> Reply {
    let body = object(body)?;
    shared.write(|s| s.create_session(&body)).map(axum::Json)
}

async fn list_sessions(AxumState(shared): AxumState<Arc<Shared>>, query: Pairs) -> Reply {
    let query = pairs(query)?;
    shared.read(|s| s.list_sessions(&query)).map(axum::Json)
}

async fn get_session(AxumState(shared): AxumState<Arc<Shared>>, Ids(id): Ids<String>) -> Reply {
    shared.read(|s| s.get_session(&id)).map(axum::Json)
}

async fn revoke_session(AxumState(shared): AxumState<Arc<Shared>>, Ids(id): Ids<String>) -> Reply {
    shared.write(|s| s.revoke_session(&id)).map(axum::Json)
}

async fn session_token(
    AxumState(shared): AxumState<Arc<Shared>>,
    Ids(id): Ids<String>,
    headers: HeaderMap,
    body: Body,
) -> Reply {
    token(&shared, &id, None, &headers, body)
}

async fn template_token(
    AxumState(shared): AxumState<Arc<Shared>>,
    Ids((id, template)): Ids<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Reply {
    token(&shared, &id, Some(&template), &headers, body)
}

fn token(shared: &Shared, session: &str, template: Option<&str>, headers: &HeaderMap, body: Body) -> Reply {
    let body = object(body)?;
    let expires = crate::store::expires_in(&body)?;
    // A dev issuer extension: the origin the token is for (`azp`), as the Frontend API sets it.
    let azp = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
    let jwt = shared.mint(session, template, expires, azp)?;
    Ok(axum::Json(serde_json::json!({"object": "token", "jwt": jwt})))
}

async fn list_templates(AxumState(shared): AxumState<Arc<Shared>>, query: Pairs) -> Reply {
    let query = pairs(query)?;
    shared.read(|s| s.list_templates(&query)).map(axum::Json)
}

async fn get_template(AxumState(shared): AxumState<Arc<Shared>>, Ids(id): Ids<String>) -> Reply {
    shared.read(|s| s.get_template(&id)).map(axum::Json)
}

async fn create_template(AxumState(shared): AxumState<Arc<Shared>>, body: Body) -> Reply {
    let body = object(body)?;
    shared.write(|s| s.create_template(&body)).map(axum::Json)
}

async fn update_template(
    AxumState(shared): AxumState<Arc<Shared>>,
    Ids(id): Ids<String>,
    body: Body,
) -> Reply {
    let body = object(body)?;
    shared.write(|s| s.update_template(&id, &body)).map(axum::Json)
}

async fn delete_template(AxumState(shared): AxumState<Arc<Shared>>, Ids(id): Ids<String>) -> Reply {
    shared.write(|s| s.delete_template(&id)).map(axum::Json)
}
