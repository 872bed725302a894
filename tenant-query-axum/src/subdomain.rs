//! [`SubdomainResolver`]: `acme.example.com` → the tenant whose slug is `acme`.

use std::fmt;
use std::future::Future;

use axum::http::header::HOST;
use axum::http::request::Parts;
use tenant_query::TenantId;

use crate::{BoxError, TenantRejection, TenantResolver};

/// Takes the tenant's slug from the first label of the host (`acme` in `acme.example.com`)
/// and maps it to a tenant id with an async lookup the application supplies (a slug is
/// usually not the id itself).
///
/// The host comes from the `Host` header, or from the URI's authority (HTTP/2); the port and a
/// trailing dot are ignored, letters are compared in lower case.
///
/// | request | result |
/// | --- | --- |
/// | no host, the bare base domain, or a slug the lookup does not know (`Ok(None)`) | [`missing`](TenantRejection::missing) (401) |
/// | a host outside the base domain, a nested subdomain, a slug with characters other than `a-z`, `0-9`, `-` | [`malformed`](TenantRejection::malformed) (400) |
/// | the lookup fails (`Err`) | [`failed`](TenantRejection::failed) (500, logged) |
///
/// ```
/// use tenant_query::TenantId;
/// use tenant_query_axum::{BoxError, SubdomainResolver, TenantLayer};
///
/// let resolver = SubdomainResolver::new("example.com", |slug: String| async move {
///     // in a real service: SELECT id FROM tenants WHERE slug = $1
///     Ok::<_, BoxError>(match slug.as_str() {
///         "acme" => Some(TenantId::new(1_i64)),
///         "globex" => Some(TenantId::new(2_i64)),
///         _ => None,
///     })
/// });
/// let layer = TenantLayer::new(resolver);
/// ```
pub struct SubdomainResolver<F> {
    base: String,
    lookup: F,
}

impl<F> SubdomainResolver<F> {
    /// Tenants live at `<slug>.<base_domain>`; `lookup` maps a slug to its tenant, `Ok(None)`
    /// if there is none.
    ///
    /// ```
    /// use tenant_query::TenantId;
    /// use tenant_query_axum::{BoxError, SubdomainResolver};
    ///
    /// let resolver = SubdomainResolver::new("App.Example.com.", |_slug: String| async {
    ///     Ok::<Option<TenantId>, BoxError>(None)
    /// });
    /// assert_eq!(resolver.base_domain(), "app.example.com");
    /// ```
    pub fn new(base_domain: impl Into<String>, lookup: F) -> Self {
        let base = base_domain.into();
        SubdomainResolver {
            base: base.trim_matches('.').to_ascii_lowercase(),
            lookup,
        }
    }

    /// The domain under which tenants have their subdomains, in lower case.
    ///
    /// ```
    /// # use tenant_query_axum::{BoxError, SubdomainResolver};
    /// # let lookup = |_: String| async { Ok::<Option<tenant_query::TenantId>, BoxError>(None) };
    /// assert_eq!(SubdomainResolver::new("example.com", lookup).base_domain(), "example.com");
    /// ```
    pub fn base_domain(&self) -> &str {
        &self.base
    }

    /// The slug of the request's host, before the lookup.
    fn slug(&self, parts: &Parts) -> Result<String, TenantRejection> {
        let host = match parts.headers.get(HOST) {
            Some(value) => value
                .to_str()
                .map_err(|_| TenantRejection::malformed("header `host` is not visible ASCII"))?,
            None => parts
                .uri
                .host()
                .ok_or_else(|| TenantRejection::missing("the request names no host"))?,
        };
        let host = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let base = &self.base;
        if host == *base {
            return Err(TenantRejection::missing(format!(
                "the host `{host}` names no tenant: expected `<tenant>.{base}`"
            )));
        }
        let slug = host
            .strip_suffix(base.as_str())
            .and_then(|rest| rest.strip_suffix('.'))
            .ok_or_else(|| {
                TenantRejection::malformed(format!("the host `{host}` is not under `{base}`"))
            })?;
        let valid = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        if slug.is_empty() || !slug.bytes().all(valid) {
            return Err(TenantRejection::malformed(format!(
                "the subdomain `{slug}` is not a tenant slug (one label of a-z, 0-9, -)"
            )));
        }
        Ok(slug.to_owned())
    }
}

impl<F> fmt::Debug for SubdomainResolver<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubdomainResolver")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl<F, Fut, T> TenantResolver for SubdomainResolver<F>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<TenantId<T>>, BoxError>> + Send,
    T: Clone + Send + Sync + 'static,
{
    type Id = T;

    async fn resolve(&self, parts: &Parts) -> Result<TenantId<T>, TenantRejection> {
        let slug = self.slug(parts)?;
        match (self.lookup)(slug.clone()).await {
            Ok(Some(tenant)) => Ok(tenant),
            Ok(None) => Err(TenantRejection::missing(format!(
                "no tenant has the subdomain `{slug}`"
            ))),
            Err(error) => Err(TenantRejection::Failed(error)),
        }
    }
}
