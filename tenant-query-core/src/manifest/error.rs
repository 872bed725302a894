//! What is wrong with a manifest: every problem, with its key, position, reason and fix.

use std::fmt;
use std::ops::Range;

use crate::diagnostic::Location;

/// An invalid manifest: which file, and every problem found in it.
///
/// Its [`Display`](fmt::Display) form shows one problem per line, each with the file, the
/// position, the dotted key, what is wrong and the fix.
///
/// ```
/// use tenant_query_core::{Location, Manifest};
///
/// let text = r#"
/// dialect = "postgres"
/// [tables.orders]
/// scope = "tenent"
/// [tables.users]
/// scope = "tenant"
/// colums = ["id", "tenant_id"]
/// "#;
/// let e = Manifest::from_toml_str(text, "tenant-schema.toml").unwrap_err();
/// assert_eq!(e.errors.len(), 2);
/// assert_eq!(e.errors[0].key.as_deref(), Some("tables.orders.scope"));
/// assert_eq!(e.errors[0].span.map(|(start, _)| start), Some(Location { line: 4, column: 9 }));
/// assert_eq!(
///     e.to_string(),
///     "tenant-schema.toml:4:9: `tables.orders.scope`: unknown scope \"tenent\"; \
///      expected \"tenant\" or \"global\"\n\
///      tenant-schema.toml:7:1: `tables.users.colums`: unknown key; did you mean `columns`? \
///      (allowed: `scope`, `tenant_column`, `columns`)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// The file (or other origin) the manifest came from.
    pub origin: String,
    /// Every problem, in the order of the text; never empty.
    pub errors: Vec<ManifestProblem>,
}

/// One problem in a manifest.
///
/// ```
/// use tenant_query_core::{Location, Manifest};
///
/// let e = Manifest::from_toml_str("dialect = \"postgres\"\ntenant_colum = \"org_id\"\n", "m.toml")
///     .unwrap_err();
/// let problem = &e.errors[0];
/// assert_eq!(problem.key.as_deref(), Some("tenant_colum"));
/// assert_eq!(problem.message, "unknown key");
/// assert!(problem.help.as_deref().unwrap().starts_with("did you mean `tenant_column`?"));
/// assert_eq!(
///     problem.span,
///     Some((Location { line: 2, column: 1 }, Location { line: 2, column: 13 }))
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestProblem {
    /// The offending key, dotted (`tables.orders.scope`), when there is one.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Where in the manifest text: the first character and the position just past the last
    /// one, 1-based. `None` when the problem is a missing key of the document, or the file
    /// cannot be read.
    pub span: Option<(Location, Location)>,
}

impl ManifestError {
    /// An error with one problem that has no key and no position.
    pub(super) fn whole(origin: &str, message: String) -> ManifestError {
        ManifestError {
            origin: origin.to_owned(),
            errors: vec![ManifestProblem::plain(message)],
        }
    }
}

impl ManifestProblem {
    /// A problem with no key, no position and no help.
    pub(super) fn plain(message: String) -> ManifestProblem {
        ManifestProblem {
            key: None,
            message,
            help: None,
            span: None,
        }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&self.origin)?;
            if let Some((start, _)) = problem.span {
                write!(f, ":{start}")?;
            }
            if let Some(key) = &problem.key {
                write!(f, ": `{key}`")?;
            }
            write!(f, ": {}", problem.message)?;
            if let Some(help) = &problem.help {
                write!(f, "; {help}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ManifestError {}

/// The 1-based start and end of a byte range of `text`, columns counted in characters.
pub(super) fn locate(text: &str, range: Range<usize>) -> (Location, Location) {
    (location(text, range.start), location(text, range.end))
}

fn location(text: &str, offset: usize) -> Location {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        line: before.matches('\n').count() as u64 + 1,
        column: before[line_start..].chars().count() as u64 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let at = |line, column| Location { line, column };
        assert_eq!(locate(text, 0..1), (at(1, 1), at(1, 2)));
        // `"x"` starts after the two-byte `é`: column 6 in characters.
        assert_eq!(locate(text, 12..15), (at(2, 6), at(2, 9)));
        assert_eq!(locate(text, text.len()..text.len()).0, at(3, 1));
    }
}
