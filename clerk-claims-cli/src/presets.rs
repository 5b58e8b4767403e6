//! The bundled presets: the files of `presets/` (the repository's `templates/`), embedded.

macro_rules! presets {
    ($($name:literal),* $(,)?) => {
        /// Preset names, as `clerk-claims new` takes them.
        pub(crate) const NAMES: &[&str] = &[$($name),*];
        /// The preset's template file.
        pub(crate) fn file(name: &str) -> Option<&'static str> {
            match name {
                $($name => Some(include_str!(concat!("../presets/", $name, ".json"))),)*
                _ => None,
            }
        }
    };
}

presets!(
    "default",
    "hasura",
    "supabase",
    "supabase-session",
    "custom",
    "blank",
    "nhost",
    "convex",
    "grafbase",
    "fauna",
    "session",
);
