//! The generator on the bundled templates: golden files, determinism, the round trip template ->
//! generated struct -> `template_json()`, and rendered claims that fit the generated types and schemas.

use std::path::PathBuf;

use clerk_claims_codegen::template::{Shape, ShapeType, Template};
use clerk_claims_codegen::{Generator, Source, check_file, render};
use clerk_claims_runtime::ClerkClaims;
use clerk_claims_tests::bundled::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn templates_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates")
}

fn template(name: &str) -> Template {
    let checked = check_file(&templates_dir().join(format!("{name}.json")));
    assert!(!checked.has_errors(), "{}", checked.render());
    checked.template.unwrap()
}

/// Runs `$body` once per bundled template with `T` its generated type and `name` its file stem.
macro_rules! for_each_bundled {
    (|$name:ident, $t:ident| $body:block) => {{
        fn run<$t: ClerkClaims + serde::de::DeserializeOwned>($name: &str) $body
        run::<BlankClaims>("blank");
        run::<ConvexClaims>("convex");
        run::<CustomClaims>("custom");
        run::<DefaultClaims>("default");
        run::<FaunaClaims>("fauna");
        run::<GrafbaseClaims>("grafbase");
        run::<HasuraClaims>("hasura");
        run::<NhostClaims>("nhost");
        run::<SessionCustomClaims>("session");
        run::<SupabaseSessionClaims>("supabase-session");
        run::<SupabaseClaims>("supabase");
    }};
}

#[test]
fn checked_in_files_are_up_to_date() {
    // templates/generated is what `clerk-claims generate` writes; CI fails when it drifts.
    Generator::new().templates_dir(templates_dir()).check().unwrap();
}

#[test]
fn generating_twice_is_byte_identical_and_leaves_files_alone() {
    let generator = Generator::new().templates_dir(templates_dir());
    assert_eq!(generator.artifacts().unwrap(), generator.artifacts().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let first = generator.clone().out_dir(dir.path()).generate().unwrap();
    let before = std::fs::metadata(&first).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&first).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = generator.out_dir(dir.path()).generate().unwrap();
    assert_eq!(std::fs::read_to_string(&second).unwrap(), text);
    assert_eq!(std::fs::metadata(&second).unwrap().modified().unwrap(), before);
    assert!(text.starts_with("// @generated"));
}

#[test]
fn stale_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let generator = Generator::new().templates_dir(templates_dir());
    generator.write_artifacts(dir.path()).unwrap();
    std::fs::write(dir.path().join("hasura.schema.json"), "{}").unwrap();
    std::fs::remove_file(dir.path().join("blank.setup.md")).unwrap();
    let err = generator.check_artifacts(dir.path()).unwrap_err().to_string();
    assert!(err.contains("hasura.schema.json") && err.contains("blank.setup.md"), "{err}");
    assert!(err.contains("run `clerk-claims generate`"));
}

