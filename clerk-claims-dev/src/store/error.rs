//! Clerk's error envelope, and a request body's fields read with Clerk's parameter errors.

use std::ops::RangeInclusive;

use serde_json::{Map, Value, json};

use super::Metadata;
use crate::random_id;

/// A Backend API error: status and Clerk's error envelope. `Display` shows the status, the code and
/// what to do (`422 form_param_missing: `name` is required.`).
///
/// ```
/// fn create() -> Result<(), Box<dyn std::error::Error>> {
///     Err(clerk_claims_dev::ApiError::not_found("user", "user_1"))?
/// }
/// assert_eq!(create().unwrap_err().to_string(), "404 resource_not_found: No user was found with id `user_1`.");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `code` of the envelope's error.
    pub code: &'static str,
    /// `message`.
    pub message: String,
    /// `long_message`: what was wrong and what to send instead.
    pub long_message: String,
    /// `meta.param_name`, for errors about one parameter.
    pub param: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &'static str, message: &str, long_message: String) -> ApiError {
        ApiError { status, code, message: message.to_string(), long_message, param: None }
    }

    pub(crate) fn param(mut self, name: &str) -> ApiError {
        self.param = Some(name.to_string());
        self
    }

    #[doc(hidden)]
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(404, "resource_not_found", "not found", format!("No {what} was found with id `{id}`."))
    }

    pub(crate) fn invalid(param: &str, long_message: String) -> ApiError {
        ApiError::new(422, "form_param_value_invalid", "is invalid", long_message).param(param)
    }

    pub(crate) fn missing(param: &str) -> ApiError {
        ApiError::new(422, "form_param_missing", "missing", format!("`{param}` is required.")).param(param)
    }

    pub(crate) fn exists(param: &str, long_message: String) -> ApiError {
        ApiError::new(422, "form_identifier_exists", "already exists", long_message).param(param)
    }

    /// The error envelope (`{"errors": [...], "clerk_trace_id": ...}`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let issuer = clerk_claims_dev::DevIssuer::start().await.unwrap();
    /// let error = issuer.create_organization(serde_json::json!({})).unwrap_err();
    /// let body = error.body();
    /// assert_eq!((error.status, body["errors"][0]["code"].as_str()), (422, Some("form_param_missing")));
    /// assert_eq!(body["errors"][0]["meta"]["param_name"], "name");
    /// # }
    /// ```
    pub fn body(&self) -> Value {
        let mut error =
            json!({"message": self.message, "long_message": self.long_message, "code": self.code});
        if let (Some(param), Some(obj)) = (&self.param, error.as_object_mut()) {
            obj.insert("meta".into(), json!({"param_name": param}));
        }
        // A trace id only tells requests apart in a log: without randomness, it says so.
        let trace = random_id("", 32).unwrap_or_else(|_| "unavailable".to_string());
        json!({"errors": [error], "clerk_trace_id": trace})
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.long_message)
    }
}

/// An `ApiError` works with `?` into `Box<dyn Error>` and anyhow.
impl std::error::Error for ApiError {}

impl From<crate::RandomError> for ApiError {
    fn from(e: crate::RandomError) -> ApiError {
        ApiError::new(500, "internal_clerk_error", "internal error", e.to_string())
    }
}

/// The fields of a request body, with Clerk's parameter errors.
pub(crate) struct Body<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Body<'a> {
    pub(crate) fn string(&self, name: &str) -> Result<Option<&'a str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ApiError::invalid(name, format!("`{name}` must be a string, not {other}."))),
        }
    }

    pub(crate) fn required(&self, name: &str) -> Result<&'a str, ApiError> {
        self.string(name)?.filter(|s| !s.is_empty()).ok_or_else(|| ApiError::missing(name))
    }

    /// A non-negative integer in `range` (the engine's ranges for the Backend API's settings).
    pub(crate) fn integer(&self, name: &str, range: RangeInclusive<u64>) -> Result<Option<i64>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n))
                if let Some(n) =
                    n.as_u64().filter(|n| range.contains(n)).and_then(|n| i64::try_from(n).ok()) =>
            {
                Ok(Some(n))
            }
            Some(other) => Err(ApiError::invalid(
                name,
                format!(
                    "`{name}` must be an integer from {} to {}, not {other}.",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    pub(crate) fn metadata(&self, name: &str) -> Result<Option<&'a Metadata>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(other) => {
                Err(ApiError::invalid(name, format!("`{name}` must be a JSON object, not {other}.")))
            }
        }
    }

    pub(crate) fn strings(&self, name: &str) -> Result<Vec<&'a str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().ok_or_else(|| {
                        ApiError::invalid(name, format!("`{name}` must be an array of strings, not {item}."))
                    })
                })
                .collect(),
            Some(other) => {
                Err(ApiError::invalid(name, format!("`{name}` must be an array of strings, not {other}.")))
            }
        }
    }
}
