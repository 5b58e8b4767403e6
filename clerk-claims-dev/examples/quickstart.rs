//! The whole loop on the embedded default, with no Clerk account and no network: start the dev
//! issuer, push the bundled `custom` JWT template and the `session` customization, create a user and
//! an organization through the Backend API, mint a session token and a template token, verify both
//! (keys fetched from the issuer's JWKS URL) into the types generated from `templates/`, and print
//! the typed claims and the time left.
//!
//! ```sh
//! cargo run -q -p clerk-claims-dev --example quickstart
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use clerk_claims_dev::DevIssuer;
use clerk_claims_runtime::keys::RemoteJwks;
use clerk_claims_runtime::times::human;
use clerk_claims_runtime::verify::TokenKind;
use clerk_claims_runtime::{ClerkClaims, SessionClaims, Verifier};
use serde_json::json;

clerk_claims_runtime::clerk_template!("templates/custom.json");
clerk_claims_runtime::clerk_template!("templates/session.json");

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The same issuer `clerk-claims dev` runs, in process on a free port.
    let issuer = DevIssuer::start().await?;
    let info = issuer.info();
    println!("dev issuer   {} (signing with the bundled DEVELOPMENT-ONLY key)", info.api_url);
    issuer.set_session_claims(Some(SessionCustomClaims::template_json()));

    // Everything else goes through the Backend API over HTTP, as against Clerk.
    let api = issuer.backend();
    api.create_jwt_template(&CustomClaims::template_json()).await?;
    let user = api
        .create_user(&json!({
            "email_address": ["ada@example.com"],
            "first_name": "Ada",
            "last_name": "Lovelace",
            "public_metadata": {"role": "admin", "features": ["reports", "sso"], "onboarding_complete": true},
        }))
        .await?;
    let org = api
        .create_organization(
            &json!({"name": "Analytical Engines", "public_metadata": {"plan": "pro", "seats": 25}}),
        )
        .await?;
    api.create_membership(
        &org.id,
        &json!({"user_id": user.id, "role": "org:admin", "permissions": ["org:billing:manage", "org:reports:read"]}),
    )
    .await?;
    let session = api.create_session(&user.id, Some(&org.id)).await?;
    println!("user         {} in {} ({}), session {}", user.id, org.id, org.slug, session.id);

    let session_token = api.session_token(&session.id, None).await?;
    let template_token = api.session_token(&session.id, Some("custom")).await?;

    // Verify as an application would: JWKS from the issuer's URL, issuer pinned; the key fetched
    // (once, then held), then each token verified.
    let verifier = Verifier::new(RemoteJwks::new(info.jwks_url.clone())).issuer(info.issuer.clone());
    verifier.fetch_key(&session_token, TokenKind::Session).await?;
    let session_claims: SessionClaims<SessionCustomClaims> = verifier.verify_session(&session_token)?;
    verifier.fetch_key(&template_token, TokenKind::Template).await?;
    let template_claims = verifier.verify_template::<CustomClaims>(&template_token)?;

    println!("\nsession token: SessionClaims<SessionCustomClaims>");
    println!("  user {}  session {}", session_claims.user_id(), session_claims.sid);
    if let Some(org) = &session_claims.organization {
        println!("  organization {} role {:?} permissions {:?}", org.id, org.role, org.permissions);
    }
    println!("  custom {:#?}", session_claims.custom);
    println!("  time left {}", human(session_claims.times().remaining(now())));

    println!("\ntemplate token `custom`: TemplateClaims<CustomClaims>");
    println!("  claims {:#?}", template_claims.custom);
    println!("  time left {}", human(template_claims.times().remaining(now())));

    issuer.shutdown().await;
    Ok(())
}
