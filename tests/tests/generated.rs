//! The generator on the bundled templates: golden files, determinism, the round trip template ->
//! generated struct -> `template_json()`, and rendered claims that fit the generated types and schemas
//! for every context Clerk can render from (the bundled templates and `templates/nullability`, which
//! use every metadata root, nesting, `||` chains and hints).

use std::path::PathBuf;

use clerk_claims_codegen::shortcode::{CATALOGUE, JsonType, Shortcode};
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
    template_at(templates_dir().join(format!("{name}.json")))
}

fn nullability_template(name: &str) -> Template {
    template_at(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("templates/nullability/{name}.json")))
}

fn template_at(path: PathBuf) -> Template {
    let checked = check_file(&path);
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

/// Runs `$body` once per bundled and nullability template, with `t` the template and `T` its
/// generated type.
macro_rules! for_each_template {
    (|$name:ident, $template:ident, $t:ident| $body:block) => {{
        fn each<$t: ClerkClaims + serde::de::DeserializeOwned>($name: &str, $template: Template) $body
        for_each_bundled!(|name, T| { each::<T>(name, template(name)); });
        use clerk_claims_tests::nullability as n;
        each::<n::ChainsClaims>("chains", nullability_template("chains"));
        each::<n::MetadataRootsClaims>("metadata_roots", nullability_template("metadata_roots"));
        each::<n::NestedClaims>("nested", nullability_template("nested"));
        each::<n::SessionMetadataClaims>("session_metadata", nullability_template("session_metadata"));
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
        features: None,
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
        &json!({"user": {"public_metadata": {}, "two_factor_enabled": false}}),
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

/// A value Clerk could hold for a declared shape: any property of an object may be missing, and a
/// nullable shape may be `null`.
fn shape_value(shape: &Shape) -> BoxedStrategy<Value> {
    let base: BoxedStrategy<Value> = match &shape.ty {
        ShapeType::String { max_length } => {
            let max = max_length.unwrap_or(40).min(40);
            proptest::string::string_regex(&format!(".{{0,{max}}}")).unwrap().prop_map(Value::String).boxed()
        }
        ShapeType::Integer => any::<i64>().prop_map(Value::from).boxed(),
        ShapeType::Number => {
            prop_oneof![(-1e9f64..1e9).prop_map(Value::from), any::<i32>().prop_map(Value::from)].boxed()
        }
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
                    (acc, prop::option::of(s))
                        .prop_map(move |(mut m, v)| {
                            if let Some(v) = v {
                                m.insert(k.clone(), v);
                            }
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

/// A metadata root as Clerk stores it: an object, often empty (users and organizations nobody wrote
/// metadata for), else of the declared shape with any key missing, else any JSON object.
fn metadata(t: &Template, root: &str) -> BoxedStrategy<Value> {
    let filled = match t.rust.metadata.get(root) {
        Some(shape @ Shape { ty: ShapeType::Object(_), .. }) => shape_value(shape),
        _ => prop::collection::btree_map("[a-z]{1,6}", any_json(), 0..4)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
            .boxed(),
    };
    prop_oneof![Just(json!({})), filled].boxed()
}

/// What Clerk renders for one catalogue row: `None` is an absent key. Rows Clerk always renders are
/// always present; nullable ones are absent, `null` or a value.
fn row_value(t: &Template, row: &'static Shortcode) -> BoxedStrategy<Option<Value>> {
    let base: BoxedStrategy<Value> = match row.ty {
        JsonType::String if row.name == "user.id" => "user_[a-zA-Z0-9]{27}".prop_map(Value::String).boxed(),
        JsonType::String => ".{0,20}".prop_map(Value::String).boxed(),
        JsonType::Integer => (0i64..2_000_000_000).prop_map(Value::from).boxed(),
        JsonType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        JsonType::Metadata => metadata(t, row.name),
        JsonType::RoleMap => prop::collection::btree_map("org_[a-z]{6}", "org:(admin|member)", 0..3)
            .prop_map(|m| json!(m))
            .boxed(),
        JsonType::StringArray => {
            prop::collection::vec("org:[a-z]{1,6}:[a-z]{1,6}", 0..4).prop_map(|v| json!(v)).boxed()
        }
        JsonType::Actor => Just(json!({"sub": "user_admin", "iss": "https://dashboard.clerk.com"})).boxed(),
    };
    if row.nullable {
        prop_oneof![Just(None), Just(Some(Value::Null)), base.prop_map(Some)].boxed()
    } else {
        base.prop_map(Some).boxed()
    }
}

/// A render context Clerk could have, from everything present to everything absent: every
/// catalogue row drawn on its own, and an active organization (with its membership) or none.
fn context(t: &Template) -> impl Strategy<Value = Value> {
    let rows: Vec<_> =
        CATALOGUE.iter().map(|row| row_value(t, row).prop_map(move |v| (row.name, v))).collect();
    (any::<bool>(), rows).prop_map(|(has_org, rows)| {
        let mut context = json!({"user": {}});
        for (name, value) in rows {
            let in_org = name.starts_with("org.") || name.starts_with("org_membership.");
            if let (Some(value), true) = (value, has_org || !in_org) {
                let (scope, key) = name.split_once('.').unwrap();
                context.as_object_mut().unwrap().entry(scope).or_insert(json!({}))[key] = value;
            }
        }
        context
    })
}

/// A user created with an empty body and no organization: only what Clerk always renders.
fn new_user_without_organization() -> Value {
    json!({"user": {
        "id": "user_2aBcDeFgHiJkLmNoPqRsTuVwXyZ", "image_url": "https://img.clerk.com/default",
        "has_image": false, "email_verified": false, "phone_number_verified": false,
        "two_factor_enabled": false, "created_at": 1_700_000_000, "updated_at": 1_700_000_000,
        "public_metadata": {}, "unsafe_metadata": {}, "organizations": {},
    }})
}

/// That user as a member of an organization nobody wrote metadata for.
fn member_of_organization_without_metadata() -> Value {
    let mut context = new_user_without_organization();
    context["user"]["organizations"] = json!({"org_2aBcDeFgHiJkLmNoPqRsTuVwXyZ": "org:member"});
    context["org"] = json!({
        "id": "org_2aBcDeFgHiJkLmNoPqRsTuVwXyZ", "name": "Acme", "slug": "acme", "role": "org:member",
        "image_url": "https://img.clerk.com/org", "has_image": false, "public_metadata": {},
    });
    context["org_membership"] = json!({"permissions": [], "public_metadata": {}});
    context
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

/// What `t` renders for `context` reads into `T` and validates against `T`'s schema (which is the
/// engine's schema of the template, the one `generate` writes).
fn renders_into<T: ClerkClaims + serde::de::DeserializeOwned>(
    name: &str,
    t: &Template,
    context: &Value,
) -> Result<(), String> {
    let rendered = render(&t.claims_json(), context).map_err(|e| format!("{name}: {e:?}"))?;
    serde_json::from_value::<T>(rendered.clone()).map_err(|e| format!("{name}: {e}\n{rendered:#}"))?;
    let schema = T::json_schema();
    if schema
        != clerk_claims_codegen::emit::template_schema(t, &clerk_claims_codegen::types::TypeModel::of(t))
    {
        return Err(format!("{name}: the type's schema is not the template's"));
    }
    let mut token = registered(t);
    token.as_object_mut().unwrap().extend(rendered.as_object().unwrap().clone());
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator.validate(&token).map_err(|e| format!("{name}: {e}\n{token:#}"))
}

#[test]
fn rendered_claims_fit_the_generated_types_and_schemas() {
    for_each_template!(|name, t, T| {
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        });
        runner
            .run(&context(&t), |ctx| renders_into::<T>(name, &t, &ctx).map_err(TestCaseError::fail))
            .unwrap();
    });
}

#[test]
fn a_user_with_nothing_set_fits_every_generated_type() {
    for_each_template!(|name, t, T| {
        renders_into::<T>(name, &t, &new_user_without_organization()).unwrap();
        renders_into::<T>(name, &t, &member_of_organization_without_metadata()).unwrap();
    });
}

#[test]
fn metadata_is_nullable_whatever_the_hint_says() {
    use clerk_claims_tests::nullability::*;
    let claims: MetadataRootsClaims = serde_json::from_value(
        render(&nullability_template("metadata_roots").claims_json(), &new_user_without_organization())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (claims.role, claims.tags, claims.seats, claims.title, claims.city),
        (None, None, None, None, None)
    );
    assert_eq!(claims.public.role, None, "a declared property of a root Clerk renders as {{}}");
    assert!(claims.org_metadata.is_none() && claims.profile.is_none());
    let chains: ChainsClaims = serde_json::from_value(
        render(&nullability_template("chains").claims_json(), &new_user_without_organization()).unwrap(),
    )
    .unwrap();
    // A literal, or a shortcode Clerk always renders, at the end of a chain: never null.
    assert_eq!((chains.role.as_str(), chains.seats, chains.beta, chains.ratio), ("member", 1, false, 0.5));
    assert!(chains.owner.starts_with("user_"));
    assert_eq!(chains.maybe_name, None);
    assert_eq!(CustomClaims::json_schema()["properties"]["features"]["type"], json!(["array", "null"]));
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

#[test]
fn schemars_gives_the_engines_schema_for_every_generated_type() {
    fn schemars_of<T: schemars::JsonSchema>() -> Value {
        serde_json::to_value(schemars::schema_for!(T)).unwrap()
    }
    let golden = |name: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(templates_dir().join(format!("generated/{name}.schema.json"))).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(schemars_of::<HasuraClaims>(), golden("hasura"));
    assert_eq!(schemars_of::<CustomClaims>(), golden("custom"));
    assert_eq!(schemars_of::<SessionCustomClaims>(), golden("session"));
    assert_eq!(schemars_of::<SupabaseClaims>(), golden("supabase"));
    // Nullability as Clerk renders it, which a schema derived from the Rust types could not know
    // for `Value` fields or constants.
    let custom = schemars_of::<CustomClaims>();
    assert_eq!(custom["properties"]["features"]["type"], json!(["array", "null"]));
    assert_eq!(custom["properties"]["aud"]["const"], "https://api.example.com");
}

#[path = "../../clerk-claims-runtime/examples/openapi.rs"]
#[allow(dead_code)]
mod openapi_example;

#[test]
fn the_openapi_example_carries_the_engines_schemas() {
    let document = serde_json::to_value(openapi_example::document()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(templates_dir().join("generated/hasura.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(document["components"]["schemas"]["HasuraClaims"], golden);
    let api = &document["components"]["schemas"]["ApiClaims"];
    assert_eq!(api, &serde_json::to_value(openapi_example::ApiClaims::json_schema()).unwrap());
    assert_eq!(api["properties"]["plan"]["type"], json!(["string", "null"]));
    assert_eq!(document["components"]["securitySchemes"]["clerk"]["bearerFormat"], "JWT");
}
