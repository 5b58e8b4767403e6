use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims, serde::Deserialize)]
#[clerk(name = "app")]
struct AppClaims {
    #[clerk(shortcode = "user.id")]
    id: String,
    #[serde(rename = "id")]
    #[clerk(shortcode = "org.id")]
    org: Option<String>,
}

fn main() {}
