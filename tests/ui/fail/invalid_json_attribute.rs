use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(json = "[\"user\",")]
    roles: Vec<String>,
}

fn main() {}
