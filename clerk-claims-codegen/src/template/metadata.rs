//! `rust.metadata`: type hints for metadata, so `{{user.public_metadata.role}}` can be a `String`.
//!
//! A hint is a type name (`"string"`, `"integer"`, `"number"`, `"bool"`, `"any"`, `"array"`; a trailing
//! `?` makes it nullable), an object whose `type` is one of those names (`{"type": "string",
//! "nullable": true, "maxLength": 32}`, `{"type": "array", "items": "string"}`, `{"type": "object",
//! "properties": {...}}`), or a plain object of property hints (`{"role": "string"}`).

use std::collections::BTreeMap;

use super::json::{Node, NodeValue};
use crate::diagnostic::{Code, Diagnostic};

/// The declared shape of a metadata value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The JSON type.
    pub ty: ShapeType,
    /// Whether `null` is allowed.
    pub nullable: bool,
}

/// The JSON type of a [`Shape`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeType {
    /// A string, optionally with a maximum length in bytes.
    String {
        /// `maxLength`, used by the size estimate.
        max_length: Option<usize>,
    },
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// A boolean.
    Bool,
    /// Any JSON value.
    Any,
    /// An array of one shape.
    Array(Box<Shape>),
    /// An object with declared properties.
    Object(BTreeMap<String, Shape>),
}

impl Shape {
    /// The shape at `path` below this one, if declared.
    ///
    /// ```
    /// use clerk_claims_codegen::template::{Shape, ShapeType};
    /// let role = Shape { ty: ShapeType::Bool, nullable: false };
    /// let root = Shape { ty: ShapeType::Object([("admin".to_string(), role.clone())].into()), nullable: false };
    /// assert_eq!(root.at(&["admin".to_string()]), Some(&role));
    /// assert_eq!(root.at(&["other".to_string()]), None);
    /// ```
    pub fn at(&self, path: &[String]) -> Option<&Shape> {
        match path.split_first() {
            None => Some(self),
            Some((key, rest)) => match &self.ty {
                ShapeType::Object(props) => props.get(key)?.at(rest),
                _ => None,
            },
        }
    }
}

/// The metadata roots a hint may describe: the catalogue's metadata shortcodes.
///
/// ```
/// let roots: Vec<&str> = clerk_claims_codegen::template::metadata_roots().collect();
/// assert_eq!(roots, ["user.public_metadata", "user.unsafe_metadata", "org.public_metadata", "org_membership.public_metadata"]);
/// ```
pub fn metadata_roots() -> impl Iterator<Item = &'static str> {
    crate::shortcode::CATALOGUE
        .iter()
        .filter(|s| s.ty == crate::shortcode::JsonType::Metadata)
        .map(|s| s.name)
}

