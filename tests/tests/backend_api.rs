//! The Backend API client against a local stand-in for Clerk's API (axum on 127.0.0.1): sessions of
//! a multi-session user listed and revoked, typed errors from Clerk's envelope, retries on 429/5xx.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use clerk_claims_runtime::backend::{BackendApi, BackendError, MAX_RESPONSE_BYTES};
use serde_json::{Value, json};

mod support;
use support::{Reply, Server};

const SECRET: &str = "sk_test_local";

#[derive(Clone, Default)]
struct Api {
    sessions: Arc<Mutex<Vec<Value>>>,
    flaky: Arc<AtomicUsize>,
}

fn error(status: StatusCode, code: &str, message: &str) -> axum::response::Response {
    let body = json!({"errors": [{"message": message, "long_message": message, "code": code}], "clerk_trace_id": "t1"});
    (status, Json(body)).into_response()
}

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {SECRET}"))
}

async fn list(
    State(api): State<Api>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    if !authorized(&headers) {
        return error(StatusCode::UNAUTHORIZED, "authentication_invalid", "Unauthorized request");
    }
    let sessions = api.sessions.lock().unwrap();
    let found: Vec<Value> = sessions
        .iter()
        .filter(|s| q.get("user_id").is_none_or(|u| s["user_id"] == *u))
        .filter(|s| q.get("status").is_none_or(|st| s["status"] == *st))
        .cloned()
        .collect();
    Json(found).into_response()
}

async fn get_one(
    State(api): State<Api>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> axum::response::Response {
    if !authorized(&headers) {
        return error(StatusCode::UNAUTHORIZED, "authentication_invalid", "Unauthorized request");
    }
    match api.sessions.lock().unwrap().iter().find(|s| s["id"] == id) {
        Some(s) => Json(s.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "resource_not_found", "not found"),
    }
}

async fn revoke(
    State(api): State<Api>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> axum::response::Response {
    if !authorized(&headers) {
        return error(StatusCode::UNAUTHORIZED, "authentication_invalid", "Unauthorized request");
    }
    let mut sessions = api.sessions.lock().unwrap();
    match sessions.iter_mut().find(|s| s["id"] == id) {
        Some(s) => {
            s["status"] = json!("revoked");
            Json(s.clone()).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "resource_not_found", "not found"),
    }
}

/// Fails twice (503, then 429 with Retry-After: 0), then answers.
async fn flaky(State(api): State<Api>) -> axum::response::Response {
    match api.flaky.fetch_add(1, Ordering::SeqCst) {
        0 => error(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "try later"),
        1 => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "slow down");
            r.headers_mut().insert("retry-after", "0".parse().unwrap());
            r
        }
        _ => Json(json!({"keys": []})).into_response(),
    }
}

