//! Clerk's `authenticateRequest` cases (../shared/vectors/clerk/expectations.json) through the axum
//! layer, with the mocked Backend API served on 127.0.0.1.
//!
//! This layer serves APIs: it answers 401 where Clerk's SDK would start a browser handshake. So
//! `signed-in` is 200, `signed-out` with a reason is 401 with that token reason, and a handshake
//! caused by the token itself (expired, not yet valid) is 401 with the token's reason. Handshakes
//! driven by browser-session cookies (`__client_uat`, `__clerk_db_jwt`) are listed below: the layer
//! does not read those cookies and verifies the session token alone.

mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use clerk_claims_runtime::axum::{Auth, ClerkLayer};
use clerk_claims_runtime::keys::{RemoteJwks, RemoteOptions};
use clerk_claims_runtime::{Reason, Verifier};
use serde_json::Value;
use support::{Reply, Server, read};
use tower::ServiceExt;

/// Cases whose outcome depends on browser-session cookies; the verdict this layer gives instead.
const BROWSER_FLOW: &[(&str, Option<&str>)] = &[
    ("authReq.cookie.iat_before_client_uat", None),
    ("authReq.cookie.dev_no_dev_browser", None),
    ("authReq.cookie.dev_no_client_uat", None),
    ("authReq.cookie.uat_without_session", Some("session-token-missing")),
    ("authReq.cookie.post_uat_without_session", Some("session-token-missing")),
];

/// `<file>` placeholders replaced by the file's contents.
fn substitute(value: &str) -> String {
    match value.strip_prefix('<').and_then(|v| v.strip_suffix('>')) {
        Some(file) => read(&format!("clerk/{file}")),
        None => match value.split_once(" <") {
            Some((prefix, rest)) => {
                format!("{prefix} {}", read(&format!("clerk/{}", rest.trim_end_matches('>'))))
            }
            None => value.to_string(),
        },
    }
}

async fn user(auth: Auth) -> String {
    auth.user_id().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticate_request_cases() {
    let doc: Value = serde_json::from_str(&read("clerk/expectations.json")).unwrap();
    let mut ran = 0;
    for case in doc["cases"].as_array().unwrap().iter().filter(|c| c["fn"] == "authenticateRequest") {
        let id = case["id"].as_str().unwrap();
        let options = &case["options"];
        let reply = match case["http"].as_object().unwrap().values().next() {
            Some(Value::String(file)) => Reply::Body(read(&format!("clerk/{file}"))),
            Some(other) => Reply::Body(other["body"].to_string()),
            // Upstream mocks no endpoint where it decides before verifying; the instance's keys are
            // what this layer would fetch.
            None => Reply::Body(read("clerk/jwks/mock_jwks.json")),
        };
        let server = Server::start(reply);
        let api = server.url.trim_end_matches("/.well-known/jwks.json").to_string();
        let remote = RemoteJwks::backend_api(
            &api,
            options["secretKey"].as_str().unwrap(),
            RemoteOptions { attempts: 1, ..RemoteOptions::default() },
        );
        let mut verifier = Verifier::new(remote).now(case["now"].as_i64().unwrap());
        if let Some(parties) = options["authorizedParties"].as_array() {
            verifier = verifier.authorized_parties(parties.iter().filter_map(Value::as_str));
        }
        let app: Router = Router::new().route("/path", get(user).post(user)).layer(ClerkLayer::new(verifier));

        let request_spec = &case["request"];
        let mut request =
            Request::builder().uri("/path").method(request_spec["method"].as_str().unwrap_or("GET"));
        if let Some(auth) = request_spec["authorization"].as_str() {
            request = request.header("authorization", substitute(auth));
        }
        if let Some(cookies) = request_spec["cookie"].as_object() {
            let line: Vec<String> =
                cookies.iter().map(|(k, v)| format!("{k}={}", substitute(v.as_str().unwrap()))).collect();
            request = request.header("cookie", line.join("; "));
        }
        let response = app.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let body =
            String::from_utf8(axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap().to_vec())
                .unwrap();
        let body_reason =
            serde_json::from_str::<Value>(&body).ok().and_then(|b| b["error"].as_str().map(str::to_string));

        let expected = &case["expect"];
        if let Some((_, verdict)) = BROWSER_FLOW.iter().find(|(case_id, _)| *case_id == id) {
            match verdict {
                None => assert_eq!(status, StatusCode::OK, "{id}: the session token itself is valid"),
                Some(reason) => assert_eq!(
                    (status, body_reason.as_deref()),
                    (StatusCode::UNAUTHORIZED, Some(*reason)),
                    "{id}"
                ),
            }
        } else {
            match expected["status"].as_str().unwrap() {
                "signed-in" => assert_eq!(status, StatusCode::OK, "{id}: {body}"),
                "signed-out" => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{id}");
                    let reason = expected["reason"].as_str().unwrap();
                    let ours = match reason {
                        "session-token-and-uat-missing" => "session-token-missing",
                        other => other,
                    };
                    assert_eq!(body_reason.as_deref(), Some(ours), "{id}");
                }
                "handshake" => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{id}");
                    assert!(
                        expected["reason"].as_str().unwrap().starts_with("session-token-expired"),
                        "{id}"
                    );
                    assert_eq!(body_reason.as_deref(), Some(Reason::TokenExpired.code()), "{id}");
                }
                other => panic!("{id}: {other}"),
            }
        }
        ran += 1;
    }
    assert_eq!(ran, 20);
}
