use clerk_claims_runtime::ClerkClaims;

// Every misspelled #[clerk] key, on the struct and on every field, is reported at once.
#[derive(ClerkClaims)]
#[clerk(name = "app", lifetme = 60)]
struct AppClaims {
    #[clerk(shortcod = "user.id")]
    id: String,
    #[clerk(tempalte = "{{user.first_name}}")]
    name: String,
}

fn main() {}
