use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "session", kind = "session")]
struct SessionCustomClaims {
    #[clerk(shortcode = "user.full_name")]
    a: Option<String>,
    #[clerk(shortcode = "user.full_name")]
    b: Option<String>,
    #[clerk(shortcode = "user.image_url")]
    c: String,
    #[clerk(shortcode = "org.image_url")]
    d: Option<String>,
}

fn main() {}
