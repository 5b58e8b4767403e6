use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims, serde::Deserialize)]
#[clerk(name = "app")]
struct AppClaims {
    #[serde(rename = "{{user.id}}")]
    #[clerk(value = true)]
    flag: bool,
}

fn main() {}
