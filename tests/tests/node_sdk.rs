//! Clerk's official Node backend SDK (`@clerk/backend`, pinned with its lockfile in `tests/node`)
//! drives the dev issuer: `tests/node/sdk.test.mjs` runs under `node --test` against an issuer
//! started here. `.ci/run` installs the package (`npm ci`); without it, outside CI, the test says
//! so and passes, as the rest of the suite needs no Node.js.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use clerk_claims_dev::DevIssuer;

fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerks_node_sdk_drives_the_dev_issuer_unmodified() {
    let dir = node_dir();
    if !dir.join("node_modules/@clerk/backend/package.json").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tests/node has no node_modules: CI runs `npm ci --prefix tests/node` first"
        );
        eprintln!("skipped: run `npm ci --prefix tests/node` to drive the dev issuer with Clerk's Node SDK");
        return;
    }
    let issuer = DevIssuer::start().await.unwrap();
    let info = issuer.info().clone();
    let pem = issuer.key().public_pem();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["--test", "--test-reporter=spec", "sdk.test.mjs"])
            .current_dir(dir)
            .env("CLERK_API_URL", &info.api_url)
            .env("CLERK_SECRET_KEY", &info.secret_key)
            .env("CLERK_PUBLISHABLE_KEY", &info.publishable_key)
            .env("CLERK_JWT_KEY", pem)
            .env("CLERK_ISSUER", &info.issuer)
            .env("NODE_OPTIONS", "")
            // No telemetry: CI reaches no network but the package registries.
            .env("CLERK_TELEMETRY_DISABLED", "1")
            .output()
    });
    let output = tokio::time::timeout(Duration::from_secs(120), output)
        .await
        .expect("the Node SDK suite finishes within two minutes")
        .unwrap()
        .expect("node runs (Node.js 20 or newer)");
    let report =
        format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the Node SDK suite failed:\n{report}");
    assert!(report.contains("pass 5") && report.contains("fail 0"), "every test of the suite ran:\n{report}");
}
