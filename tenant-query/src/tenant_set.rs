//! [`TenantSet`]: the tenants of a user who belongs to several, for `tenant_set_query!`.

use std::fmt;

use crate::TenantId;

/// A non-empty set of tenant ids: the value the [`tenant_set_query!`](crate::tenant_set_query)
/// family scopes its statement to, for users who belong to several tenants.
///
/// It is built explicitly from [`TenantId`]s, where the application authenticates the request,
/// with [`TenantSet::new`], which refuses an empty set ([`EmptyTenantSet`]): an empty set
/// would make every query return nothing, which hides the bug that produced it. There is no
/// `Default` and no conversion from bare ids. The ids are deduplicated and kept sorted.
///
/// With the `serde` feature, it serializes as a sequence of ids, and deserializing an empty
/// sequence fails.
///
/// ```
/// use tenant_query::{TenantId, TenantSet};
///
/// let set = TenantSet::new([TenantId::new(3), TenantId::new(1), TenantId::new(3)])?;
/// assert_eq!(set.len(), 2);
/// assert!(set.contains(&TenantId::new(1)));
/// assert_eq!(set.iter().map(|t| *t.get()).collect::<Vec<i64>>(), [1, 3]);
///
/// let none: Vec<TenantId> = Vec::new();
/// assert!(TenantSet::new(none).is_err());
/// # Ok::<(), tenant_query::EmptyTenantSet>(())
/// ```
///
/// ```compile_fail
/// let tenants: tenant_query::TenantSet = Default::default();
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TenantSet<T = i64>(Vec<TenantId<T>>);

/// The error of [`TenantSet::new`] given no tenant.
///
/// ```
/// let err = tenant_query::TenantSet::<i64>::new([]).unwrap_err();
/// assert_eq!(err.to_string(), "a tenant set must hold at least one tenant");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EmptyTenantSet;

impl fmt::Display for EmptyTenantSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tenant set must hold at least one tenant")
    }
}

impl std::error::Error for EmptyTenantSet {}

impl<T: Ord> TenantSet<T> {
    /// The set of `tenants`, without repeats; an error if there are none.
    ///
    /// ```
    /// use tenant_query::{TenantId, TenantSet};
    ///
    /// let memberships = vec![TenantId::new(7_i64), TenantId::new(9)];
    /// let set = TenantSet::new(memberships)?;
    /// assert_eq!(set.len(), 2);
    /// # Ok::<(), tenant_query::EmptyTenantSet>(())
    /// ```
    pub fn new(tenants: impl IntoIterator<Item = TenantId<T>>) -> Result<Self, EmptyTenantSet> {
        let mut ids: Vec<TenantId<T>> = tenants.into_iter().collect();
        if ids.is_empty() {
            return Err(EmptyTenantSet);
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(TenantSet(ids))
    }

    /// Whether `tenant` belongs to the set.
    ///
    /// ```
    /// use tenant_query::{TenantId, TenantSet};
    ///
    /// let set = TenantSet::new([TenantId::new(1), TenantId::new(2)])?;
    /// assert!(set.contains(&TenantId::new(2)));
    /// assert!(!set.contains(&TenantId::new(3)));
    /// # Ok::<(), tenant_query::EmptyTenantSet>(())
    /// ```
    pub fn contains(&self, tenant: &TenantId<T>) -> bool {
        self.0.binary_search(tenant).is_ok()
    }
}

impl<T> TenantSet<T> {
    /// The set of one tenant.
    ///
    /// ```
    /// use tenant_query::{TenantId, TenantSet};
    ///
    /// let set = TenantSet::single(TenantId::new(1));
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn single(tenant: TenantId<T>) -> Self {
        TenantSet(vec![tenant])
    }

    /// How many tenants the set holds: at least one.
    ///
    /// ```
    /// let set = tenant_query::TenantSet::single(tenant_query::TenantId::new(1));
    /// assert_eq!(set.len(), 1);
    /// ```
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The tenants, in ascending order.
    ///
    /// ```
    /// use tenant_query::{TenantId, TenantSet};
    ///
    /// let set = TenantSet::new([TenantId::new(2), TenantId::new(1)])?;
    /// assert_eq!(set.iter().collect::<Vec<_>>(), [&TenantId::new(1), &TenantId::new(2)]);
    /// # Ok::<(), tenant_query::EmptyTenantSet>(())
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, TenantId<T>> {
        self.0.iter()
    }

