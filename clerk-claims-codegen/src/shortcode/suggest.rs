//! "Did you mean" for unknown shortcodes: the wrong names people really write, camelCase, then edit
//! distance against the catalogue.

use super::catalogue::{CATALOGUE, JsonType};

/// Names people write for which edit distance finds nothing useful.
const KNOWN_MISTAKES: &[(&str, &str)] = &[
    ("user.email", "user.primary_email_address"),
    ("user.email_address", "user.primary_email_address"),
    ("user.primary_email", "user.primary_email_address"),
    ("user.emails", "user.primary_email_address"),
    ("user.phone", "user.primary_phone_number"),
    ("user.phone_number", "user.primary_phone_number"),
    ("user.primary_phone", "user.primary_phone_number"),
    ("user.primary_phone_address", "user.primary_phone_number"),
    ("user.web3_wallet", "user.primary_web3_wallet"),
    ("user.wallet", "user.primary_web3_wallet"),
    ("user.has_verified_email", "user.email_verified"),
    ("user.email_address_verified", "user.email_verified"),
    ("user.verified", "user.email_verified"),
    ("user.has_verified_phone", "user.phone_number_verified"),
    ("user.phone_verified", "user.phone_number_verified"),
    ("user.mfa_enabled", "user.two_factor_enabled"),
    ("user.mfa", "user.two_factor_enabled"),
    ("user.totp_enabled", "user.two_factor_enabled"),
    ("user.name", "user.full_name"),
    ("user.display_name", "user.full_name"),
    ("user.avatar", "user.image_url"),
    ("user.avatar_url", "user.image_url"),
    ("user.profile_image_url", "user.image_url"),
    ("user.picture", "user.image_url"),
    ("user.user_id", "user.id"),
    ("user.metadata", "user.public_metadata"),
    ("user.org_id", "org.id"),
    ("user.org_role", "org.role"),
    ("user.org_slug", "org.slug"),
    ("user.orgs", "user.organizations"),
    ("user.role", "user.public_metadata.role"),
    ("org.permissions", "org_membership.permissions"),
    ("org.perms", "org_membership.permissions"),
    ("org_membership.role", "org.role"),
    ("org.metadata", "org.public_metadata"),
    ("org.logo_url", "org.image_url"),
    ("organization.id", "org.id"),
    ("organization.name", "org.name"),
    ("organization.slug", "org.slug"),
    ("organization.role", "org.role"),
    ("session.act", "session.actor"),
    ("session.impersonator", "session.actor"),
];

/// The shortcode the user most likely meant, if any.
///
/// ```
/// use clerk_claims_codegen::shortcode::suggest;
/// assert_eq!(suggest("user.email").as_deref(), Some("user.primary_email_address"));
/// assert_eq!(suggest("user.publicMetadata.plan").as_deref(), Some("user.public_metadata.plan"));
/// assert_eq!(suggest("user.frist_name").as_deref(), Some("user.first_name"));
/// assert_eq!(suggest("completely.unrelated.thing"), None);
/// ```
pub fn suggest(name: &str) -> Option<String> {
    if let Some((_, right)) = KNOWN_MISTAKES.iter().find(|(wrong, _)| *wrong == name) {
        return Some((*right).to_string());
    }
    let snake = name.split('.').map(to_snake_case).collect::<Vec<_>>().join(".");
    if snake != name && super::resolve(&snake).is_ok() {
        return Some(snake);
    }
    // A misspelt metadata root keeps the user's path below it.
    for root in CATALOGUE.iter().filter(|s| s.ty == JsonType::Metadata) {
        let depth = root.name.split('.').count();
        let segments: Vec<&str> = snake.split('.').collect();
        if segments.len() > depth {
            let head = segments[..depth].join(".");
            if strsim::damerau_levenshtein(&head, root.name) <= 2 {
                return Some(format!("{}.{}", root.name, segments[depth..].join(".")));
            }
        }
    }
    let (best, distance) = CATALOGUE
        .iter()
        .map(|s| (s.name, strsim::damerau_levenshtein(&snake, s.name)))
        .min_by_key(|(_, d)| *d)?;
    (distance <= 2 + best.len() / 10).then(|| best.to_string())
}

/// `publicMetadata` -> `public_metadata`.
fn to_snake_case(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len() + 4);
    for (i, c) in segment.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_mistake_points_at_a_real_shortcode() {
        for (wrong, right) in KNOWN_MISTAKES {
            assert!(super::super::resolve(wrong).is_err(), "{wrong} is not a mistake");
            assert!(super::super::resolve(right).is_ok(), "{right} is not a shortcode");
        }
    }

    #[test]
    fn issue_examples() {
        for (wrong, right) in [
            ("user.email", "user.primary_email_address"),
            ("user.publicMetadata.x", "user.public_metadata.x"),
            ("org.permissions", "org_membership.permissions"),
            ("user.primary_phone_address", "user.primary_phone_number"),
            ("user.has_verified_email", "user.email_verified"),
            ("user.firstName", "user.first_name"),
            ("user.unsafeMetadata", "user.unsafe_metadata"),
            ("user.public_metdata.plan", "user.public_metadata.plan"),
            ("org.nmae", "org.name"),
        ] {
            assert_eq!(suggest(wrong).as_deref(), Some(right), "for {wrong}");
        }
    }
}
