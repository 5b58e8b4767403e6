//! The actix-web integration in process (actix's test service): every status, challenge and body,
//! both carriers, guards, protected paths, and `Option<Auth<C>>` on public routes.

mod support;

use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpResponse, test, web};
use clerk_claims_runtime::SessionClaims;
use clerk_claims_runtime::actix::{Auth, ClerkMiddleware, Require};
use clerk_claims_runtime::instance::PublishableKey;
use serde_json::{Value, json};
use support::*;

const PK: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";

fn org_session(role: &str, per: &str, fpm: &str) -> String {
    let mut p = session();
    p["o"] = json!({"id": "org_1", "rol": role, "slg": "acme", "per": per, "fpm": fpm});
    p["fea"] = json!("o:billing,o:reports");
    rs256(&header(), &p)
}

async fn reports(auth: Auth) -> Result<HttpResponse, clerk_claims_runtime::actix::AuthRejection> {
    auth.require_permission("org:reports:read")?;
    Ok(HttpResponse::Ok().body("reports"))
}

#[actix_web::test]
async fn the_middleware_extractors_and_guards_answer_as_the_axum_ones_do() {
    let suffix = PublishableKey::parse(PK).unwrap().cookie_suffix();
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(verifier()).cookie_suffix(suffix.clone()).protect(["/private/*"]))
            .route(
                "/me",
                web::get()
                    .to(|auth: Auth| async move { HttpResponse::Ok().json(json!({"user": auth.user_id()})) }),
            )
            .route(
                "/public",
                web::get().to(|auth: Option<Auth>| async move { format!("{}", auth.is_some()) }),
            )
            .route("/reports", web::get().to(reports))
            .route("/private/area", web::get().to(|| async { "private" }))
            .service(web::resource("/admin").wrap(Require::role("org:admin")).to(|| async { "admin" }))
            .service(web::resource("/org").wrap(Require::organization()).to(|| async { "org" })),
    )
    .await;
    let call = |path: &str, headers: Vec<(&'static str, String)>| {
        let mut request = test::TestRequest::get().uri(path);
        for (name, value) in headers {
            request = request.insert_header((name, value));
        }
        request.to_request()
    };
    let bearer = |t: &str| vec![("authorization", format!("Bearer {t}"))];

    let response = test::call_service(&app, call("/me", vec![])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers().get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body, json!({"error": "session-token-missing"}));

    let response = test::call_service(&app, call("/me", bearer(&valid()))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["user"], "user_1");

    let expired = verifier().now(NOW + 3600).verify_session::<SessionClaims>(&valid()).unwrap_err().reason;
    assert_eq!(expired.code(), "token-expired");
    let response = test::call_service(&app, call("/me", bearer("not.a.token"))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response.headers().get(header::WWW_AUTHENTICATE).unwrap().to_str().unwrap().contains("invalid_token")
    );

    let cookie = vec![("cookie", format!("__session_{suffix}={}", valid()))];
    assert_eq!(test::call_service(&app, call("/me", cookie)).await.status(), StatusCode::OK);

    let public = test::call_and_read_body(&app, call("/public", vec![])).await;
    assert_eq!(public, "false");
    let public = test::call_and_read_body(&app, call("/public", bearer("garbage"))).await;
    assert_eq!(public, "false", "a bad token on a public route is signed out");

    assert_eq!(
        test::call_service(&app, call("/private/area", vec![])).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        test::call_service(&app, call("/private/area", bearer(&valid()))).await.status(),
        StatusCode::OK
    );

    let member = org_session("member", "read", "1,1");
    let admin = org_session("admin", "manage,read", "3,1");
    let response = test::call_service(&app, call("/admin", bearer(&member))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers().get(header::WWW_AUTHENTICATE).unwrap(),
        "Bearer error=\"insufficient_scope\", error_description=\"role-required\""
    );
    assert_eq!(test::call_service(&app, call("/admin", bearer(&admin))).await.status(), StatusCode::OK);
    assert_eq!(
        test::call_service(&app, call("/org", bearer(&valid()))).await.status(),
        StatusCode::FORBIDDEN
    );
    // `org:reports:read` is the member's (mask 1 over `read`), not the admin's (mask 1 over `manage,read` is `manage`).
    assert_eq!(test::call_service(&app, call("/reports", bearer(&member))).await.status(), StatusCode::OK);
    let response = test::call_service(&app, call("/reports", bearer(&admin))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body, json!({"error": "permission-required"}));
    assert_eq!(test::call_service(&app, call("/admin", vec![])).await.status(), StatusCode::UNAUTHORIZED);
}
