//! Project Wycheproof's JWS and JWK vectors (../shared/vectors/wycheproof), with the label errors
//! and policy deltas listed in its PROVENANCE.md, plus the RSA PKCS#1 v1.5, ECDSA P1363 and HMAC
//! primitive files run through this crate's keys.

mod support;

use std::collections::BTreeMap;

use clerk_claims_runtime::keys::{Algorithm, Key};
use clerk_claims_runtime::verify::KeySource;
use clerk_claims_runtime::{Jwks, Verifier};
use serde_json::{Value, json};

fn file(name: &str) -> Value {
    let base = support::vectors();
    serde_json::from_str(&std::fs::read_to_string(base.join("wycheproof").join(name)).unwrap()).unwrap()
}

/// The outcome expected here where it differs from (or refines) the label.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Accept,
    Reject,
    Skip,
}

/// Verdicts that differ from the upstream label, and why (PROVENANCE.md "Project policy deltas").
fn jws_exceptions() -> BTreeMap<i64, (Expect, &'static str)> {
    BTreeMap::from([
        (367, (Expect::Accept, "label error: byte-identical to valid tcId 357")),
        (370, (Expect::Accept, "label error: byte-identical to valid tcId 357")),
        (372, (Expect::Reject, "label error: `?` inside a base64url segment")),
        (373, (Expect::Reject, "label error: `?` inside a base64url segment")),
        (346, (Expect::Skip, "label error: key alg PS256 for a PS384 token")),
        (347, (Expect::Skip, "label error: key alg ES521 is not a JWA name")),
        (350, (Expect::Skip, "label error: key alg PS256 for a PS384 token")),
        (351, (Expect::Skip, "label error: key alg ES521 is not a JWA name")),
    ])
}

fn key_source(key: &Value) -> Option<KeySource> {
    if key.get("keys").is_some() {
        return Jwks::from_private_json(&key.to_string()).ok().map(KeySource::from);
    }
    Key::from_jwk(key).ok().map(KeySource::from)
}

/// Runs a JWS/JWK file; returns (accepted as labelled, policy rejections of `valid` cases).
fn run(
    name: &str,
    exceptions: &BTreeMap<i64, (Expect, &'static str)>,
    policy_reject: impl Fn(&Value, &Value) -> Option<&'static str>,
) -> (usize, usize) {
    let doc = file(name);
    let (mut checked, mut policy) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let key = group.get("public").unwrap_or(&group["private"]);
        let source = key_source(key);
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_i64().unwrap();
            let Some(jws) = case["jws"].as_str() else { continue };
            let labelled = if case["result"] == "valid" { Expect::Accept } else { Expect::Reject };
            let mut expected = exceptions.get(&id).map_or(labelled, |(e, _)| *e);
            if expected == Expect::Skip {
                continue;
            }
            if expected == Expect::Accept
                && let Some(_why) = policy_reject(group, case)
            {
                expected = Expect::Reject;
                policy += 1;
            }
            let accepted =
                source.as_ref().is_some_and(|s| Verifier::new(s.clone()).verify_signature(jws).is_ok());
            assert_eq!(accepted, expected == Expect::Accept, "{name} tcId {id}: {}", case["comment"]);
            checked += 1;
        }
    }
    (checked, policy)
}

fn alg_of(jws: &str) -> Option<String> {
    use base64::Engine;
    let header = jws.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?.get("alg")?.as_str().map(str::to_string)
}

#[test]
fn json_web_signature_vectors() {
    let (checked, policy) = run("json_web_signature_test.json", &jws_exceptions(), |_, case| {
        // RSASSA-PSS is not among the algorithms Clerk uses or this crate verifies.
        alg_of(case["jws"].as_str().unwrap_or_default())
            .filter(|a| a.starts_with("PS"))
            .map(|_| "PS* not supported")
    });
    assert!(checked >= 390, "{checked}");
    assert!(policy < 80, "{policy}");
}

