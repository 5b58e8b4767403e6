//! The template file model: our format (a superset of the Backend API's JWT template body) or a bare
//! claims object, parsed with the position of every key and value, and its settings validated.

pub mod json;
mod metadata;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

pub use metadata::{Shape, ShapeType, metadata_roots};

use crate::diagnostic::{Code, Diagnostic, Source};
use json::{Member, Node, NodeValue};

/// JWT template or session-token customization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Kind {
    /// A JWT template (`POST /v1/jwt_templates`); tokens from `getToken({ template })`.
    #[default]
    Template,
    /// The session-token customization: its claims land at the top level of every session token.
    Session,
}

impl Kind {
    /// The claims Clerk sets itself, which a template of this kind may not set.
    ///
    /// ```
    /// use clerk_claims_codegen::template::Kind;
    /// assert!(Kind::Template.reserved_claims().contains(&"sub"));
    /// assert!(!Kind::Template.reserved_claims().contains(&"sid"));
    /// assert!(Kind::Session.reserved_claims().contains(&"sid"));
    /// assert!(!Kind::Session.reserved_claims().contains(&"aud"));
    /// ```
    pub fn reserved_claims(self) -> &'static [&'static str] {
        const TEMPLATE: &[&str] = &["azp", "exp", "iat", "iss", "jti", "nbf", "sub"];
        const SESSION: &[&str] = &[
            "azp",
            "exp",
            "iat",
            "iss",
            "jti",
            "nbf",
            "sub",
            "sid",
            "v",
            "fva",
            "pla",
            "fea",
            "sts",
            "o",
            "act",
            "org_id",
            "org_role",
            "org_slug",
            "org_permissions",
        ];
        match self {
            Kind::Template => TEMPLATE,
            Kind::Session => SESSION,
        }
    }

    /// `"template"` or `"session"`, as written in the file.
    ///
    /// ```
    /// assert_eq!(clerk_claims_codegen::template::Kind::Session.as_str(), "session");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Template => "template",
            Kind::Session => "session",
        }
    }
}

/// Which of the two file shapes a template came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `{"name": ..., "claims": {...}, ...}`.
    Full,
    /// Just the claims object, as copied out of the Dashboard editor; named after the file stem.
    Bare,
}

/// Settings of a JWT template (Backend API fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Token lifetime in seconds, 30..=315360000 (default 60).
    pub lifetime: u64,
    /// Allowed clock skew in seconds, 0..=300 (default 5).
    pub allowed_clock_skew: u64,
    /// Whether tokens are signed with your own key instead of the instance key.
    pub custom_signing_key: bool,
    /// The algorithm of the custom signing key.
    pub signing_algorithm: Option<String>,
    /// The environment variable that holds the custom signing key (read by `push`).
    pub signing_key_env: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lifetime: DEFAULT_LIFETIME,
            allowed_clock_skew: DEFAULT_CLOCK_SKEW,
            custom_signing_key: false,
            signing_algorithm: None,
            signing_key_env: None,
        }
    }
}

/// Default token lifetime (seconds).
pub const DEFAULT_LIFETIME: u64 = 60;
/// Default allowed clock skew (seconds).
pub const DEFAULT_CLOCK_SKEW: u64 = 5;
/// The Backend API's range for `lifetime`.
pub const LIFETIME_RANGE: std::ops::RangeInclusive<u64> = 30..=315_360_000;
/// The Backend API's range for `allowed_clock_skew`.
pub const CLOCK_SKEW_RANGE: std::ops::RangeInclusive<u64> = 0..=300;
/// Algorithms the Backend API accepts for a custom signing key.
pub const SIGNING_ALGORITHMS: &[&str] =
    &["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA"];

/// The `rust` section: options for the generated Rust type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RustOptions {
    /// `rust.type`: the struct name (default: UpperCamelCase of the name + `Claims`).
    pub type_name: Option<String>,
    /// `rust.derives`: extra derives for the generated struct.
    pub derives: Vec<String>,
    /// `rust.metadata`: declared shapes per metadata root.
    pub metadata: BTreeMap<String, Shape>,
    /// `rust.metadata` as written (passed on to the derive by generated code).
    pub metadata_json: Option<serde_json::Value>,
    /// `rust.allow_shortcodes`: shortcodes Clerk added after this catalogue, accepted as nullable JSON.
    pub allow_shortcodes: Vec<String>,
}

