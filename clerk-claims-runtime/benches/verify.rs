//! `verify`: one realistic v2 session token (~800 bytes: organization claims, fva, custom claims with
//! a metadata object), RS256-2048, keys already parsed, compared in one run against
//! - `verify/floor`: the raw aws-lc-rs RSA PKCS#1 v1.5 SHA-256 verification of the same signing
//!   input with a parsed key (the least any verifier must do);
//! - `verify/jsonwebtoken`: `jsonwebtoken::decode` (aws_lc_rs backend) into an equivalent struct
//!   with an equivalent `Validation`;
//! - `verify/clerk_claims`: `Verifier::verify_session` into typed `SessionClaims<C>`, token cache off;
//! - `verify/cached_token`: the same token again through the verified-token cache.
//!
//! `verify/cached_token` uses `verify_session_shared` (claims shared with the cache).
//! `verify/two_threads` and `verify/two_threads_floor` report the time per verification of two
//! threads verifying at once (their ratio to the one-thread figures is the scaling).

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_claims_runtime::{Jwks, Verifier};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::Deserialize;
use serde_json::json;

const NOW: i64 = 1_666_648_250;

fn vectors(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../shared/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Custom {
    email: Option<String>,
    role: String,
    plan: String,
    metadata: serde_json::Value,
}

/// The same claims for jsonwebtoken, registered and custom in one struct.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct JwtClaims {
    sub: String,
    sid: String,
    exp: i64,
    iat: i64,
    nbf: i64,
    iss: String,
    azp: String,
    v: u32,
    fva: [i64; 2],
    fea: String,
    o: serde_json::Value,
    email: Option<String>,
    role: String,
    plan: String,
    metadata: serde_json::Value,
}

fn token() -> (String, RsaKeyPair) {
    let pem = vectors("clerk/keys/instance_rs256_private_pkcs8.pem");
    let der = STANDARD.decode(pem.lines().filter(|l| !l.starts_with("-----")).collect::<String>()).unwrap();
    let key = RsaKeyPair::from_pkcs8(&der).unwrap();
    let header = json!({"alg": "RS256", "cat": "cl_B7d4PD111AAA", "kid": "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD", "typ": "JWT"});
    let payload = json!({
        "azp": "https://accounts.inspired.puma-74.lcl.dev", "exp": NOW + 60, "fea": "o:billing,o:reports,o:members",
        "fva": [3, -1], "iat": NOW, "iss": "https://clerk.inspired.puma-74.lcl.dev", "nbf": NOW - 10,
        "o": {"fpm": "3,1,1", "id": "org_2WzCA5UDlNDsdIRqzP52wDZWTqe", "per": "manage,read", "rol": "admin", "slg": "acme-corp"},
        "sid": "sess_2WzEBr47qGpr6WDBadSMTtHgz80", "sts": "active", "sub": "user_2WzE99n2klw2qLbPtYSHlUWfLGT", "v": 2,
        "email": "maria@example.com", "role": "editor", "plan": "pro",
        "metadata": {"onboarding_complete": true, "locale": "en-US", "seats": 25},
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut sig).unwrap();
    (format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig)), key)
}

fn bench(c: &mut Criterion) {
    let (token, key) = token();
    eprintln!("token: {} bytes", token.len());
    let jwks = Jwks::from_json(&vectors("clerk/jwks/mock_jwks.json")).unwrap();
    let verifier = Verifier::new(jwks)
        .issuer("https://clerk.inspired.puma-74.lcl.dev")
        .authorized_parties(["https://accounts.inspired.puma-74.lcl.dev"])
        .now(NOW);
    let cached = verifier.clone();
    let verifier = verifier.token_cache(false);
    assert!(verifier.verify_session::<Custom>(&token).is_ok());
    assert!(cached.verify_session_shared::<Custom>(&token).is_ok());

    let (input, sig) = token.rsplit_once('.').unwrap();
    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    let floor_key =
        signature::ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, key.public_key().as_ref())
            .unwrap();

    let jwt_key = jsonwebtoken::DecodingKey::from_rsa_pem(
        vectors("clerk/keys/instance_rs256_public_spki.pem").as_bytes(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&["https://clerk.inspired.puma-74.lcl.dev"]);
    validation.set_required_spec_claims(&["exp", "sub"]);
    validation.leeway = 5;
    validation.validate_exp = false; // the fixture clock is in 2022; the other checks still run
    validation.validate_nbf = true;
    validation.validate_aud = false;
    assert!(jsonwebtoken::decode::<JwtClaims>(&token, &jwt_key, &validation).is_ok());

    let mut group = c.benchmark_group("verify");
    group.bench_function("floor", |b| {
        b.iter(|| floor_key.verify_sig(black_box(input.as_bytes()), black_box(&sig)).unwrap())
    });
    group.bench_function("clerk_claims", |b| {
        b.iter(|| black_box(verifier.verify_session::<Custom>(black_box(&token)).unwrap()))
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| {
            black_box(jsonwebtoken::decode::<JwtClaims>(black_box(&token), &jwt_key, &validation).unwrap())
        })
    });
    group.bench_function("cached_token", |b| {
        b.iter(|| black_box(cached.verify_session_shared::<Custom>(black_box(&token)).unwrap()))
    });
    // Throughput on two threads at once, for clerk-claims and for the floor: the per-verification
    // time against the one-thread figure is the scaling (the floor's shows what the machine allows).
    let two_threads = |b: &mut criterion::Bencher, work: &(dyn Fn() + Sync)| {
        b.iter_custom(|iters| {
            let started = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        for _ in 0..iters / 2 {
                            work();
                        }
                    });
                }
            });
            started.elapsed()
        })
    };
    group.bench_function("two_threads", |b| {
        two_threads(b, &|| {
            black_box(verifier.verify_session::<Custom>(black_box(&token)).ok());
        })
    });
    group.bench_function("two_threads_floor", |b| {
        two_threads(b, &|| {
            black_box(floor_key.verify_sig(black_box(input.as_bytes()), black_box(&sig)).ok());
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
