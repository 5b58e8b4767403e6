use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(lifetime = 120)]
struct Nested {
    #[clerk(shortcode = "user.id")]
    user_id: String,
}

fn main() {}