async fn start() -> (String, Api) {
    let api = Api::default();
    *api.sessions.lock().unwrap() = vec![
        json!({"object": "session", "id": "sess_1", "user_id": "user_1", "client_id": "client_1", "status": "active", "expire_at": 1, "created_at": 1}),
        json!({"object": "session", "id": "sess_2", "user_id": "user_1", "client_id": "client_1", "status": "active", "expire_at": 1, "created_at": 1}),
        json!({"object": "session", "id": "sess_3", "user_id": "user_2", "client_id": "client_2", "status": "active"}),
    ];
    let app = Router::new()
        .route("/v1/sessions", get(list))
        .route("/v1/sessions/{id}", get(get_one))
        .route("/v1/sessions/{id}/revoke", post(revoke))
        .route("/v1/jwks", get(flaky))
        .with_state(api.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, api)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_session_users_sessions_are_listed_and_revoked() {
    let (url, _) = start().await;
    let api = BackendApi::new(&url, SECRET);
    let sessions = api.list_sessions("user_1", None).await.unwrap();
    assert_eq!(sessions.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["sess_1", "sess_2"]);
    assert_eq!(sessions[0].client_id, sessions[1].client_id, "one client, two sessions");
    let revoked = api.revoke_session("sess_2").await.unwrap();
    assert_eq!(revoked.status, "revoked");
    let active = api.list_sessions("user_1", Some("active")).await.unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(api.get_session("sess_2").await.unwrap().status, "revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_typed_from_clerks_envelope() {
    let (url, _) = start().await;
    match BackendApi::new(&url, SECRET).get_session("sess_missing").await {
        Err(BackendError::Api { status, errors }) => {
            assert_eq!(status, 404);
            assert_eq!(errors.errors[0].code, "resource_not_found");
            assert_eq!(errors.clerk_trace_id.as_deref(), Some("t1"));
        }
        other => panic!("{other:?}"),
    }
    match BackendApi::new(&url, "sk_test_wrong").list_sessions("user_1", None).await {
        Err(BackendError::Api { status: 401, errors }) => {
            assert_eq!(errors.errors[0].code, "authentication_invalid")
        }
        other => panic!("{other:?}"),
    }
    let down = BackendApi::new("http://127.0.0.1:1", SECRET).retries(2, Duration::from_millis(10));
    assert!(matches!(down.get_session("sess_1").await, Err(BackendError::Transport(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_server_errors_are_retried() {
    let (url, api) = start().await;
    let client = BackendApi::new(&url, SECRET).retries(3, Duration::from_millis(10));
    assert_eq!(client.jwks().await.unwrap(), json!({"keys": []}));
    assert_eq!(api.flaky.load(Ordering::SeqCst), 3);
    // With one attempt the first 503 is the answer.
    api.flaky.store(0, Ordering::SeqCst);
    let once = BackendApi::new(&url, SECRET).retries(1, Duration::from_millis(10));
    assert!(matches!(once.jwks().await, Err(BackendError::Api { status: 503, .. })));
}

/// The API URL of a support server (its own URL ends in a JWKS path).
fn api_url(server: &Server) -> String {
    server.url.trim_end_matches("/.well-known/jwks.json").to_string()
}

fn request_lines(server: &Server) -> Vec<String> {
    server.requests.lock().unwrap().iter().map(|r| r.lines().next().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn every_id_is_one_escaped_path_segment_and_query_values_are_encoded() {
    let server =
        Server::start(Reply::Body(json!({"id": "sess_1", "user_id": "u", "status": "revoked"}).to_string()));
    let api = BackendApi::new(&api_url(&server), SECRET).retries(1, Duration::ZERO);
    // ATTACKS: an id that is a path cannot reach another endpoint with the secret key.
    api.revoke_session("sess_1/../../users/user_x/ban?").await.unwrap();
    let _ = api.list_sessions("user_1&status=active", Some("a b")).await;
    let _ = api.session_token("sess_1", Some("../jwks")).await;
    assert_eq!(
        request_lines(&server),
        [
            "POST /v1/sessions/sess_1%2F..%2F..%2Fusers%2Fuser_x%2Fban%3F/revoke HTTP/1.1",
            "GET /v1/sessions?user_id=user_1%26status%3Dactive&status=a+b HTTP/1.1",
            "POST /v1/sessions/sess_1/tokens/..%2Fjwks HTTP/1.1",
        ]
    );
    for id in ["", ".", ".."] {
        assert!(matches!(api.get_session(id).await, Err(BackendError::Invalid(_))), "{id:?}");
        assert!(matches!(api.get_user(id).await, Err(BackendError::Invalid(_))), "{id:?}");
    }
    assert_eq!(server.hits(), 3, "a refused id sends nothing");
}

#[tokio::test]
async fn responses_are_read_up_to_a_bound_and_plain_http_off_loopback_is_refused() {
    let server = Server::start(Reply::Huge(MAX_RESPONSE_BYTES + 1));
    let api = BackendApi::new(&api_url(&server), SECRET).retries(1, Duration::ZERO);
    let err = api.get_session("sess_1").await.unwrap_err();
    assert!(matches!(&err, BackendError::Decode(m) if m.contains("larger than")), "{err}");

    let api = BackendApi::new("http://api.example.com", SECRET);
    let err = api.get_session("sess_1").await.unwrap_err();
    assert!(matches!(&err, BackendError::Invalid(m) if m.contains("https://")), "{err}");
}

#[tokio::test]
async fn a_network_error_names_the_url_it_tried() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let api = BackendApi::new(&format!("http://127.0.0.1:{port}"), SECRET).retries(1, Duration::ZERO);
    let err = api.get_session("sess_1").await.unwrap_err().to_string();
    assert!(err.contains(&format!("GET http://127.0.0.1:{port}/v1/sessions/sess_1")), "{err}");
    assert!(!err.contains(SECRET));
}
