use std::path::{Path, PathBuf};

use clerk_claims_codegen::{GenerateError, Generator};

use crate::Outcome;

pub(crate) fn run(templates: &Path, out: Option<&Path>, check: bool) -> Outcome {
    let out: PathBuf = out.map_or_else(|| templates.join("generated"), Path::to_path_buf);
    let generator = Generator::new().templates_dir(templates);
    let result = if check {
        generator.check_artifacts(&out).map(|()| {
            eprintln!("{} is up to date", out.display());
        })
    } else {
        generator.write_artifacts(&out).map(|written| {
            for path in written {
                println!("{}", path.display());
            }
        })
    };
    match result {
        Ok(()) => Outcome::Success,
        Err(GenerateError::Load(e)) => {
            eprintln!("error: {e}");
            Outcome::Usage
        }
        Err(e @ GenerateError::Stale(_)) => {
            eprintln!("error: {e}");
            Outcome::Rejected
        }
        Err(GenerateError::Templates { report, count }) => {
            eprintln!("{report}");
            eprintln!(
                "error: {count} error{} in the templates; run `clerk-claims check` for details",
                if count == 1 { "" } else { "s" }
            );
            Outcome::Rejected
        }
        Err(e) => {
            eprintln!("error: {e}");
            Outcome::Usage
        }
    }
}
