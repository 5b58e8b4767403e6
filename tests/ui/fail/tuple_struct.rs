use clerk_claims_runtime::ClerkClaims;

// A claim is a named member of the token: a tuple struct has no names to give them.
#[derive(ClerkClaims)]
#[clerk(name = "app")]
struct AppClaims(#[clerk(shortcode = "user.id")] String);

fn main() {}
