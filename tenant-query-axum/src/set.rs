//! Tenant sets: [`Tenants`], the [`TenantSet`] of a request, found by a [`TenantSetResolver`]
//! that a [`TenantSetLayer`] installs, for `tenant_set_query!`.

use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use tenant_query::TenantSet;
use tower::{Layer, Service};

use crate::TenantRejection;

/// Finds the tenants of a request, for users who belong to several: the set counterpart of
/// [`TenantResolver`](crate::TenantResolver), with the same rejections (401 missing, 400
/// malformed, 500 failed, logged and not sent).
///
/// A resolver that reads the memberships an authentication layer has verified:
///
/// ```
/// use axum::http::request::Parts;
/// use tenant_query::{TenantId, TenantSet};
/// use tenant_query_axum::{TenantRejection, TenantSetResolver};
///
/// /// Put into the extensions by the authentication middleware, after verifying the token.
/// #[derive(Clone)]
/// struct Claims {
///     tenants: Vec<i64>,
/// }
///
/// struct Memberships;
///
/// impl TenantSetResolver for Memberships {
///     type Id = i64;
///
///     async fn resolve(&self, parts: &Parts) -> Result<TenantSet, TenantRejection> {
///         let claims = parts
///             .extensions
///             .get::<Claims>()
///             .ok_or_else(|| TenantRejection::missing("no verified token"))?;
///         TenantSet::new(claims.tenants.iter().copied().map(TenantId::new))
///             .map_err(|_| TenantRejection::missing("the token names no tenant"))
///     }
/// }
/// ```
pub trait TenantSetResolver: Send + Sync + 'static {
    /// The type inside each tenant id: the manifest's `tenant_id_type`.
    type Id: Clone + Send + Sync + 'static;

    /// The tenants of the request described by `parts`.
    fn resolve(
        &self,
        parts: &Parts,
    ) -> impl Future<Output = Result<TenantSet<Self::Id>, TenantRejection>> + Send;
}

/// Gives every request the same set, without looking at it: for tests.
impl<T: Clone + Send + Sync + 'static> TenantSetResolver for TenantSet<T> {
    type Id = T;

    async fn resolve(&self, _parts: &Parts) -> Result<TenantSet<T>, TenantRejection> {
        Ok(self.clone())
    }
}

/// The future of a type-erased set resolver.
type ResolveFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<TenantSet<T>, TenantRejection>> + Send + 'a>>;

trait ErasedSetResolver<T>: Send + Sync {
    fn resolve_boxed<'a>(&'a self, parts: &'a Parts) -> ResolveFuture<'a, T>;
}

impl<R: TenantSetResolver> ErasedSetResolver<R::Id> for R {
    fn resolve_boxed<'a>(&'a self, parts: &'a Parts) -> ResolveFuture<'a, R::Id> {
        Box::pin(self.resolve(parts))
    }
}

/// A shared, type-erased set resolver, in the request's extensions.
struct SharedSetResolver<T>(Arc<dyn ErasedSetResolver<T>>);

impl<T> Clone for SharedSetResolver<T> {
    fn clone(&self) -> Self {
        SharedSetResolver(Arc::clone(&self.0))
    }
}

/// Installs a [`TenantSetResolver`] on a router; handlers that extract [`Tenants`] run it
/// (once per request). Routes that do not extract `Tenants` are not affected, so the layer
/// sits beside a [`TenantLayer`](crate::TenantLayer) when some routes act for one tenant and
/// others for all of the user's.
///
/// ```
/// use axum::{routing::get, Router};
/// use tenant_query::{TenantId, TenantSet};
/// use tenant_query_axum::{TenantSetLayer, Tenants};
///
/// async fn mine(Tenants(tenants): Tenants) -> String {
///     format!("{} tenants", tenants.len())
/// }
///
/// // In tests, a pinned set; in production, your resolver.
/// let set = TenantSet::new([TenantId::new(1_i64), TenantId::new(2)]).unwrap();
/// let app: Router = Router::new().route("/mine", get(mine)).layer(TenantSetLayer::new(set));
/// ```
pub struct TenantSetLayer<T> {
    resolver: SharedSetResolver<T>,
}

