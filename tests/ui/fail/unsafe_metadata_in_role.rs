use clerk_claims_runtime::ClerkClaims;

// The user writes unsafe metadata from the browser: a role read from it is theirs to choose.
#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(template = "{{user.unsafe_metadata.role || 'member'}}")]
    role: String,
}

fn main() {}
