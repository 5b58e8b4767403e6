//! One test per check: the code, the exact line:column, and the help the user sees.

use clerk_claims_codegen::{Code, Severity, Source, check_source};

/// The (code, "line:col") of every diagnostic of `text`.
fn found(text: &str) -> Vec<(Code, String)> {
    let checked = check_source(Source::new("t.json", text));
    checked
        .diagnostics
        .iter()
        .map(|d| (d.code, checked.source.locate(d).map_or_else(|| "-".to_string(), |at| at.to_string())))
        .collect()
}

fn one(text: &str) -> clerk_claims_codegen::Diagnostic {
    let checked = check_source(Source::new("t.json", text));
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
    checked.diagnostics.into_iter().next().unwrap()
}

#[test]
fn invalid_json_points_at_the_error() {
    assert_eq!(found("{\n  \"a\": 1,\n}"), [(Code::InvalidJson, "3:1".into())]);
    assert_eq!(found("{\"a\": 'x'}"), [(Code::InvalidJson, "1:7".into())]);
    assert_eq!(found(""), [(Code::InvalidJson, "1:1".into())]);
    assert_eq!(found("{} {}"), [(Code::InvalidJson, "1:4".into())]);
}

#[test]
fn duplicate_keys_are_reported_at_the_second_one() {
    let text = "{\n  \"a\": \"{{user.id}}\",\n  \"a\": 2\n}";
    assert_eq!(found(text), [(Code::DuplicateKey, "3:3".into())]);
    assert!(one(text).help.unwrap().contains("first defined at line 2"));
    // Nested objects too, and every duplicate at once.
    let text = "{\"o\": {\"x\": 1, \"x\": 2}, \"p\": {\"y\": 1, \"y\": 2}}";
    assert_eq!(found(text), [(Code::DuplicateKey, "1:16".into()), (Code::DuplicateKey, "1:39".into())]);
}

#[test]
fn claims_must_be_an_object() {
    assert_eq!(found("[1, 2]"), [(Code::InvalidTemplate, "1:1".into())]);
    assert_eq!(found("{\"name\": \"x\",\n \"claims\": []}"), [(Code::InvalidTemplate, "2:12".into())]);
}

#[test]
fn too_deep_nesting_is_an_error_not_a_crash() {
    let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(found(&text), [(Code::TooDeep, "1:128".into())]);
    let text = format!("{{\"a\": {}1{}}}", "{\"b\": ".repeat(5_000), "}".repeat(5_000));
    assert_eq!(found(&text)[0].0, Code::TooDeep);
}

#[test]
fn reserved_claims_differ_by_kind_and_apply_at_the_top_level_only() {
    assert_eq!(found("{\n  \"sub\": \"{{user.id}}\"\n}"), [(Code::ReservedClaim, "2:3".into())]);
    // `sid` is reserved in session tokens only (a template gets a warning); `aud` is never reserved.
    assert_eq!(found("{\"sid\": 1, \"aud\": \"x\"}"), [(Code::SessionClaimInTemplate, "1:2".into())]);
    let session =
        "{\"name\": \"s\", \"kind\": \"session\", \"claims\": {\"aud\": \"x\", \"sid\": 1, \"org_id\": 2}}";
    assert_eq!(found(session), [(Code::ReservedClaim, "1:57".into()), (Code::ReservedClaim, "1:67".into())]);
    assert_eq!(found("{\"nested\": {\"sub\": 1, \"exp\": 2}}"), []);
}

#[test]
fn shortcodes_are_values_not_keys() {
    assert_eq!(found("{\"{{user.id}}\": true}"), [(Code::ShortcodeInKey, "1:2".into())]);
    assert_eq!(found("{\"o\": {\"k{{org.id}}\": 1}}"), [(Code::ShortcodeInKey, "1:8".into())]);
}

