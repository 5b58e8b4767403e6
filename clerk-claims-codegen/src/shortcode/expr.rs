//! The expression language inside template strings.
//!
//! ```text
//! string      := text | "{{" expr "}}" | (text | "{{" expr "}}")*     (interpolation)
//! expr        := operand ( "||" operand )*
//! operand     := shortcode | 'single-quoted string' | number | true | false
//! shortcode   := segment ( "." segment )*      segment := [A-Za-z0-9_-]+
//! ```
//!
//! Whitespace around operands is allowed. A string that is exactly one `{{ expr }}` keeps the JSON
//! type of its value; any other string with `{{` is an interpolation and always renders a string.

use std::fmt;
use std::ops::Range;

use serde_json::Number;

/// A template string, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum StringValue {
    /// No `{{`: rendered as it is.
    Literal(String),
    /// Exactly one `{{ expr }}`: renders the expression's value with its JSON type.
    Whole(Expr),
    /// Text and expressions mixed: always renders a string.
    Interpolation(Vec<Part>),
}

/// A piece of an interpolation.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Text outside `{{ }}`.
    Text(String),
    /// An expression; its value is printed (`null` prints as `null`).
    Expr(Expr),
}

/// `a || b || 'literal'`: the first operand that is neither `null` nor `false`, else the last one.
#[derive(Debug, Clone)]
pub struct Expr {
    /// At least one operand.
    pub operands: Vec<Operand>,
    /// Byte range of the whole `{{ ... }}` within the string.
    pub span: Range<usize>,
}

impl PartialEq for Expr {
    /// Spans are positions, not meaning: two expressions are equal when their operands are.
    fn eq(&self, other: &Self) -> bool {
        self.operands == other.operands
    }
}

/// One operand of an expression.
#[derive(Debug, Clone)]
pub struct Operand {
    /// What it is.
    pub term: Term,
    /// Byte range within the string.
    pub span: Range<usize>,
}

impl PartialEq for Operand {
    fn eq(&self, other: &Self) -> bool {
        self.term == other.term
    }
}

/// The value of an operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A dotted shortcode name such as `user.public_metadata.role`.
    Shortcode(String),
    /// A single-quoted string literal (no escapes; it cannot contain `'`).
    Str(String),
    /// A number literal.
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
}

/// Why an expression does not parse, and where (byte range within the string).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// Where, within the string.
    pub span: Range<usize>,
    /// What to write instead.
    pub help: Option<String>,
}

impl ExprError {
    fn new(message: impl Into<String>, span: Range<usize>, help: Option<&str>) -> Self {
        ExprError { message: message.into(), span, help: help.map(str::to_string) }
    }
}

impl StringValue {
    /// Every expression in the string, in order.
    ///
    /// ```
    /// use clerk_claims_codegen::shortcode::StringValue;
    /// let v = StringValue::parse("{{user.id}}-{{org.id}}").unwrap();
    /// assert_eq!(v.exprs().count(), 2);
    /// ```
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let (whole, parts) = match self {
            StringValue::Literal(_) => (None, &[][..]),
            StringValue::Whole(e) => (Some(e), &[][..]),
            StringValue::Interpolation(parts) => (None, parts.as_slice()),
        };
        whole.into_iter().chain(parts.iter().filter_map(|p| match p {
            Part::Expr(e) => Some(e),
            Part::Text(_) => None,
        }))
    }

    /// Parses a template string.
    ///
    /// ```
    /// use clerk_claims_codegen::shortcode::{StringValue, Term};
    /// let StringValue::Whole(e) = StringValue::parse("{{ user.username || 'anon' }}").unwrap() else {
    ///     panic!()
    /// };
    /// assert_eq!(e.operands[0].term, Term::Shortcode("user.username".into()));
    /// assert_eq!(e.operands[1].term, Term::Str("anon".into()));
    /// assert!(StringValue::parse("{{user.id").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<StringValue, ExprError> {
        if !s.contains("{{") {
            return Ok(StringValue::Literal(s.to_string()));
        }
        let mut parts = Vec::new();
        let mut pos = 0;
        while let Some(found) = s[pos..].find("{{") {
            let open = pos + found;
            if open > pos {
                parts.push(Part::Text(s[pos..open].to_string()));
            }
            let close = find_close(s, open + 2).map_err(|open_quote| {
                let help = if open_quote {
                    "a `'` literal in it is not closed, which hides the `}}`"
                } else {
                    "close the expression with `}}`"
                };
                ExprError::new("unterminated `{{`: no matching `}}`", open..s.len(), Some(help))
            })?;
            let operands = parse_operands(s, open + 2, close)?;
            parts.push(Part::Expr(Expr { operands, span: open..close + 2 }));
            pos = close + 2;
        }
        if pos < s.len() {
            parts.push(Part::Text(s[pos..].to_string()));
        }
        match parts.as_slice() {
            [Part::Expr(e)] => Ok(StringValue::Whole(e.clone())),
            _ => Ok(StringValue::Interpolation(parts)),
        }
    }
}

