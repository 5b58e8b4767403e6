//! `clerk-claims configure`: session settings into clerk.toml, and the Dashboard checklist.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use clerk_claims_runtime::session_settings::{SessionSettings, parse_duration};
use clerk_claims_runtime::times::{REFRESH_INTERVAL, TOKEN_LIFETIME, human};
use serde::Serialize;

use crate::Outcome;

/// The `configure` flags; with none on a terminal, the command asks.
#[derive(Debug, Args)]
pub(crate) struct ConfigureArgs {
    /// development, production or high-security (default production).
    #[arg(long)]
    preset: Option<String>,
    /// Maximum session lifetime (5m to 10y), e.g. 7d.
    #[arg(long)]
    max_lifetime: Option<String>,
    /// Inactivity timeout, e.g. 30m, or `none`.
    #[arg(long)]
    inactivity_timeout: Option<String>,
    /// Allow several accounts per browser.
    #[arg(long, conflicts_with = "single_session")]
    multi_session: bool,
    /// One account per browser.
    #[arg(long)]
    single_session: bool,
    /// An origin tokens may be minted for (`azp`), repeatable: `[verify] authorized_parties`.
    #[arg(long = "authorized-party")]
    authorized_parties: Vec<String>,
    /// A path the web layer refuses when signed out (`/admin`, `/admin/*`), repeatable:
    /// `[middleware] protect`.
    #[arg(long)]
    protect: Vec<String>,
    /// Clock skew allowed on the time claims, in seconds: `[verify] clock_skew`.
    #[arg(long)]
    clock_skew: Option<u32>,
    /// Where to write (default clerk.toml).
    #[arg(long, default_value = "clerk.toml")]
    out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

#[derive(Serialize)]
struct File {
    session: SessionSettings,
    tokens: Tokens,
    /// What `InstanceConfig` (and so `Verifier::from_instance`) reads.
    verify: Verify,
    /// What `ClerkLayer::from_instance` reads.
    middleware: Middleware,
}

#[derive(Serialize)]
struct Verify {
    authorized_parties: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clock_skew: Option<u32>,
}

#[derive(Serialize)]
struct Middleware {
    protect: Vec<String>,
}

#[derive(Serialize)]
struct Tokens {
    lifetime: u64,
    refresh_interval: u64,
}

pub(crate) fn run(args: ConfigureArgs) -> Outcome {
    let flags_given = args.preset.is_some()
        || !args.authorized_parties.is_empty()
        || !args.protect.is_empty()
        || args.clock_skew.is_some()
        || args.max_lifetime.is_some()
        || args.inactivity_timeout.is_some()
        || args.multi_session
        || args.single_session;
    let interactive = !flags_given && std::io::stdin().is_terminal();
    let settings = if interactive { ask() } else { from_flags(&args) };
    let settings = match settings.and_then(|s| s.validate().map(|()| s).map_err(|e| e.to_string())) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    };
    if args.out.exists() && !args.force {
        eprintln!("error: {} already exists", args.out.display());
        eprintln!("help: pass --force to overwrite it, or --out to write elsewhere");
        return Outcome::Rejected;
    }
    let verify = Verify { authorized_parties: args.authorized_parties.clone(), clock_skew: args.clock_skew };
    let middleware = Middleware { protect: args.protect.clone() };
    if let Err(e) = write(&args.out, &settings, verify, middleware) {
        eprintln!("error: cannot write {}: {e}", args.out.display());
        return Outcome::Usage;
    }
    println!("wrote {}\n", args.out.display());
    println!("{}", checklist(&settings));
    Outcome::Success
}

fn from_flags(args: &ConfigureArgs) -> Result<SessionSettings, String> {
    let name = args.preset.as_deref().unwrap_or("production");
    let mut s = SessionSettings::preset(name)
        .ok_or_else(|| format!("unknown preset `{name}`; use development, production or high-security"))?;
    if let Some(max) = &args.max_lifetime {
        s.maximum_lifetime = parse_duration(max).map_err(|e| e.to_string())?;
    }
    match args.inactivity_timeout.as_deref() {
        Some("none" | "off") => s.inactivity_timeout = None,
        Some(t) => s.inactivity_timeout = Some(parse_duration(t).map_err(|e| e.to_string())?),
        None => {}
    }
    if args.multi_session {
        s.multi_session = true;
    }
    if args.single_session {
        s.multi_session = false;
    }
    Ok(s)
}

fn ask() -> Result<SessionSettings, String> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut prompt = |question: &str, default: &str| -> String {
        print!("{question} [{default}]: ");
        let _ = std::io::stdout().flush();
        match lines.next() {
            Some(Ok(line)) if !line.trim().is_empty() => line.trim().to_string(),
            _ => default.to_string(),
        }
    };
    let name = prompt("Preset (development, production, high-security)", "production");
    let mut s = SessionSettings::preset(&name).ok_or_else(|| format!("unknown preset `{name}`"))?;
    s.maximum_lifetime =
        parse_duration(&prompt("Maximum session lifetime", &human(s.maximum_lifetime).replace(' ', "")))
            .map_err(|e| e.to_string())?;
    let inactivity = prompt(
        "Inactivity timeout (or none)",
        &s.inactivity_timeout.map_or("none".into(), |d| human(d).replace(' ', "")),
    );
    s.inactivity_timeout = if inactivity == "none" {
        None
    } else {
        Some(parse_duration(&inactivity).map_err(|e| e.to_string())?)
    };
    let multi = prompt("Several accounts per browser (yes/no)", if s.multi_session { "yes" } else { "no" });
    s.multi_session = matches!(multi.as_str(), "yes" | "y");
    Ok(s)
}

fn write(
    path: &Path,
    settings: &SessionSettings,
    verify: Verify,
    middleware: Middleware,
) -> std::io::Result<()> {
    let file = File {
        session: settings.clone(),
        tokens: Tokens { lifetime: TOKEN_LIFETIME.as_secs(), refresh_interval: REFRESH_INTERVAL.as_secs() },
        verify,
        middleware,
    };
    let body = toml::to_string_pretty(&file).map_err(std::io::Error::other)?;
    let text = format!(
        "# Written by `clerk-claims configure`; durations in seconds.\n\
         # [session] and [tokens]: Clerk keeps them on the Dashboard (Configure -> Sessions): see the\n\
         # checklist it printed. [verify] and [middleware]: read by InstanceConfig::from_env (so\n\
         # Verifier::from_instance and ClerkLayer::from_instance), under the CLERK_* variables.\n\n{body}"
    );
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn checklist(s: &SessionSettings) -> String {
    let inactivity = match s.inactivity_timeout {
        Some(d) => format!("on, {}", human(d)),
        None => "off".into(),
    };
    format!(
        "Dashboard checklist (Configure -> Sessions):\n  \
         [ ] Maximum lifetime: {}\n  \
         [ ] Inactivity timeout: {inactivity}\n  \
         [ ] Multi-session handling: {}\n  \
         [ ] Session tokens: {} lifetime, refreshed every {} by Clerk's frontend SDKs (fixed)\n  \
         [ ] Customize session token: paste templates/generated/session.dashboard.json (under 1.2 KB)",
        human(s.maximum_lifetime),
        if s.multi_session { "multi-session (several accounts per browser)" } else { "single session" },
        human(TOKEN_LIFETIME),
        human(REFRESH_INTERVAL),
    )
}
