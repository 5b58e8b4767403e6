//! `clerk-claims dev`: the local Clerk-compatible issuer. The first stdout line is one JSON object
//! (`api_url`, `frontend_api`, `issuer`, `jwks_url`, `publishable_key`, `secret_key`); a request
//! log follows.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use clerk_claims_dev::{DevIssuer, SigningKey};

use crate::Outcome;

/// The `dev` flags.
#[derive(Debug, Args)]
pub(crate) struct DevArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = crate::mint::DEFAULT_PORT)]
    port: u16,
    /// State file: loaded at start when it exists, rewritten after every change.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// An RSA private key in PEM to sign with. Default: the bundled DEVELOPMENT-ONLY key.
    #[arg(long, requires = "kid")]
    key: Option<PathBuf>,
    /// The kid of --key.
    #[arg(long)]
    kid: Option<String>,
    /// The secret key the Backend API accepts (default: a random sk_test_...). Prefer the
    /// environment variable to the flag: a flag shows in the process list.
    #[arg(long, env = "CLERK_DEV_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// After the first line, print the `export CLERK_PUBLISHABLE_KEY=... CLERK_SECRET_KEY=...
    /// CLERK_API_URL=...` line that configures an application (and `clerk-claims doctor`) for this
    /// issuer, to paste into a shell.
    #[arg(long)]
    print_env: bool,
    /// Template files to serve: JWT templates are created (or replaced, by name); a session
    /// customization applies to every session token.
    #[arg(long)]
    templates: Option<PathBuf>,
}

/// The Backend API bodies of the templates in `dir`: (session customization, JWT templates).
fn load_templates(
    dir: &std::path::Path,
) -> Result<(Option<serde_json::Value>, Vec<serde_json::Value>), Outcome> {
    let (mut session, mut templates) = (None, Vec::new());
    for (file, template) in crate::sync::read_templates(dir)? {
        let body = match clerk_claims_dev::template_api_body(&template) {
            Ok(body) => body,
            Err(e) => {
                // The issuer still starts; this template is just not served.
                eprintln!("warning: {file}: not served: {e}");
                continue;
            }
        };
        match template.kind {
            // An instance has one session customization: the first file's, in name order.
            clerk_claims_codegen::Kind::Session if session.is_some() => {
                eprintln!("warning: {file}: not applied: an earlier file is the session customization");
            }
            clerk_claims_codegen::Kind::Session => session = Some(body),
            clerk_claims_codegen::Kind::Template => templates.push(body),
        }
    }
    Ok((session, templates))
}

pub(crate) fn run(args: DevArgs) -> Outcome {
    let mut builder = DevIssuer::builder().port(args.port);
    if let (Some(path), Some(kid)) = (&args.key, &args.kid) {
        let key = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|pem| SigningKey::from_pem(&pem, kid).map_err(|e| e.to_string()));
        match key {
            Ok(key) => builder = builder.key(key),
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return Outcome::Usage;
            }
        }
    }
    if let Some(path) = args.fixtures {
        builder = builder.fixtures(path);
    }
    if let Some(secret) = args.secret_key {
        builder = builder.secret_key(secret);
    }
    let templates = match args.templates.as_deref().map(load_templates).transpose() {
        Ok(templates) => templates,
        Err(outcome) => return outcome,
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        eprintln!("error: cannot start the async runtime");
        return Outcome::Usage;
    };
    runtime.block_on(async {
        let issuer = match builder.start().await {
            Ok(issuer) => issuer,
            Err(e) => {
                eprintln!("error: {e}");
                return Outcome::Usage;
            }
        };
        if let Some((session, templates)) = templates {
            if session.is_some() {
                issuer.set_session_claims(session);
            }
            for body in templates {
                if let Err(e) = issuer.put_template(body) {
                    eprintln!("error: {}", e.long_message);
                    return Outcome::Rejected;
                }
            }
        }
        let info = issuer.info();
        let line = serde_json::to_string(info).unwrap_or_default();
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "{line}");
        if args.print_env {
            let _ = writeln!(
                stdout,
                "export CLERK_PUBLISHABLE_KEY={} CLERK_SECRET_KEY={} CLERK_API_URL={}",
                info.publishable_key, info.secret_key, info.api_url
            );
        }
        let _ = stdout.flush();
        tracing_subscriber::fmt().with_writer(std::io::stdout).with_ansi(false).with_target(false).init();
        if issuer.key().is_development() {
            tracing::warn!("signing with the bundled DEVELOPMENT-ONLY key; never trust it in production");
        }
        tracing::info!("serving {} (JWKS {})", issuer.info().api_url, issuer.info().jwks_url);
        std::future::pending::<()>().await;
        Outcome::Success
    })
}
