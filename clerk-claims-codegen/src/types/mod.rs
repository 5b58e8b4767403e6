//! From a template's claim tree to a type model: the structs, fields and Rust types that hold exactly
//! what Clerk renders.
//!
//! - an object becomes a struct (nested objects nested structs, named `<Parent><Field>`);
//! - a whole-value shortcode gets its catalogue type, `Option<T>` where Clerk can render `null`;
//! - a path into metadata (`user.public_metadata.role`, any root, any depth) is always nullable:
//!   users and organizations without that key exist, and Clerk renders `null` for them. A
//!   `rust.metadata` hint types the value *when present*, never its presence;
//! - the properties of a declared metadata object are nullable for the same reason (a metadata root
//!   renders `{}` when empty);
//! - an interpolation is a `String`;
//! - `a || b || c` is the join of its operands' types, nullable only when the last operand is (a
//!   literal, or a shortcode Clerk always renders, ends the chain non-null);
//! - literals have their own type and are recorded as constant claims;
//! - metadata is `serde_json::Value` unless `rust.metadata` declares a shape;
//! - arrays of literals of one type are `Vec<T>`, other arrays `serde_json::Value`.
//!
//! Nullability is decided here only; the generated structs, the derive's type check, the JSON Schema
//! and `clerk-claims verify --template` all read it from this model.

mod naming;

use std::collections::BTreeMap;

use serde_json::Value;

pub use naming::{field_ident, type_name_of, upper_camel};

use crate::shortcode::{self, JsonType, Resolved, StringValue, Term};
use crate::template::json::{Node, NodeValue};
use crate::template::{Shape, ShapeType, Template};

/// A Rust type of a claim field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RustType {
    /// `String`
    String,
    /// `i64`
    I64,
    /// `f64`
    F64,
    /// `bool`
    Bool,
    /// `serde_json::Value`: any JSON but `null` (`Option<Json>` is any JSON at all, also emitted as
    /// `serde_json::Value`, which holds `null`).
    Json,
    /// `BTreeMap<String, String>`
    StringMap,
    /// `Vec<T>`
    Vec(Box<RustType>),
    /// `Option<T>`: Clerk can render `null`.
    Option(Box<RustType>),
    /// A generated struct.
    Struct(String),
}

impl RustType {
    /// The same type, able to hold `null`.
    ///
    /// ```
    /// use clerk_claims_codegen::types::RustType;
    /// let s = RustType::String.nullable();
    /// assert_eq!(s, RustType::Option(Box::new(RustType::String)));
    /// assert_eq!(s.clone().nullable(), s);
    /// ```
    pub fn nullable(self) -> RustType {
        match self {
            RustType::Option(_) => self,
            other => RustType::Option(Box::new(other)),
        }
    }

    /// The type without its `Option`.
    ///
    /// ```
    /// use clerk_claims_codegen::types::RustType;
    /// assert_eq!(RustType::Json.nullable().non_null(), &RustType::Json);
    /// ```
    pub fn non_null(&self) -> &RustType {
        match self {
            RustType::Option(inner) => inner,
            other => other,
        }
    }

    /// Whether Clerk can render `null` into a claim of this type.
    ///
    /// ```
    /// use clerk_claims_codegen::types::RustType;
    /// assert!(RustType::Option(Box::new(RustType::String)).is_nullable());
    /// assert!(RustType::Json.nullable().is_nullable());
    /// assert!(!RustType::Json.is_nullable());
    /// assert!(!RustType::String.is_nullable());
    /// ```
    pub fn is_nullable(&self) -> bool {
        matches!(self, RustType::Option(_))
    }

