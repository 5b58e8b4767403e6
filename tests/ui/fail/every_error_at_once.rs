use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app", lifetime = 5)]
struct AppClaims {
    #[clerk(shortcode = "user.email")]
    email: Option<String>,
    #[clerk(shortcode = "user.id")]
    sub: String,
    #[clerk(shortcode = "user.first_name")]
    first_name: String,
}

fn main() {}
