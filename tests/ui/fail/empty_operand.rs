use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(template = "{{user.username || }}")]
    name: Option<String>,
}

fn main() {}
