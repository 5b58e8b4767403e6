//! `verify`: the workload of [`support::Workload`] (one realistic v2 session token of ~1.2 KB,
//! RS256-2048, keys already parsed), compared in one run against
//! - `verify/floor`: the raw aws-lc-rs RSA PKCS#1 v1.5 SHA-256 verification of the same signing
//!   input with a parsed key (the least any verifier must do);
//! - `verify/jsonwebtoken`: `jsonwebtoken::decode` (aws_lc_rs backend) into an equivalent struct
//!   with an equivalent `Validation`;
//! - `verify/clerk_claims`: `Verifier::verify_session` into typed `SessionClaims<C>`, token cache off;
//! - `verify/cached_token`: the same token again through the verified-token cache.
//!
//! `verify/cached_token` verifies into `Arc<SessionClaims<C>>` (claims shared with the cache);
//! `verify/cached_token_remote_keys` the same with the key set fetched from a local endpoint (a hit
//! also checks that the verifying key is still in the current set).
//! `verify/beyond_floor` is what `clerk_claims` costs beyond `floor`, both timed in alternating
//! chunks of the same run, so a change in the neighbours' load between two benchmarks does not
//! show up as a ratio; `verify/jsonwebtoken_beyond_clerk_claims` is what `jsonwebtoken` costs beyond
//! `clerk_claims`, timed the same way; `verify/plain_serde_json_beyond_floor` is what ordinary code
//! adds to `floor` (split, base64url-decode, header and payload read with serde_json into plain
//! structs, nothing checked: [`Workload::plain`]), and `verify/borrowed_serde_json_beyond_floor` the
//! same into structs borrowing every string and skipping `metadata` ([`Workload::plain_borrowed`]):
//! the least a serde_json-based verifier does.
//! `verify/two_threads`, `verify/two_threads_floor` and `verify/two_threads_cached` report the time
//! per verification of two threads verifying at once, timed in alternating chunks with one thread
//! doing as many alone (the ratio is the throughput scaling; the cached one has both threads hit the
//! same token, the worst case for sharing).
//!
//! At the end the bench prints the ratios (clerk_claims and jsonwebtoken to the floor) from the
//! medians of the batches it timed, and the median ratios of the alternating ones.

mod support;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use clerk_claims_runtime::SessionClaims;
use criterion::{Criterion, criterion_group, criterion_main};
use support::{Custom, PlainClaims, Workload, serve};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors");

