//! Rust names for claims: field identifiers, struct names, collisions.

use crate::template::{Kind, Template};

/// Rust keywords (strict and reserved) that cannot be field names.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];

/// The generated type name of a template: `rust.type`, else UpperCamelCase of the name + `Claims`;
/// a session customization (one per instance) is `SessionCustomClaims`.
///
/// ```
/// use clerk_claims_codegen::{Source, template::Template, types::type_name_of};
/// let (t, _) = Template::parse(&Source::new("my-hasura.json", "{}"));
/// assert_eq!(type_name_of(&t.unwrap()), "MyHasuraClaims");
/// ```
pub fn type_name_of(template: &Template) -> String {
    if let Some(name) = &template.rust.type_name {
        return name.clone();
    }
    if template.kind == Kind::Session {
        return "SessionCustomClaims".to_string();
    }
    let base = upper_camel(&field_ident(&template.name));
    let base = if base.starts_with(|c: char| c.is_ascii_digit()) { format!("T{base}") } else { base };
    format!("{base}Claims")
}

/// The field name of a claim: itself when it is a snake_case identifier, otherwise snake_case of its
/// words (`https://hasura.io/jwt/claims` -> `hasura_io_jwt_claims`, `x-hasura-user-id` ->
/// `x_hasura_user_id`, `isMfa` -> `is_mfa`); keywords get a trailing `_`.
///
/// ```
/// use clerk_claims_codegen::types::field_ident;
/// assert_eq!(field_ident("https://hasura.io/jwt/claims"), "hasura_io_jwt_claims");
/// assert_eq!(field_ident("x-hasura-user-id"), "x_hasura_user_id");
/// assert_eq!(field_ident("onboardingComplete"), "onboarding_complete");
/// assert_eq!(field_ident("type"), "type_");
/// assert_eq!(field_ident("2fa"), "_2fa");
/// assert_eq!(field_ident("!!!"), "claim");
/// ```
pub fn field_ident(claim: &str) -> String {
    let trimmed = claim.strip_prefix("https://").or_else(|| claim.strip_prefix("http://")).unwrap_or(claim);
    let mut out = String::with_capacity(trimmed.len() + 4);
    let mut prev_lower = false;
    for c in trimmed.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_matches('_').to_string();
    let out = if claim.starts_with('_') && !out.is_empty() { format!("_{out}") } else { out };
    match out.as_str() {
        "" => "claim".to_string(),
        s if s.starts_with(|c: char| c.is_ascii_digit()) => format!("_{s}"),
        s if KEYWORDS.contains(&s) => format!("{s}_"),
        _ => out,
    }
}

/// Field names for the claims of one object, in order; a name already taken gets `_2`, `_3`, ...
pub(crate) fn field_idents<'a>(claims: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    for claim in claims {
        let base = field_ident(claim);
        let mut ident = base.clone();
        let mut n = 2;
        while taken.contains(&ident) {
            ident = format!("{base}_{n}");
            n += 1;
        }
        taken.push(ident);
    }
    taken
}

/// `x_hasura_user_id` -> `XHasuraUserId`.
///
/// ```
/// assert_eq!(clerk_claims_codegen::types::upper_camel("hasura_io_jwt_claims"), "HasuraIoJwtClaims");
/// ```
pub fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_claim_names_get_numbered_fields_in_claim_order() {
        let claims = ["user-id", "user_id", "userId", "type", "https://x.io/a"];
        assert_eq!(
            field_idents(claims.into_iter()),
            ["user_id", "user_id_2", "user_id_3", "type_", "x_io_a"]
        );
    }
}
