use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app", metadata = r#"{"org.public_metadata": {"seats": "integer"}}"#)]
struct AppClaims {
    #[clerk(template = "{{org.public_metadata.seats}}")]
    seats: i64,
}

fn main() {}