#[test]
fn json_web_key_vectors() {
    let exceptions =
        BTreeMap::from([(7, (Expect::Skip, "ROCA fingerprinting is a known gap (PROVENANCE.md delta 6)"))]);
    let (checked, policy) = run("json_web_key_test.json", &exceptions, |_, _| None);
    assert_eq!((checked, policy), (25, 0));
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// `valid` cases must verify, all others not; cases whose key this crate refuses by policy count as
/// rejections (small exponents, keys under the size floor).
fn primitive(name: &str, key_of: impl Fn(&Value) -> Result<Key, String>) -> (usize, usize) {
    let doc = file(name);
    let (mut checked, mut refused) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let key = key_of(group);
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_i64().unwrap();
            let msg = hex(case["msg"].as_str().unwrap());
            let sig = hex(case["sig"].as_str().or(case["tag"].as_str()).unwrap());
            let accepted = match &key {
                Ok(k) => k.verify(k.algorithm().name(), &msg, &sig).is_ok(),
                Err(_) => false,
            };
            let valid = case["result"] == "valid";
            if valid && key.is_err() {
                refused += 1;
                continue;
            }
            assert_eq!(accepted, valid, "{name} tcId {id}: {} {:?}", case["comment"], case["flags"]);
            checked += 1;
        }
    }
    (checked, refused)
}

#[test]
fn rsa_pkcs1_v15_vectors() {
    for (name, alg) in [
        ("rsa_signature_2048_sha256_test.json", "RS256"),
        ("rsa_signature_3072_sha256_test.json", "RS256"),
        ("rsa_signature_4096_sha256_test.json", "RS256"),
        ("rsa_signature_2048_sha384_test.json", "RS384"),
        ("rsa_signature_2048_sha512_test.json", "RS512"),
    ] {
        let (checked, refused) = primitive(name, |g| {
            let mut jwk = g["keyJwk"].clone();
            jwk["alg"] = json!(alg);
            Key::from_jwk(&jwk).map_err(|e| e.to_string())
        });
        assert!(checked > 200, "{name}");
        assert!(refused <= 2, "{name}: only the e = 3 keys are refused, {refused}");
    }
}

#[test]
fn ecdsa_p1363_vectors() {
    for name in [
        "ecdsa_secp256r1_sha256_p1363_test.json",
        "ecdsa_secp384r1_sha384_p1363_test.json",
        "ecdsa_secp521r1_sha512_p1363_test.json",
    ] {
        let (checked, refused) = primitive(name, |g| Key::from_jwk(&ec_jwk(g)).map_err(|e| e.to_string()));
        assert!(checked > 200 && refused == 0, "{name}: {checked} {refused}");
    }
}

/// The group's JWK, or one made from its uncompressed point (groups added without a JWK).
fn ec_jwk(group: &Value) -> Value {
    if let Some(jwk) = group.get("publicKeyJwk") {
        return jwk.clone();
    }
    use base64::Engine;
    let point = hex(group["publicKey"]["uncompressed"].as_str().unwrap());
    let size = (point.len() - 1) / 2;
    let crv = match size {
        32 => "P-256",
        48 => "P-384",
        _ => "P-521",
    };
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    json!({"kty": "EC", "crv": crv, "x": b64(&point[1..=size]), "y": b64(&point[size + 1..])})
}

#[test]
fn ed25519_vectors() {
    let (checked, refused) =
        primitive("ed25519_test.json", |g| Key::from_jwk(&g["publicKeyJwk"]).map_err(|e| e.to_string()));
    assert!(checked > 100 && refused == 0, "{checked} {refused}");
}

#[test]
fn hmac_vectors() {
    for (name, alg, bits) in [
        ("hmac_sha256_test.json", Algorithm::HS256, 256),
        ("hmac_sha384_test.json", Algorithm::HS384, 384),
        ("hmac_sha512_test.json", Algorithm::HS512, 512),
    ] {
        let doc = file(name);
        let mut checked = 0;
        for group in doc["testGroups"].as_array().unwrap() {
            // JWS never truncates a tag, and RFC 7518 §3.2 requires keys at least as long as the hash.
            let full_tag = group["tagSize"].as_u64() == Some(bits);
            for case in group["tests"].as_array().unwrap() {
                let key = Key::hmac(&hex(case["key"].as_str().unwrap()), alg);
                let accepted = key.as_ref().is_ok_and(|k| {
                    k.verify(
                        alg.name(),
                        &hex(case["msg"].as_str().unwrap()),
                        &hex(case["tag"].as_str().unwrap()),
                    )
                    .is_ok()
                });
                let long_key = case["key"].as_str().unwrap().len() * 4 >= bits as usize;
                let expected = case["result"] == "valid" && full_tag && long_key;
                assert_eq!(accepted, expected, "{name} tcId {}", case["tcId"]);
                checked += 1;
            }
        }
        assert!(checked > 150, "{name}");
    }
}
