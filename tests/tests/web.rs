//! The axum integration, in process (`tower::ServiceExt::oneshot`) and over loopback: every status,
//! header and body, both carriers, suffixed cookies, guards, multi-session.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use axum::{Json, Router};
use clerk_claims_runtime::axum::{Auth, AuthRejection, ClerkLayer, Require};
use clerk_claims_runtime::instance::PublishableKey;
use serde_json::{Value, json};
use support::*;
use tower::ServiceExt;

const PK: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";

#[derive(Debug, Clone, serde::Deserialize)]
struct Custom {
    role: Option<String>,
}

async fn me(auth: Auth<Custom>) -> Json<Value> {
    Json(json!({
        "user_id": auth.user_id(),
        "session_id": auth.session_id(),
        "organization": auth.organization.as_ref().map(|o| o.id.clone()),
        "role": auth.custom().role,
        "carrier": auth.carrier.as_str(),
    }))
}

async fn reports(auth: Auth) -> Result<&'static str, AuthRejection> {
    auth.require_permission("org:reports:read")?;
    Ok("reports")
}

fn app() -> Router {
    let suffix = PublishableKey::parse(PK).unwrap().cookie_suffix();
    Router::new()
        .route("/me", get(me))
        .route(
            "/public",
            get(|auth: Option<Auth>| async move { if auth.is_some() { "signed in" } else { "signed out" } }),
        )
        .route("/admin", get(|| async { "admin" }).route_layer(Require::role("org:admin")))
        .route("/billing", get(|| async { "billing" }).route_layer(Require::permission("org:billing:manage")))
        .route("/org", get(|| async { "org" }).route_layer(Require::organization()))
        .route("/reports", get(reports))
        .route("/private/area", get(|| async { "private" }))
        .layer(ClerkLayer::new(verifier()).cookie_suffix(suffix).protect(["/private/*"]))
}

fn org_session(role: &str, per: &str, fpm: &str) -> String {
    let mut p = session();
    p["o"] = json!({"id": "org_1", "rol": role, "slg": "acme", "per": per, "fpm": fpm});
    p["fea"] = json!("o:billing,o:reports");
    p["role"] = json!("editor");
    rs256(&header(), &p)
}

async fn call(path: &str, headers: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
    let mut request = Request::builder().uri(path);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = app().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let challenge = response.headers().get(header::WWW_AUTHENTICATE).map(|v| v.to_str().unwrap().to_string());
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, challenge, String::from_utf8(body.to_vec()).unwrap())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn signed_out_is_401_with_a_bare_challenge() {
    let (status, challenge, body) = call("/me", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge.as_deref(), Some("Bearer"));
    assert_eq!(body, r#"{"error":"session-token-missing"}"#);
}

#[tokio::test]
async fn a_valid_bearer_token_reaches_the_handler() {
    let token = org_session("admin", "manage,read", "1,2");
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let (status, _, body) = call("/me", &[("authorization", &format!("{scheme} {token}"))]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let me: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            me,
            json!({"user_id": "user_1", "session_id": "sess_1", "organization": "org_1", "role": "editor", "carrier": "header"})
        );
    }
}

