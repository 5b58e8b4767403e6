use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(template = "{{user.username || \"anon\"}}")]
    name: String,
}

fn main() {}