    /// Rust source text of the type, with absolute paths (`serde_json` through `json_path`).
    ///
    /// ```
    /// use clerk_claims_codegen::types::RustType;
    /// let t = RustType::Option(Box::new(RustType::Vec(Box::new(RustType::String))));
    /// assert_eq!(t.to_rust("::serde_json"), "::core::option::Option<::std::vec::Vec<::std::string::String>>");
    /// // `Value` holds `null` itself.
    /// assert_eq!(RustType::Json.nullable().to_rust("::serde_json"), "::serde_json::Value");
    /// ```
    pub fn to_rust(&self, json_path: &str) -> String {
        match self {
            RustType::String => "::std::string::String".into(),
            RustType::I64 => "i64".into(),
            RustType::F64 => "f64".into(),
            RustType::Bool => "bool".into(),
            RustType::Json => format!("{json_path}::Value"),
            RustType::StringMap => {
                "::std::collections::BTreeMap<::std::string::String, ::std::string::String>".into()
            }
            RustType::Vec(inner) => format!("::std::vec::Vec<{}>", inner.to_rust(json_path)),
            RustType::Option(inner) if **inner == RustType::Json => inner.to_rust(json_path),
            RustType::Option(inner) => {
                format!("::core::option::Option<{}>", inner.to_rust(json_path))
            }
            RustType::Struct(name) => name.clone(),
        }
    }
}

/// How a claim's value is produced, as the derive's field attribute says it.
#[derive(Debug, Clone, PartialEq)]
pub enum Fill {
    /// Exactly `"{{name}}"`: `#[clerk(shortcode = "name")]`.
    Shortcode(String),
    /// Any other string with `{{`: `#[clerk(template = "...")]`.
    Template(String),
    /// A string, number or boolean literal: `#[clerk(value = ...)]`.
    Value(Value),
    /// An array or `null` literal (possibly holding expressions): `#[clerk(json = "...")]`.
    Json(Value),
    /// An object: a nested struct that derives `ClerkClaims`.
    Nested,
    /// A property of a declared metadata shape (no template of its own).
    Property,
}

/// One field of a generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// The claim (JSON key).
    pub claim: String,
    /// The Rust field name.
    pub ident: String,
    /// Its type.
    pub ty: RustType,
    /// How Clerk fills it.
    pub fill: Fill,
    /// What the doc comment says.
    pub doc: String,
}

/// What a generated struct stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructRole {
    /// The template's claims (top level).
    Claims,
    /// A nested claims object.
    Nested,
    /// A declared metadata shape (plain data, no template).
    Metadata,
}

/// One generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// The type name.
    pub name: String,
    /// What it stands for.
    pub role: StructRole,
    /// Fields in claim order.
    pub fields: Vec<FieldDef>,
}

/// The types generated for one template: the claims struct first, then nested and metadata structs.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeModel {
    /// Every struct; `structs[0]` is the claims struct.
    pub structs: Vec<StructDef>,
    /// Top-level claims whose value is a literal (checked by the verifier, such as `aud`).
    pub constants: BTreeMap<String, Value>,
}

impl TypeModel {
    /// Builds the type model of a template.
    ///
    /// ```
    /// use clerk_claims_codegen::{Source, template::Template, types::{RustType, TypeModel}};
    /// let (t, _) = Template::parse(&Source::new("app.json", r#"{
    ///     "aud": "app",
    ///     "email": "{{user.primary_email_address}}",
    ///     "name": "{{user.username || 'anon'}}"
    /// }"#));
    /// let model = TypeModel::of(&t.unwrap());
    /// let s = &model.structs[0];
    /// assert_eq!(s.name, "AppClaims");
    /// assert_eq!(s.fields[1].ty, RustType::Option(Box::new(RustType::String)));
    /// assert_eq!(s.fields[2].ty, RustType::String);
    /// assert_eq!(model.constants["aud"], "app");
    /// ```
    pub fn of(template: &Template) -> TypeModel {
        let root_name = template.rust.type_name.clone().unwrap_or_else(|| type_name_of(template));
        let mut builder = Builder { template, structs: Vec::new() };
        builder.object(&root_name, StructRole::Claims, template.claim_members());
        let constants = template
            .claim_members()
            .iter()
            .filter_map(|m| literal(&m.value).map(|v| (m.key.clone(), v)))
            .collect();
        TypeModel { structs: builder.structs, constants }
    }

    /// The claims struct.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Source, template::Template, types::TypeModel};
    /// let (t, _) = Template::parse(&Source::new("a.json", "{}"));
    /// assert_eq!(TypeModel::of(&t.unwrap()).root().name, "AClaims");
    /// ```
    pub fn root(&self) -> &StructDef {
        &self.structs[0]
    }

