//! `clerk-claims doctor`: is this environment set up to verify Clerk tokens?

use std::time::{Duration, SystemTime};

use clerk_claims_runtime::instance::{InstanceConfig, InstanceType, secret_key_environment};
use clerk_claims_runtime::keys::{Key, RemoteJwks, RemoteOptions};

use crate::Outcome;

struct Report {
    problems: usize,
}

impl Report {
    fn ok(&self, what: &str) {
        println!("ok      {what}");
    }
    fn warn(&self, what: &str) {
        println!("warning {what}");
    }
    fn fail(&mut self, what: &str) {
        self.problems += 1;
        println!("error   {what}");
    }
}

pub(crate) fn run() -> Outcome {
    let mut report = Report { problems: 0 };
    let config = match InstanceConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            report.fail(&e.to_string());
            println!("\n1 problem found");
            return Outcome::Rejected;
        }
    };
    match &config.config_file {
        Some(path) => report.ok(&format!("read {} (the CLERK_* variables win over it)", path.display())),
        None => report
            .warn("no clerk.toml here (CLERK_CONFIG names another): settings come from the environment only"),
    }
    match &config.publishable_key {
        Some(pk) => report.ok(&format!(
            "CLERK_PUBLISHABLE_KEY: {} instance, Frontend API {}",
            kind(pk.instance_type),
            pk.frontend_api
        )),
        None => report.warn("CLERK_PUBLISHABLE_KEY is not set: set CLERK_ISSUER and CLERK_JWKS_URL instead"),
    }
    match (&config.secret_key, &config.publishable_key) {
        (Some(sk), pk) => match (secret_key_environment(&sk.0), pk) {
            (None, _) => report.fail("CLERK_SECRET_KEY does not start with sk_test_ or sk_live_"),
            (Some(env), Some(pk)) if env != pk.instance_type => report.fail(&format!(
                "CLERK_SECRET_KEY is a {} key but CLERK_PUBLISHABLE_KEY a {} one: they come from different instances",
                kind(env),
                kind(pk.instance_type)
            )),
            (Some(env), _) => report.ok(&format!("CLERK_SECRET_KEY: {} key", kind(env))),
        },
        (None, _) => report.warn("CLERK_SECRET_KEY is not set (needed for the Backend API and `push`)"),
    }
    if let Some(pem) = &config.jwt_key {
        match Key::from_pem(pem, "doctor") {
            Ok(_) => report.ok("CLERK_JWT_KEY: an RSA public key (networkless verification)"),
            Err(e) => report.fail(&format!("CLERK_JWT_KEY: {e}")),
        }
    }
    if let (Some(frontend_api), Some(pk)) = (&config.frontend_api, &config.publishable_key)
        && *frontend_api != pk.frontend_api
    {
        report
            .ok(&format!("Frontend API {frontend_api} (proxy or satellite, instead of {})", pk.frontend_api));
    }
    match &config.issuer {
        Some(iss) => report.ok(&format!("issuer: {iss}")),
        None => report.fail("no issuer: set CLERK_PUBLISHABLE_KEY or CLERK_ISSUER"),
    }
    if let Some(skew) = config.clock_skew {
        report.ok(&format!("clock skew {skew} s"));
    }
    if !config.protected_paths.is_empty() {
        report.ok(&format!("protected paths: {}", config.protected_paths.join(", ")));
    }
    if let Some(suffix) = &config.cookie_suffix {
        report.ok(&format!("session cookies: __session_{suffix}, then __session"));
    }
    for party in &config.authorized_parties {
        let origin = party.split_once("://").is_some_and(|(scheme, rest)| {
            matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains('/')
        });
        if origin {
            report.ok(&format!("authorized party {party}"));
        } else {
            report.fail(&format!(
                "CLERK_AUTHORIZED_PARTIES: `{party}` is not an origin like https://app.example.com"
            ));
        }
    }
    if config.authorized_parties.is_empty() {
        report.warn("CLERK_AUTHORIZED_PARTIES is not set: tokens minted for any origin are accepted");
    }
    if let Some(url) = &config.jwks_url {
        check_jwks(&mut report, url);
    }
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if now < 1_700_000_000 {
        report.fail(
            "the system clock is in the past (before November 2023): every token will look not yet valid",
        );
    }
    if report.problems == 0 {
        println!("\nno problems found");
        Outcome::Success
    } else {
        println!("\n{} problem{} found", report.problems, if report.problems == 1 { "" } else { "s" });
        Outcome::Rejected
    }
}

fn kind(t: InstanceType) -> &'static str {
    match t {
        InstanceType::Development => "development",
        InstanceType::Production => "production",
    }
}

/// Fetches the key set, and compares the server's clock with ours.
fn check_jwks(report: &mut Report, url: &str) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        report.fail("cannot start the HTTP client");
        return;
    };
    let options = RemoteOptions { attempts: 1, timeout: Duration::from_secs(5), ..RemoteOptions::default() };
    let remote = RemoteJwks::with_options(url, options);
    match rt.block_on(remote.refresh()) {
        Ok(()) => report.ok(&format!("JWKS reachable: {url}")),
        Err(e) => {
            report.fail(&format!("JWKS {url}: {}", e.message));
            return;
        }
    }
    let date = rt.block_on(async {
        let response = reqwest::Client::new().head(url).timeout(Duration::from_secs(5)).send().await.ok()?;
        let header = response.headers().get("date")?.to_str().ok()?.to_string();
        httpdate::parse_http_date(&header).ok()
    });
    if let Some(server) = date {
        let skew = match SystemTime::now().duration_since(server) {
            Ok(d) => d,
            Err(e) => e.duration(),
        };
        if skew > Duration::from_secs(5) {
            report.fail(&format!(
                "the system clock is {}s away from the server's: beyond Clerk's 5 s skew, tokens will be rejected",
                skew.as_secs()
            ));
        } else {
            report.ok("clock within 5 s of the JWKS server's");
        }
    }
}