    /// The tenants, in ascending order.
    ///
    /// ```
    /// let set = tenant_query::TenantSet::single(tenant_query::TenantId::new(4));
    /// assert_eq!(set.as_slice(), [tenant_query::TenantId::new(4)]);
    /// ```
    pub fn as_slice(&self) -> &[TenantId<T>] {
        &self.0
    }
}

impl<T: Ord> From<TenantId<T>> for TenantSet<T> {
    /// The set of one tenant, as [`TenantSet::single`].
    fn from(tenant: TenantId<T>) -> Self {
        TenantSet::single(tenant)
    }
}

impl<'a, T> IntoIterator for &'a TenantSet<T> {
    type Item = &'a TenantId<T>;
    type IntoIter = std::slice::Iter<'a, TenantId<T>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for TenantSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TenantSet").field(&self.0).finish()
    }
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize> serde::Serialize for TenantSet<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de, T: serde::Deserialize<'de> + Ord> serde::Deserialize<'de> for TenantSet<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let ids = Vec::<TenantId<T>>::deserialize(deserializer)?;
        TenantSet::new(ids).map_err(serde::de::Error::custom)
    }
}

/// Implemented by the values `tenant_set_query!` accepts as its tenants: `TenantSet<T>` and
/// references to it.
#[diagnostic::on_unimplemented(
    message = "the tenants of `tenant_set_query!` must be a `tenant_query::TenantSet<{T}>`, found `{Self}`",
    label = "expected `TenantSet<{T}>` (or a reference to one) here",
    note = "build the set explicitly: `TenantSet::new(memberships)?`, or `TenantSet::single(tenant)`",
    note = "for one tenant, use `tenant_query!` with its `TenantId`"
)]
pub trait TenantSetArg<T> {
    /// The tenant set.
    fn tenant_set(&self) -> &TenantSet<T>;
}

#[diagnostic::do_not_recommend]
impl<T> TenantSetArg<T> for TenantSet<T> {
    fn tenant_set(&self) -> &TenantSet<T> {
        self
    }
}

#[diagnostic::do_not_recommend]
impl<T, A: TenantSetArg<T> + ?Sized> TenantSetArg<T> for &A {
    fn tenant_set(&self) -> &TenantSet<T> {
        (**self).tenant_set()
    }
}

/// How a tenant id is written in the JSON array that SQLite and MySQL receive a set as.
pub trait JsonTenantId {
    /// Appends the id as a JSON value.
    fn write_json(&self, out: &mut String);
}

macro_rules! json_integer {
    ($($ty:ty),*) => {$(
        impl JsonTenantId for $ty {
            fn write_json(&self, out: &mut String) {
                out.push_str(&self.to_string());
            }
        }
    )*};
}
json_integer!(i64, i32);

impl JsonTenantId for String {
    fn write_json(&self, out: &mut String) {
        out.push('"');
        for c in self.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

/// The set as the text of a JSON array: `[1,2]`, `["a","b\"c"]`.
pub fn json_array<T: JsonTenantId>(set: &TenantSet<T>) -> String {
    let mut out = String::with_capacity(2 + set.len() * 8);
    out.push('[');
    for (i, tenant) in set.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        tenant.get().write_json(&mut out);
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_arrays_escape_strings_and_keep_integers() {
        let ints = TenantSet::new([TenantId::new(-3_i64), TenantId::new(12)]).unwrap();
        assert_eq!(json_array(&ints), "[-3,12]");
        let names =
            TenantSet::new(["a\"b", "c\\d", "e\nf", "ü'"].map(|s| TenantId::new(s.to_owned())))
                .unwrap();
        assert_eq!(json_array(&names), r#"["a\"b","c\\d","e\u000af","ü'"]"#);
    }

    #[test]
    fn a_set_is_sorted_without_repeats() {
        let set = TenantSet::new([3, 1, 3, 2].map(TenantId::new)).unwrap();
        assert_eq!(set.as_slice(), [1, 2, 3].map(TenantId::new));
        assert_eq!(TenantSet::<i32>::new([]), Err(EmptyTenantSet));
    }
}
