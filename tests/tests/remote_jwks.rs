//! Remote JWKS against a real HTTP server on 127.0.0.1: caching, single-flight, unknown-kid
//! cooldown, stale keys while the endpoint fails, timeouts, size caps, and key rotation under load.

mod support;

use clerk_claims_runtime::SessionClaims;
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
        v.verify_session::<SessionClaims>(&valid()).unwrap_err().reason,
        Reason::JwkFailedToResolve,
        "nothing cached yet"
    );
    for _ in 0..20 {
        verify_session_async::<()>(&v, &valid()).await.unwrap();
    }
    assert_eq!((server.hits(), remote.fetch_count()), (1, 1));
    v.verify_session::<SessionClaims>(&valid()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_key_then_a_synchronous_verification_is_the_async_path() {
    let server = Server::start(Reply::Body(jwks_text()));
    let (v, remote) = remote_verifier(&server.url, fast());
    // A malformed token is refused before any request.
    assert_eq!(
        v.fetch_key("not-a-token", TokenKind::Session).await.unwrap_err().reason,
        Reason::TokenInvalid
    );
    assert_eq!(server.hits(), 0);
    for _ in 0..20 {
        v.fetch_key(&valid(), TokenKind::Session).await.unwrap();
        v.verify_session::<SessionClaims>(&valid()).unwrap();
    }
    assert_eq!((server.hits(), remote.fetch_count()), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_start_is_a_single_fetch() {
    let server = Server::start(Reply::Slow(Duration::from_millis(200)));
    let (v, _) = remote_verifier(&server.url, fast());
    let token = valid();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (v, token) = (v.clone(), token.clone());
            tokio::spawn(async move { verify_session_async::<()>(&v, &token).await })
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
    verify_session_async::<()>(&v, &valid()).await.unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let v = v.clone();
            let token = rs256(&json!({"alg": "RS256", "kid": format!("ins_random_{i}")}), &session());
            tokio::spawn(async move { verify_session_async::<()>(&v, &token).await })
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
    let err = verify_session_async::<()>(&v, &valid()).await.unwrap_err();
    assert_eq!(err.reason, Reason::JwkRemoteFailedToLoad);
    assert_eq!(remote.fetch_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_garbage_and_oversized_bodies_fail_closed() {
    let server = Server::start(Reply::Status(500));
    let (v, _) = remote_verifier(&server.url, fast());
    let err = verify_session_async::<()>(&v, &valid()).await.unwrap_err();
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
        assert_eq!(verify_session_async::<()>(&v, &valid()).await.unwrap_err().reason, reason);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_endpoint_times_out() {
    let server = Server::start(Reply::Slow(Duration::from_secs(3)));
    let options = RemoteOptions { timeout: Duration::from_millis(200), attempts: 2, ..fast() };
    let (v, _) = remote_verifier(&server.url, options);
    let started = Instant::now();
    assert_eq!(
        verify_session_async::<()>(&v, &valid()).await.unwrap_err().reason,
        Reason::JwkRemoteFailedToLoad
    );
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

/// A session token for the mock instance key, distinct per `n` (so no two share a cache entry).
fn token_n(n: usize) -> String {
    let mut payload = session();
    payload["sid"] = json!(format!("sess_{n}"));
    rs256(&header(), &payload)
}

/// Runs `tokens` concurrently through `v`, each timed: (result, how long it took).
async fn burst(v: &Verifier, tokens: Vec<String>) -> Vec<(Result<(), Reason>, Duration)> {
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let v = v.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let result = verify_session_async::<()>(&v, &token).await.map(|_| ()).map_err(|e| e.reason);
                (result, started.elapsed())
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_keys_serve_at_once_while_a_hanging_endpoint_is_refreshed_in_the_background() {
    let server = Server::start(Reply::Body(jwks_text()));
    let options = RemoteOptions {
        max_age: Duration::from_millis(100),
        refresh_ahead: Duration::from_millis(80),
        timeout: Duration::from_secs(2),
        ..fast()
    };
    let (v, remote) = remote_verifier(&server.url, options);
    verify_session_async::<()>(&v, &token_n(0)).await.unwrap();
    server.set(Reply::Slow(Duration::from_secs(30)));
    tokio::time::sleep(Duration::from_millis(150)).await; // past max_age, within max_stale
    let started = Instant::now();
    let results = burst(&v, (1..=24).map(token_n).collect()).await;
    for (result, took) in &results {
        assert_eq!(*result, Ok(()));
        assert!(*took < Duration::from_millis(500), "a request waited for the endpoint: {took:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert!(remote.fetch_count() <= 2, "{} fetches", remote.fetch_count());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_start_with_a_hanging_endpoint_shares_one_fetch_then_fails_at_once() {
    let server = Server::start(Reply::Slow(Duration::from_secs(30)));
    let options = RemoteOptions { failure_cooldown: Duration::from_secs(5), ..fast() };
    let (v, remote) = remote_verifier(&server.url, options);
    let started = Instant::now();
    let first = burst(&v, (0..16).map(token_n).collect()).await;
    let took = started.elapsed();
    for (result, _) in &first {
        assert_eq!(*result, Err(Reason::JwkRemoteFailedToLoad));
    }
    // One request, timed out once (500 ms), not retried: about one timeout for all sixteen.
    assert!(took < Duration::from_millis(1500), "{took:?}");
    assert_eq!((remote.fetch_count(), server.hits()), (1, 1));
    // Within the cooldown, requests that need a fetch fail at once, without one.
    let second = burst(&v, (16..32).map(token_n).collect()).await;
    for (result, took) in &second {
        assert_eq!(*result, Err(Reason::JwkRemoteFailedToLoad));
        assert!(*took < Duration::from_millis(100), "{took:?}");
    }
    assert_eq!(remote.fetch_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_answering_500_then_recovering_is_used_once_the_cooldown_ends() {
    let server = Server::start(Reply::Status(500));
    // A cooldown long enough that the check made right after the failure falls inside it even on a
    // loaded machine.
    let cooldown = Duration::from_secs(1);
    let options = RemoteOptions { failure_cooldown: cooldown, ..fast() };
    let (v, remote) = remote_verifier(&server.url, options);
    let results = burst(&v, (0..8).map(token_n).collect()).await;
    assert!(results.iter().all(|(r, _)| *r == Err(Reason::JwkRemoteFailedToLoad)));
    assert_eq!(remote.fetch_count(), 3, "one fetch, three attempts, shared by eight requests");
    server.set(Reply::Body(jwks_text()));
    assert_eq!(burst(&v, vec![token_n(8)]).await[0].0, Err(Reason::JwkRemoteFailedToLoad), "cooling down");
    assert_eq!(remote.fetch_count(), 3);
    tokio::time::sleep(cooldown + Duration::from_millis(50)).await;
    let started = Instant::now();
    let results = burst(&v, (9..25).map(token_n).collect()).await;
    assert!(results.iter().all(|(r, _)| r.is_ok()), "{results:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(remote.fetch_count(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_token_stops_verifying_past_the_stale_limit() {
    let server = Server::start(Reply::Body(jwks_text()));
    let options = RemoteOptions {
        max_age: Duration::from_millis(100),
        refresh_ahead: Duration::from_millis(50),
        max_stale: Duration::from_millis(300),
        failure_cooldown: Duration::from_millis(50),
        max_failure_cooldown: Duration::from_millis(50),
        ..fast()
    };
    let (v, remote) = remote_verifier(&server.url, options);
    let token = token_n(0);
    verify_session_async::<()>(&v, &token).await.unwrap();
    server.set(Reply::Status(503));
    let started = Instant::now();
    // Within max_age + max_stale the cached verdict and the held keys stand.
    while started.elapsed() < Duration::from_millis(250) {
        verify_session_async::<()>(&v, &token).await.unwrap();
        v.verify_session::<SessionClaims>(&token).unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    for result in [
        v.verify_session::<SessionClaims>(&token).map(|_| ()),
        verify_session_async::<()>(&v, &token).await.map(|_| ()),
    ] {
        assert_eq!(result.unwrap_err().reason, Reason::JwkRemoteFailedToLoad, "the cache outlived its keys");
    }
    assert!(remote.fetch_count() <= 1 + 3 * 12, "{} fetches", remote.fetch_count());
    // Once the endpoint is back, the token verifies again (the fetch waits out the cooldown).
    server.set(Reply::Body(jwks_text()));
    tokio::time::sleep(Duration::from_millis(60)).await;
    verify_session_async::<()>(&v, &token).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_retires_a_cached_token_with_its_key() {
    let server = Server::start(Reply::Body(jwks_text()));
    let options = RemoteOptions { unknown_kid_cooldown: Duration::from_millis(10), ..fast() };
    let (v, remote) = remote_verifier(&server.url, options);
    let old = token_n(0);
    verify_session_async::<()>(&v, &old).await.unwrap();
    verify_session_async::<()>(&v, &old).await.unwrap();
    assert_eq!(remote.fetch_count(), 1, "the second verification is a cache hit");

    // The instance rotates to a new key and drops the old one.
    let rotated = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    server.set(Reply::Body(json!({"keys": [rsa_jwk(&rotated, "ins_rotated")]}).to_string()));
    let new = sign_with(&rotated, "ins_rotated");
    let results = burst(&v, vec![new.clone(); 16]).await;
    assert!(results.iter().all(|(r, _)| r.is_ok()), "{results:?}");
    assert_eq!(remote.fetch_count(), 2, "sixteen requests for the new kid, one fetch");
    for result in [
        v.verify_session::<SessionClaims>(&old).map(|_| ()),
        verify_session_async::<()>(&v, &old).await.map(|_| ()),
    ] {
        assert_eq!(
            result.unwrap_err().reason,
            Reason::JwkKidMismatch,
            "the cached verdict left with its key"
        );
    }
    // An unchanged key stays the same key across refreshes: its cached verdicts stand.
    let before = v.verify_session::<Arc<SessionClaims>>(&new).unwrap();
    remote.refresh().await.unwrap();
    let after = v.verify_session::<Arc<SessionClaims>>(&new).unwrap();
    assert!(Arc::ptr_eq(&before, &after), "the refresh brought the same key: still a cache hit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_flapping_between_two_versions_keeps_fetches_bounded() {
    let second = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let only_second = json!({"keys": [rsa_jwk(&second, "ins_second")]});
    // The endpoint answers the old set and the rotated one in turn.
    let server = Server::start(Reply::Cycle(vec![jwks_text(), only_second.to_string()]));
    let cooldown = Duration::from_millis(100);
    let options = RemoteOptions {
        unknown_kid_cooldown: cooldown,
        max_age: Duration::from_millis(200),
        refresh_ahead: Duration::from_millis(150),
        ..fast()
    };
    let (v, remote) = remote_verifier(&server.url, options);
    let v = v.token_cache(false);
    let tokens = [valid(), sign_with(&second, "ins_second")];
    let started = Instant::now();
    let mut verified = [0usize; 2];
    let mut other_errors = Vec::new();
    let mut i = 0;
    while started.elapsed() < Duration::from_millis(1200) {
        let results = burst(&v, vec![tokens[i % 2].clone(); 4]).await;
        for (result, took) in results {
            assert!(took < Duration::from_millis(700), "{took:?}");
            match result {
                Ok(()) => verified[i % 2] += 1,
                Err(Reason::JwkKidMismatch) => {}
                Err(other) => other_errors.push(other),
            }
        }
        i += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(other_errors.is_empty(), "{other_errors:?}");
    assert!(verified[0] > 0 && verified[1] > 0, "{verified:?}");
    // At most one unknown-kid fetch per cooldown, plus the first and the background refreshes.
    let bound = 1 + (started.elapsed().as_millis() / cooldown.as_millis()) as u64 + 8;
    assert!(remote.fetch_count() <= bound, "{} fetches, bound {bound}", remote.fetch_count());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn machine_tokens_are_rejected_before_any_fetch() {
    let server = Server::start(Reply::Body(jwks_text()));
    let (v, _) = remote_verifier(&server.url, fast());
    let token = rs256(&json!({"alg": "RS256", "kid": KID, "cat": "cl_B7d4PD333AAA"}), &session());
    assert_eq!(v.fetch_key(&token, TokenKind::Any).await.unwrap_err().reason, Reason::TokenInvalid);
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
    verify_session_async::<()>(&va, &valid()).await.unwrap();
    // Same kid, other instance: B's cache has its own key for it, and the signature fails.
    assert_eq!(
        verify_session_async::<()>(&vb, &valid()).await.unwrap_err().reason,
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
    verify_session_async::<()>(&v, &valid()).await.unwrap();

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
                    if verify_session_async::<()>(&v, &token).await.is_err() {
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
        if verify_session_async::<()>(&v, &new_token).await.is_ok() {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_off_loopback_is_never_fetched() {
    let remote = RemoteJwks::new("http://clerk.example.com/.well-known/jwks.json");
    let v = Verifier::new(remote.clone()).now(NOW);
    let err = verify_session_async::<()>(&v, &valid()).await.unwrap_err();
    assert_eq!(err.reason, Reason::JwkRemoteFailedToLoad);
    assert!(err.message.contains("use https://"), "{}", err.message);
    assert_eq!(remote.fetch_count(), 0);
}
