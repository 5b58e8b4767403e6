//! `web`: requests per second through the axum example's `/me` route (`ClerkLayer` + `Auth<C>` with
//! the session customization typed from `templates/session.json`) against the same route without
//! auth, on loopback, one keep-alive connection, in one run:
//! - `web/no_auth`: the route without the layer (same handler shape, fixed values);
//! - `web/auth`: with the layer and a session token (the token cache on, as by default: a browser
//!   sends the same token for about a minute);
//! - `web/auth_uncached`: with the token cache off (every request verifies the signature).
//!
//! The layer's verifier reads the instance's keys from its JWKS URL, as `Verifier::from_instance`
//! (the example's) does.
//!
//! The ratio of the times per request is the ratio of requests per second (BENCHMARKS.md).
//! Run: `cargo bench -p clerk-claims-tests --bench web`.

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Json, Router};
use clerk_claims_dev::DevIssuer;
use clerk_claims_runtime::ClerkClaims;
use clerk_claims_runtime::Verifier;
use clerk_claims_runtime::axum::{Auth, ClerkLayer};
use clerk_claims_runtime::keys::RemoteJwks;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

clerk_claims_runtime::clerk_template!("../templates/session.json");

async fn me(auth: Auth<SessionCustomClaims>) -> Json<Value> {
    Json(json!({"user_id": auth.user_id(), "session_id": auth.session_id(), "email": auth.custom().email}))
}

async fn me_open() -> Json<Value> {
    Json(json!({"user_id": "user_1", "session_id": "sess_1", "email": "ada@example.com"}))
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/me", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (issuer, token) = runtime.block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_session_claims(Some(SessionCustomClaims::template_json()));
        let user =
            issuer.create_user(json!({"email_address": ["ada@example.com"], "first_name": "Ada"})).unwrap();
        let session = issuer.create_session(&user, None).unwrap();
        // A token that stays valid for the whole run.
        let api = issuer.backend();
        let token = api.session_token_expiring(&session, None, Some(3600)).await.unwrap();
        (issuer, token)
    });
    let info = issuer.info();
    let verifier = Verifier::new(RemoteJwks::new(info.jwks_url.clone())).issuer(info.issuer.clone());
    let urls = runtime.block_on(async {
        [
            serve(Router::new().route("/me", get(me_open))).await,
            serve(Router::new().route("/me", get(me)).layer(ClerkLayer::new(verifier.clone()))).await,
            serve(Router::new().route("/me", get(me)).layer(ClerkLayer::new(verifier.token_cache(false))))
                .await,
        ]
    });
    let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    let request = |url: &str| {
        let request = client.get(url).bearer_auth(&token);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.bytes().await.unwrap()
        }
    };
    for url in &urls {
        let body = runtime.block_on(request(url));
        assert!(String::from_utf8_lossy(&body).contains("ada@example.com"));
    }

    let mut group = c.benchmark_group("web");
    for (id, url) in ["no_auth", "auth", "auth_uncached"].into_iter().zip(&urls) {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..iters {
                        request(url).await;
                    }
                    started.elapsed()
                })
            })
        });
    }
    group.finish();
    drop(issuer);
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
