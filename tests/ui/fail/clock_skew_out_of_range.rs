use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app", allowed_clock_skew = 301)]
struct AppClaims {
    #[clerk(shortcode = "user.id")]
    user_id: String,
}

fn main() {}
