use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(template = "{{user.first_name}} {{user.last_name}}")]
    name: bool,
}

fn main() {}
