//! `mint`, `dev`, and `push` / `pull` / `diff` against the dev issuer over loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use clerk_claims_dev::{DevIssuer, SigningKey};
use serde_json::{Value, json};

fn clerk_claims(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clerk-claims"));
    command.args(args).current_dir(cwd).env_remove("CLERK_SECRET_KEY").env_remove("CLERK_API_URL");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

const CONTEXT: &str = r#"{
  "user": {"id": "user_2abc", "primary_email_address": "ada@example.com", "full_name": "Ada Lovelace",
           "two_factor_enabled": true, "public_metadata": {"role": "admin", "features": ["beta"]}},
  "org": {"id": "org_1", "slug": "acme", "role": "org:admin", "public_metadata": {"plan": "pro"}},
  "org_membership": {"permissions": ["org:billing:manage"]}
}"#;

#[test]
fn mint_signs_tokens_that_verify_accepts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("context.json"), CONTEXT).unwrap();
    let jwks = write(dir.path(), "jwks.json", &SigningKey::development().jwks_json());
    let issuer = "https://clerk.example.test";

    // A JWT template (a bundled preset by name): a template token.
    let out = clerk_claims(
        &[
            "mint",
            "--template",
            "custom",
            "--context",
            "context.json",
            "--now",
            "1700000000",
            "--issuer",
            issuer,
        ],
        dir.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("DEVELOPMENT-ONLY"), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    // The development key's private half is public: a non-loopback issuer refuses it by default.
    let refused = clerk_claims(
        &["verify", "--jwks", &jwks, "--issuer", issuer, "--now", "1700000001", &token],
        dir.path(),
        &[],
    );
    assert!(text(&refused.stderr).starts_with("error: jwk-development-key:"), "{}", text(&refused.stderr));
    let verify = |token: &str, kind: &str| {
        clerk_claims(
            &[
                "verify",
                "--jwks",
                &jwks,
                "--issuer",
                issuer,
                "--allow-development-key",
                "--now",
                "1700000001",
                "--kind",
                kind,
                token,
            ],
            dir.path(),
            &[],
        )
    };
    let out = verify(&token, "template");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let payload: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (payload["sub"].as_str(), payload["email"].as_str()),
        (Some("user_2abc"), Some("ada@example.com"))
    );
    assert_eq!(
        (payload["tenant"]["plan"].as_str(), payload["exp"].as_i64()),
        (Some("pro"), Some(1_700_000_300))
    );
    assert!(payload.get("sid").is_none());
    assert_eq!(verify(&token, "session").status.code(), Some(1), "a template token is not a session token");

    // A session customization (a file): a v2 session token with `sid`, `o` and the custom claims.
    let session_template = repo().join("templates/session.json");
    let out = clerk_claims(
        &[
            "mint",
            "--template",
            session_template.to_str().unwrap(),
            "--context",
            "context.json",
            "--now",
            "1700000000",
            "--issuer",
            issuer,
            "--session-id",
            "sess_1",
            "--azp",
            "https://app.example.test",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = verify(text(&out.stdout).trim(), "session");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let payload: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((payload["sid"].as_str(), payload["v"].as_i64()), (Some("sess_1"), Some(2)));
    assert_eq!(
        (payload["azp"].as_str(), payload["email"].as_str()),
        (Some("https://app.example.test"), Some("ada@example.com"))
    );
    assert_eq!(
        payload["o"],
        json!({"id": "org_1", "slg": "acme", "rol": "admin", "per": "manage", "fpm": "1"})
    );
    assert_eq!(payload["fea"], "o:billing");

    // Another key, with its kid.
    let pem = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/clerk/keys/instance_rs256_private_pkcs8.pem");
    let out = clerk_claims(
        &[
            "mint",
            "--template",
            "hasura",
            "--context",
            "context.json",
            "--key",
            pem.to_str().unwrap(),
            "--kid",
            "k1",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("DEVELOPMENT-ONLY"));
    let header = text(&out.stdout).split('.').next().unwrap().to_string();
    assert!(header.len() > 10);

    // A custom-key template (Supabase) is signed with its key, from the variable it names.
    let secret = "super-secret-supabase-jwt-secret-with-at-least-32-bytes";
    std::fs::write(dir.path().join("secret.txt"), secret).unwrap();
    let mint_supabase = |env: &[(&str, &str)]| {
        clerk_claims(
            &["mint", "--template", "supabase", "--context", "context.json", "--issuer", issuer],
            dir.path(),
            env,
        )
    };
    let out = mint_supabase(&[("SUPABASE_JWT_SECRET", secret)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("DEVELOPMENT-ONLY"));
    let verified = clerk_claims(
        &[
            "verify",
            "--secret",
            "secret.txt",
            "--issuer",
            issuer,
            "--kind",
            "template",
            text(&out.stdout).trim(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).contains("\"aud\": \"authenticated\""));
    let out = mint_supabase(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("SUPABASE_JWT_SECRET"), "{}", text(&out.stderr));

    // Usage errors exit 2; template errors 1.
    std::fs::write(dir.path().join("no-user.json"), r#"{"user": {}}"#).unwrap();
    std::fs::write(dir.path().join("bad.json"), r#"{"email": "{{user.email}}"}"#).unwrap();
    for (args, code, message) in [
        (vec!["mint", "--template", "custom", "--context", "no-user.json"], 2, "no `user.id`"),
        (vec!["mint", "--template", "nope", "--context", "context.json"], 2, "neither a bundled preset"),
        (vec!["mint", "--template", "custom", "--context", "missing.json"], 2, "missing.json"),
        (
            vec!["mint", "--template", "custom", "--context", "context.json", "--key", "context.json"],
            2,
            "--kid",
        ),
        (
            vec![
                "mint",
                "--template",
                "custom",
                "--context",
                "context.json",
                "--key",
                "context.json",
                "--kid",
                "k",
            ],
            2,
            "RS256 needs an RSA private key in PEM",
        ),
        (vec!["mint", "--template", "bad.json", "--context", "context.json"], 1, "unknown shortcode"),
    ] {
        let out = clerk_claims(&args, dir.path(), &[]);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(message), "{args:?}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty());
    }
}

/// `GET path` over a plain TCP connection, with a bearer token if any; the response body.
fn http_get(host: &str, path: &str, bearer: Option<&str>) -> String {
    let mut stream = TcpStream::connect(host).unwrap();
    let auth = bearer.map(|b| format!("Authorization: Bearer {b}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default()
}

#[test]
fn dev_prints_its_urls_first_then_serves() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = dir.path().join("state.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_clerk-claims"))
        .args(["dev", "--port", "0", "--fixtures", fixtures.to_str().unwrap(), "--secret-key", "sk_test_cli"])
        .args(["--templates", repo().join("templates").to_str().unwrap()])
        .env("SUPABASE_JWT_SECRET", "super-secret-supabase-jwt-secret-with-at-least-32-bytes")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["api_url", "frontend_api", "issuer", "jwks_url", "publishable_key", "secret_key"]);
    assert_eq!(first["secret_key"], "sk_test_cli");
    assert!(first["publishable_key"].as_str().unwrap().starts_with("pk_test_"));
    let host = first["frontend_api"].as_str().unwrap().to_string();
    let jwks: Value = serde_json::from_str(&http_get(&host, "/.well-known/jwks.json", None)).unwrap();
    assert_eq!(jwks, SigningKey::development().jwks_json());
    let denied: Value = serde_json::from_str(&http_get(&host, "/v1/users", None)).unwrap();
    assert_eq!(denied["errors"][0]["code"], "authentication_invalid");
    // The JWT templates of --templates are served (the session customization is not one).
    let templates: Value =
        serde_json::from_str(&http_get(&host, "/v1/jwt_templates", Some("sk_test_cli"))).unwrap();
    let names: Vec<&str> =
        templates.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"custom") && names.contains(&"hasura"), "{names:?}");
    assert!(names.contains(&"supabase"), "a custom-key template with its key set: {names:?}");
    assert!(!names.contains(&"session"), "{names:?}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&fixtures).unwrap()).unwrap();
    assert_eq!(saved["session_claims"]["email"], "{{user.primary_email_address}}");
    // The log follows on stdout.
    let log: Vec<String> = lines.by_ref().take(5).map(Result::unwrap).collect();
    assert!(log.iter().any(|l| l.contains("DEVELOPMENT-ONLY")), "{log:#?}");
    assert!(log.iter().any(|l| l.contains("path=/v1/users") && l.contains("status=401")), "{log:#?}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn push_pull_and_diff_against_the_dev_issuer() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let issuer = runtime.block_on(DevIssuer::start()).unwrap();
    let env = [
        ("CLERK_SECRET_KEY", issuer.info().secret_key.as_str()),
        ("CLERK_API_URL", issuer.info().api_url.as_str()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("templates");
    std::fs::create_dir(&local).unwrap();
    for name in ["custom", "hasura", "session"] {
        std::fs::copy(repo().join(format!("templates/{name}.json")), local.join(format!("{name}.json")))
            .unwrap();
    }
    let run = |args: &[&str]| clerk_claims(args, dir.path(), &env);
    // `diff` of a directory: its exit code and what it printed.
    let diff = |templates: &str| {
        let out = run(&["diff", "--templates", templates]);
        (out.status.code().unwrap_or(-1), text(&out.stdout))
    };

    assert_eq!(
        diff("templates"),
        (1, "+ custom: only local (push creates it)\n+ hasura: only local (push creates it)\n".into())
    );

    let out = run(&["push", "--templates", "templates"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("created custom (jtmp_"), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("created hasura (jtmp_"));
    assert!(text(&out.stderr).contains("session-token customization"));
    assert_eq!(diff("templates").0, 0);

    // Key order does not matter; values do.
    let path = local.join("custom.json");
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let claims = file["claims"].as_object().unwrap().clone();
    let reversed: serde_json::Map<String, Value> = claims.into_iter().rev().collect();
    file["claims"] = Value::Object(reversed);
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    assert_eq!(diff("templates").0, 0);
    file["lifetime"] = json!(600);
    file["claims"]["tenant"]["plan"] = json!("{{org.public_metadata.plan || 'team'}}");
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    assert_eq!(
        diff("templates"),
        (1, "~ custom.claims.tenant.plan: local \"{{org.public_metadata.plan || 'team'}}\", remote \"{{org.public_metadata.plan || 'free'}}\"\n~ custom.lifetime: local 600, remote 300\n".into())
    );
    let out = run(&["push", "--templates", "templates"]);
    assert!(text(&out.stdout).contains("updated custom"), "{}", text(&out.stdout));
    assert_eq!(diff("templates").0, 0);

    // Pull writes template files that check clean and diff equal; the local `rust` section stays.
    let out = run(&["pull", "--templates", "pulled"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pulled: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("pulled/custom.json")).unwrap())
            .unwrap();
    assert_eq!((pulled["name"].as_str(), pulled["lifetime"].as_i64()), (Some("custom"), Some(600)));
    assert!(pulled.get("rust").is_none());
    assert_eq!(run(&["check", "pulled"]).status.code(), Some(0));
    assert_eq!(diff("pulled").0, 0);
    let out = run(&["pull", "--templates", "templates"]);
    assert!(text(&out.stdout).contains("custom.json"), "{}", text(&out.stdout));
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(kept["rust"]["type"], "CustomClaims");

    // A template deleted on the instance shows as only local; no secret key is a usage error.
    let api = issuer.backend();
    let remote = runtime.block_on(api.list_jwt_templates()).unwrap();
    let hasura = remote.iter().find(|t| t.name == "hasura").unwrap();
    runtime.block_on(api.delete_jwt_template(&hasura.id)).unwrap();
    assert_eq!(diff("templates"), (1, "+ hasura: only local (push creates it)\n".into()));
    let out = clerk_claims(&["push", "--templates", "templates"], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("CLERK_SECRET_KEY"));
}

#[test]
fn the_printed_keys_configure_doctor_for_the_dev_issuer() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let issuer = runtime.block_on(DevIssuer::start()).unwrap();
    let info = issuer.info();
    // Exactly what `dev --print-env` prints, nothing else.
    let env = [
        ("CLERK_PUBLISHABLE_KEY", info.publishable_key.as_str()),
        ("CLERK_SECRET_KEY", info.secret_key.as_str()),
        ("CLERK_API_URL", info.api_url.as_str()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_clerk-claims"));
    command.arg("doctor").current_dir(dir.path());
    for name in ["CLERK_JWT_KEY", "CLERK_JWKS_URL", "CLERK_ISSUER", "CLERK_AUTHORIZED_PARTIES"] {
        command.env_remove(name);
    }
    let out = command.envs(env).output().unwrap();
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}{}", text(&out.stderr));
    assert!(report.contains(&format!("ok      issuer: {}", info.issuer)), "{report}");
    assert!(report.contains(&format!("ok      JWKS reachable: {}", info.jwks_url)), "{report}");
    assert!(report.contains("no problems found"), "{report}");
}

#[test]
fn dev_prints_the_shell_line_that_configures_an_application() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_clerk-claims"))
        .args(["dev", "--port", "0", "--print-env"])
        .env("CLERK_DEV_SECRET_KEY", "sk_test_from_the_environment")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let second = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(first["secret_key"], "sk_test_from_the_environment", "--secret-key from the environment");
    assert_eq!(
        second,
        format!(
            "export CLERK_PUBLISHABLE_KEY={} CLERK_SECRET_KEY=sk_test_from_the_environment CLERK_API_URL={}",
            first["publishable_key"].as_str().unwrap(),
            first["api_url"].as_str().unwrap()
        )
    );
}

/// `mint` signs a custom-key template with a private key in PEM for every asymmetric algorithm
/// Clerk's custom signing keys use; the token verifies under the key's public half.
#[test]
fn mint_signs_custom_key_templates_with_private_keys() {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
    use base64::Engine;
    use clerk_claims_dev::CustomKey;
    use clerk_claims_runtime::Verifier;
    use clerk_claims_runtime::keys::Algorithm;
    use clerk_claims_runtime::verify::TokenKind;

    let pem = |der: &[u8]| {
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = body.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).unwrap()).collect();
        format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"))
    };
    let rsa = || {
        let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> =
            RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap().as_der().unwrap();
        pem(der.as_ref())
    };
    let ec = |alg| pem(EcdsaKeyPair::generate(alg).unwrap().to_pkcs8v1().unwrap().as_ref());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("context.json"), CONTEXT).unwrap();
    for (algorithm, private) in [
        (Algorithm::RS384, rsa()),
        (Algorithm::ES256, ec(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)),
        (Algorithm::ES384, ec(&signature::ECDSA_P384_SHA384_FIXED_SIGNING)),
        (Algorithm::ES512, ec(&signature::ECDSA_P521_SHA512_FIXED_SIGNING)),
        (Algorithm::EdDSA, pem(Ed25519KeyPair::generate().unwrap().to_pkcs8v1().unwrap().as_ref())),
    ] {
        let template = json!({
            "name": "api", "lifetime": 60, "custom_signing_key": true,
            "signing_algorithm": algorithm.name(), "signing_key_env": "API_SIGNING_KEY",
            "claims": {"aud": "api", "email": "{{user.primary_email_address}}"},
        });
        let file = write(dir.path(), "api.json", &template);
        let out = clerk_claims(
            &["mint", "--template", &file, "--context", "context.json", "--now", "1700000000"],
            dir.path(),
            &[("API_SIGNING_KEY", &private)],
        );
        assert_eq!(out.status.code(), Some(0), "{algorithm}: {}", text(&out.stderr));
        let token = text(&out.stdout);
        let public = CustomKey::new(algorithm, private.into_bytes()).unwrap().public_key().unwrap().unwrap();
        let claims =
            Verifier::new(public).now(1_700_000_010).verify_json(token.trim(), TokenKind::Any).unwrap();
        assert_eq!(claims["email"], "ada@example.com", "{algorithm}");
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&header).unwrap()["alg"], algorithm.name());
    }
}