#[test]
fn template_to_struct_to_template_json_is_the_original() {
    for_each_bundled!(|name, T| {
        let t = template(name);
        assert_eq!(T::claims_json(), t.claims_json(), "{name}");
        assert_eq!(T::template_json(), clerk_claims_codegen::emit::dashboard_body(&t), "{name}");
        let golden: Value = serde_json::from_str(
            &std::fs::read_to_string(templates_dir().join(format!("generated/{name}.dashboard.json")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(T::template_json(), golden, "{name}");
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(templates_dir().join(format!("generated/{name}.schema.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(T::json_schema(), schema, "{name}");
    });
}

#[test]
fn constant_claims_are_recorded_for_verification() {
    assert_eq!(SupabaseClaims::constant_claims()["aud"], "authenticated");
    assert_eq!(ConvexClaims::constant_claims()["aud"], "convex");
    assert_eq!(CustomClaims::constant_claims()["version"], 1);
    assert!(HasuraClaims::constant_claims().is_empty());
}

#[test]
fn generated_types_are_typed_as_clerk_renders() {
    let claims = CustomClaims {
        aud: "https://api.example.com".into(),
        version: 1,
        email: None,
        display_name: "anonymous".into(),
        role: "member".into(),
        features: vec![],
        mfa: false,
        tenant: CustomClaimsTenant {
            id: None,
            slug: None,
            role: None,
            permissions: None,
            plan: "free".into(),
            seats: None,
        },
    };
    let rendered = render(
        &template("custom").claims_json(),
        &json!({"user": {"public_metadata": {"features": []}, "two_factor_enabled": false}}),
    )
    .unwrap();
    assert_eq!(serde_json::from_value::<CustomClaims>(rendered).unwrap(), claims);
    let session: SessionCustomClaims = serde_json::from_value(json!({
        "email": "a@b.c", "full_name": null, "metadata": {"role": "admin"}
    }))
    .unwrap();
    assert_eq!(session.metadata.role.as_deref(), Some("admin"));
    assert_eq!(session.metadata.onboarding_complete, None);
}

/// A value of a declared metadata shape.
fn shape_value(shape: &Shape) -> BoxedStrategy<Value> {
    let base: BoxedStrategy<Value> = match &shape.ty {
        ShapeType::String { max_length } => {
            let max = max_length.unwrap_or(40).min(40);
            proptest::string::string_regex(&format!(".{{0,{max}}}")).unwrap().prop_map(Value::String).boxed()
        }
        ShapeType::Integer => any::<i64>().prop_map(Value::from).boxed(),
        ShapeType::Number => (-1e9f64..1e9).prop_map(Value::from).boxed(),
        ShapeType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        ShapeType::Any => any_json().boxed(),
        ShapeType::Array(items) => {
            prop::collection::vec(shape_value(items), 0..4).prop_map(Value::Array).boxed()
        }
        ShapeType::Object(props) => {
            let entries: Vec<(String, BoxedStrategy<Value>)> =
                props.iter().map(|(k, s)| (k.clone(), shape_value(s))).collect();
            entries
                .into_iter()
                .fold(Just(Map::new()).boxed(), |acc, (k, s)| {
                    (acc, s)
                        .prop_map(move |(mut m, v)| {
                            m.insert(k.clone(), v);
                            m
                        })
                        .boxed()
                })
                .prop_map(Value::Object)
                .boxed()
        }
    };
    if shape.nullable { prop_oneof![Just(Value::Null), base].boxed() } else { base }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::String)
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn nullable_string(max: usize) -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        proptest::string::string_regex(&format!(".{{0,{max}}}")).unwrap().prop_map(Value::String)
    ]
}

/// A render context of the kind Clerk has: a user, maybe an active organization, metadata of the
/// declared shapes (or any JSON object where none is declared).
fn context(t: &Template) -> impl Strategy<Value = Value> {
    let metadata = |root: &str| -> BoxedStrategy<Value> {
        match t.rust.metadata.get(root) {
            Some(shape) => shape_value(shape),
            None => prop::collection::btree_map("[a-z]{1,6}", any_json(), 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed(),
        }
    };
    let user = (
        (
            "user_[a-zA-Z0-9]{27}",
            nullable_string(20),
            nullable_string(20),
            nullable_string(40),
            nullable_string(20),
        ),
        (nullable_string(30), nullable_string(16), any::<bool>(), any::<bool>(), any::<bool>()),
        (0i64..2_000_000_000, 0i64..2_000_000_000, "https://img\\.clerk\\.com/[a-z]{8}"),
        (metadata("user.public_metadata"), metadata("user.unsafe_metadata")),
    )
        .prop_map(
            |(
                (id, first, last, full, username),
                (email, phone, ev, pv, tfa),
                (created, updated, image),
                (public, unsafe_),
            )| {
                json!({
                    "id": id, "first_name": first, "last_name": last, "full_name": full, "username": username,
                    "primary_email_address": email, "primary_phone_number": phone, "email_verified": ev,
                    "phone_number_verified": pv, "two_factor_enabled": tfa, "created_at": created,
                    "updated_at": updated, "image_url": image, "has_image": false,
                    "public_metadata": public, "unsafe_metadata": unsafe_,
                })
            },
        );
    let org = prop::option::of((
        "org_[a-zA-Z0-9]{27}",
        "[a-z-]{1,12}",
        prop_oneof![Just("org:admin"), Just("org:member")],
        prop::collection::vec("org:[a-z]{1,6}:[a-z]{1,6}", 0..4),
        metadata("org.public_metadata"),
    ));
    (user, org).prop_map(|(user, org)| match org {
        Some((id, slug, role, permissions, public)) => json!({
            "user": user,
            "org": {"id": id, "slug": slug, "name": slug, "role": role, "public_metadata": public},
            "org_membership": {"permissions": permissions},
        }),
        None => json!({"user": user}),
    })
}

/// The claims Clerk adds around a template's own.
fn registered(t: &Template) -> Value {
    match t.kind {
        clerk_claims_codegen::Kind::Template => json!({
            "azp": "https://app.example.com", "exp": 1_700_000_060, "iat": 1_700_000_000, "nbf": 1_699_999_995,
            "iss": "https://clerk.example.com", "jti": "10db7f531a90cb2faea4", "sub": "user_1",
        }),
        clerk_claims_codegen::Kind::Session => json!({
            "azp": "https://app.example.com", "exp": 1_700_000_060, "iat": 1_700_000_000, "nbf": 1_699_999_995,
            "iss": "https://clerk.example.com", "sid": "sess_1", "sub": "user_1", "v": 2, "fva": [0, -1],
        }),
    }
}

#[test]
fn rendered_claims_fit_the_generated_types_and_schemas() {
    for_each_bundled!(|name, T| {
        let t = template(name);
        let schema = T::json_schema();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let mut runner =
            proptest::test_runner::TestRunner::new(ProptestConfig { cases: 64, ..ProptestConfig::default() });
        runner
            .run(&context(&t), |ctx| {
                let rendered = render(&t.claims_json(), &ctx).unwrap();
                serde_json::from_value::<T>(rendered.clone())
                    .map_err(|e| TestCaseError::fail(format!("{name}: {e}\n{rendered:#}")))?;
                let mut token = registered(&t);
                token.as_object_mut().unwrap().extend(rendered.as_object().unwrap().clone());
                if let Err(e) = validator.validate(&token) {
                    return Err(TestCaseError::fail(format!("{name}: {e}\n{token:#}")));
                }
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn schema_rejects_what_clerk_never_renders() {
    let validator = jsonschema::validator_for(&HasuraClaims::json_schema()).unwrap();
    let mut token = registered(&template("hasura"));
    token["https://hasura.io/jwt/claims"] = json!({"x-hasura-allowed-roles": ["user"], "x-hasura-default-role": "admin", "x-hasura-user-id": "user_1"});
    assert!(!validator.is_valid(&token), "a constant claim with another value");
    token["https://hasura.io/jwt/claims"]["x-hasura-default-role"] = json!("user");
    assert!(validator.is_valid(&token));
    token.as_object_mut().unwrap().remove("sub");
    assert!(!validator.is_valid(&token), "sub is required");
}

#[test]
fn clerk_template_macro_matches_the_generator() {
    mod one {
        clerk_claims_runtime::clerk_template!("../templates/custom.json");
    }
    assert_eq!(one::CustomClaims::template_json(), CustomClaims::template_json());
    assert_eq!(one::CustomClaims::json_schema(), CustomClaims::json_schema());
    let _ = Source::new("", "");
}

#[test]
fn template_errors_fail_the_build_with_file_line_col() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{\n  \"email\": \"{{user.email}}\"\n}").unwrap();
    let err =
        Generator::new().templates_dir(dir.path()).out_dir(dir.path().join("out")).generate().unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("bad.json:2:15: error[unknown-shortcode]: unknown shortcode `user.email`"),
        "{text}"
    );
    assert!(text.contains("did you mean `user.primary_email_address`?"));
    assert!(!dir.path().join("out").exists(), "nothing is written when a template is wrong");
}

#[test]
fn two_templates_with_one_type_name_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        let t = format!(r#"{{"name": "{name}", "claims": {{}}, "rust": {{"type": "SameClaims"}}}}"#);
        std::fs::write(dir.path().join(format!("{name}.json")), t).unwrap();
    }
    let err = Generator::new().templates_dir(dir.path()).artifacts().unwrap_err().to_string();
    assert!(err.contains("the generated type `SameClaims` is also generated for"), "{err}");
}
