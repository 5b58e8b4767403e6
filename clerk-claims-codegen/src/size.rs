//! The largest payload a template can produce, from its literals, the catalogue's maximum lengths and
//! the declared metadata shapes.
//!
//! Metadata without a declared shape (and strings without `maxLength`) have no upper bound; they are
//! counted at their smallest form and the estimate says so. Strings are counted without JSON escapes.

use crate::diagnostic::{Code, Diagnostic};
use crate::shortcode::{self, JsonType, Part, Resolved, StringValue, Term};
use crate::template::json::{Node, NodeValue};
use crate::template::{Kind, Shape, ShapeType, Template};

/// Clerk's budget for session-token custom claims (bytes of the claims' JSON).
pub const SESSION_CLAIMS_BUDGET: usize = 1200;
/// Above this payload size a JWT template gets a warning (tokens travel in headers and cookies).
pub const TEMPLATE_WARNING_BYTES: usize = 4096;
/// The registered claims Clerk adds to a JWT template token, at their largest
/// (`azp` an origin of up to 200 bytes, `iss` a Frontend API URL, `jti` 20 hex digits, ...).
pub const REGISTERED_TEMPLATE_BYTES: usize = 420;

/// An upper bound on a rendered size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Estimate {
    /// Bytes of JSON text.
    pub bytes: usize,
    /// Some part has no upper bound (counted at its smallest form).
    pub open: bool,
}

impl Estimate {
    const fn exact(bytes: usize) -> Self {
        Estimate { bytes, open: false }
    }
    const fn open(bytes: usize) -> Self {
        Estimate { bytes, open: true }
    }
    fn plus(self, other: Estimate) -> Self {
        Estimate { bytes: self.bytes + other.bytes, open: self.open || other.open }
    }
    fn max(self, other: Estimate) -> Self {
        Estimate { bytes: self.bytes.max(other.bytes), open: self.open || other.open }
    }
}

/// The largest JSON text of the template's claims object.
///
/// ```
/// use clerk_claims_codegen::{Source, size::estimate, template::Template};
/// let (t, _) = Template::parse(&Source::new("t.json", r#"{"a": "{{user.id}}", "b": true}"#));
/// let e = estimate(&t.unwrap());
/// // `user.id` is at most 32 characters plus quotes.
/// assert_eq!(e.bytes, r#"{"a":,"b":true}"#.len() + 34);
/// assert!(!e.open);
/// ```
pub fn estimate(template: &Template) -> Estimate {
    node(template, &template.claims)
}

/// The size diagnostics: an error for a session customization over [`SESSION_CLAIMS_BUDGET`], a
/// warning for a JWT template whose whole payload may exceed [`TEMPLATE_WARNING_BYTES`].
pub(crate) fn check(template: &Template) -> Option<Diagnostic> {
    let e = estimate(template);
    let open_note = if e.open { " at least (metadata without a declared shape counts as empty)" } else { "" };
    let span = template.claims.span.clone();
    match template.kind {
        Kind::Session if e.bytes > SESSION_CLAIMS_BUDGET => Some(
            Diagnostic::error(
                Code::Size,
                format!(
                    "the custom claims can reach {} bytes{open_note}; Clerk's session-token budget is {} bytes",
                    e.bytes, SESSION_CLAIMS_BUDGET
                ),
                span,
            )
            .with_help("move large values to a JWT template or fetch them from the Backend API; declare rust.metadata maxLength to tighten the estimate"),
        ),
        Kind::Template if e.bytes + REGISTERED_TEMPLATE_BYTES > TEMPLATE_WARNING_BYTES => Some(
            Diagnostic::warning(
                Code::Size,
                format!(
                    "the token payload can reach {} bytes{open_note}, over {} bytes: tokens this large may not fit in headers",
                    e.bytes + REGISTERED_TEMPLATE_BYTES,
                    TEMPLATE_WARNING_BYTES
                ),
                span,
            )
            .with_help("trim the claims or split them over two templates"),
        ),
        _ => None,
    }
}

