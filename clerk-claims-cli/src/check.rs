use std::path::PathBuf;

use clerk_claims_codegen::check_paths;

use crate::Outcome;

pub(crate) fn run(mut paths: Vec<PathBuf>) -> Outcome {
    if paths.is_empty() {
        paths.push(PathBuf::from("templates"));
    }
    let checked = match check_paths(&paths) {
        Ok(checked) => checked,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("help: pass template files or a directory of *.json templates (default: templates/)");
            return Outcome::Usage;
        }
    };
    let (mut errors, mut warnings) = (0, 0);
    for file in &checked {
        for d in &file.diagnostics {
            eprintln!("{}\n", file.source.render(d));
            if d.is_error() {
                errors += 1;
            } else {
                warnings += 1;
            }
        }
    }
    let files = checked.len();
    eprintln!(
        "checked {files} template file{}: {errors} error{}, {warnings} warning{}",
        s(files),
        s(errors),
        s(warnings)
    );
    if errors > 0 { Outcome::Rejected } else { Outcome::Success }
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
