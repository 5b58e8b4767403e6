//! Signing and verifying agree with jsonwebtoken, for every algorithm the verifier takes (the table
//! in `clerk-claims-dev/src/key.rs`): a token minted here (`CustomKey`, which signs through
//! jsonwebtoken) verifies with `jsonwebtoken::decode` and with this verifier; one signed by
//! jsonwebtoken verifies here; a tampered one fails in both.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use base64::Engine;
use clerk_claims_dev::CustomKey;
use clerk_claims_runtime::Verifier;
use clerk_claims_runtime::keys::{Algorithm, Key};
use clerk_claims_runtime::verify::TokenKind;
use serde_json::{Value, json};

const NOW: i64 = 1_700_000_000;

fn pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).unwrap()).collect();
    format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"))
}

/// A fresh key for `algorithm`: the custom key's material (a secret, or PKCS#8 PEM).
fn material(algorithm: Algorithm) -> Vec<u8> {
    match algorithm {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            let mut secret = vec![0u8; 64];
            aws_lc_rs::rand::SecureRandom::fill(&SystemRandom::new(), &mut secret).unwrap();
            secret
        }
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
            let pair = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
            let der: Pkcs8V1Der<'static> = pair.as_der().unwrap();
            pem(der.as_ref()).into_bytes()
        }
        Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => {
            let alg = match algorithm {
                Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                _ => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
            };
            let pair = EcdsaKeyPair::generate(alg).unwrap();
            pem(pair.to_pkcs8v1().unwrap().as_ref()).into_bytes()
        }
        Algorithm::EdDSA => {
            let pair = Ed25519KeyPair::generate().unwrap();
            pem(pair.to_pkcs8v1().unwrap().as_ref()).into_bytes()
        }
    }
}

/// The key this verifier checks the custom key's tokens with.
fn verifying_key(algorithm: Algorithm, custom: &CustomKey, material: &[u8]) -> Key {
    match custom.public_key().unwrap() {
        Some(public) => public,
        None => Key::hmac(material, algorithm).unwrap(),
    }
}

/// The key jsonwebtoken checks with: the public JWK, or the secret.
fn decoding_key(custom: &CustomKey, material: &[u8]) -> jsonwebtoken::DecodingKey {
    match custom.public_key().unwrap() {
        Some(public) => {
            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(public.jwk().clone()).unwrap();
            jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap()
        }
        None => jsonwebtoken::DecodingKey::from_secret(material),
    }
}

fn jwt_algorithm(algorithm: Algorithm) -> Option<jsonwebtoken::Algorithm> {
    algorithm.name().parse().ok().filter(|_| algorithm != Algorithm::ES512)
}

fn tampered(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let claims = json!({"sub": "user_2", "exp": NOW + 60, "iat": NOW});
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    parts.join(".")
}

const ALL: [Algorithm; 10] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::EdDSA,
];

#[test]
fn every_algorithm_signs_and_verifies_as_jsonwebtoken_does() {
    let claims = json!({"sub": "user_1", "exp": NOW + 60, "iat": NOW});
    for algorithm in ALL {
        let material = material(algorithm);
        let custom =
            CustomKey::new(algorithm, material.clone()).unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        let verifier = Verifier::new(verifying_key(algorithm, &custom, &material)).now(NOW);
        let token = custom.sign(&json!({"typ": "JWT"}), &claims).unwrap();
        let ours =
            verifier.verify_json(&token, TokenKind::Any).unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        assert_eq!(ours["sub"], "user_1");
        assert!(verifier.verify_json(&tampered(&token), TokenKind::Any).is_err(), "{algorithm}: tampered");

        let Some(alg) = jwt_algorithm(algorithm) else {
            // ES512: jsonwebtoken signs and verifies no P-521; this verifier checked it above.
            continue;
        };
        let mut validation = jsonwebtoken::Validation::new(alg);
        validation.validate_exp = false;
        let decoding = decoding_key(&custom, &material);
        let theirs: jsonwebtoken::TokenData<Value> = jsonwebtoken::decode(&token, &decoding, &validation)
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        assert_eq!(theirs.claims, ours, "{algorithm}");
        assert!(
            jsonwebtoken::decode::<Value>(&tampered(&token), &decoding, &validation).is_err(),
            "{algorithm}"
        );

        // A token jsonwebtoken signed verifies here.
        let encoding = match algorithm {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                jsonwebtoken::EncodingKey::from_secret(&material)
            }
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
                jsonwebtoken::EncodingKey::from_rsa_pem(&material).unwrap()
            }
            Algorithm::EdDSA => jsonwebtoken::EncodingKey::from_ed_pem(&material).unwrap(),
            _ => jsonwebtoken::EncodingKey::from_ec_pem(&material).unwrap(),
        };
        let theirs = jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), &claims, &encoding).unwrap();
        assert_eq!(verifier.verify_json(&theirs, TokenKind::Any).unwrap()["sub"], "user_1", "{algorithm}");
    }
}

#[test]
fn custom_keys_refuse_material_of_another_kind() {
    let rsa = material(Algorithm::RS256);
    let ec = material(Algorithm::ES256);
    for (algorithm, wrong) in [
        (Algorithm::ES256, rsa.clone()),
        (Algorithm::RS256, ec.clone()),
        (Algorithm::ES384, ec.clone()),
        (Algorithm::EdDSA, rsa.clone()),
        (Algorithm::HS256, b"short".to_vec()),
        (Algorithm::HS256, b"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----".to_vec()),
    ] {
        assert!(CustomKey::new(algorithm, wrong).is_err(), "{algorithm}");
    }
}

#[tokio::test]
async fn the_dev_issuer_mints_template_tokens_with_every_custom_key() {
    let issuer = clerk_claims_dev::DevIssuer::start().await.unwrap();
    let user = issuer.create_user(json!({"email_address": ["keys@example.com"]})).unwrap();
    let session = issuer.create_session(&user, None).unwrap();
    for algorithm in ALL {
        let material = material(algorithm);
        let name = format!("key-{}", algorithm.name().to_lowercase());
        let signing_key = String::from_utf8(material.clone()).unwrap_or_else(|_| {
            // A binary HMAC secret goes to the Backend API as text, as Clerk takes it.
            base64::engine::general_purpose::STANDARD.encode(&material)
        });
        issuer
            .create_template(json!({
                "name": name, "claims": {"email": "{{user.primary_email_address}}"},
                "custom_signing_key": true, "signing_algorithm": algorithm.name(), "signing_key": signing_key,
            }))
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        let token = issuer.template_token(&session, &name).unwrap();
        let custom = CustomKey::new(algorithm, signing_key.clone().into_bytes()).unwrap();
        let key = verifying_key(algorithm, &custom, signing_key.as_bytes());
        let claims = Verifier::new(key)
            .issuer(issuer.info().issuer.clone())
            .verify_json(&token, TokenKind::Template)
            .unwrap();
        assert_eq!(claims["email"], "keys@example.com", "{algorithm}");
    }
}
