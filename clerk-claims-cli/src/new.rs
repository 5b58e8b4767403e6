use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clerk_claims_codegen::emit::setup_sheet;
use clerk_claims_codegen::{Source, check_source};
use serde_json::Value;

use crate::{Outcome, presets};

pub(crate) fn run(preset: &str, dir: &Path, name: Option<&str>, force: bool) -> Outcome {
    let Some(text) = presets::file(preset) else {
        eprintln!("error: unknown preset `{preset}`; presets: {}", presets::NAMES.join(", "));
        return Outcome::Usage;
    };
    let name = name.unwrap_or(preset);
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        eprintln!(
            "error: `{name}` cannot be a template name: it is also the file name, so no slashes or leading dot"
        );
        return Outcome::Usage;
    }
    let contents = match rename(text, preset, name) {
        Ok(contents) => contents,
        Err(e) => {
            eprintln!("error: the bundled preset `{preset}` does not parse: {e}");
            return Outcome::Rejected;
        }
    };
    let template_path = dir.join(format!("{name}.json"));
    let sheet_path = dir.join(format!("{name}.setup.md"));
    let checked = check_source(Source::new(template_path.display().to_string(), contents.clone()));
    let (Some(template), Some(model), false) = (&checked.template, &checked.model, checked.has_errors())
    else {
        eprintln!("{}", checked.render());
        return Outcome::Rejected;
    };
    if !force {
        for path in [&template_path, &sheet_path] {
            if path.exists() {
                eprintln!("error: {} already exists", path.display());
                eprintln!(
                    "help: pass --force to overwrite it, or --name to write a template under another name"
                );
                return Outcome::Rejected;
            }
        }
    }
    if let Err(e) = fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return Outcome::Usage;
    }
    let sheet = setup_sheet(template, model);
    for (path, body) in [(&template_path, &contents), (&sheet_path, &sheet)] {
        if let Err(e) = write_atomically(path, body) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return Outcome::Usage;
        }
        println!("wrote {}", path.display());
    }
    Outcome::Success
}

/// The preset's file with `name` as its template name. A renamed template drops the preset's
/// `rust.type`, so the generated type is named after the new name.
fn rename(text: &str, preset: &str, name: &str) -> Result<String, serde_json::Error> {
    if name == preset {
        return Ok(text.to_string());
    }
    let mut value: Value = serde_json::from_str(text)?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("name".into(), Value::String(name.to_string()));
        if let Some(rust) = obj.get_mut("rust").and_then(Value::as_object_mut) {
            rust.shift_remove("type");
        }
    }
    let mut out = serde_json::to_string_pretty(&value)?;
    out.push('\n');
    Ok(out)
}

/// Writes through a temporary file and a rename, so a failure never leaves half a file.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let tmp = PathBuf::from(format!("{}.tmp{}", path.display(), std::process::id()));
    let result = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(contents.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
