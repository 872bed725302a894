//! placeholder
use crate::{BindPlan, Diagnostic, Manifest};
/// The rewritten statement and how to bind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The rewritten SQL.
    pub sql: String,
    /// The bind order.
    pub bind_plan: BindPlan,
}
/// Rewrites.
pub fn rewrite(_manifest: &Manifest, _sql: &str) -> Result<Rewritten, Diagnostic> { todo!() }
