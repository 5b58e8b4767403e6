//! Outputs derived from a template: the Dashboard / Backend API body, the JSON Schema and the setup
//! sheet.

mod dashboard;
#[cfg(feature = "rust")]
mod rust;
mod schema;
mod setup;

pub use dashboard::dashboard_body;
#[cfg(feature = "generator")]
pub use rust::rust_file;
#[cfg(feature = "rust")]
pub use rust::{RUNTIME, rust_tokens};
pub use schema::{DIALECT, claims_schema, template_schema, token_schema};
pub use setup::setup_sheet;
