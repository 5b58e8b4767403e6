#!/usr/bin/env bash
# Instructions and instruction-cache misses per verification, counted by valgrind: the verify
# bench's workload (clerk-claims-runtime/benches/support) through `verify/floor` (the RSA
# verification alone), `plain_serde_json` (the floor and ordinary decoding: base64url, serde_json
# into plain structs, nothing checked), `borrowed_serde_json` (the same into structs borrowing every
# string, nothing allocated but the decoded segments) and `verify/clerk_claims` (the whole policy
# into SessionClaims<Custom>), each run RUNS times and once with no runs, the difference divided by
# RUNS. Unlike wall time these do not move with other tenants' load, so they show what a change to
# the path costs. Both come from cachegrind (L1 instruction cache 32 KiB, 8-way, like the host); the
# misses measure the code a verification runs beyond what stays cached from the last one, which is
# what makes the wall-time ratio larger than the instruction ratio. Counts are for valgrind's CPU
# model (it hides some instruction-set extensions the RSA code uses on real hardware), so compare
# counts with counts, not with the criterion ratios. The setup signs with blinding, so counts vary by a few hundred
# instructions between runs. Needs valgrind (Debian: apt-get install valgrind).
#
# I1=SIZE,ASSOC,LINE simulates another first-level instruction cache (I1=131072,8,64: 128 KiB):
# how the misses fall as the cache grows shows how much code one verification runs through.
#
#   [I1=...] scripts/verify-instructions.sh [RUNS]
set -euo pipefail
runs="${1:-1000}"
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
base64-simd = "0.8"
clerk-claims-runtime = { path = "$repo/clerk-claims-runtime" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["rt"] }

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
            "plain" => assert!(std::hint::black_box(&workload).plain()),
            "borrowed" => assert!(std::hint::black_box(&workload).plain_borrowed()),
            _ => drop(std::hint::black_box(std::hint::black_box(&workload).verify().unwrap())),
        }
    }
}
RUST
cargo build -q --release --manifest-path "$work/Cargo.toml"
# Instructions and L1 instruction-cache misses of one run of the harness (`what runs`).
counted() {
  valgrind --tool=cachegrind --cache-sim=yes ${I1:+--I1="$I1"} --cachegrind-out-file=/dev/null \
    "$CARGO_TARGET_DIR/release/verify-instructions" "$1" "$2" 2>&1 | tr -d , |
    awk '/I *refs:/ {refs = $NF} /I1 *misses:/ {misses = $NF} END {print refs, misses}'
}
# Per verification: `what` -> "instructions misses".
per_run() {
  read -r refs misses <<<"$(counted "$1" "$runs")"
  read -r refs0 misses0 <<<"$(counted "$1" 0)"
  echo "$(((refs - refs0) / runs)) $(((misses - misses0) / runs))"
}
read -r floor floor_misses <<<"$(per_run floor)"
read -r plain plain_misses <<<"$(per_run plain)"
read -r borrowed borrowed_misses <<<"$(per_run borrowed)"
read -r claims claims_misses <<<"$(per_run clerk_claims)"
echo "per verification ($runs runs)       instructions                     L1i misses"
printf '  verify/floor         %9s                                %6s\n' "$floor" "$floor_misses"
# One row beyond the floor: name, instructions, misses.
row() {
  printf '  %-19s  %9s  (floor + %6s; %sx)    %6s  (floor + %s)\n' "$1" "$2" "$(($2 - floor))" \
    "$(awk "BEGIN{printf \"%.2f\", $2/$floor}")" "$3" "$(($3 - floor_misses))"
}
row borrowed_serde_json "$borrowed" "$borrowed_misses"
row plain_serde_json "$plain" "$plain_misses"
row verify/clerk_claims "$claims" "$claims_misses"
