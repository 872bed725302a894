//! [`TenantResolver`]: how the application finds the tenant of a request, and the resolvers
//! that need no code: [`PinnedTenant`] for tests and [`resolver_fn`] for a closure.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::request::Parts;
use tenant_query::TenantId;

use crate::TenantRejection;

/// Finds the tenant of a request: the one piece of tenant resolution the application supplies.
///
/// `resolve` sees the request's [`Parts`] (method, URI, headers, extensions) and returns the
/// tenant, or a [`TenantRejection`]: [`missing`](TenantRejection::missing) (401),
/// [`malformed`](TenantRejection::malformed) (400) or [`failed`](TenantRejection::failed)
/// (500, the error is logged and not sent). Implement it with `async fn` (a database lookup)
/// or with a body that never awaits (a header). The crate ships [`HeaderResolver`](crate::HeaderResolver),
/// [`SubdomainResolver`](crate::SubdomainResolver), [`PinnedTenant`] and [`resolver_fn`].
///
/// A resolver that reads a claim of a token an authentication layer has already verified and
/// put into the request's extensions:
///
/// ```
/// use axum::http::request::Parts;
/// use tenant_query::TenantId;
/// use tenant_query_axum::{TenantRejection, TenantResolver};
///
/// /// Put into the extensions by the authentication middleware, after verifying the token.
/// #[derive(Clone)]
/// struct Claims {
///     tenant: i64,
/// }
///
/// struct FromClaims;
///
/// impl TenantResolver for FromClaims {
///     type Id = i64;
///
///     async fn resolve(&self, parts: &Parts) -> Result<TenantId, TenantRejection> {
///         match parts.extensions.get::<Claims>() {
///             Some(claims) => Ok(TenantId::new(claims.tenant)),
///             None => Err(TenantRejection::missing("no verified token")),
///         }
///     }
/// }
/// ```
pub trait TenantResolver: Send + Sync + 'static {
    /// The type inside [`TenantId`]: the manifest's `tenant_id_type` (`i64`, `i32`, `Uuid`,
    /// `String`).
    type Id: Clone + Send + Sync + 'static;

    /// The tenant of the request described by `parts`.
    fn resolve(
        &self,
        parts: &Parts,
    ) -> impl Future<Output = Result<TenantId<Self::Id>, TenantRejection>> + Send;
}

/// A resolver that gives every request the same tenant, without looking at it: the equivalent
/// of overriding a dependency in tests. [`TenantLayer::pinned`](crate::TenantLayer::pinned) is
/// the short form.
///
/// ```
/// use tenant_query::TenantId;
/// use tenant_query_axum::{PinnedTenant, TenantLayer};
///
/// let layer = TenantLayer::new(PinnedTenant::new(TenantId::new(7_i64)));
/// ```
#[derive(Clone, Debug)]
pub struct PinnedTenant<T>(TenantId<T>);

impl<T> PinnedTenant<T> {
    /// Resolves every request to `tenant`.
    ///
    /// ```
    /// let pinned = tenant_query_axum::PinnedTenant::new(tenant_query::TenantId::new(1_i64));
    /// ```
    pub fn new(tenant: TenantId<T>) -> Self {
        PinnedTenant(tenant)
    }
}

impl<T: Clone + Send + Sync + 'static> TenantResolver for PinnedTenant<T> {
    type Id = T;

    async fn resolve(&self, _parts: &Parts) -> Result<TenantId<T>, TenantRejection> {
        Ok(self.0.clone())
    }
}

/// A synchronous resolver made of a closure, for rules too small for a type of their own.
///
/// ```
/// use axum::http::request::Parts;
/// use tenant_query::TenantId;
/// use tenant_query_axum::{resolver_fn, TenantLayer, TenantRejection};
///
/// // `/t/42/orders` → tenant 42
/// let from_path = resolver_fn(|parts: &Parts| -> Result<TenantId, TenantRejection> {
///     let mut segments = parts.uri.path().split('/').skip(1);
///     match (segments.next(), segments.next()) {
///         (Some("t"), Some(id)) => id
///             .parse()
///             .map(TenantId::new)
///             .map_err(|_| TenantRejection::malformed("the tenant segment is not an integer")),
///         _ => Err(TenantRejection::missing("the path does not start with /t/<tenant>")),
///     }
/// });
/// let layer = TenantLayer::new(from_path);
/// ```
pub fn resolver_fn<F, T>(resolve: F) -> FnResolver<F>
where
    F: Fn(&Parts) -> Result<TenantId<T>, TenantRejection> + Send + Sync + 'static,
{
    FnResolver(resolve)
}

/// The resolver made by [`resolver_fn`].
///
/// ```
/// use tenant_query::TenantId;
/// use tenant_query_axum::{resolver_fn, FnResolver};
///
/// let everyone_is_one = resolver_fn(|_: &axum::http::request::Parts| Ok(TenantId::new(1_i64)));
/// ```
#[derive(Clone, Debug)]
pub struct FnResolver<F>(F);

impl<F, T> TenantResolver for FnResolver<F>
where
    F: Fn(&Parts) -> Result<TenantId<T>, TenantRejection> + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    type Id = T;

    async fn resolve(&self, parts: &Parts) -> Result<TenantId<T>, TenantRejection> {
        (self.0)(parts)
    }
}

/// The future of a type-erased resolver.
type ResolveFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<TenantId<T>, TenantRejection>> + Send + 'a>>;

/// [`TenantResolver`] without its concrete type, so that the extractor can find it by the
/// tenant's type alone.
trait ErasedResolver<T>: Send + Sync {
    fn resolve_boxed<'a>(&'a self, parts: &'a Parts) -> ResolveFuture<'a, T>;
}

impl<R: TenantResolver> ErasedResolver<R::Id> for R {
    fn resolve_boxed<'a>(&'a self, parts: &'a Parts) -> ResolveFuture<'a, R::Id> {
        Box::pin(self.resolve(parts))
    }
}

/// A shared, type-erased resolver: what the layer puts into the request's extensions.
pub(crate) struct SharedResolver<T>(Arc<dyn ErasedResolver<T>>);

impl<T> Clone for SharedResolver<T> {
    fn clone(&self) -> Self {
        SharedResolver(Arc::clone(&self.0))
    }
}

impl<T: 'static> SharedResolver<T> {
    pub(crate) fn new<R: TenantResolver<Id = T>>(resolver: R) -> Self {
        SharedResolver(Arc::new(resolver))
    }

    pub(crate) async fn resolve(&self, parts: &Parts) -> Result<TenantId<T>, TenantRejection> {
        self.0.resolve_boxed(parts).await
    }
}
