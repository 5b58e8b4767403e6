//! The shortcode catalogue: every `{{...}}` name Clerk renders, with the JSON type of what it renders.
//!
//! This table is the single source of truth for the checker, the type generator, the size estimate and
//! the suggestions. `max_len` is the longest rendered JSON text assumed by the size estimate (quotes
//! included), from Clerk's limits where it documents them and conservative values elsewhere.

/// The JSON type Clerk renders for a shortcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonType {
    /// A string.
    String,
    /// An integer (unix seconds for timestamps).
    Integer,
    /// `true` / `false`.
    Bool,
    /// A metadata object: any JSON below it, an object at the root. Paths below it are allowed.
    Metadata,
    /// `user.organizations`: an object mapping organization id to role.
    RoleMap,
    /// An array of strings.
    StringArray,
    /// `session.actor`: the impersonation actor object (`{"sub": ..., "iss": ..., ...}`).
    Actor,
}

impl JsonType {
    /// The name used in messages ("a string", "a boolean", ...).
    ///
    /// ```
    /// use clerk_claims_codegen::shortcode::JsonType;
    /// assert_eq!(JsonType::Bool.describe(), "a boolean");
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Bool => "a boolean",
            JsonType::Metadata => "a metadata object",
            JsonType::RoleMap => "an object of organization id to role",
            JsonType::StringArray => "an array of strings",
            JsonType::Actor => "an actor object",
        }
    }
}

/// One row of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcode {
    /// The dotted name, as written between `{{` and `}}`.
    pub name: &'static str,
    /// The JSON type of the rendered value (when not null).
    pub ty: JsonType,
    /// Whether Clerk can render `null` for it.
    pub nullable: bool,
    /// Longest rendered JSON text assumed by the size estimate, in bytes (0: unbounded, counted as
    /// its smallest form).
    pub max_len: usize,
    /// What it holds and when it is null.
    pub notes: &'static str,
}

const fn row(
    name: &'static str,
    ty: JsonType,
    nullable: bool,
    max_len: usize,
    notes: &'static str,
) -> Shortcode {
    Shortcode { name, ty, nullable, max_len, notes }
}

use JsonType::*;

/// Every shortcode Clerk documents.
pub const CATALOGUE: &[Shortcode] = &[
    //  name                                  type         null   max   notes
    row("user.id", String, false, 34, "the user id, `user_` and 27 characters"),
    row("user.external_id", String, true, 258, "your own id for the user, if set"),
    row("user.first_name", String, true, 258, "null when not set"),
    row("user.last_name", String, true, 258, "null when not set"),
    row("user.full_name", String, true, 514, "first and last name; null when both are unset"),
    row("user.username", String, true, 66, "null when usernames are off or unset"),
    row("user.image_url", String, false, 514, "never null: a default avatar when none is uploaded"),
    row("user.has_image", Bool, false, 5, "whether the user uploaded an image"),
    row("user.primary_email_address", String, true, 322, "null without a primary email"),
    row("user.primary_phone_number", String, true, 18, "E.164; null without a primary phone"),
    row("user.primary_web3_wallet", String, true, 44, "null without a primary wallet"),
    row("user.email_verified", Bool, false, 5, "whether the primary email is verified"),
    row("user.phone_number_verified", Bool, false, 5, "whether the primary phone is verified"),
    row("user.two_factor_enabled", Bool, false, 5, "whether a second factor is enabled"),
    row("user.created_at", Integer, false, 10, "unix seconds"),
    row("user.updated_at", Integer, false, 10, "unix seconds"),
    row("user.last_sign_in_at", Integer, true, 10, "unix seconds; null before the first sign-in"),
    row("user.public_metadata", Metadata, false, 0, "any JSON; `{}` when unset; paths of any depth"),
    row(
        "user.unsafe_metadata",
        Metadata,
        false,
        0,
        "any JSON, writable from the frontend; paths of any depth",
    ),
    row("user.organizations", RoleMap, false, 0, "organization id -> role, for every membership"),
    row("org.id", String, true, 33, "the active organization's id; null without one"),
    row("org.name", String, true, 258, "null without an active organization"),
    row("org.slug", String, true, 258, "null without an active organization"),
    row("org.role", String, true, 66, "the user's role in it (`org:admin`); null without one"),
    row("org.image_url", String, true, 514, "null without an active organization"),
    row("org.has_image", Bool, true, 5, "null without an active organization"),
    row("org.public_metadata", Metadata, true, 0, "any JSON; null without an active organization"),
    row("org_membership.public_metadata", Metadata, true, 0, "any JSON; null without an active organization"),
    row(
        "org_membership.permissions",
        StringArray,
        true,
        0,
        "`org:<feature>:<permission>` keys; null without one",
    ),
    row("session.actor", Actor, true, 0, "the impersonator (`act`); null for a normal session"),
    row("session.reverification_id", String, true, 40, "null unless the session was re-verified"),
];

/// The catalogue row named exactly `name`.
///
/// ```
/// use clerk_claims_codegen::shortcode::{lookup, JsonType};
/// let row = lookup("user.primary_email_address").unwrap();
/// assert_eq!((row.ty, row.nullable), (JsonType::String, true));
/// assert!(lookup("user.email").is_none());
/// ```
pub fn lookup(name: &str) -> Option<&'static Shortcode> {
    CATALOGUE.iter().find(|s| s.name == name)
}