/// Parses the hints of one metadata root; errors go to `errors`.
pub(crate) fn parse_shape(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<Shape> {
    match &node.value {
        NodeValue::String { value, .. } => {
            let (name, nullable) = match value.strip_suffix('?') {
                Some(name) => (name, true),
                None => (value.as_str(), false),
            };
            let ty = match simple_type(name) {
                Some(ty) => ty,
                None => {
                    errors.push(unknown_type(node, name));
                    return None;
                }
            };
            Some(Shape { ty, nullable })
        }
        NodeValue::Object(members) => {
            let schema_type = node.get("type").and_then(|m| match &m.value.value {
                NodeValue::String { value, .. } => Some(value.as_str()),
                _ => None,
            });
            match schema_type {
                Some(name) => parse_schema(node, name, errors),
                None => {
                    let mut props = BTreeMap::new();
                    for m in members {
                        if let Some(shape) = parse_shape(&m.value, errors) {
                            props.insert(m.key.clone(), shape);
                        }
                    }
                    Some(Shape { ty: ShapeType::Object(props), nullable: false })
                }
            }
        }
        _ => {
            errors.push(
                Diagnostic::error(
                    Code::MetadataHint,
                    format!("a metadata hint is a type name or an object, found {}", node.type_name()),
                    node.span.clone(),
                )
                .with_help("write \"string\", \"integer\", \"bool\", ... or {\"property\": \"type\"}"),
            );
            None
        }
    }
}

fn parse_schema(node: &Node, name: &str, errors: &mut Vec<Diagnostic>) -> Option<Shape> {
    let before = errors.len();
    let nullable = match node.get("nullable").map(|m| &m.value) {
        None => false,
        Some(Node { value: NodeValue::Bool(b), .. }) => *b,
        Some(other) => {
            errors.push(Diagnostic::error(
                Code::MetadataHint,
                format!("`nullable` must be true or false, found {}", other.type_name()),
                other.span.clone(),
            ));
            false
        }
    };
    for m in node.as_object().unwrap_or_default() {
        if !["type", "nullable", "items", "properties", "maxLength", "description"].contains(&m.key.as_str())
        {
            errors.push(
                Diagnostic::error(
                    Code::MetadataHint,
                    format!("unknown hint keyword `{}`", m.key),
                    m.key_span.clone(),
                )
                .with_help("hint objects take type, nullable, items, properties, maxLength and description"),
            );
        }
    }
    let ty = match name {
        "array" => {
            let items = match node.get("items") {
                Some(m) => parse_shape(&m.value, errors)?,
                None => Shape { ty: ShapeType::Any, nullable: true },
            };
            ShapeType::Array(Box::new(items))
        }
        "object" => {
            let mut props = BTreeMap::new();
            if let Some(m) = node.get("properties") {
                match m.value.as_object() {
                    Some(members) => {
                        for p in members {
                            if let Some(shape) = parse_shape(&p.value, errors) {
                                props.insert(p.key.clone(), shape);
                            }
                        }
                    }
                    None => errors.push(Diagnostic::error(
                        Code::MetadataHint,
                        format!("`properties` must be an object, found {}", m.value.type_name()),
                        m.value.span.clone(),
                    )),
                }
            }
            ShapeType::Object(props)
        }
        "string" => {
            let max_length = match node.get("maxLength").map(|m| &m.value) {
                None => None,
                Some(Node { value: NodeValue::Number(n), span }) => match n.as_u64() {
                    Some(n) => usize::try_from(n).ok(),
                    None => {
                        errors.push(Diagnostic::error(
                            Code::MetadataHint,
                            "`maxLength` must be a non-negative integer",
                            span.clone(),
                        ));
                        None
                    }
                },
                Some(other) => {
                    errors.push(Diagnostic::error(
                        Code::MetadataHint,
                        format!("`maxLength` must be a non-negative integer, found {}", other.type_name()),
                        other.span.clone(),
                    ));
                    None
                }
            };
            ShapeType::String { max_length }
        }
        other => match simple_type(other) {
            Some(ty) => ty,
            None => {
                let span = node.get("type").map_or(node.span.clone(), |m| m.value.span.clone());
                errors.push(unknown_type(&Node { span, value: NodeValue::Null }, other));
                return None;
            }
        },
    };
    (errors.len() == before).then_some(Shape { ty, nullable })
}

fn simple_type(name: &str) -> Option<ShapeType> {
    Some(match name {
        "string" => ShapeType::String { max_length: None },
        "integer" => ShapeType::Integer,
        "number" => ShapeType::Number,
        "bool" | "boolean" => ShapeType::Bool,
        "any" => ShapeType::Any,
        "array" => ShapeType::Array(Box::new(Shape { ty: ShapeType::Any, nullable: true })),
        "object" => ShapeType::Object(BTreeMap::new()),
        _ => return None,
    })
}

fn unknown_type(node: &Node, name: &str) -> Diagnostic {
    Diagnostic::error(Code::MetadataHint, format!("unknown metadata type `{name}`"), node.span.clone())
        .with_help("use string, integer, number, bool, any, array or object (add `?` for nullable)")
}
