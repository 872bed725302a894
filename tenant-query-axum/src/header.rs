//! [`HeaderResolver`]: the tenant id in a request header.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use axum::http::header::HeaderName;
use axum::http::request::Parts;
use tenant_query::TenantId;

use crate::{TenantRejection, TenantResolver};

/// Reads the tenant id from a request header, `X-Tenant-Id` unless configured otherwise, and
/// parses it with `T`'s [`FromStr`].
///
/// | request | result |
/// | --- | --- |
/// | no such header | [`missing`](TenantRejection::missing) (401) |
/// | the header twice, empty, not ASCII, or `T::from_str` fails | [`malformed`](TenantRejection::malformed) (400) |
///
/// Use it only where the header can be trusted: set by a gateway that authenticated the
/// caller, or checked against the caller's identity by the application. A client that may
/// choose any tenant it likes is not isolated from the others.
///
/// ```
/// use tenant_query_axum::{HeaderResolver, TenantLayer};
///
/// let default: HeaderResolver<i64> = HeaderResolver::default(); // X-Tenant-Id
/// let custom = HeaderResolver::<String>::new(axum::http::HeaderName::from_static("x-org"));
/// let layer = TenantLayer::new(default);
/// ```
pub struct HeaderResolver<T> {
    name: HeaderName,
    id: PhantomData<fn() -> T>,
}

impl<T> HeaderResolver<T> {
    /// Reads the tenant from the header `name`.
    ///
    /// ```
    /// use axum::http::HeaderName;
    /// use tenant_query_axum::HeaderResolver;
    ///
    /// let resolver: HeaderResolver<i64> = HeaderResolver::new(HeaderName::from_static("x-org-id"));
    /// assert_eq!(resolver.header(), "x-org-id");
    /// ```
    pub fn new(name: HeaderName) -> Self {
        HeaderResolver {
            name,
            id: PhantomData,
        }
    }

    /// The header read.
    ///
    /// ```
    /// let resolver = tenant_query_axum::HeaderResolver::<i64>::default();
    /// assert_eq!(resolver.header(), "x-tenant-id");
    /// ```
    pub fn header(&self) -> &HeaderName {
        &self.name
    }

    fn parse(&self, parts: &Parts) -> Result<TenantId<T>, TenantRejection>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        let name = &self.name;
        let mut values = parts.headers.get_all(name).iter();
        let value = values
            .next()
            .ok_or_else(|| TenantRejection::missing(format!("header `{name}` is absent")))?;
        if values.next().is_some() {
            return Err(TenantRejection::malformed(format!(
                "header `{name}` is sent more than once"
            )));
        }
        let text = value.to_str().map_err(|_| {
            TenantRejection::malformed(format!("header `{name}` is not visible ASCII"))
        })?;
        let text = text.trim();
        if text.is_empty() {
            return Err(TenantRejection::malformed(format!(
                "header `{name}` is empty"
            )));
        }
        text.parse().map(TenantId::new).map_err(|error| {
            TenantRejection::malformed(format!("header `{name}` is not a tenant id: {error}"))
        })
    }
}

impl<T> Default for HeaderResolver<T> {
    /// Reads `X-Tenant-Id`.
    fn default() -> Self {
        HeaderResolver::new(HeaderName::from_static("x-tenant-id"))
    }
}

impl<T> Clone for HeaderResolver<T> {
    fn clone(&self) -> Self {
        HeaderResolver::new(self.name.clone())
    }
}

impl<T> fmt::Debug for HeaderResolver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderResolver")
            .field("name", &self.name)
            .finish()
    }
}

impl<T> TenantResolver for HeaderResolver<T>
where
    T: FromStr + Clone + Send + Sync + 'static,
    T::Err: fmt::Display,
{
    type Id = T;

    async fn resolve(&self, parts: &Parts) -> Result<TenantId<T>, TenantRejection> {
        self.parse(parts)
    }
}
