//! `clerk-claims mint`: render a template against a context, add Clerk's claims and sign.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use clerk_claims_codegen::{Kind, Source, check_file, check_source};
use clerk_claims_dev::{
    CustomKey, SESSION_TOKEN_LIFETIME, SigningKey, Subject, TemplateSpec, random_id,
    session_token_customized, template_token,
};
use clerk_claims_runtime::Organization;
use clerk_claims_runtime::keys::Algorithm;
use serde_json::Value;

use crate::{Outcome, presets, usage};

/// The dev issuer's default port; `mint`'s default issuer points at it.
pub(crate) const DEFAULT_PORT: u16 = 4780;

/// The `mint` flags.
#[derive(Debug, Args)]
pub(crate) struct MintArgs {
    /// A bundled preset name (`hasura`, `session`, ...) or a template file. A session
    /// customization mints a session token; a JWT template, a template token.
    #[arg(long)]
    template: String,
    /// Render context: {"user": {"id": ...}, "org": {...}, "org_membership": {...}, "session": {...}}.
    /// `user.id` becomes `sub`; `org` and `org_membership.permissions` the session token's `o`.
    #[arg(long)]
    context: PathBuf,
    /// An RSA private key in PEM (PKCS#8 or PKCS#1). Default: the bundled DEVELOPMENT-ONLY key.
    #[arg(long, requires = "kid")]
    key: Option<PathBuf>,
    /// The kid of --key.
    #[arg(long)]
    kid: Option<String>,
    /// Issue as of this unix time (default: now).
    #[arg(long)]
    now: Option<i64>,
    /// `sid` of a session token (default: a random `sess_...`).
    #[arg(long)]
    session_id: Option<String>,
    /// `azp`: the origin the token is for.
    #[arg(long)]
    azp: Option<String>,
    /// `iss` (default: the dev issuer's, http://127.0.0.1:4780).
    #[arg(long)]
    issuer: Option<String>,
}

pub(crate) fn run(args: MintArgs) -> Outcome {
    let checked = match presets::file(&args.template) {
        Some(text) => check_source(Source::new(format!("{}.json", args.template), text)),
        None if Path::new(&args.template).exists() => check_file(Path::new(&args.template)),
        None => {
            return usage(format_args!(
                "`{}` is neither a bundled preset ({}) nor a file",
                args.template,
                presets::NAMES.join(", ")
            ));
        }
    };
    for d in &checked.diagnostics {
        eprintln!("{}\n", checked.source.render(d));
    }
    let Some(template) = checked.template.as_ref().filter(|_| !checked.has_errors()) else {
        return Outcome::Rejected;
    };
    let context = match crate::render::read_context(&args.context) {
        Ok(context) => context,
        Err(outcome) => return outcome,
    };
    let Some(user_id) = context.pointer("/user/id").and_then(Value::as_str) else {
        return usage(format_args!(
            "{}: the context has no `user.id` (the token's `sub`), e.g. {{\"user\": {{\"id\": \"user_1\"}}}}",
            args.context.display()
        ));
    };
    // A custom-key template is signed with its own key, as Clerk signs it.
    let custom_key = match clerk_claims_dev::template_signing_key(template) {
        Ok(None) => None,
        Ok(Some(secret)) => {
            let algorithm = template.settings.signing_algorithm.as_deref().unwrap_or("HS256");
            // An HMAC secret, or a private key in PEM: `CustomKey::new` says what is wrong.
            match algorithm.parse::<Algorithm>().and_then(|alg| CustomKey::new(alg, secret.into_bytes())) {
                Ok(key) => Some(key),
                Err(e) => {
                    return usage(format_args!(
                        "{}: mint cannot sign with this custom key: {e}",
                        args.template
                    ));
                }
            }
        }
        Err(e) => return usage(format_args!("{}: {e}", args.template)),
    };
    let key = match (&args.key, &args.kid) {
        (Some(path), Some(kid)) => match std::fs::read_to_string(path) {
            Ok(pem) => match SigningKey::from_pem(&pem, kid) {
                Ok(key) => key,
                Err(e) => return usage(format_args!("{}: {e}", path.display())),
            },
            Err(e) => return usage(format_args!("cannot read {}: {e}", path.display())),
        },
        _ => {
            if custom_key.is_none() {
                eprintln!(
                    "note: signed with the bundled DEVELOPMENT-ONLY key (kid {})",
                    clerk_claims_dev::DEVELOPMENT_KEY_ID
                );
            }
            SigningKey::development()
        }
    };
    let now = args
        .now
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64));
    let session_id = match args.session_id {
        Some(id) => id,
        None => match random_id("sess_", 27) {
            Ok(id) => id,
            Err(e) => {
                eprintln!("error: {e}");
                return Outcome::Rejected;
            }
        },
    };
    let subject = Subject {
        issuer: args.issuer.unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}")),
        user_id: user_id.to_string(),
        session_id,
        azp: args.azp,
        organization: organization(&context),
    };
    let minted = match template.kind {
        Kind::Template => {
            let spec = TemplateSpec {
                claims: template.claims_json(),
                lifetime: template.settings.lifetime as i64,
                allowed_clock_skew: template.settings.allowed_clock_skew as i64,
                custom_key,
            };
            template_token(&key, &spec, &context, &subject, now).map_err(|e| e.to_string())
        }
        Kind::Session => session_token_customized(
            &key,
            &subject,
            Some(&template.claims_json()),
            &context,
            now,
            SESSION_TOKEN_LIFETIME,
        )
        .map_err(|e| e.to_string()),
    };
    match minted {
        Ok(token) => {
            println!("{token}");
            Outcome::Success
        }
        Err(e) => {
            eprintln!("error: {e}");
            Outcome::Rejected
        }
    }
}

/// The session's organization from the context's `org` and `org_membership`.
fn organization(context: &Value) -> Option<Organization> {
    let org = context.get("org")?;
    let text = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
    Some(Organization {
        id: text(org, "id")?,
        slug: text(org, "slug"),
        role: text(org, "role"),
        permissions: context
            .pointer("/org_membership/permissions")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
    })
}