fn bench(c: &mut Criterion) {
    let workload = Workload::new(VECTORS);
    let token = &workload.token;
    eprintln!("token: {} bytes", token.len());
    let cached = workload.verifier.clone().token_cache(true);
    assert!(cached.verify_session::<Arc<SessionClaims<Custom>>>(token).is_ok());
    // The same with the key set fetched from an endpoint: a hit also checks that the key that
    // verified the token is still in the current set and the set is young enough.
    let jwks_url = serve(std::fs::read_to_string(format!("{VECTORS}/clerk/jwks/mock_jwks.json")).unwrap());
    let cached_remote = workload.remote_verifier(&jwks_url);
    assert!(cached_remote.verify_session::<Arc<SessionClaims<Custom>>>(token).is_ok());

    let jwt_key = jsonwebtoken::DecodingKey::from_rsa_pem(
        std::fs::read_to_string(format!("{VECTORS}/clerk/keys/instance_rs256_public_spki.pem"))
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&["https://clerk.inspired.puma-74.lcl.dev"]);
    validation.set_required_spec_claims(&["exp", "sub"]);
    validation.leeway = 5;
    validation.validate_exp = false; // the fixture clock is in 2022; the other checks still run
    validation.validate_nbf = true;
    validation.validate_aud = false;
    assert!(jsonwebtoken::decode::<PlainClaims>(token, &jwt_key, &validation).is_ok());

    let recorded = Recorded::default();
    let mut group = c.benchmark_group("verify");
    let floor = || assert!(black_box(&workload).floor());
    let verify = || drop(black_box(black_box(&workload).verify().unwrap()));
    let jsonwebtoken = || {
        drop(black_box(jsonwebtoken::decode::<PlainClaims>(black_box(token), &jwt_key, &validation).unwrap()))
    };
    group.bench_function("floor", |b| recorded.iter(b, "floor", floor));
    group.bench_function("clerk_claims", |b| recorded.iter(b, "clerk_claims", verify));
    group.bench_function("jsonwebtoken", |b| recorded.iter(b, "jsonwebtoken", jsonwebtoken));
    group.bench_function("beyond_floor", |b| recorded.alternating(b, "beyond_floor", verify, floor));
    group.bench_function("jsonwebtoken_beyond_clerk_claims", |b| {
        recorded.alternating(b, "jsonwebtoken_beyond_clerk_claims", jsonwebtoken, verify)
    });
    group.bench_function("plain_serde_json_beyond_floor", |b| {
        recorded.alternating(b, "plain_serde_json_beyond_floor", || assert!(workload.plain()), floor)
    });
    group.bench_function("borrowed_serde_json_beyond_floor", |b| {
        recorded.alternating(
            b,
            "borrowed_serde_json_beyond_floor",
            || assert!(workload.plain_borrowed()),
            floor,
        )
    });
    group.bench_function("cached_token", |b| {
        recorded.iter(b, "cached_token", || {
            drop(black_box(cached.verify_session::<Arc<SessionClaims<Custom>>>(black_box(token)).unwrap()))
        })
    });
    group.bench_function("cached_token_remote_keys", |b| {
        recorded.iter(b, "cached_token_remote_keys", || {
            drop(black_box(
                cached_remote.verify_session::<Arc<SessionClaims<Custom>>>(black_box(token)).unwrap(),
            ))
        })
    });
    // Throughput on two threads at once, for clerk-claims and for the floor (whose scaling shows
    // what the machine allows). A chunk lasts milliseconds, so waking the second thread is noise.
    group.bench_function("two_threads", |b| recorded.two_threads(b, "two_threads", 128, &verify));
    group.bench_function("two_threads_cached", |b| {
        recorded.two_threads(b, "two_threads_cached", 32_768, &|| {
            black_box(cached.verify_session::<Arc<SessionClaims<Custom>>>(black_box(token)).ok());
        })
    });
    group.bench_function("two_threads_floor", |b| recorded.two_threads(b, "two_threads_floor", 128, &floor));
    group.finish();
    recorded.report();
}

/// The time per iteration of every batch criterion timed, by benchmark id: the ratios this run's
/// figures stand for are printed from them, so they need not be worked out by hand.
#[derive(Default)]
struct Recorded {
    times: RefCell<BTreeMap<&'static str, Vec<f64>>>,
    /// For benchmarks timing two routines in alternation: the ratio of their times in each batch.
    ratios: RefCell<BTreeMap<&'static str, Vec<f64>>>,
}

impl Recorded {
    fn iter(&self, b: &mut criterion::Bencher, id: &'static str, mut routine: impl FnMut()) {
        self.iter_custom(b, id, |iters| timed(iters, &mut routine))
    }

    fn iter_custom(
        &self,
        b: &mut criterion::Bencher,
        id: &'static str,
        mut routine: impl FnMut(u64) -> Duration,
    ) {
        b.iter_custom(|iters| {
            let elapsed = routine(iters);
            self.times.borrow_mut().entry(id).or_default().push(elapsed.as_secs_f64() / iters.max(1) as f64);
            elapsed
        })
    }