#[test]
fn unknown_shortcodes_get_a_suggestion_at_the_shortcode() {
    let d = one("{\n  \"email\": \"{{user.email}}\"\n}");
    assert_eq!((d.code, d.span.clone()), (Code::UnknownShortcode, Some(16..26)));
    assert_eq!(d.help.as_deref(), Some("did you mean `user.primary_email_address`?"));
    // Inside an interpolation and a fallback chain, each wrong operand is found.
    assert_eq!(
        found("{\"x\": \"Hi {{user.frist_name}} {{user.username || org.permissions}}\"}"),
        [(Code::UnknownShortcode, "1:13".into()), (Code::UnknownShortcode, "1:50".into())]
    );
    assert_eq!(
        one("{\"x\": \"{{org.permissions}}\"}").help.as_deref(),
        Some("did you mean `org_membership.permissions`?")
    );
    // Inside arrays too.
    assert_eq!(found("{\"x\": [\"{{user.emial}}\"]}"), [(Code::UnknownShortcode, "1:11".into())]);
}

#[test]
fn unknown_shortcodes_can_be_allowed_explicitly() {
    let text = r#"{"name": "t", "claims": {"x": "{{user.new_field}}"}, "rust": {"allow_shortcodes": ["user.new_field"]}}"#;
    assert_eq!(found(text), []);
}

#[test]
fn malformed_expressions_point_inside_the_string() {
    assert_eq!(found("{\"x\": \"a {{user.id\"}"), [(Code::MalformedExpression, "1:10".into())]);
    assert_eq!(found("{\"x\": \"{{user.id || }}\"}"), [(Code::MalformedExpression, "1:20".into())]);
    let d = one("{\"x\": \"{{user.username || \\\"anon\\\"}}\"}");
    // The string has escapes, so the whole string is marked.
    assert_eq!((d.code, d.span), (Code::MalformedExpression, Some(6..37)));
    let d = one("{\"x\": \"{{user.username || \"}");
    assert_eq!(d.code, Code::MalformedExpression);
}

#[test]
fn private_metadata_says_why() {
    let d = one("{\"secret\": \"{{user.private_metadata.ssn}}\"}");
    assert_eq!((d.code, d.span), (Code::PrivateMetadata, Some(14..39)));
    assert!(d.help.unwrap().contains("stays on Clerk's servers"));
}

#[test]
fn a_path_into_a_non_object_is_an_error() {
    let d = one("{\"e\": \"{{user.primary_email_address.email}}\"}");
    assert_eq!((d.code, d.span), (Code::PathIntoNonObject, Some(9..41)));
    assert!(d.message.contains("`user.primary_email_address` is a string"));
}

#[test]
fn settings_are_range_checked() {
    let text = "{\n \"name\": \"t\",\n \"lifetime\": 10,\n \"allowed_clock_skew\": 301,\n \"claims\": {}\n}";
    assert_eq!(
        found(text),
        [(Code::SettingOutOfRange, "3:14".into()), (Code::SettingOutOfRange, "4:24".into())]
    );
    let ok = "{\"name\": \"t\", \"lifetime\": 315360000, \"allowed_clock_skew\": 0, \"claims\": {}}";
    assert_eq!(found(ok), []);
    assert_eq!(
        found("{\"name\": \"t\", \"lifetime\": \"60\", \"claims\": {}}"),
        [(Code::InvalidTemplate, "1:27".into())]
    );
}

#[test]
fn a_custom_signing_key_needs_an_algorithm() {
    let text = "{\"name\": \"t\", \"custom_signing_key\": true, \"claims\": {}}";
    assert_eq!(found(text), [(Code::SigningAlgorithm, "1:15".into())]);
    let unusual =
        "{\"name\": \"t\", \"custom_signing_key\": true, \"signing_algorithm\": \"PS256\", \"claims\": {}}";
    let d = one(unusual);
    assert_eq!((d.code, d.severity), (Code::SigningAlgorithm, Severity::Warning));
}

#[test]
fn a_signing_key_in_the_file_is_rejected() {
    let text = "{\"name\": \"t\", \"custom_signing_key\": true, \"signing_algorithm\": \"HS256\",\n \"signing_key\": \"s3cret\", \"claims\": {}}";
    let d = one(text);
    assert_eq!(d.code, Code::SigningKeyInFile);
    assert_eq!(check_source(Source::new("t.json", text)).source.locate(&d).unwrap().to_string(), "2:17");
    assert!(d.help.unwrap().contains("signing_key_env"));
    assert!(!d.message.contains("s3cret"));
}

