use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(shortcode = "user.publicMetadata.plan")]
    plan: serde_json::Value,
}

fn main() {}
