//! The clerk-claims engine.
//!
//! A Clerk JWT template (or session-token customization) checked into a repository is parsed here with
//! the position of every key and value, checked against the shortcode catalogue and Clerk's rules,
//! rendered exactly as Clerk renders it, and sized against Clerk's budgets. The front-ends (the
//! `clerk-claims` CLI, the build.rs generator and the derive macro) only translate options and print
//! what this crate reports.
//!
//! ```
//! use clerk_claims_codegen::{Source, check_source, render};
//! let checked = check_source(Source::new(
//!     "templates/hasura.json",
//!     r#"{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "{{user.id}}"}}"#,
//! ));
//! assert!(!checked.has_errors());
//! let template = checked.template.unwrap();
//! let token_claims = render(&template.claims_json(), &serde_json::json!({"user": {"id": "user_1"}})).unwrap();
//! assert_eq!(token_claims["https://hasura.io/jwt/claims"]["x-hasura-user-id"], "user_1");
//! ```

pub mod check;
// The derive macro's input and output: a contract between this crate and `clerk-claims-macros`.
#[doc(hidden)]
pub mod derive;
mod diagnostic;
pub mod emit;
#[cfg(feature = "generator")]
mod generate;
mod load;
pub mod render;
pub mod shortcode;
pub mod size;
pub mod template;
pub mod types;

pub use check::check_template;
pub use diagnostic::{Code, Diagnostic, LineCol, Severity, Source};
#[cfg(feature = "generator")]
pub use generate::{Artifact, GenerateError, Generator, RUST_FILE};
pub use load::{
    Checked, LoadError, MAX_TEMPLATE_BYTES, Unreadable, check_file, check_paths, check_source, read_source,
    template_files,
};
pub use render::render;
pub use template::{Kind, Template};
