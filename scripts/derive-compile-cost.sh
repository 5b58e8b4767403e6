#!/usr/bin/env bash
# The compile cost of #[derive(ClerkClaims)] against a plain serde derive: two throwaway crates of 50
# structs each (6 fields), one with `#[derive(serde::Deserialize)]`, the other with
# `#[derive(ClerkClaims, serde::Deserialize)]` and a shortcode on every field. Dependencies are
# built first; then each crate alone is rebuilt (debug, as `cargo check`/`build` in development)
# RUNS times and the median wall time is printed with the ratio. Versions are pinned by the
# workspace's Cargo.lock.
#
#   scripts/derive-compile-cost.sh [RUNS]
set -euo pipefail
runs="${1:-5}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/target"

fields=(
  'user.id:String' 'user.primary_email_address:Option<String>' 'user.first_name:Option<String>'
  'user.email_verified:bool' 'user.created_at:i64' 'user.public_metadata:serde_json::Value'
)

crate() { # name, derive?
  local dir="$work/$1"
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
clerk-claims-runtime = { path = "$repo/clerk-claims-runtime", default-features = false, features = ["derive"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[workspace]
TOML
  cp "$repo/Cargo.lock" "$dir/Cargo.lock"
  {
    echo '#![allow(dead_code)]'
    for i in $(seq 1 50); do
      if [ "$2" = derive ]; then
        echo "#[derive(clerk_claims_runtime::ClerkClaims, serde::Deserialize)]"
        echo "#[clerk(name = \"template_$i\")]"
      else
        echo "#[derive(serde::Deserialize)]"
      fi
      echo "pub struct Claims$i {"
      local n=0
      for field in "${fields[@]}"; do
        n=$((n + 1))
        if [ "$2" = derive ]; then echo "    #[clerk(shortcode = \"${field%%:*}\")]"; fi
        echo "    pub field_$n: ${field#*:},"
      done
      echo "}"
    done
  } > "$dir/src/lib.rs"
}

crate serde_only plain
crate with_clerk derive

build() { (cd "$work/$1" && cargo build -q --offline 2>/dev/null || cargo build -q); }
build serde_only
build with_clerk

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_crate() {
  for _ in $(seq 1 "$runs"); do
    touch "$work/$1/src/lib.rs"
    local start end
    start=$(date +%s%N)
    build "$1"
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
  done | median
}

plain=$(time_crate serde_only)
clerk=$(time_crate with_clerk)
echo "| crate (50 structs, 6 fields each) | median of $runs rebuilds | ratio |"
echo "|---|---:|---:|"
echo "| \`#[derive(Deserialize)]\` | ${plain} ms | 1.00 |"
awk -v p="$plain" -v c="$clerk" 'BEGIN { printf "| `#[derive(ClerkClaims, Deserialize)]` | %d ms | %.2f |\n", c, c / p }'