    /// `first` minus `second`, both timed in alternating chunks of the same batch, so a change in
    /// the neighbours' load between two benchmarks does not enter the comparison; the ratio of the
    /// two in each batch is kept for the report.
    fn alternating(&self, b: &mut criterion::Bencher, id: &'static str, first: impl Fn(), second: impl Fn()) {
        self.iter_custom(b, id, |iters| {
            // Chunks long enough that each runs in its own steady state (the floor alone keeps the
            // RSA code cached; a verification also runs the parse), short enough to alternate often.
            const CHUNK: u64 = 32;
            let (mut first_time, mut second_time) = (Duration::ZERO, Duration::ZERO);
            for chunk in 0..iters.div_ceil(CHUNK) {
                let n = CHUNK.min(iters - chunk * CHUNK);
                first_time += timed(n, &first);
                second_time += timed(n, &second);
            }
            let ratio = first_time.as_secs_f64() / second_time.as_secs_f64();
            self.ratios.borrow_mut().entry(id).or_default().push(ratio);
            // Under heavy load a batch can time `first` no slower than `second`; criterion refuses
            // a zero, so such a batch counts as a nanosecond.
            first_time.saturating_sub(second_time).max(Duration::from_nanos(1))
        })
    }

    /// Two threads sharing `work`, timed in alternating chunks with one thread doing the same number
    /// of runs alone, so both see the same load: criterion gets the two threads' time (per run), the
    /// report the ratio of one thread's time to theirs in each batch (the throughput scaling).
    fn two_threads(
        &self,
        b: &mut criterion::Bencher,
        id: &'static str,
        chunk: u64,
        work: &(dyn Fn() + Sync),
    ) {
        self.iter_custom(b, id, |iters| {
            let chunks = iters.div_ceil(chunk);
            let runs = |i: u64| chunk.min(iters - i * chunk);
            let (mut one, mut two) = (Duration::ZERO, Duration::ZERO);
            let barrier = Barrier::new(2);
            std::thread::scope(|s| {
                s.spawn(|| {
                    for i in 0..chunks {
                        barrier.wait();
                        timed(runs(i) / 2, work);
                        barrier.wait();
                    }
                });
                for i in 0..chunks {
                    one += timed(runs(i), work);
                    let started = Instant::now();
                    barrier.wait();
                    timed(runs(i) - runs(i) / 2, work);
                    barrier.wait();
                    two += started.elapsed();
                }
            });
            self.ratios.borrow_mut().entry(id).or_default().push(one.as_secs_f64() / two.as_secs_f64());
            two
        })
    }

    /// The median of `id`'s figures in `figures` (NaN when it did not run, as with a filter).
    fn median(figures: &RefCell<BTreeMap<&'static str, Vec<f64>>>, id: &str) -> f64 {
        let mut figures = figures.borrow().get(id).cloned().unwrap_or_default();
        figures.sort_by(f64::total_cmp);
        figures.get(figures.len() / 2).copied().unwrap_or(f64::NAN)
    }

    fn report(&self) {
        let m = |id| Self::median(&self.times, id);
        let r = |id| Self::median(&self.ratios, id);
        eprintln!("ratios in this run (medians of the batches criterion timed):");
        eprintln!("  clerk_claims / floor                        {:.2}", m("clerk_claims") / m("floor"));
        eprintln!("  jsonwebtoken / floor                        {:.2}", m("jsonwebtoken") / m("floor"));
        eprintln!("  clerk_claims / floor, alternating           {:.2}", r("beyond_floor"));
        eprintln!("  plain_serde_json / floor, alternating       {:.2}", r("plain_serde_json_beyond_floor"));
        eprintln!(
            "  borrowed_serde_json / floor, alternating    {:.2}",
            r("borrowed_serde_json_beyond_floor")
        );
        eprintln!(
            "  jsonwebtoken / clerk_claims, alternating    {:.2}",
            r("jsonwebtoken_beyond_clerk_claims")
        );
        eprintln!(
            "  two threads vs one thread, alternating      clerk_claims {:.2}x, floor {:.2}x, cached_token {:.2}x",
            r("two_threads"),
            r("two_threads_floor"),
            r("two_threads_cached")
        );
    }
}

/// How long `n` runs of `routine` take.
fn timed(n: u64, mut routine: impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        routine();
    }
    started.elapsed()
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
