use clerk_claims_runtime::ClerkClaims;

// A user who never had `role` written gets `"role": null`.
#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(shortcode = "user.public_metadata.role")]
    role: String,
}

fn main() {}
