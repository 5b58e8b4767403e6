use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app", lifetime = 10)]
struct AppClaims {
    #[clerk(shortcode = "user.id")]
    user_id: String,
}

fn main() {}
