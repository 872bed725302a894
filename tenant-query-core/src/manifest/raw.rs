//! The manifest as serde reads it: the shape of the TOML, with the position of every value.
//!
//! Each value is [`Lenient`], so a value of the wrong type is recorded and reported by the
//! checks instead of stopping deserialization: one wrong value does not hide the others.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// The keys allowed at the top of the manifest: the fields of [`RawManifest`].
pub(super) const TOP_KEYS: &[&str] = &[
    "dialect",
    "tenant_column",
    "tenant_id_type",
    "functions",
    "tables",
];
/// The keys allowed in a `[tables.NAME]` entry: the fields of [`RawTable`].
pub(super) const TABLE_KEYS: &[&str] = &["scope", "tenant_column", "columns", "unique"];

/// A value and its byte range in the manifest text, or serde's reason it has the wrong type.
///
/// Tables are never spanned: a table that only a header or a dotted key creates
/// (`[tables.orders]` creates `tables`) has no position. Their problems point at their key.
pub(super) type Field<T> = Spanned<Lenient<T>>;

/// The whole manifest.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawManifest {
    pub(super) dialect: Option<Field<String>>,
    pub(super) tenant_column: Option<Field<String>>,
    pub(super) tenant_id_type: Option<Field<String>>,
    pub(super) functions: Option<Field<Vec<Field<String>>>>,
    pub(super) tables: Option<Lenient<Keys<Lenient<RawTable>>>>,
}

/// One `[tables.NAME]` entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTable {
    pub(super) scope: Option<Field<String>>,
    pub(super) tenant_column: Option<Field<String>>,
    pub(super) columns: Option<Field<Vec<Field<String>>>>,
    pub(super) unique: Option<Field<Vec<UniqueKey>>>,
}

/// One key of a table's `unique` list: column names.
pub(super) type UniqueKey = Field<Vec<Field<String>>>;

/// Every key of the document, down to the keys of each table, with its position, whatever
/// the values hold: the input of the unknown-key check, which `deny_unknown_fields` alone
/// would stop at the first unknown key.
pub(super) type Outline = Keys<OutlineValue>;

/// A top-level value of the [`Outline`]: for `tables`, the keys of each table entry.
pub(super) type OutlineValue = Lenient<Keys<Lenient<Keys<IgnoredAny>>>>;

/// The keys of one TOML table.
pub(super) type Keys<V> = BTreeMap<Spanned<String>, V>;

/// A value that deserialized, or serde's message for why it did not.
///
/// Catching the error is sound here because the TOML deserializer hands every value over as
/// an owned subtree: a failed value leaves nothing half-read behind.
pub(super) struct Lenient<T>(pub(super) Result<T, String>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Lenient(T::deserialize(deserializer).map_err(|e| {
            let message = e.to_string();
            message.lines().next().unwrap_or_default().to_owned()
        })))
    }
}

impl<T> Lenient<T> {
    /// The value, when it has the right type.
    pub(super) fn ok(&self) -> Option<&T> {
        self.0.as_ref().ok()
    }
}
