//! Every case of Clerk's SDK expectations (../shared/vectors/clerk/expectations.json) that concerns
//! token decoding, keys and verification, with the fixed clock upstream uses. The mocked Backend API
//! of the remote-key cases is a real HTTP server on 127.0.0.1. Cases of the request layer
//! (`authenticateRequest`) belong to the web integration; they are listed below so none is skipped
//! silently.

mod support;

use clerk_claims_runtime::keys::Key;
use clerk_claims_runtime::verify::{KeySource, TokenKind, decode};
use clerk_claims_runtime::{Jwks, Verifier};
use serde_json::Value;

fn root() -> std::path::PathBuf {
    support::vectors().join("clerk")
}

fn text(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(path: &str) -> Value {
    serde_json::from_str(&text(path)).unwrap()
}

/// `jwks/mock_jwks.json#keys[0]`, a PEM file, or a JWK file.
fn key_source(spec: &str) -> KeySource {
    if let Some((file, _)) = spec.split_once("#keys[") {
        let jwks = json(file);
        let first = serde_json::json!({ "keys": [jwks["keys"][0].clone()] });
        return Jwks::from_json(&first.to_string()).unwrap().into();
    }
    if spec.ends_with(".pem") {
        return Key::from_pem(&text(spec), "pem").unwrap().into();
    }
    Key::from_jwk(&json(spec)).unwrap().into()
}

fn token(case: &Value) -> String {
    match (case.get("token").and_then(Value::as_str), case.get("token_literal").and_then(Value::as_str)) {
        (Some(file), _) => text(file),
        (None, Some(literal)) => literal.to_string(),
        (None, None) => String::new(),
    }
}

fn verifier(case: &Value, keys: KeySource) -> Verifier {
    let options = case.get("options").cloned().unwrap_or(Value::Null);
    let mut v = Verifier::new(keys);
    if let Some(now) = case.get("now").and_then(Value::as_i64) {
        v = v.now(now);
    }
    if let Some(parties) = options.get("authorizedParties").and_then(Value::as_array) {
        v = v.authorized_parties(parties.iter().filter_map(Value::as_str));
    }
    if let Some(aud) = options.get("audience").and_then(Value::as_str) {
        v = v.audience(aud);
    }
    match options.get("headerType") {
        Some(Value::String(t)) => v = v.header_types([t.as_str()]),
        Some(Value::Array(ts)) => v = v.header_types(ts.iter().filter_map(Value::as_str)),
        _ => {}
    }
    // Upstream skew is in milliseconds; NaN and Infinity fall back to the default, as upstream does.
    if let Some(ms) = options.get("clockSkewInMs").and_then(Value::as_u64) {
        v = v.clock_skew(u32::try_from(ms / 1000).unwrap());
    }
    v
}

/// The JWKS the case's mocked `/v1/jwks` endpoint serves (served here as a static key set), or an
/// empty set when the case mocks no endpoint.
fn mocked_jwks(case: &Value) -> KeySource {
    let http = case["http"].as_object().unwrap();
    match http.iter().find(|(k, _)| k.ends_with("/v1/jwks")) {
        Some((_, Value::String(file))) => Jwks::from_json(&text(file)).unwrap().into(),
        _ => Jwks::default().into(),
    }
}

fn check_error(id: &str, got: &clerk_claims_runtime::VerifyError, expected: &Value) {
    assert_eq!(got.reason.code(), expected["reason"].as_str().unwrap(), "{id}: {got}");
    if let Some(m) = expected.get("message").and_then(Value::as_str) {
        assert_eq!(got.message, m, "{id}");
    }
    if let Some(m) = expected.get("message_prefix").and_then(Value::as_str) {
        assert!(got.message.starts_with(m), "{id}: {}", got.message);
    }
    if let Some(m) = expected.get("message_contains").and_then(Value::as_str) {
        assert!(got.message.contains(m), "{id}: {}", got.message);
    }
    if let Some(a) = expected.get("action").and_then(Value::as_str) {
        assert_eq!(got.action, Some(a), "{id}");
    }
}

/// Cases of the request layer, covered by the web integration's tests.
const ELSEWHERE: &[&str] = &["authenticateRequest"];

/// `loadClerkJWKFromRemote`: the Backend API's `/v1/jwks` with the secret key, served locally.
fn load_from_remote(id: &str, case: &Value) {
    use clerk_claims_runtime::instance::InstanceConfig;
    use clerk_claims_runtime::keys::{RemoteJwks, RemoteOptions};
    use support::{Reply, Server};
    let expect = &case["expect"];
    let options = &case["options"];
    let kid = case["kid"].as_str().unwrap();
    let Some(secret) = options["secretKey"].as_str() else {
        // No secret key and no other key source: nothing to fetch from.
        let err = Verifier::from_instance(&InstanceConfig::default()).unwrap_err();
        return check_error(id, &err, &expect["error"]);
    };
    let reply = match case["http"].as_object().unwrap().values().next().unwrap() {
        Value::String(file) => Reply::Body(text(file)),
        other => Reply::Status(u16::try_from(other["status"].as_u64().unwrap()).unwrap()),
    };
    let server = Server::start(reply);
    let api_url = server.url.trim_end_matches("/.well-known/jwks.json").to_string();
    let remote =
        RemoteJwks::backend_api(&api_url, secret, RemoteOptions { attempts: 1, ..RemoteOptions::default() });
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    match rt.block_on(remote.key(kid)) {
        Ok(key) => {
            let expected = json(expect["jwk"].as_str().unwrap().split_once('#').unwrap().0);
            assert_eq!(key.jwk()["n"], expected["keys"][0]["n"], "{id}");
            assert_eq!(key.kid(), Some(kid), "{id}");
        }
        Err(e) => {
            // Upstream's URL is Clerk's production API; here it is the local server.
            let mut expected = expect["error"].clone();
            if let Some(m) = expected["message"].as_str() {
                expected["message"] = m.replace("https://api.clerk.com", &api_url).into();
            }
            check_error(id, &e, &expected);
        }
    }
    let requests = server.requests.lock().unwrap();
    let first = requests.first().unwrap().to_ascii_lowercase();
    assert!(first.starts_with("get /v1/jwks "), "{id}: {first}");
    assert!(first.contains(&format!("authorization: bearer {}", secret.to_ascii_lowercase())), "{id}");
}

#[test]
fn every_expectation() {
    let file = json("expectations.json");
    let cases = file["cases"].as_array().unwrap();
    let mut ran = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let function = case["fn"].as_str().unwrap();
        let expect = &case["expect"];
        match function {
            "verifyJwt" | "verifyToken" | "verifyToken/verifyJwt" => {
                let keys = match case.get("key").and_then(Value::as_str) {
                    Some(spec) => key_source(spec),
                    None => mocked_jwks(case),
                };
                let result = verifier(case, keys).verify_json(&token(case), TokenKind::Any);
                if let Some(err) = expect.get("error") {
                    check_error(id, &result.expect_err(id), err);
                } else {
                    let payload = result.unwrap_or_else(|e| panic!("{id}: {e}"));
                    if let Some(file) = expect.get("ok").and_then(Value::as_str) {
                        assert_eq!(payload, json(file), "{id}");
                    }
                    if let Some(sub) = expect.get("ok_sub") {
                        assert_eq!(&payload["sub"], sub, "{id}");
                    }
                    if let Some(aud) = expect.get("ok_aud") {
                        assert_eq!(&payload["aud"], aud, "{id}");
                    }
                }
            }
            "hasValidSignature" => {
                let key = match key_source(case["key"].as_str().unwrap()) {
                    KeySource::Key(key) => key,
                    other => panic!("{id}: a single key was expected, found {other:?}"),
                };
                let t = token(case);
                let decoded = decode(&t, 8192).unwrap();
                let valid = key.verify("RS256", decoded.signing_input.as_bytes(), &decoded.signature).is_ok();
                assert_eq!(valid, expect["valid"].as_bool().unwrap(), "{id}");
            }
            "decodeJwt" => {
                let t = token(case);
                match decode(&t, 8192) {
                    Ok(decoded) => {
                        let header: Value =
                            serde_json::to_value(json(expect["header"].as_str().unwrap())).unwrap();
                        assert_eq!(header["kid"].as_str(), decoded.header.kid.as_deref(), "{id}");
                        assert_eq!(header["alg"].as_str(), decoded.header.alg.as_deref(), "{id}");
                        assert_eq!(header["typ"].as_str(), decoded.header.typ.as_deref(), "{id}");
                        let payload: Value = serde_json::from_slice(&decoded.payload).unwrap();
                        assert_eq!(payload, json(expect["payload"].as_str().unwrap()), "{id}");
                    }
                    Err(e) => check_error(id, &e, &expect["error"]),
                }
            }
            "loadClerkJwkFromPem" => {
                let pem = case.get("pem").and_then(Value::as_str).map(text);
                match Key::local(pem.as_deref(), case["kid"].as_str().unwrap()) {
                    Ok(key) => {
                        let expected = json(expect["jwk"].as_str().unwrap());
                        for (field, value) in expected.as_object().unwrap() {
                            assert_eq!(&key.jwk()[field], value, "{id}: {field}");
                        }
                    }
                    Err(e) => check_error(id, &e, &expect["error"]),
                }
            }
            "loadClerkJWKFromRemote" => load_from_remote(id, case),
            other if ELSEWHERE.contains(&other) => continue,
            other => panic!("{id}: no harness for `{other}`"),
        }
        ran += 1;
    }
    assert_eq!(ran, 40, "cases run");
}
