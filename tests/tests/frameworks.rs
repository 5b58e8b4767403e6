//! One outside test suite against both framework integrations: the axum example and the actix-web
//! example (`clerk-claims-runtime/examples/`), the same four routes over real HTTP on 127.0.0.1,
//! configured from the same environment, with tokens the dev issuer mints. Every answer (status,
//! `WWW-Authenticate`, body) must be the same from both.

#[path = "../../clerk-claims-runtime/examples/axum.rs"]
#[allow(dead_code)]
mod axum_example;

#[path = "../../clerk-claims-runtime/examples/actix.rs"]
#[allow(dead_code)]
mod actix_example;

use clerk_claims_dev::DevIssuer;
use clerk_claims_runtime::instance::InstanceConfig;
use serde_json::{Value, json};

/// An answer as a client sees it.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    challenge: Option<String>,
    body: Value,
}

async fn get(client: &reqwest::Client, url: &str, token: Option<&str>, cookie: Option<&str>) -> Answer {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string());
    let body = response.json().await.unwrap_or(Value::Null);
    Answer { status, challenge, body }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_and_actix_web_answer_every_request_alike() {
    let issuer = DevIssuer::start().await.unwrap();
    issuer.set_session_claims(Some(json!({"email": "{{user.primary_email_address}}", "full_name": "{{user.full_name}}", "metadata": "{{user.public_metadata}}"})));
    let admin =
        issuer.create_user(json!({"email_address": ["admin@example.com"], "first_name": "Ada"})).unwrap();
    let member = issuer.create_user(json!({"email_address": ["member@example.com"]})).unwrap();
    let loner = issuer.create_user(json!({})).unwrap();
    let org = issuer.create_organization(json!({"name": "Acme"})).unwrap();
    issuer
        .add_membership(
            &org,
            json!({"user_id": admin, "role": "org:admin", "permissions": ["org:billing:manage"]}),
        )
        .unwrap();
    issuer.add_membership(&org, json!({"user_id": member, "role": "org:member"})).unwrap();
    let token = |user: &str, org: Option<&str>| {
        issuer.session_token(&issuer.create_session(user, org).unwrap()).unwrap()
    };
    let (admin_token, member_token, loner_token) =
        (token(&admin, Some(&org)), token(&member, Some(&org)), token(&loner, None));

    let info = issuer.info().clone();
    let config = InstanceConfig::from_lookup(|name| match name {
        "CLERK_PUBLISHABLE_KEY" => Some(info.publishable_key.clone()),
        "CLERK_SECRET_KEY" => Some(info.secret_key.clone()),
        _ => None,
    })
    .unwrap();
    let suffix = config.cookie_suffix.clone().unwrap();

    // axum, on this runtime.
    let app = axum_example::app(&config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let axum_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // actix-web, on a system of its own (its workers are single-threaded runtimes).
    let middleware = actix_example::middleware(&config).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                actix_web::App::new().wrap(middleware.clone()).configure(actix_example::routes)
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
            tx.send(format!("http://{}", server.addrs()[0])).unwrap();
            server.run().await.unwrap();
        })
    });
    let actix_url = rx.recv().unwrap();

    let client = reqwest::Client::new();
    let cookie = format!("__session_{suffix}={member_token}");
    let cases: Vec<(&str, Option<&str>, Option<&str>, u16)> = vec![
        ("/public", None, None, 200),
        ("/public", Some(&member_token), None, 200),
        ("/me", None, None, 401),
        ("/me", Some("not-a-token"), None, 401),
        ("/me", Some(&loner_token), None, 200),
        ("/me", None, Some(&cookie), 200),
        ("/admin", None, None, 401),
        ("/admin", Some(&member_token), None, 403),
        ("/admin", Some(&admin_token), None, 200),
        ("/billing", Some(&member_token), None, 403),
        ("/billing", Some(&admin_token), None, 200),
        ("/billing", Some(&loner_token), None, 403),
    ];
    for (path, token, cookie, status) in cases {
        let from_axum = get(&client, &format!("{axum_url}{path}"), token, cookie).await;
        let mut from_actix = get(&client, &format!("{actix_url}{path}"), token, cookie).await;
        assert_eq!(from_axum.status, status, "{path} {token:?}: {from_axum:?}");
        // `expires_in` ticks between the two requests; everything else must be the same.
        if let (Some(a), Some(b)) = (from_axum.body.get("expires_in"), from_actix.body.get_mut("expires_in"))
        {
            *b = a.clone();
        }
        assert_eq!(from_axum, from_actix, "{path} {token:?}");
    }
    let me = get(&client, &format!("{actix_url}/me"), Some(&admin_token), None).await;
    assert_eq!(
        (me.body["user_id"].as_str(), me.body["claims"]["email"].as_str()),
        (Some(admin.as_str()), Some("admin@example.com"))
    );
    let refused = get(&client, &format!("{actix_url}/admin"), Some(&member_token), None).await;
    assert_eq!(
        refused.challenge.as_deref(),
        Some("Bearer error=\"insufficient_scope\", error_description=\"role-required\"")
    );
    assert_eq!(refused.body, json!({"error": "role-required"}));
}