/// A parsed template file.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The template name (the file stem for a bare claims object).
    pub name: String,
    /// Where the `name` value is in the file (full format only).
    pub name_span: Option<Range<usize>>,
    /// JWT template or session customization.
    pub kind: Kind,
    /// The file shape it came in.
    pub format: Format,
    /// Lifetime, skew and signing.
    pub settings: Settings,
    /// The claims object, with positions.
    pub claims: Node,
    /// Options for the generated Rust type.
    pub rust: RustOptions,
}

/// Top-level keys of the full format; a file with `claims` and only these keys is in the full format.
pub const FULL_FORMAT_KEYS: &[&str] = &[
    "name",
    "kind",
    "claims",
    "lifetime",
    "allowed_clock_skew",
    "custom_signing_key",
    "signing_algorithm",
    "signing_key",
    "signing_key_env",
    "rust",
    "$schema",
    "object",
    "id",
    "created_at",
    "updated_at",
];

impl Template {
    /// Parses a template file. The template comes back whenever its claims are an object, with every
    /// problem of the file's structure and settings in the diagnostics.
    ///
    /// ```
    /// use clerk_claims_codegen::{Source, template::{Format, Template}};
    /// let src = Source::new("templates/hasura.json", r#"{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "{{user.id}}"}}"#);
    /// let (template, diagnostics) = Template::parse(&src);
    /// let template = template.unwrap();
    /// assert!(diagnostics.is_empty());
    /// assert_eq!((template.name.as_str(), template.format), ("hasura", Format::Bare));
    /// ```
    pub fn parse(source: &Source) -> (Option<Template>, Vec<Diagnostic>) {
        let root = match json::parse(&source.text) {
            Ok(root) => root,
            Err(errors) => return (None, errors),
        };
        let Some(members) = root.as_object() else {
            let error = Diagnostic::error(
                Code::InvalidTemplate,
                format!("a template file holds a JSON object, found {}", root.type_name()),
                root.span.clone(),
            )
            .with_help("write the claims as an object: {\"claim\": \"{{user.id}}\"}");
            return (None, vec![error]);
        };
        let stem =
            Path::new(&source.name).file_stem().and_then(|s| s.to_str()).unwrap_or("template").to_string();
        let is_full = root.get("claims").is_some()
            && members.iter().all(|m| FULL_FORMAT_KEYS.contains(&m.key.as_str()));
        let mut errors = Vec::new();
        if !is_full {
            let template = Template {
                name: stem,
                name_span: None,
                kind: Kind::Template,
                format: Format::Bare,
                settings: Settings::default(),
                claims: root,
                rust: RustOptions::default(),
            };
            return (Some(template), errors);
        }
        let mut template = Template {
            name: stem,
            name_span: None,
            kind: Kind::Template,
            format: Format::Full,
            settings: Settings::default(),
            claims: Node { span: root.span.clone(), value: NodeValue::Object(Vec::new()) },
            rust: RustOptions::default(),
        };
        let mut claims_ok = false;
        for m in members {
            match m.key.as_str() {
                "name" => {
                    if let Some(name) = expect_string(m, &mut errors) {
                        if name.trim().is_empty() {
                            errors.push(Diagnostic::error(Code::InvalidTemplate, "the template name is empty", m.value.span.clone()));
                        } else {
                            template.name = name.to_string();
                            template.name_span = Some(m.value.span.clone());
                        }
                    }
                }
                "kind" => match expect_string(m, &mut errors) {
                    Some("template") => template.kind = Kind::Template,
                    Some("session") => template.kind = Kind::Session,
                    Some(other) => errors.push(
                        Diagnostic::error(Code::InvalidTemplate, format!("unknown kind `{other}`"), m.value.span.clone())
                            .with_help("`kind` is \"template\" (a JWT template) or \"session\" (session-token customization)"),
                    ),
                    None => {}
                },
                "claims" => {
                    if m.value.as_object().is_some() {
                        template.claims = m.value.clone();
                        claims_ok = true;
                    } else {
                        errors.push(Diagnostic::error(
                            Code::InvalidTemplate,
                            format!("`claims` must be an object, found {}", m.value.type_name()),
                            m.value.span.clone(),
                        ));
                    }
                }
                "lifetime" => {
                    if let Some(n) = expect_range(m, LIFETIME_RANGE, &mut errors) {
                        template.settings.lifetime = n;
                    }
                }
                "allowed_clock_skew" => {
                    if let Some(n) = expect_range(m, CLOCK_SKEW_RANGE, &mut errors) {
                        template.settings.allowed_clock_skew = n;
                    }
                }
                "custom_signing_key" => match &m.value.value {
                    NodeValue::Bool(b) => template.settings.custom_signing_key = *b,
                    _ => errors.push(wrong_type(m, "true or false")),
                },
                "signing_algorithm" => match &m.value.value {
                    NodeValue::Null => {}
                    _ => template.settings.signing_algorithm = expect_string(m, &mut errors).map(str::to_string),
                },
                "signing_key_env" => template.settings.signing_key_env = expect_string(m, &mut errors).map(str::to_string),
                "signing_key" if !matches!(m.value.value, NodeValue::Null) => {
                    errors.push(
                        Diagnostic::error(
                            Code::SigningKeyInFile,
                            "a signing key in a template file: secrets never live in the repository",
                            m.value.span.clone(),
                        )
                        .with_help(
                            "remove `signing_key`, put the key in an environment variable and name it with \
                             \"signing_key_env\": \"SUPABASE_JWT_SECRET\"; `clerk-claims push` reads it from there",
                        ),
                    );
                }
                "rust" => template.rust = parse_rust(&m.value, &mut errors),
                _ => {} // a null `signing_key`, `$schema` and the Backend API's read-only fields
            }
        }
        let settings = &template.settings;
        if settings.custom_signing_key {
            match &settings.signing_algorithm {
                None => {
                    let span =
                        root.get("custom_signing_key").map_or(root.span.clone(), |m| m.key_span.clone());
                    errors.push(
                        Diagnostic::error(
                            Code::SigningAlgorithm,
                            "a custom signing key needs `signing_algorithm`",
                            span,
                        )
                        .with_help(format!(
                            "add \"signing_algorithm\": \"HS256\" (one of {})",
                            SIGNING_ALGORITHMS.join(", ")
                        )),
                    );
                }
                Some(alg) if !SIGNING_ALGORITHMS.contains(&alg.as_str()) => {
                    let span =
                        root.get("signing_algorithm").map_or(root.span.clone(), |m| m.value.span.clone());
                    errors.push(
                        Diagnostic::warning(
                            Code::SigningAlgorithm,
                            format!("`{alg}` is not an algorithm Clerk lists"),
                            span,
                        )
                        .with_help(format!("Clerk accepts {}", SIGNING_ALGORITHMS.join(", "))),
                    );
                }
                Some(_) => {}
            }
        }
        (claims_ok.then_some(template), errors)
    }

