//! Property tests of the expression parser: it never panics, and printing then parsing gives back
//! the same expression.

use clerk_claims_codegen::shortcode::{Expr, Operand, Part, StringValue, Term};
use clerk_claims_codegen::{Source, check_source, render};
use proptest::prelude::*;

fn term() -> impl Strategy<Value = Term> {
    prop_oneof![
        "[a-z][a-z_]{0,8}(\\.[A-Za-z0-9_-]{1,8}){0,3}".prop_map(Term::Shortcode),
        "[^'{}]{0,12}".prop_map(Term::Str),
        any::<i64>().prop_map(|n| Term::Number(n.into())),
        (-1e9f64..1e9).prop_map(|f| Term::Number(serde_json::Number::from_f64(f).unwrap())),
        any::<bool>().prop_map(Term::Bool),
    ]
    .prop_filter(
        "true/false are literals, not shortcodes",
        |t| !matches!(t, Term::Shortcode(s) if s == "true" || s == "false"),
    )
}

fn expr() -> impl Strategy<Value = Expr> {
    prop::collection::vec(term(), 1..5).prop_map(|terms| Expr {
        operands: terms.into_iter().map(|term| Operand { term, span: 0..0 }).collect(),
        span: 0..0,
    })
}

fn string_value() -> impl Strategy<Value = StringValue> {
    let text = "[^{]{1,10}";
    prop_oneof![
        expr().prop_map(StringValue::Whole),
        prop::collection::vec(prop_oneof![text.prop_map(Part::Text), expr().prop_map(Part::Expr)], 2..6)
            .prop_map(|parts| {
                // Adjacent texts would print as one; merge them as the parser would read them.
                let mut merged: Vec<Part> = Vec::new();
                for part in parts {
                    match (merged.last_mut(), part) {
                        (Some(Part::Text(prev)), Part::Text(next)) => prev.push_str(&next),
                        (_, part) => merged.push(part),
                    }
                }
                match merged.as_slice() {
                    [Part::Expr(e)] => StringValue::Whole(e.clone()),
                    [Part::Text(t)] => StringValue::Literal(t.clone()),
                    _ => StringValue::Interpolation(merged),
                }
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(s in ".{0,64}") {
        let _ = StringValue::parse(&s);
    }

    #[test]
    fn parse_never_panics_on_expression_soup(s in "[{}|' a-z.0-9\"-]{0,40}") {
        let _ = StringValue::parse(&s);
    }

    #[test]
    fn print_then_parse_round_trips(value in string_value()) {
        let printed = value.to_string();
        let parsed = StringValue::parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
        prop_assert_eq!(&parsed, &value, "printed as {}", printed);
        prop_assert_eq!(parsed.to_string(), printed);
    }

    #[test]
    fn check_and_render_never_panic_on_any_claim_string(s in "[{}|' a-z._0-9\"-]{0,40}") {
        let text = serde_json::json!({ "claim": s }).to_string();
        let checked = check_source(Source::new("t.json", text));
        for d in &checked.diagnostics {
            let _ = checked.source.render(d);
        }
        let _ = render(&serde_json::json!({ "claim": s }), &serde_json::json!({}));
    }
}
