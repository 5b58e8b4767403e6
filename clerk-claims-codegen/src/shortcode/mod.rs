//! Shortcodes: the catalogue, the expression parser, name resolution and suggestions.

mod catalogue;
mod expr;
mod suggest;

pub use catalogue::{CATALOGUE, JsonType, Shortcode, lookup};
pub use expr::{Expr, ExprError, Operand, Part, StringValue, Term};
pub use suggest::suggest;

/// What a shortcode name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A catalogue row.
    Known(&'static Shortcode),
    /// A path below a metadata root: `user.public_metadata.a.b` is `root` + `["a", "b"]`.
    MetadataPath {
        /// The metadata root row.
        root: &'static Shortcode,
        /// The keys below it.
        path: Vec<String>,
    },
}

/// Why a shortcode name does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// Not a shortcode Clerk knows; Clerk would render `null`. [`suggest`] finds the likely name.
    Unknown,
    /// `*.private_metadata`: never rendered into tokens.
    PrivateMetadata,
    /// A path below a value that has no fields (`user.primary_email_address.email`).
    IntoNonObject {
        /// The row the path goes below.
        parent: &'static Shortcode,
    },
}

/// Resolves a dotted shortcode name against the catalogue.
///
/// ```
/// use clerk_claims_codegen::shortcode::{resolve, Resolved, Unresolved};
/// assert!(matches!(resolve("user.id"), Ok(Resolved::Known(_))));
/// assert!(matches!(resolve("user.public_metadata.a.b"), Ok(Resolved::MetadataPath { .. })));
/// assert_eq!(resolve("user.private_metadata"), Err(Unresolved::PrivateMetadata));
/// assert!(matches!(resolve("user.primary_email_address.email"), Err(Unresolved::IntoNonObject { .. })));
/// ```
pub fn resolve(name: &str) -> Result<Resolved, Unresolved> {
    if let Some(row) = lookup(name) {
        return Ok(Resolved::Known(row));
    }
    if let Some(parent) =
        CATALOGUE.iter().find(|row| name.strip_prefix(row.name).is_some_and(|rest| rest.starts_with('.')))
    {
        let rest = &name[parent.name.len() + 1..];
        return if parent.ty == JsonType::Metadata {
            Ok(Resolved::MetadataPath { root: parent, path: rest.split('.').map(str::to_string).collect() })
        } else {
            Err(Unresolved::IntoNonObject { parent })
        };
    }
    match name.split('.').nth(1) {
        Some("private_metadata" | "privateMetadata") => Err(Unresolved::PrivateMetadata),
        _ => Err(Unresolved::Unknown),
    }
}

/// When Clerk renders `null` for the shortcode `name`, in words; `None` when it never does.
///
/// ```
/// use clerk_claims_codegen::shortcode::null_reason;
/// assert_eq!(null_reason("user.id"), None);
/// assert_eq!(null_reason("user.primary_email_address").as_deref(), Some("null without a primary email"));
/// assert_eq!(
///     null_reason("user.public_metadata.role").as_deref(),
///     Some("null for a user whose public metadata has no `role`")
/// );
/// ```
pub fn null_reason(name: &str) -> Option<String> {
    match resolve(name) {
        Ok(Resolved::Known(row)) => row.nullable.then(|| row.notes.to_string()),
        Ok(Resolved::MetadataPath { root, path }) => {
            let whose = match root.name {
                "user.public_metadata" => "a user whose public metadata",
                "user.unsafe_metadata" => "a user whose unsafe metadata",
                "org.public_metadata" => "no active organization, or one whose public metadata",
                _ => "no active organization, or a membership whose public metadata",
            };
            Some(format!("null for {whose} has no `{}`", path.join(".")))
        }
        Err(_) => Some("a shortcode newer than the catalogue: Clerk may render null".to_string()),
    }
}
