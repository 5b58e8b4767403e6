use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(template = "{{user.id")]
    id: String,
}

fn main() {}