    /// The claims as plain JSON: the `claims` field of the Backend API body.
    ///
    /// ```
    /// use clerk_claims_codegen::{Source, template::Template};
    /// let (t, _) = Template::parse(&Source::new("a.json", r#"{"name": "a", "claims": {"x": 1}}"#));
    /// assert_eq!(t.unwrap().claims_json(), serde_json::json!({"x": 1}));
    /// ```
    pub fn claims_json(&self) -> serde_json::Value {
        self.claims.to_json()
    }

    /// The top-level claim members.
    ///
    /// ```
    /// use clerk_claims_codegen::{Source, template::Template};
    /// let (t, _) = Template::parse(&Source::new("a.json", r#"{"x": 1, "y": 2}"#));
    /// assert_eq!(t.unwrap().claim_members().len(), 2);
    /// ```
    pub fn claim_members(&self) -> &[Member] {
        self.claims.as_object().unwrap_or_default()
    }
}

fn wrong_type(m: &Member, expected: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidTemplate,
        format!("`{}` must be {expected}, found {}", m.key, m.value.type_name()),
        m.value.span.clone(),
    )
}

fn expect_string<'a>(m: &'a Member, errors: &mut Vec<Diagnostic>) -> Option<&'a str> {
    match &m.value.value {
        NodeValue::String { value, .. } => Some(value),
        _ => {
            errors.push(wrong_type(m, "a string"));
            None
        }
    }
}

