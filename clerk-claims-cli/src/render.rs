use std::path::Path;

use clerk_claims_codegen::{check_file, read_source};
use serde_json::Value;

use crate::Outcome;

pub(crate) fn run(template: &Path, context: &Path) -> Outcome {
    let checked = check_file(template);
    for d in &checked.diagnostics {
        eprintln!("{}\n", checked.source.render(d));
    }
    let Some(parsed) = &checked.template else {
        return Outcome::Rejected;
    };
    let context = match read_context(context) {
        Ok(context) => context,
        Err(outcome) => return outcome,
    };
    match clerk_claims_codegen::render(&parsed.claims_json(), &context) {
        Ok(rendered) => {
            if checked.has_errors() {
                eprintln!(
                    "note: rendered as Clerk would despite the errors above (unknown shortcodes render null)"
                );
            }
            match serde_json::to_string_pretty(&rendered) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("error: cannot print the rendered claims: {e}");
                    return Outcome::Rejected;
                }
            }
            Outcome::Success
        }
        Err(e) => {
            eprintln!("error: {e}");
            Outcome::Rejected
        }
    }
}

/// A render context file: a JSON object (`{"user": {...}, "org": {...}, ...}`).
pub(crate) fn read_context(path: &Path) -> Result<Value, Outcome> {
    let source = read_source(path).map_err(|e| {
        eprintln!("{}", e.source.render(&e.diagnostic));
        Outcome::Usage
    })?;
    match serde_json::from_str::<Value>(&source.text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => {
            eprintln!(
                "error: {}: the context is a JSON object such as {{\"user\": {{\"id\": \"user_1\"}}}}",
                source.name
            );
            Err(Outcome::Usage)
        }
        Err(e) => {
            eprintln!("error: {}: invalid JSON: {e}", source.name);
            Err(Outcome::Usage)
        }
    }
}
