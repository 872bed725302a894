//! [`TenantId`]: the only value the tenant-scoped macros accept as a tenant.

use std::fmt;

/// The id of one tenant: the value every tenant-scoped query is filtered on.
///
/// A newtype so that a tenant cannot be confused with any other integer or string: the
/// [`tenant_query!`](crate::tenant_query) family accepts a `TenantId` (or a reference to one)
/// and nothing else. There is deliberately no `Default` and no `From<i64>`: a tenant id is
/// constructed explicitly, where the application authenticates the request, with
/// [`TenantId::new`].
///
/// The inner type follows the manifest's `tenant_id_type`: `i64` (the default, so `TenantId`
/// means `TenantId<i64>`), `i32`, `uuid` (`sqlx::types::Uuid`) or `string` (`String`).
///
/// With the `serde` feature, it serializes as its inner value (for jobs that carry a tenant).
/// With the `sqlx` feature (on by default), it implements sqlx's `Type`, `Encode` and `Decode`
/// as its inner type does, so a `FromRow` struct can have a `tenant_id: TenantId` field and a
/// plain sqlx query can `.bind(tenant)`.
///
/// ```
/// use tenant_query::TenantId;
///
/// let acme: TenantId = TenantId::new(1);
/// assert_eq!(*acme.get(), 1);
/// assert_eq!(acme.to_string(), "1");
/// assert_ne!(acme, TenantId::new(2));
///
/// let named: TenantId<String> = TenantId::new("acme".to_owned());
/// assert_eq!(named.into_inner(), "acme");
/// ```
///
/// There is no implicit conversion from a bare integer:
///
/// ```compile_fail
/// let tenant: tenant_query::TenantId = 42.into();
/// ```
///
/// ```compile_fail
/// let tenant: tenant_query::TenantId = Default::default();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct TenantId<T = i64>(T);

impl<T> TenantId<T> {
    /// Wraps the id of an authenticated tenant.
    ///
    /// ```
    /// let tenant = tenant_query::TenantId::new(7_i64);
    /// assert_eq!(*tenant.get(), 7);
    /// ```
    pub const fn new(id: T) -> Self {
        TenantId(id)
    }

    /// The inner value, for logging or for binding it yourself.
    ///
    /// ```
    /// let tenant = tenant_query::TenantId::new(7_i64);
    /// let raw: i64 = *tenant.get();
    /// assert_eq!(raw, 7);
    /// ```
    pub const fn get(&self) -> &T {
        &self.0
    }

    /// Unwraps the inner value.
    ///
    /// ```
    /// let tenant = tenant_query::TenantId::new(String::from("acme"));
    /// assert_eq!(tenant.into_inner(), "acme");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for TenantId<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TenantId").field(&self.0).finish()
    }
}

impl<T: fmt::Display> fmt::Display for TenantId<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Implemented by the values a tenant-scoped macro accepts as its tenant argument:
/// `TenantId<T>` and references to it.
#[diagnostic::on_unimplemented(
    message = "the tenant argument must be a `tenant_query::TenantId<{T}>`, found `{Self}`",
    label = "expected `TenantId<{T}>` (or a reference to one) here",
    note = "construct the tenant explicitly where the request is authenticated: `TenantId::new(id)`",
    note = "the inner type `{T}` comes from `tenant_id_type` in tenant-schema.toml",
    note = "for a user of several tenants, use `tenant_set_query!` with a `TenantSet`"
)]
pub trait TenantArg<T> {
    /// The tenant id.
    fn tenant_id(&self) -> &TenantId<T>;
}

#[diagnostic::do_not_recommend]
impl<T> TenantArg<T> for TenantId<T> {
    fn tenant_id(&self) -> &TenantId<T> {
        self
    }
}

#[diagnostic::do_not_recommend]
impl<T, A: TenantArg<T> + ?Sized> TenantArg<T> for &A {
    fn tenant_id(&self) -> &TenantId<T> {
        (**self).tenant_id()
    }
}
