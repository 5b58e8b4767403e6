//! Generates the claim types of the bundled templates, as a user's build script would, and of the
//! nullability test templates (`templates/nullability`), into a directory of their own.

use std::path::PathBuf;

fn main() {
    let nullability = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("nullability");
    let generators = [
        clerk_claims_codegen::Generator::new().templates_dir("../templates"),
        clerk_claims_codegen::Generator::new().templates_dir("templates/nullability").out_dir(nullability),
    ];
    for generator in generators {
        if let Err(e) = generator.generate() {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
