use std::time::{SystemTime, UNIX_EPOCH};

use clerk_claims_runtime::session::http_date;
use clerk_claims_runtime::verify::decode;
use serde_json::Value;

use crate::Outcome;

/// Longest token `decode` reads.
const MAX_TOKEN_BYTES: usize = 64 * 1024;

pub(crate) fn run(token: Option<&str>) -> Outcome {
    let token = match crate::token_input(token, MAX_TOKEN_BYTES) {
        Ok(token) => token,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    };
    let decoded = match decode(&token, MAX_TOKEN_BYTES) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {}: {}", e.reason, e.message);
            return Outcome::Rejected;
        }
    };
    let header: Value = serde_json::from_slice(&decoded.header_json).unwrap_or_default();
    let payload: Value = serde_json::from_slice(&decoded.payload).unwrap_or_default();
    println!(
        "UNVERIFIED: the signature and claims of this token were NOT checked (use `clerk-claims verify`)."
    );
    println!("header: {}", serde_json::to_string_pretty(&header).unwrap_or_default());
    println!("payload: {}", serde_json::to_string_pretty(&payload).unwrap_or_default());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    for (name, label) in [("iat", "issued at"), ("nbf", "not before"), ("exp", "expires")] {
        // Any number an unverified token holds is shown, never a panic.
        if let Some(t) = payload.get(name).and_then(Value::as_i64) {
            println!("{label:>10}: {} ({})", http_date(t), relative(t.saturating_sub(now)));
        }
    }
    Outcome::Success
}

fn relative(delta: i64) -> String {
    let span = delta.unsigned_abs();
    let text = match span {
        0..60 => format!("{span}s"),
        60..3600 => format!("{}m {}s", span / 60, span % 60),
        3600..86400 => format!("{}h {}m", span / 3600, span % 3600 / 60),
        _ => format!("{}d {}h", span / 86400, span % 86400 / 3600),
    };
    if delta >= 0 { format!("in {text}") } else { format!("{text} ago") }
}
