//! placeholder
use crate::{BindPlan, Diagnostic, Manifest};
/// Checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// SQL.
    pub sql: String,
    /// The bind order.
    pub bind_plan: BindPlan,
}
/// Checks.
pub fn check_unscoped(_manifest: &Manifest, _sql: &str) -> Result<Checked, Diagnostic> { todo!() }
