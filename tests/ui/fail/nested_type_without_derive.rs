use clerk_claims_runtime::ClerkClaims;

struct Tenant {
    id: String,
}

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    tenant: Tenant,
}

fn main() {}
