use crate::shortcode::{StringValue, Term, null_reason};
use crate::template::{Kind, Template};
use crate::types::{Fill, RustType, TypeModel};

/// A short Markdown sheet telling where the template goes in the Clerk Dashboard and which settings
/// to enter.
///
/// ```
/// use clerk_claims_codegen::{Source, emit::setup_sheet, template::Template, types::TypeModel};
/// let (t, _) = Template::parse(&Source::new("hasura.json", r#"{"x": "{{user.id}}"}"#));
/// let t = t.unwrap();
/// let sheet = setup_sheet(&t, &TypeModel::of(&t));
/// assert!(sheet.contains("JWT templates"));
/// assert!(sheet.contains("getToken({ template: 'hasura' })"));
///
/// // A claim that can be `null` is listed with the reason.
/// let (t, _) = Template::parse(&Source::new("app.json", r#"{"role": "{{user.public_metadata.role}}"}"#));
/// let t = t.unwrap();
/// let sheet = setup_sheet(&t, &TypeModel::of(&t));
/// assert!(sheet.contains("- `role`: null for a user whose public metadata has no `role`."));
/// ```
pub fn setup_sheet(template: &Template, model: &TypeModel) -> String {
    let name = &template.name;
    let claims = serde_json::to_string_pretty(&template.claims_json()).unwrap_or_default();
    let mut out = format!("# Clerk setup: `{name}`\n\n");
    match template.kind {
        Kind::Session => {
            out.push_str(
                "This is a **session-token customization**: its claims are added to every session token.\n\n\
                 1. Open the Clerk Dashboard -> **Sessions** -> **Customize session token**.\n\
                 2. Paste the claims below into the editor and save.\n\
                 3. Custom claims must stay under 1.2 KB (checked by `clerk-claims check`).\n\
                 4. New sessions carry the claims at once; existing ones after their next refresh (about 50 s).\n",
            );
        }
        Kind::Template => {
            let s = &template.settings;
            out.push_str(&format!(
                "This is a **JWT template**: tokens come from `getToken({{ template: '{name}' }})` in the frontend\n\
                 or `POST /v1/sessions/{{session_id}}/tokens/{name}` on the Backend API.\n\n\
                 1. Open the Clerk Dashboard -> **Configure** -> **JWT templates** -> **New template** -> **Blank**.\n\
                 2. Name: `{name}`.\n\
                 3. Token lifetime: {} seconds. Allowed clock skew: {} seconds.\n",
                s.lifetime, s.allowed_clock_skew
            ));
            if s.custom_signing_key {
                let alg = s.signing_algorithm.as_deref().unwrap_or("(set signing_algorithm)");
                let env =
                    s.signing_key_env.as_deref().unwrap_or("(set signing_key_env in the template file)");
                out.push_str(&format!(
                    "4. Turn on **Custom signing key**, algorithm `{alg}`. The key itself is in the environment\n   \
                     variable `{env}`; paste it from there (never commit it). `clerk-claims push` reads it there.\n"
                ));
            } else {
                out.push_str(
                    "4. Leave **Custom signing key** off: tokens are signed with the instance key (JWKS).\n",
                );
            }
            out.push_str(&format!(
                "5. Paste the claims below and save. Or skip the Dashboard: `clerk-claims push` creates `{name}`\n   \
                 through the Backend API with `CLERK_SECRET_KEY`.\n"
            ));
        }
    }
    out.push_str(&format!("\n```json\n{claims}\n```\n"));
    let nullable = nullable_claims(model);
    if !nullable.is_empty() {
        out.push_str(
            "\n## Claims that can be `null`\n\n\
             Clerk renders `null` for these, so the generated type holds them as `Option` (or\n\
             `serde_json::Value`). End the expression in a literal (`{{... || 'member'}}`) to make one\n\
             always present.\n\n",
        );
        for (path, reason) in nullable {
            out.push_str(&format!("- `{path}`: {reason}.\n"));
        }
    }
    out
}

/// Every claim Clerk can render as `null` (dotted path from the top), with the reason.
fn nullable_claims(model: &TypeModel) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = vec![(String::new(), model.root())];
    while let Some((prefix, def)) = pending.pop() {
        for field in &def.fields {
            let path =
                if prefix.is_empty() { field.claim.clone() } else { format!("{prefix}.{}", field.claim) };
            match (&field.fill, &field.ty) {
                (Fill::Nested, RustType::Struct(name)) => {
                    if let Some(nested) = model.get(name) {
                        pending.push((path, nested));
                    }
                }
                (fill, ty) if ty.is_nullable() => {
                    if let Some(reason) = reason(fill) {
                        out.push((path, reason));
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// Why a nullable claim can be `null`: its last operand can.
fn reason(fill: &Fill) -> Option<String> {
    let expression = match fill {
        Fill::Shortcode(name) => return null_reason(name),
        Fill::Template(t) => t,
        Fill::Json(serde_json::Value::Null) => return Some("always null".to_string()),
        _ => return None,
    };
    let Ok(StringValue::Whole(expr)) = StringValue::parse(expression) else { return None };
    match &expr.operands.last()?.term {
        Term::Shortcode(name) => {
            null_reason(name).map(|r| format!("{r} (the last operand of `{expression}`)"))
        }
        _ => None,
    }
}
