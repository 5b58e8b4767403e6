//! Remote JWKS against a real HTTP server on 127.0.0.1: caching, single-flight, unknown-kid
//! cooldown, stale keys while the endpoint fails, timeouts, size caps, and key rotation under load.

mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use clerk_claims_runtime::keys::{RemoteJwks, RemoteOptions};
use clerk_claims_runtime::verify::TokenKind;
use clerk_claims_runtime::{Reason, Verifier};
use serde_json::json;
use support::*;

fn fast() -> RemoteOptions {
    RemoteOptions {
        backoff: Duration::from_millis(10),
        timeout: Duration::from_millis(500),
        ..RemoteOptions::default()
    }
}

fn remote_verifier(url: &str, options: RemoteOptions) -> (Verifier, RemoteJwks) {
    let remote = RemoteJwks::with_options(url, options);
    (Verifier::new(remote.clone()).issuer(ISSUER).now(NOW), remote)
}

fn jwks_text() -> String {
    read("clerk/jwks/mock_jwks.json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_once_then_serves_from_the_cache() {
    let server = Server::start(Reply::Body(jwks_text()));
    let (v, remote) = remote_verifier(&server.url, fast());
    assert_eq!(
        v.verify_session::<()>(&valid()).unwrap_err().reason,
        Reason::JwkFailedToResolve,
        "nothing cached yet"
    );
    for _ in 0..20 {
        v.verify_session_async::<()>(&valid()).await.unwrap();
    }
    assert_eq!((server.hits(), remote.fetch_count()), (1, 1));
    v.verify_session::<()>(&valid()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_start_is_a_single_fetch() {
    let server = Server::start(Reply::Slow(Duration::from_millis(200)));
    let (v, _) = remote_verifier(&server.url, fast());
    let token = valid();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (v, token) = (v.clone(), token.clone());
            tokio::spawn(async move { v.verify_session_async::<()>(&token).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kid_flood_is_not_a_fetch_flood() {
    let server = Server::start(Reply::Body(jwks_text()));
    let (v, _) = remote_verifier(&server.url, fast());
    v.verify_session_async::<()>(&valid()).await.unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let v = v.clone();
            let token = rs256(&json!({"alg": "RS256", "kid": format!("ins_random_{i}")}), &session());
            tokio::spawn(async move { v.verify_session_async::<()>(&token).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap_err().reason, Reason::JwkKidMismatch);
    }
    assert!(server.hits() <= 2, "{} fetches", server.hits());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_down_is_a_bounded_number_of_attempts() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/jwks.json");
    let (v, remote) = remote_verifier(&url, fast());
    let err = v.verify_session_async::<()>(&valid()).await.unwrap_err();
    assert_eq!(err.reason, Reason::JwkRemoteFailedToLoad);
    assert_eq!(remote.fetch_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_garbage_and_oversized_bodies_fail_closed() {
    let server = Server::start(Reply::Status(500));
    let (v, _) = remote_verifier(&server.url, fast());
    let err = v.verify_session_async::<()>(&valid()).await.unwrap_err();
    assert_eq!(err.reason, Reason::JwkRemoteFailedToLoad);
    assert!(err.message.ends_with("with code=500"), "{}", err.message);
    assert_eq!(server.hits(), 3, "retried with backoff");

    for (reply, reason) in [
        (Reply::Garbage, Reason::JwkRemoteInvalid),
        (Reply::Huge(1 << 20), Reason::JwkRemoteInvalid),
        (Reply::Body(r#"{"keys": []}"#.into()), Reason::JwkRemoteFailedToLoad),
    ] {
        let server = Server::start(reply);
        let (v, _) = remote_verifier(&server.url, fast());
        assert_eq!(v.verify_session_async::<()>(&valid()).await.unwrap_err().reason, reason);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_endpoint_times_out() {
    let server = Server::start(Reply::Slow(Duration::from_secs(3)));
    let options = RemoteOptions { timeout: Duration::from_millis(200), attempts: 2, ..fast() };
    let (v, _) = remote_verifier(&server.url, options);
    let started = Instant::now();
    assert_eq!(
        v.verify_session_async::<()>(&valid()).await.unwrap_err().reason,
        Reason::JwkRemoteFailedToLoad
    );
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_keys_keep_serving_while_the_endpoint_fails_for_a_bounded_time() {
    let server = Server::start(Reply::Body(jwks_text()));
    let options = RemoteOptions {
        max_age: Duration::from_millis(100),
        refresh_ahead: Duration::from_millis(50),
        max_stale: Duration::from_millis(600),
        ..fast()
    };
    let (v, _) = remote_verifier(&server.url, options);
    // Keys, not cached verdicts, are what this test ages.
    let v = v.token_cache(false);
    v.verify_session_async::<()>(&valid()).await.unwrap();
    server.set(Reply::Status(503));
    tokio::time::sleep(Duration::from_millis(200)).await;
    v.verify_session_async::<()>(&valid()).await.unwrap();
    assert!(server.hits() > 1, "a refresh was attempted");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        v.verify_session_async::<()>(&valid()).await.unwrap_err().reason,
        Reason::JwkRemoteFailedToLoad
    );
    server.set(Reply::Body(jwks_text()));
    v.verify_session_async::<()>(&valid()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_token_the_cache_holds_needs_no_key() {
    let server = Server::start(Reply::Body(jwks_text()));
    let options = RemoteOptions {
        max_age: Duration::from_millis(50),
        refresh_ahead: Duration::from_millis(20),
        ..fast()
    };
    let (v, _) = remote_verifier(&server.url, options);
    v.verify_session_async::<()>(&valid()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The keys are due for a refresh, but the verdict on this token is cached: no request.
    for _ in 0..5 {
        v.verify_session_async::<()>(&valid()).await.unwrap();
    }
    assert_eq!(server.hits(), 1);
    // Another token is verified with keys, which are refreshed first.
    let mut other = session();
    other["sid"] = json!("sess_2");
    v.verify_session_async::<()>(&rs256(&header(), &other)).await.unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn machine_tokens_are_rejected_before_any_fetch() {
    let server = Server::start(Reply::Body(jwks_text()));
    let (v, _) = remote_verifier(&server.url, fast());
    let token = rs256(&json!({"alg": "RS256", "kid": KID, "cat": "cl_B7d4PD333AAA"}), &session());
    assert_eq!(v.verify_json_async(&token, TokenKind::Any).await.unwrap_err().reason, Reason::TokenInvalid);
    assert_eq!(server.hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caches_are_per_instance() {
    let a = Server::start(Reply::Body(jwks_text()));
    let other_key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let other_jwks = json!({"keys": [rsa_jwk(&other_key, KID)]}).to_string();
    let b = Server::start(Reply::Body(other_jwks));
    let (va, _) = remote_verifier(&a.url, fast());
    let (vb, _) = remote_verifier(&b.url, fast());
    va.verify_session_async::<()>(&valid()).await.unwrap();
    // Same kid, other instance: B's cache has its own key for it, and the signature fails.
    assert_eq!(
        vb.verify_session_async::<()>(&valid()).await.unwrap_err().reason,
        Reason::TokenInvalidSignature
    );
}

fn rsa_jwk(key: &RsaKeyPair, kid: &str) -> serde_json::Value {
    let public = key.public_key();
    json!({
        "kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
        "n": b64(public.modulus().big_endian_without_leading_zero()),
        "e": b64(public.exponent().big_endian_without_leading_zero()),
    })
}

fn sign_with(key: &RsaKeyPair, kid: &str) -> String {
    let input = signing_input(&json!({"alg": "RS256", "kid": kid}).to_string(), &session().to_string());
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut sig)
        .unwrap();
    format!("{input}.{}", b64(&sig))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_while_two_threads_verify() {
    let server = Server::start(Reply::Body(jwks_text()));
    let options = RemoteOptions { unknown_kid_cooldown: Duration::from_millis(50), ..fast() };
    let (v, _) = remote_verifier(&server.url, options);
    v.verify_session_async::<()>(&valid()).await.unwrap();

    let rotated = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let mut set: serde_json::Value = serde_json::from_str(&jwks_text()).unwrap();
    set["keys"].as_array_mut().unwrap().push(rsa_jwk(&rotated, "ins_rotated"));
    let new_token = sign_with(&rotated, "ins_rotated");

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (v, stop, failures, token) = (v.clone(), stop.clone(), failures.clone(), valid());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    if v.verify_session_async::<()>(&token).await.is_err() {
                        failures.fetch_add(1, Ordering::SeqCst);
                    }
                    n += 1;
                    tokio::task::yield_now().await;
                }
                n
            })
        })
        .collect();
    server.set(Reply::Body(set.to_string()));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut accepted = false;
    for _ in 0..20 {
        if v.verify_session_async::<()>(&new_token).await.is_ok() {
            accepted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let mut verified = 0;
    for w in workers {
        verified += w.await.unwrap();
    }
    assert!(accepted, "the rotated key is picked up");
    assert_eq!(failures.load(Ordering::SeqCst), 0, "the old key kept verifying during rotation");
    assert!(verified > 10);
    assert!(server.hits() <= 10, "{} fetches", server.hits());
}
