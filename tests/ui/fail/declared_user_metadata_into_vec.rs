use clerk_claims_runtime::ClerkClaims;

// The hint types `features` when present; a user without it still gets `null`.
#[derive(ClerkClaims)]
#[clerk(name = "app", metadata = r#"{"user.public_metadata": {"features": {"type": "array", "items": "string"}}}"#)]
struct AppClaims {
    #[clerk(shortcode = "user.public_metadata.features")]
    features: Vec<String>,
}

fn main() {}
