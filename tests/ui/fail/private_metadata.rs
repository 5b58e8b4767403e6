use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(shortcode = "user.private_metadata.stripe_id")]
    stripe_id: serde_json::Value,
}

fn main() {}