#[test]
fn session_claims_over_budget_are_an_error() {
    let claims: Vec<String> = (0..4).map(|i| format!("\"n{i}\": \"{{{{user.full_name}}}}\"")).collect();
    let text = format!("{{\"name\": \"s\", \"kind\": \"session\", \"claims\": {{{}}}}}", claims.join(", "));
    let d = one(&text);
    assert_eq!((d.code, d.severity), (Code::Size, Severity::Error));
    assert!(d.message.contains("1200 bytes"), "{}", d.message);
    // The same claims in a JWT template are fine.
    let text = format!("{{\"name\": \"t\", \"claims\": {{{}}}}}", claims.join(", "));
    assert_eq!(found(&text), []);
}

#[test]
fn large_templates_get_a_warning() {
    let claims: Vec<String> = (0..10).map(|i| format!("\"n{i}\": \"{{{{user.full_name}}}}\"")).collect();
    let text = format!("{{{}}}", claims.join(", "));
    let d = one(&text);
    assert_eq!((d.code, d.severity, d.span), (Code::Size, Severity::Warning, Some(0..text.len())));
}

#[test]
fn metadata_hints_bound_the_size() {
    let hinted = |max: usize| {
        format!(
            r#"{{"name": "s", "kind": "session", "claims": {{"m": "{{{{user.public_metadata.bio}}}}"}},
               "rust": {{"metadata": {{"user.public_metadata": {{"bio": {{"type": "string", "maxLength": {max}}}}}}}}}}}"#
        )
    };
    assert_eq!(found(&hinted(1000)), []);
    assert_eq!(found(&hinted(2000))[0].0, Code::Size);
}

#[test]
fn metadata_hints_are_validated() {
    let text = r#"{"name": "t", "claims": {}, "rust": {"metadata": {"user.private_metadata": {}, "user.public_metadata": {"a": "strin"}}}}"#;
    assert_eq!(found(text), [(Code::MetadataHint, "1:51".into()), (Code::MetadataHint, "1:110".into())]);
    let undeclared = r#"{"name": "t", "claims": {"r": "{{user.public_metadata.rol}}"}, "rust": {"metadata": {"user.public_metadata": {"role": "string"}}}}"#;
    let d = one(undeclared);
    assert_eq!((d.code, d.severity), (Code::MetadataHint, Severity::Warning));
}

#[test]
fn every_error_of_a_file_is_reported() {
    let text = r#"{
  "sub": "{{user.id}}",
  "email": "{{user.email}}",
  "{{org.id}}": 1,
  "secret": "{{user.private_metadata}}",
  "bad": "{{user.id ||}}"
}"#;
    let codes: Vec<Code> = found(text).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        codes,
        [
            Code::ReservedClaim,
            Code::UnknownShortcode,
            Code::ShortcodeInKey,
            Code::PrivateMetadata,
            Code::MalformedExpression
        ]
    );
}

