//! `clerk-claims`: check, render, generate and scaffold Clerk JWT templates; verify, decode and mint
//! tokens; run the local dev issuer; push, pull and diff templates with an instance.
//!
//! Exit codes: 0 success; 1 the input was checked and rejected (template errors, refusing to
//! overwrite); 2 usage or configuration errors (unknown flag, missing file or directory).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod configure;
mod decode;
mod dev;
mod doctor;
mod generate;
mod mint;
mod new;
mod presets;
mod render;
mod sync;
mod verify;

/// Typed, compile-time-checked Clerk JWT claims.
#[derive(Debug, Parser)]
#[command(name = "clerk-claims", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check template files (default: templates/) and print rustc-style diagnostics.
    Check {
        /// Template files or directories (every *.json directly inside).
        paths: Vec<PathBuf>,
    },
    /// Print the claims Clerk would render for a template and a context file.
    Render {
        /// The template file.
        #[arg(long)]
        template: PathBuf,
        /// JSON: {"user": {...}, "org": {...}, "org_membership": {...}, "session": {...}}.
        #[arg(long)]
        context: PathBuf,
    },
    /// Write the Rust types, JSON Schemas, Dashboard bodies and setup sheets of the templates.
    Generate {
        /// The templates directory.
        #[arg(long, default_value = "templates")]
        templates: PathBuf,
        /// Where to write (default: TEMPLATES/generated).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 naming every file that is missing or out of date (for CI).
        #[arg(long)]
        check: bool,
    },
    /// Verify a token: exit 0 and the payload JSON on stdout, or exit 1 and `error: <reason>: <message>`.
    Verify(Box<verify::VerifyArgs>),
    /// Show a token's header, payload and times WITHOUT verifying it.
    Decode {
        /// The token, or `-` (the default) to read it from standard input. Prefer standard input: a
        /// token on the command line shows in the process list and the shell history.
        token: Option<String>,
    },
    /// Session settings (presets, or asked on a terminal) into clerk.toml, with a Dashboard checklist.
    Configure(configure::ConfigureArgs),
    /// Check the CLERK_* environment and clerk.toml: keys' format, issuer, authorized parties, JWKS
    /// reachable, clock.
    Doctor,
    /// Render a template against a context, add Clerk's claims and sign: prints the token.
    Mint(mint::MintArgs),
    /// Run the local Clerk-compatible issuer (JWKS + Backend API subset); first line: its URLs and keys.
    Dev(dev::DevArgs),
    /// Create or update the instance's JWT templates from the template files (by name), through the
    /// Backend API at CLERK_API_URL (default api.clerk.com) with CLERK_SECRET_KEY.
    Push {
        /// The templates directory.
        #[arg(long, default_value = "templates")]
        templates: PathBuf,
    },
    /// Write the instance's JWT templates as template files (CLERK_SECRET_KEY, CLERK_API_URL).
    Pull {
        /// The templates directory.
        #[arg(long, default_value = "templates")]
        templates: PathBuf,
    },
    /// Show how the template files differ from the instance's templates; exit 1 when they do
    /// (CLERK_SECRET_KEY, CLERK_API_URL).
    Diff {
        /// The templates directory.
        #[arg(long, default_value = "templates")]
        templates: PathBuf,
    },
    /// Write a preset template and its Dashboard setup sheet.
    New {
        /// default, hasura, supabase, supabase-session, custom, blank, nhost, convex, grafbase, fauna, session.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(presets::NAMES))]
        preset: String,
        /// The directory to write into.
        #[arg(long, default_value = "templates")]
        dir: PathBuf,
        /// The template name (and file name); default: the preset's.
        #[arg(long)]
        name: Option<String>,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
    },
}

/// The token given as an argument, or read from standard input when the argument is absent or `-`
/// (reading at most `max_bytes` and a little more, so a huge input is refused, not read whole).
pub(crate) fn token_input(arg: Option<&str>, max_bytes: usize) -> Result<String, String> {
    use std::io::Read;
    let token = match arg {
        Some(t) if t != "-" => t.trim().to_string(),
        _ => {
            let mut input = String::new();
            let limit = u64::try_from(max_bytes).unwrap_or(u64::MAX).saturating_mul(2).saturating_add(2);
            std::io::stdin()
                .take(limit)
                .read_to_string(&mut input)
                .map_err(|e| format!("cannot read the token from standard input: {e}"))?;
            input.trim().to_string()
        }
    };
    if token.is_empty() {
        return Err("no token: pass it on standard input (or as an argument)".into());
    }
    Ok(token)
}

/// How a command ended.
pub(crate) enum Outcome {
    Success,
    Rejected,
    Usage,
}

/// A usage error: `error: <message>` on stderr, exit 2.
pub(crate) fn usage(message: impl std::fmt::Display) -> Outcome {
    eprintln!("error: {message}");
    Outcome::Usage
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check { paths } => check::run(paths),
        Command::Render { template, context } => render::run(&template, &context),
        Command::Generate { templates, out, check } => generate::run(&templates, out.as_deref(), check),
        Command::Verify(args) => verify::run(*args),
        Command::Decode { token } => decode::run(token.as_deref()),
        Command::Doctor => doctor::run(),
        Command::Configure(args) => configure::run(args),
        Command::Mint(args) => mint::run(args),
        Command::Dev(args) => dev::run(args),
        Command::Push { templates } => sync::run(sync::Direction::Push, &templates),
        Command::Pull { templates } => sync::run(sync::Direction::Pull, &templates),
        Command::Diff { templates } => sync::run(sync::Direction::Diff, &templates),
        Command::New { preset, dir, name, force } => new::run(&preset, &dir, name.as_deref(), force),
    };
    match outcome {
        Outcome::Success => ExitCode::SUCCESS,
        Outcome::Rejected => ExitCode::from(1),
        Outcome::Usage => ExitCode::from(2),
    }
}
