//! Outputs derived from a template: the Dashboard / Backend API body, the JSON Schema and the setup
//! sheet.

mod dashboard;
mod schema;
mod setup;

pub use dashboard::dashboard_body;
pub use schema::{DIALECT, claims_schema, token_schema};
pub use setup::setup_sheet;