impl<T: Clone + Send + Sync + 'static> TenantSetLayer<T> {
    /// A layer that resolves sets with `resolver`. A [`TenantSet`] is itself a resolver that
    /// pins the set, for tests.
    ///
    /// ```
    /// use tenant_query::{TenantId, TenantSet};
    ///
    /// let pinned = tenant_query_axum::TenantSetLayer::new(TenantSet::single(TenantId::new(7_i64)));
    /// ```
    pub fn new(resolver: impl TenantSetResolver<Id = T>) -> Self {
        TenantSetLayer {
            resolver: SharedSetResolver(Arc::new(resolver)),
        }
    }
}

impl<T> Clone for TenantSetLayer<T> {
    fn clone(&self) -> Self {
        TenantSetLayer {
            resolver: self.resolver.clone(),
        }
    }
}

impl<T> fmt::Debug for TenantSetLayer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantSetLayer").finish_non_exhaustive()
    }
}

impl<S, T> Layer<S> for TenantSetLayer<T> {
    type Service = TenantSetService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        TenantSetService {
            inner,
            resolver: self.resolver.clone(),
        }
    }
}

/// The service of a [`TenantSetLayer`]: puts the resolver into each request's extensions.
pub struct TenantSetService<S, T> {
    inner: S,
    resolver: SharedSetResolver<T>,
}

impl<S: Clone, T> Clone for TenantSetService<S, T> {
    fn clone(&self) -> Self {
        TenantSetService {
            inner: self.inner.clone(),
            resolver: self.resolver.clone(),
        }
    }
}

impl<S, T> fmt::Debug for TenantSetService<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantSetService").finish_non_exhaustive()
    }
}

impl<S, T> Service<Request> for TenantSetService<S, T>
where
    S: Service<Request>,
    T: 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        request.extensions_mut().insert(self.resolver.clone());
        self.inner.call(request)
    }
}

/// The tenants of the request, as an axum extractor: `Tenants(tenants): Tenants` gives a
/// [`TenantSet`] to pass to `tenant_set_query!`.
///
/// The set comes from the [`TenantSetLayer`]'s resolver, run once per request. On failure
/// the handler is not called and the request is answered with the [`TenantRejection`] (401,
/// 400 or 500). Without a `TenantSetLayer<T>` on the router, extracting `Tenants<T>` is a
/// configuration error: 500, logged.
///
/// ```
/// use sqlx::SqlitePool;
/// use tenant_query::tenant_set_query_scalar;
/// use tenant_query_axum::Tenants;
///
/// async fn order_count(pool: SqlitePool, Tenants(tenants): Tenants) -> Result<i64, sqlx::Error> {
///     tenant_set_query_scalar!(i64, &tenants, "SELECT count(*) FROM orders")
///         .fetch_one(&pool)
///         .await
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tenants<T = i64>(pub TenantSet<T>);

impl<T> Tenants<T> {
    /// The tenant set.
    ///
    /// ```
    /// use tenant_query::{TenantId, TenantSet};
    ///
    /// let set = TenantSet::single(TenantId::new(3_i64));
    /// assert_eq!(tenant_query_axum::Tenants(set.clone()).into_inner(), set);
    /// ```
    pub fn into_inner(self) -> TenantSet<T> {
        self.0
    }
}

impl<T> Deref for Tenants<T> {
    type Target = TenantSet<T>;

    fn deref(&self) -> &TenantSet<T> {
        &self.0
    }
}

impl<T, S> FromRequestParts<S> for Tenants<T>
where
    T: Clone + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = TenantRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, TenantRejection> {
        if let Some(tenants) = parts.extensions.get::<Tenants<T>>() {
            return Ok(tenants.clone());
        }
        let Some(resolver) = parts.extensions.get::<SharedSetResolver<T>>().cloned() else {
            return Err(TenantRejection::failed(format!(
                "a handler extracts Tenants<{}>, but the router has no TenantSetLayer<{0}>",
                type_name::<T>()
            )));
        };
        let tenants = Tenants(resolver.0.resolve_boxed(parts).await?);
        parts.extensions.insert(tenants.clone());
        Ok(tenants)
    }
}