/// The index of the `}}` closing an expression opened before `from`, skipping quoted literals.
/// When there is none, tells whether a quote was left open.
fn find_close(s: &str, from: usize) -> Result<usize, bool> {
    let bytes = s.as_bytes();
    let mut in_quote = false;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_quote = !in_quote,
            b'}' if !in_quote && bytes.get(i + 1) == Some(&b'}') => return Ok(i),
            _ => {}
        }
        i += 1;
    }
    Err(in_quote)
}

/// Splits `s[start..end]` on `||` outside quotes and parses each operand.
fn parse_operands(s: &str, start: usize, end: usize) -> Result<Vec<Operand>, ExprError> {
    let bytes = s.as_bytes();
    let mut operands = Vec::new();
    let mut in_quote = false;
    let mut operand_start = start;
    let mut i = start;
    while i <= end {
        let at_end = i == end;
        if !at_end && bytes[i] == b'\'' {
            in_quote = !in_quote;
        }
        let is_or =
            !at_end && !in_quote && bytes[i] == b'|' && bytes.get(i + 1) == Some(&b'|') && i + 1 < end;
        if at_end || is_or {
            operands.push(parse_operand(s, operand_start, i)?);
            if is_or {
                i += 2;
                operand_start = i;
                continue;
            }
        }
        i += 1;
    }
    Ok(operands)
}

fn parse_operand(s: &str, start: usize, end: usize) -> Result<Operand, ExprError> {
    let raw = &s[start..end];
    let leading = raw.len() - raw.trim_start().len();
    let text = raw.trim();
    let span = start + leading..start + leading + text.len();
    if text.is_empty() {
        let at = start.min(s.len());
        return Err(ExprError::new(
            "empty operand: an expression needs a shortcode or a literal here",
            at..end.max(at + 1).min(s.len()),
            Some("write a shortcode such as `user.id`, or remove the extra `||`"),
        ));
    }
    let term = parse_term(text).map_err(|(message, help)| ExprError::new(message, span.clone(), help))?;
    Ok(Operand { term, span })
}

