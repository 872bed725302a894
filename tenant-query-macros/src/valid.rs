//! Validation: the engine's verdict on the SQL and the argument count, as spanned errors.

use tenant_query_core::{check_unscoped, rewrite, BindPlan, BindSlot, Diagnostic, Manifest};

use crate::ast::{Input, Kind, OutputKind, ScopeKind};

/// The SQL to emit and how to bind it.
pub struct Plan {
    /// The rewritten (or, for unscoped queries, checked and unchanged) SQL.
    pub sql: String,
    /// The bind order.
    pub bind_plan: BindPlan,
}

/// Runs the engine on the SQL literal and checks the argument count against its bind plan.
pub fn validate(kind: Kind, manifest: &Manifest, input: &Input) -> syn::Result<Plan> {
    let sql = input.sql.value();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match kind.scope {
        ScopeKind::Tenant => rewrite(manifest, &sql).map(|r| Plan {
            sql: r.sql,
            bind_plan: r.bind_plan,
        }),
        ScopeKind::Unscoped => check_unscoped(manifest, &sql).map(|c| Plan {
            sql: c.sql,
            bind_plan: c.bind_plan,
        }),
    }));
    let rewritten = match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(diag)) => return Err(syn::Error::new(input.sql.span(), render(&diag, &sql))),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            return Err(syn::Error::new(
                input.sql.span(),
                format!(
                    "internal error in the tenant-query engine: {what}\n  help: this is a bug \
                     in tenant-query; the statement was refused rather than passed through"
                ),
            ));
        }
    };

    if let Some(slot) = rewritten
        .bind_plan
        .slots
        .iter()
        .find(|s| matches!(s, BindSlot::Arg(i) if *i >= rewritten.bind_plan.user_args))
    {
        return Err(syn::Error::new(
            input.sql.span(),
            format!(
                "internal error in the tenant-query engine: bind slot {slot:?} is out of range"
            ),
        ));
    }
    if kind.scope == ScopeKind::Unscoped && rewritten.bind_plan.slots.contains(&BindSlot::Tenant) {
        return Err(syn::Error::new(
            input.sql.span(),
            "internal error in the tenant-query engine: an unscoped statement has a tenant \
             placeholder",
        ));
    }

    if kind.output != OutputKind::Sql {
        check_arity(kind, input, &rewritten.bind_plan)?;
    }
    Ok(rewritten)
}

fn check_arity(kind: Kind, input: &Input, plan: &BindPlan) -> syn::Result<()> {
    let expected = plan.user_args;
    let got = input.args.len();
    if expected == got {
        return Ok(());
    }
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    let tenant_note = match kind.scope {
        ScopeKind::Tenant => " (not counting the tenant, which is bound automatically)",
        ScopeKind::Unscoped => "",
    };
    let message = format!(
        "expected {expected} {}, got {got}: the SQL has {expected} placeholder{}{tenant_note}\n  \
         help: pass one argument after the SQL per placeholder, in placeholder order",
        plural(expected),
        if expected == 1 { "" } else { "s" },
    );
    // Point at the first surplus argument, or at the SQL when arguments are missing.
    let span = match input.args.get(expected) {
        Some(extra) => syn::spanned::Spanned::span(extra),
        None => input.sql.span(),
    };
    Err(syn::Error::new(span, message))
}

/// Renders an engine diagnostic: the message, the offending SQL line with the position
/// underlined, and the help.
///
/// A proc macro can only point at the whole string literal on stable Rust, so the position
/// inside the SQL is spelled out (`line L, column C`) and shown under the line itself.
pub fn render(diag: &Diagnostic, sql: &str) -> String {
    let mut out = diag.message.clone();
    if let Some(at) = diag.location {
        let line = usize::try_from(at.line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|l| sql.lines().nth(l));
        out.push_str(&format!(
            "\n  at line {}, column {} of the SQL",
            at.line, at.column
        ));
        if let Some(line) = line {
            let column = usize::try_from(at.column).unwrap_or(1).max(1);
            let shown = line.trim_end();
            // Keep the line's own indentation out of the picture, but keep columns aligned.
            let indent = shown.len() - shown.trim_start().len();
            let indent_chars = shown[..indent].chars().count();
            let start = column.saturating_sub(1).max(indent_chars);
            let width = shown
                .chars()
                .skip(column - 1)
                .take_while(|c| {
                    c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '`' | '$' | '?')
                })
                .count()
                .max(1);
            out.push_str(&format!(
                ":\n      {}\n      {}{}",
                shown.trim_start(),
                " ".repeat(start - indent_chars),
                "^".repeat(width)
            ));
        }
    }
    if let Some(help) = &diag.help {
        out.push_str(&format!("\n  help: {help}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenant_query_core::{DiagnosticKind, Location};

    fn diag(line: u64, column: u64) -> Diagnostic {
        Diagnostic {
            kind: DiagnosticKind::UnknownTable,
            message: "table `invoice` is not declared".into(),
            location: Some(Location { line, column }),
            help: Some("did you mean `invoices`?".into()),
        }
    }

    #[test]
    fn renders_the_line_and_underlines_the_name() {
        let text = render(&diag(1, 15), "SELECT * FROM invoice WHERE id = $1");
        assert_eq!(
            text,
            "table `invoice` is not declared\n  at line 1, column 15 of the SQL:\n      \
             SELECT * FROM invoice WHERE id = $1\n                    ^^^^^^^\n  help: did you mean \
             `invoices`?"
        );
    }

    #[test]
    fn strips_the_indentation_of_later_lines() {
        let text = render(&diag(2, 15), "SELECT *\n         FROM invoice");
        assert!(
            text.contains("\n      FROM invoice\n           ^^^^^^^\n"),
            "{text}"
        );
    }

    #[test]
    fn survives_positions_outside_the_text() {
        for (line, column) in [(0, 0), (9, 1), (1, 99)] {
            let text = render(&diag(line, column), "SELECT 1");
            assert!(text.starts_with("table `invoice`"), "{text}");
        }
    }
}
