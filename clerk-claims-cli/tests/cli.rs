//! The CLI contract: exit codes, rustc-style diagnostics, rendering and scaffolding.

use clerk_claims_runtime::SessionClaims;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn clerk_claims(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clerk-claims")).args(args).current_dir(cwd).output().unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_defaults_to_templates_and_passes_on_the_presets() {
    let out = clerk_claims(&["check"], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("checked 11 template files: 0 errors, 0 warnings"));
}

#[test]
fn check_prints_rustc_style_diagnostics_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{\n  \"email\": \"{{user.email}}\"\n}\n").unwrap();
    let out = clerk_claims(&["check", "bad.json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    let expected =
        "error[unknown-shortcode]: unknown shortcode `user.email`: Clerk would silently render null
 --> bad.json:2:15
  |
2 |   \"email\": \"{{user.email}}\"
  |               ^^^^^^^^^^ not a Clerk shortcode
  |
  = help: did you mean `user.primary_email_address`?";
    assert!(text.contains(expected), "{text}");
    assert!(text.contains("1 error, 0 warnings"));
}

#[test]
fn warnings_do_not_fail_check() {
    let dir = tempfile::tempdir().unwrap();
    let claims: Vec<String> = (0..10).map(|i| format!("\"n{i}\": \"{{{{user.full_name}}}}\"")).collect();
    std::fs::write(dir.path().join("big.json"), format!("{{{}}}", claims.join(","))).unwrap();
    let out = clerk_claims(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning[size]"));
}

#[test]
fn duplicate_names_across_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["a.json", "b.json"] {
        std::fs::write(dir.path().join(file), "{\"name\": \"same\", \"claims\": {}}").unwrap();
    }
    let out = clerk_claims(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("error[duplicate-name]: a template named `same` is already defined in ./a.json"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--> ./b.json:1:10"));

    // Two names, one generated type: `check` refuses what `generate` could not write.
    let dir = tempfile::tempdir().unwrap();
    for (file, name) in [("a.json", "first"), ("b.json", "second")] {
        let text =
            format!("{{\"name\": \"{name}\", \"claims\": {{}}, \"rust\": {{\"type\": \"SameClaims\"}}}}");
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let out = clerk_claims(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the generated type `SameClaims` is also generated for ./a.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_input_gets_a_clear_error_and_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("latin1.json"), b"{\"name\": \"caf\xe9\"}").unwrap();
    std::fs::write(p.join("huge.json"), vec![b' '; 50 * 1024 * 1024]).unwrap();
    std::fs::write(p.join("deep.json"), format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))).unwrap();
    for (file, message) in [
        ("latin1.json", "error[io]: the file is not valid UTF-8"),
        ("huge.json", "is larger than 1024 KiB"),
        ("deep.json", "error[too-deep]: JSON nested more than 128 levels deep"),
    ] {
        let out = clerk_claims(&["check", file], p);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(stderr(&out).contains(message), "{file}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    let out = clerk_claims(&["check", "no-such-dir"], p);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("error: no-such-dir: no such file or directory"));
}

#[test]
fn render_prints_the_claims_clerk_would_render() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("ctx.json"), r#"{"user": {"id": "user_1", "primary_email_address": "a@b.c"}}"#)
        .unwrap();
    let template = repo().join("templates/supabase.json");
    let out = clerk_claims(&["render", "--template", template.to_str().unwrap(), "--context", "ctx.json"], p);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rendered: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rendered,
        serde_json::json!({"aud": "authenticated", "email": "a@b.c", "role": "authenticated", "app_metadata": {}, "user_metadata": {}})
    );
}

#[test]
fn render_reports_broken_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("t.json"), r#"{"x": "{{user.id"}"#).unwrap();
    std::fs::write(p.join("ok.json"), r#"{"x": "{{user.id}}"}"#).unwrap();
    std::fs::write(p.join("ctx.json"), "{}").unwrap();
    std::fs::write(p.join("array.json"), "[]").unwrap();
    let out = clerk_claims(&["render", "--template", "t.json", "--context", "ctx.json"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error[malformed-expression]"));
    let out = clerk_claims(&["render", "--template", "ok.json", "--context", "array.json"], p);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the context is a JSON object"));
    let out = clerk_claims(&["render", "--template", "ok.json", "--context", "missing.json"], p);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn new_writes_a_preset_and_its_setup_sheet_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let out = clerk_claims(&["new", "hasura"], p);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(p.join("templates/hasura.json")).unwrap();
    assert_eq!(written, std::fs::read_to_string(repo().join("templates/hasura.json")).unwrap());
    let sheet = std::fs::read_to_string(p.join("templates/hasura.setup.md")).unwrap();
    assert!(sheet.contains("JWT templates") && sheet.contains("Token lifetime: 60 seconds"));

    std::fs::write(p.join("templates/hasura.json"), "mine").unwrap();
    let out = clerk_claims(&["new", "hasura"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists") && stderr(&out).contains("--force"));
    assert_eq!(std::fs::read_to_string(p.join("templates/hasura.json")).unwrap(), "mine");

    let out = clerk_claims(&["new", "hasura", "--force"], p);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(p.join("templates/hasura.json")).unwrap(), written);
}

#[test]
fn new_with_a_name_and_dir() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let out = clerk_claims(&["new", "supabase", "--dir", "auth", "--name", "db"], p);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("auth/db.json")).unwrap()).unwrap();
    assert_eq!(written["name"], "db");
    assert_eq!(written["signing_key_env"], "SUPABASE_JWT_SECRET");
    assert!(written["rust"].get("type").is_none());
    let sheet = std::fs::read_to_string(p.join("auth/db.setup.md")).unwrap();
    assert!(sheet.contains("Custom signing key") && sheet.contains("SUPABASE_JWT_SECRET"));
    // Every preset is available and passes check.
    for preset in
        ["default", "custom", "blank", "nhost", "convex", "grafbase", "fauna", "session", "supabase-session"]
    {
        let out = clerk_claims(&["new", preset, "--dir", "all"], p);
        assert_eq!(out.status.code(), Some(0), "{preset}: {}", stderr(&out));
    }
    let out = clerk_claims(&["check", "all"], p);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = clerk_claims(&["new", "nonsense"], p);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn generate_writes_artifacts_and_check_names_stale_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("templates")).unwrap();
    std::fs::copy(repo().join("templates/hasura.json"), p.join("templates/hasura.json")).unwrap();
    let out = clerk_claims(&["generate"], p);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for file in ["clerk_claims.rs", "hasura.dashboard.json", "hasura.schema.json", "hasura.setup.md"] {
        assert!(p.join("templates/generated").join(file).is_file(), "{file}");
    }
    let out = clerk_claims(&["generate", "--check"], p);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    std::fs::write(p.join("templates/hasura.json"), r#"{"name": "hasura", "claims": {"x": "{{user.id}}"}}"#)
        .unwrap();
    let out = clerk_claims(&["generate", "--check"], p);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("hasura.dashboard.json") && text.contains("clerk_claims.rs"), "{text}");
    assert!(text.contains("run `clerk-claims generate`"));

    let out = clerk_claims(&["generate", "--templates", "nowhere"], p);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(p.join("templates/bad.json"), r#"{"x": "{{user.emial}}"}"#).unwrap();
    let out = clerk_claims(&["generate", "--out", "elsewhere"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.json:1:10: error[unknown-shortcode]"), "{}", stderr(&out));
    assert!(!p.join("elsewhere").exists());
}

fn vectors(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/clerk").join(path)
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_clerk-claims"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn verify_exit_codes_and_output() {
    let token = std::fs::read_to_string(vectors("tokens/mock_jwt.jwt")).unwrap();
    let jwks = vectors("jwks/mock_jwks.json");
    let jwks = jwks.to_str().unwrap();
    let ok = clerk_claims(&["verify", &token, "--jwks", jwks, "--now", "1666648250"], &repo());
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let payload: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(payload["sub"], "user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr");

    let stdin =
        run_with_stdin(&["verify", "-", "--jwks", jwks, "--now", "1666648250", "--kind", "session"], &token);
    assert_eq!(stdin.status.code(), Some(0), "{}", stderr(&stdin));

    let expired = clerk_claims(&["verify", &token, "--jwks", jwks, "--now", "1666651850"], &repo());
    assert_eq!(expired.status.code(), Some(1));
    assert!(stderr(&expired).starts_with("error: token-expired: JWT is expired."), "{}", stderr(&expired));
    assert!(expired.stdout.is_empty());

    let azp = clerk_claims(
        &[
            "verify",
            &token,
            "--jwks",
            jwks,
            "--now",
            "1666648250",
            "--authorized-party",
            "https://other.example",
        ],
        &repo(),
    );
    assert_eq!(azp.status.code(), Some(1));
    assert!(stderr(&azp).starts_with("error: token-invalid-authorized-parties:"));

    let iss = clerk_claims(
        &["verify", &token, "--jwks", jwks, "--now", "1666648250", "--issuer", "https://clerk.other.dev"],
        &repo(),
    );
    assert!(stderr(&iss).starts_with("error: token-invalid-issuer:"), "{}", stderr(&iss));

    let template = clerk_claims(
        &["verify", &token, "--jwks", jwks, "--now", "1666648250", "--kind", "template"],
        &repo(),
    );
    assert!(stderr(&template).starts_with("error: token-type-mismatch:"), "{}", stderr(&template));

    let pem = vectors("keys/instance_rs256_public_spki.pem");
    let with_pem =
        clerk_claims(&["verify", &token, "--pem", pem.to_str().unwrap(), "--now", "1666648250"], &repo());
    assert_eq!(with_pem.status.code(), Some(0), "{}", stderr(&with_pem));
    let other = vectors("keys/other_rs256_public_spki.pem");
    let wrong =
        clerk_claims(&["verify", &token, "--pem", other.to_str().unwrap(), "--now", "1666648250"], &repo());
    assert!(stderr(&wrong).starts_with("error: token-invalid-signature: JWT signature is invalid."));
}

#[test]
fn verify_usage_errors_exit_2() {
    let token = std::fs::read_to_string(vectors("tokens/mock_jwt.jwt")).unwrap();
    for args in [
        vec!["verify", token.as_str()],
        vec!["verify", token.as_str(), "--jwks", "missing.json"],
        vec!["verify", token.as_str(), "--pem", "Cargo.toml"],
        vec!["verify", token.as_str(), "--secret", "Cargo.toml", "--alg", "XS999"],
        vec!["verify", token.as_str(), "--jwks", "a", "--pem", "b"],
        vec!["verify", "", "--jwks", "a"],
    ] {
        let out = clerk_claims(&args, &repo());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn verify_checks_a_templates_constant_claims() {
    // An HS256 token whose `aud` is not the template's.
    use base64::Engine;
    let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let secret = b"0123456789abcdef0123456789abcdef";
    let mint = |aud: &str| {
        let input = format!(
            "{}.{}",
            b64(&serde_json::json!({"alg": "HS256", "typ": "JWT"})),
            b64(
                &serde_json::json!({"sub": "user_1", "exp": 2_000_000_000, "iat": 1_000, "aud": aud, "role": "authenticated",
                "email": null, "app_metadata": {}, "user_metadata": {}})
            )
        );
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
        let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
        format!("{input}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref()))
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret"), secret).unwrap();
    let template = repo().join("templates/supabase.json");
    let args = |token: &str| {
        vec![
            "verify".to_string(),
            token.to_string(),
            "--secret".into(),
            "secret".into(),
            "--template".into(),
            template.display().to_string(),
        ]
    };
    let good = mint("authenticated");
    let out = Command::new(env!("CARGO_BIN_EXE_clerk-claims"))
        .args(args(&good))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bad = mint("someone-else");
    let out = Command::new(env!("CARGO_BIN_EXE_clerk-claims"))
        .args(args(&bad))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(
            "error: token-verification-failed: Invalid JWT audience claim (aud) \"someone-else\""
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn decode_marks_the_output_unverified() {
    let token = std::fs::read_to_string(vectors("derived/synthetic/v2_session_with_org.jwt")).unwrap();
    let out = clerk_claims(&["decode", &token], &repo());
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("UNVERIFIED"));
    assert!(text.contains("\"cat\": \"cl_B7d4PD111AAA\"") && text.contains("expires:"));
    let out = clerk_claims(&["decode", "not-a-token"], &repo());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: token-invalid:"));
}

/// Serves `body` over HTTP on 127.0.0.1 for as long as the test runs; returns the URL.
fn serve_forever(body: String) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let date = httpdate::fmt_http_date(std::time::SystemTime::now());
            let head = format!(
                "HTTP/1.1 200 OK\r\ndate: {date}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let head_only = request.starts_with(b"HEAD");
            let _ = stream.write_all(head.as_bytes());
            if !head_only {
                let _ = stream.write_all(body.as_bytes());
            }
        }
    });
    url
}

#[test]
fn verify_fetches_a_jwks_url() {
    let url = serve_forever(std::fs::read_to_string(vectors("jwks/mock_jwks.json")).unwrap());
    let token = std::fs::read_to_string(vectors("tokens/mock_jwt.jwt")).unwrap();
    let out = clerk_claims(&["verify", &token, "--jwks", &url, "--now", "1666648250"], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = clerk_claims(
        &["verify", &token, "--jwks", "http://127.0.0.1:1/jwks.json", "--now", "1666648250"],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: jwk-remote-failed-to-load:"), "{}", stderr(&out));
}

#[test]
fn doctor_checks_the_environment() {
    let url = serve_forever(std::fs::read_to_string(vectors("jwks/mock_jwks.json")).unwrap());
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_clerk-claims"));
        cmd.arg("doctor").env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let pk = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
    let good = run(&[
        ("CLERK_PUBLISHABLE_KEY", pk),
        ("CLERK_SECRET_KEY", "sk_test_abc"),
        ("CLERK_JWKS_URL", &url),
        ("CLERK_AUTHORIZED_PARTIES", "https://app.example.com"),
    ]);
    let text = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{text}");
    assert!(text.contains("JWKS reachable") && text.contains("clock within 5 s"), "{text}");

    let bad = run(&[
        ("CLERK_PUBLISHABLE_KEY", pk),
        ("CLERK_SECRET_KEY", "sk_live_abc"),
        ("CLERK_JWT_KEY", "not a key"),
        ("CLERK_AUTHORIZED_PARTIES", "app.example.com"),
        ("CLERK_JWKS_URL", "http://127.0.0.1:1/jwks.json"),
    ]);
    let text = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1));
    for problem in ["different instances", "CLERK_JWT_KEY", "not an origin", "JWKS http://127.0.0.1:1"] {
        assert!(text.contains(problem), "{problem}: {text}");
    }
    let invalid = run(&[("CLERK_PUBLISHABLE_KEY", "pk_live_nope")]);
    assert_eq!(invalid.status.code(), Some(1));
}

#[test]
fn configure_writes_clerk_toml_and_a_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let out = clerk_claims(
        &["configure", "--preset", "production", "--inactivity-timeout", "2h", "--multi-session"],
        p,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(p.join("clerk.toml")).unwrap();
    assert!(
        text.contains("maximum_lifetime = 604800") && text.contains("inactivity_timeout = 7200"),
        "{text}"
    );
    assert!(text.contains("multi_session = true") && text.contains("refresh_interval = 50"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Maximum lifetime: 7d") && stdout.contains("Inactivity timeout: on, 2h"),
        "{stdout}"
    );

    let again = clerk_claims(&["configure", "--preset", "development"], p);
    assert_eq!(again.status.code(), Some(1), "refuses to overwrite");
    let forced = clerk_claims(&["configure", "--preset", "development", "--force"], p);
    assert_eq!(forced.status.code(), Some(0));
    assert!(std::fs::read_to_string(p.join("clerk.toml")).unwrap().contains("multi_session = true"));

    for (args, message) in [
        (vec!["configure", "--max-lifetime", "1m", "--out", "x.toml"], "Clerk accepts 5m to 10 years"),
        (
            vec!["configure", "--max-lifetime", "1h", "--inactivity-timeout", "2h", "--out", "x.toml"],
            "shorter than the maximum lifetime",
        ),
        (vec!["configure", "--preset", "lax", "--out", "x.toml"], "unknown preset"),
        (vec!["configure", "--inactivity-timeout", "soon", "--out", "x.toml"], "not a duration"),
    ] {
        let out = clerk_claims(&args, p);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(!p.join("x.toml").exists());
    }
}

mod typed {
    clerk_claims_runtime::clerk_template!("../templates/custom.json");
    clerk_claims_runtime::clerk_template!("../templates/session.json");
}

#[test]
fn verify_template_accepts_exactly_what_the_generated_type_accepts() {
    use clerk_claims_dev::{SigningKey, Subject, TemplateSpec, session_token_customized, template_token};
    use clerk_claims_runtime::Verifier;
    use serde_json::json;

    let key = SigningKey::development();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jwks.json"), key.jwks_json().to_string()).unwrap();
    let now = 1_700_000_000;
    let subject = Subject {
        issuer: "http://127.0.0.1:4780".into(),
        user_id: "user_1".into(),
        session_id: "sess_1".into(),
        ..Subject::default()
    };
    let user = |extra: serde_json::Value| {
        let mut user = json!({"id": "user_1", "image_url": "https://img.clerk.com/x", "two_factor_enabled": false,
                              "public_metadata": {}});
        user.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        user
    };
    let org = json!({"id": "org_1", "slug": "acme", "role": "org:admin", "public_metadata": {}});
    // From a new user to users whose metadata does not hold what the template declares.
    let contexts = [
        (json!({"user": user(json!({}))}), true),
        (json!({"user": user(json!({})), "org": org, "org_membership": {"permissions": []}}), true),
        (
            json!({"user": user(json!({"primary_email_address": "a@b.c", "public_metadata": {"role": "admin", "features": ["beta"]}})),
                "org": {"id": "org_1", "public_metadata": {"plan": "pro", "seats": 3}}}),
            true,
        ),
        (json!({"user": user(json!({"public_metadata": {"features": "beta"}}))}), false),
        (json!({"user": user(json!({"public_metadata": {"features": [1, 2]}}))}), false),
        (json!({"user": user(json!({"public_metadata": {"role": 5}}))}), false),
        (
            json!({"user": user(json!({"public_metadata": {"role": "member"}})), "org": {"id": "org_1", "public_metadata": {"seats": "many"}}}),
            false,
        ),
        (
            json!({"user": user(json!({"public_metadata": {"role": true, "onboarding_complete": "yes"}}))}),
            false,
        ),
    ];
    let cli = |token: &str, template: &str| {
        let out = clerk_claims(
            &[
                "verify",
                token,
                "--jwks",
                "jwks.json",
                "--issuer",
                "http://127.0.0.1:4780",
                "--now",
                &now.to_string(),
                "--template",
                &repo().join(template).display().to_string(),
            ],
            dir.path(),
        );
        assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
        (out.status.code() == Some(0), stderr(&out))
    };
    let verifier = Verifier::new(key.jwks()).issuer("http://127.0.0.1:4780").now(now);
    let custom = clerk_claims_codegen::check_file(&repo().join("templates/custom.json")).template.unwrap();
    let spec =
        TemplateSpec { claims: custom.claims_json(), lifetime: 300, allowed_clock_skew: 5, custom_key: None };
    let session = clerk_claims_codegen::check_file(&repo().join("templates/session.json")).template.unwrap();
    let mut rejected = 0;
    for (context, fits) in &contexts {
        let token = template_token(&key, &spec, context, &subject, now).unwrap();
        let typed = verifier.verify_template::<typed::CustomClaims>(&token);
        let (accepted, message) = cli(&token, "templates/custom.json");
        assert_eq!(accepted, typed.is_ok(), "custom, {context}: cli {message:?}, typed {typed:?}");
        let token =
            session_token_customized(&key, &subject, Some(&session.claims_json()), context, now, 60).unwrap();
        let typed_session = verifier.verify_session::<SessionClaims<typed::SessionCustomClaims>>(&token);
        let (accepted_session, message_session) = cli(&token, "templates/session.json");
        assert_eq!(
            accepted_session,
            typed_session.is_ok(),
            "session, {context}: cli {message_session:?}, typed {typed_session:?}"
        );
        if !fits {
            assert!(typed.is_err() || typed_session.is_err(), "{context} should not fit");
        }
        for message in [message, message_session].iter().filter(|m| !m.is_empty()) {
            assert!(message.starts_with("error: claims-invalid: claim `/"), "{message}");
            rejected += 1;
        }
    }
    assert!(rejected >= 5, "the misfits were refused and named");
}

#[test]
fn a_public_key_is_refused_as_an_hmac_secret() {
    let pem = vectors("keys/instance_rs256_public_spki.pem");
    let token = std::fs::read_to_string(vectors("tokens/mock_jwt.jwt")).unwrap();
    let out = run_with_stdin(&["verify", "--secret", pem.to_str().unwrap()], &token);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a secret") && stderr(&out).contains("--pem"), "{}", stderr(&out));
}

#[test]
fn dates_past_the_year_9999_are_shown_never_a_panic() {
    use base64::Engine;
    let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let token = format!(
        "{}.{}.c2ln",
        b64(&serde_json::json!({"alg": "RS256"})),
        b64(&serde_json::json!({"sub": "u", "exp": 253_402_300_800i64, "iat": i64::MIN, "nbf": i64::MAX}))
    );
    // From standard input, as a token should come.
    let out = run_with_stdin(&["decode"], &token);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("253402300800 (after the year 9999)") && text.contains("(before 1970)"), "{text}");

    let valid = std::fs::read_to_string(vectors("tokens/mock_jwt.jwt")).unwrap();
    let jwks = vectors("jwks/mock_jwks.json");
    let out = run_with_stdin(&["verify", "--jwks", jwks.to_str().unwrap(), "--now", "253402300800"], &valid);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: token-expired:") && stderr(&out).contains("after the year 9999")
    );
}

#[test]
fn clerk_toml_configures_the_verifier_and_the_layer_and_doctor_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let out = clerk_claims(
        &[
            "configure",
            "--preset",
            "production",
            "--authorized-party",
            "https://app.example.com",
            "--protect",
            "/admin/*",
            "--clock-skew",
            "10",
        ],
        p,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = p.join("clerk.toml");
    let config = clerk_claims_runtime::instance::InstanceConfig::from_lookup_and_file(
        |name| {
            (name == "CLERK_PUBLISHABLE_KEY")
                .then(|| "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA".into())
        },
        Some(&path),
    )
    .unwrap();
    assert_eq!(config.authorized_parties, ["https://app.example.com"]);
    assert_eq!(
        (config.clock_skew, config.protected_paths.as_slice()),
        (Some(10), &["/admin/*".to_string()][..])
    );

    let doctor = Command::new(env!("CARGO_BIN_EXE_clerk-claims"))
        .arg("doctor")
        .current_dir(p)
        .env("CLERK_PUBLISHABLE_KEY", "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA")
        .env("CLERK_JWKS_URL", "http://127.0.0.1:9/jwks.json")
        .env_remove("CLERK_AUTHORIZED_PARTIES")
        .env_remove("CLERK_CONFIG")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert!(report.contains("ok      read clerk.toml"), "{report}");
    assert!(report.contains("ok      authorized party https://app.example.com"), "{report}");
    assert!(
        report.contains("ok      clock skew 10 s") && report.contains("protected paths: /admin/*"),
        "{report}"
    );

    for help in ["push", "pull", "diff"] {
        let out = clerk_claims(&[help, "--help"], p);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("CLERK_SECRET_KEY") && text.contains("CLERK_API_URL"), "{help}: {text}");
    }
}