#[test]
fn the_file_format_is_told_apart_by_its_keys() {
    use clerk_claims_codegen::template::{Format, Template};
    let parse = |text: &str| Template::parse(&Source::new("dir/my-template.json", text)).0.unwrap();
    let full = parse(r#"{"name": "n", "claims": {"a": 1}, "lifetime": 120}"#);
    assert_eq!((full.format, full.name.as_str(), full.settings.lifetime), (Format::Full, "n", 120));
    // A claim named `claims` beside other claims: a bare claims object.
    let bare = parse(r#"{"claims": {"a": 1}, "tenant": "x"}"#);
    assert_eq!((bare.format, bare.name.as_str()), (Format::Bare, "my-template"));
    // Read-only Backend API fields are accepted (a pulled template).
    let pulled = parse(
        r#"{"object": "jwt_template", "id": "jtmp_1", "name": "n", "claims": {}, "created_at": 1, "updated_at": 2}"#,
    );
    assert_eq!(pulled.format, Format::Full);
}

#[test]
fn unsafe_metadata_is_a_warning_and_an_error_in_an_authorization_claim() {
    let d = one(r#"{"theme": "{{user.unsafe_metadata.theme}}"}"#);
    assert_eq!((d.code, d.severity), (Code::UnsafeMetadata, Severity::Warning));
    assert!(d.help.unwrap().contains("user.public_metadata.theme"));
    assert_eq!(found(r#"{"all": "{{user.unsafe_metadata}}"}"#), [(Code::UnsafeMetadata, "1:12".into())]);
    for claim in ["role", "roles", "permissions", "admin", "plan", "tier", "x-hasura-default-role", "isAdmin"]
    {
        let d = one(&format!(r#"{{"{claim}": "{{{{user.unsafe_metadata.{claim} || 'none'}}}}"}}"#));
        assert_eq!((d.code, d.severity), (Code::UnsafeMetadata, Severity::Error), "{claim}");
        assert!(d.help.unwrap().contains("public_metadata"), "{claim}");
    }
    // Nested and inside arrays, the claim that holds the value is the one named.
    let d = one(r#"{"tenant": {"roles": ["{{user.unsafe_metadata.r}}"]}}"#);
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.starts_with("`roles` is named like an authorization claim"), "{}", d.message);
    assert!(found(r#"{"role": "{{user.public_metadata.role}}"}"#).is_empty());
}

#[test]
fn metadata_paths_are_nullable_whatever_the_hint_says() {
    use clerk_claims_codegen::template::Template;
    use clerk_claims_codegen::types::{RustType, TypeModel};
    let (t, _) = Template::parse(&Source::new(
        "app.json",
        r#"{"name": "app", "claims": {
            "role": "{{user.public_metadata.role}}",
            "role_or_member": "{{user.public_metadata.role || 'member'}}",
            "owner": "{{user.public_metadata.owner || user.id}}",
            "seats": "{{org_membership.public_metadata.seats}}",
            "meta": "{{user.public_metadata}}",
            "open": "{{user.public_metadata.open}}",
            "open_or_none": "{{user.public_metadata.open || 'none'}}"
        }, "rust": {"metadata": {"user.public_metadata": {"role": "string", "owner": "string"},
                                  "org_membership.public_metadata": {"seats": "integer"}}}}"#,
    ));
    let model = TypeModel::of(&t.unwrap());
    let types: Vec<(&str, &RustType)> =
        model.root().fields.iter().map(|f| (f.claim.as_str(), &f.ty)).collect();
    let option = |t: RustType| RustType::Option(Box::new(t));
    assert_eq!(
        types,
        [
            ("role", &option(RustType::String)),
            ("role_or_member", &RustType::String),
            ("owner", &RustType::String),
            ("seats", &option(RustType::I64)),
            ("meta", &RustType::Struct("AppClaimsMeta".into())),
            ("open", &option(RustType::Json)),
            ("open_or_none", &RustType::Json),
        ]
    );
    // A root renders `{}` when empty: every declared property may be missing.
    let meta = model.get("AppClaimsMeta").unwrap();
    assert!(meta.fields.iter().all(|f| f.ty.is_nullable()));
}

#[test]
fn a_jwt_template_rendering_session_claims_is_warned_about() {
    for claim in ["sid", "sts", "v"] {
        let d = one(&format!(r#"{{"{claim}": "x"}}"#));
        assert_eq!((d.code, d.severity), (Code::SessionClaimInTemplate, Severity::Warning), "{claim}");
        assert!(d.help.unwrap().contains("60 s lifetime"));
    }
    // In a session customization they are reserved (an error), nested they are just names.
    let session = r#"{"name": "s", "kind": "session", "claims": {"sid": "x"}}"#;
    assert_eq!(found(session), [(Code::ReservedClaim, "1:45".into())]);
    assert!(found(r#"{"o": {"sid": "x"}}"#).is_empty());
}
