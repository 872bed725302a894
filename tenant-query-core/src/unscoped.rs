//! Cross-tenant statements: parsed and checked against the manifest, but not rewritten.

use crate::diagnostic::Diagnostic;
use crate::manifest::Manifest;
use crate::parse;
use crate::placeholders::{BindPlan, Params};

/// A cross-tenant statement that passed the checks, and how to bind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The statement exactly as written; or, when it holds comments, as the engine parsed it
    /// (the database could read a comment differently, see [`rewrite`](crate::rewrite)).
    pub sql: String,
    /// The user's arguments in bind order (there is no tenant).
    pub bind_plan: BindPlan,
}

/// Checks a statement that deliberately works across tenants (`unscoped_query!`).
///
/// The statement must be one statement that parses in the manifest's dialect, and every table
/// it names must be declared, so typos are still caught. It is not rewritten.
///
/// ```
/// use tenant_query_core::{check_unscoped, Manifest};
///
/// let manifest = Manifest::from_toml_str(
///     "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n",
///     "tenant-schema.toml",
/// )?;
/// let checked = check_unscoped(&manifest, "SELECT tenant_id, count(*) FROM orders GROUP BY 1")?;
/// assert_eq!(checked.sql, "SELECT tenant_id, count(*) FROM orders GROUP BY 1");
/// assert!(check_unscoped(&manifest, "SELECT * FROM order").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_unscoped(manifest: &Manifest, sql: &str) -> Result<Checked, Diagnostic> {
    let dialect = manifest.dialect();
    let mut stmt = parse::single_statement(dialect, sql)?;
    let params = Params::analyze(dialect, &mut stmt)?;

    let rewriter = crate::rewrite::Rewriter::new(manifest, &params.tenant_marker);
    crate::declared::check(&rewriter, &stmt)?;
    let (sql, bind_plan) = params.passthrough(sql, &stmt)?;
    Ok(Checked { sql, bind_plan })
}
