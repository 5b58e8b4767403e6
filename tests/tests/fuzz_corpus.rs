//! Replays the fuzz targets' checked-in seed corpus (fuzz/corpus, which holds every finding's input
//! too) through the same calls and checks the targets make, on every test run.

#[path = "../../fuzz/fuzz_targets/entry.rs"]
mod entry;

use std::path::PathBuf;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty(), "{} has no seeds", dir.display());
    files.into_iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// A target's entry point.
type Target = fn(&[u8]);

/// Every target, its corpus directory and its entry point.
const TARGETS: &[(&str, Target)] = &[
    ("verify_token", entry::verify_token),
    ("parse_jwks", entry::parse_jwks),
    ("parse_template", entry::parse_template),
    ("parse_expression", entry::parse_expression),
    ("backend_response", entry::backend_response),
    ("dev_issuer_request", entry::dev_issuer_request),
    ("request_token", entry::request_token),
    ("instance_keys", entry::instance_keys),
    ("derive_spec", entry::derive_spec),
    ("decode_describe", entry::decode_describe),
    ("strict_json", entry::strict_json),
    ("segment_base64", entry::segment_base64),
];

#[test]
fn corpus_replays_with_every_invariant_holding() {
    for (target, run) in TARGETS {
        for seed in seeds(target) {
            run(&seed);
        }
    }
}

#[test]
fn every_target_has_a_corpus_and_a_binary() {
    let manifest =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/Cargo.toml"))
            .unwrap();
    for (target, _) in TARGETS {
        assert!(manifest.contains(&format!("name = \"{target}\"")), "{target} is not a fuzz binary");
        assert!(!seeds(target).is_empty());
    }
}

#[test]
fn the_token_corpus_holds_a_valid_token() {
    // The seeds are real Clerk fixtures, so the fuzzer starts from tokens that verify.
    let jwks = clerk_claims_runtime::Jwks::from_json(entry::JWKS).unwrap();
    let verifier = clerk_claims_runtime::Verifier::new(jwks).now(1_666_648_250);
    let valid = seeds("verify_token")
        .iter()
        .filter(|s| {
            verifier
                .verify_json(std::str::from_utf8(s).unwrap(), clerk_claims_runtime::verify::TokenKind::Any)
                .is_ok()
        })
        .count();
    assert!(valid >= 3, "{valid}");
}
