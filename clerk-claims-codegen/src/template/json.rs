//! Strict JSON with the byte span of every key and value.
//!
//! serde_json is the authority on what is valid JSON (and caps nesting at 128 levels, so a file nested
//! 10,000 deep is an error, not a stack overflow); jsonc-parser, with every relaxation turned off, then
//! supplies positions and every key of an object, so duplicate keys can be reported instead of
//! silently collapsed.

use std::ops::Range;

use jsonc_parser::{CollectOptions, ParseOptions, ast};
use serde_json::{Map, Number, Value};

use crate::diagnostic::{Code, Diagnostic};

/// A JSON value with its byte span in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value is in the file (for strings: including the quotes).
    pub span: Range<usize>,
    /// The value.
    pub value: NodeValue,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, exactly as serde_json reads it.
    Number(Number),
    /// A string, unescaped; `raw` tells whether the source text between the quotes is the string
    /// itself (no escapes), so offsets inside it map to file offsets.
    String {
        /// The unescaped string.
        value: String,
        /// The source had no escape sequences.
        raw: bool,
    },
    /// An array.
    Array(Vec<Node>),
    /// An object, members in file order (duplicates already reported and dropped).
    Object(Vec<Member>),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key.
    pub key: String,
    /// The key's span, including its quotes.
    pub key_span: Range<usize>,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The value as plain JSON.
    ///
    /// ```
    /// use clerk_claims_codegen::template::json::parse;
    /// let node = parse("{\"a\": [1, true]}").unwrap();
    /// assert_eq!(node.to_json(), serde_json::json!({"a": [1, true]}));
    /// ```
    pub fn to_json(&self) -> Value {
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Number(n) => Value::Number(n.clone()),
            NodeValue::String { value, .. } => Value::String(value.clone()),
            NodeValue::Array(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Object(members) => Value::Object(
                members.iter().map(|m| (m.key.clone(), m.value.to_json())).collect::<Map<_, _>>(),
            ),
        }
    }

    /// The members, when this is an object.
    ///
    /// ```
    /// # use clerk_claims_codegen::template::json::parse;
    /// assert_eq!(parse("{\"a\": 1}").unwrap().as_object().unwrap()[0].key, "a");
    /// assert!(parse("[1]").unwrap().as_object().is_none());
    /// ```
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            NodeValue::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The member named `key`, when this is an object holding it.
    ///
    /// ```
    /// # use clerk_claims_codegen::template::json::parse;
    /// let node = parse("{\"a\": 1}").unwrap();
    /// assert!(node.get("a").is_some() && node.get("b").is_none());
    /// ```
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().find(|m| m.key == key)
    }

    /// The name of this value's JSON type, for messages.
    ///
    /// ```
    /// # use clerk_claims_codegen::template::json::parse;
    /// assert_eq!(parse("[]").unwrap().type_name(), "an array");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Number(_) => "a number",
            NodeValue::String { .. } => "a string",
            NodeValue::Array(_) => "an array",
            NodeValue::Object(_) => "an object",
        }
    }
}

/// Parses strict JSON into a [`Node`] tree. On failure returns the diagnostics: one for invalid JSON
/// or too-deep nesting, or one per duplicate key.
///
/// ```
/// use clerk_claims_codegen::{Code, template::json::parse};
/// let errors = parse("{\"a\": 1, \"a\": 2}").unwrap_err();
/// assert_eq!(errors[0].code, Code::DuplicateKey);
/// assert_eq!(errors[0].span, Some(9..12));
/// ```
pub fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    if let Err(error) = serde_json::from_str::<Value>(text) {
        return Err(vec![from_serde_error(text, &error)]);
    }
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
        let range = e.range();
        vec![Diagnostic::error(
            Code::InvalidJson,
            format!("invalid JSON: {}", e.kind()),
            range.start..range.end,
        )]
    })?;
    let Some(root) = parsed.value else {
        return Err(vec![Diagnostic::error(Code::InvalidJson, "the file holds no JSON value", 0..0)]);
    };
    let mut errors = Vec::new();
    let node = convert(text, root, &mut errors);
    if errors.is_empty() { Ok(node) } else { Err(errors) }
}

fn convert(text: &str, value: ast::Value<'_>, errors: &mut Vec<Diagnostic>) -> Node {
    match value {
        ast::Value::NullKeyword(n) => Node { span: n.range.start..n.range.end, value: NodeValue::Null },
        ast::Value::BooleanLit(b) => {
            Node { span: b.range.start..b.range.end, value: NodeValue::Bool(b.value) }
        }
        ast::Value::NumberLit(n) => {
            let span = n.range.start..n.range.end;
            // serde_json already accepted the file, so every number literal reads back.
            let number = serde_json::from_str::<Number>(n.value).unwrap_or_else(|_| Number::from(0));
            Node { span, value: NodeValue::Number(number) }
        }
        ast::Value::StringLit(s) => {
            let span = s.range.start..s.range.end;
            let inner = text.get(span.start + 1..span.end.saturating_sub(1)).unwrap_or_default();
            let raw = inner == s.value;
            Node { span, value: NodeValue::String { value: s.value.into_owned(), raw } }
        }
        ast::Value::Array(a) => Node {
            span: a.range.start..a.range.end,
            value: NodeValue::Array(a.elements.into_iter().map(|v| convert(text, v, errors)).collect()),
        },
        ast::Value::Object(o) => {
            let mut members: Vec<Member> = Vec::with_capacity(o.properties.len());
            for prop in o.properties {
                let (key, key_range) = match prop.name {
                    ast::ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                    ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                };
                let key_span = key_range.start..key_range.end;
                let value = convert(text, prop.value, errors);
                if let Some(first) = members.iter().find(|m| m.key == key) {
                    let at = crate::diagnostic::Source::new("", text).line_col(first.key_span.start);
                    errors.push(
                        Diagnostic::error(Code::DuplicateKey, format!("duplicate key `{key}`"), key_span)
                            .with_label("second occurrence")
                            .with_help(format!(
                                "`{key}` is first defined at line {}; JSON parsers keep only the last one, \
                                 so remove one of them",
                                at.line
                            )),
                    );
                    continue;
                }
                members.push(Member { key, key_span, value });
            }
            Node { span: o.range.start..o.range.end, value: NodeValue::Object(members) }
        }
    }
}

fn from_serde_error(text: &str, error: &serde_json::Error) -> Diagnostic {
    let offset = offset_of(text, error.line(), error.column());
    let message = error.to_string();
    // serde_json appends " at line L column C"; the location is shown separately.
    let message = message.split(" at line ").next().unwrap_or(&message).to_string();
    if message.contains("recursion limit") {
        Diagnostic::error(Code::TooDeep, "JSON nested more than 128 levels deep", offset..offset + 1)
            .with_help("a Clerk template is a small JSON object; flatten the nesting")
    } else {
        Diagnostic::error(Code::InvalidJson, format!("invalid JSON: {message}"), offset..offset + 1)
    }
}

/// Byte offset of serde_json's 1-based line and (byte) column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}
