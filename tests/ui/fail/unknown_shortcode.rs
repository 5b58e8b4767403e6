use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(shortcode = "user.email")]
    email: Option<String>,
}

fn main() {}
