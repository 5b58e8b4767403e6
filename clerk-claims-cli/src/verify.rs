use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;
use clerk_claims_codegen::emit;
use clerk_claims_runtime::keys::{Algorithm, Key, RemoteJwks};
use clerk_claims_runtime::verify::{KeySource, TokenKind};
use clerk_claims_runtime::{Jwks, Reason, Verifier, VerifyError};
use serde_json::{Map, Value};

use crate::{Outcome, usage};

/// The `verify` flags.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The token, or `-` (the default) to read it from standard input. Prefer standard input: a
    /// token on the command line shows in the process list and the shell history.
    token: Option<String>,
    /// A JWKS file or URL (the instance's `https://<frontend api>/.well-known/jwks.json`).
    #[arg(long, group = "key")]
    jwks: Option<String>,
    /// An RSA public key in PEM (Clerk's "JWT public key", `CLERK_JWT_KEY`).
    #[arg(long, group = "key")]
    pem: Option<PathBuf>,
    /// A file holding an HMAC secret (a template's custom signing key; a file, so the secret is
    /// never on the command line). A public key (PEM, OpenSSH, JWK) is refused here: use --pem.
    #[arg(long, group = "key")]
    secret: Option<PathBuf>,
    /// Required `iss` (the Frontend API URL).
    #[arg(long)]
    issuer: Option<String>,
    /// An allowed `azp` origin (repeatable).
    #[arg(long = "authorized-party")]
    authorized_parties: Vec<String>,
    /// Required `aud`.
    #[arg(long)]
    audience: Option<String>,
    /// Allowed algorithm (repeatable); for --secret, the HMAC algorithm (default HS256).
    #[arg(long = "alg")]
    algorithms: Vec<String>,
    /// Verify as of this unix time.
    #[arg(long)]
    now: Option<i64>,
    /// Allowed clock skew in seconds (default 5).
    #[arg(long)]
    clock_skew: Option<u32>,
    /// Longest token accepted (default: the verifier's, 8 KiB).
    #[arg(long)]
    max_token_bytes: Option<usize>,
    /// session, template or any (default: template with --template, else any).
    #[arg(long, value_parser = ["session", "template", "any"])]
    kind: Option<String>,
    /// Accept tokens signed by the bundled development key (whose private half is public) although
    /// the issuer is not loopback. Without it they verify only with a loopback --issuer.
    #[arg(long)]
    allow_development_key: bool,
    /// The template the token was minted from: its constant claims (such as `aud`) must hold, and
    /// the payload must fit the template's JSON Schema (the one `generate` writes), so this accepts
    /// exactly what the generated type accepts.
    #[arg(long)]
    template: Option<PathBuf>,
}

