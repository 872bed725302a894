//! [`TenantRejection`]: why a request has no tenant, and the response that says so.

use std::error::Error;
use std::fmt;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The error type a resolver may report: any error, boxed.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// Why a request could not be given a tenant. Returned by a
/// [`TenantResolver`](crate::TenantResolver), and the rejection of the
/// [`Tenant`](crate::Tenant) extractor and the [`TenantLayer`](crate::TenantLayer).
///
/// As a response:
///
/// | variant | status | body |
/// | --- | --- | --- |
/// | `Missing` | 401 | `{"error":"tenant_missing","detail":"…"}` |
/// | `Malformed` | 400 | `{"error":"tenant_malformed","detail":"…"}` |
/// | `Failed` | 500 | `{"error":"tenant_resolution_failed"}` (the cause is logged with `tracing`, never sent) |
///
/// ```
/// use axum::http::StatusCode;
/// use axum::response::IntoResponse;
/// use tenant_query_axum::TenantRejection;
///
/// let missing = TenantRejection::missing("header `x-tenant-id` is absent");
/// assert_eq!(missing.into_response().status(), StatusCode::UNAUTHORIZED);
///
/// let malformed = TenantRejection::malformed("header `x-tenant-id` is not an integer: `abc`");
/// assert_eq!(malformed.into_response().status(), StatusCode::BAD_REQUEST);
///
/// let failed = TenantRejection::failed("connection refused");
/// assert_eq!(failed.into_response().status(), StatusCode::INTERNAL_SERVER_ERROR);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum TenantRejection {
    /// The request does not say which tenant it is for (401). The detail says what was looked
    /// for, and is sent to the client.
    Missing(String),
    /// The request names a tenant, but not in a form the resolver accepts (400). The detail
    /// says what was wrong, and is sent to the client.
    Malformed(String),
    /// The resolver itself failed, e.g. its database was unreachable (500). The error is
    /// logged, and the client only learns that resolution failed.
    Failed(BoxError),
}

impl TenantRejection {
    /// A 401: the request does not say which tenant it is for. `detail` is sent to the client.
    ///
    /// ```
    /// let rejection = tenant_query_axum::TenantRejection::missing("no `Host` header");
    /// assert_eq!(rejection.to_string(), "no tenant: no `Host` header");
    /// ```
    pub fn missing(detail: impl Into<String>) -> Self {
        TenantRejection::Missing(detail.into())
    }

    /// A 400: the tenant named by the request is not well-formed. `detail` is sent to the client.
    ///
    /// ```
    /// let rejection = tenant_query_axum::TenantRejection::malformed("`x-tenant-id` is empty");
    /// assert_eq!(rejection.to_string(), "malformed tenant: `x-tenant-id` is empty");
    /// ```
    pub fn malformed(detail: impl Into<String>) -> Self {
        TenantRejection::Malformed(detail.into())
    }

    /// A 500: resolving failed. The error is logged, never sent to the client.
    ///
    /// ```
    /// let rejection = tenant_query_axum::TenantRejection::failed("pool timed out");
    /// assert_eq!(rejection.to_string(), "tenant resolution failed: pool timed out");
    /// ```
    pub fn failed(error: impl Into<BoxError>) -> Self {
        TenantRejection::Failed(error.into())
    }

    /// The HTTP status this rejection becomes.
    ///
    /// ```
    /// use tenant_query_axum::TenantRejection;
    ///
    /// assert_eq!(TenantRejection::missing("no header").status().as_u16(), 401);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            TenantRejection::Missing(_) => StatusCode::UNAUTHORIZED,
            TenantRejection::Malformed(_) => StatusCode::BAD_REQUEST,
            TenantRejection::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for TenantRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TenantRejection::Missing(detail) => write!(f, "no tenant: {detail}"),
            TenantRejection::Malformed(detail) => write!(f, "malformed tenant: {detail}"),
            TenantRejection::Failed(error) => write!(f, "tenant resolution failed: {error}"),
        }
    }
}

impl Error for TenantRejection {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            TenantRejection::Failed(error) => Some(&**error),
            _ => None,
        }
    }
}

impl IntoResponse for TenantRejection {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match self {
            TenantRejection::Missing(detail) => {
                serde_json::json!({ "error": "tenant_missing", "detail": detail })
            }
            TenantRejection::Malformed(detail) => {
                serde_json::json!({ "error": "tenant_malformed", "detail": detail })
            }
            TenantRejection::Failed(error) => {
                tracing::error!(error = %error, "tenant resolution failed");
                serde_json::json!({ "error": "tenant_resolution_failed" })
            }
        };
        (status, Json(body)).into_response()
    }
}
