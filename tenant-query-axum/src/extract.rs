//! [`Tenant`]: the tenant of a request, as an axum extractor.

use std::any::type_name;
use std::ops::Deref;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use tenant_query::TenantId;

use crate::resolver::SharedResolver;
use crate::TenantRejection;

/// The tenant of the request, as an axum extractor: `Tenant(tenant): Tenant` in a handler's
/// arguments gives a [`TenantId`] to pass to `tenant_query!`.
///
/// The tenant comes from the [`TenantLayer`](crate::TenantLayer) on the router: the one it
/// resolved before routing, or else its resolver is run now (once; the result is kept in the
/// request's extensions). On failure the handler is not called and the request is answered
/// with the [`TenantRejection`] (401, 400, or 500). Without a `TenantLayer<T>` on the router,
/// extracting a `Tenant<T>` is a configuration error: 500, logged.
///
/// `Option<Tenant<T>>` gives `None` where the tenant is missing (malformed and failed still
/// reject).
///
/// `Tenant` wraps the `TenantId` because axum's `FromRequestParts` cannot be implemented for
/// `tenant_query::TenantId` outside those two crates (the orphan rule), and `tenant-query`
/// does not depend on a web framework.
///
/// ```
/// use axum::{routing::get, Router};
/// use tenant_query::TenantId;
/// use tenant_query_axum::{HeaderResolver, Tenant, TenantLayer};
///
/// async fn whoami(Tenant(tenant): Tenant) -> String {
///     let id: TenantId = tenant; // what tenant_query! takes
///     format!("tenant {id}")
/// }
///
/// let app: Router = Router::new()
///     .route("/whoami", get(whoami))
///     .layer(TenantLayer::new(HeaderResolver::<i64>::default()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tenant<T = i64>(pub TenantId<T>);

impl<T> Tenant<T> {
    /// The tenant id.
    ///
    /// ```
    /// use tenant_query::TenantId;
    /// use tenant_query_axum::Tenant;
    ///
    /// assert_eq!(Tenant(TenantId::new(3_i64)).into_inner(), TenantId::new(3));
    /// ```
    pub fn into_inner(self) -> TenantId<T> {
        self.0
    }
}

impl<T> Deref for Tenant<T> {
    type Target = TenantId<T>;

    fn deref(&self) -> &TenantId<T> {
        &self.0
    }
}

impl<T, S> FromRequestParts<S> for Tenant<T>
where
    T: Clone + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = TenantRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, TenantRejection> {
        if let Some(tenant) = parts.extensions.get::<Tenant<T>>() {
            return Ok(tenant.clone());
        }
        let Some(resolver) = parts.extensions.get::<SharedResolver<T>>().cloned() else {
            return Err(TenantRejection::failed(format!(
                "a handler extracts Tenant<{}>, but the router has no TenantLayer<{0}> \
                 (is the layer's tenant id type another one, e.g. i32?)",
                type_name::<T>()
            )));
        };
        let tenant = Tenant(resolver.resolve(parts).await?);
        parts.extensions.insert(tenant.clone());
        Ok(tenant)
    }
}

impl<T, S> OptionalFromRequestParts<S> for Tenant<T>
where
    T: Clone + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = TenantRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, TenantRejection> {
        match <Tenant<T> as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(tenant) => Ok(Some(tenant)),
            Err(TenantRejection::Missing(_)) => Ok(None),
            Err(rejection) => Err(rejection),
        }
    }
}
