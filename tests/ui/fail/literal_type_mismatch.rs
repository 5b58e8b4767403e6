use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(value = "authenticated")]
    aud: i64,
}

fn main() {}