fn read_limited(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(1024 * 1024 + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if text.len() > 1024 * 1024 {
        return Err(format!("{} is larger than 1 MiB", path.display()));
    }
    Ok(text)
}

pub(crate) fn run(args: VerifyArgs) -> Outcome {
    let max = args.max_token_bytes.unwrap_or(clerk_claims_runtime::verify::DEFAULT_MAX_TOKEN_BYTES);
    let token = match crate::token_input(args.token.as_deref(), max) {
        Ok(token) => token,
        Err(e) => return usage(e),
    };
    let algorithms =
        match args.algorithms.iter().map(|a| a.parse::<Algorithm>()).collect::<Result<Vec<_>, _>>() {
            Ok(a) => a,
            Err(e) => return usage(e),
        };
    let (constants, template_kind, schema) = match &args.template {
        Some(path) => {
            let checked = clerk_claims_codegen::check_file(path);
            let (Some(template), Some(model), false) =
                (&checked.template, &checked.model, checked.has_errors())
            else {
                eprintln!("{}", checked.render());
                return usage(format!(
                    "{} is not a valid template; run `clerk-claims check`",
                    path.display()
                ));
            };
            let constants: Map<String, Value> = model.constants.clone().into_iter().collect();
            let kind = match template.kind {
                clerk_claims_codegen::Kind::Template => TokenKind::Template,
                clerk_claims_codegen::Kind::Session => TokenKind::Session,
            };
            let schema = match jsonschema::validator_for(&emit::template_schema(template, model)) {
                Ok(v) => v,
                Err(e) => return usage(format!("{}: cannot build its JSON Schema: {e}", path.display())),
            };
            (constants, Some(kind), Some((template.name.clone(), schema)))
        }
        None => (Map::new(), None, None),
    };
    let keys: KeySource = match (&args.jwks, &args.pem, &args.secret) {
        (Some(jwks), _, _) if jwks.starts_with("http://") || jwks.starts_with("https://") => {
            RemoteJwks::new(jwks.as_str()).into()
        }
        (Some(jwks), _, _) => {
            match read_limited(Path::new(jwks)).map(|t| Jwks::from_json(&t).map_err(|e| e.to_string())) {
                Ok(Ok(jwks)) => jwks.into(),
                Ok(Err(e)) | Err(e) => return usage(format!("{jwks}: {e}")),
            }
        }
        (None, Some(pem), _) => {
            match read_limited(pem).map(|t| Key::from_pem(&t, "cli").map_err(|e| e.to_string())) {
                Ok(Ok(key)) => key.into(),
                Ok(Err(e)) | Err(e) => return usage(format!("{}: {e}", pem.display())),
            }
        }
        (None, None, Some(secret)) => {
            let alg = algorithms.first().copied().unwrap_or(Algorithm::HS256);
            match std::fs::read(secret).map(|bytes| Key::hmac(trim_newline(&bytes), alg)) {
                Ok(Ok(key)) => key.into(),
                Ok(Err(e)) => return usage(format!("{}: {e}", secret.display())),
                Err(e) => return usage(format!("cannot read {}: {e}", secret.display())),
            }
        }
        (None, None, None) => {
            return usage("give the verification key: --jwks FILE, --pem FILE or --secret FILE");
        }
    };
    let mut verifier =
        Verifier::new(keys).authorized_parties(args.authorized_parties.iter().map(String::as_str));
    if let Some(issuer) = args.issuer {
        verifier = verifier.issuer(issuer);
    }
    if let Some(audience) = args.audience {
        verifier = verifier.audience(audience);
    }
    if !algorithms.is_empty() {
        verifier = verifier.algorithms(algorithms);
    }
    if let Some(now) = args.now {
        verifier = verifier.now(now);
    }
    if let Some(skew) = args.clock_skew {
        verifier = verifier.clock_skew(skew);
    }
    if let Some(max) = args.max_token_bytes {
        verifier = verifier.max_token_bytes(max);
    }
    if args.allow_development_key {
        verifier = verifier.allow_development_key();
    }
    if !constants.is_empty() {
        verifier = verifier.constant_claims(constants);
    }
    let kind = match args.kind.as_deref() {
        Some("session") => TokenKind::Session,
        Some("template") => TokenKind::Template,
        Some(_) => TokenKind::Any,
        None => template_kind.unwrap_or(TokenKind::Any),
    };
    // A remote key set is fetched first (the checks on the header run before any request),
    // then the token is verified once.
    let remote =
        matches!(args.jwks.as_deref(), Some(j) if j.starts_with("http://") || j.starts_with("https://"));
    let fetched = if remote {
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt.block_on(verifier.fetch_key(&token, kind)),
            Err(e) => return usage(format!("cannot start the HTTP client: {e}")),
        }
    } else {
        Ok(())
    };
    let result = fetched.and_then(|()| verifier.verify_json(&token, kind));
    let result = result.and_then(|payload| match &schema {
        Some((name, schema)) => fits_schema(name, schema, payload),
        None => Ok(payload),
    });
    match result {
        Ok(payload) => {
            println!("{}", serde_json::to_string_pretty(&payload).unwrap_or_default());
            Outcome::Success
        }
        Err(e) => {
            let action = e.action.map(|a| format!(" {a}")).unwrap_or_default();
            eprintln!("error: {}: {}{action}", e.reason, e.message);
            Outcome::Rejected
        }
    }
}

/// The verified payload, if it fits the template's schema; else `claims-invalid` naming the first
/// claim that does not (its JSON pointer) and what the schema expected there.
fn fits_schema(name: &str, schema: &jsonschema::Validator, payload: Value) -> Result<Value, VerifyError> {
    let misfit = schema.iter_errors(&payload).next().map(|e| {
        let path = e.instance_path().to_string();
        let claim = if path.is_empty() { "the payload".to_string() } else { format!("claim `{path}`") };
        format!("{claim} does not fit template `{name}`: {}", e.masked())
    });
    match misfit {
        None => Ok(payload),
        Some(message) => Err(VerifyError::new(Reason::ClaimsInvalid, message)),
    }
}

/// A secret file usually ends with a newline that is not part of the secret.
fn trim_newline(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != b'\n' && b != b'\r').map_or(0, |i| i + 1);
    &bytes[..end]
}
