use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(shortcode = "user.email_verified")]
    verified: String,
}

fn main() {}
