//! An entry point for the fuzz targets (`fuzz/`): one request through the dev issuer's router, in
//! process, no socket. Not an API: no stability, hidden from the docs.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use crate::{IssuerInfo, Shared, SigningKey, State};

/// The secret key the harness's issuer accepts.
pub const SECRET_KEY: &str = "sk_test_fuzz";

/// A dev issuer's router over an empty state, answering requests one at a time.
pub struct Harness {
    shared: Arc<Shared>,
    router: axum::Router,
    runtime: tokio::runtime::Runtime,
}

impl Harness {
    /// A harness with the development key (parsed once: it is the slow part).
    ///
    /// # Panics
    /// When no single-threaded tokio runtime can be built (the fuzz target cannot run at all).
    #[allow(clippy::expect_used)]
    pub fn new() -> Harness {
        let issuer = "http://127.0.0.1:1".to_string();
        let info = IssuerInfo {
            api_url: issuer.clone(),
            frontend_api: "127.0.0.1:1".into(),
            jwks_url: format!("{issuer}/.well-known/jwks.json"),
            publishable_key: "pk_test_MTI3LjAuMC4xOjEk".into(),
            secret_key: SECRET_KEY.into(),
            issuer,
        };
        let shared = Arc::new(Shared::new(State::default(), SigningKey::development(), info, None));
        let router = crate::api::router(shared.clone());
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a tokio runtime");
        Harness { shared, router, runtime }
    }

    /// The status and body of one request on a state emptied first; `None` when the method, URI or
    /// a header is not valid HTTP (no request could carry it).
    pub fn answer(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Option<(u16, Vec<u8>)> {
        *self.shared.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = State::default();
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::from(body.to_vec())).ok()?;
        self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await.ok()?;
            let status = response.status().as_u16();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.ok()?;
            Some((status, bytes.to_vec()))
        })
    }
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}
