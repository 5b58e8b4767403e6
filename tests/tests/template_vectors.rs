//! Clerk's documented template examples (../shared/vectors/templates): each renders to its documented
//! output, the presets pass `check`, and the documented mistakes are caught.

mod support;

use std::path::PathBuf;

use clerk_claims_codegen::{Code, check_file, check_paths, render};
use serde_json::{Value, json};

fn vectors() -> PathBuf {
    support::vectors().join("templates")
}

fn read(name: &str) -> Value {
    let path = vectors().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Renders `docs-<example>.json` for `user` and compares with the documented output (only the
/// template's own claims; the documented outputs of the complete example also show Clerk's
/// registered claims).
fn rendered(example: &str, context: Value) -> Value {
    let template = read(&format!("docs-{example}.json"));
    render(&template, &context).unwrap()
}

fn template_claims_of(output: Value, template: &Value) -> Value {
    let keys: Vec<&String> = template.as_object().unwrap().keys().collect();
    Value::Object(
        output
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| keys.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[test]
fn basic_example() {
    // The documented output shows John, no last name, and john@doe.org.
    let user = json!({"first_name": "John", "primary_email_address": "john@doe.org"});
    assert_eq!(rendered("basic", json!({ "user": user })), read("docs-basic.output.json"));
}

#[test]
fn metadata_example() {
    let user = json!({"public_metadata": read("docs-metadata.input.public_metadata.json")});
    assert_eq!(rendered("metadata", json!({ "user": user })), read("docs-metadata.output.json"));
}

#[test]
fn interpolation_example_prints_null_for_a_missing_last_name() {
    let user = json!({"first_name": "John"});
    assert_eq!(
        rendered("interpolation", json!({ "user": user })),
        read("docs-interpolation.output.no-last-name.json")
    );
}

#[test]
fn conditional_example() {
    // Phone verified, email not verified, no names, no metadata.
    let user = json!({"email_verified": false, "phone_number_verified": true});
    assert_eq!(rendered("conditional", json!({ "user": user })), read("docs-conditional.output.json"));
}

#[test]
fn conditional_inside_interpolation_example() {
    assert_eq!(
        rendered("conditional-interpolation-2023", json!({"user": {}})),
        read("docs-conditional-interpolation-2023.output.json")
    );
}

#[test]
fn complete_example() {
    let template = read("docs-complete.json");
    let output = render(&template, &json!({"user": read("docs-complete.input.user.json")})).unwrap();
    let mut expected = template_claims_of(read("docs-complete.output.json"), &template);
    // Documented quirk (templates/PROVENANCE.md): the template's `full_name` ends with a space that the
    // published output does not show. Clerk interpolates the text as written.
    assert_eq!(expected["full_name"], "Doe Maria");
    expected["full_name"] = json!("Doe Maria ");
    assert_eq!(output, expected);
}

#[test]
fn complete_example_mistakes_are_caught_by_check() {
    // The published template uses a shortcode that does not exist (rendered null by Clerk) and one
    // invented to show that behaviour; `check` rejects both with their positions.
    let checked = check_file(&vectors().join("docs-complete.json"));
    let found: Vec<(Code, String, Option<String>)> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code != Code::UnsafeMetadata)
        .map(|d| (d.code, checked.source.locate(d).unwrap().to_string(), d.help.clone()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, Code::UnknownShortcode);
    assert_eq!(found[0].1, "9:15");
    assert_eq!(found[0].2.as_deref(), Some("did you mean `user.primary_phone_number`?"));
    assert_eq!((found[1].0, found[1].1.as_str()), (Code::UnknownShortcode, "13:27"));
}

#[test]
fn every_template_vector_passes_check_except_the_documented_mistakes() {
    let files = clerk_claims_codegen::template_files(&vectors()).unwrap();
    let templates: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.contains(".output")
                && !name.contains(".input")
                && !name.contains(".payload")
                && name != "docs-complete.json"
        })
        .collect();
    assert!(templates.len() >= 20, "{templates:?}");
    let mut unsafe_metadata = 0;
    for checked in check_paths(&templates).unwrap() {
        // Clerk's own examples read `user.unsafe_metadata` into claims like `age`: a warning, since the
        // user writes it, and never an error (no authorization claim is filled from it).
        let (warned, other): (Vec<_>, Vec<_>) =
            checked.diagnostics.iter().partition(|d| d.code == Code::UnsafeMetadata && !d.is_error());
        assert!(other.is_empty(), "{}:\n{}", checked.source.name, checked.render());
        unsafe_metadata += warned.len();
    }
    assert!(unsafe_metadata > 0, "the documented examples that read unsafe metadata are warned about");
}

#[test]
fn decoded_token_payloads_are_not_templates() {
    // A decoded token pasted as a template is caught: it sets Clerk's registered claims.
    let checked = check_file(&vectors().join("jwt-template-token-blank-example.payload.json"));
    let reserved = checked.diagnostics.iter().filter(|d| d.code == Code::ReservedClaim).count();
    assert_eq!(reserved, 7);
}

#[test]
fn bundled_presets_pass_check_and_match_the_published_presets() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let checked = check_paths(&[dir]).unwrap();
    assert_eq!(checked.len(), 11);
    for c in &checked {
        assert!(!c.has_errors() && c.diagnostics.is_empty(), "{}:\n{}", c.source.name, c.render());
    }
    // The integration presets carry exactly the claims Clerk's Dashboard presets show.
    for (preset, published) in [
        ("hasura", "hasura.json"),
        ("nhost", "nhost.json"),
        ("supabase", "supabase.json"),
        ("convex", "convex.json"),
        ("grafbase", "grafbase.json"),
        ("fauna", "fauna.json"),
        ("blank", "blank.json"),
        ("supabase-session", "supabase-native-session-claims.json"),
    ] {
        let ours = checked.iter().find(|c| c.template.as_ref().unwrap().name == preset).unwrap();
        assert_eq!(ours.template.as_ref().unwrap().claims_json(), read(published), "{preset}");
    }
}
