//! Outputs derived from a template: the Dashboard / Backend API body and the setup sheet.

mod dashboard;
mod setup;

pub use dashboard::dashboard_body;
pub use setup::setup_sheet;
