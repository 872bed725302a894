//! Assignments of UPDATE and upserts: their target columns must exist, and rows never move
//! between tenants.

use sqlparser::ast::{Assignment, AssignmentTarget, Ident, ObjectName, Spanned};

use super::{Binding, Rewriter};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::manifest::object_name_parts;
use crate::parse::source_span;

impl<'m> Rewriter<'m> {
    /// Rows never move between tenants: assigning a scoped table's tenant column is an error,
    /// reported for every such assignment.
    ///
    /// A qualified target (`c.tenant_id`) is checked against the table it names; an unqualified
    /// one, or one whose qualifier is not found, against every target table.
    pub(crate) fn reject_tenant_assignment(
        &mut self,
        assignments: &[Assignment],
        targets: &[Binding<'m>],
    ) {
        for (column, ident, qualifier) in assigned_columns(assignments) {
            let named = match qualifier.as_slice() {
                [] => None,
                q => self.binding_for(targets, q),
            };
            let candidates = named.map_or(targets, std::slice::from_ref);
            let written = candidates.iter().map(|b| b.table).find_map(|t| {
                let tc = t.tenant_column.as_ref()?;
                self.manifest.same_column(ident, tc).then_some((t, tc))
            });
            if let Some((t, tc)) = written {
                self.report(tenant_write(
                    format!(
                        "assigning the tenant column `{tc}` of `{}` would move rows to another tenant",
                        t.name
                    ),
                    column,
                )
                .help(format!(
                    "remove `{tc} = …`; moving rows between tenants needs `unscoped_query!` with a reason"
                )));
            }
        }
    }

    /// Checks the assigned columns against the declared columns of the table they belong to
    /// (the first target table when unqualified); reports every unknown one.
    pub(crate) fn check_assignment_columns(
        &mut self,
        assignments: &[Assignment],
        bindings: &[Binding<'m>],
    ) {
        for (_, ident, qualifier) in assigned_columns(assignments) {
            let binding = match qualifier.as_slice() {
                [] => bindings.first(),
                q => self.binding_for(bindings, q),
            };
            if let Some(b) = binding {
                self.keep(self.check_column(b, ident));
            }
        }
    }
}

/// Every assigned column: its name as written, the column and its qualifier.
fn assigned_columns(
    assignments: &[Assignment],
) -> impl Iterator<Item = (&ObjectName, &Ident, Vec<Ident>)> {
    assignments
        .iter()
        .flat_map(|a| match &a.target {
            AssignmentTarget::ColumnName(c) => std::slice::from_ref(c).iter(),
            AssignmentTarget::Tuple(cs) => cs.iter(),
        })
        .filter_map(|column| {
            let parts = object_name_parts(column)?;
            let (ident, qualifier) = parts.split_last()?;
            Some((
                column,
                *ident,
                qualifier.iter().map(|i| (*i).clone()).collect(),
            ))
        })
}

/// A write to the tenant column, at the column.
pub(crate) fn tenant_write(message: String, column: &ObjectName) -> Diagnostic {
    Diagnostic::new(DiagnosticKind::TenantColumnWrite, message).at(source_span(column.span()))
}
