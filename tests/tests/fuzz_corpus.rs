//! Replays the fuzz targets' checked-in seed corpus (fuzz/corpus) through the same calls the targets
//! make, on every test run.

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

#[test]
fn corpus_replays_without_panics() {
    for seed in seeds("verify_token") {
        entry::verify_token(&seed);
    }
    for seed in seeds("parse_jwks") {
        entry::parse_jwks(&seed);
    }
    for seed in seeds("parse_template") {
        entry::parse_template(&seed);
    }
    for seed in seeds("parse_expression") {
        entry::parse_expression(&seed);
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
