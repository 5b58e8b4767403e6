//! `clerk-claims push | pull | diff`: JWT templates between a directory and an instance, through the
//! Backend API (`CLERK_SECRET_KEY`, `CLERK_API_URL`).

use std::collections::BTreeMap;
use std::path::Path;

use clerk_claims_codegen::emit::dashboard_body;
use clerk_claims_codegen::{Kind, Template, check_paths};
use clerk_claims_runtime::backend::{BackendApi, JwtTemplate};
use serde_json::{Value, json};

use crate::Outcome;

/// Which way templates go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Push,
    Pull,
    Diff,
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().ok()
}

pub(crate) fn run(direction: Direction, dir: &Path) -> Outcome {
    let Some(secret) = std::env::var("CLERK_SECRET_KEY").ok().filter(|s| !s.is_empty()) else {
        eprintln!(
            "error: CLERK_SECRET_KEY is not set; set it to the instance's secret key (Dashboard, API keys), or the `secret_key` `clerk-claims dev` prints"
        );
        return Outcome::Usage;
    };
    let api_url = std::env::var("CLERK_API_URL").ok().filter(|s| !s.is_empty());
    let api = BackendApi::new(
        api_url.as_deref().unwrap_or(clerk_claims_runtime::instance::DEFAULT_API_URL),
        &secret,
    );
    let Some(runtime) = runtime() else {
        eprintln!("error: cannot start the async runtime");
        return Outcome::Usage;
    };
    let local = match direction {
        Direction::Pull => BTreeMap::new(),
        Direction::Push | Direction::Diff => match local_templates(dir, direction == Direction::Push) {
            Ok(local) => local,
            Err(outcome) => return outcome,
        },
    };
    let remote = match runtime.block_on(api.list_jwt_templates()) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Rejected;
        }
    };
    match direction {
        Direction::Push => runtime.block_on(push(&api, &local, &remote)),
        Direction::Pull => pull(dir, &remote),
        Direction::Diff => diff(&local, &remote),
    }
}

/// The JWT templates of `dir` as Backend API bodies, by name. Session customizations are skipped
/// (they live in the Dashboard's session settings, not the JWT templates API).
fn local_templates(dir: &Path, with_signing_keys: bool) -> Result<BTreeMap<String, Value>, Outcome> {
    let mut out = BTreeMap::new();
    for (file, template) in read_templates(dir)? {
        if template.kind == Kind::Session {
            eprintln!("note: {file} is a session-token customization; set it in the Dashboard (Sessions)");
            continue;
        }
        let body = if with_signing_keys {
            clerk_claims_dev::template_api_body(&template).map_err(|e| {
                eprintln!("error: {file}: {e}");
                Outcome::Usage
            })?
        } else {
            dashboard_body(&template)
        };
        out.insert(template.name.clone(), body);
    }
    Ok(out)
}

/// The templates of `dir` with their file names, in name order; any error in them is printed and
/// fails the whole directory.
pub(crate) fn read_templates(dir: &Path) -> Result<Vec<(String, Template)>, Outcome> {
    let checked = check_paths(&[dir.to_path_buf()]).map_err(|e| {
        eprintln!("error: {e}");
        Outcome::Usage
    })?;
    let failed: Vec<_> = checked.iter().filter(|file| file.has_errors()).collect();
    if !failed.is_empty() {
        for file in failed {
            eprintln!("{}", file.render());
        }
        eprintln!("error: fix the templates above first (`clerk-claims check`)");
        return Err(Outcome::Rejected);
    }
    Ok(checked.into_iter().filter_map(|file| Some((file.source.name, file.template?))).collect())
}

async fn push(api: &BackendApi, local: &BTreeMap<String, Value>, remote: &[JwtTemplate]) -> Outcome {
    for (name, body) in local {
        let result = match remote.iter().find(|t| &t.name == name) {
            Some(existing) => api.update_jwt_template(&existing.id, body).await.map(|t| ("updated", t)),
            None => api.create_jwt_template(body).await.map(|t| ("created", t)),
        };
        match result {
            Ok((verb, template)) => println!("{verb} {name} ({})", template.id),
            Err(e) => {
                eprintln!("error: {name}: {e}");
                return Outcome::Rejected;
            }
        }
    }
    Outcome::Success
}

