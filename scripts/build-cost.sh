#!/usr/bin/env bash
# The clean-build cost a user's crate pays, and the quickstart's first output, both timed from an
# empty target directory (BENCHMARKS.md, "Build time"):
# - a minimal binary verifying a session token with clerk-claims-runtime (default features),
#   against the same binary on jsonwebtoken (aws_lc_rs) + reqwest (rustls) + serde, timed in
#   alternation in one run;
# - `cargo run -p clerk-claims-dev --example quickstart` until its first line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ours/src" "$work/base/src"
cat > "$work/ours/Cargo.toml" <<TOML
[package]
name = "build-cost-ours"
version = "0.0.0"
edition = "2024"
[dependencies]
clerk-claims-runtime = { path = "$repo/clerk-claims-runtime" }
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["macros", "rt"] }
[workspace]
TOML
cat > "$work/ours/src/main.rs" <<'RUST'
use clerk_claims_runtime::{instance::InstanceConfig, verify::TokenKind, SessionClaims, Verifier};

#[derive(Debug, serde::Deserialize)]
struct Custom {
    role: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verifier = Verifier::from_instance(&InstanceConfig::from_env()?)?;
    let token = std::io::read_to_string(std::io::stdin())?;
    let token = token.trim();
    verifier.fetch_key(token, TokenKind::Session).await?;
    let claims: SessionClaims<Custom> = verifier.verify_session(token)?;
    println!("{} {:?}", claims.user_id(), claims.custom.role);
    Ok(())
}
RUST
cat > "$work/base/Cargo.toml" <<'TOML'
[package]
name = "build-cost-base"
version = "0.0.0"
edition = "2024"
[dependencies]
jsonwebtoken = { version = "11", default-features = false, features = ["aws_lc_rs", "use_pem"] }
reqwest = { version = "0.13", default-features = false, features = ["rustls", "json"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt"] }
[workspace]
TOML
cat > "$work/base/src/main.rs" <<'RUST'
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header, jwk::JwkSet};

#[derive(Debug, serde::Deserialize)]
struct Claims {
    sub: String,
    sid: String,
    role: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("CLERK_JWKS_URL")?;
    let jwks: JwkSet = reqwest::get(&url).await?.json().await?;
    let token = std::io::read_to_string(std::io::stdin())?;
    let kid = decode_header(token.trim())?.kid.ok_or("no kid")?;
    let jwk = jwks.find(&kid).ok_or("unknown kid")?;
    let key = DecodingKey::from_jwk(jwk)?;
    let claims = decode::<Claims>(token.trim(), &key, &Validation::new(jsonwebtoken::Algorithm::RS256))?;
    println!("{} {} {:?}", claims.claims.sub, claims.claims.sid, claims.claims.role);
    Ok(())
}
RUST
seconds() { local start=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc; }
for crate in ours base; do (cd "$work/$crate" && cargo fetch -q); done
for round in 1 2; do
  for crate in ours base; do
    rm -rf "$work/$crate/target"
    echo "round $round: $crate $(cd "$work/$crate" && seconds cargo build -q) s"
  done
done
rm -rf "$work/quickstart-target"
start=$(date +%s.%N)
(cd "$repo" && CARGO_TARGET_DIR="$work/quickstart-target" cargo run -q -p clerk-claims-dev --example quickstart 2>/dev/null) |
  { read -r first; echo "quickstart first output: $(echo "$(date +%s.%N) - $start" | bc) s ($first)"; cat >/dev/null; }