fn expect_range(
    m: &Member,
    range: std::ops::RangeInclusive<u64>,
    errors: &mut Vec<Diagnostic>,
) -> Option<u64> {
    let NodeValue::Number(n) = &m.value.value else {
        errors.push(wrong_type(m, "a whole number of seconds"));
        return None;
    };
    match n.as_u64().filter(|n| range.contains(n)) {
        Some(n) => Some(n),
        None => {
            errors.push(
                Diagnostic::error(
                    Code::SettingOutOfRange,
                    format!("`{}` is {n}; Clerk accepts {}..={} seconds", m.key, range.start(), range.end()),
                    m.value.span.clone(),
                )
                .with_help(format!(
                    "use a whole number from {} to {}",
                    range.start(),
                    range.end()
                )),
            );
            None
        }
    }
}

fn parse_rust(node: &Node, errors: &mut Vec<Diagnostic>) -> RustOptions {
    let mut rust = RustOptions::default();
    let Some(members) = node.as_object() else {
        errors.push(Diagnostic::error(
            Code::InvalidTemplate,
            format!("`rust` must be an object, found {}", node.type_name()),
            node.span.clone(),
        ));
        return rust;
    };
    for m in members {
        match m.key.as_str() {
            "type" => {
                if let Some(name) = expect_string(m, errors) {
                    if is_type_name(name) {
                        rust.type_name = Some(name.to_string());
                    } else {
                        errors.push(
                            Diagnostic::error(
                                Code::InvalidTemplate,
                                format!("`{name}` is not a Rust type name"),
                                m.value.span.clone(),
                            )
                            .with_help("use an UpperCamelCase identifier such as `HasuraClaims`"),
                        );
                    }
                }
            }
            "derives" => rust.derives = string_list(m, errors),
            "allow_shortcodes" => rust.allow_shortcodes = string_list(m, errors),
            "metadata" => match m.value.as_object() {
                Some(roots) => {
                    rust.metadata_json = Some(m.value.to_json());
                    for root in roots {
                        if !metadata_roots().any(|r| r == root.key) {
                            errors.push(
                                Diagnostic::error(
                                    Code::MetadataHint,
                                    format!("`{}` is not a metadata root", root.key),
                                    root.key_span.clone(),
                                )
                                .with_help(format!(
                                    "hints describe one of {}",
                                    metadata_roots().collect::<Vec<_>>().join(", ")
                                )),
                            );
                        } else if let Some(shape) = metadata::parse_shape(&root.value, errors) {
                            rust.metadata.insert(root.key.clone(), shape);
                        }
                    }
                }
                None => errors.push(wrong_type(m, "an object of metadata root to type hints")),
            },
            other => errors.push(
                Diagnostic::error(
                    Code::InvalidTemplate,
                    format!("unknown key `rust.{other}`"),
                    m.key_span.clone(),
                )
                .with_help("`rust` takes type, derives, metadata and allow_shortcodes"),
            ),
        }
    }
    rust
}

fn string_list(m: &Member, errors: &mut Vec<Diagnostic>) -> Vec<String> {
    let NodeValue::Array(items) = &m.value.value else {
        errors.push(wrong_type(m, "an array of strings"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match &item.value {
            NodeValue::String { value, .. } => out.push(value.clone()),
            _ => errors.push(Diagnostic::error(
                Code::InvalidTemplate,
                format!("`{}` holds strings, found {}", m.key, item.type_name()),
                item.span.clone(),
            )),
        }
    }
    out
}

fn is_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A span inside a JSON string value, mapped to file offsets when the string has no escapes.
pub(crate) fn span_in_string(node: &Node, inner: Range<usize>) -> Range<usize> {
    match &node.value {
        NodeValue::String { raw: true, .. } => {
            node.span.start + 1 + inner.start..node.span.start + 1 + inner.end
        }
        _ => node.span.clone(),
    }
}
