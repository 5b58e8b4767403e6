//! An axum API protected by Clerk, with the session customization's claims typed from
//! `templates/session.json`.
//!
//! ```sh
//! CLERK_PUBLISHABLE_KEY=pk_test_... CLERK_AUTHORIZED_PARTIES=http://localhost:3000 \
//!     cargo run -p clerk-claims-runtime --features axum --example axum
//! ```
//!
//! Configuration comes from the `CLERK_*` environment (`CLERK_JWKS_URL` and `CLERK_ISSUER` point it
//! at the dev issuer) and `PORT` (default 8080).
//!
//! - `GET /public`: always 200; says whether the caller is signed in;
//! - `GET /me`: signed in; user id, session id, active organization and custom claims;
//! - `GET /admin`: organization role `org:admin`;
//! - `GET /billing`: permission `org:billing:manage`.

use axum::routing::get;
use axum::{Json, Router};
use clerk_claims_runtime::Verifier;
use clerk_claims_runtime::axum::{Auth, ClerkLayer, Require};
use clerk_claims_runtime::instance::InstanceConfig;
use serde_json::{Value, json};

clerk_claims_runtime::clerk_template!("templates/session.json");

async fn public(auth: Option<Auth<SessionCustomClaims>>) -> Json<Value> {
    Json(json!({ "signed_in": auth.is_some() }))
}

async fn me(auth: Auth<SessionCustomClaims>) -> Json<Value> {
    Json(json!({
        "user_id": auth.user_id(),
        "session_id": auth.session_id(),
        "organization": auth.organization,
        "claims": auth.custom(),
        "expires_in": clerk_claims_runtime::times::human(auth.times().remaining(now())),
    }))
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The application, configured from the environment over `clerk.toml` (authorized parties,
/// protected paths, clock skew, cookie suffix).
pub fn app(config: &InstanceConfig) -> Result<Router, clerk_claims_runtime::VerifyError> {
    let layer = ClerkLayer::from_instance(config, Verifier::from_instance(config)?);
    Ok(Router::new()
        .route("/public", get(public))
        .route("/me", get(me))
        .route(
            "/admin",
            get(|| async { Json(json!({"admin": true})) }).route_layer(Require::role("org:admin")),
        )
        .route(
            "/billing",
            get(|| async { Json(json!({"billing": true})) })
                .route_layer(Require::permission("org:billing:manage")),
        )
        .layer(layer))
}

#[tokio::main]
async fn main() {
    let config = match InstanceConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let app = match app(&config) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}\nhelp: set CLERK_PUBLISHABLE_KEY, or CLERK_JWKS_URL and CLERK_ISSUER");
            std::process::exit(2);
        }
    };
    let port = std::env::var("PORT").ok().and_then(|p| p.parse::<u16>().ok()).unwrap_or(8080);
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "listening on http://127.0.0.1:{port} (issuer {})",
        config.issuer.as_deref().unwrap_or("not checked")
    );
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
