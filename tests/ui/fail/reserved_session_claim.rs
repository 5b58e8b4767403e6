use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "session", kind = "session")]
struct SessionCustomClaims {
    #[clerk(shortcode = "org.id")]
    org_id: Option<String>,
}

fn main() {}
