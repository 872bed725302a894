//! [`Error`]: why the run-time API did not build a query.

use std::fmt;

use sqlx::error::BoxDynError;
use tenant_query_core::{Diagnostic, RenderStyle};

/// Why [`Engine`](super::Engine) or [`DynamicQuery`](super::DynamicQuery) did not build a
/// query. Nothing is ever passed through: every problem is an `Err`.
///
/// [`Refused`](Error::Refused) carries the engine's [`Diagnostic`], the same one the macros
/// turn into a compile error; its `Display` draws it on the SQL:
///
/// ```
/// use tenant_query::runtime::{DiagnosticKind, Engine, Error};
/// use tenant_query::TenantId;
///
/// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
/// let err = engine.tenant_query(&TenantId::new(1), "SELECT * FROM order").unwrap_err();
/// assert_eq!(err.diagnostic().map(|d| d.kind), Some(DiagnosticKind::Syntax));
///
/// let err = engine
///     .tenant_query(&TenantId::new(1), "SELECT * FROM invoices")
///     .unwrap_err();
/// assert!(matches!(err, Error::Refused { .. }));
/// assert!(err.to_string().starts_with(
///     "error[TQ0001]: table `invoices` is not declared in tenant-schema.toml\n --> SQL:1:15"
/// ));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The engine refused the statement: the diagnostic says where, why and how to fix it.
    Refused {
        /// The statement as given.
        sql: String,
        /// The engine's diagnostic, with every independent problem of the statement.
        diagnostic: Diagnostic,
    },
    /// The number of bound arguments differs from the number of placeholders.
    ArgumentCount {
        /// The placeholders of the statement (not counting the tenant's).
        expected: usize,
        /// The arguments bound.
        got: usize,
    },
    /// A value could not be encoded for the database.
    Encode {
        /// The 1-based bind position of the value in the statement sent.
        position: usize,
        /// sqlx's encoding error.
        source: BoxDynError,
    },
    /// [`Engine::unscoped_query`](super::Engine::unscoped_query) was given an empty reason.
    MissingReason,
    /// A `QueryBuilder`'s arguments cannot be kept in the order the statement needs: the
    /// database binds `?` by position (MySQL), and a tenant placeholder falls between them.
    BuilderArgumentOrder {
        /// The rewritten statement.
        sql: String,
    },
    /// The manifest embedded at compile time does not parse at run time, which only happens
    /// when the file changed while the crate was being compiled. Rebuild.
    Manifest {
        /// The manifest's own error.
        message: String,
    },
    /// An internal check failed; the statement was refused rather than passed through.
    Internal {
        /// What failed.
        message: String,
    },
}

impl Error {
    /// The engine's diagnostic, when the engine refused the statement.
    ///
    /// ```
    /// use tenant_query::runtime::{DiagnosticKind, Engine};
    /// use tenant_query::TenantId;
    ///
    /// let engine: Engine<sqlx::Sqlite> = Engine::new(tenant_query::embedded_manifest!());
    /// let err = engine
    ///     .tenant_query(&TenantId::new(1), "UPDATE orders SET tenant_id = 2")
    ///     .unwrap_err();
    /// let diagnostic = err.diagnostic().unwrap();
    /// assert_eq!(diagnostic.kind, DiagnosticKind::TenantColumnWrite);
    /// assert_eq!(diagnostic.code(), "TQ0003");
    /// ```
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            Error::Refused { diagnostic, .. } => Some(diagnostic),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Refused { sql, diagnostic } => {
                f.write_str(&diagnostic.render(sql, "SQL", RenderStyle::Plain))
            }
            Error::ArgumentCount { expected, got } => write!(
                f,
                "expected {expected} argument{}, got {got}: bind one argument per placeholder, \
                 in placeholder order (the tenant is bound automatically)",
                if *expected == 1 { "" } else { "s" }
            ),
            Error::Encode { position, source } => {
                write!(
                    f,
                    "encoding the value bound at position {position} failed: {source}"
                )
            }
            Error::MissingReason => f.write_str(
                "an unscoped query needs a reason: say why this statement may see every \
                 tenant's rows",
            ),
            Error::BuilderArgumentOrder { sql } => write!(
                f,
                "the QueryBuilder's arguments are encoded in placeholder order, but the scoped \
                 statement binds a tenant between them (`?` binds by position): {sql}\n  \
                 help: build the SQL with `QueryBuilder::push` and `?`, then bind the values \
                 through `Engine::tenant_query(…)?.bind(…)`"
            ),
            Error::Manifest { message } => write!(
                f,
                "the embedded manifest does not parse at run time (was it edited during the \
                 build? rebuild the crate): {message}"
            ),
            Error::Internal { message } => write!(
                f,
                "internal error in the tenant-query engine: {message}\n  help: this is a bug \
                 in tenant-query; the statement was refused rather than passed through"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Refused { diagnostic, .. } => Some(diagnostic),
            Error::Encode { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}
