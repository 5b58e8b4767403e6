use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app", metadata = r#"{"user.public_metadata": {"role": "strin"}}"#)]
struct AppClaims {
    #[clerk(shortcode = "user.public_metadata.role")]
    role: Option<String>,
}

fn main() {}
