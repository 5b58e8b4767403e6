//! The dev issuer's dashboard: over HTTP (the loopback guard, Clerk-shaped errors on the page, a
//! bad form never touching the fixtures file) and in a real headless Chromium
//! (`tests/node/dashboard.test.mjs`, playwright-core with Debian's `chromium`). `.ci/run` installs
//! both; outside CI, without them, the browser test says so and passes.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use clerk_claims_dev::DevIssuer;
use serde_json::json;

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn forms_answer_bad_input_with_clerks_error_and_leave_the_fixtures_alone() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = dir.path().join("state.json");
    let issuer = DevIssuer::builder().fixtures(&fixtures).start().await.unwrap();
    let base = issuer.info().issuer.clone();
    let user =
        issuer.create_user(json!({"first_name": "Ada", "email_address": ["ada@example.com"]})).unwrap();
    let before = std::fs::read(&fixtures).unwrap();

    let post = |path: &str, form: &[(&str, &str)]| client().post(format!("{base}{path}")).form(form).send();
    for (path, form, status, code) in [
        ("/users", vec![("public_metadata", "[1]")], 422, "form_param_value_invalid"),
        ("/users", vec![("email_address", "ada@example.com")], 422, "form_identifier_exists"),
        ("/users", vec![("email_address", "not-an-email")], 422, "form_param_format_invalid"),
        ("/organizations", vec![("slug", "no-name")], 422, "form_param_missing"),
        ("/users/user_nope/metadata", vec![("public_metadata", "{}")], 404, "resource_not_found"),
        ("/sessions/sess_nope/revoke", vec![], 404, "resource_not_found"),
        ("/sessions/sess_nope/tokens", vec![], 404, "resource_not_found"),
        (
            &format!("/users/{user}/metadata"),
            vec![("public_metadata", "{not json")],
            422,
            "form_param_value_invalid",
        ),
        (&format!("/users/{user}/sessions"), vec![("organization", "org_nope")], 404, "resource_not_found"),
    ] {
        let response = post(path, &form).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path} {form:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains(code), "{path} {form:?}: the page shows `{code}`:\n{page}");
        assert!(page.contains("role=\"alert\""), "{path}: shown as an error");
    }
    assert_eq!(std::fs::read(&fixtures).unwrap(), before, "a refused form changes nothing");

    // A template with an error is not saved: the diagnostic is on the page, with a 422.
    let response =
        post("/templates", &[("text", r#"{"name": "api", "claims": {"sub": "x"}}"#), ("action", "save")])
            .await
            .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("reserved-claim"));
    assert_eq!(std::fs::read(&fixtures).unwrap(), before);

    // Values from the store are escaped: metadata cannot become markup.
    let metadata = r#"{"bio": "<script>alert(1)</script>"}"#;
    let response = post(&format!("/users/{user}/metadata"), &[("public_metadata", metadata)]).await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let page = client().get(format!("{base}/users/{user}")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("<script>alert"), "escaped");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(
        issuer.backend().get_user(&user).await.unwrap().public_metadata["bio"],
        "<script>alert(1)</script>"
    );
}

#[tokio::test]
async fn only_loopback_hosts_and_its_own_forms_reach_the_dashboard() {
    let issuer = DevIssuer::start().await.unwrap();
    let base = issuer.info().issuer.clone();
    let port = base.rsplit(':').next().unwrap().to_string();
    let get = |host: String| client().get(format!("{base}/users")).header("host", host).send();
    assert_eq!(get(format!("127.0.0.1:{port}")).await.unwrap().status(), 200);
    assert_eq!(get(format!("localhost:{port}")).await.unwrap().status(), 200);
    // A rebinding DNS name that resolves to 127.0.0.1 is not this machine's browser tab.
    assert_eq!(get(format!("attacker.example:{port}")).await.unwrap().status(), 403);

    let create = |origin: Option<&str>| {
        let request = client().post(format!("{base}/users")).form(&[("first_name", "Eve")]);
        match origin {
            Some(origin) => request.header("origin", origin),
            None => request,
        }
        .send()
    };
    let refused = create(Some("https://attacker.example")).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("only from its own pages"));
    assert_eq!(issuer.state(), clerk_claims_dev::State::default(), "nothing was created");
    assert_eq!(create(Some(&base)).await.unwrap().status(), 303);
    assert_eq!(create(None).await.unwrap().status(), 303, "curl and tests send no Origin");

    let page = client().get(format!("{base}/")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let page = page.text().await.unwrap();
    assert!(page.contains(&issuer.info().jwks_url));
    assert!(!page.contains(&issuer.info().secret_key), "the secret key is not shown");
    // What axum cannot read (an id that is not UTF-8, a body that is not a form) is the error page
    // here and Clerk's envelope in the Backend API, never axum's plain text (a fuzzing finding).
    let response = client().get(format!("{base}/users/%FF")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("role=\"alert\""));
    let response = client()
        .post(format!("{base}/users"))
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert!(response.text().await.unwrap().contains("request_body_invalid"));
    let response = client()
        .get(format!("{base}/v1/users/%FF"))
        .bearer_auth(&issuer.info().secret_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["errors"][0]["code"], "request_path_invalid");
    // The Backend API is unchanged beside it.
    assert_eq!(client().get(format!("{base}/v1/users")).send().await.unwrap().status(), 401);
}

fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node")
}

/// Debian's `chromium`, or the one `CHROMIUM` names.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().map(PathBuf::from).find(|p| p.exists())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_works_in_a_real_browser() {
    let dir = node_dir();
    let (Some(browser), true) = (chromium(), dir.join("node_modules/playwright-core/package.json").exists())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs Debian's chromium and runs `npm ci --prefix tests/node` first"
        );
        eprintln!(
            "skipped: install chromium (apt-get install chromium) and run `npm ci --prefix tests/node`"
        );
        return;
    };
    let issuer = DevIssuer::start().await.unwrap();
    let base = issuer.info().issuer.clone();
    let screenshot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard-sessions.png");
    let run = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1", "dashboard.test.mjs"])
            .current_dir(dir)
            .env("DASHBOARD_URL", base)
            .env("CHROMIUM", browser)
            .env("SCREENSHOT", &screenshot)
            .env("NODE_OPTIONS", "")
            .output()
    });
    let output = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("the browser suite finishes within three minutes")
        .unwrap()
        .expect("node runs (Node.js 20 or newer)");
    let report =
        format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the browser suite failed:\n{report}");
    assert!(report.contains("pass 4") && report.contains("fail 0"), "every test of the suite ran:\n{report}");
    // What the browser did is in the state the issuer holds.
    let state = serde_json::to_value(issuer.state()).unwrap();
    assert_eq!(state["users"].as_array().unwrap().len(), 1);
    assert_eq!(state["sessions"].as_array().unwrap().len(), 2);
    assert!(state["sessions"].as_array().unwrap().iter().all(|s| s["status"] == "revoked"));
    assert_eq!(state["jwt_templates"][0]["claims"]["role"], "{{user.public_metadata.role}}");
}
