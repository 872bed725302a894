//! What is wrong with a manifest: every problem as a [`Diagnostic`], with the text it is in.

use std::fmt;

use crate::diagnostic::{Diagnostic, DiagnosticKind, RenderStyle};

/// An invalid manifest: which file, its text, and every problem found in it.
///
/// Each problem is a [`DiagnosticKind::Manifest`] diagnostic (`TQ0008`) whose message starts
/// with the dotted key, whose span is the offending text, and whose help is the fix.
/// [`Display`](fmt::Display) shows one problem per line, with the file and position;
/// [`ManifestError::render`] draws them with the manifest's lines.
///
/// ```
/// use tenant_query_core::{Manifest, RenderStyle};
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
/// assert_eq!(e.diagnostic.count(), 2);
/// assert_eq!(e.diagnostic.span.unwrap().to_string(), "4:9-4:17");
/// assert_eq!(
///     e.to_string(),
///     "tenant-schema.toml:4:9: `tables.orders.scope`: unknown scope \"tenent\"; \
///      expected \"tenant\", \"global\" or \"tenant_or_global\"\n\
///      tenant-schema.toml:7:1: `tables.users.colums`: unknown key; did you mean `columns`? \
///      (allowed: `scope`, `tenant_column`, `columns`, `unique`)"
/// );
/// assert!(e.render(RenderStyle::Plain).starts_with(
///     "error[TQ0008]: `tables.orders.scope`: unknown scope \"tenent\"
///  --> tenant-schema.toml:4:9
///   |
/// 4 | scope = \"tenent\"
///   |         ^^^^^^^^"
/// ));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// The file (or other origin) the manifest came from.
    pub origin: String,
    /// The manifest text the spans point into; empty when the file could not be read.
    pub source: String,
    /// Every problem, in the order of the text ([`Diagnostic::problems`]).
    pub diagnostic: Diagnostic,
}

impl ManifestError {
    /// An error with one problem that has no position.
    pub(super) fn whole(origin: &str, message: String) -> ManifestError {
        ManifestError {
            origin: origin.to_owned(),
            source: String::new(),
            diagnostic: Diagnostic::new(DiagnosticKind::Manifest, message),
        }
    }

    /// Renders every problem with the manifest's lines, as [`Diagnostic::render`] does.
    pub fn render(&self, style: RenderStyle) -> String {
        self.diagnostic.render(&self.source, &self.origin, style)
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.diagnostic.problems().iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&self.origin)?;
            if let Some(at) = problem.location() {
                write!(f, ":{at}")?;
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
