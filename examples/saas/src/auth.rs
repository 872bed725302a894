//! Who is calling: the tenant of an API key, and the operator's admin token.

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use tenant_query::{unscoped_query_scalar, TenantId};
use tenant_query_axum::{TenantRejection, TenantResolver};

use crate::Pool;

/// Resolves `Authorization: Bearer <api key>` to the tenant that owns the key.
///
/// The client cannot name a tenant: it can only present a key, and the key decides.
pub struct ApiKeyResolver {
    pool: Pool,
}

impl ApiKeyResolver {
    /// Looks keys up in `pool`'s `tenants` table.
    pub fn new(pool: Pool) -> Self {
        ApiKeyResolver { pool }
    }
}

impl TenantResolver for ApiKeyResolver {
    type Id = i64;

    async fn resolve(&self, parts: &Parts) -> Result<TenantId, TenantRejection> {
        let key = bearer_token(&parts.headers)?;
        let tenant = unscoped_query_scalar!(
            i64,
            reason = "resolving a request's tenant: the tenants table is global",
            "SELECT id FROM tenants WHERE api_key = $1",
            key
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(TenantRejection::failed)?;
        tenant
            .map(TenantId::new)
            .ok_or_else(|| TenantRejection::missing("the API key belongs to no tenant"))
    }
}

/// The token of `Authorization: Bearer <token>`.
fn bearer_token(headers: &HeaderMap) -> Result<&str, TenantRejection> {
    let value = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| TenantRejection::missing("header `authorization` is absent"))?;
    value
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            TenantRejection::malformed("header `authorization` is not `Bearer <api key>`")
        })
}

/// Whether the request carries the operator's token in `X-Admin-Token`.
///
/// The admin routes are the only ones that read across tenants (`unscoped_query!`), so they
/// have an authorisation of their own, unrelated to any tenant's API key.
pub fn is_admin(headers: &HeaderMap, admin_token: &str) -> bool {
    let given = headers.get("x-admin-token").map(|value| value.as_bytes());
    // Compare every byte, so that the time taken does not tell how much of a guess was right.
    given.is_some_and(|given| {
        given.len() == admin_token.len()
            && given
                .iter()
                .zip(admin_token.as_bytes())
                .fold(0, |diff, (a, b)| diff | (a ^ b))
                == 0
    })
}