    /// The struct named `name`.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Source, template::Template, types::TypeModel};
    /// let (t, _) = Template::parse(&Source::new("a.json", r#"{"o": {"x": 1}}"#));
    /// assert!(TypeModel::of(&t.unwrap()).get("AClaimsO").is_some());
    /// ```
    pub fn get(&self, name: &str) -> Option<&StructDef> {
        self.structs.iter().find(|s| s.name == name)
    }
}

/// A string, number, boolean or `null` that involves no shortcode; arrays of such.
fn literal(node: &Node) -> Option<Value> {
    match &node.value {
        NodeValue::String { value, .. } => {
            matches!(StringValue::parse(value), Ok(StringValue::Literal(_))).then(|| node.to_json())
        }
        NodeValue::Array(items) => items.iter().all(|i| literal(i).is_some()).then(|| node.to_json()),
        NodeValue::Object(_) => None,
        _ => Some(node.to_json()),
    }
}

struct Builder<'t> {
    template: &'t Template,
    structs: Vec<StructDef>,
}

impl Builder<'_> {
    fn object(&mut self, name: &str, role: StructRole, members: &[crate::template::json::Member]) {
        let index = self.structs.len();
        self.structs.push(StructDef { name: name.to_string(), role, fields: Vec::new() });
        let idents = naming::field_idents(members.iter().map(|m| m.key.as_str()));
        let mut fields = Vec::with_capacity(members.len());
        for (m, ident) in members.iter().zip(idents) {
            let nested_name = format!("{name}{}", upper_camel(&ident));
            let (ty, fill, doc) = self.value(&nested_name, &m.value);
            fields.push(FieldDef { claim: m.key.clone(), ident, ty, fill, doc });
        }
        self.structs[index].fields = fields;
    }

    fn value(&mut self, nested_name: &str, node: &Node) -> (RustType, Fill, String) {
        match &node.value {
            NodeValue::Object(members) => {
                self.object(nested_name, StructRole::Nested, members);
                (RustType::Struct(nested_name.to_string()), Fill::Nested, "A nested claims object.".into())
            }
            NodeValue::Null => (RustType::Json.nullable(), Fill::Json(Value::Null), "Always `null`.".into()),
            NodeValue::Bool(b) => (RustType::Bool, Fill::Value(Value::Bool(*b)), format!("Always `{b}`.")),
            NodeValue::Number(n) => {
                let ty = if n.is_f64() { RustType::F64 } else { RustType::I64 };
                (ty, Fill::Value(Value::Number(n.clone())), format!("Always `{n}`."))
            }
            NodeValue::Array(items) => {
                let json = node.to_json();
                let element = items
                    .iter()
                    .map(|i| literal(i).and_then(|v| scalar_type(&v)))
                    .collect::<Option<Vec<_>>>();
                let ty = match element.as_deref() {
                    Some([first, rest @ ..]) if rest.iter().all(|t| t == first) => {
                        RustType::Vec(Box::new(first.clone()))
                    }
                    Some([]) => RustType::Vec(Box::new(RustType::Json)),
                    _ => RustType::Json,
                };
                let doc = format!("Rendered from `{json}`.");
                (ty, Fill::Json(json), doc)
            }
            NodeValue::String { value, .. } => match StringValue::parse(value) {
                Ok(StringValue::Literal(s)) => {
                    (RustType::String, Fill::Value(Value::String(s.clone())), format!("Always `{s:?}`."))
                }
                Ok(StringValue::Whole(expr)) => {
                    let types: Vec<RustType> =
                        expr.operands.iter().map(|o| self.operand(nested_name, &o.term)).collect();
                    let ty = join(&types);
                    let fill = match expr.operands.as_slice() {
                        [only] if matches!(&only.term, Term::Shortcode(n) if value == &format!("{{{{{n}}}}}")) => {
                            Fill::Shortcode(only.term.to_string())
                        }
                        _ => Fill::Template(value.clone()),
                    };
                    (ty, fill, format!("Filled by `{value}`."))
                }
                Ok(StringValue::Interpolation(_)) => {
                    (RustType::String, Fill::Template(value.clone()), format!("Filled by `{value}`."))
                }
                Err(_) => (RustType::String, Fill::Value(Value::String(value.clone())), String::new()),
            },
        }
    }

    fn operand(&mut self, nested_name: &str, term: &Term) -> RustType {
        match term {
            Term::Str(_) => RustType::String,
            Term::Bool(_) => RustType::Bool,
            Term::Number(n) if n.is_f64() => RustType::F64,
            Term::Number(_) => RustType::I64,
            Term::Shortcode(name) => match shortcode::resolve(name) {
                Ok(Resolved::Known(row)) => {
                    let ty = match row.ty {
                        JsonType::String => RustType::String,
                        JsonType::Integer => RustType::I64,
                        JsonType::Bool => RustType::Bool,
                        JsonType::RoleMap => RustType::StringMap,
                        JsonType::StringArray => RustType::Vec(Box::new(RustType::String)),
                        JsonType::Actor => RustType::Json,
                        JsonType::Metadata => match self.template.rust.metadata.get(row.name) {
                            Some(shape) => return self.shape(nested_name, shape, row.nullable),
                            None => RustType::Json,
                        },
                    };
                    if row.nullable { ty.nullable() } else { ty }
                }
                // Any path below a metadata root can be absent (a user or organization without that
                // key), and Clerk renders `null` for it, whatever the hint says the value is.
                Ok(Resolved::MetadataPath { root, path }) => {
                    match self.template.rust.metadata.get(root.name).and_then(|s| s.at(&path)) {
                        Some(shape) => self.shape(nested_name, shape, true),
                        None => RustType::Json.nullable(),
                    }
                }
                // A shortcode allowed past the catalogue: nothing is known, not even presence.
                Err(_) => RustType::Json.nullable(),
            },
        }
    }

    fn shape(&mut self, name: &str, shape: &Shape, nullable: bool) -> RustType {
        let ty = match &shape.ty {
            ShapeType::String { .. } => RustType::String,
            ShapeType::Integer => RustType::I64,
            ShapeType::Number => RustType::F64,
            ShapeType::Bool => RustType::Bool,
            ShapeType::Any => RustType::Json,
            ShapeType::Array(items) => {
                RustType::Vec(Box::new(self.shape(&format!("{name}Item"), items, false)))
            }
            ShapeType::Object(props) => {
                let index = self.structs.len();
                self.structs.push(StructDef {
                    name: name.to_string(),
                    role: StructRole::Metadata,
                    fields: Vec::new(),
                });
                let idents = naming::field_idents(props.keys().map(String::as_str));
                let mut fields = Vec::new();
                for ((key, prop), ident) in props.iter().zip(idents) {
                    // A property can be missing from the stored object.
                    let ty = self.shape(&format!("{name}{}", upper_camel(&ident)), prop, true);
                    fields.push(FieldDef {
                        claim: key.clone(),
                        ident,
                        ty,
                        fill: Fill::Property,
                        doc: String::new(),
                    });
                }
                self.structs[index].fields = fields;
                RustType::Struct(name.to_string())
            }
        };
        if shape.nullable || nullable { ty.nullable() } else { ty }
    }
}

fn scalar_type(v: &Value) -> Option<RustType> {
    match v {
        Value::String(_) => Some(RustType::String),
        Value::Bool(_) => Some(RustType::Bool),
        Value::Number(n) if n.is_f64() => Some(RustType::F64),
        Value::Number(_) => Some(RustType::I64),
        _ => None,
    }
}

/// The type of `a || b || c`: one base type when the operands agree (integers widen to `f64` beside
/// floats), otherwise any JSON; nullable when the last operand is, since Clerk renders the last
/// operand when every earlier one is `null` or `false`.
fn join(types: &[RustType]) -> RustType {
    let (Some(first), Some(last)) = (types.first(), types.last()) else {
        return RustType::Json.nullable();
    };
    let first = first.non_null();
    let base = if types.iter().all(|t| t.non_null() == first) {
        first.clone()
    } else if types.iter().all(|t| matches!(t.non_null(), RustType::I64 | RustType::F64)) {
        RustType::F64
    } else {
        RustType::Json
    };
    if last.is_nullable() { base.nullable() } else { base }
}
