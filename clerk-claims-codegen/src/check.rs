//! The checks that turn Clerk's silent `null`s into errors: reserved claims, shortcodes used as keys,
//! malformed expressions, unknown shortcodes, private metadata, paths into non-objects, and the size
//! budget; and the one about trust: `user.unsafe_metadata`, which the user writes from the browser,
//! is a warning wherever it feeds a claim and an error in a claim named like an authorization claim. The build.rs generator, the derive and `clerk-claims check` all call [`check_template`].

use crate::diagnostic::{Code, Diagnostic};
use crate::shortcode::{self, Resolved, StringValue, Term, Unresolved};
use crate::size;
use crate::template::json::{Node, NodeValue};
use crate::template::{Kind, Template, span_in_string};

/// Every problem with a template's claims, in file order (its structure and settings are checked by
/// [`Template::parse`]).
///
/// ```
/// use clerk_claims_codegen::{Code, Source, check_template, template::Template};
/// let src = Source::new("t.json", r#"{"email": "{{user.email}}", "sub": "x"}"#);
/// let (template, _) = Template::parse(&src);
/// let codes: Vec<Code> = check_template(&template.unwrap()).iter().map(|d| d.code).collect();
/// assert_eq!(codes, [Code::UnknownShortcode, Code::ReservedClaim]);
/// ```
pub fn check_template(template: &Template) -> Vec<Diagnostic> {
    check_claims(template, Scope::Token)
}

/// Where a claims object ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// At the top level of the token: reserved names and the size budget apply.
    Token,
    /// Inside another claim (a nested claims type of the derive): only its values are checked.
    Nested,
}

/// The checks of [`check_template`] for a claims object in `scope`.
///
/// ```
/// use clerk_claims_codegen::{Source, check::{Scope, check_claims}, template::Template};
/// let (t, _) = Template::parse(&Source::new("t.json", r#"{"sub": "{{user.id}}"}"#));
/// let t = t.unwrap();
/// assert_eq!(check_claims(&t, Scope::Token).len(), 1);
/// assert!(check_claims(&t, Scope::Nested).is_empty());
/// ```
pub fn check_claims(template: &Template, scope: Scope) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if scope == Scope::Token {
        for member in template.claim_members() {
            if template.kind.reserved_claims().contains(&member.key.as_str()) {
                out.push(reserved(template.kind, &member.key, member.key_span.clone()));
            } else if template.kind == Kind::Template && SESSION_CLAIMS.contains(&member.key.as_str()) {
                out.push(session_lookalike(&member.key, member.key_span.clone()));
            }
        }
    }
    walk(template, &template.claims, None, &mut out);
    if scope == Scope::Token {
        out.extend(size::check(template));
    }
    out.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    out
}

/// Claims that make a token look like a session token to a verifier that cannot see its category.
const SESSION_CLAIMS: &[&str] = &["sid", "sts", "v"];

fn session_lookalike(key: &str, span: std::ops::Range<usize>) -> Diagnostic {
    Diagnostic::warning(
        Code::SessionClaimInTemplate,
        format!("`{key}` is a session-token claim: this JWT template's tokens look like session tokens"),
        span,
    )
    .with_label("session claim")
    .with_help(
        "rename the claim; a verifier that cannot see Clerk's token category (`cat`) tells sessions apart by \
         `sid` and their 60 s lifetime, and a long-lived template token must never pass as a session",
    )
}

fn reserved(kind: Kind, key: &str, span: std::ops::Range<usize>) -> Diagnostic {
    let what = match kind {
        Kind::Template => "every JWT template token",
        Kind::Session => "every session token",
    };
    Diagnostic::error(
        Code::ReservedClaim,
        format!("`{key}` is a reserved claim: Clerk sets it in {what}"),
        span,
    )
    .with_label("reserved")
    .with_help(format!("remove `{key}` or rename the claim; Clerk would ignore or reject the template"))
}

/// Walks `node`, the value of the claim named `claim` (the innermost object key above it).
fn walk(template: &Template, node: &Node, claim: Option<&str>, out: &mut Vec<Diagnostic>) {
    match &node.value {
        NodeValue::Object(members) => {
            for m in members {
                if m.key.contains("{{") {
                    out.push(
                        Diagnostic::error(
                            Code::ShortcodeInKey,
                            "a shortcode in a claim name: shortcodes are values only",
                            m.key_span.clone(),
                        )
                        .with_help("use a fixed claim name and put the shortcode in its value"),
                    );
                }
                walk(template, &m.value, Some(&m.key), out);
            }
        }
        NodeValue::Array(items) => items.iter().for_each(|item| walk(template, item, claim, out)),
        NodeValue::String { value, .. } => match StringValue::parse(value) {
            Ok(parsed) => {
                for operand in parsed.exprs().flat_map(|e| &e.operands) {
                    if let Term::Shortcode(name) = &operand.term {
                        let span = span_in_string(node, operand.span.clone());
                        check_shortcode(template, name, span.clone(), out);
                        check_trust(name, claim, span, out);
                    }
                }
            }
            Err(e) => {
                let mut d =
                    Diagnostic::error(Code::MalformedExpression, e.message, span_in_string(node, e.span));
                if let Some(help) = e.help {
                    d = d.with_help(help);
                }
                out.push(d);
            }
        },
        NodeValue::Null | NodeValue::Bool(_) | NodeValue::Number(_) => {}
    }
}

