//! [`TenantLayer`]: installs the resolver on a router and, by default, requires a tenant on
//! every route.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{MatchedPath, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tenant_query::TenantId;
use tower::{Layer, Service};

use crate::resolver::SharedResolver;
use crate::{PinnedTenant, Tenant, TenantResolver};

/// A tower layer that installs a [`TenantResolver`] on a router.
///
/// - [`TenantLayer::new`] resolves the tenant of every request before it is routed to a
///   handler. A request without one is answered 401/400/500 (see
///   [`TenantRejection`](crate::TenantRejection)) and never reaches a handler. The paths given to
///   [`skip`](TenantLayer::skip) (health checks) pass through unresolved.
/// - [`TenantLayer::on_demand`] resolves nothing up front: a handler that takes a
///   [`Tenant`] extractor resolves it, and is not called if that fails; the other handlers run
///   without a tenant.
/// - [`TenantLayer::pinned`] gives every request the same tenant: for tests.
///
/// Either way, a [`Tenant`] extractor in a handler reads the tenant resolved here (it is
/// resolved at most once per request).
///
/// ```
/// use axum::{routing::get, Router};
/// use tenant_query_axum::{HeaderResolver, Tenant, TenantLayer};
///
/// async fn orders(Tenant(tenant): Tenant) -> String {
///     format!("orders of tenant {tenant}")
/// }
///
/// let app: Router = Router::new()
///     .route("/orders", get(orders))
///     .route("/health", get(|| async { "ok" }))
///     .layer(TenantLayer::new(HeaderResolver::<i64>::default()).skip("/health"));
/// ```
pub struct TenantLayer<T> {
    resolver: SharedResolver<T>,
    eager: bool,
    skip: Arc<[String]>,
}

impl<T: Clone + Send + Sync + 'static> TenantLayer<T> {
    /// Requires a tenant on every route (except the [skipped](TenantLayer::skip) ones),
    /// resolved by `resolver` before the request is routed to a handler.
    ///
    /// ```
    /// let layer = tenant_query_axum::TenantLayer::new(tenant_query_axum::HeaderResolver::<i64>::default());
    /// ```
    pub fn new(resolver: impl TenantResolver<Id = T>) -> Self {
        TenantLayer {
            resolver: SharedResolver::new(resolver),
            eager: true,
            skip: Arc::new([]),
        }
    }

    /// Installs `resolver` for the handlers that ask for a [`Tenant`], and requires nothing of
    /// the others.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use tenant_query_axum::{HeaderResolver, Tenant, TenantLayer};
    ///
    /// let app: Router = Router::new()
    ///     .route("/orders", get(|Tenant(t): Tenant| async move { t.to_string() }))
    ///     .route("/", get(|| async { "welcome" }))
    ///     .layer(TenantLayer::on_demand(HeaderResolver::<i64>::default()));
    /// ```
    pub fn on_demand(resolver: impl TenantResolver<Id = T>) -> Self {
        TenantLayer {
            eager: false,
            ..TenantLayer::new(resolver)
        }
    }

    /// Every request gets `tenant`, whatever it says: the test double of a real resolver.
    ///
    /// The layer's `T` must be the extractor's: `TenantId::new(7)` alone is a
    /// `TenantId<i32>` (Rust's integer fallback), which a `Tenant` (`Tenant<i64>`) does not
    /// find; write `7_i64`, or annotate the type.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use tenant_query::TenantId;
    /// use tenant_query_axum::{Tenant, TenantLayer};
    ///
    /// let app: Router = Router::new()
    ///     .route("/whoami", get(|Tenant(t): Tenant| async move { t.to_string() }))
    ///     .layer(TenantLayer::pinned(TenantId::new(7_i64)));
    /// ```
    pub fn pinned(tenant: TenantId<T>) -> Self {
        TenantLayer::new(PinnedTenant::new(tenant))
    }

    /// Lets requests for `path` through without a tenant: compared with the request's path and
    /// with the route pattern it matched (`/health`, `/items/{id}`). Their handlers can still
    /// ask for a [`Tenant`], which is then resolved on demand.
    ///
    /// ```
    /// let layer = tenant_query_axum::TenantLayer::new(tenant_query_axum::HeaderResolver::<i64>::default())
    ///     .skip("/health")
    ///     .skip("/ready");
    /// ```
    pub fn skip(mut self, path: impl Into<String>) -> Self {
        let mut skip = self.skip.to_vec();
        skip.push(path.into());
        self.skip = skip.into();
        self
    }

    fn skips(&self, parts: &Parts) -> bool {
        let matched = parts
            .extensions
            .get::<MatchedPath>()
            .map(MatchedPath::as_str);
        self.skip
            .iter()
            .any(|path| path == parts.uri.path() || Some(path.as_str()) == matched)
    }

    /// Puts the resolver, and in eager mode the tenant, into the request's extensions.
    async fn prepare(&self, parts: &mut Parts) -> Result<(), Response> {
        parts.extensions.insert(self.resolver.clone());
        if self.eager && !self.skips(parts) {
            let tenant = self.resolver.resolve(parts).await;
            parts
                .extensions
                .insert(Tenant(tenant.map_err(IntoResponse::into_response)?));
        }
        Ok(())
    }
}

impl<T> Clone for TenantLayer<T> {
    fn clone(&self) -> Self {
        TenantLayer {
            resolver: self.resolver.clone(),
            eager: self.eager,
            skip: Arc::clone(&self.skip),
        }
    }
}

impl<T> fmt::Debug for TenantLayer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantLayer")
            .field("eager", &self.eager)
            .field("skip", &self.skip)
            .finish_non_exhaustive()
    }
}

impl<S, T> Layer<S> for TenantLayer<T> {
    type Service = TenantService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        TenantService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`TenantLayer`]; see there.
///
/// ```
/// use tower::Layer;
/// use tenant_query_axum::{TenantLayer, TenantService};
///
/// let handler: axum::routing::MethodRouter = axum::routing::get(|| async { "ok" });
/// let service: TenantService<_, i64> = TenantLayer::pinned(tenant_query::TenantId::new(1_i64)).layer(handler);
/// ```
pub struct TenantService<S, T> {
    inner: S,
    layer: TenantLayer<T>,
}

impl<S: Clone, T> Clone for TenantService<S, T> {
    fn clone(&self) -> Self {
        TenantService {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<S, T> fmt::Debug for TenantService<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantService")
            .field("layer", &self.layer)
            .finish_non_exhaustive()
    }
}

impl<S, T> Service<Request> for TenantService<S, T>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send,
    T: Clone + Send + Sync + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone is not ready; the ready one (polled above) serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            if let Err(rejection) = layer.prepare(&mut parts).await {
                return Ok(rejection);
            }
            inner.call(Request::from_parts(parts, body)).await
        })
    }
}
