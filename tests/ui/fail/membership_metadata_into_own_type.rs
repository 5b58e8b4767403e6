use clerk_claims_runtime::ClerkClaims;

#[derive(serde::Deserialize)]
struct Title {
    #[allow(dead_code)]
    text: String,
}

#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(shortcode = "org_membership.public_metadata.title")]
    title: Title,
}

fn main() {}
