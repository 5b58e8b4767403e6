//! Renders a template against user / organization / session data exactly as Clerk does.
//!
//! - A string that is exactly one `{{expr}}` keeps the JSON type of its value.
//! - Any other string with `{{` is an interpolation and always renders a string; `null` prints as
//!   `null`, objects and arrays as compact JSON.
//! - `a || b || 'x'` renders the first operand that is neither `null` nor `false`, else the last one.
//! - A shortcode is looked up literally in the context (`user.primary_email_address` ->
//!   `context.user.primary_email_address`); an absent path renders `null`, as do shortcodes Clerk does
//!   not know (the checker rejects those before they reach Clerk).
//! - Objects and arrays are rendered recursively; other values are copied.

use serde_json::Value;

use crate::shortcode::{Expr, ExprError, Part, StringValue, Term};

/// The claims Clerk would render for `claims` (the template's `claims` object) given `context`
/// (`{"user": {...}, "org": {...}, "org_membership": {...}, "session": {...}}`).
///
/// ```
/// use serde_json::json;
/// let claims = json!({
///     "name": "{{user.first_name || 'anon'}}",
///     "greeting": "Hi {{user.last_name}}",
///     "meta": "{{user.public_metadata}}",
///     "aud": "app",
/// });
/// let context = json!({"user": {"public_metadata": {"plan": "pro"}}});
/// let rendered = clerk_claims_codegen::render(&claims, &context).unwrap();
/// assert_eq!(rendered, json!({"name": "anon", "greeting": "Hi null", "meta": {"plan": "pro"}, "aud": "app"}));
/// ```
pub fn render(claims: &Value, context: &Value) -> Result<Value, ExprError> {
    Ok(match claims {
        Value::String(s) => match StringValue::parse(s)? {
            StringValue::Literal(text) => Value::String(text),
            StringValue::Whole(expr) => evaluate(&expr, context),
            StringValue::Interpolation(parts) => {
                let mut out = String::new();
                for part in &parts {
                    match part {
                        Part::Text(text) => out.push_str(text),
                        Part::Expr(expr) => push_text(&mut out, &evaluate(expr, context)),
                    }
                }
                Value::String(out)
            }
        },
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| render(v, context)).collect::<Result<_, _>>()?)
        }
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| Ok((k.clone(), render(v, context)?)))
                .collect::<Result<_, ExprError>>()?,
        ),
        other => other.clone(),
    })
}

/// The value of an expression: the first operand that is neither `null` nor `false`, else the last.
///
/// ```
/// use clerk_claims_codegen::{render::evaluate, shortcode::StringValue};
/// use serde_json::json;
/// let StringValue::Whole(e) = StringValue::parse("{{user.email_verified || 30}}").unwrap() else { unreachable!() };
/// assert_eq!(evaluate(&e, &json!({"user": {"email_verified": false}})), json!(30));
/// ```
pub fn evaluate(expr: &Expr, context: &Value) -> Value {
    let mut last = Value::Null;
    for operand in &expr.operands {
        last = match &operand.term {
            Term::Shortcode(name) => lookup(context, name),
            Term::Str(s) => Value::String(s.clone()),
            Term::Number(n) => Value::Number(n.clone()),
            Term::Bool(b) => Value::Bool(*b),
        };
        if !matches!(last, Value::Null | Value::Bool(false)) {
            break;
        }
    }
    last
}

fn lookup(context: &Value, name: &str) -> Value {
    name.split('.').try_fold(context, |value, key| value.get(key)).cloned().unwrap_or(Value::Null)
}

fn push_text(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => out.push_str(s),
        other => out.push_str(&other.to_string()),
    }
}
