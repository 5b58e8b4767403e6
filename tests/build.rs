//! Generates the claim types of the bundled templates, as a user's build script would.

fn main() {
    if let Err(e) = clerk_claims_codegen::Generator::new().templates_dir("../templates").generate() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
