//! `clerk-claims decode`: a token's header, payload and times, clearly marked UNVERIFIED.

use std::time::{SystemTime, UNIX_EPOCH};

use clerk_claims_runtime::verify::decode;

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
    match decode(&token, MAX_TOKEN_BYTES) {
        Ok(decoded) => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
            print!("{}", decoded.describe(now));
            Outcome::Success
        }
        Err(e) => {
            eprintln!("error: {}: {}", e.reason, e.message);
            Outcome::Rejected
        }
    }
}