fn parse_term(text: &str) -> Result<Term, (String, Option<&'static str>)> {
    let first = text.chars().next().unwrap_or(' ');
    match first {
        '"' => Err((
            format!("double-quoted literal {text}: Clerk's expressions use single quotes"),
            Some("write the literal as 'text'"),
        )),
        '\'' => {
            let inner = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\''));
            match inner {
                Some(inner) if !inner.contains('\'') => Ok(Term::Str(inner.to_string())),
                _ => Err((
                    format!("malformed string literal {text}"),
                    Some("a literal is 'text' between single quotes, with no quote inside"),
                )),
            }
        }
        _ if text == "true" => Ok(Term::Bool(true)),
        _ if text == "false" => Ok(Term::Bool(false)),
        '0'..='9' | '-' | '+' | '.' => serde_json::from_str::<Number>(text).map(Term::Number).map_err(|_| {
            (format!("malformed number `{text}`"), Some("write a JSON number such as 30 or 1.5"))
        }),
        _ => {
            let valid_segment = |seg: &str| {
                !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            };
            if first.is_ascii_alphabetic() && text.split('.').all(valid_segment) {
                Ok(Term::Shortcode(text.to_string()))
            } else if text.contains('|') {
                Err((format!("`{text}` has a single `|`"), Some("alternatives are separated by `||`")))
            } else {
                Err((
                    format!("`{text}` is not a shortcode, a 'string', a number or a boolean"),
                    Some("shortcodes are dotted names such as `user.first_name`"),
                ))
            }
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Shortcode(name) => f.write_str(name),
            Term::Str(s) => write!(f, "'{s}'"),
            Term::Number(n) => write!(f, "{n}"),
            Term::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl fmt::Display for Expr {
    /// Canonical form: `{{a || 'b'}}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{{")?;
        for (i, operand) in self.operands.iter().enumerate() {
            if i > 0 {
                f.write_str(" || ")?;
            }
            write!(f, "{}", operand.term)?;
        }
        f.write_str("}}")
    }
}

impl fmt::Display for StringValue {
    /// Prints the string back; parsing the output gives an equal value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringValue::Literal(s) => f.write_str(s),
            StringValue::Whole(e) => write!(f, "{e}"),
            StringValue::Interpolation(parts) => parts.iter().try_for_each(|p| match p {
                Part::Text(t) => f.write_str(t),
                Part::Expr(e) => write!(f, "{e}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> ExprError {
        StringValue::parse(s).unwrap_err()
    }

    #[test]
    fn whole_interpolation_and_literal() {
        assert!(matches!(StringValue::parse("plain").unwrap(), StringValue::Literal(_)));
        assert!(matches!(StringValue::parse("{{user.id}}").unwrap(), StringValue::Whole(_)));
        assert!(matches!(StringValue::parse(" {{user.id}}").unwrap(), StringValue::Interpolation(_)));
        assert!(matches!(StringValue::parse("{{a}}{{b}}").unwrap(), StringValue::Interpolation(_)));
        assert!(matches!(StringValue::parse("}} is fine").unwrap(), StringValue::Literal(_)));
    }

    #[test]
    fn literals_and_whitespace() {
        let text = "{{ a.b || 'x y' || 30 || -1.5 || true ||false }}";
        let StringValue::Whole(e) = StringValue::parse(text).unwrap() else { panic!("not whole") };
        let terms: Vec<_> = e.operands.iter().map(|o| o.term.clone()).collect();
        assert_eq!(
            terms,
            vec![
                Term::Shortcode("a.b".into()),
                Term::Str("x y".into()),
                Term::Number(30.into()),
                Term::Number(serde_json::from_str("-1.5").unwrap()),
                Term::Bool(true),
                Term::Bool(false),
            ]
        );
        assert_eq!(e.operands[0].span, 3..6);
        assert_eq!(e.span, 0..text.len());
    }

    #[test]
    fn quoted_braces_and_bars_do_not_end_the_expression() {
        let StringValue::Whole(e) = StringValue::parse("{{a || '}}||'}}").unwrap() else { panic!() };
        assert_eq!(e.operands[1].term, Term::Str("}}||".into()));
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(err("x {{user.id").span, 2..11);
        assert!(err("{{user.id || }}").message.starts_with("empty operand"));
        assert_eq!(err("{{user.id || }}").span, 12..13);
        assert_eq!(err("{{ || a}}").span, 2..3);
        assert!(err("{{}}").message.starts_with("empty operand"));
        let dq = err("{{user.id || \"anon\"}}");
        assert!(dq.message.contains("double-quoted"));
        assert_eq!(dq.span, 13..19);
        assert!(err("{{a | b}}").message.contains("single `|`"));
        assert!(err("{{'abc}}").help.unwrap().contains("not closed"));
        assert!(err("{{'a' 'b'}}").message.contains("malformed string literal"));
        assert!(err("{{1x}}").message.contains("malformed number"));
        assert!(err("{{user..id}}").message.contains("not a shortcode"));
    }
}
