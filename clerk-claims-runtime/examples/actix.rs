//! The axum example's API on actix-web 4: the same four routes, the same environment, the same
//! responses (one outside test suite, `tests/tests/frameworks.rs`, runs against both).
//!
//! ```sh
//! CLERK_PUBLISHABLE_KEY=pk_test_... CLERK_AUTHORIZED_PARTIES=http://localhost:3000 \
//!     cargo run -p clerk-claims-runtime --features actix-web --example actix
//! ```
//!
//! - `GET /public`: always 200; says whether the caller is signed in;
//! - `GET /me`: signed in; user id, session id, active organization and custom claims;
//! - `GET /admin`: organization role `org:admin`;
//! - `GET /billing`: permission `org:billing:manage`.

use actix_web::{App, HttpResponse, HttpServer, web};
use clerk_claims_runtime::Verifier;
use clerk_claims_runtime::actix::{Auth, ClerkMiddleware, Require};
use clerk_claims_runtime::instance::InstanceConfig;
use serde_json::json;

clerk_claims_runtime::clerk_template!("templates/session.json");

async fn public(auth: Option<Auth<SessionCustomClaims>>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "signed_in": auth.is_some() }))
}

async fn me(auth: Auth<SessionCustomClaims>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
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

/// The routes (`App::configure`); the middleware goes around them ([`middleware`]).
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/public", web::get().to(public))
        .route("/me", web::get().to(me))
        .service(
            web::resource("/admin")
                .wrap(Require::role("org:admin"))
                .route(web::get().to(|| async { HttpResponse::Ok().json(json!({"admin": true})) })),
        )
        .service(
            web::resource("/billing")
                .wrap(Require::permission("org:billing:manage"))
                .route(web::get().to(|| async { HttpResponse::Ok().json(json!({"billing": true})) })),
        );
}

/// The middleware, configured from the environment over `clerk.toml`.
pub fn middleware(config: &InstanceConfig) -> Result<ClerkMiddleware, clerk_claims_runtime::VerifyError> {
    Ok(ClerkMiddleware::from_instance(config, Verifier::from_instance(config)?))
}

#[actix_web::main]
async fn main() {
    let config = match InstanceConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let middleware = match middleware(&config) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}\nhelp: set CLERK_PUBLISHABLE_KEY, or CLERK_JWKS_URL and CLERK_ISSUER");
            std::process::exit(2);
        }
    };
    let port = std::env::var("PORT").ok().and_then(|p| p.parse::<u16>().ok()).unwrap_or(8080);
    let server = HttpServer::new(move || App::new().wrap(middleware.clone()).configure(routes))
        .bind(("127.0.0.1", port));
    let server = match server {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "listening on http://127.0.0.1:{port} (issuer {})",
        config.issuer.as_deref().unwrap_or("not checked")
    );
    if let Err(e) = server.run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
