#!/usr/bin/env bash
# Instructions per verification, counted by callgrind: the verify bench's workload
# (clerk-claims-runtime/benches/support) through `verify/floor` (the RSA verification alone) and
# `verify/clerk_claims` (the whole policy into SessionClaims<Custom>), each run RUNS times and once
# with no runs, the difference divided by RUNS. Unlike wall time this does not move with other
# tenants' load, so it shows what a change to the path costs. Counts are for callgrind's CPU model
# (it hides some instruction-set extensions the RSA code uses on real hardware), so compare counts
# with counts, not with the criterion ratios. Needs valgrind (Debian: apt-get install valgrind).
#
#   scripts/verify-instructions.sh [RUNS]
set -euo pipefail
runs="${1:-200}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$repo/target/verify-instructions"

mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "verify-instructions"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
aws-lc-rs = "1"
base64 = "0.22"
clerk-claims-runtime = { path = "$repo/clerk-claims-runtime" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[profile.release]
debug = 1

[workspace]
TOML
cp "$repo/Cargo.lock" "$work/Cargo.lock"
cat > "$work/src/main.rs" <<RUST
#[path = "$repo/clerk-claims-runtime/benches/support/mod.rs"]
mod support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args[2].parse().unwrap();
    let workload = support::Workload::new("$repo/../shared/vectors");
    for _ in 0..runs {
        match args[1].as_str() {
            "floor" => assert!(std::hint::black_box(&workload).floor()),
            _ => drop(std::hint::black_box(std::hint::black_box(&workload).verify().unwrap())),
        }
    }
}
RUST
cargo build -q --release --manifest-path "$work/Cargo.toml"
count() { # what, runs
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$CARGO_TARGET_DIR/release/verify-instructions" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
per_run() { echo $((($(count "$1" "$runs") - $(count "$1" 0)) / runs)); }
floor="$(per_run floor)"
claims="$(per_run clerk_claims)"
echo "instructions per verification (callgrind, $runs runs)"
echo "  verify/floor         $floor"
echo "  verify/clerk_claims  $claims  (the floor + $((claims - floor)); $(awk "BEGIN{printf \"%.2f\", $claims/$floor}")x)"
