//! Claims types in an OpenAPI 3.1 document built with aide (a schemars-based crate): the Hasura
//! template's generated type and a hand-written derived one, under `components.schemas`, with
//! Clerk's session token as the bearer security scheme.
//!
//! ```sh
//! cargo run -p clerk-claims-runtime --features schemars --example openapi
//! ```
//!
//! The schemas are the engine's (Clerk's nullability, constants, declared metadata shapes), the same
//! as `templates/generated/<name>.schema.json`, not guesses from the Rust types.

use aide::openapi::{Components, Info, OpenApi, ReferenceOr, SchemaObject, SecurityScheme};
use clerk_claims_runtime::ClerkClaims;

clerk_claims_runtime::clerk_template!("templates/hasura.json");

/// The claims an API's own template renders, written by hand.
#[derive(ClerkClaims, serde::Deserialize)]
#[clerk(name = "api", json_schema, metadata = r#"{"user.public_metadata": {"plan": "string"}}"#)]
pub struct ApiClaims {
    /// The user's plan; `null` for a user without one.
    #[clerk(shortcode = "user.public_metadata.plan")]
    pub plan: Option<String>,
}

/// The OpenAPI document naming both claims types and the bearer scheme that carries them.
pub fn document() -> OpenApi {
    let schema =
        |schema: schemars::Schema| SchemaObject { json_schema: schema, external_docs: None, example: None };
    let mut components = Components::default();
    components.schemas.insert("HasuraClaims".into(), schema(schemars::schema_for!(HasuraClaims)));
    components.schemas.insert("ApiClaims".into(), schema(schemars::schema_for!(ApiClaims)));
    components.security_schemes.insert(
        "clerk".into(),
        ReferenceOr::Item(SecurityScheme::Http {
            scheme: "bearer".into(),
            bearer_format: Some("JWT".into()),
            description: Some("A Clerk session token or a JWT template token".into()),
            extensions: Default::default(),
        }),
    );
    OpenApi {
        info: Info { title: "An API behind Clerk".into(), version: "1".into(), ..Info::default() },
        components: Some(components),
        ..OpenApi::default()
    }
}

fn main() -> Result<(), serde_json::Error> {
    println!("{}", serde_json::to_string_pretty(&document())?);
    Ok(())
}
