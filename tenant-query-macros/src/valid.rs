//! Validation: the engine's verdict on the SQL (or the rewrite it made in an earlier build)
//! and the argument count, as spanned errors.

use tenant_query_core::{
    check_unscoped, rewrite, rewrite_for_set, BindPlan, BindSlot, Diagnostic, Manifest,
    RenderStyle, Rewritten, SetWrites,
};

use crate::ast::{Input, Kind, OutputKind, ScopeKind};
use crate::cache;
use crate::manifest::Loaded;

/// The engine's rewrite of the SQL literal (kept from an earlier build, or computed and kept),
/// its bind plan checked against the arguments.
pub fn validate(kind: Kind, manifest: &Loaded, input: &Input) -> syn::Result<Rewritten> {
    let sql = input.sql.value();
    let cache = cache::dir()
        .zip(manifest.hash)
        .map(|(dir, hash)| (dir, cache::Key::new(hash, engine_scope(kind, input), &sql)));
    let kept = cache
        .as_ref()
        .and_then(|(dir, key)| cache::lookup(dir, key));
    let rewritten = match kept {
        Some(rewritten) => rewritten,
        None => {
            let rewritten = run_engine(kind, &manifest.manifest, input, &sql)?;
            if let Some((dir, key)) = &cache {
                cache::store(dir, key, &rewritten);
            }
            rewritten
        }
    };
    let literal = input.sql.span();
    check_plan(kind, &rewritten.bind_plan, literal)?;
    if kind.output != OutputKind::Sql {
        check_arity(kind, input, &rewritten.bind_plan)?;
    }
    Ok(rewritten)
}

/// What the engine is asked, as the cache keys it.
fn engine_scope(kind: Kind, input: &Input) -> &'static str {
    match kind.scope {
        ScopeKind::Tenant => "tenant",
        ScopeKind::Unscoped => "unscoped",
        ScopeKind::Set if input.writes_all => "set:all",
        ScopeKind::Set => "set:read",
    }
}

/// Runs the engine; a refusal becomes one compile error per problem, a panic an internal error.
fn run_engine(kind: Kind, manifest: &Manifest, input: &Input, sql: &str) -> syn::Result<Rewritten> {
    let literal = input.sql.span();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match kind.scope {
        ScopeKind::Tenant => rewrite(manifest, sql),
        ScopeKind::Unscoped => check_unscoped(manifest, sql),
        ScopeKind::Set if input.writes_all => rewrite_for_set(manifest, sql, SetWrites::All),
        ScopeKind::Set => rewrite_for_set(manifest, sql, SetWrites::ReadOnly),
    }));
    match outcome {
        Ok(Ok(rewritten)) => Ok(rewritten),
        Ok(Err(diag)) => Err(compile_errors(&diag, sql, literal)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(internal(
                literal,
                &format!(
                    "{what}\n  help: this is a bug in tenant-query; the statement was refused \
                     rather than passed through"
                ),
            ))
        }
    }
}

/// The engine's own invariants, checked again before code is generated from the plan.
fn check_plan(kind: Kind, plan: &BindPlan, literal: proc_macro2::Span) -> syn::Result<()> {
    if let Some(slot) = plan
        .slots
        .iter()
        .find(|s| matches!(s, BindSlot::Arg(i) if *i >= plan.user_args))
    {
        return Err(internal(
            literal,
            &format!("bind slot {slot:?} is out of range"),
        ));
    }
    if kind.scope == ScopeKind::Unscoped && plan.slots.contains(&BindSlot::Tenant) {
        return Err(internal(
            literal,
            "an unscoped statement has a tenant placeholder",
        ));
    }
    Ok(())
}

fn internal(literal: proc_macro2::Span, what: &str) -> syn::Error {
    syn::Error::new(
        literal,
        format!("internal error in the tenant-query engine: {what}"),
    )
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
        ScopeKind::Set => " (not counting the tenant set, which is bound automatically)",
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
        Some(extra) => extra.span(),
        None => input.sql.span(),
    };
    Err(syn::Error::new(span, message))
}

/// One compile error per problem of an engine diagnostic, all on the SQL literal.
fn compile_errors(diag: &Diagnostic, sql: &str, literal: proc_macro2::Span) -> syn::Error {
    let messages = diag.problems().iter().map(|d| render(d, sql)).collect();
    errors_at(literal, messages, || render(diag, sql))
}

/// One compile error per message, all at `span`, reported together; `fallback` is the message
/// should there be none.
pub fn errors_at(
    span: proc_macro2::Span,
    messages: Vec<String>,
    fallback: impl FnOnce() -> String,
) -> syn::Error {
    messages
        .into_iter()
        .map(|message| syn::Error::new(span, message))
        .reduce(|mut all, e| {
            all.combine(e);
            all
        })
        .unwrap_or_else(|| syn::Error::new(span, fallback()))
}

/// Renders an engine diagnostic with the SQL and the spans underlined.
///
/// A proc macro can only point at the whole string literal on stable Rust, so the position
/// inside the SQL is drawn in the message itself.
pub fn render(diag: &Diagnostic, sql: &str) -> String {
    diag.render(sql, "SQL", RenderStyle::CompileError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenant_query_core::Manifest;

    fn unknown_table(sql: &str) -> String {
        let manifest = Manifest::from_toml_str(
            "dialect = \"postgres\"\n[tables.invoices]\nscope = \"tenant\"\n",
            "tenant-schema.toml",
        )
        .unwrap();
        render(&rewrite(&manifest, sql).unwrap_err(), sql)
    }

    #[test]
    fn renders_the_line_and_underlines_the_name() {
        let text = unknown_table("SELECT * FROM invoice WHERE id = $1");
        assert!(
            text.starts_with("TQ0001: table `invoice` is not declared in tenant-schema.toml\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "1 | SELECT * FROM invoice WHERE id = $1\n  |               ^^^^^^^ not declared"
            ),
            "{text}"
        );
        assert!(text.contains("= help: did you mean `invoices`?"), "{text}");
    }

    #[test]
    fn shows_later_lines_with_their_number() {
        let text = unknown_table("SELECT *\n         FROM invoice");
        assert!(
            text.contains("2 |          FROM invoice\n  |               ^^^^^^^"),
            "{text}"
        );
    }
}
