//! What every list endpoint shares, as Clerk's OpenAPI documents it: `limit` (1 to 500, default
//! 10), `offset` (default 0), `order_by` (`[+-]field`, `-created_at` by default where a list takes
//! one), and the two shapes of an answer: a bare array, or `{"data": [...], "total_count": N}` when
//! the request says `paginated=true` (what Clerk's official SDKs send) or the endpoint always pages.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::ApiError;

/// A request's query pairs (`user_id=a&user_id=b` keeps both).
pub(crate) struct Query<'q>(pub(crate) &'q [(String, String)]);

impl<'q> Query<'q> {
    /// Every value of `name`, in order; `name[]=` counts as `name=`.
    pub(crate) fn all(&self, name: &str) -> Vec<&'q str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name || k.strip_suffix("[]") == Some(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `name`.
    pub(crate) fn one(&self, name: &str) -> Option<&'q str> {
        self.all(name).into_iter().next()
    }

    fn number(
        &self,
        name: &str,
        default: usize,
        range: std::ops::RangeInclusive<usize>,
    ) -> Result<usize, ApiError> {
        let Some(text) = self.one(name) else { return Ok(default) };
        text.parse::<usize>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
            let upper =
                if *range.end() == usize::MAX { String::new() } else { format!(" to {}", range.end()) };
            ApiError::invalid(
                name,
                format!("`{name}` must be an integer from {}{upper}, not `{text}`.", range.start()),
            )
        })
    }

    /// `limit`, `offset` and `paginated`; `always_paged` for endpoints whose answer is always
    /// `{data, total_count}`.
    pub(crate) fn page(&self, always_paged: bool) -> Result<Page, ApiError> {
        let paginated = match self.one("paginated") {
            None => false,
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(other) => {
                return Err(ApiError::invalid(
                    "paginated",
                    format!("`paginated` must be true or false, not `{other}`."),
                ));
            }
        };
        Ok(Page {
            limit: self.number("limit", 10, 1..=500)?,
            offset: self.number("offset", 0, 0..=usize::MAX)?,
            paged: always_paged || paginated,
        })
    }

    /// `order_by` among `fields` (`-field` descending, `+field` or `field` ascending).
    pub(crate) fn order(&self, fields: &[&str], default: &str) -> Result<Order, ApiError> {
        let text = self.one("order_by").unwrap_or(default);
        let (descending, field) = match text.strip_prefix('-') {
            Some(field) => (true, field),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        if !fields.contains(&field) {
            return Err(ApiError::invalid(
                "order_by",
                format!("`order_by` must be one of {} (with `+` or `-`), not `{text}`.", fields.join(", ")),
            ));
        }
        Ok(Order { field: field.to_string(), descending })
    }
}

/// `limit`, `offset`, and which shape the answer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    limit: usize,
    offset: usize,
    paged: bool,
}

impl Page {
    /// The page of `items` (all that matched, in order): a bare array, or `{data, total_count}`.
    pub(crate) fn of(self, items: Vec<Value>) -> Value {
        let total = items.len();
        let data: Vec<Value> = items.into_iter().skip(self.offset).take(self.limit).collect();
        if self.paged { json!({"data": data, "total_count": total}) } else { Value::Array(data) }
    }
}

/// A sort order: the field of the JSON object, and its direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Order {
    field: String,
    descending: bool,
}

impl Order {
    /// Sorts `items` by the value `key` gives for the order's field (stable: ties keep their order).
    pub(crate) fn sort(&self, items: &mut [Value], key: impl Fn(&Value, &str) -> Value) {
        items.sort_by(|a, b| {
            let ordering = compare(&key(a, &self.field), &key(b, &self.field));
            if self.descending { ordering.reverse() } else { ordering }
        });
    }
}

/// The object's own field: what most orders sort by.
pub(crate) fn field(item: &Value, name: &str) -> Value {
    item.get(name).cloned().unwrap_or(Value::Null)
}

/// `null` first, then numbers, then strings (case-insensitively, as a person sorts names).
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(_), _) => Ordering::Less,
        (_, Value::Number(_)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn pages_in_both_shapes_with_clerks_bounds() {
        let items: Vec<Value> = (0..25).map(|i| json!({"n": i})).collect();
        let query = pairs(&[("limit", "5"), ("offset", "20")]);
        let page = Query(&query).page(false).unwrap();
        assert_eq!(page.of(items.clone()), json!([{"n": 20}, {"n": 21}, {"n": 22}, {"n": 23}, {"n": 24}]));
        let query = pairs(&[("paginated", "true"), ("offset", "24")]);
        assert_eq!(
            Query(&query).page(false).unwrap().of(items.clone()),
            json!({"data": [{"n": 24}], "total_count": 25})
        );
        assert_eq!(Query(&[]).page(true).unwrap().of(items)["data"].as_array().unwrap().len(), 10);
        for bad in [("limit", "0"), ("limit", "501"), ("offset", "-1"), ("paginated", "yes")] {
            let query = pairs(&[bad]);
            assert_eq!(Query(&query).page(false).unwrap_err().status, 422, "{bad:?}");
        }
    }

    #[test]
    fn orders_by_a_known_field_either_way() {
        let mut items = vec![json!({"name": "b", "created_at": 2}), json!({"name": "A", "created_at": 1})];
        let query = pairs(&[("order_by", "+name")]);
        Query(&query).order(&["name", "created_at"], "-created_at").unwrap().sort(&mut items, field);
        assert_eq!(items[0]["name"], "A");
        Query(&[]).order(&["name", "created_at"], "-created_at").unwrap().sort(&mut items, field);
        assert_eq!(items[0]["created_at"], 2);
        let query = pairs(&[("order_by", "-password")]);
        assert_eq!(Query(&query).order(&["name"], "name").unwrap_err().status, 422);
    }
}