/// The template file of a remote template (the full format; no `rust` section).
fn template_file(template: &JwtTemplate) -> Value {
    let mut file = json!({
        "name": template.name,
        "claims": template.claims,
        "lifetime": template.lifetime,
        "allowed_clock_skew": template.allowed_clock_skew,
    });
    if let (true, Some(obj)) = (template.custom_signing_key, file.as_object_mut()) {
        obj.insert("custom_signing_key".into(), true.into());
        obj.insert("signing_algorithm".into(), template.signing_algorithm.clone().into());
    }
    file
}

fn pull(dir: &Path, remote: &[JwtTemplate]) -> Outcome {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return Outcome::Usage;
    }
    for template in remote {
        if template.name.is_empty()
            || !template.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || template.name.starts_with('.')
        {
            eprintln!("warning: skipped template `{}`: its name is not a safe file name", template.name);
            continue;
        }
        let path = dir.join(format!("{}.json", template.name));
        let mut file = template_file(template);
        // Keep the local `rust` section: it is ours, not Clerk's.
        let existing =
            std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok());
        if let (Some(rust), Some(obj)) = (existing.as_ref().and_then(|e| e.get("rust")), file.as_object_mut())
        {
            obj.insert("rust".into(), rust.clone());
        }
        if existing.as_ref() == Some(&file) {
            println!("unchanged {}", path.display());
            continue;
        }
        let text = serde_json::to_string_pretty(&file).unwrap_or_default() + "\n";
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return Outcome::Rejected;
        }
        println!("wrote {}", path.display());
    }
    Outcome::Success
}

/// Backend API fields compared by `diff` (claims by value: key order is ignored).
const COMPARED: &[&str] =
    &["claims", "lifetime", "allowed_clock_skew", "custom_signing_key", "signing_algorithm"];

fn diff(local: &BTreeMap<String, Value>, remote: &[JwtTemplate]) -> Outcome {
    let remote: BTreeMap<&str, Value> =
        remote.iter().map(|t| (t.name.as_str(), dashboard_shape(t))).collect();
    let mut lines = Vec::new();
    for (name, body) in local {
        match remote.get(name.as_str()) {
            None => lines.push(format!("+ {name}: only local (push creates it)")),
            Some(theirs) => {
                for field in COMPARED {
                    let (mine, theirs) = (body.get(*field), theirs.get(*field));
                    if field == &"signing_algorithm"
                        && body.get("custom_signing_key") != Some(&Value::Bool(true))
                    {
                        continue;
                    }
                    if mine != theirs {
                        differences(&format!("{name}.{field}"), mine, theirs, &mut lines);
                    }
                }
            }
        }
    }
    for name in remote.keys().filter(|n| !local.contains_key(**n)) {
        lines.push(format!("- {name}: only on the instance (pull writes it)"));
    }
    if lines.is_empty() {
        println!("local and remote templates are the same");
        return Outcome::Success;
    }
    for line in &lines {
        println!("{line}");
    }
    Outcome::Rejected
}

fn dashboard_shape(template: &JwtTemplate) -> Value {
    let mut body = template_file(template);
    if let Some(obj) = body.as_object_mut() {
        obj.insert("custom_signing_key".into(), template.custom_signing_key.into());
    }
    body
}

/// One line per differing leaf: `~ path: local <a>, remote <b>`.
fn differences(path: &str, mine: Option<&Value>, theirs: Option<&Value>, out: &mut Vec<String>) {
    match (mine, theirs) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let (x, y) = (a.get(key), b.get(key));
                if x != y {
                    differences(&format!("{path}.{key}"), x, y, out);
                }
            }
        }
        (Some(a), None) => out.push(format!("~ {path}: local {a}, remote (absent)")),
        (None, Some(b)) => out.push(format!("~ {path}: local (absent), remote {b}")),
        (Some(a), Some(b)) => out.push(format!("~ {path}: local {a}, remote {b}")),
        (None, None) => {}
    }
}
