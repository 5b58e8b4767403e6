use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(shortcode = "org_membership.permissions")]
    permissions: Option<String>,
}

fn main() {}
