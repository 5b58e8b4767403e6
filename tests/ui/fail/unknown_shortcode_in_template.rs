use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(template = "Hello {{user.frist_name}}")]
    greeting: String,
}

fn main() {}
