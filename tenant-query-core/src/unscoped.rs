//! Cross-tenant statements: parsed and checked against the manifest, but not rewritten.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{ObjectName, Query, TableFactor, Visit, Visitor};

use crate::diagnostic::Diagnostic;
use crate::manifest::{object_name_parts, Manifest};
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

    let mut names = Names::default();
    let _ = stmt.visit(&mut names);
    let rewriter = crate::rewrite::Rewriter::new(manifest, &params.tenant_marker);
    let ctes: HashSet<String> = names.ctes.iter().map(|c| rewriter.normalize(c)).collect();
    for name in names.relations {
        let is_cte = object_name_parts(&name)
            .is_some_and(|parts| parts.len() == 1 && ctes.contains(&rewriter.normalize(parts[0])));
        if !is_cte && !names.functions.contains(&name) {
            rewriter.resolve(&name)?;
        }
    }
    let (sql, bind_plan) = params.passthrough(sql, &stmt)?;
    Ok(Checked { sql, bind_plan })
}

#[derive(Default)]
struct Names {
    relations: Vec<ObjectName>,
    functions: HashSet<ObjectName>,
    ctes: Vec<sqlparser::ast::Ident>,
}

impl Visitor for Names {
    type Break = ();

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        self.relations.push(relation.clone());
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            args: Some(_),
            ..
        } = factor
        {
            self.functions.insert(name.clone());
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            self.ctes
                .extend(with.cte_tables.iter().map(|c| c.alias.name.clone()));
        }
        ControlFlow::Continue(())
    }
}
