use clerk_claims_runtime::ClerkClaims;

#[derive(ClerkClaims)]
#[clerk(name = "supabase", custom_signing_key)]
struct SupabaseClaims {
    #[clerk(value = "authenticated")]
    aud: String,
}

fn main() {}