/// Words that name an authorization decision in a claim name (`role`, `x-hasura-allowed-roles`,
/// `isAdmin`, `plan_tier`): a server trusts such a claim, so it must not come from data the user
/// writes.
const AUTHORIZATION_WORDS: &[&str] = &[
    "role",
    "roles",
    "permission",
    "permissions",
    "perm",
    "perms",
    "admin",
    "admins",
    "plan",
    "plans",
    "tier",
    "tiers",
    "scope",
    "scopes",
    "group",
    "groups",
    "entitlement",
    "entitlements",
    "access",
    "privilege",
    "privileges",
    "superuser",
    "staff",
    "owner",
    "subscription",
    "grant",
    "grants",
];

/// Whether `claim` is named like an authorization claim: one of its words (split at
/// non-alphanumerics and lower-to-upper case changes) names an authorization decision (`role`,
/// `permissions`, `admin`, `plan`, `tier`, `scope`, `groups`, ...).
///
/// ```
/// use clerk_claims_codegen::check::is_authorization_claim;
/// assert!(is_authorization_claim("x-hasura-default-role"));
/// assert!(is_authorization_claim("isAdmin"));
/// assert!(is_authorization_claim("plan_tier"));
/// assert!(!is_authorization_claim("theme"));
/// assert!(!is_authorization_claim("controller")); // whole words only
/// ```
pub fn is_authorization_claim(claim: &str) -> bool {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in claim.chars() {
        let boundary = !c.is_alphanumeric() || (c.is_uppercase() && previous_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    words.push(word);
    words.iter().any(|w| AUTHORIZATION_WORDS.contains(&w.as_str()))
}

fn check_trust(name: &str, claim: Option<&str>, span: std::ops::Range<usize>, out: &mut Vec<Diagnostic>) {
    let root = "user.unsafe_metadata";
    if name != root && !name.starts_with("user.unsafe_metadata.") {
        return;
    }
    let suggestion = name.replacen("unsafe_metadata", "public_metadata", 1);
    match claim {
        Some(claim) if is_authorization_claim(claim) => out.push(
            Diagnostic::error(
                Code::UnsafeMetadata,
                format!(
                    "`{claim}` is named like an authorization claim but is filled from `{name}`, which the \
                     user can write from the browser"
                ),
                span,
            )
            .with_label("writable by the user")
            .with_help(format!(
                "use `{suggestion}` (only your backend can write it), or rename the claim if it grants nothing"
            )),
        ),
        _ => out.push(
            Diagnostic::warning(
                Code::UnsafeMetadata,
                format!("`{name}` can be written by the user from the browser"),
                span,
            )
            .with_help(format!(
                "never base an authorization decision on this claim; use `{suggestion}` for anything the server trusts"
            )),
        ),
    }
}

fn check_shortcode(template: &Template, name: &str, span: std::ops::Range<usize>, out: &mut Vec<Diagnostic>) {
    if template.rust.allow_shortcodes.iter().any(|a| a == name) {
        return;
    }
    match shortcode::resolve(name) {
        Ok(Resolved::Known(_)) => {}
        Ok(Resolved::MetadataPath { root, path }) => {
            if let Some(shape) = template.rust.metadata.get(root.name)
                && shape.at(&path).is_none()
            {
                out.push(
                    Diagnostic::warning(Code::MetadataHint, format!("`{name}` is not in the declared shape of `{}`", root.name), span)
                        .with_help(format!("declare it under rust.metadata.\"{}\", or it is typed as any JSON", root.name)),
                );
            }
        }
        Err(Unresolved::Unknown) => {
            let mut d = Diagnostic::error(
                Code::UnknownShortcode,
                format!("unknown shortcode `{name}`: Clerk would silently render null"),
                span,
            )
            .with_label("not a Clerk shortcode");
            d = match shortcode::suggest(name) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!(
                    "see the shortcode table; a shortcode newer than this release can be allowed with \
                     \"rust\": {{\"allow_shortcodes\": [\"{name}\"]}}"
                )),
            };
            out.push(d);
        }
        Err(Unresolved::PrivateMetadata) => out.push(
            Diagnostic::error(Code::PrivateMetadata, format!("`{name}`: private metadata cannot go into a token"), span)
                .with_help(
                    "private metadata stays on Clerk's servers by design (Clerk renders null here); move the value to \
                     public_metadata, or read it from the Backend API on the server",
                ),
        ),
        Err(Unresolved::IntoNonObject { parent }) => out.push(
            Diagnostic::error(
                Code::PathIntoNonObject,
                format!("`{}` is {}; `{name}` selects a field it does not have", parent.name, parent.ty.describe()),
                span,
            )
            .with_help(format!(
                "use `{}` itself; only metadata (`user.public_metadata.a.b`) has paths below it",
                parent.name
            )),
        ),
    }
}