fn node(template: &Template, n: &Node) -> Estimate {
    match &n.value {
        NodeValue::Null => Estimate::exact(4),
        NodeValue::Bool(b) => Estimate::exact(if *b { 4 } else { 5 }),
        NodeValue::Number(x) => Estimate::exact(x.to_string().len()),
        NodeValue::String { value, .. } => string(template, value),
        NodeValue::Array(items) => {
            let commas = items.len().saturating_sub(1);
            items.iter().fold(Estimate::exact(2 + commas), |acc, item| acc.plus(node(template, item)))
        }
        NodeValue::Object(members) => {
            let commas = members.len().saturating_sub(1);
            members.iter().fold(Estimate::exact(2 + commas), |acc, m| {
                acc.plus(Estimate::exact(m.key.len() + 3)).plus(node(template, &m.value))
            })
        }
    }
}

fn string(template: &Template, s: &str) -> Estimate {
    match StringValue::parse(s) {
        Ok(StringValue::Whole(e)) => {
            e.operands.iter().map(|o| operand(template, &o.term)).fold(Estimate::default(), Estimate::max)
        }
        Ok(StringValue::Interpolation(parts)) => parts.iter().fold(Estimate::exact(2), |acc, p| {
            acc.plus(match p {
                Part::Text(t) => Estimate::exact(t.len()),
                Part::Expr(e) => e
                    .operands
                    .iter()
                    .map(|o| as_text(operand(template, &o.term), &o.term))
                    .fold(Estimate::default(), Estimate::max),
            })
        }),
        // Literal or malformed: rendered as the string itself.
        Ok(StringValue::Literal(_)) | Err(_) => Estimate::exact(s.len() + 2),
    }
}

/// The size of an operand printed inside an interpolation: strings lose their quotes, `null` prints
/// as `null`.
fn as_text(e: Estimate, term: &Term) -> Estimate {
    let unquoted = Estimate { bytes: e.bytes.saturating_sub(2), open: e.open };
    match term {
        Term::Str(_) => unquoted,
        Term::Shortcode(name) => match shortcode::resolve(name) {
            Ok(Resolved::Known(row)) if row.ty == JsonType::String => {
                if row.nullable {
                    unquoted.max(Estimate::exact(4))
                } else {
                    unquoted
                }
            }
            _ => e,
        },
        Term::Number(_) | Term::Bool(_) => e,
    }
}

fn operand(template: &Template, term: &Term) -> Estimate {
    match term {
        Term::Str(s) => Estimate::exact(s.len() + 2),
        Term::Number(n) => Estimate::exact(n.to_string().len()),
        Term::Bool(b) => Estimate::exact(if *b { 4 } else { 5 }),
        Term::Shortcode(name) => match shortcode::resolve(name) {
            Ok(Resolved::Known(row)) => match (row.ty, row.max_len) {
                (JsonType::Metadata, _) => match template.rust.metadata.get(row.name) {
                    Some(shape) => shape_size(shape),
                    None => Estimate::open(4),
                },
                (_, 0) => Estimate::open(4),
                (_, max) => Estimate::exact(if row.nullable { max.max(4) } else { max }),
            },
            Ok(Resolved::MetadataPath { root, path }) => {
                match template.rust.metadata.get(root.name).and_then(|s| s.at(&path)) {
                    Some(shape) => shape_size(shape),
                    None => Estimate::open(4),
                }
            }
            // Unknown and allowed-unknown shortcodes: Clerk renders null or something we cannot know.
            Err(_) => Estimate::open(4),
        },
    }
}

fn shape_size(shape: &Shape) -> Estimate {
    let e = match &shape.ty {
        ShapeType::String { max_length: Some(n) } => Estimate::exact(n + 2),
        ShapeType::String { max_length: None } => Estimate::open(2),
        ShapeType::Integer => Estimate::exact(20),
        ShapeType::Number => Estimate::exact(24),
        ShapeType::Bool => Estimate::exact(5),
        ShapeType::Any => Estimate::open(4),
        ShapeType::Array(_) => Estimate::open(2),
        ShapeType::Object(props) => {
            let commas = props.len().saturating_sub(1);
            props.iter().fold(Estimate::exact(2 + commas), |acc, (k, v)| {
                acc.plus(Estimate::exact(k.len() + 3)).plus(shape_size(v))
            })
        }
    };
    if shape.nullable { e.max(Estimate::exact(4)) } else { e }
}
