use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims, serde::Deserialize)]
#[clerk(name = "app")]
struct AppClaims {
    #[serde(rename = "exp")]
    #[clerk(value = 123)]
    expires: i64,
}

fn main() {}