#[tokio::test]
async fn invalid_tokens_are_401_with_the_reason_never_500() {
    let expired = rs256(&header(), &{
        let mut p = session();
        p["exp"] = json!(NOW - 100);
        p
    });
    for (token, reason) in [
        (expired.as_str(), "token-expired"),
        ("garbage", "token-invalid"),
        (&format!("{}x", valid()), "token-invalid"),
    ] {
        let (status, challenge, body) = call("/me", &[("authorization", &bearer(token))]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{reason}");
        assert_eq!(
            challenge.unwrap(),
            format!("Bearer error=\"invalid_token\", error_description=\"{reason}\"")
        );
        assert_eq!(body, format!("{{\"error\":\"{reason}\"}}"));
    }
    // A template token is not a session token.
    let mut p = session();
    p.as_object_mut().unwrap().remove("sid");
    let (status, _, body) = call("/me", &[("authorization", &bearer(&rs256(&header(), &p)))]).await;
    assert_eq!((status, body.as_str()), (StatusCode::UNAUTHORIZED, r#"{"error":"token-type-mismatch"}"#));
}

#[tokio::test]
async fn cookies_suffixed_first_then_plain_and_never_beside_a_header() {
    let suffix = PublishableKey::parse(PK).unwrap().cookie_suffix();
    let token = valid();
    let suffixed = format!("theme=dark; __session_{suffix}={token}; __session=garbage");
    let (status, _, body) = call("/me", &[("cookie", &suffixed)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""carrier":"cookie""#));
    let plain = format!("__session={token}");
    assert_eq!(call("/me", &[("cookie", &plain)]).await.0, StatusCode::OK);
    // A header token means cookies are not read, even when the header's token is bad.
    let (status, _, body) = call("/me", &[("authorization", "Bearer garbage"), ("cookie", &plain)]).await;
    assert_eq!((status, body.as_str()), (StatusCode::UNAUTHORIZED, r#"{"error":"token-invalid"}"#));
}

#[tokio::test]
async fn public_routes_see_an_optional_user() {
    assert_eq!(call("/public", &[]).await.2, "signed out");
    assert_eq!(
        call("/public", &[("authorization", "Bearer garbage")]).await,
        (StatusCode::OK, None, "signed out".into())
    );
    assert_eq!(call("/public", &[("authorization", &bearer(&valid()))]).await.2, "signed in");
}

#[tokio::test]
async fn role_permission_and_organization_guards() {
    let admin = org_session("admin", "manage,read", "1,0");
    let member = org_session("member", "manage,read", "0,2");
    let no_org = valid();
    for (path, token, expected) in [
        ("/admin", admin.as_str(), (StatusCode::OK, "admin")),
        ("/admin", member.as_str(), (StatusCode::FORBIDDEN, r#"{"error":"role-required"}"#)),
        ("/billing", admin.as_str(), (StatusCode::OK, "billing")),
        ("/billing", member.as_str(), (StatusCode::FORBIDDEN, r#"{"error":"permission-required"}"#)),
        ("/org", member.as_str(), (StatusCode::OK, "org")),
        ("/org", no_org.as_str(), (StatusCode::FORBIDDEN, r#"{"error":"organization-required"}"#)),
        ("/reports", member.as_str(), (StatusCode::OK, "reports")),
        ("/reports", admin.as_str(), (StatusCode::FORBIDDEN, r#"{"error":"permission-required"}"#)),
    ] {
        let (status, challenge, body) = call(path, &[("authorization", &bearer(token))]).await;
        assert_eq!((status, body.as_str()), expected, "{path}");
        if status == StatusCode::FORBIDDEN {
            assert!(challenge.unwrap().starts_with("Bearer error=\"insufficient_scope\""));
        }
    }
    assert_eq!(call("/admin", &[]).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn protected_paths_are_refused_by_the_layer() {
    assert_eq!(call("/private/area", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call("/private/area", &[("authorization", &bearer(&valid()))]).await.2, "private");
}

#[tokio::test]
async fn protect_matches_the_path_the_client_sent_inside_a_nested_router() {
    // The layer on the nested router sees `/admin`; its patterns name the full path.
    let inner = Router::new()
        .route("/admin", get(|| async { "admin" }))
        .route("/open", get(|| async { "open" }))
        .layer(ClerkLayer::new(verifier()).protect(["/api/admin"]));
    let app = Router::new().nest("/api", inner);
    let get = |path: &str| Request::builder().uri(path).body(Body::empty()).unwrap();
    assert_eq!(app.clone().oneshot(get("/api/admin")).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.clone().oneshot(get("/api/open")).await.unwrap().status(), StatusCode::OK);
    let signed_in = Request::builder()
        .uri("/api/admin")
        .header("authorization", bearer(&valid()))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.oneshot(signed_in).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn two_sessions_of_one_client_resolve_to_their_own_sid() {
    let first = valid();
    let mut p = session();
    p["sid"] = json!("sess_2");
    let second = rs256(&header(), &p);
    let a: Value = serde_json::from_str(&call("/me", &[("authorization", &bearer(&first))]).await.2).unwrap();
    let b: Value =
        serde_json::from_str(&call("/me", &[("authorization", &bearer(&second))]).await.2).unwrap();
    assert_eq!((a["session_id"].as_str(), b["session_id"].as_str()), (Some("sess_1"), Some("sess_2")));
    assert_eq!(a["user_id"], b["user_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_load_over_loopback() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/me", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app()).await });
    let client = reqwest::Client::new();
    let token = valid();
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for i in 0..400 {
        let (client, url) = (client.clone(), url.clone());
        let auth = if i % 4 == 0 { "Bearer garbage".to_string() } else { bearer(&token) };
        tasks.push(tokio::spawn(async move {
            client.get(url).header("authorization", auth).send().await.map(|r| r.status())
        }));
    }
    let (mut ok, mut unauthorized) = (0, 0);
    for t in tasks {
        match t.await.unwrap().unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((ok, unauthorized), (300, 100));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    server.abort();
}

#[tokio::test]
async fn the_layer_fronts_any_tower_service_over_http_requests() {
    use std::convert::Infallible;
    // A plain tower service (what a hyper or tonic server runs), no axum router: its response body
    // is its own type, and the layer builds its refusals in it.
    #[derive(Debug, PartialEq)]
    struct Text(String);
    impl From<String> for Text {
        fn from(s: String) -> Text {
            Text(s)
        }
    }
    let service = tower::service_fn(|request: Request<()>| async move {
        let signed_in = matches!(
            request.extensions().get::<clerk_claims_runtime::axum::AuthState>(),
            Some(clerk_claims_runtime::axum::AuthState::SignedIn(_))
        );
        Ok::<_, Infallible>(axum::http::Response::new(Text(format!("signed in: {signed_in}"))))
    });
    let layered = tower::ServiceBuilder::new()
        .layer(ClerkLayer::new(verifier()).protect(["/private"]))
        .service(service);
    let request = |path: &str, token: Option<&str>| {
        let mut builder = Request::builder().uri(path);
        if let Some(token) = token {
            builder = builder.header("authorization", bearer(token));
        }
        builder.body(()).unwrap()
    };
    let open = layered.clone().oneshot(request("/open", None)).await.unwrap();
    assert_eq!(open.into_body(), Text("signed in: false".into()));
    let signed_in = layered.clone().oneshot(request("/private", Some(&valid()))).await.unwrap();
    assert_eq!(signed_in.into_body(), Text("signed in: true".into()));
    let refused = layered.oneshot(request("/private", None)).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(refused.into_body(), Text(r#"{"error":"session-token-missing"}"#.into()));
}
